// `cargo xtask bench console` (issue 25): the operator console's bytes, and its time from
// navigation to an interactive overview, cold (a fresh browser context: nothing cached) and warm
// (the same context loading it again), against the status page's first contentful paint in the
// same run (a server-rendered page from the same workerd: the floor of any page here). And the time
// from pressing "Open incident" to the incident in the public summary.json.
//
// Usage: node tests/bench/console.mjs [runs]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

import { chromiumArgs, fixture, launchChromium, startEdge } from '../e2e/support.mjs';

const runs = Number(process.argv[2] ?? 9);
const brotli = (bytes) => brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const median = (list) => {
  const s = [...list].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const edge = await startEdge({ page: fixture('live') });
const browser = await launchChromium();
const out = {};
try {
  const invited = await edge.admin('POST', 'operators', { email: 'bench@example.com', role: 'editor', name: 'Bench' });
  const signIn = await browser.newContext();
  const first = await signIn.newPage();
  await first.goto(invited.json.link);
  await first.getByRole('button', { name: 'Sign in' }).click();
  await first.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  const cookies = await signIn.cookies();
  await signIn.close();
  const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');

  // Bytes: the document, the loader (glue bundled), the stylesheet and the wasm, each as a CDN sends it.
  const get = async (path) => Buffer.from(await (await fetch(`${edge.base}${path}`, { headers: { cookie } })).arrayBuffer());
  const loader = await get('/console/console.js');
  const wasmName = loader.toString().match(/sitrep-console-[0-9a-f]+\.wasm/)?.[0];
  const files = { document: await get('/admin/'), loader, css: await get('/console/console.css'), wasm: await get(`/console/${wasmName}`) };
  out.bytes = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, { raw: v.length, brotli: brotli(v) }]));
  // The second module (templates, subscriptions, operators, pages, the log): loaded when one of
  // its screens is opened, never by the overview.
  const settingsLoader = await get('/console/settings.js');
  const settingsWasm = settingsLoader.toString().match(/sitrep-console-settings-[0-9a-f]+\.wasm/)?.[0];
  if (!wasmName || !settingsWasm) throw new Error(`a loader names no wasm: ${wasmName}, ${settingsWasm}`);
  const settings = { document: await get('/admin/settings/'), loader: settingsLoader, wasm: await get(`/console/${settingsWasm}`) };
  out.settings_bytes = Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, { raw: v.length, brotli: brotli(v) }]));

  // The moment the overview's heading is in the console's <main> (the application rendered it).
  const marker = () => {
    new MutationObserver((_, observer) => {
      const h = document.querySelector('main#main h1#screen');
      if (h && !document.querySelector('main[aria-busy]')) {
        window.__interactive = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  };
  const interactive = async (page) => {
    await page.waitForFunction(() => window.__interactive !== undefined, null, { timeout: 30_000 });
    return page.evaluate(() => window.__interactive);
  };
  const fcp = (page) => page.evaluate(() => new Promise((resolve) => {
    new PerformanceObserver((list) => {
      const e = list.getEntries().find((x) => x.name === 'first-contentful-paint');
      if (e) resolve(e.startTime);
    }).observe({ type: 'paint', buffered: true });
  }));
  const cold = [];
  const warm = [];
  const crossing = [];
  const page_fcp = [];
  for (let i = 0; i < runs; i += 1) {
    // The status page: the floor, cold.
    const floor = await browser.newContext();
    const p = await floor.newPage();
    await p.goto(`${edge.base}/`);
    page_fcp.push(await fcp(p));
    await floor.close();
    // The console, cold then warm.
    const context = await browser.newContext();
    await context.addCookies(cookies.map((c) => ({ ...c })));
    await context.addInitScript(marker);
    const page = await context.newPage();
    await page.goto(`${edge.base}/admin/`);
    cold.push(await interactive(page));
    await page.goto(`${edge.base}/`);
    await page.goto(`${edge.base}/admin/`);
    warm.push(await interactive(page));
    // The Templates tab: the second module's document and wasm, the first time in this context.
    const t0 = Date.now();
    await page.getByRole('link', { name: 'Templates', exact: true }).click();
    await page.getByRole('heading', { name: 'Templates', level: 1 }).waitFor();
    crossing.push(Date.now() - t0);
    await context.close();
  }
  out.cold_ms = median(cold);
  out.warm_ms = median(warm);
  out.crossing_ms = median(crossing);
  out.status_page_fcp_ms = median(page_fcp);
  out.runs = runs;

  // Pressing "Open incident" to the incident in the public summary.json.
  const context = await browser.newContext();
  await context.addCookies(cookies.map((c) => ({ ...c })));
  const page = await context.newPage();
  const publish = [];
  for (let i = 0; i < 5; i += 1) {
    await page.goto(`${edge.base}/admin/#/incidents/new`);
    await page.getByRole('heading', { name: 'New incident', level: 1 }).waitFor();
    const name = `Bench incident ${i}`;
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Message', { exact: true }).fill('Measuring.');
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Open incident' }).click();
    for (;;) {
      const s = await (await fetch(`${edge.base}/api/v2/summary.json`)).json();
      if (s.incidents.some((x) => x.name === name)) break;
      if (Date.now() - t0 > 30_000) throw new Error('the incident never reached summary.json');
      await new Promise((r) => setTimeout(r, 5));
    }
    publish.push(Date.now() - t0);
  }
  out.open_to_summary_ms = median(publish);
  await context.close();

  // Lighthouse's accessibility audit of the overview, signed in (as tests/bench/lighthouse.mjs runs it).
  const dir = mkdtempSync(join(tmpdir(), 'sitrep-lighthouse-console-'));
  out.lighthouse = {};
  for (const preset of ['mobile', 'desktop']) {
    const file = join(dir, `${preset}.json`);
    const [command, ...prefix] = process.env.LIGHTHOUSE ? [process.env.LIGHTHOUSE] : ['npx', '--yes', 'lighthouse@12.2.3'];
    execFileSync(command, [
      ...prefix, `${edge.base}/admin/`, '--output=json', `--output-path=${file}`, '--quiet',
      '--only-categories=accessibility,best-practices', `--extra-headers=${JSON.stringify({ Cookie: cookie })}`,
      `--chrome-flags=${chromiumArgs.join(' ')}`, ...(preset === 'desktop' ? ['--preset=desktop'] : []),
    ], { env: { ...process.env, CHROME_PATH: '/usr/bin/chromium' }, stdio: ['ignore', 'ignore', 'inherit'] });
    const report = JSON.parse(readFileSync(file, 'utf8'));
    out.lighthouse[preset] = Object.fromEntries(Object.entries(report.categories).map(([k, v]) => [k, Math.round(v.score * 100)]));
    out.lighthouse[`${preset}_failed`] = Object.values(report.audits)
      .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode === 'binary').map((a) => a.id);
  }
} finally {
  await browser.close();
  await edge.stop();
}
console.log(JSON.stringify(out));
