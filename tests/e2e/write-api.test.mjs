// The write API against the built Worker in workerd: seed timelines replayed through it, concurrent
// writers, every kind of bad input (nothing changes), restarts, idempotent retries.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { eventually, root, startEdge } from './support.mjs';

const seed = (name) => JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'seeds', `${name}.json`), 'utf8'));

/** A page with the seed's components and no events, ready for replay. */
function emptyPage(name) {
  const data = seed(name);
  return JSON.stringify({ page: data.page, components: data.components, incidents: [], scheduled_maintenances: [] });
}

let edge;
const state = mkdtempSync(join(tmpdir(), 'sitrep-write-'));
before(async () => { edge = await startEdge({ persist: state }); });
after(async () => { await edge?.stop(); rmSync(state, { recursive: true, force: true }); });

const admin = (...args) => edge.admin(...args);

const version = async () => Number((await fetch(`${edge.base}/api/v2/status.json`)).headers.get('x-sitrep-version'));
const read = async (path) => (await fetch(edge.base + path)).json();

describe('seed timelines replayed through the API', () => {
  test('Treasure Data: the maintenance with all seven updates, then its postmortem', async () => {
    assert.equal((await edge.load(emptyPage('treasure-data'))).version > 0, true);
    const m = seed('treasure-data').scheduled_maintenances[0];
    const updates = [...m.incident_updates].reverse();
    const components = m.components.map((c) => c.id);
    const created = await admin('POST', 'maintenances', {
      name: m.name, body: updates[0].body, scheduled_for: m.scheduled_for, scheduled_until: m.scheduled_until, components,
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const id = created.json.id;
    for (const u of updates.slice(1)) {
      const r = await admin('POST', `maintenances/${id}/updates`, { status: u.status, body: u.body });
      assert.equal(r.status, 200, JSON.stringify(r.json));
    }
    const pm = m.postmortem;
    const draft = { summary: pm.summary, language: pm.language, impact_window: pm.impact_window, sections: pm.sections, action_items: pm.action_items, timeline: pm.timeline };
    assert.equal((await admin('PUT', `incidents/${id}/postmortem`, draft)).status, 200);
    assert.equal((await admin('POST', `incidents/${id}/postmortem/publish`)).status, 200);

    const doc = await read(`/api/v2/incidents/${id}.json`);
    const got = [...doc.incident.incident_updates].reverse();
    assert.deepEqual(got.map((u) => u.status), updates.map((u) => u.status));
    assert.deepEqual(got.map((u) => u.body), updates.map((u) => u.body));
    assert.equal(doc.incident.status, 'completed');
    const inProgress = got.find((u) => u.status === 'in_progress');
    assert.equal(inProgress.affected_components.length, 7, 'the US group\'s seven components went under maintenance');
    assert.ok(inProgress.affected_components.every((a) => a.new_status === 'under_maintenance'));
    const summary = await read('/api/v2/summary.json');
    assert.ok(summary.components.filter((c) => !c.group).every((c) => c.status === 'operational'), 'completed: all back');
    const postmortems = await read('/api/v2/postmortems.json');
    assert.equal(postmortems.postmortems[0].incident_id, id);
    assert.ok(postmortems.postmortems[0].postmortem.sections.some((s) => s.title === 'Required Customer Actions'));
  });

  test('Salesdock: Dutch updates touching nine components', async () => {
    await edge.load(emptyPage('salesdock'));
    const inc = seed('salesdock').incidents[0];
    const updates = [...inc.incident_updates].reverse();
    const degraded = updates[0].affected_components.map((a) => ({ id: a.code, status: a.new_status }));
    const opened = await admin('POST', 'incidents', {
      name: inc.name, status: updates[0].status, impact: inc.impact, body: updates[0].body, language: 'nl', components: degraded,
    });
    assert.equal(opened.status, 201, JSON.stringify(opened.json));
    const id = opened.json.id;
    assert.equal((await read('/api/v2/summary.json')).incidents[0].id, id, 'open right away (read-your-writes)');
    await admin('POST', `incidents/${id}/updates`, { status: updates[1].status, body: updates[1].body, language: 'nl' });
    const fixed = updates[2].affected_components.map((a) => ({ id: a.code, status: a.new_status }));
    await admin('POST', `incidents/${id}/updates`, { status: 'resolved', body: updates[2].body, language: 'nl', components: fixed });
    const doc = await read(`/api/v2/incidents/${id}.json`);
    const got = [...doc.incident.incident_updates].reverse();
    assert.deepEqual(got.map((u) => [u.status, u.body, u.language]), updates.map((u) => [u.status, u.body, 'nl']));
    assert.equal(got[0].affected_components.length, 9);
    assert.equal(doc.incident.components.length, 9);
    assert.deepEqual((await read('/api/v2/incidents/unresolved.json')).incidents, []);
  });
});

test('10 clients post 50 updates concurrently: all present, none duplicated, versions increase', async () => {
  await edge.load(emptyPage('stream'));
  const opened = await admin('POST', 'incidents', { name: 'Chat events delayed', body: 'Looking into it', impact: 'major' });
  const id = opened.json.id;
  const clients = Array.from({ length: 10 }, (_, c) => (async () => {
    const versions = [];
    for (let n = 0; n < 5; n += 1) {
      const r = await admin('POST', `incidents/${id}/updates`, { status: 'monitoring', body: `client ${c} update ${n}` });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      versions.push(r.json.version);
    }
    return versions;
  })());
  const results = await Promise.all(clients);
  for (const versions of results) {
    for (let n = 1; n < versions.length; n += 1) assert.ok(versions[n] > versions[n - 1], `${versions}`);
  }
  const all = results.flat();
  assert.equal(new Set(all).size, 50, 'every write got its own version');
  const doc = await read(`/api/v2/incidents/${id}.json`);
  const bodies = doc.incident.incident_updates.map((u) => u.body).filter((b) => b.startsWith('client'));
  assert.equal(bodies.length, 50);
  assert.equal(new Set(bodies).size, 50, 'no duplicates');
  assert.equal(new Set(doc.incident.incident_updates.map((u) => u.id)).size, 51);
  const log = await admin('GET', 'log?limit=60');
  const logged = log.json.entries.map((e) => e.version);
  for (const v of all) assert.ok(logged.includes(v), `version ${v} is in the audit log`);
});

describe('bad input changes nothing', () => {
  let id;
  before(async () => {
    await edge.load(emptyPage('streak'));
    id = (await admin('POST', 'incidents', { name: 'Errors', body: 'Looking' })).json.id;
    await admin('POST', `incidents/${id}/updates`, { status: 'resolved', body: 'Fixed' });
  });

  const cases = [
    ['malformed JSON', () => admin('POST', 'incidents', '{"name": "x", "body": '), 400],
    ['wrong types', () => admin('POST', 'incidents', { name: 7, body: ['x'] }), 400],
    // serde would read a struct from an array; found by Schemathesis.
    ['an array for an object', () => admin('PATCH', 'components/streak-data-loading', [null, null]), 400],
    ['unknown fields', () => admin('POST', 'incidents', { name: 'x', body: 'y', colour: 'red' }), 400],
    ['unknown incident', () => admin('POST', 'incidents/nope/updates', { status: 'resolved', body: 'x' }), 404],
    ['unknown component', () => admin('PATCH', 'components/nope', { name: 'x' }), 404],
    ['huge body', () => admin('POST', 'incidents', { name: 'x', body: 'y'.repeat(130 * 1024) }), 413],
    // Under the request cap but over the field rule: the field answers, with its path.
    ['body over its character limit', () => admin('POST', 'incidents', { name: 'x', body: 'y'.repeat(70 * 1024) }), 422],
    ['missing token', () => fetch(`${edge.base}/api/v2/admin/incidents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => ({ status: r.status })), 401],
    ['wrong token', () => fetch(`${edge.base}/api/v2/admin/incidents`, { method: 'POST', headers: { authorization: 'Bearer nope', 'content-type': 'application/json' }, body: '{}' }).then((r) => ({ status: r.status })), 401],
    ['wrong content type', () => admin('POST', 'incidents', 'name=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415],
    ['stale If-Match', () => admin('POST', 'incidents', { name: 'x', body: 'y' }, { 'if-match': '"1"' }), 409],
    ['illegal transition (reopen without reopen)', () => admin('POST', `incidents/${id}/updates`, { status: 'investigating', body: 'again' }), 422],
    ['rule breaking values', () => admin('POST', 'incidents', { name: '', body: '', language: 'not a tag', components: [{ id: 'nope', status: 'major_outage' }] }), 422],
    ['wrong method', () => admin('PUT', `incidents/${id}`), 405],
    ['unknown admin path', () => admin('POST', 'nothing-here', {}), 404],
  ];
  for (const [name, send, expected] of cases) {
    test(`${name}: ${expected}, version unchanged`, async () => {
      const before = await version();
      const res = await send();
      assert.equal(res.status, expected, JSON.stringify(res.json));
      if (res.json && typeof res.json === 'object') {
        assert.equal(typeof res.json.error.code, 'string');
        assert.ok(!JSON.stringify(res.json).includes(edge.token), 'the token never appears');
      }
      assert.equal(await version(), before);
    });
  }

  test('422 lists every problem by field path', async () => {
    const res = await admin('POST', 'incidents', { name: '', body: '', language: 'not a tag', components: [{ id: 'nope', status: 'major_outage' }] });
    const paths = res.json.error.problems.map((p) => p.path);
    for (const p of ['components[0].id', 'incident.name', 'incident.incident_updates[0].body', 'incident.incident_updates[0].language']) {
      assert.ok(paths.includes(p), `${p} in ${paths}`);
    }
  });
});

describe('incident templates', () => {
  const template = (name, extra = {}) => ({
    name,
    incident: { name: 'Data loading delayed', body: 'Imports are running late; we are on it.', impact: 'major',
      components: [{ id: 'streak-data-loading', status: 'degraded_performance' }], ...extra },
  });
  const list = async () => (await admin('GET', 'templates')).json.templates;
  let group;
  before(async () => {
    await edge.load(emptyPage('streak'));
    group = (await admin('POST', 'components', { name: 'Everything', group: true })).json.id;
  });

  test('added, listed by name, replaced and removed, each in the audit log; never in a public document', async () => {
    const made = await admin('POST', 'templates', template('Zz loading late'), { 'idempotency-key': `tpl-${Date.now()}` });
    assert.equal(made.status, 201, JSON.stringify(made.json));
    const id = made.json.template.id;
    assert.match(id, /^tpl_/);
    await admin('POST', 'templates', template('Aa outage'));
    assert.deepEqual((await list()).map((t) => t.name).slice(0, 2), ['Aa outage', 'Zz loading late']);
    const replaced = await admin('PUT', `templates/${id}`, template('Zz loading late', { body: 'Second wording.' }));
    assert.equal(replaced.status, 200, JSON.stringify(replaced.json));
    assert.equal((await list()).find((t) => t.id === id).incident.body, 'Second wording.');
    for (const path of ['/api/v2/summary.json', '/api/v2/incidents.json', '/history.atom', '/']) {
      const text = await (await fetch(edge.base + path)).text();
      assert.ok(!text.includes('Zz loading late') && !text.includes('Second wording.'), `${path} shows no template`);
    }
    assert.equal((await admin('DELETE', `templates/${id}`)).status, 200);
    assert.ok(!(await list()).some((t) => t.id === id));
    const log = (await admin('GET', 'log?limit=4')).json.entries.map((e) => e.summary);
    assert.ok(log.some((s) => s.startsWith(`removed template ${id}`)) && log.some((s) => s.startsWith(`replaced template ${id}`)), log.join('; '));
  });

  test('a retried add with its Idempotency-Key adds one template; after its removal the key adds it anew', async () => {
    const key = `tpl-retry-${Date.now()}`;
    const first = await admin('POST', 'templates', template('Retried'), { 'idempotency-key': key });
    const again = await admin('POST', 'templates', template('Retried'), { 'idempotency-key': key });
    assert.deepEqual(again.json, first.json);
    assert.equal((await list()).filter((t) => t.name === 'Retried').length, 1);
    assert.equal((await admin('DELETE', `templates/${first.json.template.id}`)).status, 200);
    const anew = await admin('POST', 'templates', template('Retried'), { 'idempotency-key': key });
    assert.equal(anew.status, 201);
    assert.notEqual(anew.json.template.id, first.json.template.id, 'not the answer for what was removed');
    assert.ok((await list()).some((t) => t.id === anew.json.template.id));
  });

  test('a template opens an incident under way: a resolved one is refused by the field', async () => {
    const res = await admin('POST', 'templates', template('Closed', { status: 'resolved' }));
    assert.equal(res.status, 422);
    assert.deepEqual(res.json.error.problems.map((p) => p.path), ['incident.status']);
  });

  const bad = [
    ['a component the page does not have', () => admin('POST', 'templates', template('x', { components: [{ id: 'nope', status: 'major_outage' }] })), 422, 'incident.components[0].id'],
    ['a group as a component', () => admin('POST', 'templates', template('x', { components: [{ id: group, status: 'major_outage' }] })), 422, 'incident.components[0].id'],
    ['a start time', () => admin('POST', 'templates', template('x', { started_at: '2026-01-01T00:00:00Z' })), 422, 'incident.started_at'],
    ['no name and no message', () => admin('POST', 'templates', template(' ', { body: '' })), 422, 'name'],
    ['malformed JSON', () => admin('POST', 'templates', '{"name": '), 400, null],
    ['unknown fields', () => admin('POST', 'templates', { ...template('x'), colour: 'red' }), 400, null],
    ['an array', () => admin('POST', 'templates', [1]), 400, null],
    ['a huge body', () => admin('POST', 'templates', template('x', { body: 'y'.repeat(130 * 1024) })), 413, null],
    ['an unknown id', () => admin('PUT', 'templates/tpl_nope', template('x')), 404, null],
    ['an unknown id to remove', () => admin('DELETE', 'templates/tpl_nope'), 404, null],
  ];
  for (const [name, send, status, path] of bad) {
    test(`${name}: ${status}, nothing kept, version unchanged`, async () => {
      const [before, count] = [await version(), (await list()).length];
      const res = await send();
      assert.equal(res.status, status, JSON.stringify(res.json));
      if (path) assert.ok(res.json.error.problems.some((p) => p.path === path), JSON.stringify(res.json.error.problems));
      assert.equal(await version(), before);
      assert.equal((await list()).length, count);
    });
  }

  test('a page keeps at most 50 templates: the 51st is refused with the reason', async () => {
    for (let n = (await list()).length; n < 50; n += 1) {
      assert.equal((await admin('POST', 'templates', template(`Template ${n}`))).status, 201);
    }
    const over = await admin('POST', 'templates', template('One too many'));
    assert.equal(over.status, 422);
    assert.equal(over.json.error.problems[0].path, 'templates');
    assert.match(over.json.error.problems[0].message, /at most 50 templates/);
    const some = (await list())[0];
    assert.equal((await admin('PUT', `templates/${some.id}`, template(some.name))).status, 200, 'a full list can still be edited');
  });
});

test('idempotent retry after a dropped response creates nothing new', async () => {
  await edge.load(emptyPage('codeship'));
  const body = { name: 'Database outage', body: 'Investigating connection timeouts', impact: 'major' };
  const key = `retry-${Date.now()}`;
  // The first attempt's response is dropped: the client aborts before reading it.
  const controller = new AbortController();
  const first = fetch(`${edge.base}/api/v2/admin/incidents`, {
    method: 'POST', signal: controller.signal,
    headers: { authorization: `Bearer ${edge.token}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(body),
  }).catch(() => null);
  await first;
  controller.abort();
  const retry = await admin('POST', 'incidents', body, { 'idempotency-key': key });
  const again = await admin('POST', 'incidents', body, { 'idempotency-key': key });
  assert.ok([200, 201].includes(retry.status));
  assert.deepEqual(again.json, retry.json, 'the same result every time');
  const incidents = (await read('/api/v2/incidents.json')).incidents;
  assert.equal(incidents.filter((i) => i.name === body.name).length, 1, 'exactly one incident');
  const other = await admin('POST', 'incidents', { ...body, name: 'Something else' }, { 'idempotency-key': key });
  assert.equal(other.status, 409, 'a key reused for another request is refused');
});

test('a create whose incident was deleted since is not replayed as if it still stood (Schemathesis found it)', async () => {
  const body = { name: 'Deleted since', body: 'Testing', impact: 'minor' };
  const key = `deleted-${Date.now()}`;
  const first = await admin('POST', 'incidents', body, { 'idempotency-key': key });
  assert.equal(first.status, 201);
  assert.equal((await admin('DELETE', `incidents/${first.json.id}`)).status, 200);
  // The same request again: its key names a new request, as after its retention.
  const again = await admin('POST', 'incidents', body, { 'idempotency-key': key });
  assert.equal(again.status, 201, JSON.stringify(again.json));
  assert.notEqual(again.json.id, first.json.id);
  assert.equal((await admin('GET', `incidents/${again.json.id}`)).status, 200, 'what the answer names exists');
  assert.deepEqual((await admin('POST', 'incidents', body, { 'idempotency-key': key })).json, again.json, 'and is replayed from now on');
});

test('a component create whose component was removed since is not replayed as if it still stood', async () => {
  const body = { name: 'Removed since' };
  const key = `removed-${Date.now()}`;
  const first = await admin('POST', 'components', body, { 'idempotency-key': key });
  assert.equal(first.status, 201, JSON.stringify(first.json));
  assert.equal((await admin('DELETE', `components/${first.json.id}`)).status, 200);
  const again = await admin('POST', 'components', body, { 'idempotency-key': key });
  assert.equal(again.status, 201, JSON.stringify(again.json));
  assert.notEqual(again.json.id, first.json.id, 'a new component, not the answer naming the removed one');
  assert.equal((await admin('DELETE', `components/${again.json.id}`)).status, 200, 'what the answer names exists');
  assert.equal((await admin('DELETE', `components/${again.json.id}`)).status, 404, 'and is gone');
});

test('an Idempotency-Key is replayed for its retention, then names a new request; expired replies are removed', async () => {
  // A two-second retention (SITREP_IDEMPOTENCY_SECS) instead of the default day.
  const short = await startEdge({ page: Buffer.from(emptyPage('codeship')), vars: { SITREP_IDEMPOTENCY_SECS: '2' } });
  try {
    const keys = async (prefix) => (await fetch(`${short.base}/__sitrep/keys?prefix=${prefix}`)).json();
    const post = (body, key) => short.admin('POST', 'incidents', body, key ? { 'idempotency-key': key } : {});
    const body = { name: 'Expiring key', body: 'first', impact: 'minor' };
    const first = await post(body, 'k1');
    assert.equal(first.status, 201, JSON.stringify(first.json));
    const retry = await post(body, 'k1');
    assert.equal(retry.headers.get('idempotent-replay'), 'true');
    assert.equal(retry.json.id, first.json.id);
    assert.deepEqual(await keys('idem/'), ['idem/k1']);

    // Within the retention another request with the key is refused; after it, the key is new.
    const second = await eventually(async () => {
      const r = await post({ ...body, body: 'second' }, 'k1');
      assert.ok([201, 409].includes(r.status), JSON.stringify(r.json));
      return r.status === 201 && r;
    }, { timeout: 15_000, interval: 250, what: 'k1 to expire' });
    assert.notEqual(second.json.id, first.json.id, 'a new incident');
    // The write that reused k1 removed k1's old entry, not its new reply.
    const replay = await post({ ...body, body: 'second' }, 'k1');
    assert.equal(replay.headers.get('idempotent-replay'), 'true');
    assert.equal(replay.json.id, second.json.id);
    assert.equal((await keys('idem-at/')).length, 1, JSON.stringify(await keys('idem-at/')));

    // Once past the retention, any write removes what expired.
    await post({ ...body, name: 'Another key' }, 'k2');
    assert.deepEqual(await keys('idem/'), ['idem/k1', 'idem/k2']);
    let n = 0;
    await eventually(async () => {
      // Each update says something new: a word-for-word repeat is refused (422 duplicate).
      n += 1;
      await short.write('POST', `incidents/${first.json.id}/updates`, { status: 'monitoring', body: `Still watching (${n}).` });
      return (await keys('idem/')).length === 0 && (await keys('idem-at/')).length === 0;
    }, { timeout: 15_000, interval: 500, what: 'expired replies to be removed' });
    const incidents = (await (await fetch(`${short.base}/api/v2/incidents.json`)).json()).incidents;
    assert.equal(incidents.length, 3, 'the first, the second (k1 reused) and k2: nothing applied twice');
  } finally {
    await short.stop();
  }
});

test('a page dated in the future is refused, and remembered keys are kept', async () => {
  await edge.load(emptyPage('codeship'));
  const body = { name: 'Before the import', body: 'Investigating', impact: 'minor' };
  const key = `future-${Date.now()}`;
  const first = await admin('POST', 'incidents', body, { 'idempotency-key': key });
  assert.equal(first.status, 201, JSON.stringify(first.json));
  const page = JSON.parse(emptyPage('codeship'));
  page.page.updated_at = '2099-01-01T00:00:00Z';
  // Review 2, finding 1: a clock ahead would carry the writer's clock with it.
  const refused = await admin('PUT', 'page', JSON.stringify(page));
  assert.equal(refused.status, 422, JSON.stringify(refused.json));
  assert.deepEqual(refused.json.error.problems.map((p) => p.path), ['page.updated_at']);
  const retry = await admin('POST', 'incidents', body, { 'idempotency-key': key });
  assert.equal(retry.headers.get('idempotent-replay'), 'true', 'expiry goes by the clock, not by dates in the data');
  assert.equal(retry.json.id, first.json.id);
});

test('every accepted write survives a restart of workerd', async () => {
  await edge.load(emptyPage('stream'));
  const id = (await admin('POST', 'incidents', {
    name: 'Before restart', body: 'one', components: [{ id: 'stream-chat-us-east', status: 'major_outage' }],
  })).json.id;
  assert.equal((await admin('POST', 'components', { name: 'Added before restart' })).status, 201);
  await admin('POST', `incidents/${id}/updates`, { status: 'identified', body: 'two' });
  const last = await admin('POST', `incidents/${id}/updates`, { status: 'monitoring', body: 'three' });
  const before = await read(`/api/v2/incidents/${id}.json`);
  await edge.restart();
  const res = await fetch(`${edge.base}/api/v2/incidents/${id}.json`);
  assert.equal(Number(res.headers.get('x-sitrep-version')), last.json.version);
  assert.deepEqual(await res.json(), before);
  const components = (await read('/api/v2/components.json')).components;
  assert.equal(components.find((c) => c.id === 'stream-chat-us-east').status, 'major_outage');
  assert.ok(components.some((c) => c.name === 'Added before restart'));
  const log = await admin('GET', 'log?limit=3');
  assert.equal(log.json.entries[0].version, last.json.version);
});

test('workerd killed in the middle of a burst of writes: retried with their keys, each applies exactly once', async (t) => {
  await edge.load(emptyPage('stream'));
  const before = await version();
  const run = Date.now();
  const writes = Array.from({ length: 120 }, (_, i) => ({
    key: `burst-${run}-${i}`,
    // Opened as resolved (a backfill): at most 12 incidents may be open at once (shared::limits).
    body: { name: `Burst ${i}`, status: 'resolved', impact: 'minor', body: `write ${i}`, components: [{ id: 'stream-chat-us-east', status: i % 2 ? 'degraded_performance' : 'partial_outage' }] },
  }));
  const send = (w) => fetch(`${edge.base}/api/v2/admin/incidents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${edge.token}`, 'content-type': 'application/json', 'idempotency-key': w.key },
    body: JSON.stringify(w.body),
  }).then(async (r) => ({ status: r.status, json: await r.json().catch(() => null) }), () => ({ status: 0, json: null }));
  // Eight operators' clients, each sending its writes one after another; workerd dies mid-way.
  const first = new Array(writes.length);
  const clients = Array.from({ length: 8 }, async (_, c) => {
    for (let i = c; i < writes.length; i += 8) first[i] = await send(writes[i]);
  });
  await eventually(async () => first.filter(Boolean).length >= 16, { interval: 2, what: 'the first writes to land' });
  await edge.crash();
  await Promise.all(clients);
  // A 201 whose body the crash cut off counts as lost to the client: it must retry too.
  const landed = first.filter((r) => r.status === 201 && r.json).length;
  const lost = writes.length - landed;
  t.diagnostic(`${landed} of ${writes.length} writes were answered before the crash; ${lost} retried after it`);
  assert.ok(lost > 0, `the crash cut some writes off (landed ${landed} of ${writes.length})`);
  // Every client retries with its key until it gets an answer.
  const results = [];
  for (const w of writes) {
    let r;
    for (let attempt = 0; attempt < 20; attempt++) {
      r = await send(w);
      if (r.status > 0 && r.status < 500) break;
      await new Promise((done) => setTimeout(done, 250));
    }
    assert.ok([200, 201].includes(r.status), `${w.key}: ${r.status} ${JSON.stringify(r.json)}`);
    results.push(r.json);
  }
  for (const [i, r] of first.entries()) {
    if (r.status === 201 && r.json) assert.equal(results[i].id, r.json.id, 'a write that landed is answered, not repeated');
  }
  assert.equal(new Set(results.map((r) => r.id)).size, writes.length, 'one incident per write');
  for (const [i, r] of results.entries()) {
    const { incident } = await read(`/api/v2/incidents/${r.id}.json`);
    assert.equal(incident.name, `Burst ${i}`);
    assert.equal(incident.incident_updates.length, 1, `${incident.name}: whole, not partial`);
    assert.equal(incident.incident_updates[0].affected_components.length, 1);
  }
  // The audit log proves there is no other: exactly one entry per write since the burst began.
  const log = await admin('GET', `log?limit=${writes.length + 5}`);
  const since = log.json.entries.filter((e) => e.version > before);
  assert.equal(since.length, writes.length, 'one audit entry per write, nothing else');
  assert.ok(since.every((e) => e.summary.startsWith('opened incident')), JSON.stringify(since.slice(0, 3)));
  assert.equal(new Set(log.json.entries.map((e) => e.version)).size, log.json.entries.length, 'versions never repeat');
});
