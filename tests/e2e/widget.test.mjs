// The widget in headless Chromium against the edge in workerd: a customer page on another origin,
// under a strict Content-Security-Policy, embeds <sitrep-status> with one script tag.
//
// Chromium itself logs every failed network request as a console error ("Failed to load
// resource: ..."); the tests that make requests fail on purpose ignore exactly those lines and
// fail on any other console error or page error.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { eventually, fixture, launchChromium, root, serve, startEdge } from './support.mjs';

const shots = join(root, 'target', 'sitrep', 'screenshots');
const AXE = join(root, 'node_modules', 'axe-core', 'axe.min.js');
mkdirSync(shots, { recursive: true });

let edge;
let server;
let browser;
let host = () => '';
// The host page's own stylesheet, served from its origin as `/host.css` (its CSP allows no inline style).
let hostCss = '';
// The host's policy without 'wasm-unsafe-eval' (a CSP that forbids WebAssembly).
let noWasm = false;
// The host's script tag for the widget: README's module tag unless a test sets another.
let loaderTag = null;

before(async () => {
  edge = await startEdge({ page: fixture('live') });
  server = await serve((req, res) => {
    const url = new URL(req.url, server.origin);
    if (url.pathname === '/host.css') {
      res.writeHead(200, { 'content-type': 'text/css' });
      res.end(hostCss);
      return;
    }
    // The exact policy the README documents for hosts, with the edge as the status origin.
    const csp = [
      "default-src 'self'",
      `script-src 'self' ${edge.base}${noWasm ? '' : " 'wasm-unsafe-eval'"}`,
      `connect-src ${edge.base}`,
      "style-src 'self'",
      "img-src 'self' data:",
    ].join('; ');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp });
    res.end(`<!doctype html><html lang="en"><head><title>customer app</title><link rel="icon" href="data:,">
      ${loaderTag ?? `<script type="module" src="${edge.base}/widget.js"></script>`}</head>
      <body>${host(url)}</body></html>`);
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
  await edge?.stop();
});


/** A page on the customer origin whose body is `body`; records errors, CSP violations and sitrep:change events. */
async function open(body, { colorScheme = 'light', clock = false, context } = {}) {
  host = () => body;
  const ctx = context ?? (await browser.newContext({ colorScheme, viewport: { width: 1000, height: 900 } }));
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  await page.addInitScript(() => {
    window.__violations = [];
    window.__changes = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    document.addEventListener('sitrep:change', (e) => window.__changes.push(e.detail));
  });
  if (clock) await page.clock.install();
  await page.goto(`${server.origin}/`);
  return { page, errors, context: ctx, close: () => (context ? page.close() : ctx.close()) };
}

const shadowText = (page, id) => page.locator(`#${id}`).evaluate((el) => el.shadowRoot?.textContent ?? '');

/** Waits until the wasm has taken over each element: the edge's frame gone, the app's root shown. */
async function takenOver(page, ...ids) {
  for (const id of ids) {
    await eventually(() => page.locator(`#${id}`).evaluate((el) =>
      !el.shadowRoot.querySelector('[data-sitrep-frame]') && el.shadowRoot.querySelector('[data-sitrep-root]')?.hidden === false),
    { what: `the wasm to take over #${id}` });
  }
}

/** Scrolls a full view's postmortems into reach (they are read when the reader gets there) and waits for them. */
async function reachPostmortems(page, id, atLeast = 1) {
  await eventually(async () => {
    await page.locator(`#${id}`).evaluate((el) => el.shadowRoot.querySelector('[data-sitrep-root] [data-sitrep-postmortems]')?.scrollIntoView());
    return (await page.locator(`#${id}`).evaluate((el) => el.shadowRoot.querySelectorAll('[data-sitrep-root] details.postmortem').length)) >= atLeast;
  }, { what: `#${id}'s postmortems` });
}

async function waitText(page, id, text, timeout = 20_000) {
  await eventually(async () => (await shadowText(page, id)).includes(text), { timeout, what: `#${id} to show ${JSON.stringify(text)}` });
}

test('the seeds render in every view, in both themes, under the documented CSP', async () => {
  const summary = await (await fetch(`${edge.base}/api/v2/summary.json`)).json();
  const open_ = summary.incidents[0];
  for (const theme of ['light', 'dark']) {
    const { page, errors, close } = await open(`
      <header><sitrep-status id="badge" src="${edge.base}" theme="${theme}"></sitrep-status></header>
      <sitrep-status id="banner" src="${edge.base}" view="banner" theme="${theme}"></sitrep-status>
      <sitrep-status id="full" src="${edge.base}" view="full" theme="${theme}" postmortems="5"></sitrep-status>`, { colorScheme: theme });
    await waitText(page, 'badge', 'Partial System Outage');
    await waitText(page, 'banner', open_.name);
    await waitText(page, 'banner', open_.incident_updates[0].body.slice(0, 40));
    await waitText(page, 'full', 'Chat API - US-east');
    await eventually(async () => (await page.locator('#full').evaluate((el) => el.shadowRoot.querySelectorAll('.bars').length)) > 0,
      { what: 'uptime bars' });
    // Counted on the live widget alone: while the frame and the hidden app coexist, both are in the shadow root.
    await takenOver(page, 'badge', 'banner', 'full');
    await reachPostmortems(page, 'full', 3);
    const full = await page.locator('#full').evaluate((el) => ({
      components: el.shadowRoot.querySelectorAll('.component:not(.group)').length,
      groups: [...el.shadowRoot.querySelectorAll('.component.group > details')].map((d) => d.open),
      bars: el.shadowRoot.querySelector('.bars').children.length,
      live: el.shadowRoot.querySelectorAll('[role=status][aria-live=polite]').length,
    }));
    const visible = summary.components.filter((c) => !c.group && !c.only_show_if_degraded).length;
    assert.equal(full.components, visible, 'every component is listed');
    assert.deepEqual(full.groups, summary.components.filter((c) => c.group).map(() => false), 'each group is one row, collapsed');
    assert.equal(full.bars, 90, '90 days of uptime');
    assert.equal(full.live, 1, 'one live region');
    // Expand a postmortem: its sections and action items come from shared's Markdown tree.
    await page.locator('#full details.postmortem summary').first().click();
    const opened = await page.locator('#full details.postmortem[open]').evaluate((d) => ({
      sections: d.querySelectorAll('.pm-section').length,
      html: d.innerHTML,
    }));
    assert.ok(opened.sections > 0, 'sections render');
    assert.ok(!/<script|onerror=|javascript:/i.test(opened.html));
    for (const id of ['badge', 'banner', 'full']) {
      await page.locator(`#${id}`).screenshot({ path: join(shots, `widget-${id}-${theme}.png`) });
    }
    assert.deepEqual(await page.evaluate(() => window.__violations), [], 'no CSP violation');
    assert.deepEqual(errors, []);
    await close();
  }
});

/** A new page (in its own context) whose requests are recorded and whose wasm is held until `release()`. */
async function heldPage(colorScheme) {
  const context = await browser.newContext({ colorScheme });
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route('**/*.wasm', async (route) => { await held; await route.continue(); });
  await page.goto(`${server.origin}/`);
  return { context, page, requests, release };
}

test('the edge serves the widget: loader revalidated, both modules content-hashed and immutable, all with CORS', async () => {
  const js = await fetch(`${edge.base}/widget.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type'), /javascript/);
  assert.equal(js.headers.get('access-control-allow-origin'), '*');
  assert.match(js.headers.get('cache-control'), /max-age=300/);
  assert.ok(js.headers.get('etag'), 'revalidated by ETag');
  const loader = await js.text();
  assert.ok(!loader.includes('__wbindgen'), 'the glue is not in the loader: nothing of the wasm is on the path to the first frame');
  const sizes = {};
  for (const module of ['badge', 'full']) {
    for (const [ext, type] of [['js', /javascript/], ['wasm', /^application\/wasm$/]]) {
      const name = loader.match(new RegExp(`widget/sitrep-${module}-[0-9a-f]{16}\\.${ext}`))?.[0];
      assert.ok(name, `the loader names the ${module} module's ${ext} by its content`);
      const file = await fetch(`${edge.base}/${name}`);
      assert.equal(file.status, 200, name);
      assert.match(file.headers.get('content-type'), type);
      assert.equal(file.headers.get('access-control-allow-origin'), '*');
      assert.match(file.headers.get('cache-control'), /max-age=31536000.*immutable/);
      const bytes = new Uint8Array(await file.arrayBuffer());
      if (ext === 'wasm') {
        assert.ok(WebAssembly.validate(bytes));
        sizes[module] = bytes.length;
      }
    }
  }
  assert.ok(sizes.badge < sizes.full, `the badge module is the smaller: ${JSON.stringify(sizes)}`);
  // Issue 27: TypeScript declarations beside the loader, as written (tests/types type-checks them).
  for (const name of ['widget.d.ts', 'widget-react.d.ts', 'widget-preact.d.ts', 'widget-vue.d.ts']) {
    const file = await fetch(`${edge.base}/${name}`);
    assert.equal(file.status, 200, name);
    assert.match(file.headers.get('content-type'), /^text\/plain/, name);
    assert.equal(file.headers.get('access-control-allow-origin'), '*', name);
    assert.equal(await file.text(), readFileSync(join(root, 'widget', 'js', name), 'utf8'), name);
  }
});

// Issue 27: a badge is not interactive, and the edge renders it with the same components: a page
// whose widgets are all badges keeps the edge's frame and never downloads a module.
test('a page of badges loads no module: the edge\'s frame is the badge; a page with a banner loads only the full one', async () => {
  const modules = (requests) => requests.filter((p) => p.startsWith('/widget/sitrep-'));
  for (const theme of ['light', 'dark']) {
    host = () => ['a', 'b'].map((id) => `<sitrep-status id="${id}" src="${edge.base}" theme="${theme}"></sitrep-status>`).join('\n');
    const { page, errors, context } = await open(host(), { colorScheme: theme });
    const requests = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await waitText(page, 'a', 'Partial System Outage');
    await waitText(page, 'b', 'Partial System Outage');
    await page.waitForTimeout(3_500); // past the idle moment after which a wasm would have loaded
    const shown = await page.locator('#a').evaluate((el) => ({
      root: el.shadowRoot.querySelectorAll('[data-sitrep-root]').length,
      frame: el.shadowRoot.querySelectorAll('[data-sitrep-frame] .badge[data-ind="major"]').length,
      href: el.shadowRoot.querySelector('.badge').getAttribute('href'),
    }));
    assert.deepEqual(shown, { root: 0, frame: 1, href: `${edge.base}/` });
    const all = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname));
    assert.deepEqual(modules(all), [], `no module: ${all.join(' ')}`);
    assert.equal(all.filter((p) => p === '/embed/frame').length, 1, `one frame request for two same badges: ${all.join(' ')}`);
    assert.deepEqual(await page.evaluate(() => window.__changes.map((c) => c.indicator)), ['major', 'major'], 'each badge announces its status');
    assert.deepEqual(errors, []);
    await context.close();
  }
  // A badge beside a banner: one download, the full module, for both.
  host = () => `<sitrep-status id="badge" src="${edge.base}"></sitrep-status>
    <sitrep-status id="banner" src="${edge.base}" view="banner"></sitrep-status>`;
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(`${server.origin}/`);
  await takenOver(page, 'badge', 'banner');
  assert.deepEqual(modules(requests).filter((p) => p.includes('-badge-')), [], requests.join(' '));
  assert.equal(modules(requests).filter((p) => p.includes('-full-')).length, 2, requests.join(' '));
  await context.close();
});

test('a badge without wasm follows the edge: a conditional request per interval, the change within one poll, refresh() at once', async () => {
  const context = await browser.newContext();
  const frames = [];
  context.on('response', (r) => {
    if (new URL(r.url()).pathname === '/embed/frame' && r.request().method() === 'GET') {
      frames.push({ status: r.status(), etag: r.request().headers()['if-none-match'] ?? null });
    }
  });
  const { page, errors, close } = await open(`<sitrep-status id="badge" src="${edge.base}" poll="15"></sitrep-status>`, { context });
  await waitText(page, 'badge', 'Partial System Outage');
  // Unchanged data: the next polls ask with the frame's ETag and get 304s.
  await eventually(() => frames.filter((f) => f.status === 304).length >= 1, { timeout: 25_000, what: 'a 304 for the next poll' });
  assert.equal(frames[0].status, 200);
  assert.ok(frames.slice(1).every((f) => f.etag), `every later request is conditional: ${JSON.stringify(frames)}`);
  const { id } = await edge.write('POST', 'incidents', { name: 'Frame poll check', impact: 'critical', body: 'Down.' });
  try {
    await waitText(page, 'badge', 'Major System Outage', 26_000);
    const changes = await page.evaluate(() => window.__changes);
    assert.deepEqual(changes.at(-1), { indicator: 'critical', previous: 'major' }, JSON.stringify(changes));
    // refresh() asks the edge now, not at the next interval.
    await edge.write('POST', `incidents/${id}/updates`, { status: 'resolved', body: 'Fixed.' });
    await page.waitForTimeout(5_500); // the edge's read cache
    const before = frames.length;
    await page.evaluate(() => document.getElementById('badge').refresh());
    await eventually(() => frames.length > before, { timeout: 3_000, what: 'refresh() makes a request at once' });
    await waitText(page, 'badge', 'Partial System Outage', 3_000);
    assert.deepEqual((await page.evaluate(() => window.__changes)).at(-1), { indicator: 'major', previous: 'critical' });
    // The live region is the same node throughout: a screen reader hears each change once.
    assert.equal(await page.locator('#badge').evaluate((el) => el.shadowRoot.querySelectorAll('[role=status]').length), 1);
  } finally {
    await edge.write('POST', `incidents/${id}/updates`, { status: 'resolved', body: 'Fixed.' }).catch(() => {});
  }
  assert.deepEqual(errors, []);
  await close();
  await context.close();
});

test('a badge without wasm warns once about each attribute it cannot use, and works without wasm-unsafe-eval', async () => {
  noWasm = true;
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const warnings = [];
    page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
    host = () => `<sitrep-status id="bad" src="${edge.base}" poll="oops" theme="purple" locale="xx" components="nope"></sitrep-status>`;
    await page.goto(`${server.origin}/`);
    await waitText(page, 'bad', 'Partial System Outage');
    const expected = [
      'sitrep: components= names no component of this page (nope); showing the whole page.',
      'sitrep: poll="oops" is not a number of seconds; polling every 60 s.',
      'sitrep: theme="purple" is not light, dark or auto; following the background it sits on.',
      'sitrep: locale="xx" is not a language the widget speaks (en, nl, de, fr, es, ja); using the reader\'s languages.',
    ];
    await eventually(() => expected.every((w) => warnings.includes(w)), { what: `the warnings, got ${JSON.stringify(warnings)}` });
    await page.evaluate(() => document.querySelector('#bad').refresh());
    await page.waitForTimeout(1_000);
    for (const w of expected) assert.equal(warnings.filter((x) => x === w).length, 1, `once: ${w}`);
    assert.ok(!warnings.some((w) => /wasm|Content-Security-Policy/.test(w)), `no wasm, so nothing to refuse: ${warnings.join('\n')}`);
    await context.close();
  } finally {
    noWasm = false;
  }
});

test('a host that can only add a classic script gets the same element from widget.classic.js, under the same CSP', async () => {
  // A classic tag on widget.js itself is the browser's SyntaxError before any of it runs (it is a module).
  loaderTag = `<script src="${edge.base}/widget.classic.js"></script>`;
  try {
    const { page, errors, close } = await open(`<sitrep-status id="badge" src="${edge.base}"></sitrep-status>
      <sitrep-status id="banner" src="${edge.base}" view="banner"></sitrep-status>`);
    await takenOver(page, 'banner');
    await waitText(page, 'badge', 'Partial System Outage');
    assert.equal(await page.evaluate(() => typeof customElements.get('sitrep-status')), 'function');
    assert.deepEqual(errors, []);
    assert.deepEqual(await page.evaluate(() => window.__violations), []);
    await close();
    // The host's markup cannot choose what it imports: an element named `currentScript` shadows
    // `document.currentScript` (DOM clobbering); the entry then loads nothing and says why.
    loaderTag = '';
    const clobbered = await open(`<img name="currentScript" src="${server.origin}/evil/pixel.png" alt="">
      <sitrep-status id="badge" src="${edge.base}"></sitrep-status>
      <script src="${edge.base}/widget.classic.js"></script>`);
    const requests = [];
    clobbered.page.on('request', (r) => requests.push(r.url()));
    await eventually(() => clobbered.errors.some((e) => e.includes('must be loaded by its own <script src> tag')), { what: 'the entry refuses a clobbered currentScript' });
    await clobbered.page.waitForTimeout(500);
    const all = await clobbered.page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
    assert.ok(![...all, ...requests].some((u) => u.includes('/evil/widget.js')), all.join(' '));
    await clobbered.close();
  } finally {
    loaderTag = null;
  }
});

test('the demo page at /demo/ shows all three views under its own CSP', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${edge.base}/demo/`);
  await waitText(page, 'badge', 'Partial System Outage');
  await waitText(page, 'banner', 'Chat message events');
  await waitText(page, 'full', 'Components');
  assert.deepEqual(await page.evaluate(() => window.__violations), [], 'the page CSP (and its style hash) holds');
  assert.deepEqual(errors, []);
  await page.screenshot({ path: join(shots, 'demo-page.png'), fullPage: true });
  await context.close();
});

// Explicit themes paint their own card; theme="auto" (the default) is transparent and follows the
// host page's color-scheme, so in a host's card it is no card inside a card, in light or dark, and
// on a host that has no dark mode it stays light whatever the reader's system says.
const card = (w) => `<link rel="stylesheet" href="/host.css"><div class="card">${w}</div>`;
const styled = (w) => `<link rel="stylesheet" href="/host.css">${w}`;
const hosts = [
  { name: 'light theme', theme: 'light', colorScheme: 'light', wrap: (w) => w },
  { name: 'dark theme', theme: 'dark', colorScheme: 'dark', wrap: (w) => w },
  { name: 'auto in a dark host card', colorScheme: 'dark', shot: 'widget-dark-host-card', wrap: card,
    css: ':root{color-scheme:light dark}body{background:#0b0b0f}.card{background:#1e1e24;padding:16px;border-radius:12px;max-width:640px}',
    card: 'rgb(30, 30, 36)', text: 'rgb(230, 237, 243)' },
  { name: 'auto in a light host card', colorScheme: 'light', shot: 'widget-light-host-card', wrap: card,
    css: ':root{color-scheme:light dark}.card{background:#f3f0ff;padding:16px;border-radius:12px;max-width:640px}',
    card: 'rgb(243, 240, 255)', text: 'rgb(31, 35, 40)' },
  { name: 'auto on a host without dark mode, reader in dark mode', colorScheme: 'dark', wrap: (w) => w, text: 'rgb(31, 35, 40)' },
  // Issue 26, item 1: a dark app that declares no color-scheme had the badge at 1.1:1.
  { name: 'auto on a dark app that declares no color-scheme', colorScheme: 'light', wrap: styled, shot: 'widget-dark-host-no-color-scheme',
    css: 'body{background:#0f1115;color:#ccc}', text: 'rgb(230, 237, 243)' },
  { name: 'auto on a mid grey, where neither palette holds 4.5:1 alone', colorScheme: 'light', wrap: styled, css: 'body{background:#808080}', painted: true },
];

test('text contrast is at least 4.5:1 in both themes and on light and dark hosts; auto is transparent', async () => {
  for (const { name, theme, colorScheme, wrap, shot, css = '', card: cardColor, text: textColor, painted } of hosts) {
    hostCss = css;
    const attr = theme ? ` theme="${theme}"` : '';
    const context = await browser.newContext({ colorScheme, viewport: { width: 1000, height: 900 }, bypassCSP: true });
    const { page, close } = await open(wrap(`<sitrep-status id="badge" src="${edge.base}"${attr}></sitrep-status>
      <sitrep-status id="full" src="${edge.base}" view="full"${attr}></sitrep-status>
      <sitrep-status id="banner" src="${edge.base}" view="banner"${attr}></sitrep-status>`), { context });
    await waitText(page, 'full', 'Chat API - US-east');
    await waitText(page, 'banner', 'Identified');
    await waitText(page, 'badge', 'Partial System Outage');
    await takenOver(page, 'badge', 'full', 'banner');
    // axe's own contrast check, through the shadow roots.
    await page.addScriptTag({ path: AXE });
    const axe = await page.evaluate(() => window.axe.run(document, { runOnly: ['color-contrast'], resultTypes: ['violations'] }));
    assert.deepEqual(axe.violations.flatMap((v) => v.nodes.map((n) => `${n.target.join(' ')}: ${n.any[0]?.message}`)), [], `${name}: axe`);
    const worst = await page.evaluate(() => {
      const rgb = (c) => (c.match(/[\d.]+/g) ?? []).slice(0, 4).map(Number);
      const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
        .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
      const background = (el) => {
        for (let e = el; e; e = e.parentElement ?? e.getRootNode().host) {
          const c = rgb(getComputedStyle(e).backgroundColor);
          if (c.length === 3 || c[3] > 0) return c;
        }
        return [255, 255, 255];
      };
      let worst = { ratio: 99 };
      for (const id of ['badge', 'full', 'banner']) {
        for (const el of document.getElementById(id).shadowRoot.querySelectorAll('*')) {
          const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
          if (!own || el.closest('.sr-only') || el.getClientRects().length === 0) continue;
          const a = lum(rgb(getComputedStyle(el).color));
          const b = lum(background(el));
          const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
          if (ratio < worst.ratio) worst = { ratio, text: el.textContent.slice(0, 40), color: getComputedStyle(el).color };
        }
      }
      return worst;
    });
    assert.ok(worst.ratio >= 4.5, `${name}: ${JSON.stringify(worst)}`);
    const surfaces = await page.evaluate(() => ['full', 'banner'].map((id) =>
      getComputedStyle(document.getElementById(id).shadowRoot.querySelector('.full, .banner')).backgroundColor));
    // The host's styles did apply (else this case would test nothing), and the text follows the host.
    if (cardColor) assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.card')).backgroundColor), cardColor, `${name}: the host card`);
    if (textColor) {
      const colors = await page.evaluate(() => ['full', 'banner'].map((id) =>
        getComputedStyle(document.getElementById(id).shadowRoot.querySelector('.full, .banner')).color));
      assert.deepEqual(colors, [textColor, textColor], `${name}: the text colour`);
    }
    if (theme || painted) assert.ok(surfaces.every((c) => c !== 'rgba(0, 0, 0, 0)'), `${name}: it paints its card`);
    else assert.deepEqual(surfaces, ['rgba(0, 0, 0, 0)', 'rgba(0, 0, 0, 0)'], `${name}: auto takes the host's background`);
    if (shot) {
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, `${shot}.png`), fullPage: true });
    }
    await close();
    await context.close();
  }
  hostCss = '';
});

test('auto follows a host that switches its theme by a class, without a color-scheme', async () => {
  hostCss = 'body{background:#fff;color:#111}body.dark{background:#0f1115;color:#ddd}';
  const { page, close } = await open(styled(`<sitrep-status id="badge" src="${edge.base}"></sitrep-status>
    <sitrep-status id="full" src="${edge.base}" view="full"></sitrep-status>`));
  await waitText(page, 'full', 'Chat API - US-east');
  const colours = () => page.evaluate(() => ['badge', 'full'].map((id) =>
    getComputedStyle(document.getElementById(id).shadowRoot.querySelector('.badge, .full')).color));
  assert.deepEqual(await colours(), ['rgb(31, 35, 40)', 'rgb(31, 35, 40)'], 'dark text on the light host');
  await page.evaluate(() => document.body.classList.add('dark'));
  await eventually(async () => (await colours()).every((c) => c === 'rgb(230, 237, 243)'), { what: 'light text once the host turns dark' });
  await page.evaluate(() => document.body.classList.remove('dark'));
  await eventually(async () => (await colours()).every((c) => c === 'rgb(31, 35, 40)'), { what: 'dark text again' });
  await close();
  hostCss = '';
});

/** The widget's rendered tree in a shadow root, normalised for comparison: elements with sorted
 * attributes, text with runs of space collapsed, relative times ("now", "1 minute ago") dropped. */
function normalised(page, id, selector) {
  return page.locator(`#${id}`).evaluate((el, selector) => {
    const walk = (node) => {
      if (node.nodeType === Node.TEXT_NODE) return node.textContent.replace(/\s+/g, ' ');
      if (node.nodeType !== Node.ELEMENT_NODE) return '';
      // The frame's other renderings (a badge out of date, for badges without wasm) are not drawn.
      if (node.tagName === 'TEMPLATE') return '';
      // The postmortems are read when the reader reaches them: the app may have them by now.
      if (node.classList.contains('pm-later') || node.classList.contains('postmortems')) return '';
      // "Updated <now>" is when each copy was fetched: only instants older than that are compared.
      if (node.tagName === 'TIME') {
        const at = node.getAttribute('datetime');
        return Date.now() - Date.parse(at) < 600_000 ? '<time recent>' : `<time ${at}>`;
      }
      const attrs = [...node.attributes].map((a) => `${a.name}=${a.value}`).sort().join(' ');
      return `<${node.tagName.toLowerCase()} ${attrs}>${[...node.childNodes].map(walk).join('')}</>`;
    };
    const root = el.shadowRoot?.querySelector(selector);
    return root ? [...root.childNodes].map(walk).join('') : null;
  }, selector);
}

test('the first frame comes from the edge before the wasm, and the wasm takes over with the same markup', async () => {
  const { summary } = { summary: await (await fetch(`${edge.base}/api/v2/summary.json`)).json() };
  const groups = summary.components.filter((c) => c.group).map((c) => c.id);
  const filters = ['', ...groups];
  for (const theme of ['light', 'dark']) {
    for (const filter of filters) {
      const attrs = `src="${edge.base}" theme="${theme}"${filter ? ` components="${filter}"` : ''}`;
      host = () => ['badge', 'banner', 'full'].map((view) => `<sitrep-status id="${view}" view="${view}" ${attrs}></sitrep-status>`).join('\n');
      // Hold the wasm: the frame must paint without it.
      const { context, page, requests, release } = await heldPage(theme);
      const frames = {};
      for (const view of ['badge', 'banner', 'full']) {
        await eventually(async () => (frames[view] = await normalised(page, view, '[data-sitrep-frame]')) !== null, {
          what: `${view}'s frame painted with the wasm held (${theme}, ${filter || 'no filter'})`,
        });
      }
      assert.ok(!requests.some((p) => p === '/api/v2/summary.json'), 'the frame needs no summary request');
      assert.ok(requests.filter((p) => p === '/embed/frame').length === 3, requests.join(' '));
      release();
      for (const view of ['badge', 'banner', 'full']) {
        await takenOver(page, view);
        const live = await normalised(page, view, '[data-sitrep-root]');
        if (live !== frames[view]) {
          let at = 0;
          while (live[at] === frames[view][at]) at += 1;
          assert.fail(`${view} (${theme}, ${filter || 'no filter'}): the edge's frame and the browser's render differ at ${at}:\n` +
            `edge:    ${frames[view].slice(Math.max(0, at - 200), at + 200)}\nbrowser: ${live.slice(Math.max(0, at - 200), at + 200)}`);
        }
      }
      await context.close();
    }
  }
});

test('a repeat visit paints from the stored summary and asks with its ETag', async () => {
  // A badge beside a banner: the wasm's path (a badge alone stores nothing, see the next test).
  host = () => `<sitrep-status id="badge" src="${edge.base}/" view="badge"></sitrep-status><sitrep-status id="banner" src="${edge.base}" view="banner"></sitrep-status>`;
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${server.origin}/`);
  await waitText(page, 'badge', 'Partial System Outage');
  await eventually(() => page.evaluate(() => Object.keys(localStorage).some((k) => k.startsWith('sitrep:v1:summary:'))), {
    what: 'the summary stored',
  });
  const statuses = [];
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  page.on('response', (r) => { if (new URL(r.url()).pathname === '/api/v2/summary.json' && r.request().method() === 'GET') statuses.push(r.status()); });
  // Painted before any answer: the summary is held back until the badge shows.
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route(`${edge.base}/api/v2/summary.json`, async (route) => { await held; await route.continue(); });
  await page.reload();
  await waitText(page, 'badge', 'Partial System Outage');
  release();
  await eventually(() => statuses.length > 0, { what: 'the summary request of the repeat visit' });
  assert.deepEqual(statuses, [304], 'one conditional request, answered 304');
  assert.ok(!requests.includes('/embed/frame'), 'no frame: the stored summary paints');
  await ctx.close();
});

// Review of issue 27: the badge without wasm first kept its frame's HTML in localStorage and
// painted it on the next load. Anything on the host's origin can write there: a forged copy (with
// an ETag of `*`, which every conditional request matches) was painted and "confirmed" for good.
// Nothing of the frame is stored now; a forged entry is never read.
test('a badge without wasm paints only what the edge sent: nothing stored, a forged stored copy ignored', async () => {
  host = () => `<sitrep-status id="badge" src="${edge.base}"></sitrep-status>`;
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.origin}/`);
  await waitText(page, 'badge', 'Partial System Outage');
  await page.waitForTimeout(500);
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('sitrep:')).sort()), [],
    'nothing of the frame in storage');
  await page.evaluate((base) => {
    const forged = JSON.stringify({
      html: '<div class="sitrep"><a class="badge" data-ind="none" href="https://evil.example/">All good, trust us<img src=x onerror="window.__forged=1"></a></div>',
      etag: '*',
      at: Date.now(),
    });
    for (const url of [`${base}/embed/frame`, `${base}/embed/frame?view=badge`]) localStorage.setItem(`sitrep:v1:frame:${url}`, forged);
  }, edge.base);
  await page.reload();
  await waitText(page, 'badge', 'Partial System Outage');
  await page.waitForTimeout(1_000);
  const shown = await page.locator('#badge').evaluate((el) => ({ text: el.shadowRoot.textContent, href: el.shadowRoot.querySelector('a')?.href }));
  assert.doesNotMatch(shown.text, /trust us/);
  assert.equal(shown.href, `${edge.base}/`);
  assert.equal(await page.evaluate(() => window.__forged ?? null), null);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('an update posted through the write API appears in the banner within one poll', async () => {
  const { page, errors, close } = await open(`<sitrep-status id="banner" src="${edge.base}" view="banner" poll="15"></sitrep-status>`);
  await waitText(page, 'banner', 'Identified');
  const body = `Rolling back the deploy on all shards (${Date.now()}).`;
  await edge.write('POST', 'incidents/stream-2020-12-09/updates', { status: 'monitoring', body });
  // 15 s ± 20% jitter, plus the edge's five-second read cache.
  await waitText(page, 'banner', body, 26_000);
  await waitText(page, 'banner', 'Monitoring');
  assert.deepEqual(errors, []);
  await close();
});

// Issue 26, item 7: each element polled on its own (four summary requests per load, and after a
// write a page's badge, banner and full view changed seconds apart).
test('the elements of one src share one poll: one request per load and per interval, and they change together', async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const summaries = [];
  context.on('request', (r) => { if (new URL(r.url()).pathname === '/api/v2/summary.json') summaries.push(Date.now()); });
  const { page, errors, close } = await open(`<sitrep-status id="badge" src="${edge.base}" poll="15"></sitrep-status>
    <sitrep-status id="banner" src="${edge.base}" view="banner" poll="15"></sitrep-status>
    <sitrep-status id="full" src="${edge.base}" view="full" poll="15"></sitrep-status>`, { context });
  await page.evaluate(() => document.addEventListener('sitrep:change', (e) => (window.__seen ??= []).push([e.target.id, Date.now(), e.detail.indicator])));
  await takenOver(page, 'badge', 'banner', 'full');
  await new Promise((r) => setTimeout(r, 1_000));
  assert.equal(summaries.length, 1, `one summary request for three elements, got ${summaries.length}`);
  const before = summaries.length;
  const { id } = await edge.write('POST', 'incidents', { name: 'Shared poll check', impact: 'critical', body: 'Down.' });
  await page.evaluate(() => { window.__seen = []; });
  for (const element of ['badge', 'banner', 'full']) await waitText(page, element, element === 'badge' ? 'Major System Outage' : 'Shared poll check', 26_000);
  const seen = await page.evaluate(() => window.__seen.filter(([, , indicator]) => indicator === 'critical'));
  const times = seen.map(([, at]) => at);
  assert.deepEqual(seen.map(([who]) => who).sort(), ['badge', 'banner', 'full'], JSON.stringify(seen));
  assert.ok(Math.max(...times) - Math.min(...times) < 1_000, `they changed together: ${JSON.stringify(seen)}`);
  assert.ok(summaries.length - before <= 2, `one request per interval, not one per element: ${summaries.length - before}`);
  await edge.write('POST', `incidents/${id}/updates`, { status: 'resolved', body: 'Fixed.' });
  assert.deepEqual(errors, []);
  await close();
  await context.close();
});

// Issue 26, item 9: trying the banner needed a real incident (in history, feeds and uptime for good).
test('preview="incident" shows a sample incident in the reader\'s language and reads nothing', async () => {
  const version = async () => (await fetch(`${edge.base}/api/v2/status.json`)).headers.get('x-sitrep-version');
  const before = await version();
  const context = await browser.newContext({ viewport: { width: 1000, height: 900 } });
  const asked = [];
  context.on('request', (r) => { const path = new URL(r.url()).pathname; if (path.startsWith('/api/') || path.startsWith('/embed/')) asked.push(path); });
  const { page, errors, close } = await open(`<sitrep-status id="banner" src="${edge.base}" view="banner" preview="incident" locale="fr"></sitrep-status>
    <sitrep-status id="full" src="${edge.base}" view="full" preview="incident"></sitrep-status>`, { context });
  await waitText(page, 'banner', 'Incident d’exemple');
  await waitText(page, 'banner', 'Rien n’a été publié.');
  await waitText(page, 'full', 'Example incident: sign-in is slow');
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(asked, [], 'a preview reads nothing from the edge');
  assert.equal(await version(), before, 'and writes nothing');
  assert.deepEqual(errors, []);
  await close();
  await context.close();
});

// Issue 26, item 8: under a policy without 'wasm-unsafe-eval' readers saw nothing, not even the
// edge's frame, and the console quoted the browser's 'unsafe-eval', inviting the dangerous fix.
test("without 'wasm-unsafe-eval' the edge's frame stays and the console names the directive to add", async () => {
  noWasm = true;
  try {
    const { page, close } = await open(`<sitrep-status id="badge" src="${edge.base}"></sitrep-status>
      <sitrep-status id="full" src="${edge.base}" view="full"></sitrep-status>`);
    const warnings = [];
    page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
    await eventually(() => warnings.some((w) => w.includes("'wasm-unsafe-eval'")), { what: 'the console names wasm-unsafe-eval', timeout: 20_000 });
    assert.ok(!warnings.some((w) => /add 'unsafe-eval'/.test(w)), warnings.join('\n'));
    await new Promise((r) => setTimeout(r, 1_000));
    assert.match(await shadowText(page, 'badge'), /Partial System Outage/, 'the frame stays');
    assert.match(await shadowText(page, 'full'), /Chat API - US-east/, 'the frame stays');
    await close();
  } finally {
    noWasm = false;
  }
});

// Issue 26: the loader's own "Status unavailable" (neither the wasm nor the frame) was English only.
test("with neither the wasm nor the edge's frame, the loader says 'Status unavailable' in the reader's language", async () => {
  noWasm = true;
  const context = await browser.newContext({ locale: 'fr-FR' });
  try {
    await context.route(`${edge.base}/embed/frame**`, (route) => route.abort('connectionrefused'));
    const { page, close } = await open(`<sitrep-status id="de" src="${edge.base}" locale="de"></sitrep-status>
      <sitrep-status id="fr" src="${edge.base}" view="full"></sitrep-status>
      <sitrep-status id="odd" src="${edge.base}" locale="constructor"></sitrep-status>`, { context });
    await waitText(page, 'de', 'Status nicht verfügbar');
    await waitText(page, 'fr', 'Statut indisponible');
    await waitText(page, 'odd', 'Statut indisponible'); // a name every object has is not a language
    assert.equal(await page.locator('#de').evaluate((el) => el.shadowRoot.querySelector('[role=status]').lang), 'de');
    await close();
  } finally {
    noWasm = false;
    await context.close();
  }
});

test('a dismissal survives a reload, and a new update shows the banner again', async () => {
  const context = await browser.newContext();
  const markup = `<sitrep-status id="banner" src="${edge.base}" view="banner"></sitrep-status>`;
  let { page, errors } = await open(markup, { context });
  await waitText(page, 'banner', 'Chat message events');
  await takenOver(page, 'banner'); // until then the frame's button and the hidden app's are both in the shadow root
  // From the keyboard: Tab reaches the dismiss button, its focus is visible, Enter dismisses.
  const dismiss = page.locator('#banner button.dismiss');
  await dismiss.focus();
  const outline = await dismiss.evaluate((b) => getComputedStyle(b).outlineStyle);
  assert.notEqual(outline, 'none', 'visible focus');
  await page.keyboard.press('Enter');
  await eventually(async () => (await page.locator('#banner section.banner').count()) === 0, { what: 'banner dismissed' });
  await page.reload();
  await waitText(page, 'banner', 'Partial System Outage'); // the live region, read from storage or the edge
  await page.waitForTimeout(1_000);
  assert.equal(await page.locator('#banner section.banner').count(), 0, 'still dismissed after reload');
  const body = `Still rolling back (${Date.now()}).`;
  await edge.write('POST', 'incidents/stream-2020-12-09/updates', { status: 'monitoring', body });
  await eventually(async () => {
    await page.reload();
    return (await shadowText(page, 'banner')).includes(body);
  }, { timeout: 20_000, interval: 2_000, what: 'banner back with the new update' });
  assert.deepEqual(errors, []);
  await context.close();
});

test('details and postmortems open from the keyboard; sitrep:change reports the indicator', async () => {
  // The wasm is held until the press is made, so the press is always on the edge's frame: the loader
  // records it, and the wasm makes it again when it takes over (the focus stays on the button).
  const context = await browser.newContext();
  let release;
  const held = new Promise((r) => { release = r; });
  await context.route('**/*.wasm', async (route) => { await held; await route.continue(); });
  const { page, errors, close } = await open(`<sitrep-status id="banner" src="${edge.base}" view="banner"></sitrep-status>
    <sitrep-status id="full" src="${edge.base}" view="full"></sitrep-status>`, { context });
  await waitText(page, 'banner', 'Chat message events');
  const details = page.locator('#banner button[aria-expanded]:visible');
  assert.equal(await details.getAttribute('aria-expanded'), 'false');
  await details.focus();
  await page.keyboard.press('Enter');
  release();
  await takenOver(page, 'banner');
  await eventually(async () => (await details.getAttribute('aria-expanded')) === 'true', { what: 'the details open' });
  assert.equal(await page.locator('#banner').evaluate((el) => el.shadowRoot.activeElement?.getAttribute('aria-expanded')), 'true');
  assert.ok((await page.locator('#banner ol.timeline li').count()) >= 2, 'the update history');
  await takenOver(page, 'full');
  await reachPostmortems(page, 'full');
  const summary = page.locator('#full details.postmortem summary').first();
  await summary.focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.locator('#full details.postmortem').first().evaluate((d) => d.open), true);
  const changes = await page.evaluate(() => window.__changes);
  assert.ok(changes.some((c) => c.indicator === 'major'), JSON.stringify(changes));
  assert.deepEqual(errors, []);
  await close();
  await context.close();
});

// Issue 27 (left open by issue 12): a press on the frame after the wasm has rendered hidden but
// before it takes over. The summary is held, so the app mounts and renders hidden while the frame
// is on screen; the press lands on the frame then, five times over.
test('a press on the frame while the wasm waits hidden for its first answer is made again when it takes over', async () => {
  for (let round = 0; round < 5; round++) {
    const context = await browser.newContext();
    let release;
    const held = new Promise((r) => { release = r; });
    await context.route(`${edge.base}/api/v2/summary.json`, async (route) => { await held; await route.continue(); });
    const { page, errors, close } = await open(`<sitrep-status id="banner" src="${edge.base}" view="banner"></sitrep-status>
      <sitrep-status id="full" src="${edge.base}" view="full"></sitrep-status>`, { context });
    await waitText(page, 'banner', 'Chat message events');
    await eventually(() => page.locator('#banner').evaluate((el) => el.shadowRoot.querySelector('[data-sitrep-root]')?.hidden === true),
      { what: `round ${round}: the app mounted hidden beside the frame` });
    const details = page.locator('#banner [data-sitrep-frame] button[aria-expanded]');
    await details.focus();
    await page.keyboard.press(round % 2 ? 'Space' : 'Enter');
    release();
    await takenOver(page, 'banner');
    const live = page.locator('#banner [data-sitrep-root] button[aria-expanded]');
    await eventually(async () => (await live.getAttribute('aria-expanded')) === 'true', { what: `round ${round}: the details open` });
    assert.equal(await page.locator('#banner').evaluate((el) => el.shadowRoot.activeElement?.getAttribute('aria-expanded')), 'true',
      `round ${round}: the focus stays on the button`);
    assert.deepEqual(errors, []);
    await close();
    await context.close();
  }
  // The full view's window: the summary is in (the app has rendered hidden with it) and its
  // uptime is held; the reader opens the frame's first group of components meanwhile.
  for (let round = 0; round < 3; round++) {
    const context = await browser.newContext();
    let release;
    const held = new Promise((r) => { release = r; });
    let asked = false;
    await context.route(`${edge.base}/api/v2/uptime.json`, async (route) => { asked = true; await held; await route.continue(); });
    const { page, errors, close } = await open(`<sitrep-status id="full" src="${edge.base}" view="full"></sitrep-status>`, { context });
    await eventually(async () => (await page.locator('#full [data-sitrep-frame] .group > details').count()) > 0, { what: 'the frame\'s groups' });
    await page.locator('#full').hover(); // the reader reaches for it: the wasm mounts
    await eventually(() => asked && page.locator('#full').evaluate((el) => el.shadowRoot.querySelector('[data-sitrep-root]')?.hidden === true),
      { what: `round ${round}: the app rendered hidden, waiting for its uptime` });
    const first = page.locator('#full [data-sitrep-frame] .group > details > summary').first();
    await first.focus();
    await page.keyboard.press(round % 2 ? 'Space' : 'Enter');
    release();
    await takenOver(page, 'full');
    await eventually(() => page.locator('#full [data-sitrep-root] .group > details').first().evaluate((d) => d.open),
      { what: `round ${round}: the group open after the takeover` });
    assert.equal(await page.locator('#full').evaluate((el) => el.shadowRoot.activeElement?.tagName), 'SUMMARY',
      `round ${round}: the focus stays on its summary`);
    assert.deepEqual(errors, []);
    await close();
    await context.close();
  }
});

// Issue 27: the full view fetches only what a reader looks at: its postmortems when they come near
// the viewport, not with every page load (they were 6.6 KB of the page's 137 KB).
test('a full view reads its postmortems only when the reader reaches them', async () => {
  hostCss = '.spacer{height:3000px}';
  try {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const asked = [];
    context.on('request', (r) => { const p = new URL(r.url()).pathname; if (p.startsWith('/api/v2/') || p === '/embed/frame') asked.push(p); });
    const { page, errors, close } = await open(`<link rel="stylesheet" href="/host.css"><div class="spacer"></div>
      <sitrep-status id="full" src="${edge.base}" view="full" postmortems="5"></sitrep-status>`, { context });
    await waitText(page, 'full', 'Chat API - US-east');
    await takenOver(page, 'full'); // the wasm mounts when the browser is idle, the view far below
    await page.waitForTimeout(1_500);
    assert.ok(!asked.includes('/api/v2/postmortems.json'), `nothing read before the reader gets there: ${asked.join(' ')}`);
    assert.equal(await page.locator('#full details.postmortem').count(), 0, 'neither the frame nor the app shows them yet');
    await reachPostmortems(page, 'full', 3);
    assert.equal(asked.filter((p) => p === '/api/v2/postmortems.json').length, 1, asked.join(' '));
    assert.deepEqual(errors, []);
    await close();
    await context.close();
  } finally {
    hostCss = '';
  }
});

test('language, time zone and the components filter', async () => {
  const { page, errors, close } = await open(`
    <sitrep-status id="nl" src="${edge.base}" view="banner" locale="nl-NL" time-zone="Europe/Amsterdam"></sitrep-status>
    <sitrep-status id="ja" src="${edge.base}" locale="ja"></sitrep-status>
    <sitrep-status id="streak" src="${edge.base}" components="streak-group"></sitrep-status>
    <sitrep-status id="us" src="${edge.base}" view="banner" components="stream-chat-us-east"></sitrep-status>
    <sitrep-status id="bad" src="${edge.base}" time-zone="Mars/Olympus" poll="oops" view="nonsense"></sitrep-status>`);
  await waitText(page, 'nl', 'Gedeeltelijke storing');
  await waitText(page, 'nl', 'CET');
  await waitText(page, 'nl', 'geleden');
  await waitText(page, 'ja', '一部のシステムで障害');
  await waitText(page, 'streak', 'Operational');
  // Issue 26, item 6: a badge scoped to components speaks of them, in a component's words.
  assert.doesNotMatch(await shadowText(page, 'streak'), /All Systems/);
  await waitText(page, 'us', 'Chat message events');
  await waitText(page, 'bad', 'Partial System Outage');
  // Numbers and dates the reader's way, through Intl: French puts a no-break space before
  // "%" (whatever the uptime, 100% included), Japanese writes dates with 年月日.
  await page.evaluate((base) => {
    for (const [id, locale] of [['fr-full', 'fr'], ['ja-full', 'ja']]) {
      const el = document.createElement('sitrep-status');
      Object.entries({ id, src: base, view: 'full', locale }).forEach(([k, v]) => el.setAttribute(k, v));
      document.body.append(el);
    }
  }, edge.base);
  await takenOver(page, 'fr-full', 'ja-full');
  await eventually(async () => /\d[\u00a0\u202f]%/.test(await shadowText(page, 'fr-full')), {
    what: `a French percentage, got ${((await shadowText(page, 'fr-full')).match(/[\d.,\s\u202f]+%/g) ?? []).join(' | ')}`,
  });
  assert.match(await shadowText(page, 'ja-full'), /\d+年\d+月\d+日/, 'Japanese dates');
  assert.deepEqual(errors, []);
  await close();
});

test('a filter of unknown ids shows the whole page, never a green, and every bad attribute warns once with what it accepts', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  host = () => `<sitrep-status id="typo" src="${edge.base}" view="full" components="nope,also-nope"></sitrep-status>
    <sitrep-status id="bad" src="${edge.base}" poll="oops" theme="purple" locale="xx"></sitrep-status>`;
  await page.goto(`${server.origin}/`);
  await takenOver(page, 'typo', 'bad');
  await waitText(page, 'typo', 'Partial System Outage'); // the live fixture's status
  const text = await shadowText(page, 'typo');
  assert.ok(!text.includes('All Systems Operational'), 'a typo in the filter does not turn the widget green');
  assert.ok(text.includes('Chat message events'), "the page's incident is shown");
  const expected = [
    'sitrep: components= names no component of this page (nope, also-nope); showing the whole page.',
    'sitrep: poll="oops" is not a number of seconds; polling every 60 s.',
    'sitrep: theme="purple" is not light, dark or auto; following the background it sits on.',
    'sitrep: locale="xx" is not a language the widget speaks (en, nl, de, fr, es, ja); using the reader\'s languages.',
  ];
  await eventually(() => expected.every((w) => warnings.includes(w)), { what: `the warnings, got ${JSON.stringify(warnings)}` });
  await page.evaluate(() => document.querySelector('#typo').refresh());
  await page.waitForTimeout(500);
  for (const w of expected) assert.equal(warnings.filter((x) => x === w).length, 1, `once: ${w}`);
  // Again on a second load, which starts from the summary the first one stored: still once per mount
  // (the warning fired at mount from the stored summary and again at the first answer).
  warnings.length = 0;
  await page.reload();
  await takenOver(page, 'typo', 'bad');
  await eventually(() => warnings.includes(expected[0]), { what: 'the filter warning after a reload' });
  await page.waitForTimeout(500);
  assert.equal(warnings.filter((x) => x === expected[0]).length, 1, `once after a reload: ${JSON.stringify(warnings)}`);
  await context.close();
});

test('mount() from code, refresh() and destroy(); host and widget styles do not leak', async () => {
  const { page, errors, close } = await open(`
    <span class="badge" id="host-badge">host badge</span>
    <div id="mine"></div>`);
  // The page's CSP (style-src 'self') blocks inline <style>; hostile host rules go in through CSSOM.
  await page.evaluate(() => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync('* { color: rgb(255, 0, 0) !important; } .badge { outline: 9px solid blue; } #mine { --sitrep-bg: rgb(1, 2, 3); }');
    document.adoptedStyleSheets = [sheet];
  });
  const result = await page.evaluate(async (base) => {
    const { mount } = await import(`${base}/widget.js`);
    const el = document.getElementById('mine');
    const handle = mount(el, { src: base, view: 'badge', timeZone: 'Asia/Tokyo' });
    await handle.ready;
    for (let i = 0; i < 100 && !el.shadowRoot.textContent.includes('Outage'); i++) await new Promise((r) => setTimeout(r, 100));
    const badge = el.shadowRoot.querySelector('.badge');
    const out = {
      text: el.shadowRoot.textContent,
      color: getComputedStyle(badge.querySelector('.label')).color,
      background: getComputedStyle(badge).backgroundColor,
      hostOutline: getComputedStyle(document.getElementById('host-badge')).outlineWidth,
      hostBadgePadding: getComputedStyle(document.getElementById('host-badge')).paddingLeft,
    };
    handle.refresh();
    handle.destroy();
    handle.destroy();
    out.after = el.shadowRoot.childNodes.length;
    return out;
  }, edge.base);
  assert.match(result.text, /Partial System Outage/);
  assert.notEqual(result.color, 'rgb(255, 0, 0)', 'host CSS does not reach inside');
  assert.equal(result.background, 'rgb(1, 2, 3)', '--sitrep-bg restyles it');
  assert.equal(result.after, 0, 'destroy() empties the shadow root');
  assert.equal(result.hostOutline, '9px', "the host's own .badge keeps the host's style");
  assert.equal(result.hostBadgePadding, '0px', "the widget's .badge rule does not leak out");
  assert.deepEqual(errors, []);
  await close();
});

test("bad answers to the widget's first request: the full view says so in a sentence, the banner shows nothing, the console has the reason", async () => {
  const summaryUrl = `${edge.base}/api/v2/summary.json`;
  const cases = [
    ['500', (route) => route.fulfill({ status: 500, contentType: 'application/json', body: '{}' }), 'the status service answered 500'],
    ['wrong content type', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<p>x</p>' }), 'expected JSON, got "text/html"'],
    ['invalid JSON', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '<html>' }), 'not a status document'],
    // The widget's reads go up to the largest document the edge can serve (shared::limits::READ_BYTES).
    ['10 MB body', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: 'x'.repeat(10 * 1024 * 1024) }), 'the answer was too large'],
    ['network down', (route) => route.abort('connectionrefused'), 'the status service could not be reached'],
    ['slow (10 s)', async (route) => { await new Promise((r) => setTimeout(r, 10_500)); await route.fulfill({ status: 504, body: '' }).catch(() => {}); }, 'no answer within 10 s'],
  ];
  for (const [what, handler, reason] of cases) {
    const context = await browser.newContext();
    let hits = 0;
    await context.route(summaryUrl, (route) => { hits += 1; return handler(route); });
    const { page, errors, close } = await open(`<sitrep-status id="full" src="${edge.base}" view="full"></sitrep-status>
      <sitrep-status id="banner" src="${edge.base}" view="banner"></sitrep-status>`, { context });
    const warnings = [];
    page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
    const reasonOf = () => page.locator('#full').evaluate((el) => el.shadowRoot.querySelector('[data-reason]')?.dataset.reason ?? '');
    await eventually(async () => (await reasonOf()).includes(reason), { timeout: 25_000, what: `${what}: the reason ${JSON.stringify(reason)}` });
    await takenOver(page, 'full', 'banner');
    const text = await shadowText(page, 'full');
    assert.match(text, /Status unavailable/, what);
    assert.match(text, /The status service could not be reached, or its answer could not be read\./, what);
    assert.ok(!text.includes(reason), `${what}: the technical reason is not the reader's sentence`);
    assert.equal(await page.locator('#banner').evaluate((el) => el.shadowRoot.querySelectorAll('section').length), 0,
      `${what}: the banner announces incidents; with nothing read it shows nothing`);
    // Issue 26, item 8: it said "Status unavailable This may be out of date." (to screen readers).
    assert.doesNotMatch(await shadowText(page, 'banner'), /Status unavailable|out of date/, `${what}: nor says anything`);
    assert.doesNotMatch(text, /out of date/, `${what}: nothing was ever shown, so nothing is out of date`);
    assert.equal((text.match(/Status unavailable/g) ?? []).length, 1, `${what}: said once`);
    await eventually(() => warnings.some((w) => w.includes(reason)), { what: `${what}: the reason in the console` });
    assert.equal(hits, 1, `${what}: one summary request for both widgets (they share the poll of their src; the loader asks for the frame)`);
    assert.deepEqual(errors, [], what);
    await close();
    await context.close();
  }
});

test('bad answers and a stopped edge: the widget keeps its data, says it may be out of date, and recovers', async () => {
  // Twice: a badge alone (no wasm: the loader polls the edge's frame) and a badge beside a banner (the
  // wasm polls the summary). Each kind of bad answer, then the edge stopped.
  // A function of the edge's address: the edge is restarted after each mode.
  const modes = (base) => [
    ['without wasm', '', `${base}/embed/frame**`, [
      ['500', (route) => route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":{"code":"x","message":"y"}}' })],
      ['wrong content type', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{}' })],
      ['network down', (route) => route.abort('connectionrefused')],
      ['slow (10 s)', async (route) => { await new Promise((r) => setTimeout(r, 10_500)); await route.fulfill({ status: 504, body: '' }).catch(() => {}); }],
    ]],
    ['with wasm', `<sitrep-status id="banner" src="${base}" view="banner" poll="15"></sitrep-status>`, `${base}/api/v2/summary.json`, [
      ['500', (route) => route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":{"code":"x","message":"y"}}' })],
      ['truncated JSON', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"page":{"id":"demo","na' })],
      ['invalid JSON', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '<html>oops</html>' })],
      ['wrong content type', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<p>maintenance page</p>' })],
      ['10 MB body', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: `{"x":"${'a'.repeat(10 * 1024 * 1024)}"}` })],
      ['network down', (route) => route.abort('connectionrefused')],
      ['slow (10 s)', async (route) => { await new Promise((r) => setTimeout(r, 10_500)); await route.fulfill({ status: 504, body: '' }).catch(() => {}); }],
    ]],
  ];
  for (const index of [0, 1]) {
    const [mode, beside, url, cases] = modes(edge.base)[index];
    const { page, errors, close } = await open(
      `<sitrep-status id="badge" src="${edge.base}" poll="15"></sitrep-status>${beside}`, { clock: true });
    await waitText(page, 'badge', 'Partial System Outage');
    if (beside) {
      // The edge's frame paints first; the wasm takes over when the (fake) clock lets the browser idle.
      await page.clock.fastForward(4_000);
      await takenOver(page, 'badge');
    }
    for (const [what, handler] of cases) {
      const label = `${mode}, ${what}`;
      let hits = 0;
      await page.route(url, (route) => { hits += 1; return handler(route); });
      // Four poll intervals later every fetch has failed: the data is kept and flagged.
      await page.clock.fastForward(61_000);
      if (what.startsWith('slow')) await page.clock.fastForward(11_000);
      await waitText(page, 'badge', 'may be out of date', 25_000).catch((e) => { throw new Error(`${label}: ${e.message}`); });
      assert.match(await shadowText(page, 'badge'), /Partial System Outage/, `${label}: the last data is kept`);
      // The headline goes stale on the clock alone; the poll that meets the fault may still be on its way.
      await eventually(() => hits >= 1, { what: `${label}: the widget polled into it` });
      await page.unroute(url);
      await page.evaluate(() => document.getElementById('badge').refresh());
      await eventually(async () => !(await shadowText(page, 'badge')).includes('may be out of date'),
        { timeout: 20_000, what: `${label}: recovery` });
    }
    // The edge itself stopped: same behaviour, and the last good copy survives a reload from storage.
    await edge.stop();
    await page.clock.fastForward(61_000);
    await waitText(page, 'badge', 'may be out of date', 25_000);
    assert.match(await shadowText(page, 'badge'), /Partial System Outage/);
    assert.deepEqual(errors, [], mode);
    await close();
    edge = await startEdge({ page: fixture('live') }); // for the next mode and any later test
  }
});

test('a postmortem draft never reaches the widget', async () => {
  const summary = await (await fetch(`${edge.base}/api/v2/summary.json`)).json();
  const incident = summary.incidents[0];
  const marker = `WIDGETDRAFT${Date.now()}`;
  await edge.write('PUT', `incidents/${incident.id}/postmortem`, {
    summary: `summary ${marker}`,
    sections: [{ title: `title ${marker}`, body: `body ${marker}` }],
    action_items: [{ text: `item ${marker}` }],
  });
  const { page, errors, close } = await open(`
    <sitrep-status id="full" src="${edge.base}" view="full" postmortems="20"></sitrep-status>
    <sitrep-status id="banner" src="${edge.base}" view="banner"></sitrep-status>`);
  try {
    await waitText(page, 'full', incident.name);
    await waitText(page, 'banner', incident.name);
    await takenOver(page, 'full');
    await reachPostmortems(page, 'full'); // the published ones are read: the draft must not be among them
    for (const id of ['full', 'banner']) {
      assert.ok(!(await shadowText(page, id)).includes(marker), `#${id} shows the draft`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('a click on the frame is replayed only onto the same element (review 2, finding 13)', async () => {
  // Last in this file: it posts an update, which would make the relative times other tests read
  // "just now". The reader dismisses the banner on the edge's frame; before the wasm takes over,
  // the incident gets a new update. The wasm renders the newer banner: the old click must not dismiss it.
  const context = await browser.newContext();
  let release;
  const held = new Promise((r) => { release = r; });
  await context.route('**/*.wasm', async (route) => { await held; await route.continue(); });
  const { page, errors, close } = await open(`<sitrep-status id="banner" src="${edge.base}" view="banner"></sitrep-status>`, { context });
  await waitText(page, 'banner', 'Chat message events');
  const dismiss = page.locator('#banner button.dismiss:visible');
  const before = await dismiss.getAttribute('data-key');
  await dismiss.click();
  const body = `A newer update (${Date.now()}).`;
  await edge.write('POST', 'incidents/stream-2020-12-09/updates', { status: 'monitoring', body });
  release();
  await takenOver(page, 'banner');
  await waitText(page, 'banner', body);
  const after = await page.locator('#banner button.dismiss:visible').getAttribute('data-key');
  assert.notEqual(after, before, 'the newer update has its own dismissal key');
  assert.equal(await page.locator('#banner section.banner').count(), 1, 'the newer banner is still shown');
  assert.deepEqual(errors, []);
  await close();
  await context.close();
});
