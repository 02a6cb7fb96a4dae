// <sitrep-status> in Vue's JSX, served as /widget-vue.d.ts: save it beside widget.d.ts, and tell
// Vue's compiler it is a custom element (`compilerOptions.isCustomElement: (tag) => tag ===
// "sitrep-status"`). Vue's JSX reads its elements from @vue/runtime-dom (which `vue` re-exports);
// in a template, listen with `@sitrep:change`.
/// <reference path="./widget.d.ts" />
import "@vue/runtime-dom";

declare module "@vue/runtime-dom" {
  interface IntrinsicElementAttributes {
    "sitrep-status": HTMLAttributes & SitrepStatusAttributes;
  }
}
