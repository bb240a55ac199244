// The rota in real headless Chromium: a PCN manager makes a 4-week rota for the demo PCN and
// watches the progress bar, reads the problems and the grid, edits a day into a broken rule
// (refused with the reason, then saved by an override and reported), fixes it, publishes;
// a member of staff then downloads their calendar feed, which parses as iCalendar.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ICAL from 'ical.js';
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

test('a manager makes, checks, edits and publishes a rota; staff subscribe to it', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await login(page, server.baseUrl, account('pcn_manager'));
  await Promise.all([page.waitForNavigation(), page.click('nav >> text=Rota')]);
  assert.equal(new URL(page.url()).pathname, '/rotas');
  assert.deepEqual(await seriousViolations(page), []);

  // Bad input is named beside its field.
  await page.fill('#weeks', '14');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Make the rota")')]);
  assert.match(await page.textContent('.nhsuk-error-summary'), /from 1 to 13/);

  await page.selectOption('#scope', { label: 'The whole PCN (U99901)' });
  await page.fill('#weeks', '4');
  await page.fill('#time_limit', '4');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Make the rota")')]);
  assert.match(new URL(page.url()).pathname, /^\/rotas\/[0-9a-f-]+$/);
  const rotaUrl = page.url();

  // The progress bar shows while the background job runs, and moves.
  await page.waitForSelector('#rota-progress-bar');
  await screenshot(page, 'rota-progress');
  assert.deepEqual(await seriousViolations(page), []);
  await page.waitForSelector('#problems-title', { timeout: 60_000 });
  assert.match(await page.textContent('#problems'), /No hard rule is broken/);
  assert.ok(await page.locator('table.app-rota tbody tr').count() > 20, 'the grid lists the team');
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'rota-grid');

  // Book the first person on a Saturday session on a Tuesday: refused, with the reason.
  const firstRow = page.locator('table.app-rota tbody tr').first();
  const name = (await firstRow.locator('th').innerText()).split('\n')[0].trim();
  await Promise.all([page.waitForNavigation(), firstRow.locator('a.app-edit').nth(1).click()]);
  const original = await page.inputValue('#pattern');
  await page.selectOption('#pattern', 'saturday');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Save the change")')]);
  assert.match(await page.textContent('#refused'), /not an open session there/);
  assert.match(await page.textContent('.nhsuk-error-summary'), /breaks a rule/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'rota-edit-refused');

  // The manager overrides: it is saved and reported as a problem on the rota.
  await page.selectOption('#pattern', 'saturday');
  await page.check('#override_rules');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Save the change")')]);
  assert.match(await page.textContent('.app-confirmation'), /override is recorded/);
  assert.match(await page.textContent('#hard-problems'), new RegExp(`${name} is booked Saturday`));
  assert.ok(await page.locator('td.app-cell--problem').count() >= 1);
  await screenshot(page, 'rota-problem');

  // Putting the day back as it was clears the problem.
  await Promise.all([page.waitForNavigation(), page.locator('td.app-cell--problem a.app-edit').first().click()]);
  await page.selectOption('#pattern', original);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Save the change")')]);
  assert.match(await page.textContent('.app-confirmation'), /every rule checked again/);
  assert.equal(await page.locator('td.app-cell--problem').count(), 0);
  assert.match(await page.textContent('#problems'), /No hard rule is broken/);

  // Publish.
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Publish to staff")')]);
  assert.match(await page.textContent('.app-confirmation'), /published/);
  await page.goto(`${rotaUrl}/print`);
  assert.ok(await page.locator('table.app-print-table').count() > 3);
  await screenshot(page, 'rota-print');

  // A member of staff with sessions gets their private feed, which parses as iCalendar.
  const assignments = await (await page.request.get(`${new URL(rotaUrl).pathname.replace('/rotas/', `${server.baseUrl}/api/rotas/`)}/assignments`)).json();
  assert.ok(assignments.length > 100);
  const staffLogins = server.logins.filter((l) => l.role === 'staff');
  const staffPage = await browser.newPage();
  let feed = null;
  for (const login_ of staffLogins) {
    await staffPage.context().clearCookies();
    await login(staffPage, server.baseUrl, login_.email);
    const calendar = await staffPage.request.get(`${server.baseUrl}/api/me/calendar`);
    if (!calendar.ok()) continue;
    const { ical_url: url } = await calendar.json();
    const absolute = new URL(url, server.baseUrl).toString();
    const response = await fetch(absolute);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /text\/calendar/);
    const text = await response.text();
    const calendarData = new ICAL.Component(ICAL.parse(text));
    const events = calendarData.getAllSubcomponents('vevent');
    if (events.length > 0) {
      feed = { events, text };
      break;
    }
  }
  assert.ok(feed, 'a member of staff has published sessions in their feed');
  const first = new ICAL.Event(feed.events[0]);
  assert.ok(first.summary.includes('session at'), first.summary);
  assert.ok(first.startDate.toJSDate() < first.endDate.toJSDate());
  assert.match(feed.text, /DTSTART;TZID=Europe\/London:/);
  const wrong = await fetch(`${server.baseUrl}/ical/not-a-token.ics`);
  assert.equal(wrong.status, 404);
});
