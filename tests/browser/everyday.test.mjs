// Everyday polish in real headless Chromium: pages name organisations instead of showing
// their codes, wide tables scroll in their own box so no page spills past 320 px, error
// pages keep the user's navigation, and the ICS viewer's page links to each PCN's pages.
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

const emailOf = (role) => server.logins.find((l) => l.role === role).email;

async function at320(role, paths, check) {
  const context = await browser.newContext({ viewport: { width: 320, height: 800 } });
  const page = await context.newPage();
  await login(page, server.baseUrl, emailOf(role));
  for (const path of paths) {
    await page.goto(server.baseUrl + path);
    await check(page, path);
  }
  await context.close();
}

test('wide tables scroll in their own box: no page is wider than a 320 px screen', async () => {
  const problems = [];
  const pages = {
    pcn_manager: ['/pcns/U99901', '/accounts', '/pcns/U99901/training/topics', '/pcns/U99901/rota/cover'],
    practice_manager: ['/practices/Y99901', '/practices/Y99901/staff', '/me/training', '/practices/Y99901/sites'],
  };
  for (const [role, paths] of Object.entries(pages)) {
    await at320(role, paths, async (page, path) => {
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 330) problems.push(`${role} ${path}: ${width} px wide`);
      for (const v of await seriousViolations(page)) problems.push(`${role} ${path} at 320 px: ${v}`);
      if (path === '/practices/Y99901/staff') await screenshot(page, 'everyday-staff-320');
    });
  }
  assert.deepEqual(problems, []);
});

test('pages name practices and PCNs rather than showing their codes', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, server.baseUrl, emailOf('pcn_manager'));
  for (const path of ['/rotas', '/pcns/U99901', '/practices/Y99901/staff']) {
    await page.goto(server.baseUrl + path);
    const text = await page.locator('main').innerText();
    assert.doesNotMatch(text, /\bPCN U\d{5}\b|\bPractice Y\d{5}\b/, `${path} shows a code`);
  }
  await page.goto(`${server.baseUrl}/practices/Y99901/staff/new`);
  const labels = await page.locator('#main-content label').allInnerTexts();
  assert.ok(!labels.some((l) => /^(.+) – \1$/.test(l.trim())), `a site is named twice: ${labels.join(' | ')}`);
  // The employer and the practices are chosen by name, not typed as codes.
  const employers = await page.locator('select#employer_code option').allInnerTexts();
  assert.ok(employers.some((o) => /Riverside/.test(o)), employers.join(' | '));
  assert.ok(employers.some((o) => /\(the PCN\)$/.test(o)), `the PCN may employ: ${employers.join(' | ')}`);
  assert.ok(!employers.some((o) => /^[A-Z]\d{5}$/.test(o.trim())), employers.join(' | '));
  assert.equal(await page.locator('input[type=checkbox][name=practices]').count() >= 2, true);
  assert.ok(await page.locator('input[name=practices][value=Y99901]').isChecked(), 'the practice itself is ticked');
  await screenshot(page, 'everyday-staff-form');
  // The header names the user's organisation.
  assert.doesNotMatch(await page.locator('header').innerText(), /\b[UY]\d{5}\b/);
  await context.close();
});

test('error pages keep the navigation of the person who asked', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, server.baseUrl, emailOf('practice_manager'));
  const missing = await page.goto(`${server.baseUrl}/no-such-page`);
  assert.equal(missing.status(), 404);
  await screenshot(page, 'everyday-404');
  assert.ok(await page.locator('nav a[href="/practices/Y99901/staff"]').count() > 0, 'the 404 page has the team link');
  const refused = await page.goto(`${server.baseUrl}/pcns/U99901/training`);
  assert.equal(refused.status(), 403);
  assert.ok(await page.locator('nav a[href="/practices/Y99901/leave"]').count() > 0, 'the 403 page has the menu');
  assert.deepEqual(await seriousViolations(page), []);
  await context.close();
});

test("the ICS viewer's page links to each PCN's pages, by name", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await login(page, server.baseUrl, emailOf('ics_viewer'));
  await page.goto(`${server.baseUrl}/system`);
  const caption = await page.locator('.nhsuk-caption-l').first().innerText();
  assert.doesNotMatch(caption, /^Integrated Care System [A-Z0-9]{3}$/);
  await page.getByRole('link', { name: 'Demand and capacity' }).first().click();
  await page.waitForLoadState();
  assert.match(page.url(), /\/pcns\/U99901\/demand$/);
  assert.equal(await page.locator('h1').count(), 1);
  await page.goBack();
  await page.getByRole('link', { name: 'Rooms' }).first().click();
  await page.waitForLoadState();
  assert.match(page.url(), /\/pcns\/U99901\/estates$/);
  await screenshot(page, 'everyday-ics-rooms');
  await context.close();
});
