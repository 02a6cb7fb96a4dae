// sitrep's classic entry, for hosts that can only add a classic <script> (tag managers, some
// CMSs). widget.js is a module: a classic script cannot hold its `export` and `import.meta`, and
// the browser refuses it before any of it runs. This file holds neither and loads widget.js
// beside it with a dynamic import(), which classic scripts may use. Written by hand and served as
// it is (no build step): it is the whole of what it does.
//
// Where widget.js is comes from this script's own element, and only from a real <script>: the host
// page's markup can name an element `currentScript` (an <img name=currentScript src=...> shadows
// `document.currentScript`), and that must never choose what is imported. Without its element
// (run from a shadow root or through eval) it says so and loads nothing, rather than guess.
(function () {
  var script = document.currentScript;
  if (!(script instanceof HTMLScriptElement) || !/^https?:/.test(script.src)) {
    console.error("sitrep: widget.classic.js must be loaded by its own <script src> tag; nothing was loaded");
    return;
  }
  var loader = new URL("widget.js", script.src).href;
  import(loader).catch(function (error) {
    console.error("sitrep: could not load " + loader + " (" + error + ")");
  });
})();
