// Reviewing a rota like a manager: while it is solved the page says how far it is in words;
// then the cover view (site × day × session, needed, booked and gap in words and colour), the
// gaps below the minimum first, "who could cover this" for a gap, and booking someone offered.
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

test('a manager reads the cover, finds who could cover a gap and books them', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const manager = server.logins.find((l) => l.role === 'pcn_manager');
  await login(page, server.baseUrl, manager.email);
  await page.goto(`${server.baseUrl}/rotas`);
  await page.selectOption('#scope', { label: 'The whole PCN (U99901)' });
  await page.fill('#weeks', '2');
  await page.fill('#time_limit', '6');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Make the rota")')]);

  // Progress in words, never the optimiser's units.
  await page.waitForFunction(
    () => /Solving: \d+ s of 6/.test(document.querySelector('#rota-progress-text')?.textContent || ''),
    null,
    { timeout: 30_000 },
  );
  assert.equal(await page.textContent('#progress-title'), 'Being solved');
  const words = await page.textContent('#rota-progress-text');
  assert.doesNotMatch(words, /penalty|unit/);
  await screenshot(page, 'cover-progress');

  await page.waitForSelector('#cover-view', { timeout: 60_000 });
  assert.doesNotMatch(await page.textContent('main'), /penalty|hard-rule units/);
  const cells = page.locator('#cover-view tbody td');
  assert.ok(await cells.count() >= 10, 'a cell per site, session and day');
  // Every coloured cell says its level in words too.
  for (const state of ['min', 'ideal', 'met']) {
    const tagged = page.locator(`#cover-view td.app-cover-view--${state} .app-cover-tag--${state}`);
    const all = page.locator(`#cover-view td.app-cover-view--${state}`);
    assert.equal(await tagged.count(), await all.count());
  }
  assert.deepEqual(await seriousViolations(page), []);
  await page.locator('#cover').scrollIntoViewIfNeeded();
  await screenshot(page, 'cover-view');
  await page.locator('.app-cover-view-scroll').screenshot({ path: join(screenshots, 'cover-table.png') });

  // The gaps: below the minimum first, counted; each with "who could cover this".
  assert.ok(await page.locator('#gaps-minimum a, #gaps-ideal a').count() > 0, 'the demo rota has gaps');

  // The demo's people are booked to their whole contracts: give one a free day (an audited
  // override), so someone has time to cover that day's gaps. Whether that person may take
  // one of the day's gaps (their sites, their staff group) depends on the rota the solver
  // found, so up to four people are freed, one at a time, until one can.
  const rotaUrl = page.url().replace(/#.*$/, '');
  let booked = null;
  for (let attempt = 0; attempt < 4 && !booked; attempt += 1) {
    await page.goto(rotaUrl);
    const cell = page.locator('table.app-rota tbody td').filter({ hasText: 'AM + PM' }).nth(attempt * 3);
    const editHref = await cell.locator('a.app-edit').getAttribute('href');
    const day = new URL(editHref, server.baseUrl).searchParams.get('date');
    await Promise.all([page.waitForNavigation(), cell.locator('a.app-edit').click()]);
    await page.selectOption('#pattern', 'off');
    await page.check('#override_rules');
    await Promise.all([page.waitForNavigation(), page.click('button:has-text("Save the change")')]);
    await page.goto(`${rotaUrl}#cover`);
    const dayLinks = page.locator(`#gaps-minimum a[href*="date=${day}"], #gaps-ideal a[href*="date=${day}"]`);
    const hrefs = [];
    for (let i = 0; i < await dayLinks.count(); i += 1) hrefs.push(await dayLinks.nth(i).getAttribute('href'));
    for (const href of hrefs) {
      if (booked) break;
      await page.goto(new URL(href, server.baseUrl).toString());
      assert.match(await page.textContent('h1'), /^Who could cover /);
      if (await page.locator('#offers tbody tr').count() === 0) continue;
      assert.deepEqual(await seriousViolations(page), []);
      await screenshot(page, 'cover-who');
      const first = page.locator('#offers tbody tr').first();
      booked = (await first.locator('th').innerText()).split('\n')[0].trim();
      await Promise.all([page.waitForNavigation(), first.locator('button').click()]);
    }
  }
  assert.ok(booked, 'someone could cover one of the first gaps');
  assert.match(await page.textContent('.app-confirmation'), /booked into the session/);
  assert.match(new URL(page.url()).hash, /#cover/);
  await screenshot(page, 'cover-booked');
});
