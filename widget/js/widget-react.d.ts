// <sitrep-status> in React 19's JSX, served as /widget-react.d.ts: save it beside widget.d.ts.
// React 19 passes a custom element's props as attributes (strings) and `onsitrep:change` as a
// listener for the `sitrep:change` event.
/// <reference path="./widget.d.ts" />
import "react";

declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "sitrep-status": React.DetailedHTMLProps<React.HTMLAttributes<SitrepStatusElement>, SitrepStatusElement> &
        SitrepStatusAttributes & { "onsitrep:change"?: (event: SitrepChangeEvent) => void };
    }
  }
}
