// The public status page, incident pages and the history, server-rendered by the edge with the
// views the widget runs: read with JavaScript off in Chromium, checked for every seed's story, for
// caching (ETag, 304, Vary), language, a failing store, drafts, and accessibility with axe-core.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import sharp from 'sharp';

import { eventually, fixture, launchChromium, root, startEdge } from './support.mjs';

const shots = join(root, 'target', 'sitrep', 'screenshots');
mkdirSync(shots, { recursive: true });
const AXE = join(root, 'node_modules', 'axe-core', 'axe.min.js');

let edge;
let browser;
before(async () => {
  edge = await startEdge({ page: fixture('demo') });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await edge?.stop();
});

/** A page of the edge in a fresh context; JavaScript off unless asked. */
async function visit(path, { js = false, colorScheme = 'light', locale } = {}) {
  const context = await browser.newContext({ javaScriptEnabled: js, colorScheme, locale, viewport: { width: 1000, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const response = await page.goto(edge.base + path);
  return { page, response, errors, close: () => context.close() };
}

const json = async (path) => (await fetch(edge.base + path)).json();

describe('every seed tells its story with JavaScript off', () => {
  test('the status page: current status, groups with uptime, history and postmortems', async () => {
    const { page, response, close } = await visit('/');
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-type'], /^text\/html/);
    assert.equal(await page.title(), 'sitrep demo status');
    assert.match(await page.locator('h1').innerText(), /All Systems Operational/);
    const groups = await page.locator('li.group > details > summary').allInnerTexts();
    assert.deepEqual(groups.map((g) => g.replace(/\s+/g, ' ').trim().replace(/ Operational$/, '')),
      ['Streak (2)', 'Stream Chat API (2)', 'Salesdock (9)', 'Treasure Data US (7)', 'Codeship (2)']);
    assert.equal(await page.locator('li.group .bars[role=img]').count() >= 5, true, 'each group has its uptime bar');
    const text = await page.locator('main').innerText();
    for (const name of ['Chat message events not delivered in US-east and Singapore', 'Database Upgrades', 'Performance issue', 'Elevated database error rates']) {
      assert.ok(text.includes(name), `the page lists ${name}`);
    }
    for (const rel of ['application/atom+xml', 'application/rss+xml', 'application/feed+json']) {
      assert.equal(await page.locator(`link[rel=alternate][type="${rel}"]`).count(), 1, rel);
    }
    assert.equal(await page.locator('meta[property="og:title"]').getAttribute('content'), 'sitrep demo status');
    await close();
  });

  const seeds = [
    ['stream-2020-12-09', (t) => ['Resolution 1 - Monitoring', 'Resolution 2 - QA', 'Resolution 3 - Heartbeat Monitoring'].every((s) => t.includes(s))],
    ['treasure-data-2017-10-23-database-upgrades', (t) => t.includes('Remediations')],
    ['codeship-2014-01-30', (t) => t.includes('Database problems protocol')],
    ['salesdock-2024-01-16', (t) => t.includes('Postmortem')],
    ['streak-2020-12-07', (t) => t.includes('Follow-up actions')],
  ];
  for (const [id, story] of seeds) {
    test(`/incidents/${id}: every update, the postmortem and its timeline at its precision`, async () => {
      const { incident } = await json(`/api/v2/incidents/${id}.json`);
      assert.equal(incident.shortlink === null || typeof incident.shortlink === 'string', true);
      const { page, response, close } = await visit(`/incidents/${id}`);
      assert.equal(response.status(), 200);
      assert.equal(await page.locator('h1').innerText(), incident.name);
      assert.equal(await page.locator('ol.timeline > li').count(), incident.incident_updates.length, 'every update is shown');
      const text = await page.locator('main').innerText();
      for (const update of incident.incident_updates) assert.ok(text.includes(update.body.split('\n')[0].trim()), update.body.slice(0, 60));
      assert.ok(story(text), `${id}: its story`);
      const postmortem = incident.postmortem;
      assert.equal(await page.locator('.pm-timeline > li').count(), postmortem.timeline.length);
      for (const day of await page.locator('.pm-timeline > li[data-precision=day] > .muted').allInnerTexts()) {
        assert.doesNotMatch(day, /\d:\d\d/, `a day-precision entry shows no time: ${day}`);
      }
      assert.equal(await page.locator('ul.actions > li').count(), postmortem.action_items.length);
      if (postmortem.impact_window) assert.match(text, /Impact: /);
      assert.equal(await page.locator('meta[property="og:url"]').getAttribute('content'), `${(await json('/api/v2/status.json')).page.url}/incidents/${id}`, 'the page\'s own URL, never the request\'s Host');
      await page.screenshot({ path: join(shots, `page-${id}.png`), fullPage: true });
      await close();
    });
  }

  test('/history pages back through every closed incident and maintenance', async () => {
    const { page, close } = await visit('/history');
    const listed = await page.locator('ul.past > li > a').allInnerTexts();
    const { incidents } = await json('/api/v2/incidents.json');
    const { scheduled_maintenances: maintenances } = await json('/api/v2/scheduled-maintenances.json');
    const closed = [...incidents, ...maintenances].filter((i) => ['resolved', 'postmortem', 'completed'].includes(i.status));
    assert.equal(listed.length, Math.min(10, closed.length));
    assert.match(await page.locator('.pager').innerText(), /Page 1 \/ 1/);
    await close();
    const beyond = await fetch(`${edge.base}/history?page=999`);
    assert.equal(beyond.status, 200, 'a page number past the end shows the last page');
  });
});

test('pages are cached like every document: ETag, 304, HEAD, Vary, CSP; unknown ids are an HTML 404', async () => {
  for (const path of ['/', '/incidents/stream-2020-12-09', '/history']) {
    const first = await fetch(edge.base + path);
    const etag = first.headers.get('etag');
    assert.ok(etag, path);
    assert.match(first.headers.get('cache-control'), /stale-if-error=/, path);
    assert.match(first.headers.get('vary'), /Accept-Language/, path);
    assert.match(first.headers.get('content-security-policy'), /script-src 'self'/, path);
    const again = await fetch(edge.base + path, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304, path);
    const head = await fetch(edge.base + path, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  }
  const missing = await fetch(`${edge.base}/incidents/no-such-incident`);
  assert.equal(missing.status, 404);
  assert.match(missing.headers.get('content-type'), /^text\/html/);
  assert.equal((await fetch(`${edge.base}/incidents/..%2f..%2fetc`)).status, 404);
  assert.equal((await fetch(`${edge.base}/`, { method: 'POST' })).status, 405);
});

test('the language comes from ?locale= or Accept-Language; times from the page, then the reader', async () => {
  const dutch = await (await fetch(`${edge.base}/?locale=nl`)).text();
  assert.match(dutch, /<html lang="nl">/);
  assert.match(dutch, /Alle systemen operationeel/);
  const german = await (await fetch(`${edge.base}/`, { headers: { 'accept-language': 'fr;q=0.4, de-AT, en;q=0.8' } })).text();
  assert.match(german, /<html lang="de-AT">/);
  const madeUp = await (await fetch(`${edge.base}/`, { headers: { 'accept-language': 'de-QQ' } })).text();
  assert.match(madeUp, /<html lang="de">/, 'a region the table does not know reads the language alone');
  const hostile = await (await fetch(`${edge.base}/?locale=${encodeURIComponent('"><script>alert(1)</script>')}`)).text();
  assert.match(hostile, /<html lang="en">/);
  assert.doesNotMatch(hostile, /<script>alert/);

  // Without JavaScript every time is in the page's zone, which the page names once.
  const plain = await (await fetch(`${edge.base}/incidents/stream-2020-12-09`)).text();
  assert.match(plain, /data-zone="">UTC</, 'the page names its zone');
  // Issue 26, item 3: with JavaScript the updates were in the reader's zone but the header's window,
  // the impact window and the postmortem timeline in UTC. Every time is in one zone, said once.
  for (const zone of ['Asia/Tokyo', 'America/New_York']) {
    const context = await browser.newContext({ timezoneId: zone, locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${edge.base}/incidents/stream-2020-12-09`);
    await eventually(async () => (await page.locator('[data-zone]').innerText()) === zone, { what: `the zone named: ${zone}` });
    const shown = await page.evaluate(() => ({
      times: [...document.querySelectorAll('main time[datetime]')].map((t) => [t.getAttribute('datetime'), t.textContent]),
      ranges: [...document.querySelectorAll('main .range')].map((r) => [r.dataset.start, r.dataset.end, r.textContent]),
    }));
    const format = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: zone });
    assert.ok(shown.times.length >= 3, `times: ${shown.times.length}`);
    assert.ok(shown.ranges.length >= 1, `ranges: ${shown.ranges.length}`);
    // Node's ICU and Chromium's may space a range differently (thin or narrow no-break spaces).
    const plainSpaces = (text) => text.replace(/[\s\u2009\u202f]+/g, ' ');
    for (const [at, text] of shown.times) assert.equal(plainSpaces(text), plainSpaces(format.format(new Date(at))), `${zone}: ${at}`);
    for (const [start, end, text] of shown.ranges) {
      const expected = end ? format.formatRange(new Date(start), new Date(end)) : format.format(new Date(start));
      assert.equal(plainSpaces(text), plainSpaces(expected), `${zone}: ${start}`);
    }
    assert.ok(await page.locator('.pm-timeline time').count() > 0, 'the postmortem timeline\'s moments are times too');
    await context.close();
  }
});

test('a postmortem draft never appears on a page; once published it does', async () => {
  const incident = await edge.write('POST', 'incidents', { name: 'Draft check', impact: 'minor', body: 'Looking.' });
  await edge.write('POST', `incidents/${incident.id}/updates`, { status: 'resolved', body: 'Fixed.' });
  const secret = 'DRAFT-ONLY-TEXT-7f3a';
  await edge.write('PUT', `incidents/${incident.id}/postmortem`, { summary: secret, sections: [{ title: 'Draft', body: secret }] });
  await eventually(async () => (await fetch(`${edge.base}/incidents/${incident.id}`)).status === 200, { what: 'the incident page' });
  for (const path of ['/', `/incidents/${incident.id}`, '/history', '/embed/frame?view=full']) {
    assert.doesNotMatch(await (await fetch(edge.base + path)).text(), new RegExp(secret), path);
  }
  await edge.write('POST', `incidents/${incident.id}/postmortem/publish`);
  await eventually(async () => (await (await fetch(`${edge.base}/incidents/${incident.id}`)).text()).includes(secret), {
    what: 'the published postmortem on its page',
  });
  const { incident: read } = await json(`/api/v2/incidents/${incident.id}.json`);
  assert.equal(read.shortlink, `${(await json('/api/v2/status.json')).page.url}/incidents/${incident.id}`, 'the shortlink is its page');
});

test('with the store failing, the pages show the last good copy, marked as possibly out of date', async () => {
  const good = await (await fetch(`${edge.base}/incidents/stream-2020-12-09`)).text();
  await (await fetch(`${edge.base}/`)).text();
  const fault = (what) => fetch(`${edge.base}/__sitrep/fault`, { method: 'POST', body: what });
  assert.equal((await fault('store-down')).status, 204);
  try {
    for (const path of ['/', '/incidents/stream-2020-12-09']) {
      const res = await eventually(async () => {
        const r = await fetch(edge.base + path);
        return r.headers.get('x-sitrep-stale') === '1' ? r : null;
      }, { what: `${path} served stale` });
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /class="notice stale-copy"/, path);
      assert.match(html, /This may be out of date/, path);
      assert.match(res.headers.get('cache-control'), /max-age=0/);
      // The fresh page holds the same notice, hidden (page.js shows it when its polls fail).
      const notice = /<p [^>]*class="notice stale-copy"[^>]*>[\s\S]*?<\/p>/;
      assert.doesNotMatch(html.match(notice)[0], / hidden/, `${path}: the notice is shown`);
      assert.match(good.match(notice)[0], / hidden/, 'a fresh page hides it');
      if (path !== '/') assert.equal(html.replace(notice, ''), good.replace(notice, ''), 'otherwise the last good copy');
    }
  } finally {
    await fault('store-up');
  }
});

test('no axe-core violation on the status page, an incident page and the history, in both themes', async () => {
  for (const colorScheme of ['light', 'dark']) {
    for (const path of ['/', '/incidents/stream-2020-12-09', '/incidents/treasure-data-2017-10-23-database-upgrades', '/history']) {
      const context = await browser.newContext({ colorScheme, bypassCSP: true });
      const page = await context.newPage();
      await page.goto(edge.base + path);
      // Open every group and postmortem, so what they hide is checked too.
      await page.evaluate(() => { for (const d of document.querySelectorAll('details')) d.open = true; });
      await page.addScriptTag({ path: AXE });
      const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
      const found = result.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
      assert.deepEqual(found, [], `${colorScheme} ${path}`);
      const name = path === '/' ? 'status-page' : path.replace(/^\/|\/$/g, '').replace(/\//g, '-');
      await page.screenshot({ path: join(shots, `${name}-${colorScheme}.png`), fullPage: true });
      await context.close();
    }
  }
});

test('no axe-core violation on the demo app at /demo/ with every widget view, in both themes', async () => {
  // Something open, so the banner has an incident and a maintenance notice to show.
  await edge.write('POST', 'incidents', { name: 'Slow exports', impact: 'minor', body: 'Exports take longer than usual.' });
  const start = new Date(Date.now() + 3600_000).toISOString();
  const end = new Date(Date.now() + 2 * 3600_000).toISOString();
  await edge.write('POST', 'maintenances', { name: 'Database upgrade', body: 'Read-only for a few minutes.', scheduled_for: start, scheduled_until: end });
  for (const colorScheme of ['light', 'dark']) {
    const context = await browser.newContext({ colorScheme, bypassCSP: true, viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${edge.base}/demo/`);
    for (const id of ['badge', 'banner', 'full']) {
      await eventually(() => page.locator(`#${id}`).evaluate((el) => {
        const root = el.shadowRoot?.querySelector('[data-sitrep-root]');
        const want = { badge: 'Minor Service Outage', banner: 'Slow exports', full: 'Operational' }[el.id];
        return Boolean(root && !root.hidden && root.textContent.includes(want));
      }).catch(() => false), { what: `#${id} live (${colorScheme})` });
    }
    await page.locator('#full').evaluate((el) => { for (const d of el.shadowRoot.querySelectorAll('details')) d.open = true; });
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    const found = result.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
    assert.deepEqual(found, [], colorScheme);
    await page.screenshot({ path: join(shots, `demo-${colorScheme}.png`), fullPage: true });
    await context.close();
  }
});

// Issue 26, item 2: what a new reader met on the pages. Runs last: it loads a page of its own.
test('readers meet no holes, no band, Updates, their own 404, maintenance apart, green pills for what is over, no 100% beside a red bar', async () => {
  const page404 = await fetch(`${edge.base}/no/such/page`, { headers: { accept: 'text/html', 'accept-language': 'fr' } });
  assert.equal(page404.status, 404);
  const notFound = await page404.text();
  assert.match(notFound, /<html lang="fr">/);
  assert.match(notFound, /Page introuvable/);
  assert.match(notFound, /sitrep demo/, 'the page\'s name');
  assert.match(notFound, /<a href="[^"]*\/">← État actuel|<a href="[^"]*\/">← /, 'a way back');
  assert.match(page404.headers.get('content-security-policy'), /script-src 'self'/);
  const unknownIncident = await fetch(`${edge.base}/incidents/no-such-incident`, { headers: { accept: 'text/html' } });
  assert.equal(unknownIncident.status, 404);
  assert.match(await unknownIncident.text(), /Page not found/);
  const api = await fetch(`${edge.base}/api/v2/nope.json`, { headers: { accept: 'text/html' } });
  assert.equal(api.status, 404);
  assert.match(api.headers.get('content-type'), /^application\/json/, 'the API keeps its JSON errors');
  const program = await fetch(`${edge.base}/no/such/page`);
  assert.match(program.headers.get('content-type'), /^application\/json/, 'a client not asking for HTML keeps JSON');
  // Any path leads to it: a flood of made-up paths costs lookups, not renderings.
  const renders = async () => (await json('/__sitrep/renders')).renders;
  const before = await renders();
  for (let n = 0; n < 30; n += 1) {
    const flood = await fetch(`${edge.base}/made-up-${n}-${Math.random()}`, { headers: { accept: 'text/html', 'accept-language': 'fr' } });
    assert.equal(flood.status, 404);
    await flood.arrayBuffer();
  }
  assert.ok((await renders()) - before <= 1, `${(await renders()) - before} renderings for 30 made-up paths`);

  const data = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'seeds', 'treasure-data.json'), 'utf8'));
  await edge.load(JSON.stringify({ page: data.page, components: data.components, incidents: [], scheduled_maintenances: [] }));
  const now = Date.now();
  const { id: running } = await edge.write('POST', 'maintenances', {
    name: 'Planned failover', body: 'Under way.', components: ['td-us-workflow'],
    scheduled_for: new Date(now - 60_000).toISOString(), scheduled_until: new Date(now + 3_600_000).toISOString(),
  });
  await edge.write('POST', `maintenances/${running}/updates`, { status: 'in_progress', body: 'Started.' });
  const { id: short } = await edge.write('POST', 'incidents', {
    name: 'Short outage', impact: 'critical', body: 'First paragraph.\n\nSecond paragraph, same update.',
    components: [{ id: 'td-us-rest-api', status: 'major_outage' }],
  });
  await eventually(async () => (await json('/api/v2/summary.json')).incidents.some((i) => i.id === short), { what: 'published' });

  const { page, close } = await visit('/');
  assert.doesNotMatch(await page.locator('section[aria-labelledby=open]').innerText(), /Planned failover/, 'maintenance is not an incident');
  assert.match(await page.locator('section[aria-labelledby=maintenance-now]').innerText(), /Maintenance in progress[\s\S]*Planned failover/i);
  // A red bar for today was drawn beside "100% uptime" (an outage of seconds rounds to 100).
  const api2 = page.locator('li.component').filter({ has: page.locator(':scope > .row > .name', { hasText: /^REST API$/ }) });
  assert.match(await api2.locator('.bars .day').last().getAttribute('data-d'), /major/);
  assert.doesNotMatch(await api2.locator('.axis').innerText(), /100\s?%/);
  // A group's bar stays under its own row, above its children.
  const group = page.locator('li.group').first();
  assert.equal(await group.evaluate((li) => li.querySelector(':scope > .uptime')?.previousElementSibling?.tagName), 'DETAILS');
  await close();

  await edge.write('POST', `incidents/${short}/updates`, { status: 'resolved', body: 'Fixed.\n\nWe will write up what happened.', components: [{ id: 'td-us-rest-api', status: 'operational' }] });
  await eventually(async () => (await json(`/api/v2/incidents/${short}.json`)).incident.status === 'resolved', { what: 'resolved' });
  // Issue 26, item 4: a table was published as a line of pipes; the timeline had no heading.
  const at = new Date(now).toISOString();
  await edge.write('PUT', `incidents/${short}/postmortem`, {
    summary: 'A bad deploy took the REST API down for a minute.',
    sections: [{ title: 'Impact', body: 'Requests lost by region:\n\n| Region | Lost | Note |\n|---|--:|---|\n| US | **66%** | peak |\n| EU | 12% | a \\| b |' },
      { title: 'What went well', body: 'Alerts fired at once.' }],
    action_items: [{ text: 'Canary deploys', done: false }],
    timeline: [{ at, precision: 'minute', text: 'The deploy starts.' }],
    timeline_after: 1,
  });
  await edge.write('POST', `incidents/${short}/postmortem/publish`);
  await eventually(async () => (await json(`/api/v2/incidents/${short}.json`)).incident.postmortem?.published_at, { what: 'published' });
  {
    const { page: pm, close: done } = await visit(`/incidents/${short}`);
    await eventually(async () => (await pm.reload(), await pm.locator('.postmortem table').count()) === 1, { what: 'the table rendered' });
    assert.deepEqual(await pm.locator('.postmortem table th').allInnerTexts(), ['Region', 'Lost', 'Note']);
    assert.deepEqual(await pm.locator('.postmortem table tbody tr:nth-child(2) td').allInnerTexts(), ['EU', '12%', 'a | b']);
    assert.doesNotMatch(await pm.locator('.postmortem').innerText(), /\|---/);
    const headings = (await pm.locator('.postmortem h3').allInnerTexts()).map((h) => h.trim().toLowerCase());
    assert.deepEqual(headings, ['impact', 'timeline', 'what went well', 'action items'], 'the author\'s order, the timeline named');
    await pm.screenshot({ path: join(shots, 'postmortem-table.png'), fullPage: true });
    await done();
  }
  for (const height of [900, 1400]) {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1000, height } });
    const incident = await context.newPage();
    await incident.goto(`${edge.base}/incidents/${short}`);
    assert.equal((await incident.locator('h2#updates').textContent()).trim(), 'Updates');
    assert.equal(await incident.locator('.pill').first().getAttribute('data-ind'), 'none', 'a resolved incident\'s pill is not red');
    const gap = await incident.evaluate(() => document.querySelector('main').getBoundingClientRect().top - document.querySelector('header.top').getBoundingClientRect().bottom);
    assert.ok(gap < 60, `${height} px tall: ${gap} px between the header and the page's content`);
    await incident.screenshot({ path: join(shots, `incident-page-${height}.png`), fullPage: true });
    await context.close();
  }
  const history = await visit('/history');
  const row = history.page.locator('ul.past > li', { hasText: 'Short outage' });
  assert.equal((await row.locator('.body').innerText()).trim(), 'Fixed. …', 'one entry reads as one');
  await history.close();
  const french = await (await fetch(`${edge.base}/incidents/${short}?locale=fr`)).text();
  assert.match(french, /<h2 id="updates">Mises à jour<\/h2>/);

  // Dark mode on a wide screen: the page's background reaches both edges (no band).
  const dark = await browser.newContext({ javaScriptEnabled: false, colorScheme: 'dark', viewport: { width: 1800, height: 900 } });
  const wide = await dark.newPage();
  await wide.goto(`${edge.base}/incidents/${short}`);
  const pixel = async (x) => (await sharp(await wide.screenshot({ clip: { x, y: 880, width: 1, height: 1 } })).raw().toBuffer()).subarray(0, 3).join(',');
  assert.equal(await pixel(5), await pixel(900), 'the edge of a wide screen has the page\'s background');
  await dark.close();
});

// Issue 27: Lighthouse's best practices was 96 on every page for the missing icon (a 404 for
// /favicon.ico). Each page links an icon in its status's colour and shape.
test('every page links an icon in its status: the status page the page\'s, an incident page the event\'s', async () => {
  const summary = await json('/api/v2/summary.json');
  const incident = (await json('/api/v2/incidents.json')).incidents[0];
  const icons = {};
  for (const path of ['/', `/incidents/${incident.id}`, '/history']) {
    const { page, errors, close } = await visit(path);
    const href = await page.locator('link[rel=icon]').getAttribute('href');
    assert.match(href, /^\/favicon\.svg\?status=[a-z]+$/, `${path}: from the page's own origin (its policy allows 'self')`);
    icons[path] = new URL(href, edge.base).searchParams.get('status');
    // The browser fetched it: no 404 in the console, and it is an SVG.
    // The page's links start at its own URL (the fixture's), not this edge's port.
    const link = new URL(href, edge.base);
    const icon = await fetch(new URL(link.pathname + link.search, edge.base));
    assert.equal(icon.status, 200, href);
    assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
    assert.match(await icon.text(), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.deepEqual(errors, [], path);
    await close();
  }
  assert.equal(icons['/'], summary.status.indicator, 'the status page shows the page\'s status');
  const closed = ['resolved', 'postmortem', 'completed'].includes(incident.status);
  const expected = closed ? 'none' : incident.scheduled_for ? 'maintenance' : incident.impact === 'none' ? 'minor' : incident.impact;
  assert.equal(icons[`/incidents/${incident.id}`], expected, `the event's status (${incident.status}, ${incident.impact})`);
  // Each status has its own icon; anything else is the grey one.
  const bodies = await Promise.all(['none', 'minor', 'major', 'critical', 'maintenance', 'unknown', 'nonsense']
    .map(async (s) => (await fetch(`${edge.base}/favicon.svg?status=${s}`)).text()));
  assert.equal(new Set(bodies.slice(0, 6)).size, 6);
  assert.equal(bodies[6], bodies[5]);
  const head = await fetch(`${edge.base}/favicon.svg?status=none`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal((await head.arrayBuffer()).byteLength, 0);
});
