// The public read API of the built Worker in workerd: every endpoint, its shape against the
// committed JSON Schema (generated from shared's types), ETag and 304, HEAD, CORS, errors, feeds, badge.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import Ajv2020 from 'ajv/dist/2020.js';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

import { eventually, fixture, root, startEdge } from './support.mjs';

const demo = JSON.parse(fixture('demo'));
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
const schema = (name) => ajv.compile(JSON.parse(readFileSync(join(root, 'shared', 'schema', `${name}.schema.json`), 'utf8')));
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const JSON_ENDPOINTS = [
  ['/api/v2/summary.json', 'summary'],
  ['/api/v2/status.json', 'status'],
  ['/api/v2/components.json', 'components'],
  ['/api/v2/incidents.json', 'incidents'],
  ['/api/v2/incidents/unresolved.json', 'incidents'],
  ['/api/v2/scheduled-maintenances.json', 'scheduled-maintenances'],
  ['/api/v2/scheduled-maintenances/upcoming.json', 'scheduled-maintenances'],
  ['/api/v2/scheduled-maintenances/active.json', 'scheduled-maintenances'],
  ['/api/v2/postmortems.json', 'postmortems'],
  ['/api/v2/incidents/stream-2020-12-09.json', 'incident'],
  ['/api/v2/uptime.json', 'uptime'],
  ['/feed.json', 'feed'],
];
const ALL = [...JSON_ENDPOINTS.map(([p]) => p), '/badge.svg', '/history.atom', '/history.rss'];

let edge;
before(async () => { edge = await startEdge({ page: fixture('demo') }); });
after(async () => { await edge?.stop(); });

/** Every string that looks like a timestamp is sitrep's UTC-with-milliseconds form. */
function checkTimestamps(value, path = '$') {
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) assert.match(value, TIMESTAMP, path);
  else if (Array.isArray(value)) value.forEach((v, i) => checkTimestamps(v, `${path}[${i}]`));
  else if (value && typeof value === 'object') Object.entries(value).forEach(([k, v]) => checkTimestamps(v, `${path}.${k}`));
}

describe('every JSON endpoint', () => {
  for (const [path, name] of JSON_ENDPOINTS) {
    test(`${path} matches the ${name} schema`, async () => {
      const res = await fetch(edge.base + path);
      assert.equal(res.status, 200, await res.clone().text());
      assert.match(res.headers.get('content-type'), /^application\/(feed\+)?json; charset=utf-8$/);
      const body = await res.json();
      const validate = schema(name);
      assert.ok(validate(body), JSON.stringify(validate.errors, null, 1));
      checkTimestamps(body);
    });
  }
});

test('the data is the five seeds', async () => {
  const summary = await (await fetch(`${edge.base}/api/v2/summary.json`)).json();
  assert.equal(summary.page.name, 'sitrep demo');
  assert.equal(summary.components.length, demo.components.length);
  assert.deepEqual(summary.status, { indicator: 'none', description: 'All Systems Operational' });
  assert.deepEqual(summary.incidents, [], 'every seed incident is resolved');
  const incidents = await (await fetch(`${edge.base}/api/v2/incidents.json`)).json();
  assert.deepEqual(incidents.incidents.map((i) => i.id).sort(), demo.incidents.map((i) => i.id).sort());
  const maintenances = await (await fetch(`${edge.base}/api/v2/scheduled-maintenances.json`)).json();
  const td = maintenances.scheduled_maintenances.find((m) => m.name === 'Database Upgrades');
  assert.deepEqual(td.incident_updates.map((u) => u.status).reverse(),
    ['scheduled', 'scheduled', 'in_progress', 'verifying', 'in_progress', 'verifying', 'completed']);
  const stream = await (await fetch(`${edge.base}/api/v2/incidents/stream-2020-12-09.json`)).json();
  assert.equal(stream.incident.resolved_at, '2020-12-09T17:38:00.000Z');
  assert.equal(stream.incident.postmortem.action_items.length, 3);
  const postmortems = await (await fetch(`${edge.base}/api/v2/postmortems.json`)).json();
  assert.equal(postmortems.postmortems.length, 5, 'four incidents and the Treasure Data maintenance');
  assert.equal(postmortems.postmortems[0].incident_id, 'salesdock-2024-01-16', 'most recently published first');
});

test('uptime: 90 days for every component', async () => {
  const uptime = await (await fetch(`${edge.base}/api/v2/uptime.json`)).json();
  assert.equal(uptime.days, 90);
  assert.equal(uptime.components.length, demo.components.filter((c) => !c.group).length);
  for (const c of uptime.components) assert.equal(c.days.length, 90);
});

/** One request on the wire (node:http: no decompression): its headers and the bytes it carried. */
function raw(method, path, headers) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(edge.base + path, { method, headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => { bytes += chunk.length; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, bytes }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP semantics', () => {
  for (const path of ALL) {
    test(`${path}: strong ETag, 304, Cache-Control, CORS, HEAD`, async () => {
      const res = await fetch(edge.base + path);
      assert.equal(res.status, 200);
      const etag = res.headers.get('etag');
      assert.match(etag, /^"[^"]+"$/, 'a strong ETag');
      const cc = res.headers.get('cache-control');
      for (const directive of ['max-age=', 'stale-while-revalidate=', 'stale-if-error=']) assert.ok(cc.includes(directive), cc);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      const body = await res.arrayBuffer();

      const again = await fetch(edge.base + path, { headers: { 'if-none-match': etag } });
      assert.equal(again.status, 304);
      assert.equal(again.headers.get('etag'), etag);
      assert.equal((await again.arrayBuffer()).byteLength, 0);
      const other = await fetch(edge.base + path, { headers: { 'if-none-match': '"something-else"' } });
      assert.equal(other.status, 200);
      await other.arrayBuffer();

      const head = await fetch(edge.base + path, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('etag'), etag);
      assert.equal(head.headers.get('content-type'), res.headers.get('content-type'));
      // Issue 26, item 15: the runtime may compress a GET, so a HEAD cannot know the length a GET
      // would carry: it says none, or the one a GET with the same Accept-Encoding sends.
      for (const encoding of ['identity', 'gzip', 'br']) {
        const got = await raw('GET', path, { 'accept-encoding': encoding });
        const said = (await raw('HEAD', path, { 'accept-encoding': encoding })).headers['content-length'];
        assert.ok(said === undefined || Number(said) === got.bytes, `${encoding}: HEAD says ${said}, a GET sends ${got.bytes} (${got.headers['content-encoding'] ?? 'identity'})`);
      }
      assert.ok(body.byteLength > 0);
      assert.match(res.headers.get('vary') ?? '', /Accept-Encoding/i, 'a shared cache keeps the encodings apart');
    });
  }

  test('CORS preflight', async () => {
    const res = await fetch(`${edge.base}/api/v2/summary.json`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET', 'access-control-request-headers': 'if-none-match' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(res.headers.get('access-control-allow-methods'), /GET/);
    assert.match(res.headers.get('access-control-allow-headers'), /If-None-Match/i);
  });

  test('wrong method: 405 with Allow and a JSON error', async () => {
    // QUERY and PROPFIND: methods workers-rs does not know and would read as GET (found by Schemathesis).
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'QUERY', 'PROPFIND']) {
      const res = await fetch(`${edge.base}/api/v2/summary.json`, { method });
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.get('allow'), 'GET, HEAD, OPTIONS');
      const body = await res.json();
      assert.equal(body.error.code, 'method_not_allowed');
      assert.ok(body.error.message.length > 0);
    }
  });

  test('unknown paths and ids: 404 JSON errors', async () => {
    for (const [path, code] of [['/api/v2/nope.json', 'not_found'], ['/api/v2/incidents/no-such-incident.json', 'unknown_incident'], ['/api/v2/incidents/..%2F..%2Fetc.json', 'not_found']]) {
      const res = await fetch(edge.base + path);
      assert.equal(res.status, 404, path);
      assert.match(res.headers.get('content-type'), /^application\/json/);
      assert.equal((await res.json()).error.code, code, path);
    }
  });

  test('the admin import refuses a missing or wrong token and changes nothing', async () => {
    const version = (await fetch(`${edge.base}/api/v2/status.json`)).headers.get('x-sitrep-version');
    for (const auth of [undefined, 'Bearer wrong', `Bearer ${edge.token}x`, edge.token]) {
      const headers = { 'content-type': 'application/json' };
      if (auth) headers.authorization = auth;
      const res = await fetch(`${edge.base}/api/v2/admin/page`, { method: 'PUT', headers, body: fixture('demo') });
      assert.equal(res.status, 401);
      assert.match(res.headers.get('www-authenticate'), /^Bearer/);
      assert.equal(res.headers.get('access-control-allow-origin'), null, 'admin routes are not open to other origins');
      assert.ok(!(await res.text()).includes(edge.token), 'the token never appears in a response');
    }
    const bad = await fetch(`${edge.base}/api/v2/admin/page`, {
      method: 'PUT', headers: { authorization: `Bearer ${edge.token}`, 'content-type': 'application/json' }, body: '{"page": 1',
    });
    assert.equal(bad.status, 400);
    const invalid = JSON.parse(fixture('demo'));
    invalid.incidents[0].incident_updates[0].status = 'investigating';
    const res = await fetch(`${edge.base}/api/v2/admin/page`, {
      method: 'PUT', headers: { authorization: `Bearer ${edge.token}`, 'content-type': 'application/json' }, body: JSON.stringify(invalid),
    });
    assert.equal(res.status, 422);
    const body = await res.json();
    assert.ok(body.error.problems.some((p) => p.path.startsWith('incidents[0]')), JSON.stringify(body));
    const wrongType = await fetch(`${edge.base}/api/v2/admin/page`, {
      method: 'PUT', headers: { authorization: `Bearer ${edge.token}`, 'content-type': 'text/plain' }, body: fixture('demo'),
    });
    assert.equal(wrongType.status, 415);
    assert.equal((await fetch(`${edge.base}/api/v2/status.json`)).headers.get('x-sitrep-version'), version, 'nothing changed');
  });
});

test('the demo page is served at /demo/', async () => {
  const res = await fetch(`${edge.base}/demo/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/html/);
  const html = await res.text();
  assert.match(html, /<script type="module" src="\/widget.js"><\/script>/);
  for (const view of ['badge', 'banner', 'full']) assert.match(html, new RegExp(`<sitrep-status id="${view}" view="${view}"`));
});

describe('feeds and badge', () => {
  const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['entry', 'item'].includes(name) });
  const xml = async (path, type) => {
    const res = await fetch(edge.base + path);
    assert.match(res.headers.get('content-type'), type);
    const text = await res.text();
    assert.equal(XMLValidator.validate(text), true, `${path} is well-formed XML`);
    return parser.parse(text);
  };

  test('Atom, RSS and JSON Feed carry the same entries with stable ids', async () => {
    const atom = await xml('/history.atom', /^application\/atom\+xml/);
    const rss = await xml('/history.rss', /^application\/rss\+xml/);
    const json = await (await fetch(`${edge.base}/feed.json`)).json();
    assert.equal(json.version, 'https://jsonfeed.org/version/1.1');
    const updates = [...demo.incidents, ...demo.scheduled_maintenances].reduce((n, i) => n + i.incident_updates.length, 0);
    const postmortems = [...demo.incidents, ...demo.scheduled_maintenances].filter((i) => i.postmortem).length;
    assert.equal(json.items.length, updates + postmortems, 'one entry per update plus one per postmortem');
    const atomIds = atom.feed.entry.map((e) => e.id);
    const rssIds = rss.rss.channel.item.map((i) => i.guid['#text']);
    assert.deepEqual(atomIds, json.items.map((i) => i.id));
    assert.deepEqual(rssIds, atomIds);
    assert.equal(new Set(atomIds).size, atomIds.length, 'ids are unique');
    assert.ok(json.items.some((i) => i.tags.includes('maintenance')), 'maintenance is included');
    assert.ok(atom.feed.entry.some((e) => e['@_xml:lang'] === 'nl'), 'the Dutch updates say so');
    const again = await (await fetch(`${edge.base}/feed.json`)).json();
    assert.deepEqual(again.items.map((i) => i.id), json.items.map((i) => i.id), 'ids never change');
  });

  test('the badge is SVG naming the status in text, with a custom label', async () => {
    const badge = await xml('/badge.svg', /^image\/svg\+xml/);
    assert.equal(badge.svg['@_xmlns'], 'http://www.w3.org/2000/svg');
    assert.equal(badge.svg['@_role'], 'img');
    assert.equal(badge.svg.title, 'status: All Systems Operational');
    const labelled = await xml('/badge.svg?label=%3Cb%3EAcme%3C%2Fb%3E', /^image\/svg\+xml/);
    assert.equal(labelled.svg.title, '<b>Acme</b>: All Systems Operational', 'the label is text, escaped');
  });

  test("a components badge shows their status under the component's or group's name; unknown ids show the whole page", async () => {
    const summary = await (await fetch(`${edge.base}/api/v2/summary.json`)).json();
    const group = summary.components.find((c) => c.group);
    const child = summary.components.find((c) => c.group_id === group.id);
    const other = summary.components.find((c) => !c.group && c.group_id !== group.id);
    await edge.write('PATCH', `components/${child.id}`, { status: 'major_outage' });
    try {
      await eventually(async () => (await xml(`/badge.svg?components=${group.id}`, /^image\/svg\+xml/)).svg.title === `${group.name}: Major outage`,
        { what: 'the group badge shows its child\'s outage' });
      assert.equal((await xml(`/badge.svg?components=${other.id}`, /^image\/svg\+xml/)).svg.title, `${other.name}: Operational`, 'a component\'s badge speaks of it, not of the page');
      assert.equal((await xml(`/badge.svg?components=${other.id}&label=db`, /^image\/svg\+xml/)).svg.title, 'db: Operational');
      assert.equal((await xml(`/badge.svg?components=${other.id},${group.id}`, /^image\/svg\+xml/)).svg.title, `${other.name}, ${group.name}: Major outage`, 'two components are named');
      const page = (await xml('/badge.svg', /^image\/svg\+xml/)).svg.title;
      assert.equal((await xml('/badge.svg?components=nope,also-nope', /^image\/svg\+xml/)).svg.title, page, 'a typo shows the whole page, never a green of nothing');
      const long = await fetch(`${edge.base}/badge.svg?components=${encodeURIComponent('x'.repeat(5000) + ','.repeat(5000))}`);
      assert.equal(long.status, 200, 'an absurd id is dropped, not an error');
      // Many distinct valid ids: only the first 20 count, so the known one first still names the badge.
      const ids = [other.id, ...Array.from({ length: 2000 }, (_, i) => `c${i}`)].join(',');
      assert.equal((await xml(`/badge.svg?components=${ids}`, /^image\/svg\+xml/)).svg.title, `${other.name}: Operational`);
    } finally {
      await edge.write('PATCH', `components/${child.id}`, { status: 'operational' });
    }
  });
});
