// Demand and capacity pages in real headless Chromium: the chart, its table and the key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, login, seriousViolations, screenshot } from './helpers.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

function account(role, organisation) {
  const found = server.logins.find((l) => l.role === role && (!organisation || l.organisation === organisation));
  assert.ok(found, `a demo ${role} log-in`);
  return found.email;
}

test('a practice manager reads demand against safe capacity from the dashboard', async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await login(page, server.baseUrl, account('practice_manager', 'Y99901'));
  await Promise.all([page.waitForNavigation(), page.click('text=Demand and capacity')]);
  assert.equal(new URL(page.url()).pathname, '/practices/Y99901/demand');
  assert.equal(await page.textContent('h1'), 'Demand and capacity');
  // One chart per HCP type, each described for screen readers, each with its table.
  assert.equal(await page.locator('svg.gpteam-chart').count(), 2);
  assert.match(await page.locator('svg.gpteam-chart title').first().textContent(), /GP appointments/);
  const rows = page.locator('#gp ~ details').first().locator('tbody tr');
  assert.equal(await rows.count(), 24, '12 recorded months and 12 forecast');
  assert.match(await rows.nth(12).textContent(), /\(forecast\)/);
  assert.match(await rows.nth(12).textContent(), /\d[\d,]* to \d[\d,]*/, 'the forecast has its 80 % range');
  const summary = await page.locator('#gp + p').textContent();
  assert.match(summary, /Short of safe capacity|Safe capacity covers/);
  assert.match(await page.textContent('main'), /25 contacts a day/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'demand-practice');
  await page.close();
});

test('the PCN manager sees the whole PCN and the ICS viewer may read it too', async () => {
  for (const role of ['pcn_manager', 'ics_viewer']) {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await login(page, server.baseUrl, account(role));
    await page.goto(`${server.baseUrl}/pcns/U99901/demand`);
    assert.equal(await page.textContent('h1'), 'Demand and capacity');
    assert.match(await page.textContent('main'), /list sizes of the 3 practices/);
    assert.equal(await page.locator('svg.gpteam-chart').count(), 2);
    if (role === 'pcn_manager') await screenshot(page, 'demand-pcn');
    await page.close();
  }
});
