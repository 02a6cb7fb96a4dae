// <sitrep-status> in Preact's JSX, served as /widget-preact.d.ts: save it beside widget.d.ts.
// Preact sets a custom element's props as attributes and `onsitrep:change` as a listener for the
// `sitrep:change` event.
/// <reference path="./widget.d.ts" />
import "preact";

declare module "preact" {
  namespace JSX {
    interface IntrinsicElements {
      "sitrep-status": import("preact").HTMLAttributes<SitrepStatusElement> &
        SitrepStatusAttributes & { "onsitrep:change"?: (event: SitrepChangeEvent) => void };
    }
  }
}
