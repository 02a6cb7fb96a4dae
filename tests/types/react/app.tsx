// React 19: the README's example, type-checked.
import { useEffect, useRef, useState } from "react";
import { mount } from "https://status.example.com/widget.js";

export function Header() {
  const [status, setStatus] = useState<SitrepIndicator>("unknown");
  return (
    <header>
      <sitrep-status src="https://status.example.com" components="api,dashboard" poll={30}
        onsitrep:change={(event) => setStatus(event.detail.indicator)} />
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
    const handle = mount(ref.current, { view: "full", components: ["api"], timeZone: "UTC", postmortems: 5 });
    handle.ready.then((h) => h.refresh()).catch(console.warn);
    // @ts-expect-error: poll is a number of seconds
    mount(ref.current, { poll: "often" });
    return () => handle.destroy();
  }, []);
  return <div ref={ref} />;
}

document.querySelector("sitrep-status")?.addEventListener("sitrep:change", (event) => {
  const previous: SitrepIndicator | null = event.detail.previous;
  console.log(previous);
});
