// Lighthouse 12.2.3 (the last that runs on Node 20) on the status page and the demo app, served by
// the edge in workerd with the live fixture; Debian's Chromium. Not in package.json (it is large and
// CI does not need it): `npx` fetches it from the npm registry, or set LIGHTHOUSE to a local binary.
// Prints one JSON object: per page and form factor, the four category scores and the layout shift.
//
// Usage: node tests/bench/lighthouse.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromiumArgs, fixture, startEdge } from '../e2e/support.mjs';

const edge = await startEdge({ page: fixture('live') });
const out = mkdtempSync(join(tmpdir(), 'sitrep-lighthouse-'));
const results = {};
try {
  for (const path of ['/', '/incidents/stream-2020-12-09', '/demo/']) {
    for (const preset of ['mobile', 'desktop']) {
      const file = join(out, `${path.replace(/\W/g, '_')}-${preset}.json`);
      const [command, ...prefix] = process.env.LIGHTHOUSE ? [process.env.LIGHTHOUSE] : ['npx', '--yes', 'lighthouse@12.2.3'];
      execFileSync(command, [
        ...prefix, `${edge.base}${path}`, '--output=json', `--output-path=${file}`, '--quiet',
        '--only-categories=performance,accessibility,best-practices,seo',
        `--chrome-flags=${chromiumArgs.join(' ')}`,
        ...(preset === 'desktop' ? ['--preset=desktop'] : []),
      ], { env: { ...process.env, CHROME_PATH: '/usr/bin/chromium' }, stdio: ['ignore', 'ignore', 'inherit'] });
      const report = JSON.parse(readFileSync(file, 'utf8'));
      results[`${path} ${preset}`] = {
        ...Object.fromEntries(Object.entries(report.categories).map(([k, v]) => [k, Math.round(v.score * 100)])),
        cls: report.audits['cumulative-layout-shift'].numericValue,
        fcp_ms: report.audits['first-contentful-paint'].numericValue,
        lcp_ms: report.audits['largest-contentful-paint'].numericValue,
      };
    }
  }
} finally {
  await edge.stop();
}
console.log(JSON.stringify(results));
