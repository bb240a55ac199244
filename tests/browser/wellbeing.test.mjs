// Wellbeing check-ins in real headless Chromium: staff answer, and the practice report shows
// nothing of the open period — the same page before and after each answer — while the last
// closed period (the demo's answers) is shown. Bad answers are named; support is one link away.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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

function staffAt(ods) {
  return server.logins.filter((l) => l.role === 'staff' && l.organisation === ods).map((l) => l.email);
}

function manager(role, organisation) {
  const found = server.logins.find((l) => l.role === role && l.organisation === organisation);
  assert.ok(found, `a demo ${role} log-in for ${organisation}`);
  return found.email;
}

async function answerAs(email, scores, comment, { shoot = false } = {}) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await login(page, server.baseUrl, email);
  await Promise.all([page.waitForNavigation(), page.click('nav a[href="/checkin"]')]);
  assert.equal(new URL(page.url()).pathname, '/checkin');
  assert.equal(await page.textContent('h1'), 'Wellbeing check-in');
  assert.ok(await page.locator('a[href="/support"]').count() > 0, 'support is linked from the check-in');
  if (shoot) {
    assert.deepEqual(await seriousViolations(page), []);
    await screenshot(page, 'wellbeing-checkin');
  }
  for (const [i, score] of scores.entries()) {
    await page.check(`input[name="q${i + 1}"][value="${score}"]`);
  }
  if (comment) await page.fill('#comment', comment);
  await Promise.all([page.waitForNavigation(), page.click('text=Send my answers')]);
  assert.match(await page.textContent('main'), /saved without your name/);
  assert.match(await page.textContent('main'), /You have answered the check-in/);
  await page.close();
}

async function report() {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  await login(page, server.baseUrl, manager('practice_manager', practice));
  // The header may fold some menu items under "More" at this width: check the link, then follow it.
  assert.ok(await page.locator(`nav a[href="/practices/${practice}/wellbeing"]`).count() > 0, 'Wellbeing is in the menu');
  await page.goto(`${server.baseUrl}/practices/${practice}/wellbeing`);
  return page;
}

test('every person in the demo PCN can log in; staff carry their practice code', () => {
  for (const ods of ['Y99901', 'Y99902', 'Y99903']) {
    assert.ok(staffAt(ods).length >= 5, `at least 5 staff log-ins at ${ods}`);
  }
});

test('bad answers are named by question and nothing is stored', async () => {
  const [email] = staffAt(practice).slice(5, 6);
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await login(page, server.baseUrl, email);
  await page.goto(`${server.baseUrl}/checkin`);
  await page.check('input[name="q1"][value="4"]');
  await Promise.all([page.waitForNavigation(), page.click('text=Send my answers')]);
  const summary = await page.textContent('.nhsuk-error-summary');
  assert.match(summary, /Question 2: choose an answer/);
  assert.match(summary, /Question 5: choose an answer/);
  assert.equal(await page.locator('.nhsuk-error-summary a[href="#q2"]').count(), 1);
  assert.ok(await page.isChecked('input[name="q1"][value="4"]'), 'what was chosen is kept');
  assert.deepEqual(await seriousViolations(page), []);
  await page.goto(`${server.baseUrl}/checkin`);
  assert.equal(await page.locator('text=Send my answers').count(), 1, 'still not answered');
  await page.close();
});

test('answers stay sealed while the period is open; the last closed period is shown', async () => {
  const staff = staffAt(practice);
  let page = await report();
  const before = await page.textContent('main');
  await page.close();
  const answers = [[4, 4, 3, 5, 4], [3, 4, 2, 4, 4], [2, 3, 2, 3, 3], [5, 5, 4, 5, 5], [4, 3, 3, 4, 4]];
  for (const [i, scores] of answers.entries()) {
    await answerAs(staff[i], scores, i === 0 ? 'A sealed remark from the browser' : '', { shoot: i === 0 });
  }
  page = await report();
  assert.equal(await page.textContent('main'), before, 'five answers later, the page is the same');
  assert.match(await page.textContent('#open-period'), /not even how many people have answered/);
  assert.doesNotMatch(await page.textContent('main'), /A sealed remark from the browser/);
  // The demo's last closed period: enough answered, so its results are shown.
  assert.match(await page.textContent('#latest'), /Last closed period/);
  assert.match(await page.textContent('#responses'), /\d+ people answered/);
  const answered = Number((await page.textContent('#responses strong')).trim());
  assert.ok(answered >= 5, `${answered} answered, at least the threshold`);
  const rows = page.locator('#results tbody tr');
  assert.equal(await rows.count(), 5);
  assert.match(await rows.first().textContent(), /My workload is manageable/);
  assert.ok(await page.locator('#comments li').count() >= 1, 'the demo left comments');
  assert.equal(await page.locator('svg.gpteam-chart').count(), 1, 'the trend chart');
  assert.ok(await page.locator('#trend-table tbody tr').count() >= 3, 'the table behind the chart');
  assert.match(await page.textContent('#workload ~ ul'), /Each rota is checked for this before it is published/);
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'wellbeing-report');
  await page.close();
});

test('the support page lists national services for staff', async () => {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await login(page, server.baseUrl, staffAt(practice)[6]);
  await page.goto(`${server.baseUrl}/checkin`);
  await Promise.all([page.waitForNavigation(), page.click('main a[href="/support"]')]);
  assert.equal(await page.textContent('h1'), 'Support services');
  assert.match(await page.textContent('main'), /Samaritans/);
  assert.deepEqual(await seriousViolations(page), []);
  await page.close();
});
