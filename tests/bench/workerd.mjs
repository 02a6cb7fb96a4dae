// Starts one worker in workerd through Miniflare's API (workerd listens on the port itself; no
// wrangler dev proxy in front), for `cargo xtask bench edge`. Prints READY <url> and serves until
// stdin closes.
//
//   node tests/bench/workerd.mjs sitrep <port> <state-dir>    the built edge Worker (edge/build/)
//   node tests/bench/workerd.mjs baseline <port> <body-file>  a bare JS worker returning the same bytes
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
    durableObjects: { PAGE_STORE: { className: 'PageStore', useSQLite: true } },
    bindings: { SITREP_ADMIN_TOKEN: adminToken() },
    defaultPersistRoot: arg,
  };
} else if (kind === 'baseline') {
  const body = readFileSync(arg, 'utf8');
  options = {
    ...common,
    script: `const BODY = ${JSON.stringify(body)};
      export default { fetch() { return new Response(BODY, { headers: {
        'content-type': 'application/json; charset=utf-8', 'etag': '"baseline"',
        'cache-control': 'public, max-age=30', 'access-control-allow-origin': '*' } }); } };`,
  };
} else {
  console.error('usage: workerd.mjs sitrep|baseline <port> <arg>');
  process.exit(2);
}

const mf = new Miniflare(options);
const url = await mf.ready;
console.log(`READY ${url}`);
process.stdin.resume();
process.stdin.on('end', async () => { await mf.dispose(); process.exit(0); });
