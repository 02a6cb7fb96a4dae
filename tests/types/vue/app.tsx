// Vue 3 with TSX: the README's example, type-checked.
import { defineComponent, onBeforeUnmount, onMounted, ref } from "vue";
import { mount } from "https://status.example.com/widget.js";

export const Header = defineComponent(() => () => (
  <header>
    <sitrep-status src="https://status.example.com" components="api,dashboard" poll={30} />
    <sitrep-status view="banner" locale="nl" time-zone="Europe/Amsterdam" theme="dark" />
    {/* @ts-expect-error: not a view */}
    <sitrep-status view="huge" />
    {/* @ts-expect-error: not a theme */}
    <sitrep-status theme="purple" />
  </header>
));

export const Panel = defineComponent(() => {
  const el = ref<HTMLDivElement>();
  let handle: SitrepHandle | undefined;
  onMounted(() => {
    if (el.value) handle = mount(el.value, { view: "full" });
  });
  onBeforeUnmount(() => handle?.destroy());
  return () => <div ref={el} />;
});
