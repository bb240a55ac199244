// The practice manager's leave month in real headless Chromium: approve a leave request
// seeing what it uses and what the person has left, add a starter and see their pro rata
// balance, and give them a longer entitlement; a member of staff sees "you have … left"
// beside the leave request form. Clicks are counted from log-in; axe-core checks each page,
// also at 320 px wide.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, login, checkAtTwoWidths } from './helpers.mjs';

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

const problems = [];
const check = (page, name) => checkAtTwoWidths(page, `leave-${name}`, problems);

/** The cells of a person's row in the balances table, by column heading. */
async function balanceRow(page, name) {
  const headings = (await page.locator('#balances-table thead th').allTextContents()).map((t) => t.trim());
  const row = page.locator('#balances-table tbody tr', { has: page.locator(`th:has-text("${name}")`) }).first();
  const cells = [(await row.locator('th').textContent()).trim(), ...(await row.locator('td').allTextContents()).map((t) => t.trim())];
  return Object.fromEntries(headings.map((h, i) => [h, cells[i]]));
}

test('the practice manager approves leave seeing the balance and adds a starter', async () => {
  const started = Date.now();
  let clicks = 0;
  const click = async (page, selector) => {
    clicks += 1;
    await Promise.all([page.waitForNavigation(), page.click(selector)]);
  };
  const managerEmail = server.logins.find((l) => l.role === 'practice_manager' && l.organisation === 'Y99901').email;
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(page, server.baseUrl, managerEmail);
  clicks += 1;

  await click(page, 'nav >> text=Leave');
  assert.equal(await page.textContent('h1'), 'Leave');
  const table = await page.textContent('#balances');
  assert.match(table, /Annual leave balances/);
  assert.ok(await page.locator('#balances-table tbody tr').count() >= 10, 'the team has balances');
  const main = await page.textContent('main');
  assert.doesNotMatch(main, /\b1 (days|hours|people|bank holidays)\b/, 'one is singular');
  // Some people have taken leave this year, and balances differ.
  const taken = await page.locator('#balances-table tbody tr td:nth-of-type(4)').allTextContents();
  assert.ok(taken.some((t) => Number(t) > 0), `taken: ${taken.join(', ')}`);
  // A waiting annual leave request says what it uses and what is left.
  const request = page.locator('tr[data-leave-id]')
    .filter({ has: page.locator('td:nth-child(2)', { hasText: /^Annual leave$/ }) }).first();
  const note = (await request.locator('td').nth(4).textContent()).trim();
  assert.match(note, /^Uses \d+(\.\d+)? days?\. \d+(\.\d+)? days? left; -?\d+(\.\d+)? days? (left|over) after this\.$/, note);
  const who = (await request.locator('td').first().textContent()).trim();
  const before = await balanceRow(page, who);
  await check(page, '01-requests-and-balances');

  clicks += 1;
  await Promise.all([page.waitForNavigation(), request.locator('button[value=approve]').click()]);
  if (await page.locator('button:has-text("Save and mark the rota")').count()) {
    await click(page, 'button:has-text("Save and mark the rota")');
  }
  assert.match(await page.textContent('[role=status]'), /The leave was approved/);
  const afterApproval = await balanceRow(page, who);
  const uses = Number(note.match(/^Uses (\d+(\.\d+)?)/)[1]);
  assert.ok(Math.abs(Number(afterApproval.Waiting) - (Number(before.Waiting) - uses)) < 0.11, `${JSON.stringify(before)} → ${JSON.stringify(afterApproval)}`);
  assert.ok(Math.abs(Number(afterApproval.Left) - (Number(before.Left) - uses)) < 0.11, `${JSON.stringify(before)} → ${JSON.stringify(afterApproval)}`);
  await check(page, '02-approved');

  // A starter from today: their year's leave is pro rata to what is left of the leave year.
  await click(page, 'nav >> text=Team');
  await click(page, 'a:has-text("Add a person")');
  await page.fill('#name', 'Nia Starter');
  await page.selectOption('#role', 'practice_nurse');
  await page.fill('#wte', '0.6');
  await page.fill('#sessions_per_week', '6');
  await page.fill('#email', 'nia.starter@riverside.example');
  await click(page, 'main button[type=submit]');
  // A starter inside a published rota's weeks breaks it: the manager is told before saving.
  if (await page.locator('button:has-text("Save and mark the rota")').count()) {
    assert.match(await page.textContent('main'), /breaks a published rota/);
    await click(page, 'button:has-text("Save and mark the rota")');
  }
  assert.match(await page.textContent('main'), /The person was added to the team/);
  await click(page, 'nav >> text=Leave');
  const starter = await balanceRow(page, 'Nia Starter');
  assert.equal(starter.Taken, '0');
  assert.ok(Number(starter['To take']) > 0 && Number(starter['To take']) < 27, JSON.stringify(starter));
  await check(page, '03-starter-balance');

  await click(page, '#balances-table a:has-text("Nia Starter")');
  assert.equal(await page.textContent('h1'), 'Annual leave entitlement');
  assert.match(await page.textContent('#balance-left'), /^\d+(\.\d+)? days? left in the leave year/);
  await page.fill('#full_time_days', '29');
  await click(page, 'main button[type=submit]');
  assert.match(await page.textContent('[role=status]'), /The changes were saved/);
  assert.equal(await page.inputValue('#full_time_days'), '29');
  assert.match(await page.textContent('main'), /29 days a year full time \(set for this person\)/);
  await check(page, '04-entitlement');
  const managerClicks = clicks;

  // A member of staff sees their balance beside the request form.
  const staffEmail = server.logins.find((l) => l.role === 'staff' && l.organisation === 'Y99901').email;
  const staff = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await login(staff, server.baseUrl, staffEmail);
  await staff.goto(`${server.baseUrl}/me`);
  assert.match(await staff.textContent('#leave-left'), /^You have (\d+(\.\d+)? days? of annual leave left|taken or booked)/);
  assert.match(await staff.textContent('#leave-balance'), /Annual leave to take/);
  await check(staff, '05-my-balance');
  await staff.goto(`${server.baseUrl}/me/workload`);
  assert.doesNotMatch(await staff.textContent('main'), /does not hold/);
  await check(staff, '06-my-workload');

  // The wellbeing page counts "behind on leave" from the balances, in honest words.
  await page.goto(`${server.baseUrl}/practices/Y99901/wellbeing`);
  const wellbeing = await page.textContent('main');
  assert.doesNotMatch(wellbeing, /does not hold|holds no entitlements/);
  const behind = wellbeing.match(/A week or more behind on annual leave\s*(\d+) of (\d+) (people|person)/);
  assert.ok(behind, 'the behind-on-leave count is shown');
  assert.ok(Number(behind[1]) < Number(behind[2]), `not everyone is behind: ${behind[0]}`);

  const seconds = (Date.now() - started) / 1000;
  console.log(`leave month: manager ${managerClicks} clicks, ${seconds.toFixed(1)} s`);
  assert.ok(managerClicks <= 10, `clicks: ${managerClicks}`);
  assert.ok(seconds < 300);
  assert.deepEqual(problems, []);
});
