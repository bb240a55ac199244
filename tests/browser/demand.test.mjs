// Demand and capacity pages in real headless Chromium: the chart, its table and the key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repo, startServer, launchBrowser, login, loginAsNewAdmin, seriousViolations, screenshot } from './helpers.mjs';

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
  const rows = page.locator('#gp-appointments ~ details').first().locator('tbody tr');
  assert.equal(await rows.count(), 24, '12 recorded months and 12 forecast');
  assert.match(await rows.nth(12).textContent(), /\(forecast\)/);
  assert.match(await rows.nth(12).textContent(), /\d[\d,]* to \d[\d,]*/, 'the forecast has its 80 % range');
  const weeks = page.locator('#gp-appointments ~ details').nth(1).locator('tbody tr');
  assert.equal(await weeks.count(), 13, 'the next 13 weeks');
  assert.match(await page.textContent('main'), /spread evenly over its working days/);
  const summary = await page.locator('#gp-appointments + p').textContent();
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

test('what-if: a bad post is named, then two scenarios are saved and compared', async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await login(page, server.baseUrl, account('practice_manager', 'Y99901'));
  await page.goto(`${server.baseUrl}/practices/Y99901/demand`);
  await page.fill('#name', 'Two more salaried GPs');
  await page.selectOption('#post1_role', 'salaried_gp');
  await page.fill('#post1_wte', '2.5');
  await page.fill('#post1_start_month', 'next spring');
  await Promise.all([page.waitForNavigation(), page.click('text=Save and compare')]);
  const problems = await page.textContent('.nhsuk-error-summary');
  assert.match(problems, /Post 1: enter a WTE above 0 and up to 1.5/);
  assert.match(problems, /Post 1: enter the first month as YYYY-MM/);
  assert.equal(await page.inputValue('#name'), 'Two more salaried GPs', 'what was typed is kept');
  assert.deepEqual(await seriousViolations(page), []);
  const nextMonth = new Date();
  nextMonth.setMonth(nextMonth.getMonth() + 1);
  const month = `${nextMonth.getFullYear()}-${String(nextMonth.getMonth() + 1).padStart(2, '0')}`;
  await page.fill('#post1_wte', '1');
  await page.fill('#post1_start_month', month);
  await page.selectOption('#post2_role', 'salaried_gp');
  await page.fill('#post2_wte', '1');
  await page.fill('#post2_start_month', month);
  await Promise.all([page.waitForNavigation(), page.click('text=Save and compare')]);
  assert.match(await page.textContent('[role=status]'), /Scenario saved/);
  // A second scenario: a clinical pharmacist at the ARRS maximum.
  await page.fill('#name', 'A clinical pharmacist');
  await page.selectOption('#post1_role', 'clinical_pharmacist');
  await page.fill('#post1_wte', '1');
  await page.fill('#post1_start_month', month);
  await Promise.all([page.waitForNavigation(), page.click('text=Save and compare')]);
  const rows = page.locator('#what-if + .app-table-scroll table tbody tr');
  assert.equal(await rows.count(), 2);
  const gps = await rows.nth(0).textContent();
  assert.match(gps, /Two more salaried GPs/);
  assert.match(gps, /\+£183,444/, 'two salaried GPs at the pay-range midpoint');
  const pharmacist = await rows.nth(1).textContent();
  // The rate table's maximum: none is recorded for the year ahead, so the latest recorded
  // (2025/26, national, band 7–8a) prices the post — not the 2023 fallback constant.
  assert.match(pharmacist, /\+£66,972/, 'the ARRS maximum for a clinical pharmacist');
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'demand-what-if');
  await page.close();
});

test('import the real GPAD file on the web page; a bad copy is refused with its row', async () => {
  // Reference data is the system administrator's to import; a manager does not see it.
  const manager = await browser.newPage();
  await login(manager, server.baseUrl, account('pcn_manager'));
  await manager.goto(`${server.baseUrl}/import`);
  assert.equal(await manager.locator('#appointments-file').count(), 0);
  await manager.close();
  const page = await (await browser.newContext()).newPage();
  await loginAsNewAdmin(page, server);
  const real = join(repo, '..', 'shared', 'data', 'nhs', 'appointments_gp', 'Regional_CSV_SuffolkNEEssex_MAR2019-FEB2021.csv');
  const lines = readFileSync(real, 'utf8').split('\n');
  lines[40] = lines[40].replace(/,\d+\r?$/, ',12.5');
  const dir = mkdtempSync(join(tmpdir(), 'gpteam-gpad-'));
  const bad = join(dir, 'gpad.csv');
  writeFileSync(bad, lines.join('\n'));
  await page.goto(`${server.baseUrl}/import`);
  await page.setInputFiles('#appointments-file', bad);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Import appointments")')]);
  assert.match(await page.textContent('.nhsuk-error-summary'), /gpad\.csv:41: COUNT_OF_APPOINTMENTS: '12\.5' is not a whole number/);
  await page.setInputFiles('#appointments-file', real);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Import appointments")')]);
  assert.match(await page.textContent('[role=status]'), /read 13832 rows \(monthly_ccg\), stored 2427 counts for 3 areas from 2019-03 to 2021-02/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'import-appointments');
  await page.close();
});

test('a practice changes its appointments a session and safe capacity follows', async () => {
  const page = await browser.newPage();
  await login(page, server.baseUrl, account('practice_manager', 'Y99903'));
  await page.goto(`${server.baseUrl}/practices/Y99903/demand`);
  const capacityOf = async () => Number((await page.locator('#gp-appointments ~ details').first().locator('tbody tr').nth(12).locator('td').nth(2).textContent()).replace(/,/g, ''));
  const before = await capacityOf();
  assert.equal(await page.inputValue('#gp'), '12');
  await page.fill('#gp', 'twelve');
  await Promise.all([page.waitForNavigation(), page.click('text=Save appointments a session')]);
  assert.match(await page.textContent('.nhsuk-error-summary'), /Enter appointments a session for GP as a number from 0 to 16/);
  await page.fill('#gp', '9');
  await Promise.all([page.waitForNavigation(), page.click('text=Save appointments a session')]);
  assert.match(await page.textContent('[role=status]'), /Appointments a session saved/);
  const after = await capacityOf();
  assert.ok(Math.abs(after - before * 9 / 12) <= 2, `GP capacity ${before} → ${after}`);
  await page.close();
});
