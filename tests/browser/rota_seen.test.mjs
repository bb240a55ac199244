// Rotas people see and act on, in real headless Chromium, each task counted in clicks from
// log-in: a member of staff finds next month's published sessions on My rota and asks for
// cover on one; the PCN manager approves it from the one list of requests; the practice
// manager opens the PCN's rota for their practice and its printable view. axe finds nothing
// serious on any page, at desktop width and at 320 px.
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

/** The first Monday of next month, as YYYY-MM-DD (in the server's and the test's time zone). */
function firstMondayNextMonth() {
  const now = new Date();
  const d = new Date(Date.UTC(now.getFullYear(), now.getMonth() + 1, 1));
  while (d.getUTCDay() !== 1) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Counts the clicks a task takes. */
function counter(page) {
  let clicks = 0;
  return {
    async click(locator) {
      clicks += 1;
      await locator.click();
    },
    async follow(locator) {
      clicks += 1;
      await Promise.all([page.waitForNavigation(), locator.click()]);
    },
    get clicks() { return clicks; },
  };
}

/** axe at the page's width and again at 320 px, with a screenshot of each. */
async function checkPage(page, name) {
  assert.deepEqual(await seriousViolations(page), [], name);
  await screenshot(page, name);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 800 });
  assert.deepEqual(await seriousViolations(page), [], `${name} at 320 px`);
  const spill = await page.evaluate(() => document.documentElement.scrollWidth);
  const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > 330 && !(e.parentElement && e.parentElement.closest('.app-scroll')))
    .slice(0, 5).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`));
  assert.ok(spill <= 330, `${name} fits 320 px (scroll width ${spill}: ${wide.join(', ')})`);
  await screenshot(page, `${name}-320`);
  await page.setViewportSize(size);
}

const from = firstMondayNextMonth();
const monthLabel = new Date(`${from}T12:00:00Z`).toLocaleString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });

test('staff see next month, ask for cover; the PCN manager approves; the practice manager prints', async () => {
  // Set-up, not counted: the PCN manager publishes next month's rota through the API.
  const pcn = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(pcn, server.baseUrl, account('pcn_manager'));
  const pcnCode = server.logins.find((l) => l.role === 'pcn_manager').organisation;
  const made = await pcn.request.post(`${server.baseUrl}/api/rotas`, {
    data: { pcn: pcnCode, from, weeks: 2, time_limit_seconds: 3 },
  });
  assert.equal(made.status(), 202, await made.text());
  const { id } = await made.json();
  for (let i = 0; i < 120; i += 1) {
    const status = await (await pcn.request.get(`${server.baseUrl}/api/rotas/${id}`)).json();
    if (['done', 'cancelled'].includes(status.status)) break;
    assert.notEqual(status.status, 'failed', status.error);
    await new Promise((r) => setTimeout(r, 500));
  }
  const published = await pcn.request.post(`${server.baseUrl}/api/rotas/${id}/publish`, { data: { override: true } });
  assert.equal(published.status(), 204, await published.text());

  // Staff: My rota, next month, ask for cover on its first session.
  const staff = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const s = counter(staff);
  await staff.goto(`${server.baseUrl}/login`);
  await staff.fill('#email', account('staff'));
  await staff.fill('#password', 'demo-password-123');
  await s.follow(staff.locator('button[type=submit]'));
  await s.follow(staff.getByRole('link', { name: 'My rota', exact: true }));
  assert.match(await staff.textContent('main'), new RegExp(monthLabel), 'next month is on My rota');
  await checkPage(staff, 'my-rota');
  await s.follow(staff.locator('.app-month-list').getByRole('link', { name: monthLabel }));
  const month = staff.locator('main h2', { hasText: monthLabel });
  assert.equal(await month.count(), 1);
  const firstRow = staff.locator('table.app-my-rota tbody tr').first();
  const when = (await firstRow.locator('td').first().innerText()).trim();
  await s.click(firstRow.locator('summary'));
  await firstRow.locator('input[name=note]').fill('Hospital appointment');
  await s.follow(firstRow.getByRole('button', { name: /Send the request/ }));
  assert.match(await staff.textContent('.app-confirmation'), /sent to your manager/);
  assert.match(await staff.locator('table.app-my-rota tbody tr').first().innerText(), /Asked: waiting for your manager/);
  await checkPage(staff, 'my-rota-month');
  console.log(`staff: ${s.clicks} clicks to ask for cover next month`);
  assert.ok(s.clicks <= 10, `${s.clicks} clicks`);

  // The PCN manager: the one list, approve.
  const manager = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const m = counter(manager);
  await manager.goto(`${server.baseUrl}/login`);
  await manager.fill('#email', account('pcn_manager'));
  await manager.fill('#password', 'demo-password-123');
  await m.follow(manager.locator('button[type=submit]'));
  await m.follow(manager.locator('nav').getByRole('link', { name: 'Rota', exact: true }));
  await m.follow(manager.locator('#requests-waiting a'));
  assert.equal(new URL(manager.url()).pathname, '/rotas/requests');
  const request = manager.locator('#requests li', { hasText: 'Hospital appointment' });
  assert.equal(await request.count(), 1);
  assert.match(await request.innerText(), new RegExp(when.split(' ').slice(1).join(' ')));
  await checkPage(manager, 'rota-requests');
  await m.follow(request.getByRole('button', { name: /^Approve/ }));
  if (await manager.locator('#refused').count() > 0) {
    // The approval would break a hard rule (a contract's sessions): the manager is told
    // which, and approves anyway.
    await screenshot(manager, 'rota-request-refused');
    assert.deepEqual(await seriousViolations(manager), []);
    await m.follow(manager.getByRole('button', { name: /Approve anyway/ }));
  }
  assert.match(await manager.textContent('.app-confirmation'), /approved|override/);
  assert.equal(await manager.locator('#requests li', { hasText: 'Hospital appointment' }).count(), 0);
  console.log(`PCN manager: ${m.clicks} clicks to approve`);
  assert.ok(m.clicks <= 10, `${m.clicks} clicks`);

  // Staff see the outcome.
  await staff.reload();
  assert.match(await staff.textContent('#swap-requests + ul'), /Approved/);

  // The practice manager: the PCN rota for their practice, and its printable view.
  const practice = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const p = counter(practice);
  await practice.goto(`${server.baseUrl}/login`);
  await practice.fill('#email', account('practice_manager'));
  await practice.fill('#password', 'demo-password-123');
  await p.follow(practice.locator('button[type=submit]'));
  await p.follow(practice.locator('nav').getByRole('link', { name: 'Rota', exact: true }));
  await checkPage(practice, 'rotas-practice-manager');
  await p.follow(practice.locator(`a[href="/rotas/${id}"]`));
  assert.match(await practice.textContent('#read-only'), /Only the PCN's managers change or publish it/);
  assert.equal(await practice.locator('a.app-edit').count(), 0, 'nothing to change');
  assert.ok(await practice.locator('table.app-rota tbody tr').count() > 0, 'the practice\'s people');
  await checkPage(practice, 'rota-practice-read');
  await p.follow(practice.getByRole('link', { name: 'Printable rota' }));
  assert.ok(await practice.locator('table').count() > 0, 'tables to print');
  await checkPage(practice, 'rota-practice-print');
  console.log(`practice manager: ${p.clicks} clicks to the printable PCN rota`);
  assert.ok(p.clicks <= 10, `${p.clicks} clicks`);
});
