// Supervision, competence and safe delegation (issue 5) on the demo data: a supervisor's
// morning, a service lead keeping staff profiles, the competence framework and a service's
// settings, and a link worker's training record. Every page and every error state passes axe.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_USERS, ERROR_TITLE, checkPage, launchBrowser, openContext, pathOf, saveEvidence, signIn, startServer, submit, visit,
} from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function as(user) {
  const ctx = await openContext(browser, server);
  await signIn(ctx.page, user.email);
  return ctx;
}

// Today and a year ahead in England, as the date boxes want them.
function dateParts(offsetDays = 0) {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  const [year, month, day] = d.toLocaleDateString('en-CA', { timeZone: 'Europe/London' }).split('-');
  return { day: String(Number(day)), month: String(Number(month)), year };
}

async function fillDate(page, name, parts) {
  await page.locator(`#${name}-day`).fill(parts.day);
  await page.locator(`#${name}-month`).fill(parts.month);
  await page.locator(`#${name}-year`).fill(parts.year);
}

// selectByText picks the option of a select whose text contains text.
async function selectByText(select, text) {
  const value = await select.locator('option').evaluateAll(
    (opts, want) => opts.find((o) => o.textContent.includes(want))?.value, text,
  );
  assert.ok(value, `no option with "${text}"`);
  await select.selectOption(value);
}

// expectErrors checks a refused form: 400, the error title, the summary naming each problem
// (each link leading to a field on the page) and axe.
async function expectErrors(page, res, messages) {
  await checkPage(page, res, { status: 400, title: ERROR_TITLE });
  try {
    const summary = page.locator('.nhsuk-error-summary');
    for (const m of messages) {
      assert.ok((await summary.innerText()).includes(m), `the error summary does not say "${m}"`);
    }
    for (const href of await summary.getByRole('link').evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
      assert.equal(await page.locator(href).count(), 1, `error summary links to ${href}, which is not on the page`);
    }
  } catch (err) {
    await saveEvidence(page);
    throw err;
  }
}

async function delegateBenefitsCheck(page, casePath) {
  await visit(page, `${casePath}/tasks`);
  await selectByText(page.getByLabel('Type of task', { exact: true }), 'Support a benefits check');
  await selectByText(page.getByLabel('Who will do it', { exact: true }), DEMO_USERS.linkWorker.name);
  await page.getByLabel('Guidance for them', { exact: true }).fill('Use the benefits calculator with her and refer anything complex to welfare rights.');
  return submit(page, 'Delegate task');
}

test('a supervisor\'s morning: oversight, an urgent question, a session, a sign-off and a delegation that now succeeds', async () => {
  const { page, context } = await as(DEMO_USERS.supervisor);
  try {
    assert.equal(await visit(page, '/supervision'), 'Caseload oversight');
    const main = page.getByRole('main');
    for (const name of [DEMO_USERS.linkWorker.name, 'Aisha Patel', 'Daniel Hughes']) {
      await main.getByRole('heading', { name: new RegExp(name) }).waitFor();
    }
    await main.getByText('Supervision overdue').first().waitFor();
    const tomCard = page.locator('.nhsuk-card').filter({ has: page.getByRole('heading', { name: new RegExp(DEMO_USERS.linkWorker.name) }) });
    const staffPath = await tomCard.getByRole('link', { name: DEMO_USERS.linkWorker.name, exact: true }).getAttribute('href');
    const drill = await tomCard.getByRole('link', { name: new RegExp(`Open cases for ${DEMO_USERS.linkWorker.name}`) }).getAttribute('href');
    // Every figure on Tom's card is a link; those with a number above zero list that many rows.
    const figures = await tomCard.locator('a[href^="/supervision/supervisees/"]').evaluateAll(
      (as) => as.map((a) => ({ href: a.getAttribute('href'), n: Number.parseInt(a.textContent, 10) })),
    );
    assert.equal(figures.length, 11, 'every figure on the card links to what is behind it');
    for (const path of ['/cases?figure=year', '/tasks?figure=open_tasks', '/tasks?figure=overrides']) {
      assert.ok(figures.some((f) => f.href.includes(path)), `no figure links to ${path}`);
    }
    for (const f of figures.filter((f) => f.href.includes('/tasks?') || f.href.includes('figure=year') || f.href.includes('figure=open&'))) {
      assert.match(await visit(page, f.href), /Open cases|Supported in the last year|Open tasks|override/);
      assert.equal(await page.locator('main tbody tr').count(), f.n, `${f.href} lists as many rows as the figure says`);
    }
    const overridden = figures.find((f) => f.href.includes('figure=overrides'));
    assert.ok(overridden.n > 0, 'the demo has a delegation under override for Tom');
    await visit(page, overridden.href);
    await page.getByRole('main').getByText('Home environment check for non-clinical needs').first().waitFor();
    await page.getByRole('main').getByRole('link', { name: /tasks$/ }).first().click();
    await page.waitForLoadState('load');
    assert.match(pathOf(page), /^\/cases\/\d+\/tasks$/, 'a task links to its case');
    assert.match(await visit(page, drill), /Open cases/);
    assert.ok(await page.locator('main tbody tr').count() > 0, 'the drill-down lists the cases behind the figure');

    // The urgent question: answered from the queue, recorded on the case.
    assert.equal(await visit(page, '/advice'), 'Advice requests');
    const card = page.locator('.nhsuk-card').filter({ hasText: 'Urgent' });
    assert.equal(await card.count(), 1, 'one urgent question waits');
    const casePath = await card.getByRole('link').first().getAttribute('href');
    await card.getByLabel(`Your answer to ${DEMO_USERS.linkWorker.name}`).fill('Raise a safeguarding concern now from the case; I will ring the safeguarding lead and call you back.');
    let res = await submit(page, `Send answer to ${DEMO_USERS.linkWorker.name}`);
    await checkPage(page, res);
    await page.getByText('Answer recorded on the case').waitFor();

    // The benefits check is refused: Tom has not been signed off for it.
    res = await delegateBenefitsCheck(page, casePath);
    await expectErrors(page, res, ['Supporting a benefits check (SP-ADVICE-BENEFITS): not signed off', `${DEMO_USERS.supervisor.name} can sign these off`]);

    // A one to one discussing two of Tom's cases.
    await visit(page, '/supervision/sessions/new');
    const overrides = page.locator('#overrides');
    await overrides.getByRole('heading', { name: 'Delegations under an override to review' }).waitFor();
    assert.match(await overrides.innerText(), /Home environment check for non-clinical needs for .* given to Tom Bennett by Helen Clarke/);
    await page.getByLabel('One to one', { exact: true }).check();
    await page.getByRole('group', { name: 'Who was it with?' }).getByLabel(DEMO_USERS.linkWorker.name, { exact: true }).check();
    await fillDate(page, 'held_on', dateParts());
    const cases = page.getByRole('group', { name: /Cases discussed/ }).getByRole('checkbox', { name: new RegExp(`\\(${DEMO_USERS.linkWorker.name}\\)`) });
    assert.ok(await cases.count() >= 2, 'Tom holds at least two open cases');
    const discussed = [];
    for (const i of [0, 1]) {
      await cases.nth(i).check();
      discussed.push((await cases.nth(i).evaluate((el) => el.labels[0].textContent)).replace(/ \(.*\)$/, '').trim());
    }
    await page.getByLabel('What was discussed and agreed', { exact: true }).fill('The pension concern: safeguarding raised today. Agreed Tom completes the benefits check with the second person.');
    await page.getByLabel('Reflective notes (one to one only)', { exact: true }).fill('Shaken by the call but acted quickly.');
    res = await submit(page, 'Record session');
    await checkPage(page, res);
    assert.match(pathOf(page), /^\/supervision\/sessions\/\d+\?saved=recorded$/);
    for (const name of discussed) {
      await page.getByRole('main').getByRole('link', { name, exact: true }).first().waitFor();
    }
    await page.getByText('Shaken by the call but acted quickly.').waitFor();

    // Sign-off from Tom's staff page, after reading his evidence count.
    assert.match(await visit(page, staffPath), new RegExp(DEMO_USERS.linkWorker.name));
    await page.getByRole('main').getByText('Sign-off expired').first().waitFor();
    await selectByText(page.locator('#competence'), 'Supporting a benefits check');
    await fillDate(page, 'review_on', dateParts(365));
    await page.getByLabel('What you saw (optional)', { exact: true }).fill('Watched him run two checks with people; accurate and sensitive.');
    res = await submit(page, 'Sign off');
    await checkPage(page, res);
    await page.getByText('Competence signed off').waitFor();

    // The same delegation now goes through.
    res = await delegateBenefitsCheck(page, casePath);
    await checkPage(page, res);
    assert.match(pathOf(page), new RegExp(`^${casePath}/tasks`));
    await page.getByRole('main').getByText('Support a benefits check').first().waitFor();
  } finally {
    await context.close();
  }
});

test('a service lead edits a profile, loads and changes the competence framework, and sets supervision frequency', async () => {
  const { page, context } = await as(DEMO_USERS.serviceLead);
  try {
    assert.equal(await visit(page, '/workforce/staff'), 'Staff');
    await page.getByRole('link', { name: 'Daniel Hughes', exact: true }).click();
    await page.waitForLoadState('load');
    const profilePath = pathOf(page);
    assert.match(await visit(page, profilePath), /Daniel Hughes/);
    await page.getByLabel('Occupational therapist', { exact: true }).check();
    await page.getByLabel('Professional registration number', { exact: true }).fill('PH12345');
    let res = await submit(page, 'Save profile');
    await expectErrors(page, res, ['HCPC registration number in the correct format']);
    assert.equal(await page.getByLabel('Professional registration number', { exact: true }).inputValue(), 'PH12345');
    await page.getByLabel('Social prescribing link worker', { exact: true }).check();
    await page.getByLabel('Professional registration number', { exact: true }).fill('');
    await page.getByLabel('Caseload capacity', { exact: true }).fill('40');
    res = await submit(page, 'Save profile');
    await checkPage(page, res);
    await page.getByText('Profile saved').waitFor();

    assert.match(await visit(page, '/workforce/framework'), /Linkwell default framework/);
    const bad = 'area,code,competence,description,task_types\nSafety,SF-LONE,Lone working,,\n,SF-X,,,Juggling\n';
    await page.getByLabel('Name of the framework', { exact: true }).fill('Riverside framework 2026');
    await page.locator('#file').setInputFiles({ name: 'framework.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    res = await submit(page, 'Load framework');
    await expectErrors(page, res, ['Line 3: enter the area', 'Line 3: enter the competence', 'Line 3: there is no task type called "Juggling"']);
    const good = 'area,code,competence,description,task_types\nSafety,SF-LONE-WORKING,Risk and lone working,Checks in before and after every visit,Accompany to a first session\n'
      + 'Tasks,SP-CONNECT,Accompanying someone to a first session,,Accompany to a first session\n';
    await page.locator('#file').setInputFiles({ name: 'framework.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    res = await submit(page, 'Load framework');
    await checkPage(page, res);
    await page.getByText('Framework loaded as a new version').waitFor();
    assert.match(await page.locator('h1').innerText(), /Riverside framework 2026/);

    await visit(page, '/workforce/framework/competences/new');
    await page.getByLabel('Area', { exact: true }).fill('Safety');
    await page.getByLabel('Code', { exact: true }).fill('bad code');
    await page.getByLabel('Competence', { exact: true }).fill('Safeguarding adults and children');
    await page.getByLabel('Home environment check for non-clinical needs', { exact: true }).check();
    res = await submit(page, 'Save as a new version');
    await expectErrors(page, res, ['must be 2 to 30 capital letters']);
    assert.ok(await page.getByLabel('Home environment check for non-clinical needs', { exact: true }).isChecked(), 'the ticked task type is kept');
    await page.getByLabel('Code', { exact: true }).fill('SF-SAFEGUARDING');
    res = await submit(page, 'Save as a new version');
    await checkPage(page, res);
    await page.getByText('Framework changed: saved as a new version').waitFor();
    await page.getByRole('main').getByText('Safeguarding adults and children (SF-SAFEGUARDING)').waitFor();
    await page.getByRole('link', { name: /Riverside framework 2026, version 1/ }).click();
    await page.waitForLoadState('load');
    assert.match(await visit(page, pathOf(page)), /version 1/);

    assert.equal(await visit(page, '/services'), 'Services that take referrals');
    await page.getByRole('main').getByRole('link', { name: 'Riverside social prescribing', exact: true }).click();
    await page.waitForLoadState('load');
    await page.getByRole('link', { name: 'Supervision and advice settings' }).click();
    await page.waitForLoadState('load');
    assert.match(await visit(page, pathOf(page)), /Supervision and advice settings/);
    await page.getByLabel('Days between supervision sessions', { exact: true }).fill('3');
    res = await submit(page, 'Save settings');
    await expectErrors(page, res, ['must be between 7 and 90']);
    await page.getByLabel('Days between supervision sessions', { exact: true }).fill('28');
    res = await submit(page, 'Save settings');
    await checkPage(page, res);
    await page.getByText('Settings saved').waitFor();
  } finally {
    await context.close();
  }
});

test('a link worker keeps a training record and exports it for appraisal', async () => {
  const { page, context } = await as(DEMO_USERS.linkWorker);
  try {
    await visit(page, '/supervision', { status: 403 });
    assert.equal(await visit(page, '/account'), 'Your account');
    await page.getByRole('link', { name: 'Your competences, supervisors and training record' }).click();
    await page.waitForLoadState('load');
    assert.match(await visit(page, pathOf(page)), new RegExp(DEMO_USERS.linkWorker.name));
    await page.getByRole('link', { name: 'Training record', exact: true }).click();
    await page.waitForLoadState('load');
    assert.match(await visit(page, pathOf(page)), /Training record/);
    await page.getByRole('main').getByText('Mental Health First Aid').waitFor();
    await page.getByLabel('Continuing professional development (CPD)', { exact: true }).check();
    await page.getByLabel('Title', { exact: true }).fill('=Reflective practice workshop');
    await fillDate(page, 'completed_on', dateParts(-2));
    await page.getByLabel('Hours', { exact: true }).fill('lots');
    let res = await submit(page, 'Add training');
    await expectErrors(page, res, ['Hours must be a number']);
    await page.getByLabel('Hours', { exact: true }).fill('2.5');
    res = await submit(page, 'Add training');
    await checkPage(page, res);
    await page.getByText('Training added to the record').waitFor();
    const href = await page.getByRole('link', { name: /Download the training record/ }).getAttribute('href');
    const csv = await page.request.get(href);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-type'], /^text\/csv/);
    const text = await csv.text();
    assert.ok(text.startsWith('completed_on,kind,title,provider,hours,notes\n'), text);
    assert.ok(text.includes(",CPD,'=Reflective practice workshop,,2.5,"), `the formula is not neutralised: ${text}`);
    assert.ok(text.includes('Safeguarding adults level 2'), text);
  } finally {
    await context.close();
  }
});
