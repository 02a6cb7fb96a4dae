// Starts the built Worker in real workerd (wrangler dev, local mode) for one test file, and the
// helpers the end-to-end tests share. The test build must already be in target/sitrep/edge-test/
// (`cargo xtask test` does it); nothing here is a mock.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const edgeDir = join(root, 'edge');
// The test build (with its fault switch) and its own copy of wrangler.toml: never edge/build/,
// which is what `wrangler deploy` uploads.
const testDir = process.env.SITREP_EDGE_TEST_DIR ?? join(root, 'target', 'sitrep', 'edge-test');

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns a truthy value or the deadline passes. No sleeps as waits. */
export async function eventually(check, { timeout = 20_000, interval = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/** The admin token from edge/.dev.vars (created by `cargo xtask test`/`dev`). */
export function adminToken() {
  const vars = readFileSync(join(edgeDir, '.dev.vars'), 'utf8');
  const line = vars.split('\n').find((l) => l.startsWith('SITREP_ADMIN_TOKEN='));
  if (!line) throw new Error('edge/.dev.vars has no SITREP_ADMIN_TOKEN');
  return line.slice('SITREP_ADMIN_TOKEN='.length).trim();
}

/** A page written by xtask: `demo` (the five seeds) or `live` (the same, as of the Stream outage). */
export function fixture(name) {
  const path = process.env[`SITREP_${name.toUpperCase()}_JSON`] ?? join(root, 'target', 'sitrep', `${name}.json`);
  return readFileSync(path);
}

/**
 * Starts workerd with a fresh state directory (or `persist`), and loads `page` (bytes) if given;
 * `vars` are extra Worker variables (`wrangler dev --var`).
 * Returns { base, token, stop, restart, log }.
 */
export async function startEdge({ page, persist, vars = {} } = {}) {
  const state = persist ?? mkdtempSync(join(tmpdir(), 'sitrep-e2e-'));
  const token = adminToken();
  let child;
  let log = '';
  let base;
  const launch = async () => {
    const port = await freePort();
    const inspector = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(
      join(root, 'node_modules', '.bin', 'wrangler'),
      ['dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector),
        '--persist-to', state, '--show-interactive-dev-session=false', '--log-level', 'warn',
        ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`])],
      // Its own process group, so crash() can kill workerd (wrangler's child) with it.
      { cwd: testDir, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    child.stdout.on('data', (d) => { log += d; });
    child.stderr.on('data', (d) => { log += d; });
    await eventually(async () => (await fetch(`${base}/api/v2/status.json`)).status > 0, {
      timeout: 60_000, what: `workerd on ${base}\n${log}`,
    });
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  await launch();
  const edge = {
    get base() { return base; },
    token,
    log: () => log,
    stop: async () => {
      await stop();
      if (!persist) rmSync(state, { recursive: true, force: true });
    },
    /** Stops and starts workerd again on the same state (a new port). */
    restart: async () => { await stop(); await launch(); },
    /** SIGKILLs wrangler and workerd at once, as a crash would, then starts again on the same state. */
    crash: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
      await exited;
      await launch();
    },
    /** A write API call with the token; `{ status, json, version, headers }`, whatever the status. */
    admin: async (method, path, body, headers = {}) => {
      const init = { method, headers: { authorization: `Bearer ${token}`, ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        init.headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${base}/api/v2/admin/${path}`, init);
      const text = await res.text();
      let json;
      try { json = JSON.parse(text); } catch { json = text; }
      return { status: res.status, json, version: Number(res.headers.get('x-sitrep-version')), headers: res.headers };
    },
    /** A write API call that must succeed; its JSON answer. */
    write: async (method, path, body) => {
      const { status, json } = await edge.admin(method, path, body);
      if (status < 200 || status > 299) throw new Error(`${method} ${path}: ${status} ${JSON.stringify(json)}`);
      return json;
    },
    load: async (bytes) => {
      const res = await fetch(`${base}/api/v2/admin/page`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: bytes,
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`loading the page failed: ${res.status} ${text}`);
      return JSON.parse(text);
    },
  };
  if (page) await edge.load(page);
  return edge;
}

/**
 * An HTTP server on a free loopback port, answering with `handler(req, res)`: a customer's page on
 * an origin other than the edge's. Returns `{ origin, close }`.
 */
/**
 * A request to `base`'s address (loopback) with `host` in the Host header, as a browser sends one
 * for `*.localhost`: `{ status, headers, text, json }`.
 */
export function atHost(base, host, path, { method = 'GET', headers = {}, body } = {}) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method, headers: { host, ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error(`${host}${path} timed out`)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export async function serve(handler) {
  const port = await freePort();
  const server = createHttpServer(handler);
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  server.unref(); // a failed test that never closes it must not keep node running
  return { origin: `http://127.0.0.1:${port}`, close: () => server.close() };
}

/** Debian's headless Chromium, with the flags this machine needs. */
/** A context of `browser` signed in to the console by the sign-in `link` (`options` for the
 * context: its viewport, bypassCSP for axe); `{ context, page }`, the page on the overview, any
 * script error thrown. */
export async function consoleSignIn(browser, link, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  page.on('pageerror', (e) => { throw e; });
  await page.goto(link);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  return { context, page };
}

export function launchChromium() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
}

/** Chromium flags for this closed, root-run machine. */
export const chromiumArgs = [
  '--no-sandbox', '--headless=new', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
  '--disable-quic',
];
