// Rota set-up in real headless Chromium: a practice manager opens the cover template from the
// navigation, sees what demand suggests, types a bad minimum (named beside the cell, nothing
// saved), then changes a minimum, saves and finds it kept; opens the evening session; and
// sets a person's rota rules from their page; a member of staff asks for a session off and
// withdraws it. axe-core finds no serious problem on the way.
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

test('a manager changes the cover template and a person\'s rota rules', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await login(page, server.baseUrl, account('practice_manager'));
  await Promise.all([page.waitForNavigation(), page.click('nav >> text=Cover template')]);
  assert.match(new URL(page.url()).pathname, /^\/practices\/[A-Z0-9]+\/rota\/cover$/);
  const coverUrl = page.url();
  assert.match(await page.textContent('#site1'), /Suggested from demand/);
  assert.match(await page.textContent('#site1'), /GP: \d+ a weekday session/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'rota-cover');

  // A bad minimum is named beside its cell and nothing is saved.
  const minimum = page.getByLabel('Monday AM, GP minimum', { exact: true }).first();
  const original = await minimum.inputValue();
  await minimum.fill('lots');
  await Promise.all([page.waitForNavigation(), page.locator('#site1 button:has-text("Save the cover for")').click()]);
  assert.match(await page.textContent('.nhsuk-error-summary'), /Monday AM, GP minimum: Enter a whole number from 0 to 60/);
  assert.equal(await page.getByLabel('Monday AM, GP minimum', { exact: true }).first().inputValue(), 'lots');
  assert.deepEqual(await seriousViolations(page), []);
  await page.goto(coverUrl);
  assert.equal(await page.getByLabel('Monday AM, GP minimum', { exact: true }).first().inputValue(), original);

  // A good one is saved and kept.
  const wanted = String(Number(original || '0') + 1);
  await page.getByLabel('Monday AM, GP minimum', { exact: true }).first().fill(wanted);
  await page.getByLabel('Monday AM, GP ideal', { exact: true }).first().fill(String(Number(wanted) + 1));
  await Promise.all([page.waitForNavigation(), page.locator('#site1 button:has-text("Save the cover for")').click()]);
  assert.match(await page.textContent('.app-confirmation'), /cover template is saved/);
  await page.goto(coverUrl);
  assert.equal(await page.getByLabel('Monday AM, GP minimum', { exact: true }).first().inputValue(), wanted);

  // Open the evening session at the first site, at its own times.
  await page.selectOption('#site1-evening-open', 'yes');
  await page.fill('#site1-evening-starts', '18:45');
  await Promise.all([page.waitForNavigation(), page.locator('#site1 button:has-text("Save the Evening session")').click()]);
  assert.match(await page.textContent('.app-confirmation'), /session is saved/);
  assert.match(await page.textContent('#site1'), /18:45 to 20:00/);
  await screenshot(page, 'rota-cover-saved');

  // A person's rota rules, from their page: the first person the practice employs (people
  // employed elsewhere show their rules without a form).
  await Promise.all([page.waitForNavigation(), page.click('nav >> text=Team')]);
  const people = await page.locator('table a[href^="/staff/"]').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  assert.ok(people.length > 3);
  let editable = false;
  for (const href of people.slice(0, 10)) {
    await page.goto(`${server.baseUrl}${href}`);
    await Promise.all([page.waitForNavigation(), page.click('a:has-text("Rota rules")')]);
    assert.match(new URL(page.url()).pathname, /^\/staff\/[^/]+\/rota-rules$/);
    if (await page.locator('button:has-text("Save the rota rules")').count() > 0) {
      editable = true;
      break;
    }
  }
  assert.ok(editable, 'a person whose rota rules the practice manager sets');
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByLabel('Tuesday PM', { exact: true }).check();
  await page.getByLabel('Friday', { exact: true }).check();
  await page.fill('#max_evenings_month', '2');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Save the rota rules")')]);
  assert.match(await page.textContent('.app-confirmation'), /rota rules are saved/);
  assert.ok(await page.getByLabel('Tuesday PM', { exact: true }).isChecked());
  assert.ok(await page.getByLabel('Friday', { exact: true }).isChecked());
  assert.equal(await page.inputValue('#max_evenings_month'), '2');
  await screenshot(page, 'rota-rules');
});

test('a member of staff asks for a session off by keyboard and withdraws it', async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
  await login(page, server.baseUrl, account('staff'));
  await page.goto(`${server.baseUrl}/me/rota`);
  assert.match(await page.textContent('#session-requests'), /Session requests/);

  // Sent empty: the summary names each field and takes the focus; its links lead to them.
  // From the session, Tab passes the request's radios and the note to the button.
  await page.focus('#request-session');
  const stops = [];
  for (let i = 0; i < 3; i += 1) {
    await page.keyboard.press('Tab');
    stops.push(await page.evaluate(() => document.activeElement.id || document.activeElement.textContent.trim()));
  }
  assert.deepEqual(stops, ['request-wish', 'request-note', 'Send the request']);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  const summary = await page.textContent('.nhsuk-error-summary');
  assert.match(summary, /Enter the date of the session/);
  assert.match(summary, /Choose the session/);
  assert.match(summary, /Choose whether you would like to work the session or have it off/);
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('nhsuk-error-summary')), true);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'session-request-errors');

  // A Wednesday afternoon off, typed and chosen by keyboard.
  const monday = new Date();
  monday.setDate(monday.getDate() + ((8 - monday.getDay()) % 7 || 7));
  const wednesday = new Date(monday);
  wednesday.setDate(monday.getDate() + 2);
  const iso = wednesday.toISOString().slice(0, 10);
  await page.fill('#request-date', iso);
  await page.selectOption('#request-session', 'pm');
  await page.focus('#request-wish-off');
  await page.keyboard.press('Space');
  await page.fill('#request-note', 'Parents evening');
  await Promise.all([page.waitForNavigation(), page.locator('form:has(#request-date) button:has-text("Send the request")').click()]);
  assert.match(await page.textContent('.app-confirmation'), /session request was saved/);
  const row = page.locator('#session-requests ~ .app-table-scroll table tbody tr').first();
  assert.match(await row.textContent(), /Wednesday.*PM.*To have it off.*Parents evening/s);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'session-requests');

  await Promise.all([page.waitForNavigation(), row.locator('button:has-text("Withdraw")').click()]);
  assert.match(await page.textContent('.app-confirmation'), /withdrawn/);
  assert.match(await page.textContent('body'), /No requests from today on/);
  await page.close();
});
