// sitrep widget loader: the one script a customer page adds.
//
//   <script type="module" src="https://status.example.com/widget.js"></script>
//   <sitrep-status src="https://status.example.com" view="banner"></sitrep-status>
//
// Defines <sitrep-status> and exports mount(element, options) -> { refresh(), destroy(), ready }.
// The build (cargo xtask) fills in the content-hashed names of the widget's two modules, each a
// wasm-bindgen glue script and its wasm: nothing of them is on the path to the first frame.
const MODULES = {
  // Badges only: what a page whose widgets are all badges downloads.
  badge: { glue: "__SITREP_BADGE_JS__", wasm: "__SITREP_BADGE_WASM__" },
  // Every view.
  full: { glue: "__SITREP_FULL_JS__", wasm: "__SITREP_FULL_WASM__" },
};

const ATTRIBUTES = ["src", "view", "components", "locale", "time-zone", "theme", "poll", "postmortems", "preview", "reader"];
const origin = new URL(import.meta.url).origin;
const loading = {};
// Live mounts whose view needs the full module: badges on the same page then use it too, so the
// page downloads one module, not two.
const wantFull = new Set();

function load(kind) {
  loading[kind] ??= (async () => {
    const module = await import(new URL(MODULES[kind].glue, import.meta.url).href);
    await module.default({ module_or_path: new URL(MODULES[kind].wasm, import.meta.url) });
    return module;
  })();
  return loading[kind];
}

// The view names the widget reads (Options::read in sitrep-shared): anything else is a badge.
function needsFull(options) {
  const view = String(options.view ?? "").trim();
  return view === "banner" || view === "full";
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

// The widget's stylesheet, filled in by the build from sitrep-views (the same sheet the wasm would
// use). A constructed sheet needs no `style-src 'unsafe-inline'`; old browsers get a <style>.
const CSS = "__SITREP_CSS__";

function shadowOf(element) {
  const shadow = element.shadowRoot ?? element.attachShadow({ mode: "open" });
  if (shadow.adoptedStyleSheets?.length || shadow.querySelector("style[data-sitrep]")) return shadow;
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    shadow.adoptedStyleSheets = [sheet];
  } catch {
    const style = document.createElement("style");
    style.dataset.sitrep = "";
    style.textContent = CSS;
    shadow.append(style);
  }
  return shadow;
}

// Under Trusted Types the frame's HTML goes through this policy (allow the name "sitrep" in a
// `trusted-types` directive). It passes the edge's HTML as is: it comes only from the origin this
// script came from (see paintFrame), rendered there by Yew, which escapes every text and
// attribute. Without the policy, no frame: the wasm paints instead.
let policy;
function trusted(html) {
  if (typeof window.trustedTypes?.createPolicy !== "function") return html;
  try {
    policy ??= window.trustedTypes.createPolicy("sitrep", { createHTML: (text) => text });
    return policy.createHTML(html);
  } catch {
    return null;
  }
}

// The edge's frame for an element's options: its attributes as they are (the edge reads them as
// the wasm would); for a banner or a full view also the reader's languages and zone. A badge shows
// no time and takes the browser's Accept-Language, so its URL is only its attributes: a plain
// badge's is `/embed/frame`, which the host page can preload (see README).
function frameUrl(base, options) {
  const query = new URLSearchParams();
  for (const name of ["view", "components", "theme", "postmortems", "poll", "preview", "locale", "time-zone"]) {
    if (options[name] !== undefined) query.set(name, options[name]);
  }
  // A private page's reader link, as the element was given it or as the whole link (as the wasm reads it).
  if (options.reader !== undefined) {
    const value = String(options.reader).trim();
    query.set("reader", value.includes("reader=") ? value.split("reader=")[1].split(/[&#]/)[0] : value);
  }
  // A `src` that is not this origin as it is written (no scheme, say) reads from here: the edge
  // then says so, as the wasm would.
  if (options.src !== undefined && String(options.src).trim().replace(/\/+$/, "") !== base) query.set("src", options.src);
  if (needsFull(options)) {
    query.set("accept", (navigator.languages ?? [navigator.language]).slice(0, 3).join(","));
    if (!query.has("time-zone")) query.set("time-zone", Intl.DateTimeFormat().resolvedOptions().timeZone ?? "");
  }
  const search = String(query);
  return `${base}/embed/frame${search ? `?${search}` : ""}`;
}

// The first frame: the edge renders the element's view with the same components the wasm runs, and
// the loader paints it, so the wasm is not on the host page's critical path. Only on a first visit:
// with a summary stored from an earlier visit the wasm paints that at once (and asks with its ETag).
// Resolves to whether a frame was painted.
async function paintFrame(element, options, destroyed, force = false) {
  try {
    const base = baseOf(options);
    // HTML is painted only from the origin this script came from, which the host already trusts
    // to run code: a `src` the host builds from other data never gets to put markup in its page.
    // A preview (preview="incident") is drawn by the wasm from its sample: nothing is read.
    if (base !== origin || String(options.preview ?? "").trim() === "incident") return false;
    if (typeof AbortSignal?.timeout !== "function") return false;
    if (stored(base) && !force) return false;
    const response = await fetch(frameUrl(base, options), { signal: AbortSignal.timeout(5_000) });
    const type = response.headers.get("content-type") ?? "";
    if (response.status !== 200 || !type.startsWith("text/html")) return false;
    const html = trusted(await response.text());
    // A mount destroyed meanwhile (an attribute changed) paints nothing: the new one paints.
    if (html === null || destroyed() || element.shadowRoot?.querySelector("[data-sitrep-root]")) return false;
    const frame = document.createElement("div");
    frame.dataset.sitrepFrame = "";
    frame.innerHTML = html;
    // The frame's buttons (details, dismiss) do nothing until the wasm takes over: clicks on them
    // (Enter and Space included) are recorded with what was clicked, and the wasm replays each on
    // its own render only where the same element is at the same place (see lib.rs): a newer
    // incident's banner is never dismissed by a click on an older one's.
    frame.addEventListener("click", (event) => {
      const target = event.target.closest?.("button, summary");
      const index = [...frame.querySelectorAll(FOCUSABLE)].indexOf(target);
      if (index < 0) return;
      const clicked = JSON.parse(frame.dataset.sitrepClicked ?? "[]");
      clicked.push([index, signature(target)]);
      frame.dataset.sitrepClicked = JSON.stringify(clicked);
    });
    const shadow = shadowOf(element);
    shadow.querySelector("[data-sitrep-frame]")?.remove();
    shadow.append(frame);
    return true;
  } catch {
    return false; // the wasm paints instead
  }
}

// theme="auto" follows the background the element actually sits on, not the host's color-scheme
// (many dark apps never declare one): the nearest opaque background among its ancestors, else the
// canvas. The loader marks the element `data-sitrep-scheme="light|dark"` (widget.css turns that
// into its color-scheme, which light-dark() reads), and `data-sitrep-card` when neither palette
// keeps 4.5:1 on that background (a mid grey): the widget then paints its own card. It judges again
// when the host changes a class, a style or its colour scheme (a theme toggle).
// The colours each palette sets text in, from widget.css (light, then dark): --fg, --muted and the
// links' --focus (the status colours fill shapes, which need 3:1, not text's 4.5:1).
const PALETTES = {
  light: ["#1f2328", "#59636e", "#0969da"],
  dark: ["#e6edf3", "#9198a1", "#4493f8"],
};
const autoThemed = new Set();

// Any CSS colour (rgb(), oklch(), color-mix(), a name) as sRGB [r, g, b, alpha 0-1]: browsers report
// modern syntaxes as they were written, so the colour is drawn on a 1x1 canvas and read back.
let probe;
function rgba(colour) {
  try {
    probe ??= document.createElement("canvas").getContext("2d", { willReadFrequently: true });
    probe.clearRect(0, 0, 1, 1);
    probe.fillStyle = "#000";
    probe.fillStyle = colour;
    probe.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = probe.getImageData(0, 0, 1, 1).data;
    return [r, g, b, a / 255];
  } catch {
    return [0, 0, 0, 0];
  }
}

// `top` drawn over `bottom` (an opaque colour).
function over(top, bottom) {
  const a = top[3];
  return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1);
}

function luminance([r, g, b]) {
  const channel = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

// The colour the element's text is drawn on: the backgrounds of its ancestors, translucent ones
// blended over what is beneath them, down to the first opaque one or the canvas.
function backgroundOf(element) {
  const layers = [];
  let base = null;
  for (let e = element; e && !base; e = e.parentElement ?? e.getRootNode?.().host) {
    const colour = rgba(getComputedStyle(e).backgroundColor);
    if (colour[3] >= 0.99) base = colour;
    else if (colour[3] > 0) layers.push(colour);
  }
  if (!base) {
    const root = rgba(getComputedStyle(document.documentElement).backgroundColor);
    // The canvas: dark where the page allows only dark, or allows dark and the reader prefers it.
    const scheme = getComputedStyle(document.documentElement).colorScheme;
    const dark = /dark/.test(scheme) && (!/light/.test(scheme) || matchMedia("(prefers-color-scheme: dark)").matches);
    base = over(root, dark ? [18, 18, 18, 1] : [255, 255, 255, 1]);
  }
  return layers.reduceRight((beneath, layer) => over(layer, beneath), base);
}

function judge(element) {
  const background = luminance(backgroundOf(element));
  const worst = (palette) => Math.min(...PALETTES[palette].map((c) => {
    const text = luminance(rgba(c));
    return (Math.max(text, background) + 0.05) / (Math.min(text, background) + 0.05);
  }));
  const [light, dark] = [worst("light"), worst("dark")];
  element.setAttribute("data-sitrep-scheme", dark > light ? "dark" : "light");
  element.toggleAttribute("data-sitrep-card", Math.max(light, dark) < 4.5);
}

let judging = 0;
function judgeAll() {
  cancelAnimationFrame(judging);
  judging = requestAnimationFrame(() => autoThemed.forEach(judge));
}

let watching = false;
function followTheme(element, auto) {
  autoThemed.delete(element);
  if (!auto) {
    element.removeAttribute("data-sitrep-scheme");
    element.removeAttribute("data-sitrep-card");
    return;
  }
  autoThemed.add(element);
  judge(element);
  if (watching) return;
  watching = true;
  new MutationObserver(judgeAll).observe(document.documentElement, {
    attributes: true, subtree: true, attributeFilter: ["class", "style", "data-theme", "data-mode", "data-bs-theme"],
  });
  matchMedia("(prefers-color-scheme: dark)").addEventListener?.("change", judgeAll);
  // A host's own transition on its background ends after the class changed; its stylesheets may
  // still be loading when the element first mounts.
  document.addEventListener("transitionend", judgeAll, { passive: true });
  addEventListener("load", judgeAll, { once: true });
}

// Why the wasm could not start, in words a host's developer can act on. A Content-Security-Policy
// without 'wasm-unsafe-eval' makes the browser name 'unsafe-eval', which would allow eval() too.
function explain(error) {
  const text = String(error?.message ?? error);
  if (error?.name === "CompileError" || /unsafe-eval|Content Security Policy/i.test(text)) {
    return "this page's Content-Security-Policy does not let WebAssembly run: add 'wasm-unsafe-eval' " +
      "to its script-src (not 'unsafe-eval', which would allow eval() as well)";
  }
  return text;
}

// What a badge or a full view shows when nothing could be read and nothing was rendered for it, in
// the element's `locale` or else the browser's first language the views speak (the views' own words:
// a test in sitrep-views checks each against its `i18n` table).
const UNAVAILABLE = { en: "Status unavailable", nl: "Status niet beschikbaar", de: "Status nicht verfügbar", fr: "Statut indisponible", es: "Estado no disponible", ja: "ステータスを取得できません" };
function unavailable(options) {
  const wanted = [options.locale, ...(navigator.languages ?? [navigator.language])];
  const tag = wanted.map((l) => String(l ?? "").trim().toLowerCase().split(/[-_]/)[0]).find((l) => Object.hasOwn(UNAVAILABLE, l)) ?? "en";
  return `<div class="sitrep" data-theme="auto"><span class="badge" data-ind="unknown" role="status" lang="${tag}">${UNAVAILABLE[tag]}</span></div>`;
}

// Without the wasm (a policy that forbids it, a module that did not load), the edge's frame is what
// can be kept: it is fetched again on the element's polling interval, so it never shows a status
// nobody confirmed; where no frame can be had, a badge or a full view says "Status unavailable" and a
// banner shows nothing. Returns the timer to clear.
function withoutWasm(element, options, destroyed) {
  const seconds = Math.min(600, Math.max(15, Number.parseInt(options.poll ?? "60", 10) || 60));
  const refresh = async () => {
    if (destroyed()) return;
    if (await paintFrame(element, options, destroyed, true)) return;
    const shadow = shadowOf(element);
    shadow.querySelector("[data-sitrep-frame]")?.remove();
    if (needsFull(options) && String(options.view).trim() === "banner") return;
    const notice = document.createElement("div");
    notice.dataset.sitrepFrame = "";
    notice.innerHTML = trusted(unavailable(options)) ?? "";
    shadow.append(notice);
  };
  refresh();
  return setInterval(refresh, seconds * 1000);
}

// A badge without wasm. A badge is not interactive, and the edge renders it with the same Yew
// component the wasm runs: a badge on a page whose widgets are all badges keeps the edge's frame
// and asks for it again on the widget's schedule, with the frame's ETag, and no module is ever
// downloaded (nor needs 'wasm-unsafe-eval'). When to ask and what counts as out of date are
// sitrep-shared's (`embed::Feed`: the interval, doubling after failures up to a cap, ±20% jitter,
// a pause while the tab is hidden, out of date after three intervals unconfirmed), whose numbers
// the build fills in here; what is drawn is the edge's, the badge out of date included (the frame's
// `<template data-sitrep-stale>`).
const POLICY = "__SITREP_POLICY__";

// Each frame URL's feed: one request at a time, every answer given to every badge showing that
// frame (each then schedules its next poll from it, so identical badges make one request per
// interval, as the wasm's hub does for summaries), and an answer a moment old given to a badge
// that asks now. The copy lives in this page's memory only: nothing of the frame is stored, since
// a page's `localStorage` is writable by anything on its origin and the loader paints only HTML
// that came from the edge. A page load's first request is plain (a `<link rel="preload">` of the
// same URL answers it; the browser's own HTTP cache may revalidate it), later ones conditional.
const frames = new Map();

function feedOf(url) {
  let feed = frames.get(url);
  if (!feed) frames.set(url, (feed = { listeners: new Set(), pending: false, at: 0, answer: null, copy: null }));
  return feed;
}

function askFrame(url, listener) {
  const feed = feedOf(url);
  if (feed.pending) return; // its answer reaches every listener
  if (feed.answer && Date.now() - feed.at < POLICY.freshMs) {
    listener(feed.answer);
    return;
  }
  feed.pending = true;
  (async () => {
    const copy = feed.copy;
    try {
      // With a copy: past the HTTP cache, so the 304 reaches us.
      const init = copy?.etag ? { cache: "no-store", headers: { "If-None-Match": copy.etag } } : {};
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(POLICY.timeoutMs) });
      const stale = response.headers.get("x-sitrep-stale")?.trim() === "1";
      if (response.status === 304 && copy) return { copy, stale };
      if (response.status !== 200) return { error: `the status service answered ${response.status}` };
      const type = response.headers.get("content-type") ?? "";
      if (!type.startsWith("text/html")) return { error: `expected HTML, got "${type}"` };
      return { copy: { html: await response.text(), etag: response.headers.get("etag") }, stale };
    } catch (error) {
      return { error: error?.name === "TimeoutError" ? `no answer within ${POLICY.timeoutMs / 1000} s` : "the status service could not be reached" };
    }
  })().then((answer) => {
    Object.assign(feed, { pending: false, at: Date.now(), answer });
    if (answer.copy) feed.copy = answer.copy;
    for (const each of [...feed.listeners]) each(answer);
  });
}

// The poll interval the wasm would use for this `poll` attribute (`Options::read`).
function pollSecs(value) {
  const text = String(value ?? "").trim();
  if (!/^\+?[0-9]+$/.test(text) || Number(text) > 0xffffffff) return POLICY.defaultPoll;
  return Math.min(POLICY.maxDelay, Math.max(POLICY.minPoll, Number(text)));
}

// Makes `into`'s children what `from`'s are, changing only what differs: the badge's live region
// stays the same node, so a screen reader hears the new status once.
function morph(into, from) {
  const have = [...into.childNodes];
  [...from.childNodes].forEach((node, i) => {
    const old = have[i];
    if (!old) {
      into.append(document.importNode(node, true));
    } else if (old.nodeType !== node.nodeType || old.nodeName !== node.nodeName) {
      old.replaceWith(document.importNode(node, true));
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      for (const { name } of [...old.attributes]) if (!node.hasAttribute(name)) old.removeAttribute(name);
      for (const { name, value } of node.attributes) if (old.getAttribute(name) !== value) old.setAttribute(name, value);
      morph(old, node);
    } else if (old.nodeValue !== node.nodeValue) {
      old.nodeValue = node.nodeValue;
    }
  });
  for (const extra of have.slice(from.childNodes.length)) extra.remove();
}

// The edge's frame HTML as nodes: the badge as confirmed or, `outOfDate`, its stale rendering.
function parseFrame(html, outOfDate) {
  const template = document.createElement("template");
  template.innerHTML = trusted(html);
  const content = template.content;
  const stale = content.querySelector("template[data-sitrep-stale]");
  const warnings = [...(content.querySelector("template[data-sitrep-warnings]")?.content.children ?? [])];
  const view = document.createElement("div");
  const shown = outOfDate && stale ? stale.content.firstElementChild : content.firstElementChild;
  if (shown) view.append(shown);
  return { view, warnings: warnings.map((p) => p.textContent) };
}

// Whether a badge can live on the edge's frame alone: its `src` is the origin this script came from
// (the only one whose HTML it paints), and the browser can do what it takes.
function frameOnly(options, base) {
  return !needsFull(options) && base === origin && String(options.preview ?? "").trim() !== "incident" &&
    typeof AbortSignal?.timeout === "function" && trusted("") !== null;
}

function baseOf(options) {
  const src = String(options.src ?? "").trim();
  return (/^https?:\/\//.test(src) ? src : origin).replace(/\/+$/, "");
}

// Runs a badge on the edge's frame. Returns its handle: { refresh(), destroy(), ready }.
function badgeWithoutWasm(element, options, base) {
  const poll = pollSecs(options.poll);
  const url = frameUrl(base, options);
  const feed = feedOf(url);
  const state = { copy: null, fetchedAt: null, edgeStale: false, failures: 0, paused: false, inFlight: false, error: null, answered: false, shown: null, warned: false };
  let timer = 0;
  let stopped = false;
  let firstAnswer;
  const first = new Promise((resolve) => { firstAnswer = resolve; });
  const outOfDate = () => state.edgeStale || state.fetchedAt === null || Date.now() - state.fetchedAt > poll * 1000 * POLICY.staleAfter;
  const delay = () => {
    const base = Math.max(poll, POLICY.minPoll) * 1000;
    const cap = Math.max(POLICY.maxDelay, poll) * 1000;
    const backoff = Math.min(cap, base * 2 ** Math.min(16, Math.max(0, state.failures - 1)));
    return Math.floor(backoff * (0.8 + 0.4 * Math.random()));
  };
  const draw = () => {
    if (stopped) return;
    const shadow = shadowOf(element);
    let frame = shadow.querySelector("[data-sitrep-frame]");
    let next;
    if (state.copy) {
      const parsed = parseFrame(state.copy.html, outOfDate());
      next = parsed.view;
      if (!state.warned) {
        state.warned = true;
        parsed.warnings.forEach((warning) => console.warn(warning));
      }
    } else if (state.error) {
      next = document.createElement("div");
      next.innerHTML = trusted(unavailable(options));
    } else {
      return; // nothing to show yet
    }
    if (!frame) {
      frame = document.createElement("div");
      frame.dataset.sitrepFrame = "";
      shadow.append(frame);
    }
    morph(frame, next);
    // `sitrep:change` when the shown indicator changes, from the first answer on (as the wasm).
    const indicator = frame.querySelector("[data-ind]")?.getAttribute("data-ind") ?? "unknown";
    if (indicator === state.shown) return;
    const previous = state.shown;
    state.shown = indicator;
    element.dispatchEvent(new CustomEvent("sitrep:change", { detail: { indicator, previous }, bubbles: true, composed: true }));
  };
  const schedule = () => {
    clearTimeout(timer);
    if (!stopped && !state.paused) timer = setTimeout(ask, delay());
  };
  // Every answer for this frame, whoever asked (`State::update` for a summary, in the wasm).
  const receive = (answer) => {
    if (stopped) return;
    state.inFlight = false;
    state.answered = true;
    if (answer.error) {
      state.failures += 1;
      if (answer.error !== state.error) console.warn(`sitrep: the status could not be read: ${answer.error}`);
      state.error = answer.error;
    } else {
      Object.assign(state, { copy: answer.copy, fetchedAt: Date.now(), edgeStale: answer.stale, failures: 0, error: null });
    }
    draw();
    schedule();
    firstAnswer();
  };
  function ask() {
    if (stopped) return;
    if (document.hidden) {
      state.paused = true;
      return;
    }
    if (state.inFlight) return;
    state.inFlight = true;
    askFrame(url, receive);
  }
  const onVisibility = () => {
    if (!document.hidden && (state.paused || outOfDate())) {
      state.paused = false;
      ask();
    }
  };
  feed.listeners.add(receive);
  document.addEventListener("visibilitychange", onVisibility);
  const tick = setInterval(draw, POLICY.tickMs);
  ask();
  return {
    ready: first,
    refresh() {
      feed.at = 0; // ask the edge, not the last answer
      state.inFlight = false;
      ask();
    },
    destroy() {
      stopped = true;
      clearTimeout(timer);
      clearInterval(tick);
      feed.listeners.delete(receive);
      document.removeEventListener("visibilitychange", onVisibility);
      firstAnswer();
    },
  };
}

// What can take focus or a click in the widget; lib.rs matches the frame's and the wasm's by position.
const FOCUSABLE = "a, button, summary";

// What a clicked element is, as lib.rs's `signature` reads it: its dismissal key (an event and its
// latest update), else its label, else its text.
function signature(element) {
  return element.dataset.key ?? element.getAttribute("aria-label") ?? element.textContent.trim();
}

// After a painted frame the wasm waits for an idle moment, or for the reader to reach for the widget.
function whenWanted(element) {
  return new Promise((resolve) => {
    const events = ["pointerover", "focusin", "touchstart"];
    const go = () => {
      for (const name of events) element.removeEventListener(name, go);
      resolve();
    };
    for (const name of events) element.addEventListener(name, go, { once: true, passive: true });
    if (typeof requestIdleCallback === "function") requestIdleCallback(go, { timeout: 3_000 });
    else setTimeout(go, 500);
  });
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
  let withoutWasmTimer;
  let badge = null;
  const api = {
    refresh() {
      handle?.refresh();
      badge?.refresh();
    },
    destroy() {
      destroyed = true;
      badge?.destroy();
      clearInterval(withoutWasmTimer);
      wantFull.delete(api);
      autoThemed.delete(element);
      element.shadowRoot?.querySelector("[data-sitrep-frame]")?.remove();
      if (handle) {
        handle.destroy();
        handle.free();
        handle = null;
      }
    },
  };
  if (needsFull(options)) wantFull.add(api);
  // The view it shows (an unknown one is a badge) lays the element out: a badge inline, the others
  // as blocks, whatever element mount() was given (widget.css reads the attribute).
  element.setAttribute("data-sitrep-view", needsFull(options) ? String(options.view).trim() : "badge");
  // Any theme but light and dark is auto (the widget warns about a bad one).
  const theme = String(options.theme ?? "auto").trim();
  followTheme(element, theme !== "light" && theme !== "dark");
  // Starts after the current script: a page that appends the element and then sets its attributes
  // remounts at once, and the first mount's requests would be wasted.
  api.ready = Promise.resolve().then(async () => {
    if (destroyed) return api;
    // By now every element of the page has mounted: a badge with no banner or full view beside it
    // lives on the edge's frame and loads no module.
    const base = baseOf(options);
    if (!wantFull.size && !loading.full && frameOnly(options, base)) {
      badge = badgeWithoutWasm(element, options, base);
      await badge.ready;
      return api;
    }
    const painted = await paintFrame(element, options, () => destroyed);
    // The wasm downloads once the frame is on screen, never in front of it; it takes over when
    // the browser is idle or the reader reaches for the widget. By then the page's other widgets
    // have mounted: a badge takes the full module when one of them needs it anyway.
    const loaded = load(needsFull(options) || wantFull.size > 0 || loading.full ? "full" : "badge");
    let module;
    try {
      if (painted) await whenWanted(element);
      module = await loaded;
    } catch (error) {
      if (destroyed) return api;
      // A badge needs no wasm; a banner or a full view keeps what can be kept.
      const base = baseOf(options);
      if (frameOnly(options, base)) badge = badgeWithoutWasm(element, options, base);
      else withoutWasmTimer = withoutWasm(element, options, () => destroyed);
      throw new Error(explain(error));
    }
    if (!destroyed) {
      shadowOf(element);
      handle = module.mount(element, options, origin);
    }
    return api;
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
