// The demand page says how its forecast was made: the method, how it did in a backtest on
// the area's own history, and the first month's 80 % range.
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

test('the demand page says which method forecast, how it did in backtest, and its range', async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const manager = server.logins.find((l) => l.role === 'practice_manager' && l.organisation === 'Y99901');
  assert.ok(manager, 'a demo practice manager');
  await login(page, server.baseUrl, manager.email);
  await page.goto(`${server.baseUrl}/practices/Y99901/demand`);
  const heading = page.locator('#forecast-method');
  assert.equal(await heading.textContent(), 'How this forecast was made');
  const block = await page.textContent('main');
  assert.match(block, /Method: last month's appointments per working day/);
  // The area's own backtest: origins named, a ratio against the simple forecasts and the
  // working-day naive, and the share of months inside the range.
  assert.match(block, /forecasting up to 6 months ahead from each of the 6 months [A-Z][a-z]{2} \d{4} to [A-Z][a-z]{2} \d{4}, its errors were \d+ % of those of the better simple forecast/);
  assert.match(block, /last month's appointments per working day alone scored \d+ %/);
  assert.match(block, /\d+ % of the actual months fell inside its 80 % range/);
  assert.match(block, /GP, [A-Z][a-z]{2} \d{4}: [\d,]+ appointments \(80 % range [\d,]+ to [\d,]+\)/);
  assert.deepEqual(await seriousViolations(page), []);
  await heading.scrollIntoViewIfNeeded();
  await screenshot(page, 'demand-forecast-method');
  await page.close();
});
