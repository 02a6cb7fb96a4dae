// The `sitrep` operator tool against the built Worker in workerd: a full incident lifecycle with a
// Markdown postmortem round trip, the Treasure Data maintenance replayed, cancel and reschedule,
// auto-transition at a window's edges, a Statuspage import, and every mistake of issue 13 answered
// in the operator's words (snapshot: tests/snapshots/cli-mistakes.txt; UPDATE_EXPECT=1 rewrites it, as expect-test does for the Rust snapshots).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { eventually, root, serve, startEdge } from './support.mjs';

const bin = join(root, 'target', 'debug', 'sitrep');
const seed = (name) => JSON.parse(readFileSync(join(root, 'tests', 'fixtures', 'seeds', `${name}.json`), 'utf8'));
const emptyPage = (name) => {
  const data = seed(name);
  return JSON.stringify({ page: data.page, components: data.components, incidents: [], scheduled_maintenances: [] });
};
const dir = mkdtempSync(join(tmpdir(), 'sitrep-cli-'));

let edge;
// Local development's receivers (this machine) are allowed, as under `cargo xtask dev`.
before(async () => { edge = await startEdge({ vars: { SITREP_LOCAL_TARGETS: '1' } }); });
after(async () => { await edge?.stop(); });

/** Runs the tool; returns { code, out, err }. */
function sitrep(args, env = {}) {
  const run = spawnSync(bin, args, {
    cwd: dir,
    env: { ...process.env, SITREP_URL: edge.base, SITREP_TOKEN: edge.token, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

function ok(args) {
  const run = sitrep(args);
  assert.equal(run.code, 0, `sitrep ${args.join(' ')}\n${run.out}${run.err}`);
  return run.out;
}

function refused(args, env) {
  const run = sitrep(args, env);
  assert.notEqual(run.code, 0, `sitrep ${args.join(' ')} was accepted:\n${run.out}`);
  return run.err;
}

const idOf = (out) => /(?:opened incident|scheduled maintenance) ([A-Za-z0-9_-]+)/.exec(out)?.[1];
const read = async (path) => (await fetch(edge.base + path)).json();
const version = async () => Number((await fetch(`${edge.base}/api/v2/status.json`)).headers.get('x-sitrep-version'));

const POSTMORTEM = `---
language: en
time_zone: Europe/Amsterdam
impact_start: 2020-12-09 12:28
impact_end: 2020-12-09T17:38Z
---
# Chat events were not delivered

A rolling deploy dropped 66% of chat message events.

We are sorry.

## Timeline
- 2020-12-09 12:28: The rolling deploy starts.
- 2020-12-09 ~22:00 — Around ten, queues back up in Singapore.
- 2020-12-10: Backfill finished.

## What went wrong
Queries used **more** CPU than planned.

## Action items
- [x] Add monitoring
- [ ] Add capacity before migrations
`;

test('a full incident lifecycle with the CLI, a second resolve refused, the Markdown postmortem kept whole', async () => {
  await edge.load(emptyPage('streak'));
  const opened = ok(['incident', 'open', '--name', 'Elevated database errors', '--impact', 'major',
    '--body', 'Users cannot update boxes and contacts.', '--component', 'streak-boxes-and-contacts=partial-outage']);
  const id = idOf(opened);
  assert.ok(id, opened);
  assert.match(opened, /streak-boxes-and-contacts \(.*\): operational -> partial_outage/);
  assert.match(ok(['status']), /Partial System Outage[\s\S]*Elevated database errors/);
  assert.match(ok(['incident', 'list']), new RegExp(`incident ${id} \\[investigating, major\\]`));
  ok(['incident', 'update', id, '--status', 'identified', '--body', 'The new instances are undersized.']);
  ok(['incident', 'update', id, '--status', 'monitoring', '--body', 'Migrated to larger instances.']);
  assert.match(ok(['incident', 'resolve', id, '--body', 'Error rates are back to normal.']), /partial_outage -> operational/);
  const summary = await read('/api/v2/summary.json');
  assert.equal(summary.status.indicator, 'none', 'resolve put the components back');

  // A second resolve would tell readers again: refused, nothing written, unless forced.
  const before = await version();
  const again = refused(['incident', 'resolve', id, '--body', 'Really fixed.']);
  assert.match(again, new RegExp(`--status: ${id} is already resolved; another resolved update would tell readers again \\(--force posts it anyway\\)`));
  assert.equal(await version(), before, 'nothing changed');

  // Publishing on an unresolved incident writes nothing.
  const open = idOf(ok(['incident', 'open', '--name', 'Still open', '--body', 'Looking.']));
  writeFileSync(join(dir, 'postmortem.md'), POSTMORTEM);
  const early = refused(['postmortem', 'publish', open, '--file', 'postmortem.md']);
  assert.match(early, /is investigating: resolve it before publishing its postmortem \(nothing was written/);
  assert.equal((await edge.admin('GET', `incidents/${open}/postmortem/preview`)).status, 404, 'no draft was written');

  // Draft: written and previewed, not public.
  const drafted = ok(['postmortem', 'draft', id, '--file', 'postmortem.md', '--preview', 'preview.html']);
  assert.match(drafted, /sections: What went wrong[\s\S]*timeline: 3 entries[\s\S]*action items: 2 \(1 done\)[\s\S]*impact: 2020-12-09 03:28 PST to 2020-12-09 09:38 PST/);
  const preview = readFileSync(join(dir, 'preview.html'), 'utf8');
  for (const text of ['What went wrong', 'Queries used <strong>more</strong> CPU', 'Add capacity before migrations', 'Around ten, queues back up']) {
    assert.ok(preview.includes(text), `the preview shows ${text}`);
  }
  assert.equal((await read(`/api/v2/incidents/${id}.json`)).incident.postmortem, undefined, 'the draft is not public');

  ok(['postmortem', 'publish', id]);
  // Once published, a new draft is a private revision (review 2, finding 14): readers keep the
  // published text until the revision is published, and the revision is previewed.
  writeFileSync(join(dir, 'revision.md'), POSTMORTEM.replace('We are sorry.', 'We are sorry; REVISED-7c1d.'));
  const revised = sitrep(['postmortem', 'draft', id, '--file', 'revision.md', '--preview', 'revision.html']);
  assert.equal(revised.code, 0, revised.err);
  assert.match(revised.err, /a revision of the published postmortem/);
  assert.ok(readFileSync(join(dir, 'revision.html'), 'utf8').includes('REVISED-7c1d'), 'the preview shows the revision');
  for (const path of [`/api/v2/incidents/${id}.json`, '/api/v2/postmortems.json', '/feed.json']) {
    assert.doesNotMatch(JSON.stringify(await read(path)), /REVISED-7c1d/, `${path} keeps the published text`);
  }
  assert.doesNotMatch(await (await fetch(`${edge.base}/incidents/${id}`)).text(), /REVISED-7c1d/);
  ok(['postmortem', 'publish', id]);
  await eventually(async () => JSON.stringify(await read(`/api/v2/incidents/${id}.json`)).includes('REVISED-7c1d'), { what: 'the revision published' });
  ok(['postmortem', 'publish', id, '--file', 'postmortem.md']);
  const pm = (await read('/api/v2/postmortems.json')).postmortems[0];
  assert.equal(pm.incident_id, id);
  const p = pm.postmortem;
  assert.equal(p.summary, 'A rolling deploy dropped 66% of chat message events.\n\nWe are sorry.');
  assert.equal(p.language, 'en');
  assert.deepEqual(p.impact_window, { start: '2020-12-09T11:28:00.000Z', end: '2020-12-09T17:38:00.000Z' });
  assert.deepEqual(p.sections, [{ title: 'What went wrong', body: 'Queries used **more** CPU than planned.' }]);
  assert.deepEqual(p.timeline.map((e) => [e.at, e.precision]), [
    ['2020-12-09T11:28:00.000Z', 'minute'], ['2020-12-09T21:00:00.000Z', 'hour'], ['2020-12-09T23:00:00.000Z', 'day']]);
  assert.deepEqual(p.action_items, [{ text: 'Add monitoring', done: true }, { text: 'Add capacity before migrations', done: false }]);
  const doc = await read(`/api/v2/incidents/${id}.json`);
  assert.deepEqual(doc.incident.incident_updates.map((u) => u.status).reverse(), ['investigating', 'identified', 'monitoring', 'resolved']);
  assert.equal(doc.incident.status, 'postmortem');
  assert.match(ok(['log', '--limit', '3']), /published the revision of the postmortem/, 'the audit log says a revision replaced the published text');
  const json = JSON.parse(ok(['--json', 'status']));
  assert.equal(json.status.indicator, 'minor', 'the other incident is still open');
});

test('Treasure Data replayed with the CLI', async () => {
  await edge.load(emptyPage('treasure-data'));
  const m = seed('treasure-data').scheduled_maintenances[0];
  const updates = [...m.incident_updates].reverse();
  // The window opens now (and moves only by hand): a window already over is only a record (see
  // the --record test), and this replays the story's updates.
  const args = ['maintenance', 'schedule', '--name', m.name, '--body', updates[0].body, '--from', 'now', '--duration', '1h', '--manual'];
  for (const c of m.components) args.push('--component', c.id);
  const id = idOf(ok(args));
  for (const u of updates.slice(1, -1)) ok(['maintenance', 'update', id, '--status', u.status, '--body', u.body]);
  ok(['maintenance', 'complete', id, '--body', updates.at(-1).body]);
  const doc = await read(`/api/v2/incidents/${id}.json`);
  const got = [...doc.incident.incident_updates].reverse();
  assert.deepEqual(got.map((u) => [u.status, u.body]), updates.map((u) => [u.status, u.body]));
});

test('a maintenance is rescheduled, then cancelled; readers see it cancelled', async () => {
  await edge.load(emptyPage('treasure-data'));
  const id = idOf(ok(['maintenance', 'schedule', '--name', 'Database upgrade', '--body', 'Planned work.',
    '--from', '+2h', '--duration', '1h', '--component', 'td-us-workflow']));
  assert.match(ok(['maintenance', 'list']), new RegExp(`maintenance ${id} \\[scheduled, maintenance, automatic\\] Database upgrade`));
  ok(['maintenance', 'reschedule', id, '--from', '2099-01-10 02:00', '--duration', '90m']);
  let m = (await read(`/api/v2/incidents/${id}.json`)).incident;
  // 02:00 in the page's zone (Los Angeles, PST in January).
  assert.equal(m.scheduled_for, '2099-01-10T10:00:00.000Z');
  assert.equal(m.scheduled_until, '2099-01-10T11:30:00.000Z');
  assert.match(ok(['maintenance', 'cancel', id, '--body', 'Postponed: the vendor moved the release.']), /cancelled maintenance/);
  m = (await read(`/api/v2/incidents/${id}.json`)).incident;
  assert.equal(m.status, 'completed', 'Statuspage clients see a completed maintenance');
  assert.ok(m.cancelled_at, 'with cancelled_at');
  assert.equal((await read('/api/v2/summary.json')).components.find((c) => c.id === 'td-us-workflow').status, 'operational');
  await eventually(async () => (await (await fetch(`${edge.base}/incidents/${id}`)).text()).includes('Cancelled'), { what: 'the page says Cancelled' });
  assert.match(refused(['maintenance', 'cancel', id, '--body', 'again']), new RegExp(`${id} is already cancelled`));
  assert.match(refused(['maintenance', 'reschedule', id, '--until', '+5h']), /its window cannot move any more/);
});

test('auto-transition: a maintenance moves to in progress and completed at its window edges, with its components', async () => {
  await edge.load(emptyPage('treasure-data'));
  const id = idOf(ok(['maintenance', 'schedule', '--name', 'Quick failover', '--body', 'A short window.',
    '--from', '+4s', '--duration', '12s', '--component', 'td-us-rest-api']));
  // The store's own copy, then what readers get (published within seconds).
  const stored = async () => (await edge.admin('GET', `maintenances/${id}`)).json.incident;
  const component = async () => (await read('/api/v2/summary.json')).components.find((c) => c.id === 'td-us-rest-api').status;
  await eventually(async () => (await stored()).status === 'in_progress', { timeout: 30_000, what: 'in_progress at the window start' });
  await eventually(async () => (await component()) === 'under_maintenance', { timeout: 15_000, what: 'its component under maintenance' });
  // The widget's frame lists the component under maintenance (operational before the move).
  await eventually(async () => /Under maintenance/.test(await (await fetch(`${edge.base}/embed/frame?view=full`)).text()),
    { timeout: 15_000, what: 'the widget shows it' });
  await eventually(async () => (await stored()).status === 'completed', { timeout: 30_000, what: 'completed at the window end' });
  await eventually(async () => (await component()) === 'operational', { timeout: 15_000, what: 'its component back' });
  const updates = (await stored()).incident_updates.map((u) => [u.status, u.body]).reverse();
  assert.deepEqual(updates, [
    ['scheduled', 'A short window.'],
    ['in_progress', 'Scheduled maintenance is in progress. We will provide updates as necessary.'],
    ['completed', 'The scheduled maintenance has been completed.'],
  ]);
  const log = (await edge.admin('GET', 'log?limit=5')).json;
  assert.ok(log.entries.some((e) => e.by?.client === 'sitrep' && e.summary === `posted in_progress update to ${id}`), 'logged as the alarm');
  // --manual: nothing moves by itself.
  const manual = idOf(ok(['maintenance', 'schedule', '--name', 'Manual', '--body', 'By hand.', '--from', '+1s', '--duration', '2s', '--manual']));
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  assert.equal((await edge.admin('GET', `maintenances/${manual}`)).json.incident.status, 'scheduled');
});

test('every mistake is answered in the operator\'s words, before anything is sent', async () => {
  await edge.load(emptyPage('treasure-data'));
  const id = idOf(ok(['incident', 'open', '--name', 'Workflow delays', '--body', 'Looking.']));
  const start = await version();
  const cases = [
    ['status typo', ['incident', 'update', id, '--status', 'identifed', '--body', 'x']],
    ['impact typo', ['incident', 'open', '--name', 'n', '--body', 'b', '--impact', 'majr']],
    ['component status typo', ['incident', 'update', id, '--status', 'identified', '--body', 'x', '--component', 'td-us-workflow=major-outag']],
    ['component id typo', ['component', 'set', 'td-us-workflw', '--status', 'major_outage']],
    ['a group has no status of its own', ['incident', 'update', id, '--status', 'identified', '--body', 'x', '--component', 'td-us=major_outage']],
    ['unknown incident', ['incident', 'resolve', 'nosuch', '--body', 'x']],
    ['incident typo', ['incident', 'resolve', `${id}x`, '--body', 'x']],
    ['a maintenance command on an incident', ['maintenance', 'complete', id, '--body', 'x']],
    ['a time that is not one', ['maintenance', 'schedule', '--name', 'n', '--body', 'b', '--from', 'tomorrow', '--duration', '1h']],
    ['a window that ends first', ['maintenance', 'schedule', '--name', 'n', '--body', 'b', '--from', '2099-01-10 02:00', '--until', '2099-01-10 01:00']],
    ['a flag that does not apply', ['component', 'list', '--status', 'major_outage']],
    ['a malformed postmortem', ['postmortem', 'draft', id, '--file', 'bad.md']],
    // Refused by the edge (422): the problem is named by the flag, not the JSON path.
    ['a name over the limit', ['incident', 'open', '--name', 'n'.repeat(300), '--body', 'b']],
    ['a component named by its last part', ['component', 'set', 'rest-api', '--status', 'major_outage']],
    ['every mistyped component is named, not the first', ['incident', 'open', '--name', 'n', '--body', 'b',
      '--component', 'td-us-workflw=major_outage', '--component', 'td-us-consol=degraded_performance', '--component', 'td-us-rest-api=partial_outage']],
  ];
  writeFileSync(join(dir, 'bad.md'), 'Summary.\n\n## Timeline\n- yesterday: it broke\n\n## Action items\n- fix it\n');
  let transcript = '';
  for (const [what, args] of cases) {
    const run = sitrep(args);
    assert.notEqual(run.code, 0, `${what}: accepted`);
    const shown = args.map((a) => (a.length > 60 ? `${a.slice(0, 10)}...(${a.length} characters)` : a)).join(' ');
    // Examples in messages are dated from today (never in the past): the snapshot names no day.
    const said = run.err.replaceAll(id, 'ID').replace(/\b20\d\d-\d\d-\d\d/g, 'YYYY-MM-DD').trimEnd();
    transcript += `## ${what}\n$ sitrep ${shown.replaceAll(id, 'ID')}\n${said}\n\n`;
  }
  const bare = sitrep(['status'], { SITREP_URL: '127.0.0.1:8787' });
  transcript += `## SITREP_URL without a scheme\n$ SITREP_URL=127.0.0.1:8787 sitrep status\n${bare.err.trimEnd()}\n`;
  const { SITREP_URL: _, ...unset } = process.env;
  const missing = spawnSync(bin, ['status'], { cwd: dir, env: unset, encoding: 'utf8', timeout: 30_000 });
  transcript += `\n## SITREP_URL not set\n$ sitrep status\n${missing.stderr.trimEnd()}\n`;
  const file = join(root, 'tests', 'snapshots', 'cli-mistakes.txt');
  if (process.env.UPDATE_EXPECT === '1') writeFileSync(file, transcript);
  assert.ok(existsSync(file), `${file} is missing: run with UPDATE_EXPECT=1 to write it, and review it`);
  assert.equal(transcript, readFileSync(file, 'utf8'), 'the messages changed: review and rerun with UPDATE_EXPECT=1');
  assert.equal(await version(), start, 'none of them changed the page');
  // What works now that did not: dashes in statuses, local times, --version, help per subcommand.
  ok(['component', 'set', 'td-us-workflow', '--status', 'major-outage']);
  assert.match(ok(['--version']), /^sitrep \d+\.\d+\.\d+/);
  const help = (args) => ok([...args, '--help']);
  assert.notEqual(help(['incident', 'update']), help(['component', 'set']));
  assert.match(help(['incident', 'update']), /investigating, identified,\s+monitoring, resolved/);
  assert.match(help(['postmortem']), /## Action items/);
  assert.match(ok(['component', 'list']), /td-us-workflow\s+major_outage\s+Workflow/);
  const noToken = refused(['incident', 'open', '--name', 'x', '--body', 'y'], { SITREP_TOKEN: '' });
  assert.match(noToken, /SITREP_TOKEN/);
  const wrong = refused(['incident', 'open', '--name', 'x', '--body', 'y'], { SITREP_TOKEN: 'wrong' });
  assert.match(wrong, /401 \(unauthorized\)/);
  assert.ok(!wrong.includes(edge.token));
});

test('the tool in a pipe, its User-Agent, a cancellation without words, maintenances by start', async () => {
  await edge.load(emptyPage('treasure-data'));
  for (let i = 0; i < 3; i += 1) ok(['incident', 'open', '--name', `Pipe ${i}`, '--body', 'Looking.']);
  // `head` closes the pipe after one line: the tool stops quietly and successfully, as cat does.
  const piped = spawnSync('bash', ['-c', `"${bin}" log | head -1 >/dev/null; echo "\${PIPESTATUS[0]}"`], {
    cwd: dir, env: { ...process.env, SITREP_URL: edge.base, SITREP_TOKEN: edge.token }, encoding: 'utf8', timeout: 30_000,
  });
  assert.equal(piped.stdout.trim(), '0', `sitrep log | head -1: ${piped.stdout}${piped.stderr}`);
  assert.equal(piped.stderr, '', 'no panic message');

  let agent;
  const probe = await serve((req, res) => { agent = req.headers['user-agent']; res.writeHead(503).end(); });
  // Asynchronously: the probe answers from this process's event loop, which spawnSync would block.
  await new Promise((resolve) => {
    const child = spawn(bin, ['status'], { cwd: dir, env: { ...process.env, SITREP_URL: probe.origin, SITREP_TOKEN: 'x' }, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill(), 30_000);
    child.on('exit', () => { clearTimeout(timer); resolve(); });
  });
  probe.close();
  assert.match(agent ?? '', /^sitrep\/\d+\.\d+\.\d+$/);

  const later = idOf(ok(['maintenance', 'schedule', '--name', 'Later', '--body', 'b', '--from', '2099-03-01 02:00', '--duration', '1h']));
  const sooner = idOf(ok(['maintenance', 'schedule', '--name', 'Sooner', '--body', 'b', '--from', '2099-02-01 02:00', '--duration', '1h',
    '--language', 'fr']));
  const listed = ok(['maintenance', 'list']);
  assert.ok(listed.indexOf(sooner) < listed.indexOf(later), `soonest first:\n${listed}`);
  assert.match(ok(['maintenance', 'cancel', sooner]), /cancelled maintenance/);
  const cancelled = (await read(`/api/v2/incidents/${sooner}.json`)).incident.incident_updates[0];
  assert.equal(cancelled.body, 'La maintenance planifiée a été annulée.', 'in the announcement\'s language');
  ok(['maintenance', 'cancel', later, '--body', 'Moved to April.']);
  assert.equal((await read(`/api/v2/incidents/${later}.json`)).incident.incident_updates[0].body, 'Moved to April.');
});

test('a window already over needs --record and tells nobody; schedule echoes the window', async () => {
  await edge.load(emptyPage('treasure-data'));
  // The outbox keeps events only while someone is subscribed.
  const hook = /added subscription (sub_[A-Za-z0-9_-]+)/.exec(ok(['subscribers', 'add', '--kind', 'webhook', '--url', 'http://127.0.0.1:9/hook']))[1];
  const outbox = async () => (await (await fetch(`${edge.base}/__sitrep/outbox`)).json()).length;
  const past = ['maintenance', 'schedule', '--name', 'Overnight upgrade', '--body', 'Done last night.', '--from', 'yesterday 02:00', '--duration', '1h'];
  const before = await outbox();
  assert.match(refused(past), /the window is already over .*--record/);
  const recorded = ok([...past, '--record']);
  assert.match(recorded, /recorded maintenance/);
  const id = /recorded maintenance ([A-Za-z0-9_-]+)/.exec(recorded)[1];
  assert.equal((await read(`/api/v2/incidents/${id}.json`)).incident.status, 'completed');
  assert.equal(await outbox(), before, 'a record notifies nobody');
  const ahead = ok(['maintenance', 'schedule', '--name', 'Tonight', '--body', 'b', '--from', 'tomorrow 02:00', '--duration', '90m']);
  assert.match(ahead, /window: \d{4}-\d\d-\d\d 02:00 \S+ to \d{4}-\d\d-\d\d 03:30 \S+ \(America\/Los_Angeles, the page's zone\)/);
  assert.equal(await outbox(), before + 1, 'a window to come is announced');
  ok(['subscribers', 'remove', hook]);
});

test('page set: the name, URL and zone change alone, checked first', async () => {
  await edge.load(emptyPage('treasure-data'));
  const before = (await read('/api/v2/summary.json')).page;
  assert.match(ok(['page', 'set', '--name', 'Treasure Data status']), /changed the page's settings/);
  let page = (await read('/api/v2/summary.json')).page;
  assert.equal(page.name, 'Treasure Data status');
  assert.equal(page.url, before.url, 'what is left out stays');
  assert.equal(page.time_zone, before.time_zone);
  assert.equal((await read('/api/v2/components.json')).components.length, seed('treasure-data').components.length);
  ok(['page', 'set', '--time-zone', 'Asia/Tokyo']);
  assert.equal((await read('/api/v2/summary.json')).page.time_zone, 'Asia/Tokyo');
  assert.match(refused(['page', 'set', '--time-zone', 'Mars/Olympus']), /--time-zone "Mars\/Olympus" is not an IANA time zone/);
  assert.match(refused(['page', 'set', '--url', 'javascript:alert(1)']), /--url: must be an http or https origin/);
  assert.match(refused(['page', 'set']), /say what changes/);
  await eventually(async () => (await (await fetch(`${edge.base}/history.atom`)).text()).includes('Treasure Data status'), { what: 'the feeds name the page anew' });
});

test('components: add a group and a child, set, order, list; lists of every kind', async () => {
  await edge.load(emptyPage('stream'));
  const group = /created component ([A-Za-z0-9_-]+)/.exec(ok(['component', 'add', '--name', 'Video', '--group']))?.[1];
  assert.ok(group);
  const child = /created component ([A-Za-z0-9_-]+)/.exec(ok(['component', 'add', '--name', 'Video API', '--description', 'Calls and streams', '--group-id', group]))?.[1];
  assert.match(refused(['component', 'add', '--name', 'x', '--group-id', 'stream-chat-us-east']), /is not a group/);
  assert.match(ok(['component', 'set', child, '--status', 'partial_outage', '--name', 'Video API (EU)']), /partial_outage/);
  assert.match(refused(['component', 'set', group, '--status', 'major_outage']), /is a group: its status follows its components/);
  const ids = (await read('/api/v2/components.json')).components.map((c) => c.id);
  ok(['component', 'order', ...[...ids].reverse()]);
  assert.deepEqual((await read('/api/v2/components.json')).components.map((c) => c.id), [...ids].reverse());
  assert.match(refused(['component', 'order', ...ids.slice(1)]), /list all \d+ components, each once/);
  assert.match(ok(['component', 'list']), new RegExp(`${group}\\s+group\\s+Video\\n  ${child}\\s+partial_outage\\s+Video API \\(EU\\)`));
  const incident = idOf(ok(['incident', 'open', '--name', 'Calls drop', '--body', 'Looking.']));
  ok(['incident', 'resolve', incident, '--body', 'Fixed.']);
  assert.equal(ok(['incident', 'list']).trim(), 'no open incidents');
  assert.match(ok(['incident', 'list', '--all']), new RegExp(`incident ${incident} \\[resolved, minor\\] Calls drop`));
  assert.equal(ok(['maintenance', 'list']).trim(), 'no upcoming or active maintenances');
  assert.match(ok(['log', '--limit', '2']), new RegExp(`posted resolved update to ${incident}`));
  assert.equal(JSON.parse(ok(['--json', 'component', 'list'])).length, ids.length);
});

test('component remove: refused while an open incident lists it or a group has members; history keeps it', async () => {
  await edge.load(emptyPage('stream'));
  const id = 'stream-chat-singapore';
  const incident = idOf(ok(['incident', 'open', '--name', 'Singapore slow', '--body', 'Looking.', '--component', `${id}=partial_outage`]));
  assert.match(refused(['component', 'remove', id]), /Chat API - Singapore.*run again with --yes/s);
  assert.match(refused(['component', 'remove', id, '--yes']), new RegExp(`the open incident ${incident} \\(Singapore slow\\) lists ${id}`));
  assert.match(refused(['component', 'remove', 'stream-chat-api', '--yes']), /is a group with components \(stream-chat-us-east, stream-chat-singapore\)/);
  ok(['incident', 'resolve', incident, '--body', 'Fixed.']);
  assert.match(ok(['component', 'remove', id, '--yes']), new RegExp(`removed component ${id} \\(Chat API - Singapore\\)`));
  await eventually(async () => !(await read('/api/v2/components.json')).components.some((c) => c.id === id), { what: 'the component leaves the documents' });
  const group = (await read('/api/v2/components.json')).components.find((c) => c.id === 'stream-chat-api');
  assert.deepEqual(group.components, ['stream-chat-us-east'], 'its group no longer lists it');
  assert.ok(!(await read('/api/v2/summary.json')).components.some((c) => c.id === id));
  const kept = (await read(`/api/v2/incidents/${incident}.json`)).incident;
  assert.deepEqual(kept.components.map((c) => c.name), ['Chat API - Singapore'], 'the resolved incident still names it');
  const page = await (await fetch(`${edge.base}/incidents/${incident}`)).text();
  assert.match(page, /Chat API - Singapore/, 'and its page says so');
  assert.match(refused(['component', 'remove', id, '--yes']), /no component "stream-chat-singapore" on this page/);
  assert.match(ok(['log', '--limit', '1']), new RegExp(`removed component ${id}`));
  // Its members gone, the group goes too.
  ok(['component', 'remove', 'stream-chat-us-east', '--yes']);
  ok(['component', 'remove', 'stream-chat-api', '--yes']);
  await eventually(async () => (await read('/api/v2/components.json')).components.length === 0, { what: 'no component left' });
});

test('import a real Statuspage export', async () => {
  const file = join(root, '..', 'shared', 'statuspage-samples', 'twilio-summary.json');
  ok(['import', 'statuspage', file]);
  const summary = await read('/api/v2/summary.json');
  assert.equal(summary.page.name, 'Twilio');
  assert.equal(summary.components.length, 73);
  assert.equal(summary.status.indicator, 'minor', 'a degraded component, derived by sitrep');
  const discord = refused(['import', 'statuspage', join(root, '..', 'shared', 'statuspage-samples', 'discord-scheduled-maintenances.json')]);
  assert.match(discord, /differs from the latest update/);
});

test('subscribers: add (the secret once), list, pause, resume, remove, and their mistakes', async () => {
  await edge.load(emptyPage('treasure-data'));
  const added = ok(['subscribers', 'add', '--kind', 'slack', '--url', 'http://127.0.0.1:9/slack', '--component', 'td-us', '--event', 'incident.opened', '--event', 'incident.resolved']);
  const id = /added subscription (sub_[A-Za-z0-9_-]+)/.exec(added)?.[1];
  assert.ok(id, added);
  assert.ok(!added.includes('secret'), `a Slack delivery is not signed: no secret to keep\n${added}`);
  const hook = ok(['subscribers', 'add', '--kind', 'webhook', '--url', 'http://127.0.0.1:9/hook']);
  assert.match(hook, /signing secret: whsec_[A-Za-z0-9+/]{43}=/);
  ok(['subscribers', 'remove', /added subscription (sub_[A-Za-z0-9_-]+)/.exec(hook)[1]]);
  const listed = ok(['subscribers', 'list']);
  assert.match(listed, new RegExp(`${id} slack http://127.0.0.1:9/…: incident.opened, incident.resolved; td-us`));
  assert.ok(!listed.includes('/slack'), `the webhook's path is a credential: ${listed}`);
  assert.ok(!listed.includes('whsec_'), listed);
  assert.match(ok(['subscribers', 'pause', id]), new RegExp(`paused subscription ${id}`));
  assert.match(ok(['subscribers', 'list']), /\[paused .*: paused by the operator\]/);
  assert.match(ok(['subscribers', 'resume', id]), new RegExp(`resumed subscription ${id}`));
  assert.ok(!ok(['subscribers', 'list']).includes('[paused'));

  const typo = refused(['subscribers', 'pause', `${id}x`]);
  assert.match(typo, new RegExp(`no subscription "${id}x"; did you mean ${id}\\?`));
  assert.match(refused(['subscribers', 'add', '--kind', 'webhook', '--url', 'http://10.0.0.1/hook']), /--url: 10\.0\.0\.1 is a private network address/);
  assert.match(refused(['subscribers', 'add', '--kind', 'webhook', '--url', 'http://127.0.0.1:9/', '--component', 'td-us-workflw']), /did you mean td-us-workflow/);
  assert.match(refused(['subscribers', 'add', '--kind', 'pager', '--url', 'http://127.0.0.1:9/']), /possible values: webhook, slack, discord/);
  assert.match(refused(['subscribers', 'add', '--kind', 'webhook', '--url', 'http://127.0.0.1:9/', '--event', 'incident.exploded']), /incident\.opened/);

  assert.match(ok(['subscribers', 'remove', id]), new RegExp(`removed subscription ${id}`));
  assert.match(ok(['subscribers', 'list']), /no subscriptions/);
  const json = JSON.parse(ok(['--json', 'subscribers', 'list']));
  assert.deepEqual(json.subscriptions, []);
});

test('template: add, list, replace, remove, and their mistakes', async () => {
  await edge.load(emptyPage('treasure-data'));
  const added = ok(['template', 'add', 'Workflow delays', '--name', 'Workflows are delayed', '--body', 'Workflows start late.', '--impact', 'major', '--component', 'td-us-workflow=degraded_performance']);
  const id = /added template (tpl_[A-Za-z0-9_-]+)/.exec(added)?.[1];
  assert.ok(id, added);
  const listed = ok(['template', 'list']);
  assert.match(listed, new RegExp(`${id}  Workflow delays`));
  assert.match(listed, /opens "Workflows are delayed" \(major\) td-us-workflow=degraded_performance/);
  ok(['template', 'add', 'Workflow delays', '--replace', id, '--name', 'Workflows are late', '--body', 'Later.']);
  assert.match(ok(['template', 'list']), /opens "Workflows are late" \(minor\)/);
  assert.match(refused(['template', 'add', 'x', '--name', 't', '--body', 'b', '--component', 'td-us-workflw=major_outage']), /did you mean td-us-workflow/);
  assert.match(refused(['template', 'add', ' ', '--name', 't', '--body', 'b']), /name/);
  assert.match(refused(['template', 'remove', 'tpl_nope']), /no template with id "tpl_nope"/);
  assert.match(ok(['template', 'remove', id]), new RegExp(`removed template ${id}`));
  assert.match(ok(['template', 'list']), /no templates/);
});

test('deliveries: list what a subscriber was sent, replay one, and their mistakes', async () => {
  await edge.load(emptyPage('streak'));
  const got = [];
  const receiver = await serve((req, res) => {
    got.push(req.headers['webhook-id']);
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  try {
    const added = ok(['subscribers', 'add', '--kind', 'webhook', '--url', `${receiver.origin}/hook`, '--event', 'incident.opened']);
    const sub = /added subscription (sub_[A-Za-z0-9_-]+)/.exec(added)?.[1];
    assert.match(ok(['deliveries', 'list', sub]), /nothing sent yet/);
    idOf(ok(['incident', 'open', '--name', 'Boxes slow', '--body', 'Looking.']));
    await eventually(() => got.length === 1, { what: 'the delivery' });
    const listed = await eventually(() => {
      const out = ok(['deliveries', 'list', sub]);
      return /delivered/.test(out) && out;
    }, { what: 'the delivery listed' });
    const event = /(evt_[0-9a-f]{16}_\d+_\d+) incident\.opened delivered, 1 try, last .*: answered 204/.exec(listed)?.[1];
    assert.ok(event, listed);
    assert.match(ok(['deliveries', 'replay', sub, event]), new RegExp(`${event} will be sent to ${sub} again`));
    await eventually(() => got.length === 2, { what: 'the replay' });
    assert.deepEqual(got, [event, event], 'the same webhook-id');
    // The receiver has the replay before the store has its report: wait for the report.
    const listedAfter = () => JSON.parse(ok(['--json', 'deliveries', 'list', sub])).deliveries.map((d) => [d.id, d.state, d.replay ?? false]);
    await eventually(() => listedAfter()[0]?.[1] === 'delivered', { what: 'the replay reported' });
    assert.deepEqual(listedAfter(), [[event, 'delivered', true], [event, 'delivered', false]]);

    assert.match(refused(['deliveries', 'list', `${sub}x`]), new RegExp(`did you mean ${sub}\\?`));
    assert.match(refused(['deliveries', 'replay', sub, 'evt-1']), /is not an event id: they look like evt_3f9a0c2e7b14d865_12_0/);
    assert.match(refused(['deliveries', 'replay', sub, 'evt_999999_0']), new RegExp(`${sub} was sent no event "evt_999999_0"`));
    assert.match(refused(['deliveries', 'replay', sub]), /required/);
  } finally {
    receiver.close();
  }
});
