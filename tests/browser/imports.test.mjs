// The team register import as a practice manager does it, in real headless Chromium: a
// CSV with a UK date and role names; a bad row's error names the person; the cell is
// corrected on the page and the file imported without choosing it again; reloads show the
// result, never a blank "method not allowed".
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

async function axeAtBothWidths(page, name) {
  assert.deepEqual(await seriousViolations(page), [], name);
  await screenshot(page, name);
  await page.setViewportSize({ width: 320, height: 800 });
  assert.deepEqual(await seriousViolations(page), [], `${name} at 320 px`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 320, `${name} fits 320 px (${wide})`);
  await screenshot(page, `${name}-320`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('a practice manager imports a team CSV with a UK date and role names, corrects a bad row on the page, and reloads', async () => {
  const page = await browser.newPage();
  await login(page, server.baseUrl, account('practice_manager', practice));
  const dir = mkdtempSync(join(tmpdir(), 'gpteam-imports-'));
  const file = join(dir, 'new-starters.csv');
  writeFileSync(file, [
    'name,email,phone,role,employer,employer_code,wte,sessions_per_week,skills,start_date,end_date,practices',
    `Priya Patel,priya.patel@riverside.example,,Clinical pharmacist,practice,${practice},0.8,7,,04/01/2027,,${practice}`,
    `Tom Baker,tom.baker@riverside.example,,Wizard,practice,${practice},0.6,5,,31/02/2027,,${practice}`,
  ].join('\r\n'));
  await page.goto(`${server.baseUrl}/import`);
  await page.click('text=Role names you can use');
  assert.ok(await page.locator('.app-role-names li', { hasText: 'Clinical pharmacist' }).isVisible());
  await page.setInputFiles('#staff-file', file);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Import team")')]);
  assert.match(new URL(page.url()).pathname, /^\/import\/staff\/[0-9a-f]+$/);
  const summary = await page.textContent('.nhsuk-error-summary');
  assert.match(summary, /new-starters\.csv was not imported and nothing was changed/);
  assert.match(summary, /Row 3, Tom Baker, Role: 'Wizard' is not a role/);
  assert.match(summary, /Row 3, Tom Baker, Start date: '31\/02\/2027' is not a real date: February 2027 has 28 days/);
  assert.match(summary, /Role names \(GP\): GP partner, Salaried GP/);
  assert.doesNotMatch(summary, /Priya Patel/, 'the good row has no problem');
  await axeAtBothWidths(page, 'import-staff-error');

  // A reload shows the same result (a GET of the result's address).
  const response = await page.reload();
  assert.equal(response.status(), 422);
  assert.match(await page.textContent('.nhsuk-error-summary'), /Row 3, Tom Baker/);

  // The error links to the cell; correct it on the page and import again.
  await page.click('.nhsuk-error-summary a:has-text("Start date")');
  assert.equal(new URL(page.url()).hash, '#r3-start_date');
  await page.selectOption('#r3-role', 'Practice nurse');
  await page.fill('#r3-start_date', '28/02/2027');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Import again")')]);
  assert.match(await page.textContent('[role=status]'), /Team register imported from new-starters\.csv: created 2, updated 0/);
  await axeAtBothWidths(page, 'import-staff-done');
  const again = await page.reload();
  assert.equal(again.status(), 200);
  assert.match(await page.textContent('[role=status]'), /created 2/);

  // The import's own address opened directly is the form, not a blank 405.
  const direct = await page.goto(`${server.baseUrl}/import/staff`);
  assert.equal(direct.status(), 200);
  assert.equal(new URL(page.url()).pathname, '/import');

  // The role was read by its name.
  await page.goto(`${server.baseUrl}/practices/${practice}/staff?q=patel&employment=all`);
  const row = await page.textContent('tbody tr');
  assert.match(row, /Priya Patel/);
  assert.match(row, /Clinical pharmacist/);
  await page.close();
});
