// sitrep widget loader: the one script a customer page adds.
//
//   <script type="module" src="https://status.example.com/widget.js"></script>
//   <sitrep-status src="https://status.example.com" view="banner"></sitrep-status>
//
// Defines <sitrep-status> and exports mount(element, options) -> { refresh(), destroy(), ready }.
// The build (cargo xtask) bundles this file with wasm-bindgen's glue and fills in the
// content-hashed name of the wasm module.
import init, { mount as mountWasm } from "./sitrep_widget.js";

const ATTRIBUTES = ["src", "view", "components", "locale", "time-zone", "theme", "poll", "postmortems"];
const origin = new URL(import.meta.url).origin;
let loading = null;

function load() {
  loading ??= init({ module_or_path: new URL("./__SITREP_WASM__", import.meta.url) });
  return loading;
}

// mount()'s options may use camelCase and real types; the widget reads attribute names and strings.
function normalise(options) {
  const out = {};
  for (const [key, value] of Object.entries(options ?? {})) {
    if (value === undefined || value === null) continue;
    const name = key.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
    out[name] = Array.isArray(value) ? value.join(",") : String(value);
  }
  return out;
}

// The summary request, started at once so it runs while the wasm downloads and compiles. The URL
// is the loader's guess at what the widget will ask for (src trimmed, else this script's origin);
// the widget uses the answer only if it asks for exactly this URL, and fetches again otherwise.
// Not when a summary from an earlier visit is stored (the key is the widget's, see storage.rs):
// the widget paints that at once and asks with its ETag, and a 304 costs nothing. Not in a hidden
// tab (the widget waits until it is shown), and not without `AbortSignal.timeout` (the widget's own
// request has its timeout).
function prefetch(options) {
  try {
    if (document.hidden || typeof AbortSignal?.timeout !== "function") return undefined;
    const src = String(options.src ?? "").trim();
    const base = (/^https?:\/\//.test(src) ? src : origin).replace(/\/+$/, "");
    if (stored(base)) return undefined;
    const url = base + "/api/v2/summary.json";
    const response = fetch(url, { cache: "no-store", signal: AbortSignal.timeout(10_000) });
    // The body is read as soon as it arrives too (a body read later costs a frame or more), but
    // only a 200 of JSON small enough for a first paint; otherwise `null`, and the widget reads the
    // body itself under its own limit (fetch.rs).
    const text = response.then((r) => (readable(r) ? r.text() : null));
    // A failure is the widget's to report, not an unhandled rejection.
    response.catch(() => {});
    text.catch(() => {});
    return { url, response, text };
  } catch {
    return undefined;
  }
}

function readable(response) {
  const type = (response.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  const length = Number(response.headers.get("content-length") ?? 0);
  return response.status === 200 && type === "application/json" && !(length > 2 * 1024 * 1024);
}

function stored(base) {
  try {
    return localStorage.getItem(`sitrep:v1:summary:${base}`) !== null;
  } catch {
    return false; // no storage (sandboxed frame, blocked): nothing stored
  }
}

/** Mounts the widget in `element` (its shadow root). Returns at once; `ready` settles when it runs. */
export function mount(element, options = {}) {
  options = normalise(options);
  let handle = null;
  let destroyed = false;
  const api = {
    refresh() {
      handle?.refresh();
    },
    destroy() {
      destroyed = true;
      if (handle) {
        handle.destroy();
        handle.free();
        handle = null;
      }
    },
  };
  // Starts after the current script: a page that appends the element and then sets its attributes
  // remounts at once, and the first mount's requests would be wasted.
  api.ready = Promise.resolve().then(() => {
    if (destroyed) return api;
    const first = prefetch(options);
    return load().then(() => {
      if (!destroyed) handle = mountWasm(element, options, origin, first);
      return api;
    });
  });
  return api;
}

class SitrepStatus extends HTMLElement {
  static observedAttributes = ATTRIBUTES;
  #handle = null;

  connectedCallback() {
    this.#mount();
  }

  disconnectedCallback() {
    this.#handle?.destroy();
    this.#handle = null;
  }

  attributeChangedCallback(_name, before, after) {
    if (this.#handle && before !== after) this.#mount();
  }

  /** Polls now. */
  refresh() {
    this.#handle?.refresh();
  }

  #mount() {
    this.#handle?.destroy();
    const options = {};
    for (const name of ATTRIBUTES) {
      const value = this.getAttribute(name);
      if (value !== null) options[name] = value;
    }
    this.#handle = mount(this, options);
    this.#handle.ready.catch((error) => console.warn("sitrep: the widget could not start:", error));
  }
}

if (!customElements.get("sitrep-status")) customElements.define("sitrep-status", SitrepStatus);
