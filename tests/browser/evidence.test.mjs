// The evidence pack in real headless Chromium: the PCN manager downloads the PDF and its
// XLSX annex from the PCN page; the ICS viewer from the system page. (The Rust web test
// reads the files back and compares their figures with the pages.)
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

function account(role, organisation) {
  const found = server.logins.find((l) => l.role === role && (!organisation || l.organisation === organisation));
  assert.ok(found, `a demo ${role} log-in`);
  return found.email;
}

async function download(page, name) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(`text=${name}`)]);
  const path = await file.path();
  assert.ok(path, 'the file arrived');
  return { name: file.suggestedFilename(), bytes: readFileSync(path) };
}

test('the PCN manager downloads the evidence pack and its annex from the PCN page', async () => {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  await login(page, server.baseUrl, account('pcn_manager'));
  await page.goto(`${server.baseUrl}/pcns/U99901`);
  assert.match(await page.textContent('main'), /Evidence pack/);
  const pdf = await download(page, 'Download the evidence pack (PDF)');
  assert.match(pdf.name, /^evidence-pack-u99901-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}\.pdf$/);
  assert.equal(pdf.bytes.subarray(0, 5).toString(), '%PDF-');
  assert.ok(pdf.bytes.length > 5000, `${pdf.bytes.length} bytes`);
  const xlsx = await download(page, 'Download the figures (XLSX)');
  assert.match(xlsx.name, /\.xlsx$/);
  assert.equal(xlsx.bytes.subarray(0, 2).toString(), 'PK', 'a zip, as XLSX is');
  assert.deepEqual(await seriousViolations(page), []);
  await screenshot(page, 'evidence-pcn');
  await context.close();
});

test('the ICS viewer downloads the system pack', async () => {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  await login(page, server.baseUrl, account('ics_viewer'));
  await page.goto(`${server.baseUrl}/system`);
  const pdf = await download(page, 'Download the evidence pack (PDF)');
  assert.equal(pdf.bytes.subarray(0, 5).toString(), '%PDF-');
  await context.close();
});
