// The main journeys of a practice manager, in real headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, login, seriousViolations, screenshot } from './helpers.mjs';

let server;
let browser;
const practice = 'Y99901';

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

async function managerPage() {
  const page = await browser.newPage();
  await login(page, server.baseUrl, account('practice_manager', practice));
  return page;
}

test('a wrong password is refused with a clear message', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.baseUrl}/login`);
  await page.fill('#email', account('practice_manager', practice));
  await page.fill('#password', 'not the password');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.match(await page.textContent('.nhsuk-error-summary'), /email address or password is not correct/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'login-error');
  await page.close();
});

test('the dashboard shows the team, vacancies and leave, with no serious accessibility problems', async () => {
  const page = await managerPage();
  assert.equal(new URL(page.url()).pathname, `/practices/${practice}`);
  assert.equal(await page.textContent('h1'), 'Riverside Surgery');
  const body = await page.textContent('main');
  assert.match(body, /Team by staff group/);
  assert.match(body, /Receptionist/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'dashboard');
  await page.close();
});

test('the staff list filters and passes axe', async () => {
  const page = await managerPage();
  await page.goto(`${server.baseUrl}/practices/${practice}/staff`);
  const all = await page.locator('tbody tr').count();
  assert.ok(all >= 15, `${all} people`);
  await page.selectOption('#group', 'admin_non_clinical');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Filter")')]);
  const admins = await page.locator('tbody tr').count();
  assert.ok(admins > 0 && admins < all);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'staff-list');
  await page.close();
});

test('add a person: a validation error keeps what was typed, then the fix is saved', async () => {
  const page = await managerPage();
  await page.goto(`${server.baseUrl}/practices/${practice}/staff/new`);
  assert.deepEqual(await seriousViolations(page), []);
  await page.fill('#name', 'Dr Browser Testwell');
  await page.selectOption('#role', 'salaried_gp');
  await page.fill('#wte', '2');
  await page.fill('#sessions_per_week', '6');
  await page.fill('#email', 'browser.testwell@riverside.example');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  const summary = await page.textContent('.nhsuk-error-summary');
  assert.match(summary, /WTE must be more than 0 and at most 1.5/);
  assert.equal(await page.inputValue('#name'), 'Dr Browser Testwell');
  assert.ok(await page.locator('#wte.nhsuk-input--error').count());
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'staff-form-error');
  await page.fill('#wte', '0.6');
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  // A starter inside the published rota's weeks: the manager is told, then saves.
  if (await page.locator('button:has-text("Save and mark the rota")').count()) {
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Save and mark the rota")')]);
  }
  assert.match(await page.textContent('main'), /The person was added to the team/);
  assert.match(await page.textContent('main'), /Dr Browser Testwell/);
  await page.close();
});

test('approve a leave request', async () => {
  const page = await managerPage();
  await page.goto(`${server.baseUrl}/practices/${practice}/leave`);
  const pending = page.locator('tr[data-leave-id]');
  const before = await pending.count();
  assert.ok(before > 0, 'the demo has pending requests');
  await screenshot(page, 'leave');
  assert.deepEqual(await seriousViolations(page), []);
  await Promise.all([page.waitForNavigation(), pending.first().locator('button[value=approve]').click()]);
  assert.match(await page.textContent('main'), /The leave was approved/);
  assert.equal(await page.locator('tr[data-leave-id]').count(), before - 1);
  await page.close();
});

test('import a staff CSV with a bad row: the row-level error is shown and nothing changes', async () => {
  const page = await managerPage();
  const dir = mkdtempSync(join(tmpdir(), 'gpteam-import-'));
  const file = join(dir, 'team.csv');
  writeFileSync(file, [
    'name,email,phone,role,employer,employer_code,wte,sessions_per_week,skills,start_date,end_date,practices',
    `Jo Goodrow,jo.goodrow@riverside.example,,receptionist,practice,${practice},0.8,7,,2026-01-05,,${practice}`,
    `Bad Row,bad.row@riverside.example,,wizard,practice,${practice},0.8,7,,2026-01-05,,${practice}`,
  ].join('\n'));
  await page.goto(`${server.baseUrl}/import`);
  await page.setInputFiles('#staff-file', file);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Import team")')]);
  const problems = await page.textContent('.nhsuk-error-summary');
  assert.match(problems, /Row 3, Bad Row, Role: 'wizard' is not a role/);
  assert.match(problems, /nothing was changed/);
  await screenshot(page, 'import-error');
  assert.deepEqual(await seriousViolations(page), []);
  await page.goto(`${server.baseUrl}/practices/${practice}/staff?q=goodrow`);
  assert.equal(await page.locator('tbody tr').count(), 0, 'the good row was not imported either');
  await page.close();
});

test('the PCN manager, staff member and ICS viewer see their own pages', async () => {
  for (const [role, org, path, name] of [
    ['pcn_manager', null, '/pcns/U99901', 'pcn'],
    ['staff', practice, '/me', 'me'],
    ['ics_viewer', null, '/system', 'system'],
  ]) {
    const page = await browser.newPage();
    await login(page, server.baseUrl, account(role, org));
    assert.equal(new URL(page.url()).pathname, path);
    assert.deepEqual(await seriousViolations(page), [], `${path}`);
    await screenshot(page, name);
    await page.close();
  }
});
