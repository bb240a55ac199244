// The first morning of a real deployment, from an empty database, as the people who run it:
// the set-up link → the first system administrator (with two-factor sign-in) → the real ODS
// and list-size files → an ICS and a PCN of three real practices → the PCN manager invited
// by email (caught by a loopback SMTP server this test starts) → the PCN manager invites a
// practice manager → that manager imports the team → a member of staff is invited, then
// resets a forgotten password. axe-core checks every page on the way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { repo, startEmptyServer, freePort, launchBrowser, seriousViolations, screenshot, totp } from './helpers.mjs';

const nhs = join(repo, '..', 'shared', 'data', 'nhs');
const odsFile = join(nhs, 'ods_practices', 'epraccur_DEC2019_SNEE.csv');
const listSizeFile = join(nhs, 'patients_registered', 'gp-reg-pat-prac-all_JAN2021_SNEE.csv');

/** A loopback SMTP server that keeps every message it is given, parsed. */
async function startMailbox() {
  const messages = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then((mail) => {
        messages.push({ to: mail.to?.text ?? '', subject: mail.subject ?? '', text: mail.text ?? '' });
        callback();
      }, callback);
    },
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    messages,
    /** The link under `path` in the newest message to `address`, waiting for it to arrive. */
    async linkTo(address, path) {
      for (let i = 0; i < 100; i += 1) {
        const mail = messages.filter((m) => m.to.includes(address)).at(-1);
        const match = mail?.text.match(new RegExp(`https?://\\S+${path}/[A-Za-z0-9]+`));
        if (match) return match[0];
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no email to ${address} with a ${path} link; got ${JSON.stringify(messages)}`);
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

test('the first morning, from an empty database to a PCN whose people run their own accounts', async () => {
  const mailbox = await startMailbox();
  const server = await startEmptyServer(['--smtp-url', `smtp://127.0.0.1:${mailbox.port}`]);
  const browser = await launchBrowser();
  const problems = [];
  const check = async (page, name) => {
    await screenshot(page, `first-morning-${name}`);
    for (const v of await seriousViolations(page)) problems.push(`${name} ${page.url()}: ${v}`);
  };
  const submit = async (page, label) => {
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: label, exact: true }).click()]);
  };
  const strong = 'ochre lantern meadow quietly 42';
  try {
    // 1. The set-up link the server printed creates the first administrator.
    const setup = server.output().match(/https?:\/\/\S+\/setup\/[A-Za-z0-9]+/);
    assert.ok(setup, `a set-up link in the output:\n${server.output()}`);
    const admin = await (await browser.newContext()).newPage();
    await admin.goto(setup[0]);
    await check(admin, '01-setup');
    await admin.fill('#name', 'Ada Admin');
    await admin.fill('#email', 'ada.admin@snee.example');
    await admin.fill('#password', strong);
    await admin.fill('#password_again', strong);
    await submit(admin, 'Create the administrator');
    // A system administrator must turn on two-factor sign-in before anything else.
    assert.match(admin.url(), /\/account\/two-factor$/);
    await check(admin, '02-two-factor');
    const secret = await admin.inputValue('input[name=secret]');
    await admin.fill('#code', totp(secret));
    await submit(admin, 'Turn on two-factor sign-in');
    await admin.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    await check(admin, '03-recovery-codes');

    // 2. The real ODS and list-size files.
    await admin.goto(`${server.baseUrl}/import`);
    await check(admin, '04-import');
    await admin.setInputFiles('#ods-file', odsFile);
    await submit(admin, 'Import practices');
    await admin.getByText(/created 99/).first().waitFor();
    await admin.setInputFiles('#list-file', listSizeFile);
    await submit(admin, 'Import list sizes');
    await admin.getByText(/stored \d+/).first().waitFor();
    await check(admin, '05-imported');

    // 3. The ICS and a PCN of three real practices.
    await admin.goto(`${server.baseUrl}/admin`);
    await admin.fill('#ics-code', 'QJG');
    await admin.fill('#ics-name', 'NHS Suffolk and North East Essex ICB');
    await submit(admin, 'Add ICS');
    await admin.fill('#pcn-code', 'U39025');
    await admin.fill('#pcn-name', 'WGGL PCN');
    await admin.selectOption('#pcn-ics', 'QJG');
    await submit(admin, 'Add PCN');
    for (const practice of ['D83003', 'Glemsford Surgery', 'D83014']) {
      await admin.fill('#member-practice', practice);
      await admin.selectOption('#member-pcn', 'U39025');
      await admin.fill('#member-from', '2019-07-01');
      await submit(admin, 'Record membership');
    }
    const organisations = await admin.textContent('main');
    for (const name of ['WGGL PCN', 'Wickhambrook Surgery', 'Glemsford Surgery', 'The Long Melford Practice']) {
      assert.ok(organisations.toLowerCase().includes(name.toLowerCase()), `${name} on the organisations page`);
    }
    await check(admin, '06-organisations');

    // 4. The administrator invites the PCN manager, who accepts from the email.
    const invite = async (page, email, role, organisation) => {
      await page.goto(`${server.baseUrl}/accounts/invite`);
      await page.fill('#email', email);
      await page.selectOption('#role', role);
      await page.selectOption('#organisation', organisation);
      await submit(page, 'Send the invitation');
      return mailbox.linkTo(email, '/invitations');
    };
    const accept = async (link, name, shot) => {
      const page = await (await browser.newContext()).newPage();
      await page.goto(link);
      await check(page, shot);
      await page.fill('#name', name);
      await page.fill('#password', strong);
      await page.fill('#password_again', strong);
      await Promise.all([page.waitForNavigation(), page.locator('main form button[type=submit]').click()]);
      return page;
    };
    await admin.goto(`${server.baseUrl}/accounts/invite`);
    await check(admin, '07-invite');
    const pcnLink = await invite(admin, 'pat.pcn@snee.example', 'pcn_manager', 'U39025');
    const pcnManager = await accept(pcnLink, 'Pat Pcn', '08-accept-pcn-manager');
    assert.match(pcnManager.url(), /\/pcns\/U39025$/);
    await check(pcnManager, '09-pcn-page');

    // 5. The PCN manager invites a practice manager of Wickhambrook Surgery.
    const practiceLink = await invite(pcnManager, 'mo.manager@snee.example', 'practice_manager', 'D83003');
    await check(pcnManager, '10-invited');
    // The accounts list: accepting the invitation was the PCN manager's first log-in.
    const own = await pcnManager.locator('tr', { hasText: 'pat.pcn@snee.example' }).textContent();
    assert.doesNotMatch(own, /Never/, own);
    const practiceManager = await accept(practiceLink, 'Mo Manager', '11-accept-practice-manager');
    assert.match(practiceManager.url(), /\/practices\/D83003$/);

    // 6. The practice manager imports the team.
    const dir = mkdtempSync(join(tmpdir(), 'gpteam-team-'));
    const team = join(dir, 'team.csv');
    writeFileSync(team, [
      'name,email,phone,role,employer,employer_code,wte,sessions_per_week,skills,start_date,end_date,practices',
      'Dr Sam Staff,sam.staff@snee.example,01440 820140,Salaried GP,practice,D83003,0.8,8,,2024-04-01,,D83003',
      'Kim Nurse,kim.nurse@snee.example,,Practice nurse,practice,D83003,1,10,,2023-09-04,,D83003',
    ].join('\r\n'));
    await practiceManager.goto(`${server.baseUrl}/import`);
    await check(practiceManager, '12-import-team');
    assert.equal(await practiceManager.locator('#ods-file').count(), 0, 'no reference imports for a practice manager');
    await practiceManager.setInputFiles('#staff-file', team);
    await submit(practiceManager, 'Import team');
    await practiceManager.getByText(/created 2/).first().waitFor();
    await check(practiceManager, '13-team-imported');

    // 7. A member of staff is invited, then forgets the password and resets it.
    const staffLink = await invite(practiceManager, 'sam.staff@snee.example', 'staff', 'D83003');
    const staff = await accept(staffLink, 'Sam Staff', '14-accept-staff');
    assert.match(staff.url(), /\/me$/);
    await submit(staff, 'Log out');
    await staff.goto(`${server.baseUrl}/login`);
    await Promise.all([staff.waitForNavigation(), staff.getByRole('link', { name: /Forgotten your password/ }).click()]);
    await check(staff, '15-forgotten');
    await staff.fill('#email', 'sam.staff@snee.example');
    await submit(staff, 'Send the link');
    await check(staff, '16-check-email');
    const resetLink = await mailbox.linkTo('sam.staff@snee.example', '/password-reset');
    await staff.goto(resetLink);
    await check(staff, '17-reset');
    const renewed = 'violet harbour sketches 917 kites';
    await staff.fill('#password', renewed);
    await staff.fill('#password_again', renewed);
    await submit(staff, 'Set the new password');
    await check(staff, '18-reset-done');
    // The new password logs in; the link is spent.
    await staff.goto(`${server.baseUrl}/login`);
    await staff.fill('#email', 'sam.staff@snee.example');
    await staff.fill('#password', renewed);
    await Promise.all([staff.waitForNavigation(), staff.locator('main button[type=submit]').click()]);
    assert.match(staff.url(), /\/me$/);
    await staff.goto(resetLink);
    assert.match(await staff.textContent('main'), /already been used|used/i);
    await check(staff, '19-spent-link');

    assert.deepEqual(problems, [], 'axe finds nothing serious on any page of the first morning');
  } finally {
    await browser.close();
    server.stop();
    await mailbox.close();
  }
});
