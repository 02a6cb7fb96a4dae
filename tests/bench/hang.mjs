// `cargo xtask bench hang` (issue 24, finding 7): one receiver population that never answers
// beside one that does, in workerd with its real Durable Object, alarm and Queues. The answering
// population's write-to-delivery times with the hanging one present, against a run of the same
// writes where nobody hangs (measured first, in the same workerd). Prints one JSON object;
// progress goes to stderr.
//
// Usage: node tests/bench/hang.mjs [subscriptions per population] [rounds]
import { createServer } from 'node:http';

import { freePort, startEdge } from '../e2e/support.mjs';
import { arrivalsOf, quantile, receiver, streakPage, updates } from './subscribers.mjs';

const N = Number(process.argv[2] ?? 60);
const ROUNDS = Number(process.argv[3] ?? 5);
const log = (line) => process.stderr.write(`${line}\n`);
const page = streakPage();
// The answering population.
const { port: okPort, server: ok, arrivals } = await receiver();
// The hanging population: reads the request, never answers.
const hangPort = await freePort();
const held = [];
const hang = createServer((req, res) => { req.resume(); held.push(res); });
await new Promise((r) => hang.listen(hangPort, '127.0.0.1', r));

const edge = await startEdge({ vars: { SITREP_LOCAL_TARGETS: '1' } });
try {
  await edge.load(page);
  const update = await updates(edge, 4);
  const subscribe = async (port, count) => {
    for (let i = 0; i < count; i += 1) {
      await edge.write('POST', 'subscriptions', { kind: 'webhook', url: `http://127.0.0.1:${port}/hook/${i}` });
    }
  };
  const rounds = async (label) => {
    const p50s = [];
    for (let r = 0; r < ROUNDS; r += 1) {
      const { version } = await update();
      const committed = performance.now();
      const deadline = Date.now() + 300_000;
      while (arrivalsOf(arrivals, version).length < N && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
      const times = arrivalsOf(arrivals, version).map((at) => at - committed);
      if (times.length < N) throw new Error(`${label} round ${r}: ${times.length} of ${N} deliveries`);
      p50s.push(quantile(times, 0.5));
      log(`${label} round ${r + 1}: p50 ${p50s.at(-1).toFixed(0)} ms, last ${Math.max(...times).toFixed(0)} ms`);
      await new Promise((res) => setTimeout(res, 1_000));
    }
    return p50s;
  };

  log(`${N} answering subscriptions`);
  await subscribe(okPort, N);
  await rounds('warm-up');
  const alone = await rounds('nobody hangs');
  log(`${N} more subscriptions to a receiver that never answers`);
  await subscribe(hangPort, N);
  const hanging = await rounds('one population hangs');
  console.log(JSON.stringify({ subscriptions: N, rounds: ROUNDS, alone, hanging, held: held.length }));
} finally {
  await edge.stop();
  for (const res of held) res.destroy();
  ok.close();
  hang.close();
}
