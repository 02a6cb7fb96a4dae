// `cargo xtask bench notify` (issue 15): deliveries to many webhook subscriptions on one page, in
// workerd with its real Durable Object, alarm and Queues, to one receiver on loopback. Prints one
// JSON object; progress goes to stderr.
//
// - write latency of the same write (an incident update) with no subscription, then with all of
//   them: with subscriptions that want none of these events (the write path's own cost: the outbox
//   and the wake-up), while their deliveries flow, and while every receiver is down;
// - after each timed write, a request the Worker answers without the store and a store round trip
//   that writes nothing (see `timeWrites`), to tell the store's cost from this workerd's;
// - for a few writes, the time from the write's answer to each subscription's delivery (p50, p99,
//   the last) and deliveries per second.
//
// Usage: node tests/bench/notify.mjs [subscriptions] [rounds]
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

import { freePort, root, startEdge } from '../e2e/support.mjs';

const N = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 3);
const WRITES = 40;
const log = (line) => process.stderr.write(`${line}\n`);
const quantile = (list, q) => {
  const s = [...list].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

const data = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'seeds', 'streak.json'), 'utf8'));
const page = JSON.stringify({ page: data.page, components: data.components, incidents: [], scheduled_maintenances: [] });

// The receiver: every delivery's arrival time, by webhook-id.
const arrivals = new Map();
let received = 0;
const port = await freePort();
const server = createServer((req, res) => {
  const id = req.headers['webhook-id'];
  const at = performance.now();
  req.resume();
  req.on('end', () => {
    received += 1;
    if (!arrivals.has(id)) arrivals.set(id, []);
    arrivals.get(id).push(at);
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 60_000;
await new Promise((r) => server.listen(port, '127.0.0.1', r));

const edge = await startEdge({ vars: { SITREP_LOCAL_TARGETS: '1' } });
try {
  await edge.load(page);
  // Updates go round several incidents (an incident takes at most 100).
  const incidents = [];
  for (let i = 0; i < 6; i += 1) incidents.push((await edge.write('POST', 'incidents', { name: `Bench ${i}`, body: 'Looking' })).id);
  let n = 0;
  const update = () => {
    n += 1;
    const incident = incidents[n % incidents.length];
    const status = Math.floor(n / incidents.length) % 2 ? 'identified' : 'investigating';
    return edge.write('POST', `incidents/${incident}/updates`, { status, body: `Update ${n}`, force: true });
  };
  // After each timed write, two probes in the same window, so that the write's slowdown can be
  // split into what every request of this workerd suffers and what the store adds:
  // - `worker`: a path the Worker answers 404 without the store (this workerd's floor: one thread
  //   runs the Worker, the store and the queue consumer);
  // - `store`: a store round trip that writes nothing (`GET log?limit=1`, its queue and its work).
  const auth = { authorization: `Bearer ${edge.token}` };
  const probe = async (path) => {
    const t0 = performance.now();
    const response = await fetch(`${edge.base}${path}`, { headers: auth });
    await response.arrayBuffer();
    return performance.now() - t0;
  };
  const stats = (times) => ({ p50: quantile(times, 0.5), p99: quantile(times, 0.99), mean: times.reduce((a, b) => a + b, 0) / times.length });
  const timeWrites = async (count) => {
    const times = [];
    const worker = [];
    const store = [];
    for (let i = 0; i < count; i += 1) {
      const t0 = performance.now();
      await update();
      times.push(performance.now() - t0);
      worker.push(await probe('/api/v2/no-such-document'));
      store.push(await probe('/api/v2/admin/log?limit=1'));
    }
    return { ...stats(times), worker: stats(worker), store: stats(store) };
  };
  const settle = async (quietMs = 1500, timeoutMs = 600_000) => {
    const deadline = Date.now() + timeoutMs;
    let last = received;
    let since = Date.now();
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      if (received !== last) { last = received; since = Date.now(); } else if (Date.now() - since >= quietMs) return;
    }
    throw new Error('deliveries never settled');
  };

  await timeWrites(10); // warm-up
  log('write latency without subscriptions');
  const without = await timeWrites(WRITES);

  log(`adding ${N} subscriptions that want only incident.resolved (these updates are not theirs)`);
  const ids = [];
  for (let i = 0; i < N; i += 1) {
    const { subscription } = await edge.write('POST', 'subscriptions', { kind: 'webhook', url: `http://127.0.0.1:${port}/hook/${i}`, events: ['incident.resolved'] });
    ids.push(subscription.id);
    if ((i + 1) % 200 === 0) log(`  ${i + 1}/${N}`);
  }
  await timeWrites(5);
  log('write latency with subscriptions that want none of the writes');
  const unwanted = await timeWrites(WRITES);

  log('every subscription now wants every event');
  for (const [i, id] of ids.entries()) {
    await edge.write('PATCH', `subscriptions/${id}`, { events: [] });
    if ((i + 1) % 200 === 0) log(`  ${i + 1}/${N}`);
  }
  await settle();

  const rounds = [];
  for (let r = 0; r < ROUNDS; r += 1) {
    const before = received;
    const t0 = performance.now();
    const { version } = await update();
    const committed = performance.now();
    const event = `evt_${version}_0`;
    const deadline = Date.now() + 600_000;
    while ((arrivals.get(event)?.length ?? 0) < N && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    const times = (arrivals.get(event) ?? []).map((at) => at - committed);
    if (times.length < N) throw new Error(`round ${r}: ${times.length} of ${N} deliveries`);
    const first = Math.min(...times);
    const last = Math.max(...times);
    rounds.push({ write_ms: committed - t0, p50: quantile(times, 0.5), p99: quantile(times, 0.99), last, per_s: N / ((last - first) / 1000), duplicates: received - before - N });
    log(`round ${r + 1}: last delivery ${last.toFixed(0)} ms after the write, ${rounds.at(-1).per_s.toFixed(0)}/s`);
    await settle();
  }

  log('write latency while deliveries flow (each write is sent to every subscription)');
  const flowing = await timeWrites(10);
  await settle();

  log('write latency while every receiver is down (each write fails at every subscription, then retries)');
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  const down = await timeWrites(10);

  console.log(JSON.stringify({ subscriptions: N, writes: WRITES, without, unwanted, flowing, down, rounds }));
} finally {
  await edge.stop();
  if (server.listening) server.close();
}
