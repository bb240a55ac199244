// A published rota stays true, in real headless Chromium: the PCN manager approves leave
// that breaks the published rota, is told what it breaks before anything is saved and
// confirms; the rota is marked and the manager notified; the repair shows the changed days
// and is published again. Counted in clicks from log-in; axe finds nothing serious.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, launchBrowser, seriousViolations, screenshot, screenshots, password } from './helpers.mjs';

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

/** The Monday after today, as YYYY-MM-DD. */
function nextMonday() {
  const d = new Date();
  d.setUTCHours(12, 0, 0, 0);
  do d.setUTCDate(d.getUTCDate() + 1); while (d.getUTCDay() !== 1);
  return d.toISOString().slice(0, 10);
}

/** Counts the clicks a task takes. */
function counter(page) {
  let clicks = 0;
  return {
    async follow(locator) {
      clicks += 1;
      await Promise.all([page.waitForNavigation(), locator.click()]);
    },
    get clicks() { return clicks; },
  };
}

async function check(page, name) {
  assert.deepEqual(await seriousViolations(page), [], name);
  await screenshot(page, name);
}

test('leave that breaks a published rota: warned, confirmed, marked, told, repaired', async () => {
  const pcnLogin = server.logins.find((l) => l.role === 'pcn_manager');
  const base = server.baseUrl;

  // Set-up, not counted: next week's PCN rota, solved and published through the API.
  const api = await browser.newContext();
  const login = (email) => api.request.post(`${base}/api/login`, { data: { email, password } });
  assert.equal((await login(pcnLogin.email)).status(), 200);
  const made = await api.request.post(`${base}/api/rotas`, {
    data: { pcn: pcnLogin.organisation, from: nextMonday(), weeks: 1, time_limit_seconds: 3 },
  });
  assert.equal(made.status(), 202, await made.text());
  const { id } = await made.json();
  for (let i = 0; i < 120; i += 1) {
    const status = await (await api.request.get(`${base}/api/rotas/${id}`)).json();
    if (['done', 'cancelled'].includes(status.status)) break;
    assert.notEqual(status.status, 'failed', status.error);
    await new Promise((r) => setTimeout(r, 500));
  }
  const published = await api.request.post(`${base}/api/rotas/${id}/publish`, { data: { override: true } });
  assert.equal(published.status(), 204, await published.text());
  const sessions = await (await api.request.get(`${base}/api/rotas/${id}/assignments`)).json();

  // A member of staff booked in it asks for leave on their first booked day.
  let asked;
  for (const l of server.logins.filter((x) => x.role === 'staff')) {
    assert.equal((await login(l.email)).status(), 200);
    const me = await (await api.request.get(`${base}/api/me`)).json();
    const booked = sessions.filter((s) => s.staff_id === me.staff_id).map((s) => s.date).sort();
    if (booked.length === 0) continue;
    const leave = await api.request.post(`${base}/api/leave`, {
      data: { kind: 'annual', start_date: booked[0], end_date: booked[0] },
    });
    assert.equal(leave.status(), 201, await leave.text());
    const day = new Date(`${booked[0]}T12:00:00Z`);
    asked = {
      name: me.name,
      practice: l.organisation,
      day: `${day.getUTCDate()} ${day.toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' })}`,
    };
    break;
  }
  assert.ok(asked, 'a member of staff with sessions in the rota');
  await api.close();

  // The PCN manager, counted from log-in.
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const m = counter(page);
  await page.goto(`${base}/login`);
  await page.fill('#email', pcnLogin.email);
  await page.fill('#password', password);
  await m.follow(page.locator('button[type=submit]'));
  await m.follow(page.locator(`main a[href="/practices/${asked.practice}"]`).first());
  await m.follow(page.locator(`main a[href="/practices/${asked.practice}/leave"]`).first());
  const row = page.locator('tr[data-leave-id]', { hasText: asked.name });
  // The one-day request just made (the demo may hold others of theirs waiting).
  await m.follow(row.getByRole('button', { name: new RegExp(`^Approve.*, ${asked.day}( \\d{4})?\\s*$`) }));

  // Told what it breaks, in words, before anything is saved.
  const warning = page.locator('#rota-break');
  assert.match(await warning.innerText(), new RegExp(`${asked.name} is booked on \\d+ sessions? in their leave`));
  await check(page, 'stale-confirm');
  await m.follow(page.getByRole('button', { name: 'Save and mark the rota' }));
  assert.match(await page.textContent('.app-confirmation'), /The leave was approved/);

  // Told: the notification leads to the marked rota.
  await m.follow(page.locator('header a[href="/notifications"]').first());
  const notice = page.locator('main a[href="/rotas/' + id + '"]').first();
  assert.match(await page.textContent('main'), /broke the rota/);
  await check(page, 'stale-notification');
  await m.follow(notice);
  assert.match(await page.locator('#rota-stale').innerText(), /Changed since publishing: \d+ problems?/);
  await check(page, 'stale-rota');
  await page.locator('#rota-stale').screenshot({ path: join(screenshots, 'stale-rota-mark.png') });

  // Repair: the changed days shown, then published again.
  await m.follow(page.getByRole('button', { name: 'Repair the rota' }));
  assert.match(await page.textContent('main'), new RegExp(asked.name));
  await check(page, 'stale-repair');
  await m.follow(page.getByRole('button', { name: 'Publish the repaired rota' }));
  assert.match(await page.textContent('.app-confirmation'), /repaired rota was published/);
  assert.equal(await page.locator('#rota-stale').count(), 0);
  await page.locator('.app-confirmation').screenshot({ path: join(screenshots, 'stale-repaired.png') });
  console.log(`PCN manager: ${m.clicks} clicks from log-in to the repaired rota published`);
  assert.ok(m.clicks <= 10, `${m.clicks} clicks`);

  // The list no longer marks it either.
  await page.goto(`${base}/rotas`);
  assert.doesNotMatch(await page.textContent('main'), /Changed since publishing/);
  await page.close();
});
