// A webhook receiver for local development: prints each delivery from `cargo xtask dev`, verified
// with the `standardwebhooks` package when it is given the subscription's secret, and deduplicated
// by webhook-id as a real receiver must be. Slack and Discord messages are printed as they arrive.
//
// Usage: node tests/receiver.mjs [port] [whsec_...]     (default port 8790)
//        sitrep subscribers add --kind webhook --url http://127.0.0.1:8790/hook
import { createServer } from 'node:http';

import { Webhook } from 'standardwebhooks';

const port = Number(process.argv[2] ?? 8790);
const secret = process.argv[3] ?? process.env.SITREP_WEBHOOK_SECRET;
const seen = new Set();

createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const id = req.headers['webhook-id'];
    const when = new Date().toISOString().slice(11, 23);
    if (!id) {
      console.log(`${when} ${req.url} (no signature: a Slack or Discord message)\n${JSON.stringify(JSON.parse(body), null, 2)}`);
      res.writeHead(200).end();
      return;
    }
    let verdict = 'not verified (no secret given)';
    if (secret) {
      try {
        new Webhook(secret).verify(body, req.headers);
        verdict = 'verified';
      } catch (err) {
        console.log(`${when} ${id} REJECTED: ${err.message}`);
        res.writeHead(400).end();
        return;
      }
    }
    const event = JSON.parse(body);
    const again = seen.has(id) ? ' (again: already processed, acknowledged only)' : '';
    seen.add(id);
    const about = event.data.incident ? `${event.data.incident.name} [${event.data.incident.status}]`
      : `${event.data.component?.name}: ${event.data.component?.old_status} -> ${event.data.component?.new_status}`;
    console.log(`${when} ${id} ${event.type} ${verdict}${again}: ${about}`);
    res.writeHead(204).end();
  });
}).listen(port, '127.0.0.1', () => console.log(`receiving on http://127.0.0.1:${port}/ ${secret ? 'with' : 'without'} a secret`));
