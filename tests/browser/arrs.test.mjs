// The ARRS ledger in real headless Chromium on a fresh `serve --demo`: the PCN manager
// adds a what-if pharmacist and sees the headroom fall by the post's claim and the room
// shortfall change, drafts the one month the demo left undrafted and downloads its CSV,
// then downloads the evidence pack, whose text (read back with pdf.js) carries the
// headcount, gap and headroom the pages show.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
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

/** A PDF's text, every page, runs of white space as one space. */
async function pdfText(bytes) {
  const doc = await getDocument({ data: new Uint8Array(bytes), verbosity: 0 }).promise;
  const pages = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => item.str).join(' '));
  }
  await doc.destroy();
  return pages.join(' ').replace(/\s+/g, ' ');
}

/** "−1,234" or "5,678" → a number. */
function whole(text) {
  return Number(text.trim().replace(/[−-]/, '-').replace(/,/g, ''));
}

/** The what-if's room-sessions a week short, now and with the post. */
async function roomsShort(page) {
  return [Number(await page.textContent('#rooms-short-before')), Number(await page.textContent('#rooms-short-after'))];
}

test('the PCN manager tries a what-if pharmacist, drafts and exports a claim, and takes the evidence pack', async () => {
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
  // Where the pharmacist works matters for rooms: at one of the sites the consulting rooms
  // are full and the shortfall grows by the post's sessions.
  const [before] = await roomsShort(page);
  const sites = await page.locator('#site option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  assert.ok(sites.length > 1, 'the demo PCN has several sites');
  let grown = null;
  for (const site of sites) {
    await page.selectOption('#site', site);
    await Promise.all([page.waitForNavigation(), page.click('text=Show the effect')]);
    const [now, withPost] = await roomsShort(page);
    assert.equal(now, before, 'the team in post needs the same rooms whatever the what-if');
    assert.ok(withPost >= now);
    if (withPost > now) {
      grown = { site, now, withPost };
      break;
    }
  }
  assert.ok(grown, 'at some site the pharmacist finds no free room');
  const rooms = await page.textContent('#what-if-rooms');
  assert.match(rooms, new RegExp(`${grown.withPost - grown.now} of the post's sessions a week find no room`));
  assert.match(rooms, /no consulting room on /);
  await page.locator('#what-if-rooms').scrollIntoViewIfNeeded();
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

  // The figures the pages show: headcount on the PCN page, the gap by clinician type over
  // the forecast months on the demand page, the headroom of the current year's ledger.
  await page.goto(`${server.baseUrl}/pcns/U99901`);
  const headcount = (await page.textContent('main')).match(/registered patients, (\d+) people/)[1];
  await Promise.all([page.waitForNavigation(), page.click('text=Demand and capacity across the PCN')]);
  const gaps = {};
  for (const [id, type] of [['gp-appointments', 'GP'], ['other-appointments', 'Other Practice staff']]) {
    const cells = await page.locator(`h2#${id} ~ details`).first().locator('tbody tr')
      .filter({ has: page.locator('th', { hasText: '(forecast)' }) }).locator('td:nth-child(5)').allTextContents();
    assert.equal(cells.length, 12, `${type}: twelve forecast months`);
    gaps[type] = cells.reduce((sum, cell) => sum + whole(cell), 0);
  }
  await page.goto(`${server.baseUrl}/pcns/U99901`);
  await Promise.all([page.waitForNavigation(), page.click('text=ARRS ledger')]);
  const year = (await page.textContent('h1')).replace('ARRS ledger ', '');
  const headroomNow = (await page.textContent('#arrs-headroom')).trim();
  const claimedNow = (await page.textContent('#arrs-claimed')).trim();

  await page.goto(`${server.baseUrl}/pcns/U99901`);
  const [file] = await Promise.all([page.waitForEvent('download'), page.click('text=Download the evidence pack (PDF)')]);
  const text = await pdfText(readFileSync(await file.path()));
  assert.ok(text.includes(`Headcount ${headcount},`), `headcount ${headcount} in the pack`);
  for (const [type, gap] of Object.entries(gaps)) {
    const m = text.match(new RegExp(`${type}: gap (-?[\\d,]+) appointments over the months shown`));
    assert.ok(m, `the ${type} gap in the pack`);
    // The page rounds each month; the pack rounds the total.
    assert.ok(Math.abs(whole(m[1]) - gap) <= 6, `${type}: pack ${m[1]}, page ${gap}`);
  }
  assert.ok(text.includes(`ARRS use, headroom and forecast, ${year}`), `the ARRS section of ${year}`);
  assert.ok(text.includes(`claimed to date ${claimedNow};`), `claimed ${claimedNow}`);
  assert.ok(text.includes(`headroom ${headroomNow};`), `headroom ${headroomNow} in the pack`);
  assert.match(text, /Room use and shortfall/);
  assert.ok(text.includes(`With the team in post, ${grown.now} room-sessions a week cannot be housed`), 'the shortfall of the what-if');
  await page.close();
});
