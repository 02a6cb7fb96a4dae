// sitrep's classic entry, for hosts that can only add a classic <script> (tag managers, some
// CMSs). widget.js is a module: a classic script cannot hold its `export` and `import.meta`, and
// the browser refuses it before any of it runs. This file holds neither and loads widget.js
// beside it with a dynamic import(), which classic scripts may use. Written by hand and served as
// it is (no build step): it is the whole of what it does.
(function () {
  var script = document.currentScript;
  var loader = new URL("widget.js", (script && script.src) || location.href).href;
  import(loader).catch(function (error) {
    console.error("sitrep: could not load " + loader + " (" + error + ")");
  });
})();
