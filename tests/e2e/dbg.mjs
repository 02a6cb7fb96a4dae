import { fixture, launchChromium, startEdge } from './support.mjs';
const edge = await startEdge({ page: fixture('demo') });
const browser = await launchChromium();
try {
  const res = await edge.admin('POST', 'operators', { email: 'd@example.com', role: 'owner', name: 'D' });
  const page = await (await browser.newContext()).newPage();
  page.on('console', (m) => console.log('console:', m.type(), m.text()));
  page.on('pageerror', (e) => console.log('pageerror:', e.message));
  await page.goto(res.json.link);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  await page.goto(`${edge.base}/admin/#/incidents/new`);
  await page.getByLabel('Name', { exact: true }).fill('Half-written');
  await page.getByRole('link', { name: 'Skip to the console' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForTimeout(500);
  console.log(page.url());
  console.log((await page.locator('body').innerHTML()).slice(0, 1500));
} finally { await browser.close(); await edge.stop(); }
