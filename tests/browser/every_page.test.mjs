// Every page each role can reach, at 320 px wide, in real headless Chromium: starting from
// the role's home page, the test follows every link of this site (menu and page) breadth
// first, one page per route shape (ids replaced), and checks each with axe (nothing serious)
// and that it reflows (no page wider than the screen; wide tables scroll in their own box).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, login, loginAsNewAdmin, seriousViolations, screenshot } from './helpers.mjs';

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

/** Links that are not pages: files, feeds, the API and leaving. */
const notAPage = /\/api\/|\/logout|export|download|template\.|\.(csv|xlsx|pdf|ics|zip|json)(\?|$)|\/calendar|\/print|\/static\//;

/** A route's shape: ids, codes and dates replaced, so one page stands for its kind. */
function shape(path) {
  return path
    .replace(/\?.*$/, '')
    .replace(/\/[0-9a-f]{8}-[0-9a-f-]{27,}/g, '/:id')
    .replace(/\/\d{4}-\d{2}(-\d{2})?/g, '/:date')
    .replace(/\/[A-Z]\d{5}\b/g, '/:code')
    .replace(/\/\d+(?=\/|$)/g, '/:n')
    .replace(/\/[A-Za-z0-9_-]{20,}(?=\/|$)/g, '/:token');
}

async function walk(role, limit = 90) {
  const context = await browser.newContext({ viewport: { width: 320, height: 800 } });
  const page = await context.newPage();
  if (role === 'system_admin') {
    await loginAsNewAdmin(page, server);
  } else {
    const found = server.logins.find((l) => l.role === role);
    assert.ok(found, `a demo ${role} log-in`);
    await login(page, server.baseUrl, found.email);
  }
  const start = new URL(page.url()).pathname;
  const queue = [start];
  const seen = new Set([shape(start)]);
  const problems = [];
  let visited = 0;
  while (queue.length > 0 && visited < limit) {
    const path = queue.shift();
    let response;
    try {
      response = await page.goto(server.baseUrl + path);
    } catch (e) {
      if (/Download is starting/.test(e.message)) continue; // a file, not a page
      throw e;
    }
    visited += 1;
    const type = response?.headers()['content-type'] || '';
    if (!type.startsWith('text/html')) continue;
    if (response.status() >= 400) problems.push(`${role} ${path}: ${response.status()}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 330) {
      const wide = await page.evaluate(() => [...document.querySelectorAll('main *')]
        .filter((e) => e.getBoundingClientRect().right > 330 && !e.closest('.app-table-scroll, .app-scroll'))
        .slice(0, 3).map((e) => `${e.tagName.toLowerCase()}.${e.className}`).join(', '));
      problems.push(`${role} ${path}: ${width} px wide (${wide})`);
      await screenshot(page, `every-page-${role}-${visited}`);
    }
    for (const v of await seriousViolations(page)) problems.push(`${role} ${path}: ${v}`);
    const links = await page.evaluate(() => [...document.querySelectorAll('a[href]')]
      .map((a) => a.getAttribute('href')));
    for (const href of links) {
      if (!href || !href.startsWith('/') || href.startsWith('//') || notAPage.test(href)) continue;
      const key = shape(href);
      if (seen.has(key)) continue;
      seen.add(key);
      queue.push(href.replace(/#.*$/, ''));
    }
  }
  await context.close();
  console.log(`${role}: ${visited} pages checked at 320 px (${seen.size} route shapes found)`);
  return { problems, visited };
}

for (const role of ['practice_manager', 'pcn_manager', 'staff', 'ics_viewer', 'system_admin']) {
  test(`every page a ${role.replace('_', ' ')} reaches passes axe and fits 320 px`, async () => {
    const { problems, visited } = await walk(role);
    assert.ok(visited >= 3, `${visited} pages`);
    assert.deepEqual(problems, []);
  });
}
