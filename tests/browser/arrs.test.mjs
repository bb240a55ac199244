// The ARRS ledger in real headless Chromium on a fresh `serve --demo`: the PCN manager
// adds a what-if pharmacist and sees the headroom fall by the post's claim, then drafts
// the one month the demo left undrafted and downloads its CSV.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

/** £12,345.67 → 12345.67 */
function pounds(text) {
  const m = text.replace(/,/g, '').match(/-?£(-?\d+(\.\d+)?)/);
  assert.ok(m, `an amount in ${text}`);
  return Number(m[1]) * (text.trim().startsWith('-') ? -1 : 1);
}

test('the PCN manager tries a what-if pharmacist, then drafts and exports a claim', async () => {
  const manager = server.logins.find((l) => l.role === 'pcn_manager');
  const page = await browser.newPage({ viewport: { width: 1200, height: 1000 }, acceptDownloads: true });
  await login(page, server.baseUrl, manager.email);
  await page.goto(`${server.baseUrl}/pcns/U99901`);
  await Promise.all([page.waitForNavigation(), page.click('text=ARRS ledger')]);
  assert.match(await page.textContent('h1'), /ARRS ledger \d{4}\/\d{2}/);
  // Last complete year: the demo submitted April–January.
  const now = new Date();
  const start = now.getMonth() >= 3 ? now.getFullYear() - 1 : now.getFullYear() - 2;
  const label = `${start}/${String((start + 1) % 100).padStart(2, '0')}`;
  await Promise.all([page.waitForNavigation(), page.click(`nav >> text=${label}`)]);
  assert.equal(await page.textContent('h1'), `ARRS ledger ${label}`);
  assert.match(await page.textContent('tbody'), /Submitted \(locked\)/);
  const headroom = pounds(await page.textContent('#arrs-headroom'));
  assert.deepEqual(await seriousViolations(page), []);

  // What if a full-time clinical pharmacist had started in January?
  await page.selectOption('#role', 'clinical_pharmacist');
  await page.fill('#wte', '1');
  await page.fill('#from', `${start + 1}-01`);
  await Promise.all([page.waitForNavigation(), page.click('text=Show the effect')]);
  const claim = pounds(await page.textContent('#what-if-claim'));
  const after = pounds(await page.textContent('#what-if-headroom'));
  assert.ok(claim > 0, 'the pharmacist is claimable');
  assert.ok(Math.abs(after - (headroom - claim)) < 0.02, `headroom ${headroom} − claim ${claim} = ${after}`);
  assert.match(await page.textContent('#what-if-result'), /Demand and capacity/);
  await screenshot(page, 'arrs-what-if');
  assert.deepEqual(await seriousViolations(page), []);

  // March was left undrafted: draft it and download the CSV.
  await Promise.all([page.waitForNavigation(), page.click(`a[href$="/claims/${start + 1}-03"]`)]);
  assert.equal(await page.textContent('#claim-status'), 'Not drafted');
  await Promise.all([page.waitForNavigation(), page.click('text=Draft the claim')]);
  assert.equal(await page.textContent('#claim-status'), 'Draft');
  const total = pounds(await page.textContent('#claim-total'));
  const names = await page.locator('tbody tr td:first-child').allTextContents();
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=CSV')]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/);
  assert.match(csv[0], /^PCN,Claim month,Status,Staff id,Name,Role,Band,Employer,Engagement,Start date,End date,WTE/);
  assert.equal(csv.length, names.length + 2, 'a header, one line a post and the total');
  assert.ok(csv[1].includes(names[0]), `${csv[1]} names ${names[0]}`);
  assert.ok(csv[1].startsWith(`U99901,${start + 1}-03,draft,`));
  const last = csv[csv.length - 1].split(',');
  assert.equal(last[4], 'Total');
  assert.ok(Math.abs(Number(last[23]) - total) < 0.005, `${last[23]} = ${total}`);
  await screenshot(page, 'arrs-claim');
  assert.deepEqual(await seriousViolations(page), []);
  await page.close();
});
