// Training in real headless Chromium: a manager adds a topic, a member of staff records it
// with a certificate (a file that lies about its type is refused), the matrix changes, and
// the manager verifies the record and exports the matrix.
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

const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

/** The matrix cell of one person and one topic, with the topic filter applied. */
async function cell(page, topicLabel, name) {
  await page.goto(`${server.baseUrl}/practices/Y99901/training`);
  await page.selectOption('#topic', { label: topicLabel });
  await page.fill('#search', name);
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Filter")')]);
  const rows = page.locator('table.app-matrix tbody tr');
  assert.equal(await rows.count(), 1, `one row for ${name}`);
  return (await rows.first().locator('td').first().textContent()).trim();
}

test('a topic added by the manager is recorded with a certificate and shows in the matrix', async () => {
  const manager = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(manager, server.baseUrl, account('practice_manager', 'Y99901'));
  await Promise.all([manager.waitForNavigation(), manager.click('nav >> text=Training')]);
  assert.equal(new URL(manager.url()).pathname, '/practices/Y99901/training');
  assert.equal(await manager.textContent('h1'), 'Training matrix');
  assert.match(await manager.textContent('.app-totals'), /Expired \d+/);
  assert.ok(await manager.locator('table.app-matrix th[scope=col]').count() > 10, 'the sourced defaults are seeded');
  assert.deepEqual(await seriousViolations(manager), []);
  await screenshot(manager, 'training-matrix');

  // The manager adds a practice topic that needs a certificate.
  await Promise.all([manager.waitForNavigation(), manager.click('text=See or change the training topics')]);
  assert.match(await manager.textContent('main'), /Intercollegiate document/);
  await Promise.all([manager.waitForNavigation(), manager.click('button:has-text("Add topic")')]);
  assert.match(await manager.textContent('.nhsuk-error-summary'), /Enter the topic's name/);
  await manager.fill('#name', 'Chaperoning');
  await manager.check('#everyone');
  await manager.fill('#renewal_months', '36');
  await manager.check('#evidence_required');
  await Promise.all([manager.waitForNavigation(), manager.click('button:has-text("Add topic")')]);
  assert.match(await manager.textContent('[role=status]'), /training topic was added/);
  // Changing it brings the manager back to the same catalogue.
  await Promise.all([manager.waitForNavigation(), manager.click('a:has-text("Change Chaperoning")')]);
  await manager.fill('#renewal_months', '24');
  await Promise.all([manager.waitForNavigation(), manager.click('button:has-text("Save topic")')]);
  assert.equal(new URL(manager.url()).pathname, '/practices/Y99901/training/topics');
  assert.match(await manager.textContent('[role=status]'), /training topic was saved/);
  assert.match(await manager.locator('tr', { hasText: 'Chaperoning' }).textContent(), /Every 2 years/);
  assert.deepEqual(await seriousViolations(manager), []);
  await screenshot(manager, 'training-topics');

  // A member of staff records it from "My training".
  const staff = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await login(staff, server.baseUrl, account('staff', 'Y99901'));
  await Promise.all([staff.waitForNavigation(), staff.click('nav >> text=My training')]);
  assert.equal(await staff.textContent('h1'), 'My training');
  const name = (await staff.textContent('.nhsuk-caption-l')).trim();
  const row = staff.locator('tr', { hasText: 'Chaperoning' }).first();
  assert.match(await row.textContent(), /Missing/);
  assert.equal(await cell(manager, 'Chaperoning', name), 'Missing');

  const fill = async () => {
    await staff.selectOption('#topic_id', { label: 'Chaperoning' });
    await staff.fill('#completed_on', new Date().toISOString().slice(0, 10));
    await staff.fill('#provider', 'In-house session');
    await staff.fill('#hours', '1.5');
  };
  await fill();
  await Promise.all([staff.waitForNavigation(), staff.click('button:has-text("Add record")')]);
  assert.match(await staff.textContent('.nhsuk-error-summary'), /This topic needs evidence/);
  await fill();
  await staff.setInputFiles('#evidence', { name: 'certificate.pdf', mimeType: 'application/pdf', buffer: PNG });
  await Promise.all([staff.waitForNavigation(), staff.click('button:has-text("Add record")')]);
  assert.match(await staff.textContent('.nhsuk-error-summary'), /'certificate.pdf' is named as a PDF but its contents are image\/png/);
  assert.deepEqual(await seriousViolations(staff), []);
  await screenshot(staff, 'training-evidence-error');
  await fill();
  await staff.fill('#expires_on', '2020-01-01');
  await staff.setInputFiles('#evidence', { name: 'certificate.pdf', mimeType: 'application/pdf', buffer: PDF });
  await Promise.all([staff.waitForNavigation(), staff.click('button:has-text("Add record")')]);
  assert.match(await staff.textContent('.nhsuk-error-summary'), /The expiry date must be after the completion date/);
  assert.equal(await staff.locator('a', { hasText: 'certificate.pdf' }).count(), 0, 'nothing was stored');
  await fill();
  await staff.fill('#expires_on', '');
  await staff.setInputFiles('#evidence', { name: 'certificate.pdf', mimeType: 'application/pdf', buffer: PDF });
  await Promise.all([staff.waitForNavigation(), staff.click('button:has-text("Add record")')]);
  assert.match(await staff.textContent('[role=status]'), /training record was added/);
  assert.match(await staff.locator('tr', { hasText: 'Chaperoning' }).first().textContent(), /In date/);
  await screenshot(staff, 'training-person');

  // The matrix changes; the manager verifies the record and opens the certificate.
  assert.match(await cell(manager, "Chaperoning", name), /^In date.*\(not verified\)/s);
  await Promise.all([manager.waitForNavigation(), manager.click(`table.app-matrix a:has-text("${name}")`)]);
  const link = manager.locator('a', { hasText: 'certificate.pdf' });
  const evidence = await manager.request.get(new URL(await link.getAttribute('href'), server.baseUrl).href);
  assert.equal(evidence.headers()['content-type'], 'application/pdf');
  assert.ok((await evidence.body()).subarray(0, 5).equals(Buffer.from('%PDF-')));
  await Promise.all([manager.waitForNavigation(), manager.click('button:has-text("Verify Chaperoning")')]);
  assert.match(await manager.textContent('[role=status]'), /verified/);
  const verified = await cell(manager, 'Chaperoning', name);
  assert.match(verified, /^In date/);
  assert.doesNotMatch(verified, /not verified/);

  // The export carries the same cell.
  const csv = await manager.request.get(`${server.baseUrl}/practices/Y99901/training/export?format=csv&search=${encodeURIComponent(name)}`);
  assert.match(await csv.text(), /in_date \d{4}-\d{2}-\d{2}/);
  const xlsx = await manager.request.get(`${server.baseUrl}/practices/Y99901/training/export?format=xlsx`);
  assert.equal(xlsx.headers()['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  await staff.close();
  await manager.close();
});

test('the PCN manager sees the matrix of every practice and filters by practice', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(page, server.baseUrl, account('pcn_manager'));
  await Promise.all([page.waitForNavigation(), page.click('nav >> text=Training')]);
  const all = await page.locator('table.app-matrix tbody tr').count();
  await page.selectOption('#practice', 'Y99901');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Filter")')]);
  const one = await page.locator('table.app-matrix tbody tr').count();
  assert.ok(one > 0 && one < all, `${one} of ${all} people work at Y99901`);
  await page.selectOption('#status', 'expired');
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Filter")')]);
  const expired = page.locator('table.app-matrix tbody tr');
  for (let i = 0; i < await expired.count(); i += 1) {
    assert.match(await expired.nth(i).textContent(), /Expired/);
  }
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'training-pcn');
  await page.close();
});
