// Compatibility: Atlassian's own <statuspage-widget> (npm @statuspage/status-widget), loaded in
// headless Chromium from another origin, pointed at our edge, shows our status description.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { fixture, launchChromium, root, serve, startEdge } from './support.mjs';

let edge;
let server;
let browser;

before(async () => {
  // The page as it was during the Stream outage: something is open, so the text is not a default.
  edge = await startEdge({ page: fixture('live') });
  const widget = readFileSync(join(root, 'node_modules', '@statuspage', 'status-widget', 'dist', 'index.js'));
  server = await serve((req, res) => {
    if (req.url === '/widget.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(widget);
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><head><title>customer app</title></head><body>
        <statuspage-widget src="${edge.base}"></statuspage-widget>
        <statuspage-widget src="${edge.base}" appearance="badge"></statuspage-widget>
        <script>var parcelRequire; /* their Parcel 1 bundle assigns this undeclared global in strict mode */</script>
        <script src="/widget.js"></script></body></html>`);
    }
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
  await edge?.stop();
});

test("Atlassian's status widget shows our status description", async () => {
  const summary = await (await fetch(`${edge.base}/api/v2/summary.json`)).json();
  assert.equal(summary.status.indicator, 'major');
  const page = await browser.newPage();
  const requested = [];
  const errors = [];
  page.on('request', (r) => requested.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.origin}/`);
  // getByText pierces the widget's shadow root.
  await page.getByText(summary.status.description).first().waitFor({ timeout: 20_000 });
  assert.ok(requested.includes(`${edge.base}/api/v2/summary.json`), requested.join('\n'));
  assert.deepEqual(errors, []);
  await page.screenshot({ path: join(root, 'target', 'sitrep', 'atlassian-widget.png') });
  await page.close();
});
