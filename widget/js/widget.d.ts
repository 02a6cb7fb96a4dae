// TypeScript declarations for sitrep's widget loader, served beside it as /widget.d.ts.
//
// Save this file in your project (for example as src/sitrep.d.ts) and, for JSX, the file for your
// framework beside it: /widget-react.d.ts (React 19), /widget-preact.d.ts or /widget-vue.d.ts. It
// types the <sitrep-status> element, `mount()` and its handle (imported from the loader's URL), and
// the `sitrep:change` event. It is a global declaration file: nothing to import.

/** What a widget shows. */
type SitrepView = "badge" | "banner" | "full";

/** Its colours: `auto` follows the background it sits on. */
type SitrepTheme = "auto" | "light" | "dark";

/** A status, as `sitrep:change` and the badge's `data-ind` name it. */
type SitrepIndicator = "none" | "minor" | "major" | "critical" | "maintenance" | "unknown";

/** The attributes of `<sitrep-status>` (all optional; a value the widget cannot use warns once in the console). */
interface SitrepStatusAttributes {
  /** The status page's origin (scheme, host and port, no path); default: where widget.js came from. */
  src?: string;
  /** `badge` (default), `banner` or `full`. */
  view?: SitrepView;
  /** Component ids, comma-separated: the widget speaks of these components only. */
  components?: string;
  /** A language tag (`en`, `nl`, `de`, `fr`, `es`, `ja`); default: the reader's languages. */
  locale?: string;
  /** An IANA time zone (`Europe/Amsterdam`); default: the reader's. */
  "time-zone"?: string;
  /** `auto` (default), `light` or `dark`. */
  theme?: SitrepTheme;
  /** Seconds between polls, 15 to 600; default 60. */
  poll?: number | `${number}`;
  /** How many recent postmortems the full view lists, 0 to 20; default 3. */
  postmortems?: number | `${number}`;
  /** `incident`: a sample incident in the reader's language, reading nothing (to try the banner). */
  preview?: "incident";
  /** A private page's reader link (`sitrep page link`), or its token: sent with every read. */
  reader?: string;
}

/** `mount()`'s options: the attributes in camelCase, numbers as numbers, components as a list. */
interface SitrepMountOptions {
  src?: string;
  view?: SitrepView;
  components?: string | readonly string[];
  locale?: string;
  timeZone?: string;
  theme?: SitrepTheme;
  poll?: number;
  postmortems?: number;
  preview?: "incident";
  reader?: string;
}

/** A mounted widget. */
interface SitrepHandle {
  /** Asks the status page now. */
  refresh(): void;
  /** Stops polling and empties the element; calling it twice is harmless. */
  destroy(): void;
  /** Settles when the widget runs; rejects with the reason when it cannot (a policy that forbids WebAssembly). */
  readonly ready: Promise<SitrepHandle>;
}

/** `sitrep:change`'s detail: fired on the element (bubbling, composed) when the status it shows changes. */
interface SitrepChangeDetail {
  indicator: SitrepIndicator;
  /** `null` on the first answer. */
  previous: SitrepIndicator | null;
}

type SitrepChangeEvent = CustomEvent<SitrepChangeDetail>;

/** The `<sitrep-status>` element. */
interface SitrepStatusElement extends HTMLElement {
  /** Asks the status page now. */
  refresh(): void;
  addEventListener<K extends keyof HTMLElementEventMap>(type: K, listener: (this: SitrepStatusElement, event: HTMLElementEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

interface HTMLElementTagNameMap {
  "sitrep-status": SitrepStatusElement;
}

interface HTMLElementEventMap {
  "sitrep:change": SitrepChangeEvent;
}

interface DocumentEventMap {
  "sitrep:change": SitrepChangeEvent;
}

/** The loader, imported from its URL: `import { mount } from "https://status.example.com/widget.js"`. */
declare module "*/widget.js" {
  /** Mounts the widget in `element` (its shadow root); returns at once. */
  export function mount(element: HTMLElement, options?: SitrepMountOptions): SitrepHandle;
}
