// Starts one worker in workerd through Miniflare's API (workerd listens on the port itself; no
// wrangler dev proxy in front), for `cargo xtask bench edge`. Prints READY <url> and serves until
// stdin closes.
//
//   node tests/bench/workerd.mjs sitrep <port> <state-dir>    the built edge Worker (edge/build/)
//   node tests/bench/workerd.mjs minimal <port> <build-dir>   the minimal workers-rs Worker (tests/bench/minimal-worker)
//   node tests/bench/workerd.mjs baseline <port> <docs-file>  a bare JS worker returning the same bytes (encoded once):
//     <docs-file> is JSON {path: {body, etag, type}}; it answers 304 to a matching If-None-Match, as
//     sitrep does, and 404 to any other path
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Miniflare } from 'miniflare';

import { adminToken, root } from '../e2e/support.mjs';

const [kind, port, arg] = process.argv.slice(2);
const common = { host: '127.0.0.1', port: Number(port), compatibilityDate: '2026-04-20', modules: true };

let options;
if (kind === 'sitrep') {
  options = {
    ...common,
    scriptPath: join(root, 'edge', 'build', 'index.js'),
    modulesRoot: join(root, 'edge', 'build'),
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    kvNamespaces: ['SITREP_KV'],
    durableObjects: {
      PAGE_STORE: { className: 'PageStore', useSQLite: true },
      DELIVERY_STORE: { className: 'DeliveryStore', useSQLite: true },
      ACCOUNT_STORE: { className: 'AccountStore', useSQLite: true },
    },
    bindings: { SITREP_ADMIN_TOKEN: adminToken() },
    defaultPersistRoot: arg,
  };
} else if (kind === 'minimal') {
  options = {
    ...common,
    scriptPath: join(arg, 'index.js'),
    modulesRoot: arg,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
  };
} else if (kind === 'baseline') {
  const docs = readFileSync(arg, 'utf8');
  options = {
    ...common,
    // The bodies are encoded once, as sitrep keeps its own: each answer copies bytes, never encodes text.
    script: `const DOCS = ${docs};
      const encoder = new TextEncoder();
      for (const doc of Object.values(DOCS)) doc.bytes = encoder.encode(doc.body);
      export default { fetch(request) {
        const doc = DOCS[new URL(request.url).pathname];
        if (!doc) return new Response('not found', { status: 404 });
        const headers = { 'content-type': doc.type, 'etag': doc.etag, 'cache-control': 'public, max-age=30',
          'access-control-allow-origin': '*' };
        const asked = request.headers.get('if-none-match');
        if (asked && asked.split(',').some((tag) => tag.trim().replace(/^W\\//, '') === doc.etag)) {
          return new Response(null, { status: 304, headers });
        }
        return new Response(doc.bytes, { headers });
      } };`,
  };
} else {
  console.error('usage: workerd.mjs sitrep|minimal|baseline <port> <arg>');
  process.exit(2);
}

const mf = new Miniflare(options);
const url = await mf.ready;
console.log(`READY ${url}`);
process.stdin.resume();
process.stdin.on('end', async () => { await mf.dispose(); process.exit(0); });
