// `cargo xtask bench notify` (issue 15): deliveries to many webhook subscriptions on one page, in
// workerd with its real Durable Object, alarm and Queues, to one receiver on loopback. Prints one
// JSON object; progress goes to stderr.
//
// - write latency of the same write (an incident update) with no subscription, then with all of
//   them: with subscriptions that want none of these events (the write path's own cost: the outbox
//   and the wake-up), right after a restart behind a 500-event backlog none of them wants, while
//   their deliveries flow, and while every receiver is down;
// - after each timed write, a request the Worker answers without the store and a store round trip
//   that writes nothing (see `timeWrites`), to tell the store's cost from this workerd's;
// - for a few writes, the time from the write's answer to each subscription's delivery (p50, p99,
//   the last) and deliveries per second.
//
// Usage: node tests/bench/notify.mjs [subscriptions] [rounds]
import { startEdge } from '../e2e/support.mjs';
import { arrivalsOf, quantile, receiver, streakPage, updates } from './subscribers.mjs';

const N = Number(process.argv[2] ?? 1000);
const ROUNDS = Number(process.argv[3] ?? 3);
const WRITES = 40;
const log = (line) => process.stderr.write(`${line}\n`);
const page = streakPage();
const { port, server, arrivals, received: count } = await receiver();

const edge = await startEdge({ vars: { SITREP_LOCAL_TARGETS: '1' } });
try {
  await edge.load(page);
  // 12 open incidents (the most a page may have), 100 updates each: room for the backlog below.
  const update = await updates(edge, 12);
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
    let last = count();
    let since = Date.now();
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      if (count() !== last) { last = count(); since = Date.now(); } else if (Date.now() - since >= quietMs) return;
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
    const before = count();
    const t0 = performance.now();
    const { version } = await update();
    const committed = performance.now();
    const deadline = Date.now() + 600_000;
    while (arrivalsOf(arrivals, version).length < N && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    const times = arrivalsOf(arrivals, version).map((at) => at - committed);
    if (times.length < N) throw new Error(`round ${r}: ${times.length} of ${N} deliveries`);
    const first = Math.min(...times);
    const last = Math.max(...times);
    rounds.push({ write_ms: committed - t0, p50: quantile(times, 0.5), p99: quantile(times, 0.99), last, per_s: N / ((last - first) / 1000), duplicates: count() - before - N });
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

  // Issue 24, finding 2: a restart used to wake every subscription whose stored cursor lagged, and
  // each claim parsed up to 1,024 whole events. On a page of its own: the same writes with no
  // subscription right after a restart, then N subscriptions wanting only incident.resolved, 500
  // updates none of them wants, a restart of workerd, and the same writes timed from the first
  // request the new instance gets.
  await edge.stop();
  log('a second page: a backlog of 500 events none of its subscriptions wants, then a restart');
  const second = await startEdge({ vars: { SITREP_LOCAL_TARGETS: '1' } });
  let restarted;
  let baseline;
  try {
    await second.load(page);
    const next = await updates(second, 12);
    const probeSecond = async (path) => {
      const t0 = performance.now();
      const response = await fetch(`${second.base}${path}`, { headers: { authorization: `Bearer ${second.token}` } });
      await response.arrayBuffer();
      return performance.now() - t0;
    };
    // As `timeWrites`: each write, then the Worker-only request and a store round trip in its window.
    const time = async (count) => {
      const times = [];
      const worker = [];
      const store = [];
      for (let i = 0; i < count; i += 1) {
        const t0 = performance.now();
        await next();
        times.push(performance.now() - t0);
        worker.push(await probeSecond('/api/v2/no-such-document'));
        store.push(await probeSecond('/api/v2/admin/log?limit=1'));
      }
      return { ...stats(times), worker: stats(worker), store: stats(store) };
    };
    await time(10);
    // The baseline is the same writes right after a restart with no subscription: a new instance
    // loads its page whatever else it holds.
    await second.restart();
    baseline = await time(10);
    for (let i = 0; i < N; i += 1) {
      await second.write('POST', 'subscriptions', { kind: 'webhook', url: `http://127.0.0.1:${port}/later/${i}`, events: ['incident.resolved'] });
    }
    for (let i = 0; i < 500; i += 1) await next();
    await second.restart();
    restarted = await time(10);
  } finally {
    await second.stop();
  }

  console.log(JSON.stringify({ subscriptions: N, writes: WRITES, without, unwanted, restarted, restart_baseline: baseline, flowing, down, rounds }));
} finally {
  await edge.stop();
  if (server.listening) server.close();
}
