// The operator console at /admin/ (issue 25), in Chromium, through role and label locators only:
// an invited editor follows the link, opens an incident affecting two components with the preview
// beside the form, posts two updates, resolves; the public page, summary.json and the widget show
// each step; the audit log names them. A viewer's writes are refused by the edge, a revoked
// session signs the console out, a cross-site form carrying the cookie changes nothing, two
// editors on one incident see the conflict, hostile text stays inert, and every screen passes
// axe-core in both themes. Screenshots of the flow, light and dark, desktop and 390 px, go to
// target/sitrep/screenshots/console-*.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { consoleSignIn, eventually, fixture, launchChromium, root, serve, startEdge } from './support.mjs';

const AXE = join(root, 'node_modules', 'axe-core', 'axe.min.js');
const shots = join(root, 'target', 'sitrep', 'screenshots');

let edge;
let browser;
before(async () => {
  mkdirSync(shots, { recursive: true });
  [edge, browser] = await Promise.all([
    startEdge({ page: fixture('demo'), vars: { SITREP_LOCAL_TARGETS: '1' } }),
    launchChromium(),
  ]);
});
after(async () => {
  await browser?.close();
  await edge?.stop();
});

const summary = async () => (await fetch(`${edge.base}/api/v2/summary.json`)).json();
const version = async () => Number((await fetch(`${edge.base}/api/v2/status.json`)).headers.get('x-sitrep-version'));

async function invite(email, role, name) {
  const res = await edge.admin('POST', 'operators', { email, role, name });
  assert.equal(res.status, 201, JSON.stringify(res.json));
  return res.json;
}

/** A browser context signed in through a fresh invitation; returns { context, page, operator }. */
async function signedIn(email, role, name, options = {}) {
  const { link, operator } = await invite(email, role, name);
  const { context, page } = await consoleSignIn(browser, link, options);
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  return { context, page, operator, dialogs };
}

/** The flow's screenshot `name`, light and dark, desktop and 390 px; the page is left light and wide. */
async function snap(page, name) {
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    for (const [width, height, size] of [[1280, 900, 'desktop'], [390, 844, '390']]) {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path: join(shots, `${name}-${colorScheme}-${size}.png`), fullPage: true });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function axe(page, what) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const found = result.violations.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(found, [], what);
}

test('an invited editor runs an incident from the console, and readers and the audit log follow each step', async () => {
  const { context, page } = await signedIn('olu@example.com', 'editor', 'Olu Okafor');
  await snap(page, 'console-1-overview');

  await page.getByRole('link', { name: 'New incident' }).first().click();
  await page.getByRole('heading', { name: 'New incident', level: 1 }).waitFor();
  // Pressing "Open incident" with nothing typed: the refusal is beside the fields, nothing is sent.
  const before = await version();
  await page.getByRole('button', { name: 'Open incident' }).click();
  await page.getByLabel('Name', { exact: true }).and(page.locator('[aria-invalid=true]')).waitFor();
  assert.equal(await version(), before, 'nothing was sent');

  await page.getByLabel('Name', { exact: true }).fill('Chat messages delayed');
  await page.getByLabel('Impact').selectOption('major');
  await page.getByLabel('Message', { exact: true }).fill('Messages in US-east and SMS are arriving minutes late.');
  await page.getByLabel('Chat API - US-east').selectOption('major_outage');
  await page.getByLabel('SMS', { exact: true }).selectOption('degraded_performance');
  // The preview, drawn by the widget's own views, shows the incident before it is opened.
  const preview = page.getByRole('region', { name: 'What readers will see' });
  await preview.getByText('Chat messages delayed').first().waitFor();
  await snap(page, 'console-2-new-incident');
  await page.getByRole('button', { name: 'Open incident' }).click();
  await page.getByRole('heading', { name: 'Chat messages delayed', level: 1 }).waitFor();
  const id = page.url().split('#/incidents/')[1];
  assert.ok(id, page.url());

  let s = await summary();
  const open = s.incidents.find((i) => i.id === id);
  assert.equal(open?.name, 'Chat messages delayed');
  assert.equal(s.components.find((c) => c.name === 'Chat API - US-east').status, 'major_outage');
  assert.equal(s.components.find((c) => c.name === 'SMS').status, 'degraded_performance');
  assert.match(await (await fetch(`${edge.base}/`)).text(), /Chat messages delayed/);

  // The widget on the demo app shows it.
  const reader = await context.newPage();
  await reader.goto(`${edge.base}/demo/`);
  await reader.getByText('Chat messages delayed').first().waitFor({ timeout: 20_000 });
  await reader.close();

  for (const [status, label, body] of [
    ['identified', 'Identified', 'A queue consumer stalled; restarting it.'],
    ['monitoring', 'Monitoring', 'Messages are flowing again; watching the backlog drain.'],
  ]) {
    await page.getByLabel('Status', { exact: true }).selectOption(status);
    await page.getByLabel('Message', { exact: true }).fill(body);
    await page.getByRole('button', { name: 'Post update' }).click();
    await page.getByRole('region', { name: 'Timeline' }).getByText(body).waitFor();
    s = await summary();
    assert.equal(s.incidents.find((i) => i.id === id)?.status, status, label);
  }
  await snap(page, 'console-3-incident');

  await page.getByLabel('Message', { exact: true }).fill('Resolved: every delayed message was delivered.');
  await page.getByRole('button', { name: 'Resolve' }).click();
  await page.getByRole('button', { name: 'Reopen' }).waitFor();
  s = await summary();
  assert.equal(s.incidents.find((i) => i.id === id), undefined, 'no longer open');
  assert.equal(s.components.find((c) => c.name === 'Chat API - US-east').status, 'operational', 'resolve puts back what it set');
  assert.equal(s.components.find((c) => c.name === 'SMS').status, 'operational');
  const incident = await (await fetch(`${edge.base}/api/v2/incidents/${id}.json`)).json();
  assert.equal(incident.incident.status, 'resolved');

  // A typo fixed in place: marked edited for readers, kept in the audit log.
  await page.getByRole('button', { name: /^Fix text: Identified/ }).click();
  await page.getByRole('textbox', { name: /^Fix text/ }).fill('A queue consumer stalled; we restarted it.');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('region', { name: 'Timeline' }).getByText('we restarted it').waitFor();
  await page.getByText('edited', { exact: true }).waitFor();

  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
  const rows = page.getByRole('row').filter({ hasText: 'Olu Okafor <olu@example.com>' });
  await eventually(async () => (await rows.count()) >= 5, { what: 'five writes by Olu in the audit log' });
  // Filtered by operator: only theirs.
  await page.getByLabel('Operators').selectOption('Olu Okafor <olu@example.com>');
  const shown = await page.getByRole('row').count();
  assert.equal(shown - 1, await rows.count(), 'every row shown is theirs');
  await snap(page, 'console-4-audit-log');
  await context.close();
});

test('a viewer can look but the edge refuses their writes, and says so in the console', async () => {
  const { context, page } = await signedIn('vera@example.com', 'viewer', 'Vera Viewer');
  await page.getByText('You have the viewer role').waitFor();
  assert.equal(await page.getByRole('link', { name: 'New incident' }).count(), 0, 'the button is not offered');
  const before = await version();
  await page.goto(`${edge.base}/admin/#/incidents/new`);
  await page.getByLabel('Name', { exact: true }).fill('Viewer incident');
  await page.getByLabel('Message', { exact: true }).fill('Should never be posted.');
  await page.getByRole('button', { name: 'Open incident' }).click();
  await page.getByRole('alert').filter({ hasText: /takes the editor role/ }).waitFor();
  assert.equal(await version(), before, 'nothing changed');
  await context.close();
});

test('two editors on one incident: the second sees what changed and who changed it, nothing is overwritten', async () => {
  const opened = await edge.write('POST', 'incidents', { name: 'Search is slow', impact: 'minor', body: 'Looking into it.' });
  const a = await signedIn('ana@example.com', 'editor', 'Ana');
  const b = await signedIn('ben@example.com', 'editor', 'Ben');
  for (const { page } of [a, b]) {
    await page.goto(`${edge.base}/admin/#/incidents/${opened.id}`);
    await page.getByRole('heading', { name: 'Search is slow', level: 1 }).waitFor();
  }
  // Ben starts writing first; Ana posts while he types.
  await b.page.getByLabel('Message', { exact: true }).fill('Ben: the index is rebuilding.');
  await a.page.getByLabel('Status', { exact: true }).selectOption('identified');
  await a.page.getByLabel('Message', { exact: true }).fill('Ana: a bad index; rebuilding it.');
  await a.page.getByRole('button', { name: 'Post update' }).click();
  await a.page.getByRole('region', { name: 'Timeline' }).getByText('Ana: a bad index').waitFor();
  await b.page.getByRole('button', { name: 'Post update' }).click();
  await b.page.getByRole('alert').filter({ hasText: /Ana <ana@example.com>/ }).waitFor();
  // Ben's console shows Ana's update without a reload, and his text is still in the form.
  await b.page.getByRole('region', { name: 'Timeline' }).getByText('Ana: a bad index').waitFor();
  assert.equal(await b.page.getByLabel('Message', { exact: true }).inputValue(), 'Ben: the index is rebuilding.');
  const stored = await (await fetch(`${edge.base}/api/v2/incidents/${opened.id}.json`)).json();
  assert.equal(stored.incident.incident_updates.length, 2, 'only Ana\'s update was added');
  // Having seen it, Ben posts.
  await b.page.getByRole('button', { name: 'Post update' }).click();
  await b.page.getByRole('region', { name: 'Timeline' }).getByText('Ben: the index is rebuilding.').waitFor();
  await edge.write('POST', `incidents/${opened.id}/updates`, { status: 'resolved', body: 'Done.' });
  await a.context.close();
  await b.context.close();
});

test('a revoked operator\'s console signs out, and a cross-site form with their cookie changes nothing', async () => {
  const { context, page, operator } = await signedIn('rex@example.com', 'owner', 'Rex');
  // A page on another port of this machine (same site, so the Strict cookie is sent) posts a form.
  const attacker = await serve((req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<form method="post" action="${edge.base}/api/v2/admin/incidents" enctype="text/plain">
      <input name='{"name":"Forged","body":"x","padding":"' value='"}'></form>
      <script>document.forms[0].submit()</script>`);
  });
  const before = await version();
  const forged = await context.newPage();
  const answer = forged.waitForResponse((r) => r.url().endsWith('/api/v2/admin/incidents'));
  await forged.goto(attacker.origin);
  assert.equal((await answer).status(), 403, 'refused: the form came from another origin');
  assert.equal(await version(), before, 'nothing changed');
  attacker.close();

  await edge.write('DELETE', `operators/${operator.id}`);
  await page.getByRole('link', { name: 'Components' }).click();
  await page.getByRole('heading', { name: 'You are signed out.' }).waitFor({ timeout: 15_000 });
  const home = await context.request.get(`${edge.base}/admin/`);
  assert.equal(home.status(), 401);
  // Signed out, the console stops asking: a tab left open must not lock its office out.
  const asked = [];
  page.on('request', (r) => { if (r.url().includes('/api/')) asked.push(r.url()); });
  await page.waitForTimeout(11_000);
  assert.deepEqual(asked, [], 'no request after signing out');
  await context.close();
});

test('a mistaken incident deleted from the console is gone from every public document; the audit log and subscribers know', async () => {
  const told = [];
  const receiver = await serve((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => { try { told.push(JSON.parse(body)); } catch { /* not ours */ } res.writeHead(204).end(); });
  });
  await edge.write('POST', 'subscriptions', { kind: 'webhook', url: `${receiver.origin}/hook` });
  const sms = (await summary()).components.find((c) => c.name === 'SMS');
  const opened = await edge.write('POST', 'incidents', {
    name: 'Testing the banner, please ignore', impact: 'major', body: 'Just trying it out.',
    components: [{ id: sms.id, status: 'major_outage' }],
  });
  await eventually(() => told.some((e) => e.type === 'incident.opened' && e.data.incident.id === opened.id), { what: 'incident.opened delivered' });
  // Readers saw it everywhere first, and its page was published to KV.
  // (The history lists what is over; an open incident is on the page and in the feeds.)
  const pages = ['/', '/history.atom', '/history.rss', '/feed.json', `/incidents/${opened.id}`];
  await eventually(async () => {
    for (const path of pages) {
      const res = await fetch(`${edge.base}${path}`);
      if (res.status !== 200 || !(await res.text()).includes('Testing the banner')) return false;
    }
    return (await (await fetch(`${edge.base}/__sitrep/kv?key=incident-${opened.id}`)).json()) !== null;
  }, { what: 'the incident on every page and in KV' });

  const { context, page } = await signedIn('dee@example.com', 'editor', 'Dee');
  await page.goto(`${edge.base}/admin/#/incidents/${opened.id}`);
  await page.getByRole('button', { name: 'Delete Testing the banner, please ignore' }).click();
  await page.getByText('Deleting takes it off every public page').waitFor();
  await page.getByRole('button', { name: 'Yes, delete it' }).click();
  await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();

  const s = await summary();
  assert.equal(s.incidents.find((i) => i.id === opened.id), undefined);
  assert.equal(s.components.find((c) => c.id === sms.id).status, 'operational', 'what it set went back');
  const all = await (await fetch(`${edge.base}/api/v2/incidents.json`)).json();
  assert.equal(all.incidents.find((i) => i.id === opened.id), undefined);
  assert.equal((await fetch(`${edge.base}/api/v2/incidents/${opened.id}.json`)).status, 404);
  assert.equal((await fetch(`${edge.base}/incidents/${opened.id}`)).status, 404);
  for (const path of ['/', '/history', '/history.atom', '/history.rss', '/feed.json']) {
    const res = await fetch(`${edge.base}${path}`);
    assert.equal(res.status, 200, path);
    assert.doesNotMatch(await res.text(), /Testing the banner/, path);
  }
  // Its copy leaves KV: no isolate's refresh can bring it back.
  await eventually(async () => (await (await fetch(`${edge.base}/__sitrep/kv?key=incident-${opened.id}`)).json()) === null,
    { what: 'the KV copy removed' });
  const { entries } = await edge.write('GET', 'log?limit=5');
  const logged = entries.find((e) => e.summary.startsWith(`deleted incident ${opened.id}`));
  assert.equal(logged?.by.actor.email, 'dee@example.com', 'the audit log keeps who deleted what');
  await eventually(() => told.some((e) => e.type === 'incident.deleted' && e.data.incident.id === opened.id),
    { what: 'incident.deleted delivered' });
  receiver.close();
  await context.close();
});

test('an owner adds a subscription (its secret shown once), replays a delivery, signs a browser out and moves a maintenance', async () => {
  const told = [];
  const receiver = await serve((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => { try { told.push({ id: req.headers['webhook-id'], ...JSON.parse(body) }); } catch { /* not ours */ } res.writeHead(204).end(); });
  });
  const { context, page } = await signedIn('owen@example.com', 'owner', 'Owen');
  await page.getByRole('link', { name: 'Subscriptions' }).click();
  await page.getByRole('heading', { name: 'Subscriptions', level: 1 }).waitFor();
  const url = `${receiver.origin}/owen`;
  await page.getByLabel('URL', { exact: true }).fill(url);
  await page.getByRole('button', { name: 'Add subscription' }).click();
  const secret = page.getByRole('textbox', { name: /^Signing secret/ });
  await secret.waitFor();
  assert.match(await secret.inputValue(), /^whsec_/);
  const listed = await edge.write('GET', 'subscriptions');
  assert.ok(!JSON.stringify(listed).includes((await secret.inputValue()).split(' ')[0]), 'never listed again');

  const opened = await edge.write('POST', 'incidents', { name: 'Webhooks are late', impact: 'minor', body: 'Looking.' });
  await eventually(() => told.some((e) => e.type === 'incident.opened' && e.data.incident.id === opened.id), { what: 'delivered' });
  const first = told.find((e) => e.type === 'incident.opened' && e.data.incident.id === opened.id);
  // Listed with its URL redacted (a receiver's URL may hold its own secret), named by its id.
  const subscription = (await secret.inputValue()).match(/\((sub_[^)]+)\)/)[1];
  await page.getByRole('button', { name: new RegExp(`^Deliveries: webhook http://127\\.0\\.0\\.1.*\\(${subscription}\\)$`) }).click();
  await page.getByRole('button', { name: `Replay incident.opened ${first.id}` }).click();
  await eventually(() => told.filter((e) => e.id === first.id).length >= 2, { what: 'the replay, with the same webhook-id' });
  await snap(page, 'console-5-subscriptions');
  receiver.close();
  await page.getByRole('button', { name: new RegExp(`^Remove webhook .*\\(${subscription}\\)$`) }).click();
  await page.getByRole('button', { name: new RegExp(`^Yes, remove webhook .*\\(${subscription}\\)$`) }).click();
  await eventually(async () => !(await edge.write('GET', 'subscriptions')).subscriptions.some((x) => x.id === subscription), { what: 'removed' });

  // Another operator's browser, signed out from the Operators screen.
  const other = await signedIn('sam@example.com', 'editor', 'Sam');
  await page.getByRole('link', { name: 'Operators' }).click();
  await page.getByRole('button', { name: 'Sessions: Sam' }).click();
  await page.getByRole('button', { name: /^Sign out ses_/ }).first().click();
  await other.page.getByRole('link', { name: 'Incidents' }).click();
  await other.page.getByRole('heading', { name: 'You are signed out.' }).waitFor({ timeout: 15_000 });
  await other.context.close();

  // A maintenance moved an hour later, automatic moves off.
  const from = new Date(Date.now() + 2 * 3600_000);
  from.setSeconds(0, 0);
  const until = new Date(from.getTime() + 3600_000);
  const m = await edge.write('POST', 'maintenances', { name: 'Queue upgrade', body: 'Planned.', scheduled_for: from.toISOString(), scheduled_until: until.toISOString() });
  await page.goto(`${edge.base}/admin/#/incidents/${m.id}`);
  await page.getByRole('heading', { name: 'Reschedule' }).waitFor();
  const local = (d) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  await page.getByLabel('Ends', { exact: true }).fill(local(new Date(until.getTime() + 3600_000)));
  await page.getByLabel('Starts', { exact: true }).fill(local(new Date(from.getTime() + 3600_000)));
  assert.equal(await page.getByLabel('Start and complete on schedule').isChecked(), true, 'on, as scheduled');
  await page.getByLabel('Start and complete on schedule').uncheck();
  await page.getByRole('button', { name: 'Reschedule' }).click();
  await eventually(async () => {
    const doc = await (await fetch(`${edge.base}/api/v2/incidents/${m.id}.json`)).json();
    return Date.parse(doc.incident.scheduled_for) === from.getTime() + 3600_000;
  }, { what: 'the window moved an hour' });
  const stored = await edge.write('GET', `maintenances/${m.id}`);
  assert.notEqual(stored.incident.auto_transition, true, 'automatic moves off');
  await context.close();
});

test('an editor prepares a template, then opens an incident from it after changing its words; readers never see the template', async () => {
  const { context, page } = await signedIn('tia@example.com', 'editor', 'Tia');
  await page.getByRole('link', { name: 'Templates' }).click();
  await page.getByRole('heading', { name: 'Templates', level: 1 }).waitFor();
  const before = await version();
  await page.getByRole('button', { name: 'Save template' }).click();
  await page.getByLabel('Template name').and(page.locator('[aria-invalid=true]')).waitFor();
  assert.equal(await version(), before, 'refused beside the field, nothing sent');
  await page.getByLabel('Template name').fill('SMS delays');
  await page.getByLabel('Name', { exact: true }).fill('Text messages are delayed');
  await page.getByLabel('Impact').selectOption('major');
  await page.getByLabel('Message', { exact: true }).fill('Text messages arrive late; our carrier is on it.');
  await page.getByLabel('SMS', { exact: true }).selectOption('degraded_performance');
  await page.getByRole('region', { name: 'What readers will see' }).getByText('Text messages are delayed').first().waitFor();
  await page.getByRole('button', { name: 'Save template' }).click();
  await page.getByRole('row', { name: /SMS delays/ }).waitFor();
  for (const path of ['/api/v2/summary.json', '/api/v2/incidents.json', '/']) {
    assert.ok(!(await (await fetch(edge.base + path)).text()).includes('our carrier is on it'), `${path}: a template is private`);
  }
  await page.getByRole('button', { name: 'Edit SMS delays' }).click();
  assert.equal(await page.getByLabel('SMS', { exact: true }).inputValue(), 'degraded_performance', 'the form holds the template');
  await page.getByLabel('Message', { exact: true }).fill('Text messages arrive minutes late; our carrier is on it.');
  await page.getByRole('button', { name: 'Save template' }).click();
  await eventually(async () => (await edge.write('GET', 'templates')).templates.some((t) => t.incident.body.includes('minutes late')), { what: 'replaced' });

  await page.getByRole('link', { name: 'Incidents' }).click();
  await page.getByRole('link', { name: 'New incident' }).first().click();
  await page.getByLabel('Template', { exact: true }).selectOption({ label: 'SMS delays' });
  assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Text messages are delayed');
  assert.equal(await page.getByLabel('Impact').inputValue(), 'major');
  assert.equal(await page.getByLabel('SMS', { exact: true }).inputValue(), 'degraded_performance');
  await page.getByLabel('Message', { exact: true }).fill('Text messages to Europe arrive minutes late; our carrier is on it.');
  await page.getByRole('button', { name: 'Open incident' }).click();
  await page.getByRole('heading', { name: 'Text messages are delayed', level: 1 }).waitFor();
  const id = page.url().split('#/incidents/')[1];
  const s = await summary();
  const opened = s.incidents.find((i) => i.id === id);
  assert.equal(opened.impact, 'major');
  assert.match(opened.incident_updates[0].body, /to Europe/, 'the words as changed, not as kept');
  assert.equal(s.components.find((c) => c.name === 'SMS').status, 'degraded_performance');
  await edge.write('POST', `incidents/${id}/updates`, { status: 'resolved', body: 'Delivered.' });

  await page.getByRole('link', { name: 'Templates' }).click();
  await page.getByRole('button', { name: 'Remove SMS delays' }).click();
  await page.getByRole('button', { name: 'Yes, remove SMS delays' }).click();
  await page.getByText('No templates yet').waitFor();
  const log = (await edge.write('GET', 'log?limit=10')).entries;
  assert.ok(log.some((e) => e.summary.startsWith('added template') && e.by?.actor?.name === 'Tia'), 'the audit log names who');
  await context.close();
});

test('an owner adds a group and a component in it, renames one, hides it while operational and reorders them', async () => {
  const { context, page } = await signedIn('cora@example.com', 'owner', 'Cora');
  await page.getByRole('link', { name: 'Components' }).click();
  await page.getByRole('heading', { name: 'Components', level: 1 }).waitFor();
  const add = page.getByRole('region', { name: 'Add component' });
  const before = await version();
  await add.getByRole('button', { name: 'Add component' }).click();
  await add.getByLabel('Name', { exact: true }).and(page.locator('[aria-invalid=true]')).waitFor();
  assert.equal(await version(), before, 'a nameless component is refused');
  await add.getByLabel('Name', { exact: true }).fill('Billing');
  await add.getByLabel('It is a group').check();
  await add.getByRole('button', { name: 'Add component' }).click();
  await page.getByRole('button', { name: 'Edit: Billing' }).waitFor();
  await add.getByLabel('It is a group').uncheck();
  for (const name of ['Invoices', 'Receipts']) {
    await add.getByLabel('Name', { exact: true }).fill(name);
    await add.getByLabel('Group', { exact: true }).selectOption({ label: 'Billing' });
    await add.getByRole('button', { name: 'Add component' }).click();
    await page.getByRole('button', { name: `Edit: ${name}` }).waitFor();
  }
  const components = async () => (await (await fetch(`${edge.base}/api/v2/components.json`)).json()).components;
  let all = await components();
  const billing = all.find((c) => c.name === 'Billing');
  assert.equal(billing.group, true);
  assert.deepEqual(all.filter((c) => c.group_id === billing.id).map((c) => c.name), ['Invoices', 'Receipts']);
  assert.equal(await page.getByRole('button', { name: 'Move up: Invoices' }).isDisabled(), true, 'first in its group');

  await page.getByRole('button', { name: 'Move up: Receipts' }).click();
  await eventually(async () => (await components()).filter((c) => c.group_id === billing.id).map((c) => c.name).join() === 'Receipts,Invoices', { what: 'reordered' });

  await page.getByRole('button', { name: 'Edit: Invoices' }).click();
  const edit = page.getByRole('form', { name: 'Edit: Invoices' });
  await edit.getByLabel('Name', { exact: true }).fill('Invoicing');
  await edit.getByLabel('Shown only when not operational').check();
  await edit.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('button', { name: 'Edit: Invoicing' }).waitFor();
  all = await components();
  assert.equal(all.find((c) => c.name === 'Invoicing')?.only_show_if_degraded, true);

  await page.getByLabel('Status: Invoicing').selectOption('partial_outage');
  await eventually(async () => (await components()).find((c) => c.name === 'Invoicing').status === 'partial_outage', { what: 'set' });
  await page.getByLabel('Status: Invoicing').selectOption('operational');
  await eventually(async () => (await components()).find((c) => c.name === 'Invoicing').status === 'operational', { what: 'back' });

  // Removing asks twice; a group with members is refused and the alert says why; a member goes.
  await page.getByRole('button', { name: 'Remove: Billing' }).click();
  await page.getByRole('button', { name: 'Yes, remove: Billing' }).click();
  await page.getByRole('alert').filter({ hasText: 'is a group with components' }).waitFor();
  assert.ok((await components()).some((c) => c.id === billing.id), 'the group stays');
  await snap(page, 'console-components-remove');
  await page.getByRole('button', { name: 'Remove: Receipts' }).click();
  await page.getByRole('button', { name: 'Yes, remove: Receipts' }).click();
  await eventually(async () => !(await components()).some((c) => c.name === 'Receipts'), { what: 'Receipts removed' });
  await page.getByRole('button', { name: 'Edit: Receipts' }).waitFor({ state: 'detached' });
  await context.close();
});

test('fields filled in one tick all land: a new incident\'s name and message, an update\'s two component statuses', async () => {
  const { context, page } = await signedIn('fay@example.com', 'editor', 'Fay');
  await page.goto(`${edge.base}/admin/#/incidents/new`);
  await page.getByRole('heading', { name: 'New incident', level: 1 }).waitFor();
  // As autofill does: both fields filled before the console renders again.
  await page.evaluate(() => {
    const fill = (id, value) => {
      const el = document.getElementById(id);
      el.value = value;
      el.dispatchEvent(new InputEvent('input', { bubbles: true }));
    };
    fill('name', 'Autofilled outage');
    fill('message', 'Both fields at once.');
  });
  await page.getByRole('button', { name: 'Open incident' }).click();
  await page.getByRole('heading', { name: 'Autofilled outage', level: 1 }).waitFor();
  const id = page.url().split('#/incidents/')[1];
  await page.evaluate(() => {
    const pick = (label, value) => {
      const select = document.getElementById([...document.querySelectorAll('label')].find((l) => l.textContent === label).htmlFor);
      select.value = value;
      select.dispatchEvent(new Event('change', { bubbles: true }));
    };
    pick('Agent portaal', 'major_outage');
    pick('Admin portaal', 'partial_outage');
  });
  await page.getByLabel('Message', { exact: true }).fill('Both portals are down.');
  await page.getByRole('button', { name: 'Post update' }).click();
  await page.getByRole('region', { name: 'Timeline' }).getByText('Both portals are down.').waitFor();
  const s = await summary();
  const status = (name) => s.components.find((c) => c.name === name).status;
  assert.deepEqual([status('Agent portaal'), status('Admin portaal')], ['major_outage', 'partial_outage'], 'both picks posted');
  await edge.write('POST', `incidents/${id}/updates`, { status: 'resolved', body: 'Fixed.' });
  await context.close();
});

test('hostile text in every field stays inert in the console and its previews', async () => {
  const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  const { context, page, dialogs } = await signedIn('hal@example.com', 'editor', 'Hal <b>Bold</b>');
  await page.getByRole('link', { name: 'New incident' }).first().click();
  await page.getByLabel('Name', { exact: true }).fill(`Name ${hostile}`);
  await page.getByLabel('Message', { exact: true }).fill(`Body ${hostile} [link](javascript:alert(1))`);
  await page.getByRole('region', { name: 'What readers will see' }).getByText(/Name <img/).first().waitFor();
  await page.getByRole('button', { name: 'Open incident' }).click();
  await page.getByRole('heading', { name: /^Name <img/, level: 1 }).waitFor();
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('row').filter({ hasText: 'Hal <b>Bold</b>' }).first().waitFor();
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.deepEqual(dialogs, []);
  assert.equal(await page.locator('main img[src=x]').count(), 0);
  await context.close();
});

test('no axe-core violation on any console screen, light and dark, desktop and 390 px', async () => {
  const { link } = await invite('ola@example.com', 'owner', 'Ola Owner');
  const opened = await edge.write('POST', 'incidents', { name: 'Exports are slow', impact: 'minor', body: 'Looking into it.' });
  const screens = ['', 'incidents', 'incidents/new', `incidents/${opened.id}`, 'maintenance', `postmortem/${opened.id}`,
    'components', 'templates', 'subscriptions', 'operators', 'log'];
  await edge.write('POST', 'templates', { name: 'Exports slow', incident: { name: 'Exports are slow', body: 'Looking.', components: [{ id: 'salesdock-exports', status: 'degraded_performance' }] } });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(link);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    for (const [width, height] of [[1280, 900], [390, 844]]) {
      await page.setViewportSize({ width, height });
      for (const screen of screens) {
        await page.goto(`${edge.base}/admin/#/${screen}`);
        await page.locator('h1#screen').waitFor();
        await page.waitForLoadState('networkidle');
        await axe(page, `${colorScheme} ${width}px #/${screen}`);
        const name = (screen || 'overview').replace(opened.id, 'one').replace('/', '-');
        await page.screenshot({ path: join(shots, `console-${name}-${colorScheme}-${width}.png`), fullPage: true });
      }
    }
  }
  // The skip link moves focus to the screen and leaves the screen (and what is typed) alone.
  await page.goto(`${edge.base}/admin/#/incidents/new`);
  await page.getByLabel('Name', { exact: true }).fill('Half-written');
  await page.getByRole('link', { name: 'Skip to the console' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForTimeout(300);
  assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Half-written');
  // Keyboard: on a fresh load the skip link comes first; following a navigation link moves focus
  // to the new screen's heading, so the next Tab is inside the screen.
  await page.goto(`${edge.base}/admin/#/`);
  await page.reload();
  await page.locator('h1#screen').waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to the console');
  await page.getByRole('link', { name: 'Maintenance' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Maintenance', level: 1 }).waitFor();
  await eventually(async () => (await page.evaluate(() => document.activeElement.id)) === 'screen', { what: 'focus on the heading' });
  await context.close();
});

test('the console is two modules: the overview loads only the everyday one, and tabs move between them keeping the page', async () => {
  const { context, page } = await signedIn('modules@example.com', 'owner', 'Mo');
  try {
    const asked = [];
    page.on('request', (r) => asked.push(new URL(r.url()).pathname));
    await page.goto(`${edge.base}/admin/`);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    assert.ok(asked.some((p) => /^\/console\/sitrep-console-[0-9a-f]+\.wasm$/.test(p)), asked.join(' '));
    assert.ok(!asked.some((p) => p.includes('settings')), `the overview asked for ${asked.join(' ')}`);
    // A settings tab: its module's document, with the page chosen kept.
    await page.goto(`${edge.base}/admin/?page=default#/`);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Audit log', exact: true }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/settings/');
    assert.equal(new URL(page.url()).search, '?page=default');
    assert.ok(asked.some((p) => /^\/console\/sitrep-console-settings-[0-9a-f]+\.wasm$/.test(p)));
    // The screen's heading takes focus, as a tab within one module moves it.
    const focused = () => page.evaluate(() => document.activeElement?.id);
    await eventually(async () => (await focused()) === 'screen', { what: 'focus on the Audit log heading' });
    await page.getByLabel('Event').waitFor(); // the log came: the heading it drew is still the focused one
    assert.equal(await focused(), 'screen');
    // Back to an everyday tab, and an address naming the other module's screen goes there too.
    await page.getByRole('link', { name: 'Incidents', exact: true }).click();
    await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/');
    assert.equal(new URL(page.url()).search, '?page=default');
    await eventually(async () => (await focused()) === 'screen', { what: 'focus on the Incidents heading' });
    await page.goto(`${edge.base}/admin/settings/#/components`);
    await page.getByRole('heading', { name: 'Components', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin/');
    // Not signed in, the second document is refused as the first is.
    const anonymous = await fetch(`${edge.base}/admin/settings/`);
    assert.equal(anonymous.status, 401);
    assert.doesNotMatch(await anonymous.text(), /settings\.js/);
  } finally {
    await context.close();
  }
});
