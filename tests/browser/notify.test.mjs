// Chasing training and reading notifications in real headless Chromium: the practice
// manager previews "remind everyone expiring or expired", sends it and sees the history;
// a member of staff finds the reminder in their inbox (the header shows the unread count)
// and marks it read. Clicks are counted from log-in; axe-core checks each page, also at
// 320 px wide.
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
const check = (page, name) => checkAtTwoWidths(page, `notify-${name}`, problems, { fitsNarrow: true });

/** The name shown in the header for a logged-in page. */
async function headerName(page) {
  const text = await page.locator('.nhsuk-header__account-item').first().textContent();
  return text.replace(/\s+/g, ' ').trim();
}

test('the practice manager chases training and a member of staff reads the reminder', async () => {
  const started = Date.now();
  let clicks = 0;
  const click = async (page, selector) => {
    clicks += 1;
    await Promise.all([page.waitForNavigation(), page.click(selector)]);
  };
  const staffLogins = server.logins.filter((l) => l.role === 'staff' && l.organisation === 'Y99901');
  const managerEmail = server.logins.find((l) => l.role === 'practice_manager' && l.organisation === 'Y99901').email;

  const manager = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(manager, server.baseUrl, managerEmail);
  clicks += 1;
  await click(manager, 'nav >> text=Training');
  assert.match(await manager.textContent('#reminders'), /Email is off on this server: reminders appear in people's gpteam inbox only/);
  await click(manager, 'a:has-text("Remind everyone expiring or expired")');
  assert.equal(await manager.textContent('h1'), 'Remind everyone expiring or expired');
  const main = await manager.textContent('main');
  assert.match(main, /Nobody is reminded of the same topic twice within 7 days/);
  assert.match(main, /\d+ (people|person) will be reminded of \d+ topics?/);
  await check(manager, '01-preview');

  // A member of staff of the practice who is in the preview.
  const rows = await manager.locator('table.app-chase tbody th').allTextContents();
  let staffEmail;
  const staff = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  for (const l of staffLogins) {
    await login(staff, server.baseUrl, l.email);
    const name = await headerName(staff);
    if (rows.some((r) => name.startsWith(r.trim()))) {
      staffEmail = l.email;
      break;
    }
    await staff.context().clearCookies();
  }
  assert.ok(staffEmail, `a staff log-in among the people reminded: ${rows.join(', ')}`);

  await click(manager, 'button:has-text("Send")');
  assert.equal(new URL(manager.url()).pathname, '/practices/Y99901/training/reminders');
  assert.match(await manager.textContent('[role=status]'), /reminded of \d+ topics?\. Email is off on this server/);
  assert.match(await manager.textContent('main'), /sent by/);
  await check(manager, '02-history');
  const managerClicks = clicks;

  // The member of staff (already logged in above: one click for the log-in).
  clicks += 1;
  await staff.reload();
  const unread = await staff.textContent('.app-unread');
  assert.match(unread, /^\d+ unread$/);
  await click(staff, 'a.nhsuk-header__account-link:has-text("Notifications")');
  assert.equal(await staff.textContent('h1'), 'Notifications');
  const item = staff.locator('.app-inbox__item', { hasText: 'asks you to renew your training' }).first();
  assert.match(await item.textContent(), /New/);
  await check(staff, '03-inbox');
  await click(staff, '.app-inbox__item:has-text("asks you to renew your training") >> button:has-text("Mark as read")');
  assert.match(await staff.textContent('[role=status]'), /marked as read/);
  const after = staff.locator('.app-inbox__item', { hasText: 'asks you to renew your training' }).first();
  assert.doesNotMatch(await after.textContent(), /New/);
  await check(staff, '04-read');

  // The settings page says email is off.
  await staff.goto(`${server.baseUrl}/account/notifications`);
  assert.match(await staff.textContent('#email-status'), /Email is off on this server/);
  await check(staff, '05-settings');

  const seconds = (Date.now() - started) / 1000;
  console.log(`notify: manager ${managerClicks} clicks, staff ${clicks - managerClicks} clicks, ${seconds.toFixed(1)} s`);
  assert.ok(managerClicks <= 10 && clicks - managerClicks <= 10, `clicks: ${managerClicks} + ${clicks - managerClicks}`);
  assert.ok(seconds < 300);
  assert.deepEqual(problems, []);
});
