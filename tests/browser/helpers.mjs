// Helpers for the browser tests: start gpteam on a free port with a fresh demo database,
// drive Debian's Chromium through playwright-core, run axe-core in the page, take screenshots.
import { spawn, execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repo = join(here, '..', '..');
export const bin = process.env.GPTEAM_BIN || join(repo, 'target', 'debug', 'gpteam');
export const password = 'demo-password-123';
export const screenshots = join(repo, 'target', 'screenshots');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/**
 * Starts `gpteam serve` with `args` on a new SQLite file, with `env` added to its
 * environment, and waits for /health.
 */
async function launch(prefix, args, env) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const databaseUrl = `sqlite://${join(dir, 'gpteam.db')}`;
  const port = await freePort();
  const child = spawn(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--database-url', databaseUrl, ...args], {
    env: { ...process.env, GPTEAM_LOG: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const r = await fetch(`${baseUrl}/health`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill();
      throw new Error(`gpteam did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { baseUrl, databaseUrl, output: () => output, stop: () => child.kill() };
}

/** Starts `gpteam serve --demo` on a new SQLite file and waits for /health. */
export async function startServer() {
  const server = await launch('gpteam-browser-', ['--demo'], { GPTEAM_DEMO_PASSWORD: password });
  return { ...server, logins: demoLogins(server.databaseUrl) };
}

/**
 * Starts `gpteam serve` on a new, empty SQLite file (no demo), with `args` and `env`
 * added, and waits for /health. Its output so far is `output()`.
 */
export async function startEmptyServer(args = [], env = {}) {
  return launch('gpteam-empty-', args, env);
}

export { freePort };

/** `gpteam demo logins` as objects {email, role, organisation}. */
export function demoLogins(databaseUrl) {
  const csv = execFileSync(bin, ['demo', 'logins', '--database-url', databaseUrl], { encoding: 'utf8' });
  const [header, ...rows] = csv.trim().split('\n');
  const names = header.split(',');
  return rows.map((row) => Object.fromEntries(row.split(',').map((v, i) => [names[i], v])));
}

/** RFC 6238 code of a base32 secret, as an authenticator app shows it. */
export function totp(secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const key = [];
  for (const c of secret.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      key.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = createHmac('sha1', Buffer.from(key)).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/**
 * Makes a system administrator with `gpteam admin create` on the server's database, logs
 * the page in as them and turns on the two-factor sign-in every administrator must have.
 */
export async function loginAsNewAdmin(page, server) {
  const email = 'ada.admin@gpteam.example';
  const adminPassword = 'ochre lantern meadow quietly 42';
  execFileSync(bin, ['admin', 'create', '--email', email, '--name', 'Ada Admin', '--database-url', server.databaseUrl], {
    env: { ...process.env, GPTEAM_PASSWORD: adminPassword },
  });
  await page.goto(`${server.baseUrl}/login`);
  await page.fill('#email', email);
  await page.fill('#password', adminPassword);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  const secret = await page.inputValue('input[name=secret]');
  await page.fill('#code', totp(secret));
  await Promise.all([page.waitForNavigation(), page.click('button:has-text("Turn on two-factor sign-in")')]);
}

/**
 * Every Content-Security-Policy violation seen by any page of any browser launched here,
 * as "URL: message". `browser.close()` throws when there is one, so a test whose page
 * needs an inline script or style (which the server's policy forbids) fails.
 */
export const cspViolations = [];

/** Reports each violation through the console (an init script is not subject to CSP). */
const reportViolations = () => {
  document.addEventListener('securitypolicyviolation', (e) => {
    console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline code'} at ${e.sourceFile || ''}:${e.lineNumber || ''}`);
  });
};

function watchPage(page) {
  page.on('console', (message) => {
    const text = message.text();
    if (/CSP violation|Content Security Policy|Refused to (execute|load|apply|frame|connect)/.test(text)) {
      cspViolations.push(`${page.url()}: ${text}`);
    }
  });
  return page;
}

async function watchContext(context) {
  await context.addInitScript(reportViolations);
  context.pages().forEach(watchPage);
  context.on('page', watchPage);
  return context;
}

export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const newContext = browser.newContext.bind(browser);
  const close = browser.close.bind(browser);
  browser.newContext = async (options) => watchContext(await newContext(options));
  // A page of its own context, closed with the page (as Playwright's newPage does).
  browser.newPage = async (options) => {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    page.on('close', () => context.close().catch(() => {}));
    return page;
  };
  browser.close = async () => {
    await close();
    if (cspViolations.length > 0) {
      throw new Error(`Content-Security-Policy violations:\n${cspViolations.join('\n')}`);
    }
  };
  return browser;
}

export async function login(page, baseUrl, email) {
  await page.goto(`${baseUrl}/login`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Serious and critical axe-core violations on the page (WCAG 2.x A and AA rules). */
export async function seriousViolations(page) {
  // Evaluated through the DevTools protocol: the page's CSP (no inline script) allows it.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
}

export async function screenshot(page, name) {
  mkdirSync(screenshots, { recursive: true });
  const path = join(screenshots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Screenshots `page` as `name` and runs axe on it at its width and at 320 px, adding what is
 * wrong to `problems`; with `fitsNarrow`, a page wider than a 320 px screen is a problem too.
 */
export async function checkAtTwoWidths(page, name, problems, { fitsNarrow = false } = {}) {
  await screenshot(page, name);
  for (const v of await seriousViolations(page)) problems.push(`${name}: ${v}`);
  const wide = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 800 });
  await screenshot(page, `${name}-320`);
  for (const v of await seriousViolations(page)) problems.push(`${name} at 320 px: ${v}`);
  if (fitsNarrow) {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    if (width > 330) problems.push(`${name} at 320 px is ${width} px wide`);
  }
  await page.setViewportSize(wide);
}
