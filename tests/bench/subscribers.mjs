// What the delivery benches share (`notify.mjs`, `hang.mjs`): the page they run on, a receiver
// that records each delivery's arrival by webhook-id, incident updates spread over a few
// incidents, and a quantile.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

import { freePort, root } from '../e2e/support.mjs';

/** Streak's components, no events. */
export function streakPage() {
  const data = JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'seeds', 'streak.json'), 'utf8'));
  return JSON.stringify({ page: data.page, components: data.components, incidents: [], scheduled_maintenances: [] });
}

export const quantile = (list, q) => {
  const s = [...list].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

/**
 * A receiver on loopback answering 204: `arrivals` maps each webhook-id to its arrival times,
 * `received()` counts deliveries. Returns { port, server, arrivals, received }.
 */
export async function receiver() {
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
  return { port, server, arrivals, received: () => received };
}

/** `count` open incidents and a function posting the next update, round them (an incident takes 100). */
export async function updates(edge, count) {
  const incidents = [];
  for (let i = 0; i < count; i += 1) incidents.push((await edge.write('POST', 'incidents', { name: `Bench ${i}`, body: 'Looking' })).id);
  let n = 0;
  return () => {
    n += 1;
    const incident = incidents[n % incidents.length];
    const status = Math.floor(n / incidents.length) % 2 ? 'identified' : 'investigating';
    return edge.write('POST', `incidents/${incident}/updates`, { status, body: `Update ${n}`, force: true });
  };
}

/** The arrival times of the first event of page `version` (ids are evt_{stream}_{version}_{n}). */
export function arrivalsOf(arrivals, version) {
  const id = [...arrivals.keys()].find((key) => key?.endsWith(`_${version}_0`));
  return arrivals.get(id) ?? [];
}
