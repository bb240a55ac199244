// Development in real headless Chromium: a practice manager records CPD; the PCN manager
// defines a coaching programme, enrols the practice manager and books a session; the
// practice manager sees the session and writes a private note, which the PCN manager's
// pages never show.
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

const NOTE = 'Private reflection: delegating the rota to my deputy';

test('CPD, a coaching session booked by the PCN and a note only the coachee sees', async () => {
  const today = new Date().toISOString().slice(0, 10);
  // The practice manager records CPD from "My development".
  const pm = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await login(pm, server.baseUrl, account('practice_manager', 'Y99901'));
  await Promise.all([pm.waitForNavigation(), pm.click('nav >> text=My development')]);
  assert.equal(await pm.textContent('h1'), 'My development');
  const name = (await pm.textContent('.nhsuk-caption-l')).trim();
  await Promise.all([pm.waitForNavigation(), pm.click('button:has-text("Add CPD")')]);
  assert.match(await pm.textContent('.nhsuk-error-summary'), /Enter the date of the activity/);
  assert.match(await pm.textContent('.nhsuk-error-summary'), /Enter the activity/);
  await pm.fill('#done_on', today);
  await pm.fill('#activity', 'Leadership webinar');
  await pm.fill('#hours', '1.5');
  await pm.fill('#reflection', 'How to delegate');
  await Promise.all([pm.waitForNavigation(), pm.click('button:has-text("Add CPD")')]);
  assert.match(await pm.textContent('[role=status]'), /CPD activity was added/);
  assert.match(await pm.textContent('#cpd ~ .app-table-scroll table'), /Leadership webinar/);
  assert.match(await pm.textContent('main'), /not enrolled on a coaching programme/);

  // The PCN manager defines a programme, enrols the practice manager and books a session.
  const pcn = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await login(pcn, server.baseUrl, account('pcn_manager'));
  await Promise.all([pcn.waitForNavigation(), pcn.click('nav >> text=Coaching')]);
  assert.equal(await pcn.textContent('h1'), 'Coaching');
  await pcn.fill('#name', 'Coaching for practice managers');
  await pcn.fill('#description', 'Three 90-minute coaching sessions for practice managers');
  await pcn.fill('#sessions', '3');
  await pcn.fill('#minutes_per_session', '90');
  await Promise.all([pcn.waitForNavigation(), pcn.click('button:has-text("Add programme")')]);
  assert.match(await pcn.textContent('[role=status]'), /programme was added/);
  await pcn.selectOption('#programme_id', { label: 'Coaching for practice managers' });
  await pcn.selectOption('#staff_id', { label: `${name} (Practice manager)` });
  await Promise.all([pcn.waitForNavigation(), pcn.click('button:has-text("Enrol")')]);
  assert.match(await pcn.textContent('[role=status]'), /person was enrolled/);
  await pcn.selectOption('#enrolment_id', { label: `${name} — Coaching for practice managers` });
  await pcn.fill('#date', '2026-12-03');
  await pcn.fill('#start_time', '14:30');
  await pcn.fill('#place', 'https://meet.example/pm-coaching');
  await pcn.fill('#coach', 'Alex Coach');
  await Promise.all([pcn.waitForNavigation(), pcn.click('button:has-text("Book session")')]);
  assert.match(await pcn.textContent('[role=status]'), /session was booked/);
  assert.match(await pcn.textContent('main'), /3 December 2026 at 14:30/);
  assert.match(await pcn.textContent('main'), /1 of 3 booked/);
  assert.deepEqual(await seriousViolations(pcn), []);

  // The practice manager sees the session and writes a private note.
  await pm.goto(`${server.baseUrl}/me/development`);
  assert.match(await pm.textContent('#coaching ~ .nhsuk-card'), /3 December 2026 at 14:30/);
  await pm.fill('textarea[name=note]', NOTE);
  await Promise.all([pm.waitForNavigation(), pm.click('button:has-text("Save notes")')]);
  assert.match(await pm.textContent('[role=status]'), /Only you can see them/);
  assert.equal(await pm.inputValue('textarea[name=note]'), NOTE);

  // The practice manager's plan: a goal linked to the coaching.
  await pm.fill('#title', 'Chair the partners\u2019 meeting with confidence');
  await pm.selectOption('#status', { label: 'In progress' });
  await pm.selectOption('#enrolment_id', { label: 'Coaching for practice managers' });
  await pm.check('input[name=topic_ids] + label:has-text("Fire safety")');
  await Promise.all([pm.waitForNavigation(), pm.click('button:has-text("Add goal")')]);
  const goal = await pm.textContent('#plan ~ .nhsuk-card');
  assert.match(goal, /Linked coaching: Coaching for practice managers/);
  // The linked training shows where the manager stands on it today.
  assert.match(goal, /Fire safety: (In date|Expiring|Expired|Missing|Not required)/);
  await screenshot(pm, 'development-mine');
  assert.deepEqual(await seriousViolations(pm), []);

  // The PCN manager records attendance; neither their page nor the person's page shows the note.
  await pcn.goto(`${server.baseUrl}/pcns/U99901/coaching`);
  await pcn.selectOption('select[name=attendance]', 'attended');
  await Promise.all([pcn.waitForNavigation(), pcn.click('button:has-text("Record")')]);
  assert.match(await pcn.textContent('[role=status]'), /attendance was recorded/);
  assert.doesNotMatch(await pcn.content(), /Private reflection/);
  await screenshot(pcn, 'development-coaching');
  const staffId = (await pm.getAttribute('form[action$="/professional-dates"]', 'action')).split('/')[2];
  await pcn.goto(`${server.baseUrl}/staff/${staffId}/development`);
  assert.match(await pcn.textContent('main'), /Attended/);
  assert.match(await pcn.textContent('main'), /Leadership webinar/);
  assert.doesNotMatch(await pcn.content(), /Private reflection/);
  assert.equal(await pcn.locator('textarea[name=note]').count(), 0);
  await screenshot(pcn, 'development-managers-view');
});
