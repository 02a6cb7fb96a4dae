// Trust (issue 11), against the test build in real workerd: drafts stay private, a committed write
// answers 2xx whatever KV does and publication catches up, readers never make KV older, unknown ids
// never reach the store, the limits agree, replays carry their version, links come from the page's
// URL, the audit log records the server's time and who wrote, and a short token keeps the write API off.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';

import { eventually, fixture, startEdge } from './support.mjs';

/** Every public document, and what its KV key is called. */
const PUBLIC = [
  ['/api/v2/summary.json', 'summary'], ['/api/v2/status.json', 'status'], ['/api/v2/components.json', 'components'],
  ['/api/v2/incidents.json', 'incidents'], ['/api/v2/incidents/unresolved.json', 'incidents-unresolved'],
  ['/api/v2/scheduled-maintenances.json', 'scheduled-maintenances'],
  ['/api/v2/scheduled-maintenances/upcoming.json', 'scheduled-maintenances-upcoming'],
  ['/api/v2/scheduled-maintenances/active.json', 'scheduled-maintenances-active'],
  ['/api/v2/postmortems.json', 'postmortems'], ['/badge.svg', 'badge'], ['/history.atom', 'history-atom'],
  ['/history.rss', 'history-rss'], ['/feed.json', 'feed'],
];

let edge;
before(async () => { edge = await startEdge({ page: fixture('live') }); });
after(async () => { await edge?.stop(); });

const get = async (path) => fetch(edge.base + path);
const kvVersion = async (key) => (await get(`/__sitrep/kv?key=${key}`)).json();
const stats = async (reset = false) => (await get(`/__sitrep/stats${reset ? '?reset=1' : ''}`)).json();
const fault = async (what) => assert.equal((await fetch(`${edge.base}/__sitrep/fault`, { method: 'POST', body: what })).status, 204);
const openIncident = async (name) => (await edge.write('POST', 'incidents', { name, body: `${name} began`, impact: 'minor' })).id;

/** Waits until every public document's KV entry is at `version` or newer. */
async function published(version, timeout = 20_000) {
  await eventually(async () => {
    for (const [, key] of PUBLIC) if (!((await kvVersion(key)) >= version)) return false;
    return true;
  }, { timeout, interval: 250, what: `every document in KV at version ${version}` });
}

describe('private until published', () => {
  test('a draft appears in no public document, feed or badge; once published it does', async () => {
    const marker = `DRAFT${Date.now()}MARK`;
    const id = await openIncident('Draft leak check');
    const draft = {
      summary: `summary ${marker}`,
      sections: [{ title: `title ${marker}`, body: `body ${marker}` }],
      action_items: [{ text: `item ${marker}` }],
    };
    const written = await edge.admin('PUT', `incidents/${id}/postmortem`, draft);
    assert.equal(written.status, 200, JSON.stringify(written.json));
    assert.ok(JSON.stringify(written.json).includes(marker), 'the admin side sees its draft');
    const paths = [...PUBLIC.map(([path]) => path), `/api/v2/incidents/${id}.json`, '/api/v2/uptime.json', '/badge.svg?label=api'];
    for (const path of paths) {
      const res = await get(path);
      assert.equal(res.status, 200, path);
      assert.ok(!(await res.text()).includes(marker), `${path} shows the draft`);
    }
    await published(written.version);
    for (const [path, key] of PUBLIC) {
      const res = await get(path);
      assert.ok(!(await res.text()).includes(marker), `${path} (KV ${key}) shows the draft`);
    }
    assert.equal((await edge.admin('POST', `incidents/${id}/updates`, { status: 'resolved', body: 'fixed' })).status, 200);
    assert.equal((await edge.admin('POST', `incidents/${id}/postmortem/publish`)).status, 200);
    assert.ok((await (await get('/api/v2/postmortems.json')).text()).includes(marker), 'published: listed');
    assert.ok((await (await get(`/api/v2/incidents/${id}.json`)).text()).includes(marker), 'published: on its page');
  });
});

describe('publication is the store\'s', () => {
  test('KV writes failing for 20 s during 100 writes: every write 2xx once, then KV converges', async () => {
    const before = await edge.admin('GET', 'log?limit=1');
    await fault('kv-fail 20000');
    const ids = [];
    for (let n = 0; n < 5; n += 1) ids.push(await openIncident(`Burst ${n}`));
    const answers = [];
    for (let n = 0; n < 95; n += 1) {
      const id = ids[n % ids.length];
      answers.push(edge.admin('POST', `incidents/${id}/updates`, { status: 'identified', body: `update ${n}` }));
      if (answers.length % 8 === 0) await Promise.all(answers.slice(-8));
    }
    const done = await Promise.all(answers);
    assert.deepEqual(done.filter((r) => r.status !== 200).map((r) => `${r.status} ${JSON.stringify(r.json)}`), []);
    const log = await edge.admin('GET', 'log?limit=500');
    const newer = log.json.entries.filter((e) => e.version > before.version);
    assert.equal(newer.length, 100, 'each write applied exactly once');
    const last = Math.max(...done.map((r) => r.version));
    // The writer reads its own writes while KV lags.
    assert.equal(Number((await get('/api/v2/summary.json')).headers.get('x-sitrep-version')), last);
    assert.ok((await kvVersion('summary')) < last, 'KV is behind while its writes fail');
    const recovered = Date.now();
    await fault('kv-fail 0');
    // Documented: within the longest backoff (10 s) plus a second of coalescing after KV recovers.
    await published(last, 15_000);
    console.log(`# publication caught up ${Date.now() - recovered} ms after KV recovered`);
    for (const id of ids) {
      assert.equal(await kvVersion(`incident-${id}`) >= last - 100, true, `incident-${id} published`);
      assert.equal((await edge.admin('POST', `incidents/${id}/updates`, { status: 'resolved', body: 'over' })).status, 200);
    }
  });

  test('readers racing writers never make KV older', async () => {
    let seen = 0;
    const id = await openIncident('Race');
    for (let round = 0; round < 10; round += 1) {
      const write = edge.admin('POST', `incidents/${id}/updates`, { status: 'monitoring', body: `round ${round}` });
      // Readers in flight on both sides of the commit, and right after it.
      const reads = Array.from({ length: 10 }, () => get('/api/v2/summary.json').then((r) => r.text()));
      const { version } = await write;
      await Promise.all([...reads, ...Array.from({ length: 10 }, () => get('/api/v2/summary.json').then((r) => r.text()))]);
      await eventually(async () => (await kvVersion('summary')) >= version, { what: `summary in KV at ${version}` });
      for (let n = 0; n < 5; n += 1) {
        const now = await kvVersion('summary');
        assert.ok(now >= seen && now >= version, `KV went from ${seen} to ${now}`);
        seen = now;
        await get('/api/v2/summary.json');
      }
    }
    assert.equal((await edge.admin('POST', `incidents/${id}/updates`, { status: 'resolved', body: 'over' })).status, 200);
  });
});

describe('the writer is out of reach of readers', () => {
  test('20,000 GETs of unknown ids cost the store nothing while 50 updates succeed', async () => {
    const id = await openIncident('Under flood');
    await published((await edge.admin('GET', 'log?limit=1')).version);
    // The id list in this isolate's memory and in KV, as in steady state.
    assert.equal((await get(`/api/v2/incidents/${id}.json`)).status, 200);
    await stats(true);
    const statuses = {};
    const flood = async () => {
      for (let n = 0; n < 20_000 / 25; n += 1) {
        let key;
        try {
          const res = await get(`/api/v2/incidents/r${Math.random().toString(36).slice(2)}.json`);
          const body = await res.text();
          key = res.status === 404 ? 404 : `${res.status} ${body.slice(0, 200)}`;
        } catch (err) {
          key = `failed: ${err.cause?.code ?? err.message}`;
        }
        statuses[key] = (statuses[key] ?? 0) + 1;
      }
    };
    const operator = async () => {
      const answers = [];
      for (let n = 0; n < 50; n += 1) {
        answers.push((await edge.admin('POST', `incidents/${id}/updates`, { status: 'identified', body: `flood ${n}` })).status);
      }
      return answers;
    };
    const [answers] = await Promise.all([operator(), ...Array.from({ length: 25 }, () => flood())]);
    assert.deepEqual(answers.filter((s) => s !== 200), [], 'every update succeeded');
    assert.deepEqual(statuses, { 404: 20_000 }, 'every unknown id answered 404');
    // What this isolate (the only one locally) sent the store while the flood ran.
    const { calls } = await stats();
    console.log(`# requests to the store during the flood: ${JSON.stringify(calls)}`);
    assert.equal(calls.admin, 50, 'the operator\'s writes were counted');
    assert.equal(calls.render_incident ?? 0, 0, 'no unknown id reached the store');
    // After each write this isolate reads its own write: the documents it needs come from the store
    // once per request already waiting (at most the 25 clients), never once per flood request.
    assert.ok((calls.render ?? 0) <= 25 * 50, `${calls.render} renders for 50 writes`);
    assert.equal((await edge.admin('POST', `incidents/${id}/updates`, { status: 'resolved', body: 'over' })).status, 200);
  });
});

describe('imports', () => {
  test('an incident an import removed is answered 404, not from an old copy', async () => {
    const id = await openIncident('Removed by the next import');
    assert.equal((await get(`/api/v2/incidents/${id}.json`)).status, 200);
    await published((await edge.admin('GET', 'log?limit=1')).version);
    const page = JSON.parse(fixture('live'));
    await edge.load(Buffer.from(JSON.stringify(page)));
    assert.equal((await get(`/api/v2/incidents/${id}.json`)).status, 404);
  });
});

describe('limits that agree', () => {
  test('40 updates of 60 KB, then resolve: 2xx or a clear 413/422, never 5xx, and the resolve works', async () => {
    const id = await openIncident('Very long updates');
    const statuses = [];
    for (let n = 0; n < 40; n += 1) {
      const body = `${n} ${'x'.repeat(60_000)}`;
      const r = await edge.admin('POST', `incidents/${id}/updates`, { status: 'identified', body });
      statuses.push(r.status);
      assert.ok([200, 413, 422].includes(r.status), `update ${n}: ${r.status}`);
      if (r.status === 422) assert.ok(r.json.error.problems.some((p) => p.path.endsWith('body')), JSON.stringify(r.json));
    }
    // Bodies at the character limit, in three-byte characters: accepted until the incident is full.
    let accepted = 0;
    let refused;
    for (let n = 0; n < 40; n += 1) {
      // Each differs from the last (a word-for-word repeat is refused as such).
      const r = await edge.admin('POST', `incidents/${id}/updates`, { status: 'identified', body: `${n}${'漢'.repeat(7_990)}` });
      assert.ok([200, 422].includes(r.status), `CJK update ${n}: ${r.status} ${JSON.stringify(r.json)}`);
      if (r.status === 200) accepted += 1; else { refused = r.json; break; }
    }
    assert.ok(accepted > 0 && refused, `accepted ${accepted}, then refused`);
    assert.equal(refused.error.problems[0].path, 'incident', JSON.stringify(refused));
    const over = await edge.admin('POST', `incidents/${id}/updates`, { status: 'identified', body: '漢'.repeat(25_000) });
    assert.equal(over.status, 422, '25,000 CJK characters: the field rule answers, not the request cap');
    assert.ok(over.json.error.problems.some((p) => p.path.endsWith('.body')), JSON.stringify(over.json));
    const resolved = await edge.admin('POST', `incidents/${id}/updates`, { status: 'resolved', body: '漢'.repeat(8_000) });
    assert.equal(resolved.status, 200, JSON.stringify(resolved.json));
    const summary = await (await get('/api/v2/summary.json')).text();
    assert.ok(summary.length < 4 * 1024 * 1024, `summary.json is ${summary.length} bytes`);
  });
});

describe('smaller findings', () => {
  test('an idempotent replay carries X-Sitrep-Version', async () => {
    const key = `replay-${Date.now()}`;
    const first = await edge.admin('POST', 'incidents', { name: 'Replayed', body: 'once' }, { 'idempotency-key': key });
    assert.equal(first.status, 201);
    const again = await edge.admin('POST', 'incidents', { name: 'Replayed', body: 'once' }, { 'idempotency-key': key });
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replay'), 'true');
    assert.equal(again.version, first.version, 'the replay names the version the write produced');
    assert.equal((await edge.admin('POST', `incidents/${first.json.id}/updates`, { status: 'resolved', body: 'over' })).status, 200);
  });

  test('feed links come from the page\'s URL, never the request\'s Host', async () => {
    const url = new URL(edge.base);
    const body = await new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: url.port, path: '/history.atom', headers: { host: 'evil.example' } }, (res) => {
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    assert.ok(body.includes('<feed'), body.slice(0, 200));
    assert.ok(!body.includes('evil.example'), 'a request\'s Host leaked into the feed');
    const page = (await (await get('/api/v2/status.json')).json()).page;
    assert.ok(body.includes(`${page.url}/history.atom`), 'links start at the page URL');
  });

  test('the audit log takes the server\'s time and who wrote, not the body\'s', async () => {
    const page = JSON.parse(fixture('live'));
    page.page.updated_at = '2001-01-01T00:00:00.000Z';
    const before = Date.now();
    const loaded = await edge.load(Buffer.from(JSON.stringify(page)));
    const log = await edge.admin('GET', 'log?limit=1');
    const entry = log.json.entries[0];
    assert.equal(entry.version, loaded.version);
    assert.ok(Date.parse(entry.at) >= before - 1_000, `audit time ${entry.at} came from the body`);
    assert.match(entry.by.client, /^[0-9a-f]{16}$/, 'the client, hashed');
    assert.ok(!JSON.stringify(entry).includes('127.0.0.1'), 'no address in the log');
    assert.match(entry.by.user_agent ?? '', /node|undici/i);
  });
});

test('a token shorter than 32 characters keeps the write API off, with a clear error', async () => {
  const weak = await startEdge({ vars: { SITREP_ADMIN_TOKEN: 'short-token' } });
  try {
    const res = await fetch(`${weak.base}/api/v2/admin/incidents`, {
      method: 'POST', headers: { authorization: 'Bearer short-token', 'content-type': 'application/json' }, body: '{}',
    });
    assert.equal(res.status, 503);
    const body = await res.json();
    assert.equal(body.error.code, 'weak_admin_token');
    assert.match(body.error.message, /at least 32 characters/);
  } finally {
    await weak.stop();
  }
});
