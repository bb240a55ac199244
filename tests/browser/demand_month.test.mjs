// The practice manager's monthly look at demand, in real headless Chromium, counted in
// clicks from log-in: read demand against safe capacity by clinician type, then try a
// what-if and see it drawn on the chart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchBrowser, login, seriousViolations, screenshot, screenshots } from './helpers.mjs';

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

/** Counts the clicks (and choices from a list) a task takes. */
function counter(page) {
  let clicks = 0;
  return {
    async follow(locator) {
      clicks += 1;
      await Promise.all([page.waitForNavigation(), locator.click()]);
    },
    async choose(selector, value) {
      clicks += 1;
      await page.selectOption(selector, value);
    },
    get clicks() { return clicks; },
  };
}

/** The bounding boxes of the chart's tick labels under the plot, left to right. */
async function tickBoxes(chart) {
  return chart.evaluate((svg) => {
    const texts = [...svg.querySelectorAll('text')]
      .filter((t) => t.getAttribute('text-anchor') === 'middle' && !t.getAttribute('font-weight') && !t.getAttribute('transform'));
    return texts.map((t) => { const b = t.getBBox(); return { x: b.x, right: b.x + b.width, y: b.y, text: t.textContent }; })
      .sort((a, b) => a.x - b.x);
  });
}

test('a practice manager reads demand and tries a what-if in at most 10 clicks', async () => {
  const started = Date.now();
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const manager = server.logins.find((l) => l.role === 'practice_manager' && l.organisation === 'Y99901');
  assert.ok(manager, 'a demo practice manager');
  const task = counter(page);
  await login(page, server.baseUrl, manager.email);
  const afterLogin = 1;
  await task.follow(page.getByRole('link', { name: 'Demand and capacity' }).first());
  assert.equal(new URL(page.url()).pathname, '/practices/Y99901/demand');

  // The team by clinician type, each mapped to the national category it is counted under.
  const team = page.locator('#team ~ div table').first();
  for (const type of ['GP', 'Nurse', 'Pharmacist', 'Other direct patient care', 'Admin and non-clinical']) {
    assert.equal(await team.locator('tbody th', { hasText: new RegExp(`^${type}$`) }).count(), 1, type);
  }
  // Believable: GP demand and safe capacity within a few per cent to 15 % of each other.
  const rows = page.locator('#gp-appointments ~ details').first().locator('tbody tr');
  const number = (t) => Number(t.replace(/[,−]/g, (c) => (c === '−' ? '-' : '')));
  let demand = 0;
  let capacity = 0;
  for (let i = 12; i < 24; i += 1) {
    const cells = rows.nth(i).locator('td');
    demand += number(await cells.nth(0).textContent());
    capacity += number(await cells.nth(2).textContent());
  }
  const ratio = capacity / demand;
  assert.ok(ratio > 0.85 && ratio < 1.1, `GP safe capacity is ${(ratio * 100).toFixed(0)} % of demand`);

  // The chart: axis titles, the forecast marked, a visible 80 % band, labels apart.
  const chart = page.locator('svg.gpteam-chart').first();
  assert.match(await chart.textContent(), /Appointments a month/);
  assert.match(await chart.textContent(), /Forecast from /);
  const band = chart.locator('.gpteam-chart__band');
  assert.equal(await band.count(), 1);
  assert.ok(Number(await band.getAttribute('fill-opacity')) >= 0.3, 'the band can be seen');
  const ticks = await tickBoxes(chart);
  assert.ok(ticks.length >= 4, `${ticks.length} month labels`);
  for (let i = 1; i < ticks.length; i += 1) {
    assert.ok(ticks[i].x > ticks[i - 1].right, `"${ticks[i - 1].text}" and "${ticks[i].text}" do not overlap`);
  }
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'demand-month-read');
  await chart.screenshot({ path: join(screenshots, 'demand-month-gp-chart.png') });

  // What if a 0.6 WTE paramedic started next month?
  const next = new Date();
  next.setMonth(next.getMonth() + 1);
  const month = `${next.getFullYear()}-${String(next.getMonth() + 1).padStart(2, '0')}`;
  await page.fill('#name', 'A paramedic three days a week');
  await task.choose('#post1_role', 'paramedic');
  await page.fill('#post1_wte', '0.6');
  await page.fill('#post1_start_month', month);
  await task.follow(page.getByRole('button', { name: 'Save and compare' }));
  assert.match(await page.textContent('[role=status]'), /Scenario saved/);
  const scenario = page.locator('#what-if + .app-table-scroll table tbody tr').first();
  assert.match(await scenario.textContent(), /A paramedic three days a week/);
  assert.match(await scenario.textContent(), /Drawn/);
  // Drawn on the other-staff chart (a paramedic gives no GP appointments), with its key.
  assert.equal(await page.locator('#other-appointments ~ figure svg .gpteam-chart__what-if').first().count(), 1);
  assert.match(await page.textContent('.gpteam-key'), /Safe capacity with “A paramedic three days a week”/);
  const withScenario = page.locator('#other-appointments ~ details').first().locator('thead');
  assert.match(await withScenario.textContent(), /With “A paramedic three days a week”/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'demand-month-what-if');
  await page.locator('#other-appointments ~ figure svg').first()
    .screenshot({ path: join(screenshots, 'demand-month-what-if-chart.png') });

  const clicks = afterLogin + task.clicks;
  const seconds = (Date.now() - started) / 1000;
  console.log(`demand month: ${clicks} clicks, ${seconds.toFixed(1)} s`);
  assert.ok(clicks <= 10, `${clicks} clicks`);
  assert.ok(seconds < 300, `${seconds} s`);
  await page.close();
});

test('at 320 px the chart fits and axe finds nothing serious', async () => {
  const page = await browser.newPage({ viewport: { width: 320, height: 800 } });
  const manager = server.logins.find((l) => l.role === 'practice_manager' && l.organisation === 'Y99901');
  await login(page, server.baseUrl, manager.email);
  await page.goto(`${server.baseUrl}/practices/Y99901/demand`);
  assert.deepEqual(await seriousViolations(page), []);
  const chart = page.locator('svg.gpteam-chart').first();
  const box = await chart.boundingBox();
  assert.ok(box.width <= 320, `the chart is ${box.width} px wide`);
  await screenshot(page, 'demand-month-320');
  await page.close();
});
