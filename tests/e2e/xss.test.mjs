// Hostile text in every field an operator writes, posted through the write API and rendered by the
// widget in Chromium: no script runs, no element is injected, links stay http(s)/mailto, and the
// layout stays usable (no horizontal overflow, the dismiss button still reachable).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { eventually, fixture, launchChromium, serve, startEdge } from './support.mjs';

const CORPUS = [
  '<script>window.__xss = 1</script>',
  '<img src=x onerror="window.__xss = 1">',
  '<svg onload="window.__xss = 1"><circle r=9 /></svg>',
  '"><iframe src="javascript:window.__xss = 1"></iframe>',
  "' onmouseover='window.__xss = 1' x='",
  '[click me](javascript:window.__xss=1) [data](data:text/html,<script>window.__xss=1</script>)',
  'javascript:window.__xss = 1',
  '&lt;b&gt;entities&amp;amp; &#60;script&#62;',
  '\u202eevil RTL override\u202c and \u200fRLM',
  '{{constructor.constructor("window.__xss = 1")()}} ${window.__xss = 1}',
  'emoji 🔥💥 👩‍👩‍👧‍👦 🇳🇱',
];
const hostile = CORPUS.join(' ');
const short = (n) => `${CORPUS[n]} ${CORPUS[(n + 1) % CORPUS.length]}`.slice(0, 250);
// With the corpus, close to the longest update body (shared::limits::UPDATE_BODY_CHARS, 8,000).
const longWord = 'W'.repeat(7_000);

let edge;
let server;
let browser;


before(async () => {
  edge = await startEdge({ page: fixture('demo') });
  const component = await edge.write('POST', 'components', { name: short(0), description: short(1) });
  const incident = await edge.write('POST', 'incidents', {
    name: short(2),
    impact: 'major',
    body: `${hostile}\n${longWord}`,
    components: [{ id: component.id, status: 'major_outage' }],
  });
  await edge.write('POST', `incidents/${incident.id}/updates`, { status: 'identified', body: `${hostile} ${longWord}` });
  const start = new Date(Date.now() + 2 * 3600_000).toISOString();
  const end = new Date(Date.now() + 4 * 3600_000).toISOString();
  await edge.write('POST', 'maintenances', { name: short(4), body: hostile, scheduled_for: start, scheduled_until: end, components: [component.id] });
  const done = await edge.write('POST', 'incidents', { name: short(6), impact: 'minor', body: hostile, components: [{ id: component.id, status: 'degraded_performance' }] });
  await edge.write('POST', `incidents/${done.id}/updates`, { status: 'resolved', body: hostile, components: [{ id: component.id, status: 'major_outage' }] });
  await edge.write('PUT', `incidents/${done.id}/postmortem`, {
    summary: hostile.slice(0, 1_900),
    sections: [
      { title: short(8), body: `${hostile}\n\n- ${CORPUS[5]}\n- ${longWord}\n\n\`\`\`\n${CORPUS[0]}\n\`\`\`` },
      { title: short(9), body: CORPUS.map((c) => `1. ${c}`).join('\n') },
    ],
    action_items: CORPUS.map((text, i) => ({ text, done: i % 2 === 0 })),
  });
  await edge.write('POST', `incidents/${done.id}/postmortem/publish`);

  server = await serve((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><link rel="icon" href="data:,">
      <script type="module" src="${edge.base}/widget.js"></script></head><body>
      <div style="width: 480px">
        <sitrep-status id="badge" src="${edge.base}"></sitrep-status>
        <sitrep-status id="banner" src="${edge.base}" view="banner"></sitrep-status>
        <sitrep-status id="full" src="${edge.base}" view="full" postmortems="5"></sitrep-status>
      </div></body></html>`);
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
  await edge?.stop();
});

test('hostile text in every field renders as text, injects nothing and keeps the layout usable', async () => {
  const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => { errors.push(`dialog: ${d.message()}`); d.dismiss(); });
  await page.goto(`${server.origin}/`);
  const text = (id) => page.locator(`#${id}`).evaluate((el) => el.shadowRoot?.textContent ?? '');
  await eventually(async () => (await text('banner')).includes('onerror='), { what: 'the banner with the hostile name' });
  // The full view reads its postmortems when the reader reaches them.
  await eventually(async () => {
    await page.locator('#full').evaluate((el) => el.shadowRoot.querySelector('[data-sitrep-root] [data-sitrep-postmortems]')?.scrollIntoView());
    return (await page.locator('#full details.postmortem').count()) > 0;
  }, { what: 'postmortems' });
  // Open every postmortem, so all their sections and action items are in the layout.
  await page.locator('#full details.postmortem').evaluateAll((all) => all.forEach((d) => { d.open = true; }));
  const report = await page.evaluate(() => {
    const out = { xss: window.__xss, injected: [], handlers: [], links: [], overflow: [] };
    for (const id of ['badge', 'banner', 'full']) {
      const host = document.getElementById(id);
      const root = host.shadowRoot;
      for (const el of root.querySelectorAll('script, img, iframe, object, embed, style, link, form, input')) out.injected.push(`${id}: ${el.tagName}`);
      for (const svg of root.querySelectorAll('svg')) if (!svg.matches('.icon, .dismiss svg')) out.injected.push(`${id}: svg`);
      for (const el of root.querySelectorAll('*')) {
        for (const attr of el.attributes) if (/^on/i.test(attr.name)) out.handlers.push(`${id}: ${el.tagName} ${attr.name}`);
      }
      for (const a of root.querySelectorAll('a')) {
        if (!/^(https?:|mailto:)/.test(a.getAttribute('href') ?? '') || a.rel !== 'noopener noreferrer') out.links.push(`${id}: ${a.getAttribute('href')}`);
      }
      if (host.getBoundingClientRect().width > 481 || host.scrollWidth > host.clientWidth + 1) out.overflow.push(`${id} host`);
      for (const el of root.querySelectorAll('.banner, .full, .card, .component')) {
        if (el.scrollWidth > el.clientWidth + 1) out.overflow.push(`${id}: ${el.className} ${el.scrollWidth} > ${el.clientWidth}`);
      }
    }
    const dismiss = document.getElementById('banner').shadowRoot.querySelector('button.dismiss').getBoundingClientRect();
    out.dismissVisible = dismiss.width > 0 && dismiss.right <= 481;
    return out;
  });
  assert.equal(report.xss, undefined, 'no script ran');
  assert.deepEqual(report.injected, [], 'no element injected');
  assert.deepEqual(report.handlers, [], 'no event handler attribute');
  assert.deepEqual(report.links, [], 'only http(s) and mailto links, with rel=noopener noreferrer');
  assert.deepEqual(report.overflow, [], 'nothing overflows sideways');
  assert.ok(report.dismissVisible, 'the dismiss button stays on screen');
  const banner = await text('banner');
  assert.ok(banner.includes('<script>window.__xss = 1</script>'), 'shown as the operator wrote it');
  assert.ok(banner.includes('\u202eevil'), 'RTL override kept as text');
  assert.ok((await text('full')).includes('👩‍👩‍👧‍👦'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the status page, the incident pages and the widget frame render the same text inert', async () => {
  const { incidents } = await (await fetch(`${edge.base}/api/v2/incidents.json`)).json();
  const hostileIds = incidents.filter((i) => i.name.includes('__xss')).map((i) => i.id);
  assert.ok(hostileIds.length >= 2, 'the hostile incidents are published');
  for (const path of ['/', '/history', ...hostileIds.map((id) => `/incidents/${id}`)]) {
    const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => { errors.push(`dialog: ${d.message()}`); d.dismiss(); });
    await page.goto(edge.base + path);
    await page.evaluate(() => { for (const d of document.querySelectorAll('details')) d.open = true; });
    const report = await page.evaluate(() => {
      const out = { xss: window.__xss, injected: [], handlers: [], links: [], scripts: [] };
      const root = document.querySelector('.page');
      for (const el of root.querySelectorAll('script, img, iframe, object, embed, style, link, form, input')) out.injected.push(el.tagName);
      for (const svg of root.querySelectorAll('svg')) if (!svg.matches('.icon')) out.injected.push('svg');
      for (const el of document.querySelectorAll('*')) {
        for (const attr of el.attributes) if (/^on/i.test(attr.name)) out.handlers.push(`${el.tagName} ${attr.name}`);
      }
      for (const a of root.querySelectorAll('a')) if (!/^(https?:|mailto:)/.test(a.getAttribute('href') ?? '')) out.links.push(a.getAttribute('href'));
      for (const s of document.querySelectorAll('script')) out.scripts.push(s.getAttribute('src'));
      return out;
    });
    assert.equal(report.xss, undefined, `${path}: no script ran`);
    assert.deepEqual(report.injected, [], `${path}: no element injected`);
    assert.deepEqual(report.handlers, [], `${path}: no event handler attribute`);
    assert.deepEqual(report.links, [], `${path}: only http(s) and mailto links`);
    assert.deepEqual(report.scripts, ['/page.js'], `${path}: our one script`);
    if (path !== '/' && path !== '/history') assert.ok((await page.locator('main').innerText()).includes('<script>window.__xss = 1</script>'), 'shown as written');
    assert.deepEqual(errors, [], path);
    await page.close();
  }
  // The frame as the loader gets it, parsed by Chromium's HTML parser.
  const parser = await browser.newPage();
  for (const view of ['badge', 'banner', 'full']) {
    const html = await (await fetch(`${edge.base}/embed/frame?view=${view}`)).text();
    const found = await parser.evaluate((html) => {
      const doc = new DOMParser().parseFromString(html, 'text/html');
      const out = { injected: [], handlers: [], text: doc.body.textContent };
      for (const el of doc.body.querySelectorAll('script, img, iframe, object, embed, style, link, form, input')) out.injected.push(el.tagName);
      for (const el of doc.body.querySelectorAll('*')) for (const a of el.attributes) if (/^on/i.test(a.name)) out.handlers.push(`${el.tagName} ${a.name}`);
      return out;
    }, html);
    assert.deepEqual(found.injected, [], `${view} frame: no element injected`);
    assert.deepEqual(found.handlers, [], `${view} frame: no event handler attribute`);
    if (view !== 'badge') assert.ok(found.text.includes('<script>window.__xss = 1</script>'), `${view} frame: shown as text`);
  }
  await parser.close();
});
