// `cargo xtask bench widget`: what a page downloads for our widget and for Atlassian's
// @statuspage/status-widget, and the time from script start to the first painted badge for both,
// on the same page, the same data and the same edge, in the same run. Prints one JSON object.
//
// A badge-only page downloads the loader and the badge module (its glue and its wasm).
//
// Usage: node tests/bench/widget.mjs <dir with widget.js and widget/sitrep-*.{js,wasm}> [runs] [dir of the stable build] [dir of the floor build]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

import { fixture, launchChromium, root, serve, startEdge } from '../e2e/support.mjs';

const [dir, runsArg, stableDir, floorDir] = process.argv.slice(2);
const runs = Number(runsArg ?? 15);

const sizes = (bytes) => ({
  raw: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
  brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});
const sum = (list) => list.reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli }));

const badgeFiles = (d) => readdirSync(join(d, 'widget')).filter((f) => f.startsWith('sitrep-badge-')).map((f) => `widget/${f}`);
const ours = Object.fromEntries(['widget.js', ...badgeFiles(dir)].map((f) => [f, sizes(readFileSync(join(dir, f)))]));
const stable = stableDir
  ? sum(['widget.js', ...badgeFiles(stableDir)].map((f) => sizes(readFileSync(join(stableDir, f)))))
  : null;
const floor = floorDir ? sum([sizes(readFileSync(join(floorDir, 'floor.js'))), sizes(readFileSync(join(floorDir, 'floor.wasm')))]) : null;
const atlassianJs = readFileSync(join(root, 'node_modules', '@statuspage', 'status-widget', 'dist', 'index.js'));
const theirs = { 'dist/index.js': sizes(atlassianJs) };

// Both widgets' files are served by the same local server as the page (as a CDN would serve each),
// and both read the same data from the edge in workerd: the paint times compare the widgets, not
// wrangler's dev server against Node's.
const staticFiles = {
  '/atlassian.js': { type: 'text/javascript', body: atlassianJs },
  '/sitrep/widget.js': { type: 'text/javascript', body: readFileSync(join(dir, 'widget.js')) },
  ...Object.fromEntries(readdirSync(join(dir, 'widget')).map((f) => [`/sitrep/widget/${f}`, {
    type: f.endsWith('.wasm') ? 'application/wasm' : 'text/javascript',
    body: readFileSync(join(dir, 'widget', f)),
  }])),
};

const edge = await startEdge({ page: fixture('live') });
const page = (which) => {
  const widget = which === 'sitrep'
    ? `<sitrep-status src="${edge.base}" view="badge"></sitrep-status>`
    : `<statuspage-widget src="${edge.base}" appearance="badge"></statuspage-widget>`;
  const script = which === 'sitrep'
    ? `const s = document.createElement('script'); s.type = 'module'; s.src = '/sitrep/widget.js';`
    : `var parcelRequire; const s = document.createElement('script'); s.src = '/atlassian.js';`;
  const text = 'Partial System Outage'; // the live fixture's status, in both widgets' words
  // t0: the script element is added. t1: the first animation frame in which the badge's text is in its shadow root.
  return `<!doctype html><html><body>${widget}<script>
    window.__paint = new Promise((resolve) => {
      const el = document.body.firstElementChild;
      const t0 = performance.now();
      const check = () => (el.shadowRoot?.textContent ?? '').includes(${JSON.stringify(text)})
        ? resolve(performance.now() - t0) : requestAnimationFrame(check);
      requestAnimationFrame(check);
    });
    ${script} document.head.appendChild(s);
  </script></body></html>`;
};
const server = await serve((req, res) => {
  const file = staticFiles[req.url];
  if (file) {
    res.writeHead(200, { 'content-type': file.type, 'access-control-allow-origin': '*' });
    res.end(file.body);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(page(req.url === '/sitrep' ? 'sitrep' : 'atlassian'));
});
const browser = await launchChromium();

const paints = { sitrep: [], atlassian: [] };
try {
  for (let i = 0; i < runs + 1; i++) {
    // Alternate, each in a fresh context (cold HTTP and code caches); the first round warms the edge and is dropped.
    for (const which of i % 2 ? ['sitrep', 'atlassian'] : ['atlassian', 'sitrep']) {
      const context = await browser.newContext();
      const tab = await context.newPage();
      await tab.goto(`${server.origin}/${which}`);
      const ms = await tab.evaluate(() => Promise.race([window.__paint, new Promise((r) => setTimeout(() => r(null), 20_000))]));
      if (ms === null) throw new Error(`${which}: no badge within 20 s`);
      if (i > 0) paints[which].push(ms);
      await context.close();
    }
  }
} finally {
  await browser.close();
  server.close();
  await edge.stop();
}

const median = (list) => {
  const s = [...list].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
console.log(JSON.stringify({
  ours: { files: ours, total: sum(Object.values(ours)), stable, floor },
  theirs: { files: theirs, total: sum(Object.values(theirs)) },
  paint_ms: { sitrep: median(paints.sitrep), atlassian: median(paints.atlassian), runs },
}));
