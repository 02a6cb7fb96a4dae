// The write API's door: missing, wrong and almost-right tokens are refused and change nothing;
// repeated failures are throttled (429 with Retry-After, even for the right token, until the
// window ends); browsers on other origins get no CORS grant; the token never reaches the log.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { fixture, startEdge } from './support.mjs';

let edge;

before(async () => {
  edge = await startEdge({ page: fixture('demo') });
});

after(async () => {
  await edge?.stop();
});

const version = async () => Number((await fetch(`${edge.base}/api/v2/status.json`)).headers.get('x-sitrep-version'));
const post = (authorization, extra = {}) => fetch(`${edge.base}/api/v2/admin/incidents`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}), ...extra },
  body: JSON.stringify({ name: 'Should never exist', impact: 'minor', body: 'x' }),
});

test('cross-origin browsers get no CORS grant on the write API', async () => {
  const preflight = await fetch(`${edge.base}/api/v2/admin/incidents`, {
    method: 'OPTIONS',
    headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });
  assert.equal(preflight.headers.get('access-control-allow-origin'), null);
  assert.equal(preflight.headers.get('access-control-allow-headers'), null);
  const res = await post(`Bearer ${edge.token}`, { origin: 'https://evil.example' });
  assert.equal(res.headers.get('access-control-allow-origin'), null, 'a browser would not expose the answer');
});

test('bad tokens are refused, change nothing, and repeated failures are throttled', async () => {
  const before = await version();
  const token = edge.token;
  // No credential at all guesses nothing: refused, and not counted (a console polling after its
  // session ended must not lock its office out).
  for (let n = 0; n < 12; n += 1) assert.equal((await post(undefined)).status, 401);
  const attempts = [
    'Bearer nothing',
    'Bearer',
    'Bearer ',
    `Token ${token}`,
    `Basic ${Buffer.from(`admin:${token}`).toString('base64')}`,
    `Bearer ${token.slice(0, -1)}`,
    `Bearer ${token}x`,
    `Bearer ${token.slice(0, -1)}${token.at(-1) === 'a' ? 'b' : 'a'}`,
    `Bearer  ${token}`,
    `Bearer ${token.toUpperCase() === token ? token.toLowerCase() : token.toUpperCase()}`,
  ];
  for (const authorization of attempts) {
    const res = await post(authorization);
    assert.equal(res.status, 401, `${JSON.stringify(authorization?.replace(token, '<token>'))}`);
    const body = await res.json();
    assert.equal(body.error.code, 'unauthorized');
    assert.ok(!JSON.stringify(body).includes(token.slice(0, 8)), 'the answer never echoes the token');
  }
  // The eleventh failure in a minute: throttled, and now even the right token waits.
  const throttled = await post('Bearer nope');
  assert.equal(throttled.status, 429);
  assert.ok(Number(throttled.headers.get('retry-after')) > 0);
  assert.equal((await throttled.json()).error.code, 'too_many_attempts');
  const right = await post(`bearer ${token}`);
  assert.equal(right.status, 429, 'a throttled client is not even checked');
  assert.equal(await version(), before, 'nothing changed');
  const log = edge.log();
  assert.ok(!log.includes(token), 'the token is not in the edge log');
});
