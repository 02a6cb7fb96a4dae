// Operators with names and roles (issue 25, the identity part): an owner invites someone, the link
// signs them in once (a cookie the edge keeps as a hashed, revocable session), what they write is
// attributed to them in the audit log, their role is enforced by the edge, a write that carries the
// cookie from another site is refused, personal tokens work like the admin token for their owner,
// and revoking someone ends every session and token of theirs at once. Through the CLI too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { atHost, eventually, fixture, root, startEdge } from './support.mjs';

let edge;
before(async () => { edge = await startEdge({ page: fixture('demo') }); });
after(async () => { await edge?.stop(); });

// Each test that expects refused credentials comes from a client of its own (CF-Connecting-IP, which
// Cloudflare sets and locally anyone may), so the throttle of one does not lock out another.
let clients = 0;
const newClient = () => `192.0.2.${(clients += 1)}`;

const version = async () => Number((await fetch(`${edge.base}/api/v2/status.json`)).headers.get('x-sitrep-version'));

async function invite(email, role, name) {
  const res = await edge.admin('POST', 'operators', { email, role, ...(name ? { name } : {}) }, { 'content-type': 'application/json' });
  assert.equal(res.status, 201, JSON.stringify(res.json));
  assert.match(res.json.link, /\/admin\/sign-in\?invite=sitrep_invite_[0-9a-f]{64}$/);
  return res.json;
}

/** Follows a sign-in link as a browser: opens it, then presses "Sign in". Returns the answer. */
async function follow(link, { client = 'local', origin = edge.base } = {}) {
  const page = await fetch(link);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<button type="submit">Sign in<\/button>/);
  assert.equal(page.headers.get('referrer-policy'), 'strict-origin', 'the link (in the path) never leaks through a Referer');
  const invite = new URL(link).searchParams.get('invite');
  return fetch(`${edge.base}/admin/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin, 'cf-connecting-ip': client },
    body: `invite=${invite}`,
  });
}

/** Signs in through a fresh invitation; the session cookie as a `Cookie` header value. */
async function signIn(email, role, name) {
  const { link, operator } = await invite(email, role, name);
  const res = await follow(link);
  assert.equal(res.status, 303, await res.text());
  assert.equal(res.headers.get('location'), '/admin/');
  const set = res.headers.get('set-cookie');
  assert.match(set, /^sitrep_session=sitrep_session_[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
  return { cookie: set.split(';')[0], operator };
}

/** A write API call carrying a session cookie, from this origin unless told otherwise. */
function withCookie(cookie, method, path, body, headers = {}) {
  return fetch(`${edge.base}/api/v2/admin/${path}`, {
    method,
    headers: { cookie, origin: edge.base, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

test('an invited editor signs in through the link, once, and the audit log names what they write', async () => {
  const { link } = await invite('Ada@Example.com', 'editor', 'Ada Lovelace');
  assert.equal((await fetch(link)).status, 200, 'opening the link spends nothing (a chat preview cannot use it up)');
  const signedIn = await follow(link);
  assert.equal(signedIn.status, 303);
  const cookie = signedIn.headers.get('set-cookie').split(';')[0];
  const again = await follow(link, { client: newClient() });
  assert.equal(again.status, 401, 'a link signs in once');
  assert.match(await again.text(), /unknown, already used or expired/);

  const me = await (await withCookie(cookie, 'GET', 'me')).json();
  assert.deepEqual(me.role, 'editor');
  assert.equal(me.actor.email, 'ada@example.com', 'emails are kept lowercase');
  const home = await (await fetch(`${edge.base}/admin/`, { headers: { cookie } })).text();
  assert.match(home, /Signed in as <strong>Ada Lovelace &lt;ada@example.com&gt;<\/strong>, editor/);

  const response = await withCookie(cookie, 'POST', 'incidents', { name: 'Signed-in write', impact: 'minor', body: 'Looking' });
  const opened = await response.json();
  assert.equal(response.status, 201, JSON.stringify(opened));
  const { entries } = await edge.write('GET', 'log?limit=1');
  assert.equal(entries[0].by.actor.kind, 'operator');
  assert.equal(entries[0].by.actor.email, 'ada@example.com');
  assert.equal(entries[0].by.actor.name, 'Ada Lovelace');

  const owners = await withCookie(cookie, 'POST', 'components', { name: 'Not for editors' });
  assert.equal(owners.status, 403, 'components are an owner\'s');
  assert.match((await owners.json()).error.message, /has the editor role: .* takes the owner role/);
  await withCookie(cookie, 'POST', `incidents/${opened.id}/updates`, { status: 'resolved', body: 'Fixed' });
});

test('a write carrying the session cookie from another site, or from nowhere said, is refused and changes nothing', async () => {
  const { cookie } = await signIn('grace@example.com', 'owner');
  const before = await version();
  const body = { name: 'Cross-site', impact: 'minor', body: 'x' };
  for (const headers of [
    { origin: 'https://evil.example' },
    { origin: 'null' },
    { origin: edge.base, 'sec-fetch-site': 'cross-site' },
    { origin: edge.base, 'sec-fetch-site': 'same-site' },
  ]) {
    const res = await withCookie(cookie, 'POST', 'incidents', body, headers);
    assert.equal(res.status, 403, JSON.stringify(headers));
    assert.equal((await res.json()).error.code, 'forbidden');
  }
  // A form posted by another site with the cookie: no Origin sent at all (an old browser).
  const bare = await fetch(`${edge.base}/api/v2/admin/incidents`, {
    method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.equal(bare.status, 403);
  const signOut = await fetch(`${edge.base}/admin/sign-out`, { method: 'POST', headers: { cookie, origin: 'https://evil.example' } });
  assert.equal(signOut.status, 403, 'nor can another site sign you out');
  assert.equal(await version(), before, 'nothing changed');
  assert.equal((await withCookie(cookie, 'GET', 'me')).status, 200, 'and the session still works');
});

test('a viewer reads the admin views and previews, and every write is refused by the edge', async () => {
  const { cookie } = await signIn('viewer@example.com', 'viewer');
  assert.equal((await withCookie(cookie, 'GET', 'log')).status, 200);
  const before = await version();
  for (const [method, path, body] of [
    ['POST', 'incidents', { name: 'Viewer write', impact: 'minor', body: 'x' }],
    ['POST', 'maintenances', { name: 'x', body: 'x', scheduled_for: '2030-01-01T00:00:00Z', scheduled_until: '2030-01-01T01:00:00Z' }],
    ['POST', 'operators', { email: 'x@example.com', role: 'owner' }],
    ['GET', 'subscriptions'],
  ]) {
    const res = await withCookie(cookie, method, path, body);
    assert.equal(res.status, 403, `${method} ${path}`);
  }
  assert.equal(await version(), before);
});

test('a personal token is shown once, works like a credential of its owner, and ends when revoked', async () => {
  const { cookie, operator } = await signIn('lin@example.com', 'editor', 'Lin');
  const made = await withCookie(cookie, 'POST', 'tokens', { name: 'laptop' });
  assert.equal(made.status, 201);
  const { token, secret } = await made.json();
  assert.match(secret, /^sitrep_pat_[0-9a-f]{64}$/);
  const listed = await (await withCookie(cookie, 'GET', 'tokens')).json();
  assert.deepEqual(listed.tokens.map((t) => t.name), ['laptop']);
  assert.ok(!JSON.stringify(listed).includes(secret), 'never listed again');
  const bearer = { authorization: `Bearer ${secret}` };
  const me = await (await fetch(`${edge.base}/api/v2/admin/me`, { headers: bearer })).json();
  assert.equal(me.actor.name, 'Lin');
  // The CLI with the personal token: its writes are Lin's.
  const cli = spawnSync(join(root, 'target', 'debug', 'sitrep'), ['whoami'], {
    env: { ...process.env, SITREP_URL: edge.base, SITREP_TOKEN: secret }, encoding: 'utf8', timeout: 30_000,
  });
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(cli.stdout.trim(), 'Lin <lin@example.com>, editor');
  const revoked = await withCookie(cookie, 'DELETE', `tokens/${token.id}`);
  assert.equal(revoked.status, 200);
  const after = await fetch(`${edge.base}/api/v2/admin/me`, { headers: { ...bearer, 'cf-connecting-ip': newClient() } });
  assert.equal(after.status, 401);
  assert.equal((await after.json()).error.code, 'signed_out');
  const admin = await edge.admin('POST', 'tokens', { name: 'x' }, { 'content-type': 'application/json' });
  assert.equal(admin.status, 409, 'the admin token has no operator to own a token');
  // A leaked token: an owner revokes that one, and Lin's other tokens and session go on.
  const leaked = await (await withCookie(cookie, 'POST', 'tokens', { name: 'ci' })).json();
  const kept = await (await withCookie(cookie, 'POST', 'tokens', { name: 'desk' })).json();
  const theirs = await edge.write('GET', `operators/${operator.id}/tokens`);
  assert.deepEqual(theirs.tokens.map((t) => t.name).sort(), ['ci', 'desk']);
  await edge.write('DELETE', `operators/${operator.id}/tokens/${leaked.token.id}`);
  const gone = await fetch(`${edge.base}/api/v2/admin/me`, { headers: { authorization: `Bearer ${leaked.secret}`, 'cf-connecting-ip': newClient() } });
  assert.equal(gone.status, 401);
  assert.equal((await fetch(`${edge.base}/api/v2/admin/me`, { headers: { authorization: `Bearer ${kept.secret}` } })).status, 200);
  assert.equal((await withCookie(cookie, 'GET', 'me')).status, 200);
  assert.equal((await withCookie(cookie, 'GET', `operators/${operator.id}/tokens`)).status, 403, 'an owner\'s view');
});

test('revoking an operator ends their sessions and tokens at once, and a link sent before stays void', async () => {
  const unused = await invite('mallory@example.com', 'editor');
  const { cookie, operator } = await signIn('mallory@example.com', 'editor');
  const { secret } = await (await withCookie(cookie, 'POST', 'tokens', { name: 'script' })).json();
  const sessions = await edge.write('GET', `operators/${operator.id}/sessions`);
  assert.equal(sessions.sessions.length, 1);
  const revoked = await edge.write('DELETE', `operators/${operator.id}`);
  assert.equal(revoked.sessions_ended, 1);
  const client = newClient();
  assert.equal((await withCookie(cookie, 'GET', 'me', undefined, { 'cf-connecting-ip': client })).status, 401);
  const token = await fetch(`${edge.base}/api/v2/admin/me`, { headers: { authorization: `Bearer ${secret}`, 'cf-connecting-ip': client } });
  assert.equal(token.status, 401);
  // Invited again: the link from before the revocation does not sign them in; the new one does.
  const fresh = await invite('mallory@example.com', 'viewer');
  assert.equal((await follow(unused.link, { client })).status, 401);
  assert.equal((await follow(fresh.link)).status, 303);
  const { operators, log } = await edge.write('GET', 'operators');
  assert.equal(operators.find((o) => o.email === 'mallory@example.com').role, 'viewer');
  assert.ok(log.some((entry) => entry.by === 'admin token' && /^revoked .*mallory@example.com/.test(entry.summary)), JSON.stringify(log));
});

test('an editor fixes the text of an earlier update: it keeps its place, readers see the fix, the log names who', async () => {
  const { cookie } = await signIn('typo@example.com', 'editor', 'Tess');
  const opened = await (await withCookie(cookie, 'POST', 'incidents', { name: 'Typo', impact: 'minor', body: 'Investigting' })).json();
  await withCookie(cookie, 'POST', `incidents/${opened.id}/updates`, { status: 'identified', body: 'Found it' });
  const stored = await edge.write('GET', `incidents/${opened.id}`);
  const first = stored.incident.incident_updates.at(-1);
  const fixed = await withCookie(cookie, 'PATCH', `incidents/${opened.id}/updates/${first.id}`, { body: 'Investigating' });
  assert.equal(fixed.status, 200, await fixed.clone().text());
  const after = (await edge.write('GET', `incidents/${opened.id}`)).incident.incident_updates;
  assert.deepEqual(after.map((u) => u.body), ['Found it', 'Investigating'], 'same place, new text');
  assert.equal(after.at(-1).created_at, first.created_at, 'same time');
  assert.ok(after.at(-1).updated_at > first.updated_at, 'its updated_at says when it was edited');
  assert.ok(after.at(-1).edited_at, 'marked as edited');
  assert.equal(after[0].edited_at, undefined, 'the others are not');
  await eventually(async () => /Investigating<\/p>/.test(await (await fetch(`${edge.base}/incidents/${opened.id}`)).text()), {
    timeout: 30_000, what: 'the fixed text on the incident page',
  });
  const page = await (await fetch(`${edge.base}/incidents/${opened.id}`)).text();
  assert.equal((page.match(/ · edited<\/span>/g) ?? []).length, 1, 'readers see the one edited update marked');
  const { entries } = await edge.write('GET', 'log?limit=1');
  assert.match(entries[0].summary, new RegExp(`^edited the text of update ${first.id} of ${opened.id}`));
  assert.equal(entries[0].by.actor.name, 'Tess');
  for (const [path, body, status] of [
    [`incidents/${opened.id}/updates/nope`, { body: 'x' }, 404],
    [`incidents/${opened.id}/updates/${first.id}`, { body: ' ' }, 422],
    [`incidents/${opened.id}/updates/${first.id}`, { body: 'Investigating' }, 422],
    [`incidents/${opened.id}/updates/${first.id}`, { text: 'x' }, 400],
  ]) {
    assert.equal((await withCookie(cookie, 'PATCH', path, body)).status, status, `${path} ${JSON.stringify(body)}`);
  }
  // The CLI: the latest update by default.
  const cli = spawnSync(join(root, 'target', 'debug', 'sitrep'), ['incident', 'fix', opened.id, '--body', 'Found the cause'], {
    env: { ...process.env, SITREP_URL: edge.base, SITREP_TOKEN: edge.token }, encoding: 'utf8', timeout: 30_000,
  });
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal((await edge.write('GET', `incidents/${opened.id}`)).incident.incident_updates[0].body, 'Found the cause');
  await withCookie(cookie, 'POST', `incidents/${opened.id}/updates`, { status: 'resolved', body: 'Fixed' });
});

test('two operators at once: a write over a stale version is refused and says what changed and who changed it', async () => {
  const ana = await signIn('ana@example.com', 'editor', 'Ana');
  const ben = await signIn('ben@example.com', 'editor', 'Ben');
  const opened = await (await withCookie(ana.cookie, 'POST', 'incidents', { name: 'Both at once', impact: 'minor', body: 'Looking' })).json();
  const seen = opened.version;
  await withCookie(ana.cookie, 'POST', `incidents/${opened.id}/updates`, { status: 'identified', body: 'Ana found it' });
  const late = await withCookie(ben.cookie, 'POST', `incidents/${opened.id}/updates`, { status: 'monitoring', body: 'Ben watches' }, { 'if-match': `"${seen}"` });
  assert.equal(late.status, 409);
  const { message } = (await late.json()).error;
  assert.match(message, new RegExp(`If-Match asked for ${seen}; since then: v${seen + 1} .*\\(by Ana <ana@example.com>\\)`), message);
  const stored = await edge.write('GET', `incidents/${opened.id}`);
  assert.deepEqual(stored.incident.incident_updates.map((u) => u.body), ['Ana found it', 'Looking'], 'nothing overwritten');
  await withCookie(ana.cookie, 'POST', `incidents/${opened.id}/updates`, { status: 'resolved', body: 'Fixed' });
});

test('a new invitation voids the earlier link (one sent to the wrong place is replaced)', async () => {
  const first = await invite('rita@example.com', 'viewer');
  const second = await invite('rita@example.com', 'viewer');
  assert.equal((await follow(first.link, { client: newClient() })).status, 401);
  assert.equal((await follow(second.link)).status, 303);
});

test('a browser still sending an ended session is told to drop it, and never locks its client out', async () => {
  const { cookie, operator } = await signIn('stale@example.com', 'viewer');
  await edge.write('DELETE', `operators/${operator.id}`);
  const client = newClient();
  for (let n = 0; n < 12; n += 1) {
    const res = await withCookie(cookie, 'GET', 'me', undefined, { 'cf-connecting-ip': client });
    assert.equal(res.status, 401, `request ${n + 1}`);
    assert.match(res.headers.get('set-cookie') ?? '', /^sitrep_session=; .*Max-Age=0/);
  }
  const admin = await fetch(`${edge.base}/api/v2/admin/me`, { headers: { authorization: `Bearer ${edge.token}`, 'cf-connecting-ip': client } });
  assert.equal(admin.status, 200, 'the office\'s admin token still works');
});

test('failed sign-in links are throttled like bad tokens', async () => {
  const client = newClient();
  const forged = `${edge.base}/admin/sign-in?invite=sitrep_invite_${'0'.repeat(64)}`;
  for (let n = 0; n < 10; n += 1) assert.equal((await follow(forged, { client })).status, 401);
  const throttled = await follow(forged, { client });
  assert.equal(throttled.status, 429);
  const { link } = await invite('late@example.com', 'viewer');
  assert.equal((await follow(link, { client })).status, 429, 'even a good link waits');
});

test('sitrep operator invite prints the link on its last line; list, role and revoke by email', () => {
  const run = (args) => spawnSync(join(root, 'target', 'debug', 'sitrep'), args, {
    env: { ...process.env, SITREP_URL: edge.base, SITREP_TOKEN: edge.token }, encoding: 'utf8', timeout: 30_000,
  });
  const invited = run(['operator', 'invite', 'cli@example.com', '--role', 'editor', '--name', 'Cli User']);
  assert.equal(invited.status, 0, invited.stderr);
  assert.match(invited.stdout.trim().split('\n').at(-1), /^http:\/\/127\.0\.0\.1:\d+\/admin\/sign-in\?invite=sitrep_invite_[0-9a-f]{64}$/);
  assert.match(run(['operator', 'list']).stdout, /Cli User <cli@example.com>\s+editor/);
  assert.equal(run(['operator', 'role', 'cli@example.com', 'viewer']).stdout.trim(), 'Cli User <cli@example.com> is now viewer');
  const revoked = run(['operator', 'revoke', 'CLI@example.com']);
  assert.equal(revoked.status, 0, revoked.stderr);
  assert.match(run(['operator', 'list']).stdout, /Cli User <cli@example.com>\s+revoked/);
  const bad = run(['operator', 'invite', 'not-an-email', '--role', 'editor']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /email/);
  const log = run(['log', '--limit', '50']).stdout;
  assert.match(log, /imported the page .*\(by admin token\)$/m, log);
  assert.match(log, /opened incident .*\(by Ada Lovelace <ada@example.com>\)$/m);
});

test('an expired sign-in link and a session unused for its idle time are refused', async () => {
  // An edge of its own, where links live 2 s and sessions end after 2 s unused.
  const short = await startEdge({ page: fixture('demo'), vars: { SITREP_INVITE_SECS: '2', SITREP_SESSION_IDLE_SECS: '2' } });
  const press = (link, client) => fetch(`${short.base}/admin/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: short.base, 'cf-connecting-ip': client },
    body: `invite=${new URL(link).searchParams.get('invite')}`,
  });
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  try {
    const late = (await short.admin('POST', 'operators', { email: 'late@example.com', role: 'editor' })).json;
    const soon = (await short.admin('POST', 'operators', { email: 'soon@example.com', role: 'editor' })).json;
    const signedIn = await press(soon.link, 'local');
    assert.equal(signedIn.status, 303);
    const cookie = signedIn.headers.get('set-cookie').split(';')[0];
    assert.equal((await fetch(`${short.base}/api/v2/admin/me`, { headers: { cookie } })).status, 200);
    await wait(2_500);
    assert.equal((await press(late.link, '192.0.2.200')).status, 401, 'the link expired');
    const idle = await fetch(`${short.base}/api/v2/admin/me`, { headers: { cookie, 'cf-connecting-ip': '192.0.2.201' } });
    assert.equal(idle.status, 401, 'the session ended unused');
    assert.match((await idle.json()).error.message, /session has ended/);

    // Used every 250 ms, a session lives on; polled every 250 ms (a console tab left open,
    // `X-Sitrep-Poll: 1`), it ends after its idle time like one nobody used.
    const used = (await short.admin('POST', 'operators', { email: 'used@example.com', role: 'viewer' })).json;
    const polled = (await short.admin('POST', 'operators', { email: 'polled@example.com', role: 'viewer' })).json;
    const usedCookie = (await press(used.link, 'local')).headers.get('set-cookie').split(';')[0];
    const polledCookie = (await press(polled.link, 'local')).headers.get('set-cookie').split(';')[0];
    const me = (cookie, extra = {}) => fetch(`${short.base}/api/v2/admin/me`, { headers: { cookie, ...extra } });
    assert.equal((await me(polledCookie, { 'x-sitrep-poll': '1' })).status, 200, 'the polled session works at first');
    let polledEnded = false;
    for (let n = 0; n < 14; n += 1) {
      await wait(250);
      assert.equal((await me(usedCookie)).status, 200, `in use at ${(n + 1) * 250} ms`);
      if ((await me(polledCookie, { 'x-sitrep-poll': '1' })).status === 401) polledEnded = true;
    }
    assert.ok(polledEnded, 'polls alone do not keep a session alive');
  } finally {
    await short.stop();
  }
});

test('Cloudflare Access: a valid assertion signs its operator in; expired, wrong audience, issuer or key, alg none and strangers are refused', async () => {
  // A key pair of the test's own, pinned in the test build through SITREP_ACCESS_CERTS.
  const team = 'sitrep-test.cloudflareaccess.com';
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: 'test-1', alg: 'RS256', use: 'sig' };
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const claims = (extra = {}) => ({ aud: ['aud-test'], iss: `https://${team}`, email: 'ops@example.com', iat: now, nbf: now - 5, exp: now + 600, ...extra });
  const sign = (payload, { key = pair.privateKey, alg = 'RS256', kid = 'test-1' } = {}) => {
    const signed = `${b64({ alg, kid, typ: 'JWT' })}.${b64(payload)}`;
    if (alg === 'none') return `${signed}.`;
    return `${signed}.${createSign('RSA-SHA256').update(signed).sign(key).toString('base64url')}`;
  };
  const gated = await startEdge({
    page: fixture('demo'),
    vars: { SITREP_ACCESS_TEAM_DOMAIN: team, SITREP_ACCESS_AUD: 'aud-test', SITREP_ACCESS_READER_AUD: 'aud-readers',
      SITREP_ACCESS_CERTS: JSON.stringify({ keys: [jwk] }) },
  });
  const me = (assertion, client = 'local') => fetch(`${gated.base}/api/v2/admin/me`, { headers: { 'cf-access-jwt-assertion': assertion, 'cf-connecting-ip': client } });
  try {
    await gated.write('POST', 'operators', { email: 'OPS@example.com', role: 'editor', name: 'Ops' });
    const good = sign(claims());
    const res = await me(good);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal((await res.json()).actor.email, 'ops@example.com');
    const opened = await fetch(`${gated.base}/api/v2/admin/incidents`, {
      method: 'POST',
      headers: { 'cf-access-jwt-assertion': good, origin: gated.base, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Behind Access', impact: 'minor', body: 'Looking' }),
    });
    assert.equal(opened.status, 201);
    assert.equal((await gated.write('GET', 'log?limit=1')).entries[0].by.actor.name, 'Ops');
    const crossSite = await fetch(`${gated.base}/api/v2/admin/incidents`, {
      method: 'POST',
      headers: { 'cf-access-jwt-assertion': good, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', impact: 'minor', body: 'x' }),
    });
    assert.equal(crossSite.status, 403, 'Access rides on a cookie: another site may not write with it');
    const [head, body] = good.split('.');
    const forged = `${head}.${b64(claims({ email: 'boss@example.com' }))}.${good.split('.')[2]}`;
    assert.notEqual(body, forged.split('.')[1]);
    const refused = {
      expired: sign(claims({ exp: now - 120 })),
      'wrong audience': sign(claims({ aud: 'another-app' })),
      'wrong issuer': sign(claims({ iss: 'https://evil.cloudflareaccess.com' })),
      'wrong key': sign(claims(), { key: other.privateKey }),
      'unknown key id': sign(claims(), { kid: 'test-2' }),
      'alg none': sign(claims(), { alg: 'none' }),
      'a payload swapped under a good signature': forged,
      'an email no operator has': sign(claims({ email: 'stranger@example.com' })),
    };
    let n = 0;
    for (const [what, assertion] of Object.entries(refused)) {
      const answer = await me(assertion, `192.0.2.${100 + (n += 1)}`);
      assert.equal(answer.status, 401, what);
      assert.equal((await answer.json()).error.code, 'signed_out', what);
    }

    // Readers by Access (issue 28): a private page lets in whoever the readers' own Access application
    // signed in with an email or a domain it lists, with no operator's account; that application's
    // assertions never sign an operator in, and the operators' never admit a reader.
    const added = await gated.admin('POST', 'pages', { id: 'partners', name: 'Partners', hosts: ['partners.localhost'],
      audience: 'private', readers: ['@Partner.example', 'Kim@Elsewhere.example'] });
    assert.equal(added.status, 201, JSON.stringify(added.json));
    assert.deepEqual(added.json.page.readers, ['@partner.example', 'kim@elsewhere.example']);
    let c = 0;
    const read = (assertion, client = `198.51.100.${(c += 1)}`) => atHost(gated.base, 'partners.localhost',
      '/api/v2/summary.json', { headers: { 'cf-access-jwt-assertion': assertion, 'cf-connecting-ip': client } });
    const reader = (email, extra = {}, options = {}) => sign(claims({ aud: ['aud-readers'], email, ...extra }), options);
    for (const email of ['ana@partner.example', 'KIM@Elsewhere.example']) {
      const res = await read(reader(email));
      assert.equal(res.status, 200, `${email}: ${res.text}`);
      assert.equal(res.json.page.name, 'Partners');
      assert.match(res.headers['cache-control'], /^private/);
    }
    const strangers = {
      'another domain': reader('ana@partner.example.evil'),
      'a subdomain': reader('ana@eu.partner.example'),
      'another address of a listed person\'s domain': reader('lee@elsewhere.example'),
      'the Kelvin sign for a k': reader('\u212aim@elsewhere.example'),
      'a listed domain, expired': reader('ana@partner.example', { exp: now - 120 }),
      'a listed domain, another key': reader('ana@partner.example', {}, { key: other.privateKey }),
      'a listed domain, the operators\' application': sign(claims({ email: 'ana@partner.example' })),
      'a listed domain, another application': reader('ana@partner.example', { aud: ['another-app'] }),
    };
    for (const [what, assertion] of Object.entries(strangers)) {
      const res = await read(assertion);
      assert.equal(res.status, 401, what);
      assert.equal(res.json?.error?.code, 'private_page', what);
      assert.doesNotMatch(res.text, /Partners/, what);
    }
    assert.equal((await read(good)).status, 200, 'an operator by Access reads it too');
    assert.equal((await me(reader('ops@example.com'), '192.0.2.150')).status, 401, 'the readers\' application signs no operator in');
    // Someone the page does not list guessed nothing: an office behind one address is not locked out.
    for (let n = 0; n < 12; n += 1) assert.equal((await read(reader(`guest${n}@other.example`), '203.0.113.9')).status, 401);
    assert.equal((await read(reader('ana@partner.example'), '203.0.113.9')).status, 200, 'a listed reader at the same address');
    const open = await gated.admin('POST', 'pages', { id: 'open', name: 'Open', hosts: ['open.localhost'], readers: ['@partner.example'] });
    assert.equal(open.status, 422, 'a public page takes no readers');
    const cli = (args) => spawnSync(join(root, 'target', 'debug', 'sitrep'), args, {
      env: { ...process.env, SITREP_URL: gated.base, SITREP_TOKEN: gated.token, NO_COLOR: '1', SITREP_PAGE: '' }, encoding: 'utf8', timeout: 30_000,
    });
    const set = cli(['page', 'readers', 'partners', 'kim@elsewhere.example']);
    assert.equal(set.status, 0, set.stderr);
    assert.match(set.stdout, /page partners is read by Cloudflare Access by kim@elsewhere\.example/);
    assert.equal((await read(reader('ana@partner.example'))).status, 401, 'the domain taken off');
    assert.equal((await read(reader('kim@elsewhere.example'))).status, 200);
    const bad = cli(['page', 'readers', 'partners', '@localhost']);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /not @ and a domain/);
    // A list set from an old read (as the console sends it) is not set over the change since.
    const stale = await gated.admin('PUT', 'pages/partners/readers',
      { readers: ['@partner.example', 'eve@elsewhere.example'], was: ['@partner.example', 'kim@elsewhere.example'] });
    assert.equal(stale.status, 409, JSON.stringify(stale.json));
    assert.match(stale.json.error.message, /changed since you read them \(now: kim@elsewhere\.example\)/);
    assert.equal((await read(reader('eve@elsewhere.example'))).status, 401, 'nothing set');
    const fresh = await gated.admin('PUT', 'pages/partners/readers',
      { readers: ['kim@elsewhere.example', 'eve@elsewhere.example'], was: ['kim@elsewhere.example'] });
    assert.equal(fresh.status, 200, JSON.stringify(fresh.json));
    assert.equal((await read(reader('eve@elsewhere.example'))).status, 200);
    const log = await gated.write('GET', 'operators');
    assert.ok(log.log.some((e) => /let kim@elsewhere\.example read page partners by Cloudflare Access/.test(e.summary)));
  } finally {
    await gated.stop();
  }
});
