// The `sitrep` operator tool against the built Worker in workerd: a full incident lifecycle, the
// Treasure Data maintenance replayed, a Statuspage import, and refusals shown plainly.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { root, startEdge } from './support.mjs';

const bin = join(root, 'target', 'debug', 'sitrep');
const seed = (name) => JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'seeds', `${name}.json`), 'utf8'));
const emptyPage = (name) => {
  const data = seed(name);
  return JSON.stringify({ page: data.page, components: data.components, incidents: [], scheduled_maintenances: [] });
};

let edge;
before(async () => { edge = await startEdge(); });
after(async () => { await edge?.stop(); });

/** Runs the tool; returns { code, out, err }. */
function sitrep(args, env = {}) {
  const run = spawnSync(bin, args, {
    env: { ...process.env, SITREP_URL: edge.base, SITREP_TOKEN: edge.token, ...env }, encoding: 'utf8', timeout: 30_000,
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

function ok(args) {
  const run = sitrep(args);
  assert.equal(run.code, 0, `sitrep ${args.join(' ')}\n${run.out}${run.err}`);
  return run.out;
}

const idOf = (out) => /\(id ([A-Za-z0-9_-]+)\)/.exec(out)?.[1];
const read = async (path) => (await fetch(edge.base + path)).json();

test('a full incident lifecycle with the CLI', async () => {
  await edge.load(emptyPage('streak'));
  const opened = ok(['incident', 'open', '--name', 'Elevated database errors', '--impact', 'major',
    '--body', 'Users cannot update boxes and contacts.', '--component', 'streak-boxes-and-contacts=partial_outage']);
  const id = idOf(opened);
  assert.ok(id, opened);
  assert.match(ok(['status']), /Partial System Outage[\s\S]*Elevated database errors/);
  ok(['incident', 'update', id, '--status', 'identified', '--body', 'The new instances are undersized.']);
  ok(['incident', 'update', id, '--status', 'monitoring', '--body', 'Migrated to larger instances.']);
  ok(['incident', 'resolve', id, '--body', 'Error rates are back to normal.']);
  const summary = await read('/api/v2/summary.json');
  assert.equal(summary.status.indicator, 'none', 'resolve put the components back');
  const file = join(mkdtempSync(join(tmpdir(), 'sitrep-pm-')), 'postmortem.md');
  writeFileSync(file, '# Postmortem\nWe moved to instances that were too small.\n\n## Cause\nQueries used **more** CPU than planned.\n\n## Action items\n- [x] Add monitoring\n- [ ] Add capacity before migrations\n');
  ok(['postmortem', 'publish', id, '--file', file]);
  const pm = (await read('/api/v2/postmortems.json')).postmortems[0];
  assert.equal(pm.incident_id, id);
  assert.equal(pm.postmortem.summary, 'We moved to instances that were too small.');
  assert.deepEqual(pm.postmortem.action_items.map((a) => a.done), [true, false]);
  const doc = await read(`/api/v2/incidents/${id}.json`);
  assert.deepEqual(doc.incident.incident_updates.map((u) => u.status).reverse(), ['investigating', 'identified', 'monitoring', 'resolved']);
  assert.equal(doc.incident.status, 'postmortem');
  assert.match(ok(['log', '--limit', '3']), /published the postmortem/);
  const json = JSON.parse(ok(['--json', 'status']));
  assert.equal(json.status.indicator, 'none');
});

test('Treasure Data replayed with the CLI', async () => {
  await edge.load(emptyPage('treasure-data'));
  const m = seed('treasure-data').scheduled_maintenances[0];
  const updates = [...m.incident_updates].reverse();
  const args = ['maintenance', 'schedule', '--name', m.name, '--body', updates[0].body, '--from', m.scheduled_for, '--until', m.scheduled_until];
  for (const c of m.components) args.push('--component', c.id);
  const id = idOf(ok(args));
  for (const u of updates.slice(1, -1)) ok(['maintenance', 'update', id, '--status', u.status, '--body', u.body]);
  ok(['maintenance', 'complete', id, '--body', updates.at(-1).body]);
  const doc = await read(`/api/v2/incidents/${id}.json`);
  const got = [...doc.incident.incident_updates].reverse();
  assert.deepEqual(got.map((u) => [u.status, u.body]), updates.map((u) => [u.status, u.body]));
});

test('refusals are shown plainly and exit non-zero', async () => {
  await edge.load(emptyPage('stream'));
  const id = idOf(ok(['incident', 'open', '--name', 'x', '--body', 'y']));
  ok(['incident', 'resolve', id, '--body', 'done']);
  const bad = sitrep(['incident', 'update', id, '--status', 'investigating', '--body', 'again']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.err, /422 \(invalid\)[\s\S]*- status: cannot move from resolved to investigating/);
  const many = sitrep(['incident', 'open', '--name', '', '--body', '', '--component', 'ghost=major_outage']);
  assert.notEqual(many.code, 0);
  for (const path of ['components[0].id', 'incident.name', 'incident.incident_updates[0].body']) assert.ok(many.err.includes(`- ${path}:`), many.err);
  const noToken = sitrep(['incident', 'open', '--name', 'x', '--body', 'y'], { SITREP_TOKEN: '' });
  assert.notEqual(noToken.code, 0);
  assert.match(noToken.err, /SITREP_TOKEN/);
  const wrong = sitrep(['incident', 'open', '--name', 'x', '--body', 'y'], { SITREP_TOKEN: 'wrong' });
  assert.match(wrong.err, /401 \(unauthorized\)/);
  assert.ok(!wrong.err.includes(edge.token));
});

test('import a real Statuspage export', async () => {
  const file = join(root, '..', 'shared', 'statuspage-samples', 'twilio-summary.json');
  ok(['import', 'statuspage', file]);
  const summary = await read('/api/v2/summary.json');
  assert.equal(summary.page.name, 'Twilio');
  assert.equal(summary.components.length, 73);
  assert.equal(summary.status.indicator, 'minor', 'a degraded component, derived by sitrep');
  const discord = sitrep(['import', 'statuspage', join(root, '..', 'shared', 'statuspage-samples', 'discord-scheduled-maintenances.json')]);
  assert.notEqual(discord.code, 0);
  assert.match(discord.err, /differs from the latest update/);
});
