// Several pages in one deployment (issue 28): a page added with its own hostname answers every read
// on that host from its own store (documents, pages, feeds, badges, frames), the default page keeps
// every other host, writes with --page (the Sitrep-Page header) change only that page, cached
// answers never cross from one host to another whatever the spelling of the host, deliveries stay
// per page, and a removed page's hostnames are the default page's again. Requests name the page's
// host in the Host header to 127.0.0.1 (as a browser does for *.localhost); nothing leaves loopback.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { atHost, consoleSignIn, eventually, fixture, launchChromium, root, serve, startEdge } from './support.mjs';

const bin = join(root, 'target', 'debug', 'sitrep');
const dir = mkdtempSync(join(tmpdir(), 'sitrep-pages-'));

let edge;
before(async () => { edge = await startEdge({ page: fixture('demo'), vars: { SITREP_LOCAL_TARGETS: '1' } }); });
after(async () => { await edge?.stop(); });

const port = () => new URL(edge.base).port;

/** A GET (or `method`) to the edge's address with `host` in the Host header; `{ status, headers, text, json }`. */
const at = (host, path, options) => atHost(edge.base, host, path, options);

/** Runs the tool; returns { code, out, err }. */
function sitrep(args, env = {}) {
  const run = spawnSync(bin, args, {
    cwd: dir,
    env: { ...process.env, SITREP_URL: edge.base, SITREP_TOKEN: edge.token, NO_COLOR: '1', SITREP_PAGE: '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

function ok(args, env) {
  const run = sitrep(args, env);
  assert.equal(run.code, 0, `sitrep ${args.join(' ')}\n${run.out}${run.err}`);
  return run.out;
}

const acme = () => `acme.localhost:${port()}`;
const main = () => `127.0.0.1:${port()}`;

test('a page added on its own host answers that host from its own store, and the default page keeps the rest', async () => {
  const before = await at(main(), '/api/v2/summary.json');
  assert.equal(before.status, 200);
  const mainName = before.json.page.name;
  assert.ok(before.json.components.length > 0, 'the demo page has components');

  const added = ok(['page', 'add', 'acme', '--host', 'acme.localhost', '--host', 'status.acme.test', '--name', 'Acme Cloud']);
  assert.match(added, /added page acme \(Acme Cloud\), answering on acme\.localhost, status\.acme\.test/);
  assert.match(ok(['page', 'list']), /acme\s+Acme Cloud\s+acme\.localhost, status\.acme\.test/);

  // Every spelling of the host is the one page; another port is the same host.
  for (const host of [acme(), `ACME.Localhost.:${port()}`, 'acme.localhost', 'status.acme.test']) {
    const summary = await at(host, '/api/v2/summary.json');
    assert.equal(summary.status, 200, `${host}: ${summary.text}`);
    assert.equal(summary.json.page.name, 'Acme Cloud', host);
    assert.equal(summary.json.page.id, 'acme', host);
    assert.deepEqual(summary.json.components, [], `${host}: a new page has nothing of the default page`);
  }
  // The default page is untouched, and a host no page lists is the default page.
  for (const host of [main(), `localhost:${port()}`, `other.localhost:${port()}`, `acme.localhost.evil.test:${port()}`]) {
    const summary = await at(host, '/api/v2/summary.json');
    assert.equal(summary.json.page.name, mainName, host);
  }
  // Its page, feed, badge and frame speak of it, and its links start at its own URL.
  const page = await at(acme(), '/', { headers: { accept: 'text/html' } });
  assert.equal(page.status, 200);
  assert.match(page.text, /Acme Cloud/);
  assert.doesNotMatch(page.text, new RegExp(mainName));
  const feed = await at(acme(), '/history.atom');
  assert.match(feed.text, /Acme Cloud/);
  assert.match(feed.text, new RegExp(`http://acme\\.localhost:${port()}`));
  assert.doesNotMatch(feed.text, /127\.0\.0\.1/);
  const badge = await at(acme(), '/badge.svg');
  assert.equal(badge.status, 200);
  assert.match(badge.headers['content-type'], /image\/svg\+xml/);
  const frame = await at(acme(), '/embed/frame?view=full');
  assert.equal(frame.status, 200);
  assert.doesNotMatch(frame.text, new RegExp(mainName));
});

test('writes with --page change only that page; its ids are unknown under the other host', async () => {
  const mainBefore = await at(main(), '/api/v2/summary.json');
  const added = ok(['component', 'add', '--name', 'Acme API'], { SITREP_PAGE: 'acme' });
  const component = /created component ([A-Za-z0-9_-]+)/.exec(added)?.[1];
  assert.ok(component, added);
  const opened = ok(['incident', 'open', '--name', 'Acme API errors', '--body', 'Investigating errors.',
    '--impact', 'major', '--component', `${component}=major_outage`], { SITREP_PAGE: 'acme' });
  const id = /opened incident ([A-Za-z0-9_-]+)/.exec(opened)?.[1];
  assert.ok(id, opened);

  // Read through the CLI with --page: the page's own host, resolved to this machine.
  assert.match(ok(['--page', 'acme', 'status']), /Acme API errors/);
  assert.doesNotMatch(ok(['status']), /Acme API errors/);

  const acmeSummary = await at(acme(), '/api/v2/summary.json');
  assert.deepEqual(acmeSummary.json.incidents.map((i) => i.id), [id]);
  assert.equal(acmeSummary.json.status.indicator, 'critical', 'its one component is down');
  const mainAfter = await at(main(), '/api/v2/summary.json');
  assert.deepEqual(mainAfter.json.incidents, mainBefore.json.incidents, 'the default page did not change');
  assert.equal(mainAfter.headers['x-sitrep-version'], mainBefore.headers['x-sitrep-version']);

  assert.equal((await at(acme(), `/api/v2/incidents/${id}.json`)).status, 200);
  assert.equal((await at(main(), `/api/v2/incidents/${id}.json`)).status, 404, 'one page\'s id under the other host');
  assert.equal((await at(main(), `/incidents/${id}`, { headers: { accept: 'text/html' } })).status, 404);
  // The write API's default is the host's page; Sitrep-Page names another, and an unknown one is refused.
  const viaHost = await at(acme(), `/api/v2/admin/incidents/${id}`, { headers: { authorization: `Bearer ${edge.token}` } });
  assert.equal(viaHost.status, 200, viaHost.text);
  const viaMain = await edge.admin('GET', `incidents/${id}`);
  assert.equal(viaMain.status, 404);
  const named = await edge.admin('GET', `incidents/${id}`, undefined, { 'sitrep-page': 'acme' });
  assert.equal(named.status, 200);
  const unknown = await edge.admin('GET', `incidents/${id}`, undefined, { 'sitrep-page': 'nope' });
  assert.equal(unknown.status, 404);
  assert.match(JSON.stringify(unknown.json), /no page with id \\"nope\\"/);
});

test('cached answers never cross hosts: each host, warm and with ETags, keeps its own', async () => {
  for (let round = 0; round < 3; round += 1) {
    for (const [host, name] of [[acme(), 'Acme Cloud'], [main(), null]]) {
      for (const path of ['/api/v2/summary.json', '/api/v2/status.json', '/badge.svg', '/']) {
        const first = await at(host, path, { headers: { accept: 'text/html' } });
        assert.equal(first.status, 200, `${host}${path}`);
        const again = await at(host, path, { headers: { 'if-none-match': first.headers.etag, accept: 'text/html' } });
        assert.equal(again.status, 304, `${host}${path}: its own ETag`);
        if (path === '/api/v2/summary.json') {
          if (name) assert.equal(first.json.page.name, name);
          else assert.notEqual(first.json.page.name, 'Acme Cloud');
        }
      }
    }
  }
  const a = await at(acme(), '/api/v2/summary.json');
  const m = await at(main(), '/api/v2/summary.json', { headers: { 'if-none-match': a.headers.etag } });
  assert.equal(m.status, 200, 'one page\'s ETag is no 304 on the other');
});

// An absolute-form target (`GET http://host/path`, what a client sends to a proxy) names a host that
// may differ from the Host header. This is a check of the runtime sitrep runs on, not of sitrep's
// code: workerd refuses every absolute-form target itself, before the Worker runs (its URL parser
// rejects it: a plain-text 500 that is not sitrep's), so no page's data can answer one. Should a
// workerd release start passing them on, this test fails and the Worker's own handling (the page
// from the URL the runtime gives, never the Host header) must be tested here instead.
test('absolute-form targets naming another page never answer with either page\'s data', async () => {
  const demo = (await at(main(), '/api/v2/summary.json')).json.page.name;
  for (const [target, host] of [[acme(), main()], [main(), acme()], [acme(), acme()]]) {
    for (const path of ['/api/v2/summary.json', '/', '/badge.svg']) {
      const res = await at(host, `http://${target}${path}`, { headers: { accept: 'text/html' } });
      assert.ok(res.status >= 400, `${target}${path} under Host ${host}: ${res.status}`);
      assert.ok(!res.text.includes('Acme Cloud') && !res.text.includes(demo), `${target}${path}: ${res.text.slice(0, 200)}`);
      assert.equal(res.headers.etag, undefined, 'nothing a cache could keep');
    }
  }
  assert.equal((await at(acme(), '/api/v2/summary.json')).json.page.name, 'Acme Cloud');
  assert.equal((await at(main(), '/api/v2/summary.json')).json.page.name, demo);
});

test('pages are checked as they are added: bad or taken hostnames, reserved ones, ids', async () => {
  const refused = async (body, path) => {
    const res = await edge.admin('POST', 'pages', body);
    assert.equal(res.status, 422, JSON.stringify(res.json));
    assert.ok(res.json.error.problems.some((p) => p.path === path), JSON.stringify(res.json));
  };
  await refused({ id: 'b', name: 'B', hosts: ['not a host'] }, 'hosts[0]');
  await refused({ id: 'b', name: 'B', hosts: ['ACME.localhost'] }, 'hosts[0]');
  await refused({ id: 'b', name: 'B', hosts: ['127.0.0.1'] }, 'hosts[0]');
  await refused({ id: 'b', name: 'B', hosts: ['localhost'] }, 'hosts[0]');
  await refused({ id: 'acme', name: 'B', hosts: ['b.localhost'] }, 'id');
  await refused({ id: 'default', name: 'B', hosts: ['b.localhost'] }, 'id');
  await refused({ id: 'B/..', name: 'B', hosts: ['b.localhost'] }, 'id');
  const extra = await edge.admin('POST', 'pages', { id: 'b', name: 'B', hosts: ['b.localhost'], owner: 'x' });
  assert.equal(extra.status, 400, 'a field the API does not know');
  const audience = await edge.admin('POST', 'pages', { id: 'b', name: 'B', hosts: ['b.localhost'], audience: 'secret' });
  assert.equal(audience.status, 400, 'an audience that is not public or private');
  assert.equal((await edge.admin('DELETE', 'pages/nope')).status, 404);
  assert.equal((await edge.admin('DELETE', 'pages/default')).status, 404, 'the default page cannot be removed');
  const list = await edge.write('GET', 'pages');
  assert.deepEqual(list.pages.map((p) => p.id), ['acme'], 'nothing refused was added');
});

test('deliveries stay per page: a subscriber of one page hears only its events, webhook-ids never collide', async () => {
  const heard = { main: [], acme: [] };
  const receivers = {};
  for (const name of ['main', 'acme']) {
    receivers[name] = await serve((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        heard[name].push({ id: req.headers['webhook-id'], event: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
  }
  try {
    const sub = async (name, page) => {
      const headers = page ? { 'sitrep-page': page } : {};
      const res = await edge.admin('POST', 'subscriptions', { kind: 'webhook', url: `${receivers[name].origin}/hook` }, headers);
      assert.equal(res.status, 201, JSON.stringify(res.json));
    };
    await sub('main');
    await sub('acme', 'acme');
    const open = (page) => edge.admin('POST', 'incidents', {
      name: `${page} incident`, status: 'investigating', body: 'Looking.', impact: 'minor',
    }, page === 'acme' ? { 'sitrep-page': 'acme' } : {});
    assert.equal((await open('main')).status, 201);
    assert.equal((await open('acme')).status, 201);
    await eventually(() => heard.main.length >= 1 && heard.acme.length >= 1, { what: 'a delivery to each page\'s subscriber' });
    const names = (list) => list.map((d) => d.event.data?.incident?.name ?? d.event.data?.name ?? '');
    assert.ok(names(heard.main).every((n) => !/acme incident/.test(n)), JSON.stringify(heard.main));
    assert.ok(names(heard.acme).every((n) => !/main incident/.test(n)), JSON.stringify(heard.acme));
    assert.ok(JSON.stringify(heard.acme).includes('acme incident'), JSON.stringify(heard.acme));
    const ids = new Set(heard.main.map((d) => d.id));
    assert.ok(heard.acme.every((d) => !ids.has(d.id)), 'webhook-ids of two pages never collide');
  } finally {
    for (const r of Object.values(receivers)) await r.close();
  }
});

test('a removed page\'s hosts are the default page\'s again, and a page that takes its id starts empty', async () => {
  const mainName = (await at(main(), '/api/v2/summary.json')).json.page.name;
  const id = (await at(acme(), '/api/v2/summary.json')).json.incidents[0]?.id;
  assert.ok(id);
  const unsure = sitrep(['page', 'remove', 'acme']);
  assert.notEqual(unsure.code, 0);
  assert.match(unsure.err, /add --yes/);
  const removed = JSON.parse(ok(['--json', 'page', 'remove', 'acme', '--yes']));
  assert.equal(removed.page.id, 'acme');
  assert.equal(removed.stopped, true, 'its store and deliveries stopped');
  const late = await edge.admin('POST', 'incidents', { name: 'late', status: 'investigating', body: 'x', impact: 'minor' },
    { 'sitrep-page': 'acme' });
  assert.equal(late.status, 404, 'a write naming a removed page reaches nothing');
  const gone = await at(acme(), '/api/v2/summary.json');
  assert.equal(gone.json.page.name, mainName, 'its host answers as the default page');
  assert.equal((await at(acme(), `/api/v2/incidents/${id}.json`)).status, 404);
  assert.doesNotMatch(ok(['page', 'list']), /acme/);

  ok(['page', 'add', 'acme', '--host', 'acme.localhost', '--name', 'Acme again']);
  const again = await at(acme(), '/api/v2/summary.json');
  assert.equal(again.json.page.name, 'Acme again');
  assert.deepEqual([again.json.incidents, again.json.components], [[], []], 'nothing of the removed page');
  assert.equal((await at(acme(), `/api/v2/incidents/${id}.json`)).status, 404);
  const log = await edge.write('GET', 'operators');
  assert.ok(log.log.some((e) => /removed page acme/.test(e.summary)), 'the accounts log names the removal');
});

const stats = async (reset) => (await fetch(`${edge.base}/__sitrep/stats${reset ? '?reset=1' : ''}`)).json();
const fault = async (what) => assert.ok((await fetch(`${edge.base}/__sitrep/fault`, { method: 'POST', body: what })).ok, what);
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

test('a request for a host no page lists costs no store request: the directory comes from KV', async () => {
  assert.equal((await at(`nobody.localhost:${port()}`, '/api/v2/summary.json')).status, 200);
  await stats(true);
  await pause(5_500); // past the directory's time in this isolate's memory
  for (let n = 0; n < 10; n += 1) {
    assert.equal((await at(`nobody-${n}.localhost:${port()}`, '/api/v2/summary.json')).status, 200);
  }
  const { calls } = await stats(false);
  assert.equal(calls.directory ?? 0, 0, `the account store was asked: ${JSON.stringify(calls)}`);
  assert.equal(calls.render ?? 0, 0, `the page's store was asked: ${JSON.stringify(calls)}`);
});

test('with KV failing the directory comes from the account store, and each host keeps its page', async () => {
  await stats(true);
  await fault('store-down');
  try {
    await pause(5_500);
    const page = await at(acme(), '/api/v2/summary.json');
    assert.equal(page.status, 200);
    assert.equal(page.json.page.name, 'Acme again', 'its last good copy, never the default page\'s');
    assert.equal(page.headers['x-sitrep-stale'], '1');
  } finally {
    await fault('store-up');
  }
  const { calls } = await stats(false);
  assert.ok((calls.directory ?? 0) >= 1, `the account store was asked: ${JSON.stringify(calls)}`);
});

test('a hostname as long as DNS allows makes a page whose links are relative, never a failure', async () => {
  const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(50)}.localhost`;
  assert.ok(long.length <= 253);
  const added = await edge.admin('POST', 'pages', { id: 'long', name: 'Long', hosts: [long] });
  assert.equal(added.status, 201, JSON.stringify(added.json));
  const summary = await at(`${long}:${port()}`, '/api/v2/summary.json');
  assert.equal(summary.json.page.name, 'Long');
  assert.equal(summary.json.page.url, '', 'a URL longer than a page\'s may be is left out');
  assert.equal((await edge.admin('DELETE', 'pages/long')).status, 200);
});

test('after a restart each page publishes and delivers where its readers look', async () => {
  await edge.restart();
  const summary = await at(acme(), '/api/v2/summary.json');
  assert.equal(summary.json.page.name, 'Acme again', 'the directory survived the restart');
  const opened = await edge.admin('POST', 'incidents', { name: 'after restart', status: 'investigating', body: 'x', impact: 'minor' },
    { 'sitrep-page': 'acme' });
  assert.equal(opened.status, 201, JSON.stringify(opened.json));
  const scope = `p/acme.${(await edge.write('GET', 'pages')).pages.find((p) => p.id === 'acme').serial}/`;
  await eventually(async () => {
    const version = await (await fetch(`${edge.base}/__sitrep/kv?key=${encodeURIComponent(`${scope}summary`)}`)).json();
    return version === opened.version;
  }, { what: 'acme\'s summary published under its own keys' });
  const mainVersion = Number((await at(main(), '/api/v2/status.json')).headers['x-sitrep-version']);
  const mainKv = await (await fetch(`${edge.base}/__sitrep/kv?key=summary`)).json();
  assert.equal(mainKv, mainVersion, 'the default page\'s keys hold the default page\'s copy');
});

test('a private page answers only a reader link or a signed-in operator, warm or cold, and says so to no one else', async () => {
  assert.match(ok(['page', 'add', 'internal', '--host', 'internal.localhost', '--name', 'Internal Ops', '--private']), /added page internal/);
  assert.match(ok(['page', 'list']), /internal\s+Internal Ops\s+internal\.localhost \(private\)/);
  const host = `internal.localhost:${port()}`;
  const paths = ['/api/v2/summary.json', '/api/v2/status.json', '/api/v2/components.json', '/api/v2/incidents.json',
    '/api/v2/incidents/unresolved.json', '/api/v2/scheduled-maintenances.json', '/api/v2/postmortems.json',
    '/api/v2/uptime.json', '/history.atom', '/history.rss', '/feed.json', '/badge.svg', '/badge.svg?components=x',
    '/embed/frame', '/embed/frame?view=full'];
  const refusedEverywhere = async (headers = {}) => {
    for (const path of [...paths, ...extra]) {
      const res = await at(host, path, { headers });
      assert.equal(res.status, 401, `${path}: ${res.text}`);
      assert.equal(res.json?.error?.code, 'private_page', path);
      assert.doesNotMatch(res.text, /Internal Ops/, path);
      assert.equal((await at(host, path, { method: 'HEAD', headers })).status, 401, `HEAD ${path}`);
      if (etags[path]) {
        const again = await at(host, path, { headers: { ...headers, 'if-none-match': etags[path] } });
        assert.equal(again.status, 401, `${path} with its ETag: no 304 without a credential`);
      }
    }
    for (const path of ['/', '/history', '/incidents/x', ...pages, '/nowhere']) {
      const res = await at(host, path, { headers: { accept: 'text/html', ...headers } });
      assert.equal(res.status, 401, path);
      assert.doesNotMatch(res.text, /Internal Ops/, path);
    }
  };
  const opened = ok(['--page', 'internal', 'incident', 'open', '--name', 'Internal VPN down', '--body', 'Looking into it.', '--impact', 'major']);
  const id = /opened incident ([A-Za-z0-9_-]+)/.exec(opened)?.[1];
  assert.ok(id, opened);
  // An incident of the page, by its id, as a document and as a page.
  const extra = [`/api/v2/incidents/${id}.json`];
  const pages = [`/incidents/${id}`];
  const etags = {};
  await refusedEverywhere();

  const out = ok(['page', 'link', 'internal', '--days', '2']);
  const link = out.trim().split('\n').pop();
  assert.match(link, new RegExp(`^http://internal\\.localhost:${port()}/\\?reader=sitrep_reader_internal_\\d+_0_\\d+_[0-9a-f]{64}$`));
  const token = new URL(link).searchParams.get('reader');
  for (const path of paths) {
    const sep = path.includes('?') ? '&' : '?';
    const res = await at(host, `${path}${sep}reader=${token}`);
    assert.equal(res.status, 200, `${path}: ${res.text}`);
    assert.equal(res.headers['cache-control'], 'private, no-cache', path);
    assert.equal(res.headers['x-robots-tag'], 'noindex', path);
    assert.match(res.headers.vary ?? '', /Cookie/, path);
    etags[path] = res.headers.etag;
    const head = await at(host, `${path}${sep}reader=${token}`, { method: 'HEAD' });
    assert.equal(head.status, 200, `HEAD ${path}`);
    const fresh = await at(host, `${path}${sep}reader=${token}`, { headers: { 'if-none-match': res.headers.etag } });
    assert.equal(fresh.status, 304, `${path}: a reader's own ETag`);
  }
  for (const path of extra) {
    const res = await at(host, `${path}?reader=${token}`, { headers: { accept: 'text/html' } });
    assert.equal(res.status, 200, `${path}: ${res.text}`);
    assert.match(res.text, /Internal VPN down/, path);
  }
  assert.equal((await at(host, `/api/v2/summary.json?reader=${token}`)).json.page.name, 'Internal Ops');
  // A page opened with the link keeps it in a cookie and sends the browser on without it (the link
  // leaves the address bar and the history); the page then reads with the cookie alone.
  const page = await at(host, `/?lang=en&reader=${token}`, { headers: { accept: 'text/html' } });
  assert.equal(page.status, 303, page.text);
  assert.equal(page.headers.location, '/?lang=en');
  assert.equal(page.headers['cache-control'], 'no-store');
  assert.doesNotMatch(page.text, /Internal Ops/);
  const set = [page.headers['set-cookie']].flat()[0];
  assert.match(set, /^sitrep_reader=sitrep_reader_internal_[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
  const cookie = set.split(';')[0];
  for (const path of ['/', ...pages]) {
    const sent = await at(host, `${path}?reader=${token}`, { headers: { accept: 'text/html' } });
    assert.equal(sent.status, 303, path);
    assert.equal(sent.headers.location, path);
    const res = await at(host, path, { headers: { accept: 'text/html', cookie } });
    assert.equal(res.status, 200, `${path}: ${res.text}`);
    assert.match(res.text, path === '/' ? /Internal Ops/ : /Internal VPN down/, path);
  }
  // A page framed elsewhere (not a top-level navigation) is answered as it is: no redirect.
  const framed = await at(host, `/?reader=${token}`, { headers: { accept: 'text/html', 'sec-fetch-dest': 'iframe' } });
  assert.equal(framed.status, 200);
  assert.equal((await at(host, '/history', { headers: { accept: 'text/html', cookie } })).status, 200, 'the cookie reads its links');
  // Warm now: still nothing for a reader without a credential, nor with another page's or an altered one.
  await refusedEverywhere();
  const altered = token.slice(0, -1) + (token.endsWith('0') ? '1' : '0');
  await refusedEverywhere({ cookie: `sitrep_reader=${altered}` });
  assert.equal((await at(host, `/api/v2/summary.json?reader=${altered}`)).status, 401);
  assert.equal((await at(`acme.localhost:${port()}`, `/api/v2/summary.json`)).status, 200, 'a public page needs nothing');
  // An operator's token reads it, and the tool reads it with --page.
  assert.equal((await at(host, '/api/v2/summary.json', { headers: { authorization: `Bearer ${edge.token}` } })).status, 200);
  const status = JSON.parse(ok(['--json', '--page', 'internal', 'status']));
  assert.equal(status.page.name, 'Internal Ops', 'the tool read the private page with its token');
  // A public page has no links to make or revoke; revoking ends every link made so far, cookie included.
  assert.notEqual(sitrep(['page', 'link', 'acme']).code, 0);
  assert.equal((await edge.admin('DELETE', 'pages/acme/links')).status, 409);
  assert.match(ok(['page', 'link', 'internal', '--revoke']), /revoked every reader link of page internal/);
  const revoked = await at(host, `/api/v2/summary.json?reader=${token}`);
  assert.equal(revoked.status, 401);
  assert.match(revoked.json.error.message, /revoked/);
  assert.equal((await at(host, '/', { headers: { accept: 'text/html', cookie } })).status, 401);
  const fresh = ok(['page', 'link', 'internal']).trim().split('\n').pop();
  assert.equal((await at(host, `/api/v2/status.json?reader=${new URL(fresh).searchParams.get('reader')}`)).status, 200);
});

test('the widget reads a private page with its reader link, keeps nothing of it, and shows nothing without one', async () => {
  const link = ok(['page', 'link', 'internal', '--days', '1']).trim().split('\n').pop();
  const origin = `http://internal.localhost:${port()}`;
  const server = await serve((req, res) => {
    const url = new URL(req.url, 'http://x');
    const reader = url.searchParams.get('with') === 'link' ? ` reader="${link}"` : '';
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><title>app</title><link rel="icon" href="data:,">
      <script type="module" src="${origin}/widget.js"></script></head>
      <body><sitrep-status src="${origin}" view="banner"${reader}></sitrep-status>
      <sitrep-status id="badge" src="${origin}"${reader}></sitrep-status></body></html>`);
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const text = () => page.evaluate(() => document.querySelector('sitrep-status')?.shadowRoot?.textContent ?? '');
    await page.goto(`${server.origin}/?with=link`);
    await eventually(async () => /Internal VPN down/.test(await text()), { what: 'the private page\'s incident in the banner' });
    // The badge (no wasm: the edge's frame alone) takes the whole link too.
    const badge = () => page.evaluate(() => document.getElementById('badge')?.shadowRoot?.textContent ?? '');
    await eventually(async () => /outage/i.test(await badge()), { what: 'the private page\'s badge' });
    const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('sitrep:')));
    assert.deepEqual(kept, [], 'nothing read with a reader link is kept in the host\'s storage');
    const without = await browser.newPage();
    await without.goto(`${server.origin}/?with=none`);
    await pause(3_000);
    const shown = await without.evaluate(() => document.querySelector('sitrep-status')?.shadowRoot?.textContent ?? '');
    assert.doesNotMatch(shown, /Internal VPN down/);
  } finally {
    await browser.close();
    server.close();
  }
});

/** Signs `email` in as `role` through a fresh invitation: the session's Cookie header value and the operator. */
async function signIn(email, role) {
  const invited = await edge.admin('POST', 'operators', { email, role });
  assert.equal(invited.status, 201, JSON.stringify(invited.json));
  const invite = new URL(invited.json.link).searchParams.get('invite');
  const res = await fetch(`${edge.base}/admin/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: edge.base },
    body: `invite=${invite}`,
  });
  assert.equal(res.status, 303, await res.text());
  return { cookie: res.headers.get('set-cookie').split(';')[0], operator: invited.json.operator };
}

/** A write API call with a session cookie from the console's origin, for `page` (Sitrep-Page) if given. */
function asOperator(cookie, method, path, body, page) {
  const headers = { cookie, origin: edge.base, ...(page ? { 'sitrep-page': page } : {}) };
  if (body) headers['content-type'] = 'application/json';
  return fetch(`${edge.base}/api/v2/admin/${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
}

const listedOperator = (id) => JSON.parse(ok(['--json', 'operator', 'list'])).operators.find((o) => o.id === id);

test('a role on one page is the operator\'s there only; the CLI sets and gives it back, and it goes with the page', async () => {
  ok(['page', 'add', 'beta', '--host', 'beta.localhost', '--name', 'Beta']);
  const { cookie, operator } = await signIn('contractor@example.com', 'viewer');
  const open = (page) => asOperator(cookie, 'POST', 'incidents',
    { name: `Trouble on ${page}`, status: 'investigating', body: 'Looking.', impact: 'minor' }, page);
  const refused = await open('beta');
  assert.equal(refused.status, 403);
  assert.match((await refused.json()).error.message, /has the viewer role on page beta/);

  assert.match(ok(['operator', 'role', 'contractor@example.com', 'editor', '--on', 'beta']), /is editor on page beta/);
  assert.equal((await open('beta')).status, 201, 'an editor on beta');
  const elsewhere = await open('default');
  assert.equal(elsewhere.status, 403, 'still a viewer of the default page');
  assert.match(await elsewhere.text(), /has the viewer role on page default/);
  // Without Sitrep-Page, the page is the host's: beta's own host gives the role on beta.
  const beta = `beta.localhost:${port()}`;
  const viaHost = await at(beta, '/api/v2/admin/incidents', { method: 'POST',
    headers: { cookie, origin: `http://${beta}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Via its host', status: 'investigating', body: 'x', impact: 'minor' }) });
  assert.equal(viaHost.status, 201, viaHost.text);

  // An owner of beta alone: everything of beta, nothing of the deployment's.
  ok(['operator', 'role', 'contractor@example.com', 'owner', '--on', 'beta']);
  const component = await asOperator(cookie, 'POST', 'components', { name: 'Beta API' }, 'beta');
  assert.equal(component.status, 201, 'components take an owner: one of beta');
  const link = await asOperator(cookie, 'POST', 'pages/beta/links', { days: 1 });
  assert.equal(link.status, 409, 'a page\'s links take its owner (beta is public: there are none to make)');
  for (const [method, path, body] of [
    ['POST', 'operators', { email: 'x@example.com', role: 'viewer' }],
    ['PATCH', `operators/${operator.id}`, { role: 'owner' }],
    ['PATCH', `operators/${operator.id}`, { pages: { default: 'owner' } }],
    ['DELETE', 'pages/beta'],
    ['POST', 'pages', { id: 'mine', name: 'Mine', hosts: ['mine.localhost'] }],
  ]) {
    const res = await asOperator(cookie, method, path, body, 'beta');
    assert.equal(res.status, 403, `${method} ${path}: a page role never reaches the deployment's own calls`);
  }
  assert.equal((await open('default')).status, 403, 'nor another page');
  ok(['operator', 'role', 'contractor@example.com', 'editor', '--on', 'beta']);

  const me = await (await asOperator(cookie, 'GET', 'me', undefined, 'beta')).json();
  assert.deepEqual([me.role, me.pages, me.page], ['viewer', { beta: 'editor' }, 'beta']);
  assert.equal((await (await asOperator(cookie, 'GET', 'me')).json()).page, 'default');

  const unknown = sitrep(['operator', 'role', 'contractor@example.com', 'owner', '--on', 'nope']);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.err, /no page with id \\?"nope\\?"/);
  assert.deepEqual(listedOperator(operator.id).pages, { beta: 'editor' }, 'the refused change changed nothing');
  assert.match(ok(['operator', 'list']), /contractor@example\.com>\s+viewer \(editor on beta\)/);

  ok(['operator', 'role', 'contractor@example.com', '--on', 'beta', '--inherit']);
  assert.equal((await open('beta')).status, 403, 'given back: a viewer there again');
  assert.equal(listedOperator(operator.id).pages, undefined);

  ok(['operator', 'role', 'contractor@example.com', 'owner', '--on', 'beta']);
  ok(['page', 'remove', 'beta', '--yes']);
  assert.equal(listedOperator(operator.id).pages, undefined, 'a removed page\'s roles go with it');
  assert.ok((await edge.write('GET', 'operators')).log.some((e) =>
    /removed page beta and the roles on it of contractor <contractor@example\.com> \(owner\)/.test(e.summary)));
  ok(['page', 'add', 'beta', '--host', 'beta.localhost', '--name', 'Beta again']);
  assert.equal((await open('beta')).status, 403, 'a page that takes its id gives nobody the old role');
  const log = await edge.write('GET', 'operators');
  assert.ok(log.log.some((e) => /gave contractor <contractor@example\.com> editor on page beta/.test(e.summary)),
    JSON.stringify(log.log.slice(0, 5)));

  // Invited again, or revoked, an operator keeps no role on a page; a revoked one gets none.
  ok(['operator', 'role', 'contractor@example.com', 'editor', '--on', 'beta']);
  assert.equal((await edge.admin('POST', 'operators', { email: 'contractor@example.com', role: 'viewer' })).status, 201);
  assert.equal(listedOperator(operator.id).pages, undefined, 'invited again: the invitation\'s role only');
  ok(['operator', 'role', 'contractor@example.com', 'editor', '--on', 'beta']);
  ok(['operator', 'revoke', 'contractor@example.com']);
  assert.equal(listedOperator(operator.id).pages, undefined, 'revoked: none');
  const late = sitrep(['operator', 'role', 'contractor@example.com', 'editor', '--on', 'beta']);
  assert.notEqual(late.code, 0);
  assert.match(late.err, /was revoked: invite them again first/);
  assert.ok((await edge.write('GET', 'operators')).log.some((e) =>
    /revoked contractor <contractor@example\.com> \(and editor on page beta\)/.test(e.summary)));
});

test('an operator reads any page\'s documents through the write API, private ones too; nobody else does', async () => {
  const internal = await edge.admin('GET', 'documents/summary', undefined, { 'sitrep-page': 'internal' });
  assert.equal(internal.status, 200, JSON.stringify(internal.json));
  assert.equal(internal.json.page.name, 'Internal Ops');
  assert.equal(internal.headers.get('cache-control'), 'no-store');
  assert.ok(internal.version > 0, 'the version it was read at');
  const incidents = await edge.admin('GET', 'documents/incidents', undefined, { 'sitrep-page': 'internal' });
  assert.ok(Array.isArray(incidents.json.incidents));
  const maintenances = await edge.admin('GET', 'documents/scheduled-maintenances');
  assert.ok(Array.isArray(maintenances.json.scheduled_maintenances));
  assert.equal((await edge.admin('GET', 'documents/status', undefined, { 'sitrep-page': 'internal' })).status, 404);
  assert.equal((await edge.admin('GET', 'documents/summary', undefined, { 'sitrep-page': 'nope' })).status, 404);
  // Readers by Access need the readers' own Access application, which this deployment lacks.
  const noAccess = sitrep(['page', 'add', 'partners', '--host', 'partners.localhost', '--private', '--reader', '@example.com']);
  assert.notEqual(noAccess.code, 0);
  assert.match(noAccess.err, /SITREP_ACCESS_READER_AUD/);
  assert.doesNotMatch(ok(['page', 'list']), /partners/, 'nothing added');
  const token = new URL(ok(['page', 'link', 'internal']).trim().split('\n').pop()).searchParams.get('reader');
  for (const [what, host, path, headers] of [
    ['no credential', main(), '/api/v2/admin/documents/summary', { 'sitrep-page': 'internal' }],
    ['a reader link', main(), `/api/v2/admin/documents/summary?reader=${token}`, { 'sitrep-page': 'internal' }],
    ['a reader link on its host', `internal.localhost:${port()}`, `/api/v2/admin/documents/summary?reader=${token}`, {}],
    ['a reader cookie on its host', `internal.localhost:${port()}`, '/api/v2/admin/documents/summary', { cookie: `sitrep_reader=${token}` }],
  ]) {
    const res = await at(host, path, { headers });
    assert.equal(res.status, 401, what);
    assert.doesNotMatch(res.text, /Internal Ops/, what);
  }
});

test('the console works on the page its switcher chose: what it reads, writes and links to is that page\'s', async () => {
  ok(['page', 'add', 'gamma', '--host', 'gamma.localhost', '--name', 'Gamma Cloud']);
  const seeded = await edge.admin('POST', 'incidents',
    { name: 'Gamma queue stalled', status: 'investigating', body: 'Jobs wait.', impact: 'minor' }, { 'sitrep-page': 'gamma' });
  assert.equal(seeded.status, 201);
  const onMain = await edge.admin('POST', 'incidents',
    { name: 'Default page slow', status: 'investigating', body: 'Looking.', impact: 'minor' });
  assert.equal(onMain.status, 201);
  const mainIncidents = (await at(main(), '/api/v2/summary.json')).json.incidents.map((i) => i.name);
  assert.ok(mainIncidents.length > 0, 'the default page has open incidents the console must not show on gamma');
  const invited = await edge.admin('POST', 'operators', { email: 'switch@example.com', role: 'viewer', name: 'Sam' });
  const patched = await edge.admin('PATCH', `operators/${invited.json.operator.id}`, { pages: { gamma: 'editor' } });
  assert.equal(patched.status, 200, JSON.stringify(patched.json));

  const browser = await launchChromium();
  try {
    // CSP bypassed for axe's script only.
    const { page } = await consoleSignIn(browser, invited.json.link, { bypassCSP: true });
    await page.getByText('You have the viewer role').waitFor();
    await page.getByText('Signed in as Sam <switch@example.com>, viewer (editor on gamma).').waitFor();

    const options = await page.getByLabel('Page', { exact: true }).locator('option').allTextContents();
    assert.deepEqual(options.slice(0, 1), ['Default page']);
    assert.ok(options.includes('Gamma Cloud (gamma)'), options.join(' | '));
    await page.getByLabel('Page', { exact: true }).selectOption('gamma');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.waitForURL(/\/admin\/\?page=gamma/);
    await page.getByRole('link', { name: 'Gamma queue stalled' }).waitFor();
    assert.equal(await page.getByLabel('Page', { exact: true }).inputValue(), 'gamma');
    assert.equal(await page.getByText('You have the viewer role').count(), 0, 'an editor on gamma');
    for (const name of mainIncidents) assert.equal(await page.getByText(name).count(), 0, `${name} is the default page's`);

    // A write from the console lands on gamma only.
    await page.getByRole('link', { name: 'New incident' }).first().click();
    await page.getByLabel('Name', { exact: true }).fill('Gamma workers restarted');
    await page.getByLabel('Message', { exact: true }).fill('Restarting the workers.');
    await page.getByRole('button', { name: 'Open incident' }).click();
    await page.getByRole('heading', { name: 'Gamma workers restarted', level: 1 }).waitFor();
    await eventually(async () => (await at(`gamma.localhost:${port()}`, '/api/v2/summary.json')).json.incidents
      .some((i) => i.name === 'Gamma workers restarted'), { what: 'the console\'s incident on gamma' });
    const stillMain = (await at(main(), '/api/v2/summary.json')).json.incidents.map((i) => i.name);
    assert.deepEqual(stillMain, mainIncidents, 'nothing written to the default page');
    // Its link to the status page is gamma's own host.
    const link = await page.getByRole('link', { name: /status page/i }).first().getAttribute('href');
    assert.match(link, new RegExp(`^http://gamma\\.localhost:${port()}/incidents/`));

    await page.addScriptTag({ path: join(root, 'node_modules', 'axe-core', 'axe.min.js') });
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    assert.deepEqual(result.violations.map((v) => v.id), [], 'axe on the console with its switcher');
    const shots = join(root, 'target', 'sitrep', 'screenshots');
    mkdirSync(shots, { recursive: true });
    for (const colorScheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme });
      await page.screenshot({ path: join(shots, `console-page-switcher-${colorScheme}.png`), fullPage: true });
    }
    // An address naming no page says so, and the switcher stays to leave it.
    await page.goto(`${edge.base}/admin/?page=nope`);
    await page.getByText(/no page with id/).waitFor();
    await page.getByLabel('Page', { exact: true }).waitFor();
  } finally {
    await browser.close();
  }
});

test('the console manages pages: add one (its refusals beside the fields), a private page\'s links made and revoked, and removal', async () => {
  const invited = await edge.admin('POST', 'operators', { email: 'pages-owner@example.com', role: 'owner', name: 'Pat' });
  assert.equal(invited.status, 201, JSON.stringify(invited.json));
  const delta = `delta.localhost:${port()}`;
  const browser = await launchChromium();
  try {
    const { page } = await consoleSignIn(browser, invited.json.link, { bypassCSP: true });
    await page.getByRole('link', { name: 'Pages', exact: true }).click();
    await page.getByRole('heading', { name: 'Pages', level: 1 }).waitFor();
    await page.getByRole('row', { name: /Default page default/ }).waitFor();
    await page.getByRole('row', { name: /Gamma Cloud gamma/ }).waitFor();

    // A refusal is named beside its field, and nothing is added.
    const add = page.getByRole('region', { name: 'Add page' });
    await add.getByLabel('ID', { exact: true }).fill('Delta Cloud');
    await add.getByLabel('Name', { exact: true }).fill('Delta Cloud');
    await add.getByLabel(/^Hostnames/).fill('delta.localhost\nstatus.delta.test');
    await add.getByRole('button', { name: 'Add page' }).click();
    await page.locator('#page-id[aria-invalid="true"]').waitFor();
    assert.match(await page.locator('#page-id-error').textContent(), /lowercase/);
    // Readers by Access without the readers' Access application: refused, with the reason.
    await add.getByLabel('ID', { exact: true }).fill('delta');
    await add.getByLabel('Who reads it').selectOption('private');
    await add.getByLabel(/^Readers by Cloudflare Access/).fill('@example.com');
    await add.getByRole('button', { name: 'Add page' }).click();
    await page.getByRole('alert').filter({ hasText: 'SITREP_ACCESS_READER_AUD' }).waitFor();
    assert.doesNotMatch(ok(['page', 'list']), /delta/, 'nothing added');
    // Without them it is added (the button works again after a refusal), and the switcher has it.
    await add.getByLabel(/^Readers by Cloudflare Access/).fill('');
    await add.getByRole('button', { name: 'Add page' }).click();
    await page.getByRole('row', { name: /Delta Cloud delta/ }).waitFor();
    assert.match(ok(['page', 'list']), /delta\s+Delta Cloud\s+delta\.localhost, status\.delta\.test \(private\)/);
    assert.equal(await add.getByLabel('ID', { exact: true }).inputValue(), '', 'the form starts again');
    await page.getByLabel('Page', { exact: true }).locator('option[value="delta"]').waitFor({ state: 'attached' });
    assert.equal((await at(delta, '/api/v2/summary.json')).status, 401, 'private: nobody reads it without a credential');
    const row = page.getByRole('row', { name: /Delta Cloud delta/ });
    assert.equal(await row.getByRole('link', { name: 'status.delta.test' }).getAttribute('href'), `http://status.delta.test:${port()}`);

    // A reader link's lifetime: refused by the edge past a year, here when it is not a whole number.
    const readers = page.getByRole('region', { name: 'Delta Cloud: Readers' });
    const days = readers.getByLabel('Days the link works');
    for (const [typed, said] of [['400', /1 to 366 days/], ['-1', /A whole number of days, 1 to 366/], ['7.5', /A whole number/]]) {
      await days.fill(typed);
      await readers.getByRole('button', { name: 'Make a reader link' }).click();
      await page.locator('#page-delta-days-error').filter({ hasText: said }).waitFor();
    }
    // A reader link, shown once: it reads the page until the links are revoked, and the log says
    // who made one, for how long.
    await days.fill('7');
    const asked = Date.now();
    await readers.getByRole('button', { name: 'Make a reader link' }).click();
    const field = readers.getByLabel(/^Reader link \(shown this once/);
    await field.waitFor();
    const expires = Date.parse(await readers.locator('time[datetime]').getAttribute('datetime'));
    assert.ok(Math.abs(expires - (asked + 7 * 86_400_000)) < 120_000, `expires ${new Date(expires).toISOString()}`);
    const log = (await edge.admin('GET', 'operators')).json.log;
    assert.ok(log.some((e) => /Pat/.test(e.by) && e.summary === 'made a reader link of page delta for 7 days'),
      JSON.stringify(log.slice(0, 3)));
    assert.doesNotMatch(await page.locator('.live').textContent(), /sitrep_reader_/, 'the link is not announced');
    const link = new URL(await field.inputValue());
    assert.equal(link.host, delta);
    const token = link.searchParams.get('reader');
    const read = await at(delta, `/api/v2/summary.json?reader=${token}`);
    assert.equal(read.status, 200, read.text);
    assert.equal(read.json.page.name, 'Delta Cloud');
    await page.addScriptTag({ path: join(root, 'node_modules', 'axe-core', 'axe.min.js') });
    const axe = async (what) => {
      const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
      assert.deepEqual(result.violations.map((v) => v.id), [], `axe on the pages screen: ${what}`);
    };
    await axe('a link shown');
    // Two presses, focus on the second, and back on cancelling.
    const focused = () => page.evaluate(() => document.activeElement?.id);
    await page.getByRole('button', { name: 'Revoke every reader link: Delta Cloud' }).click();
    await eventually(async () => (await focused()) === 'page-delta-revoke-confirm', { what: 'focus on the confirmation' });
    await readers.getByRole('button', { name: 'Cancel: Delta Cloud' }).click();
    await eventually(async () => (await focused()) === 'page-delta-revoke', { what: 'focus back' });
    assert.equal((await at(delta, `/api/v2/summary.json?reader=${token}`)).status, 200, 'cancelled: the link still reads');
    await page.getByRole('button', { name: 'Revoke every reader link: Delta Cloud' }).click();
    await page.getByRole('button', { name: 'Yes, revoke every link: Delta Cloud' }).click();
    await eventually(async () => (await at(delta, `/api/v2/summary.json?reader=${token}`)).status === 401,
      { what: 'the revoked link refused' });
    await field.waitFor({ state: 'detached' }); // the revoked link is no longer shown

    // Readers by Access: refused without the readers' application (the list stays as it was),
    // and an empty list saved.
    await readers.getByLabel(/^Readers by Cloudflare Access/).fill('ada@example.com');
    await readers.getByRole('button', { name: 'Save readers' }).click();
    await readers.getByRole('alert').filter({ hasText: 'SITREP_ACCESS_READER_AUD' }).waitFor();
    await readers.getByLabel(/^Readers by Cloudflare Access/).fill('');
    await readers.getByRole('button', { name: 'Save readers' }).click();
    await eventually(async () => (await edge.admin('GET', 'operators')).json.log
      .some((e) => e.summary === 'let no one read page delta by Cloudflare Access'), { what: 'the readers saved' });
    const shots = join(root, 'target', 'sitrep', 'screenshots');
    mkdirSync(shots, { recursive: true });
    for (const colorScheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme });
      await page.screenshot({ path: join(shots, `console-pages-${colorScheme}.png`), fullPage: true });
    }

    // Working on delta, the owner removes it: two presses, the warning named, and the console
    // goes back to the default page.
    await row.getByRole('link', { name: 'Open: Delta Cloud' }).click();
    await page.waitForURL(/\/admin\/\?page=delta/);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Pages', exact: true }).click();
    await page.getByRole('button', { name: 'Remove: Delta Cloud' }).click();
    const confirm = page.getByRole('button', { name: 'Yes, remove: Delta Cloud' });
    await eventually(async () => (await focused()) === 'remove-delta-confirm', { what: 'focus on the confirmation' });
    assert.match(await page.locator(`#${await confirm.getAttribute('aria-describedby')}`).textContent(), /empties its store for good/);
    await page.addScriptTag({ path: join(root, 'node_modules', 'axe-core', 'axe.min.js') });
    await axe('a removal to confirm');
    await confirm.click();
    await page.waitForURL((url) => url.search === '?page=default' && url.hash === '#/pages');
    await page.getByRole('heading', { name: 'Pages', level: 1 }).waitFor();
    await page.getByRole('row', { name: /Gamma Cloud gamma/ }).waitFor();
    assert.equal(await page.getByRole('row', { name: /Delta Cloud/ }).count(), 0);
    assert.doesNotMatch(ok(['page', 'list']), /delta/);
    const now = await at(delta, '/api/v2/summary.json');
    assert.equal(now.status, 200, 'its hostname is the default page\'s again');
    assert.notEqual(now.json.page.name, 'Delta Cloud');

    // A viewer reads the list, and is offered nothing the edge would refuse them.
    const viewer = await edge.admin('POST', 'operators', { email: 'pages-viewer@example.com', role: 'viewer', name: 'Vi' });
    const { page: other } = await consoleSignIn(browser, viewer.json.link);
    await other.goto(`${edge.base}/admin/#/pages`);
    await other.getByRole('row', { name: /Internal Ops internal/ }).waitFor();
    assert.equal(await other.getByRole('region', { name: 'Add page' }).count(), 0);
    assert.equal(await other.getByRole('button', { name: /^Remove/ }).count(), 0);
    assert.equal(await other.getByRole('region', { name: 'Internal Ops: Readers' }).count(), 0);
  } finally {
    await browser.close();
  }
});

test('the widget with the src of each host shows each page, side by side in one app', async () => {
  // After the console's test: gamma has its own incidents, the default page "Default page slow".
  const gamma = `http://gamma.localhost:${port()}`;
  const server = await serve((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><title>app</title><link rel="icon" href="data:,">
      <script type="module" src="${edge.base}/widget.js"></script></head>
      <body><sitrep-status id="gamma" src="${gamma}" view="banner"></sitrep-status>
      <sitrep-status id="main" src="${edge.base}" view="banner"></sitrep-status></body></html>`);
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(server.origin);
    const text = (id) => page.evaluate((id) => document.getElementById(id)?.shadowRoot?.textContent ?? '', id);
    await eventually(async () => /Gamma (queue stalled|workers restarted)/.test(await text('gamma')), { what: 'gamma\'s banner' });
    await eventually(async () => /Default page slow/.test(await text('main')), { what: 'the default page\'s banner' });
    assert.doesNotMatch(await text('gamma'), /Default page slow/);
    assert.doesNotMatch(await text('main'), /Gamma/);
  } finally {
    await browser.close();
    server.close();
  }
});
