// `cargo xtask bench widget` (issue 12 part): the widget's facade against Atlassian's status widget,
// and the status page. Both widgets' code comes from the same server (the edge in workerd serves
// sitrep's loader and wasm, and a copy of Atlassian's dist/index.js put beside them), the host page
// is on another origin, the data is the same. Prints one JSON object.
//
// Usage: node tests/bench/facade.mjs [runs]
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

import { fixture, launchChromium, root, serve, startEdge } from '../e2e/support.mjs';

const runs = Number(process.argv[2] ?? 9);
const brotli = (bytes) => brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const median = (list) => {
  const s = [...list].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

// Atlassian's widget served by the same workerd as ours (Workers static assets of the test build).
copyFileSync(join(root, 'node_modules', '@statuspage', 'status-widget', 'dist', 'index.js'),
  join(root, 'target', 'sitrep', 'edge-test', 'build', 'public', 'atlassian.js'));
const edge = await startEdge({ page: fixture('live') });
const TEXT = 'Partial System Outage'; // the live fixture's status, in both widgets' words

// `sitrep-preload`: README's snippet for a page of badges, which also preloads the badge's frame
// (its URL needs nothing the loader computes), added at the same moment as the script.
const host = (which, view) => {
  const ours = which.startsWith('sitrep');
  const widget = ours
    ? `<sitrep-status src="${edge.base}"${view === 'badge' ? '' : ` view="${view}"`}></sitrep-status>`
    : `<statuspage-widget src="${edge.base}" appearance="${view === 'badge' ? 'badge' : 'basic'}"></statuspage-widget>`;
  const preload = which === 'sitrep-preload'
    ? `const l = document.createElement('link'); l.rel = 'preload'; l.as = 'fetch'; l.crossOrigin = 'anonymous'; l.href = '${edge.base}/embed/frame'; document.head.appendChild(l);`
    : '';
  const script = ours
    ? `${preload} const s = document.createElement('script'); s.type = 'module'; s.src = '${edge.base}/widget.js';`
    : `var parcelRequire; const s = document.createElement('script'); s.src = '${edge.base}/atlassian.js';`;
  // t0: the script element is added. The paint: the first animation frame in which the status text
  // is in the element's shadow root.
  return `<!doctype html><html><body>${widget}<p>Host content below the widget.</p><script>
    window.__shifts = 0;
    new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts += e.value; })
      .observe({ type: 'layout-shift', buffered: true });
    window.__paint = new Promise((resolve) => {
      const el = document.body.firstElementChild;
      const t0 = performance.now();
      const check = () => (el.shadowRoot?.textContent ?? '').includes(${JSON.stringify(TEXT)})
        ? resolve({ ms: performance.now() - t0, at: performance.now() }) : requestAnimationFrame(check);
      requestAnimationFrame(check);
    });
    ${script} document.head.appendChild(s);
  </script></body></html>`;
};
const server = await serve((req, res) => {
  const url = new URL(req.url, 'http://x');
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(host(url.pathname.slice(1), url.searchParams.get('view') ?? 'badge'));
});
const browser = await launchChromium();

// Brotli size of each distinct URL a page fetched, fetched again from Node (what a CDN would send).
const bodies = new Map();
async function brotliOf(urls) {
  let total = 0;
  for (const url of new Set(urls)) {
    if (!bodies.has(url)) bodies.set(url, brotli(Buffer.from(await (await fetch(url)).arrayBuffer())));
    total += bodies.get(url);
  }
  return total;
}

async function load(which, view) {
  console.error(`load ${which} ${view}`);
  const context = await browser.newContext();
  const tab = await context.newPage();
  await tab.goto(`${server.origin}/${which}?view=${view}`);
  const paint = await tab.evaluate(() => Promise.race([window.__paint, new Promise((r) => setTimeout(() => r(null), 20_000))]));
  if (paint === null) throw new Error(`${which} ${view}: no status within 20 s`);
  // Settled: our wasm has taken over (or 6 s passed); Atlassian's has nothing more to load.
  await tab.waitForFunction(() => {
    const root = document.body.firstElementChild.shadowRoot?.querySelector('[data-sitrep-root]');
    return root ? !root.hidden : true;
  }, null, { timeout: 6_000 }).catch(() => {});
  await tab.waitForTimeout(1_000);
  const result = await tab.evaluate((at) => {
    const entries = performance.getEntriesByType('resource').filter((e) => !e.name.includes('/favicon'));
    return {
      before: entries.filter((e) => e.responseEnd <= at).map((e) => e.name),
      all: entries.map((e) => e.name),
      shifts: window.__shifts,
    };
  }, paint.at);
  await context.close();
  return { ms: paint.ms, ...result };
}

const figures = { paint_ms: {}, before_paint_brotli: {}, badge_page_brotli: {}, full_page_brotli: {}, cls: {} };
try {
  const kinds = ['sitrep', 'sitrep-preload', 'atlassian'];
  for (const which of kinds) await load(which, 'badge'); // warm the edge
  const samples = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    // Alternating order, so neither goes first every time.
    for (const which of i % 2 ? kinds : [...kinds].reverse()) samples[which].push(await load(which, 'badge'));
  }
  figures.frame_requests_with_preload = samples['sitrep-preload'].at(-1).all.filter((u) => u.includes('/embed/frame')).length;
  for (const which of kinds) {
    figures.paint_ms[which] = median(samples[which].map((s) => s.ms));
    const last = samples[which].at(-1);
    figures.before_paint_brotli[which] = await brotliOf(last.before);
    figures.badge_page_brotli[which] = await brotliOf(last.all);
    figures.cls[which] = Math.max(...samples[which].map((s) => s.shifts));
    if (which === 'sitrep-preload') continue; // the preload is for badges
    const full = await load(which, 'full');
    figures.full_page_brotli[which] = await brotliOf(full.all);
    figures.full_page_urls ??= {};
    figures.full_page_urls[which] = full.all.map((u) => new URL(u).pathname);
    figures.cls[`${which}_full`] = full.shifts;
  }
  figures.before_paint_urls = samples.sitrep.at(-1).before.map((u) => new URL(u).pathname);

  // The demo app (badge in the header, banner above the content, full view in a side panel), as a
  // phone and as a desktop: layout shifts from navigation until the widgets have settled.
  console.error('demo CLS');
  for (const [name, viewport] of [['demo_mobile', { width: 412, height: 823 }], ['demo_desktop', { width: 1350, height: 940 }]]) {
    const shifts = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({ viewport });
      const tab = await context.newPage();
      await tab.addInitScript(() => {
        window.__shifts = 0;
        new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts += e.value; })
          .observe({ type: 'layout-shift', buffered: true });
      });
      await tab.goto(`${edge.base}/demo/`);
      await tab.waitForFunction(() => [...document.querySelectorAll('sitrep-status')].every((el) => {
        const root = el.shadowRoot?.querySelector('[data-sitrep-root]');
        return root && !root.hidden;
      }), null, { timeout: 10_000 }).catch(() => {});
      await tab.waitForTimeout(1_000);
      shifts.push(await tab.evaluate(() => window.__shifts));
      await context.close();
    }
    figures.cls[name] = median(shifts);
  }

  console.error('status page');
  // The status page: bytes, time to first byte and first contentful paint, with and without JavaScript.
  const html = Buffer.from(await (await fetch(`${edge.base}/`)).arrayBuffer());
  figures.status_page = { html_raw: html.length, html_brotli: brotli(html) };
  for (const js of [false, true]) {
    const ttfb = [];
    const fcp = [];
    for (let i = 0; i < runs; i++) {
      // "Without JavaScript": the page's one script is refused (Playwright cannot read paint timings
      // from a context with JavaScript off).
      const context = await browser.newContext();
      if (!js) await context.route('**/page.js', (route) => route.abort());
      const tab = await context.newPage();
      await tab.goto(`${edge.base}/`);
      const t = await tab.evaluate(() => new Promise((resolve) => {
        setTimeout(() => resolve(null), 10_000);
        const nav = performance.getEntriesByType('navigation')[0];
        new PerformanceObserver((list) => {
          const paint = list.getEntries().find((e) => e.name === 'first-contentful-paint');
          if (paint) resolve({ ttfb: nav.responseStart - nav.startTime, fcp: paint.startTime });
        }).observe({ type: 'paint', buffered: true });
      })).catch(() => null);
      if (t) { ttfb.push(t.ttfb); fcp.push(t.fcp); }
      await context.close();
    }
    figures.status_page[js ? 'with_js' : 'without_js'] = { ttfb_ms: median(ttfb), fcp_ms: median(fcp) };
  }

  // Server render time: a page not yet rendered in this language (a new region each time) against
  // the same page from memory; both through the same read path with the documents in memory.
  console.error('render times');
  const timed = async (url) => { const t = performance.now(); await (await fetch(url)).text(); return performance.now() - t; };
  const regions = ['AT', 'BE', 'CH', 'DE', 'LU', 'LI', 'IT', 'US', 'GB', 'NL', 'FR', 'ES', 'CA', 'AU', 'IE'];
  for (const [name, path] of [['status', '/'], ['incident', '/incidents/stream-2020-12-09'], ['frame_full', '/embed/frame?view=full']]) {
    const sep = path.includes('?') ? '&' : '?';
    await timed(`${edge.base}${path}`);
    const fresh = [];
    const memo = [];
    for (const region of regions) {
      fresh.push(await timed(`${edge.base}${path}${sep}locale=de-${region}`));
      memo.push(await timed(`${edge.base}${path}${sep}locale=de-${region}`));
    }
    figures[`render_ms_${name}`] = { fresh: median(fresh), memory: median(memo), bytes: (await (await fetch(`${edge.base}${path}`)).arrayBuffer()).byteLength };
  }
} finally {
  await browser.close();
  server.close();
  await edge.stop();
}
console.log(JSON.stringify(figures));
