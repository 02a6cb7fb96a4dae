// Subscriptions in the write API and the outbox of events, against the built Worker in workerd:
// secrets shown once, every refusal before anything is stored (receivers on private networks
// included: the check reads the URL, no packet is sent), and the events a seed timeline replayed
// through the API leaves in the outbox, in order, none for a draft. Delivery is not built yet.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { eventually, root, startEdge } from './support.mjs';

const seed = (name) => JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'seeds', `${name}.json`), 'utf8'));

/** A page with the seed's components and no events, ready for replay. */
function emptyPage(name) {
  const data = seed(name);
  return JSON.stringify({ page: data.page, components: data.components, incidents: [], scheduled_maintenances: [] });
}

const outbox = async (edge) => (await (await fetch(`${edge.base}/__sitrep/outbox`)).json()).map((e) => e.type);

describe('in a deployed Worker (production receivers only)', () => {
  let edge;
  before(async () => { edge = await startEdge(); await edge.load(emptyPage('treasure-data')); });
  after(async () => { await edge?.stop(); });

  test('receivers on this machine or a private network are refused from the URL alone', async () => {
    for (const url of ['http://127.0.0.1:9/hook', 'https://localhost/hook', 'https://10.0.0.1/hook', 'https://169.254.169.254/',
      'https://2130706433/', 'https://[::ffff:192.168.0.1]/', 'http://hooks.example.com/']) {
      const r = await edge.admin('POST', 'subscriptions', { kind: 'webhook', url });
      assert.equal(r.status, 422, `${url}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.error.problems[0].path, 'url');
    }
    assert.deepEqual((await edge.write('GET', 'subscriptions')).subscriptions, [], 'nothing was stored');
  });
});

describe('subscriptions through the write API', () => {
  let edge;
  before(async () => {
    edge = await startEdge({ vars: { SITREP_LOCAL_TARGETS: '1' } });
    await edge.load(emptyPage('treasure-data'));
  });
  after(async () => { await edge?.stop(); });

  test('a secret is shown once, at creation, and never again', async () => {
    const created = await edge.admin('POST', 'subscriptions', { kind: 'webhook', url: 'http://127.0.0.1:9/hook' });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const { subscription, secret } = created.json;
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'Standard Webhooks form: whsec_ and 32 bytes of base64');
    assert.match(subscription.id, /^sub_/);
    assert.deepEqual([subscription.kind, subscription.url, subscription.events, subscription.components],
      ['webhook', 'http://127.0.0.1:9/hook', [], []]);
    const second = await edge.write('POST', 'subscriptions', { kind: 'slack', url: 'http://localhost:9/slack' });
    assert.notEqual(second.secret, secret, 'each subscription has its own secret');

    const everything = [
      JSON.stringify(await edge.write('GET', 'subscriptions')),
      JSON.stringify(await edge.write('PATCH', `subscriptions/${subscription.id}`, { paused: true })),
      JSON.stringify(await edge.write('GET', 'log')),
    ].join('\n');
    assert.ok(!everything.includes('whsec_'), everything);
    assert.ok(!everything.includes('/hook') && !everything.includes('/slack'), `receiver paths are credentials: ${everything}`);
    assert.ok(!everything.includes(secret.slice(6, 20)), 'not even part of it');
    await edge.write('DELETE', `subscriptions/${second.subscription.id}`);
    await edge.write('DELETE', `subscriptions/${subscription.id}`);
  });

  test('pause, resume, filters, removal, each in the audit log with its version', async () => {
    const { subscription, version } = await edge.write('POST', 'subscriptions', {
      kind: 'discord', url: 'http://127.0.0.1:9/discord', components: ['td-us'], events: ['maintenance.started'],
    });
    const paused = await edge.write('PATCH', `subscriptions/${subscription.id}`, { paused: true });
    assert.equal(paused.version, version + 1);
    assert.equal(paused.subscription.paused.reason, 'paused by the operator');
    const resumed = await edge.write('PATCH', `subscriptions/${subscription.id}`, { paused: false, events: [] });
    assert.equal(resumed.subscription.paused, undefined);
    assert.deepEqual(resumed.subscription.events, []);
    assert.deepEqual(resumed.subscription.components, ['td-us']);
    const removed = await edge.write('DELETE', `subscriptions/${subscription.id}`);
    assert.equal(removed.id, subscription.id);
    const log = (await edge.write('GET', 'log?limit=4')).entries.map((e) => e.summary);
    assert.deepEqual(log, [`removed subscription ${subscription.id}`, `resumed subscription ${subscription.id}`,
      `paused subscription ${subscription.id}`, `added subscription ${subscription.id} (127.0.0.1)`]);
    assert.deepEqual((await edge.write('GET', 'subscriptions')).subscriptions, []);
  });

  test('bad input gets a clear error and changes nothing', async () => {
    const before = await edge.write('GET', 'log?limit=1');
    const cases = [
      [{ kind: 'webhook', url: 'http://127.0.0.1:9/', secret: 'mine' }, 400, null],
      [{ kind: 'pager', url: 'http://127.0.0.1:9/' }, 400, null],
      [{ kind: 'webhook', url: 'http://127.0.0.1:9/', events: ['incident.exploded'] }, 400, null],
      [[{ kind: 'webhook' }], 400, null],
      [{ kind: 'webhook', url: 'http://127.0.0.1:9/', components: ['ghost'] }, 422, 'components[0]'],
      [{ kind: 'webhook', url: 'http://192.168.1.10/' }, 422, 'url'],
      [{ kind: 'webhook', url: 'http://127.0.0.1:9/', events: ['incident.opened', 'incident.opened'] }, 422, 'events[1]'],
    ];
    for (const [body, status, path] of cases) {
      const r = await edge.admin('POST', 'subscriptions', body);
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${JSON.stringify(r.json)}`);
      if (path) assert.equal(r.json.error.problems[0].path, path);
    }
    assert.equal((await edge.admin('PATCH', 'subscriptions/sub_nope', { paused: true })).status, 404);
    assert.equal((await edge.admin('DELETE', 'subscriptions/sub_nope')).status, 404);
    assert.equal((await edge.admin('PUT', 'subscriptions')).status, 405);
    const noToken = await fetch(`${edge.base}/api/v2/admin/subscriptions`);
    assert.equal(noToken.status, 401);
    const { subscription } = await edge.write('POST', 'subscriptions', { kind: 'webhook', url: 'http://127.0.0.1:9/' });
    const empty = await edge.admin('PATCH', `subscriptions/${subscription.id}`, {});
    assert.equal(empty.status, 422, JSON.stringify(empty.json));
    await edge.write('DELETE', `subscriptions/${subscription.id}`);
    const log = await edge.write('GET', 'log?limit=3');
    assert.equal(log.entries.length, 3);
    assert.equal(log.entries[2].version, before.entries[0].version, 'only the one added and removed here were written');
  });

  test('a retried creation with its Idempotency-Key gets the same subscription and secret', async () => {
    const body = { kind: 'webhook', url: 'http://127.0.0.1:9/retry' };
    const first = await edge.admin('POST', 'subscriptions', body, { 'idempotency-key': 'sub-retry-1' });
    const again = await edge.admin('POST', 'subscriptions', body, { 'idempotency-key': 'sub-retry-1' });
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replay'), 'true');
    assert.deepEqual(again.json, first.json);
    const listed = (await edge.write('GET', 'subscriptions')).subscriptions.filter((s) => s.id === first.json.subscription.id);
    assert.equal(listed.length, 1);
    assert.equal((await edge.write('GET', 'subscriptions')).subscriptions.length, 1, 'one subscription, not two');
    await edge.write('DELETE', `subscriptions/${first.json.subscription.id}`);
  });
});

describe('the outbox', () => {
  let edge;
  before(async () => { edge = await startEdge({ vars: { SITREP_LOCAL_TARGETS: '1' } }); });
  after(async () => { await edge?.stop(); });

  test('no subscriber, no events kept', async () => {
    await edge.load(emptyPage('treasure-data'));
    await edge.write('POST', 'incidents', { name: 'Nobody listens', body: 'Looking' });
    assert.deepEqual(await outbox(edge), []);
  });

  test('Treasure Data replayed: every event in order, none for the draft', async () => {
    await edge.load(emptyPage('treasure-data'));
    await edge.write('POST', 'subscriptions', { kind: 'webhook', url: 'http://127.0.0.1:9/hook' });
    const m = seed('treasure-data').scheduled_maintenances[0];
    const updates = [...m.incident_updates].reverse();
    const created = await edge.write('POST', 'maintenances', {
      name: m.name, body: updates[0].body, scheduled_for: m.scheduled_for, scheduled_until: m.scheduled_until,
      components: m.components.map((c) => c.id), auto_transition: false,
    });
    for (const u of updates.slice(1)) {
      await edge.write('POST', `maintenances/${created.id}/updates`, { status: u.status, body: u.body });
    }
    const pm = m.postmortem;
    await edge.write('PUT', `incidents/${created.id}/postmortem`, {
      summary: pm.summary, language: pm.language, impact_window: pm.impact_window, sections: pm.sections,
      action_items: pm.action_items, timeline: pm.timeline,
    });
    const afterDraft = await outbox(edge);
    await edge.write('POST', `incidents/${created.id}/postmortem/publish`);
    const seven = Array(7).fill('component.status_changed');
    assert.deepEqual(afterDraft, ['maintenance.scheduled', 'maintenance.started', ...seven, 'maintenance.completed', ...seven]);
    assert.deepEqual(await outbox(edge), [...afterDraft, 'postmortem.published']);
    const events = await (await fetch(`${edge.base}/__sitrep/outbox`)).json();
    assert.deepEqual(events.map((e) => e.id), [...new Set(events.map((e) => e.id))], 'ids are unique');
  });

  test('a cancelled maintenance is maintenance.cancelled to subscribers and Cancelled in every feed', async () => {
    await edge.load(emptyPage('treasure-data'));
    const earlier = (await outbox(edge)).length;
    const { id } = await edge.write('POST', 'maintenances', {
      name: 'Database upgrade', body: 'Planned.', scheduled_for: '2099-01-10T10:00:00Z', scheduled_until: '2099-01-10T11:00:00Z',
      components: ['td-us-workflow'],
    });
    await edge.write('POST', `maintenances/${id}/cancel`, {});
    assert.deepEqual((await outbox(edge)).slice(earlier), ['maintenance.scheduled', 'maintenance.cancelled']);
    const json = (await (await fetch(`${edge.base}/api/v2/incidents/${id}.json`)).json()).incident;
    assert.equal(json.status, 'completed', 'Statuspage clients see completed');
    assert.ok(json.cancelled_at);
    assert.equal(json.incident_updates[0].body, 'The scheduled maintenance has been cancelled.');
    for (const feed of ['/history.atom', '/history.rss', '/feed.json']) {
      await eventually(async () => (await (await fetch(edge.base + feed)).text()).includes('Database upgrade: Cancelled'), { what: `${feed} says Cancelled` });
      assert.ok(!(await (await fetch(edge.base + feed)).text()).includes('Database upgrade: Completed'), feed);
    }
  });

  test('a draft written before more updates stays out of their events until it is published', async () => {
    await edge.load(emptyPage('treasure-data'));
    const earlier = (await outbox(edge)).length;
    const { id } = await edge.write('POST', 'incidents', { name: 'Workflows late', body: 'Looking', components: [{ id: 'td-us-workflow', status: 'major_outage' }] });
    await edge.write('PUT', `incidents/${id}/postmortem`, { summary: 'DRAFTMARK: a queue filled up', sections: [], action_items: [], timeline: [] });
    await edge.write('POST', `incidents/${id}/updates`, { status: 'monitoring', body: 'Catching up' });
    await edge.write('POST', `incidents/${id}/updates`, { status: 'resolved', body: 'Caught up', restore: true });
    const before = (await (await fetch(`${edge.base}/__sitrep/outbox`)).json()).slice(earlier);
    assert.deepEqual(before.map((e) => e.type), ['incident.opened', 'component.status_changed', 'incident.updated', 'incident.resolved', 'component.status_changed']);
    assert.ok(!JSON.stringify(before).includes('DRAFTMARK'), 'events after the draft was written do not carry it');
    await edge.write('POST', `incidents/${id}/postmortem/publish`);
    const published = (await (await fetch(`${edge.base}/__sitrep/outbox`)).json()).at(-1);
    assert.equal(published.type, 'postmortem.published');
    assert.equal(published.incident.postmortem.summary, 'DRAFTMARK: a queue filled up');
  });
});
