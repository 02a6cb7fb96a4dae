// Preact: the README's example, type-checked.
import { useEffect, useRef, useState } from "preact/hooks";
import { mount } from "https://status.example.com/widget.js";

export function Header() {
  const [status, setStatus] = useState<SitrepIndicator>("unknown");
  return (
    <header>
      <sitrep-status src="https://status.example.com" components="api,dashboard" poll={30}
        onsitrep:change={(event: SitrepChangeEvent) => setStatus(event.detail.indicator)} />
      <sitrep-status view="banner" locale="nl" time-zone="Europe/Amsterdam" theme="dark" />
      <span data-status={status} />
      {/* @ts-expect-error: not a view */}
      <sitrep-status view="huge" />
      {/* @ts-expect-error: not a theme */}
      <sitrep-status theme="purple" />
    </header>
  );
}

export function Panel() {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const handle = mount(ref.current, { view: "full", postmortems: 5 });
    return () => handle.destroy();
  }, []);
  return <div ref={ref} />;
}
