// A member of staff's month in real headless Chromium, each task counted in clicks and timed
// from log-in: the wellbeing check-in, a request for a session off, and a swap of a published
// session with a named colleague. Each task is at most 10 clicks and 5 minutes of the
// script's time; axe finds nothing serious on each page at desktop width and at 320 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, login, seriousViolations, screenshot, password } from './helpers.mjs';

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

/** The staff log-ins of the first practice, in the order the demo lists them. */
function staffLogins() {
  const staff = server.logins.filter((l) => l.role === 'staff');
  const ods = staff[0].organisation;
  return staff.filter((l) => l.organisation === ods).map((l) => l.email);
}

/** A task from log-in: counts clicks and the script's time, and checks each page it shows. */
async function task(email, name) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const started = Date.now();
  let clicks = 0;
  const t = {
    page,
    async click(locator) {
      clicks += 1;
      await locator.click();
    },
    async follow(locator) {
      clicks += 1;
      await Promise.all([page.waitForNavigation(), locator.click()]);
    },
    /** A choice from a list: one click. */
    async choose(locator, label) {
      clicks += 1;
      await locator.selectOption({ label });
    },
    async check(shot) {
      assert.deepEqual(await seriousViolations(page), [], shot);
      await screenshot(page, shot);
      await page.setViewportSize({ width: 320, height: 800 });
      assert.deepEqual(await seriousViolations(page), [], `${shot} at 320 px`);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 330, `${shot} at 320 px is ${width} px wide`);
      await screenshot(page, `${shot}-320`);
      await page.setViewportSize({ width: 1280, height: 900 });
    },
    done() {
      const seconds = (Date.now() - started) / 1000;
      console.log(`${name}: ${clicks} clicks, ${seconds.toFixed(1)} s of the script's time from log-in`);
      assert.ok(clicks <= 10, `${name}: ${clicks} clicks`);
      assert.ok(seconds <= 300, `${name}: ${seconds} s`);
    },
  };
  await page.goto(`${server.baseUrl}/login`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await t.follow(page.locator('main button[type=submit]'));
  return t;
}

/** The first Monday of next month, as YYYY-MM-DD. */
function firstMondayNextMonth() {
  const now = new Date();
  const d = new Date(Date.UTC(now.getFullYear(), now.getMonth() + 1, 1));
  while (d.getUTCDay() !== 1) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

test('staff: the wellbeing check-in in a few clicks', async () => {
  const t = await task(staffLogins()[7], 'check-in');
  const { page } = t;
  await t.follow(page.locator('nav').getByRole('link', { name: 'Wellbeing check-in' }));
  await t.check('staff-month-checkin');
  const questions = await page.locator('fieldset').count();
  assert.equal(questions, 5, 'five questions');
  for (let q = 1; q <= questions; q += 1) {
    await t.click(page.locator(`input[name="q${q}"][value="4"] + label`));
  }
  await t.follow(page.getByRole('button', { name: 'Send my answers' }));
  assert.match(await page.textContent('[role=status]'), /Thank you|answers/i);
  await t.check('staff-month-checkin-sent');
  t.done();
  await page.close();
});

test('staff: a session off asked for from My rota', async () => {
  const t = await task(staffLogins()[8], 'session request');
  const { page } = t;
  await t.follow(page.locator('nav').getByRole('link', { name: 'My rota', exact: true }));
  const day = firstMondayNextMonth();
  await page.fill('#request-date', day);
  const sessions = await page.locator('#request-session option').allInnerTexts();
  await t.choose(page.locator('#request-session'), sessions[1]);
  await t.click(page.locator('label', { hasText: /off/i }).first());
  await page.fill('#request-note', 'School assembly');
  await t.follow(page.getByRole('button', { name: 'Send the request' }).last());
  const row = page.locator('#session-requests ~ .app-table-scroll tbody tr', { hasText: 'School assembly' });
  assert.equal(await row.count(), 1, 'the request is listed');
  assert.match(await row.innerText(), new RegExp(sessions[1]));
  await t.check('staff-month-session-request');
  t.done();
  await page.close();
});

test('staff: a published session swapped with a named colleague', async () => {
  // Set-up, not counted: the PCN manager publishes next month's rota through the API.
  const manager = await browser.newPage();
  const pcn = server.logins.find((l) => l.role === 'pcn_manager');
  await login(manager, server.baseUrl, pcn.email);
  const made = await manager.request.post(`${server.baseUrl}/api/rotas`, {
    data: { pcn: pcn.organisation, from: firstMondayNextMonth(), weeks: 1, time_limit_seconds: 2 },
  });
  assert.equal(made.status(), 202, await made.text());
  const { id } = await made.json();
  for (let i = 0; i < 120; i += 1) {
    const status = await (await manager.request.get(`${server.baseUrl}/api/rotas/${id}`)).json();
    if (['done', 'cancelled'].includes(status.status)) break;
    assert.notEqual(status.status, 'failed', status.error);
    await new Promise((r) => setTimeout(r, 500));
  }
  const published = await manager.request.post(`${server.baseUrl}/api/rotas/${id}/publish`, { data: { override: true } });
  assert.equal(published.status(), 204, await published.text());
  await manager.close();

  // The member of staff with the most sessions in it asks to swap their first one.
  const t = await task(staffLogins()[0], 'swap');
  const { page } = t;
  await t.follow(page.locator('nav').getByRole('link', { name: 'My rota', exact: true }));
  const next = page.locator('.app-month-list a').last();
  if (await next.count()) await t.follow(next);
  const row = page.locator('table.app-my-rota tbody tr', { has: page.locator('summary') }).first();
  await t.click(row.locator('summary'));
  const colleague = row.locator('select[name=with_staff_id]');
  const options = await colleague.locator('option').allInnerTexts();
  assert.ok(options.length > 1, 'colleagues to swap with');
  await t.choose(colleague, options[1]);
  await t.follow(row.getByRole('button', { name: /Send the request/ }));
  const confirmation = page.locator('.app-confirmation');
  if (await confirmation.count() === 0) assert.fail(await page.locator('main').innerText());
  assert.match(await confirmation.innerText(), /sent/);
  await t.check('staff-month-swap');
  t.done();
  await page.close();
});
