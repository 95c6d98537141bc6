// Caseloads, finding a person, a person's record and a case's care team, on the demo data
// (`linkwell serve --demo` refers 200 people and opens cases for the OTs and link workers).
// Every page and every error state must pass axe.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_USERS, ERROR_TITLE, assertNoLoadProblems, checkA11y, launchBrowser, openContext,
  pathOf, saveEvidence, signIn, startServer, visit,
} from './harness.mjs';

let server;
let browser;
let ot;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ot = await openContext(browser, server);
  await signIn(ot.page, DEMO_USERS.occupationalTherapist.email);
});

after(async () => {
  await ot?.context.close();
  await browser?.close();
  await server?.stop();
});

async function follow(page, action) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
}

// checkErrorState asserts an error page's title, summary and links to fields that exist.
async function checkErrorState(page, messages) {
  try {
    assert.match(await page.title(), ERROR_TITLE);
    const summary = page.locator('.nhsuk-error-summary');
    for (const message of messages) {
      await summary.getByText(message, { exact: true }).waitFor();
    }
    const hrefs = await summary.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    for (const href of hrefs) {
      assert.equal(await page.locator(href).count(), 1, `error summary links to ${href}, which is not on the page`);
    }
    assertNoLoadProblems(page);
    await checkA11y(page);
  } catch (err) {
    await saveEvidence(page);
    throw err;
  }
}

test('my caseload lists the OT\'s cases, sorts by a heading and pages by number', async () => {
  const { page } = ot;
  assert.equal(await visit(page, '/caseload'), 'My caseload');
  const rows = page.locator('main tbody tr');
  assert.ok(await rows.count() > 0, 'the demo OT has cases');
  const pages = await page.locator('.nhsuk-pagination__item').count();
  if (pages > 1) {
    assert.match(await page.title(), /^My caseload \(page 1 of \d+\) – Linkwell$/);
    await follow(page, () => page.getByRole('link', { name: 'Page 2', exact: true }).click());
    assert.match(await page.title(), /^My caseload \(page 2 of \d+\) – Linkwell$/);
    await checkA11y(page);
  }

  await visit(page, '/caseload');
  await follow(page, () => page.getByRole('columnheader', { name: /^Person/ }).getByRole('link').click());
  assert.match(pathOf(page), /^\/caseload\?sort=name$/);
  assert.equal(await page.getByRole('columnheader', { name: /^Person/ }).getAttribute('aria-sort'), 'ascending');
  const names = await page.locator('main tbody tr td:first-child').allInnerTexts();
  const surnames = names.map((n) => n.split(' ').slice(-1)[0]);
  assert.deepEqual(surnames, [...surnames].sort((a, b) => a.localeCompare(b, 'en')), 'sorted by last name');
  await checkA11y(page);

  await visit(page, '/caseload');
  assert.equal(await page.getByRole('columnheader', { name: /^Person/ }).getAttribute('aria-sort'), 'none',
    'the sort is not remembered');
});

test('the caseload filters are a plain GET form, with an empty state and an error state', async () => {
  const { page } = ot;
  await visit(page, '/caseload');
  await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Closed' });
  await follow(page, () => page.getByRole('button', { name: 'Filter cases' }).click());
  assert.equal(pathOf(page), '/caseload?status=closed&pathway=&tier=');
  await page.getByText('No cases match these filters').waitFor();
  await checkA11y(page);

  await visit(page, '/caseload?pathway=not-a-pathway', { status: 400, title: ERROR_TITLE });
  await checkErrorState(page, ['Select a pathway from the list']);
});

test('the team caseload lists the cases the OT\'s team holds', async () => {
  const { page } = ot;
  assert.equal(await visit(page, '/caseload/team'), 'Team caseload');
  assert.ok(await page.locator('main tbody tr').count() > 0, 'the PCN team holds cases');
});

test('find a person explains what is missing, and finds no one the OT may not see', async () => {
  const { page } = ot;
  assert.equal(await visit(page, '/people/search'), 'Find a person');
  await follow(page, () => page.getByRole('button', { name: 'Search', exact: true }).click());
  await checkErrorState(page, ['Enter their NHS number, or their last name', 'Enter their date of birth']);

  await page.getByLabel('NHS number', { exact: true }).fill('943 476 5919');
  await page.getByLabel('Day', { exact: true }).fill('1');
  await page.getByLabel('Month', { exact: true }).fill('1');
  await page.getByLabel('Year', { exact: true }).fill('1950');
  await follow(page, () => page.getByRole('button', { name: 'Search', exact: true }).click());
  await page.getByText("No one matching these details is on your caseload or your team's referrals").waitFor();
  await checkA11y(page);
});

test('from the caseload to a case and its person: the care team, added to and taken from', async () => {
  const { page } = ot;
  await visit(page, '/caseload');
  const first = page.locator('main tbody tr').first().getByRole('link');
  const name = (await first.innerText()).trim();
  await follow(page, () => first.click());
  const casePath = pathOf(page);
  assert.match(casePath, /^\/cases\/\d+$/);
  assert.match(await visit(page, casePath), new RegExp(`${name}$`));
  await page.getByRole('heading', { name: 'Care team', exact: true }).waitFor();
  await page.getByText('Lead', { exact: true }).first().waitFor();

  const select = page.getByLabel('Who to add', { exact: true });
  const options = await select.locator('option').evaluateAll((os) => os.filter((o) => o.value).map((o) => o.textContent));
  assert.ok(options.length > 0, 'someone can be added to the care team');
  const added = options[0].split(' – ')[0];
  await select.selectOption({ label: options[0] });
  await follow(page, () => page.getByRole('button', { name: 'Add to care team' }).click());
  assert.equal(pathOf(page), `${casePath}?saved=added`);
  await page.getByText('Added to the care team').waitFor();
  await checkA11y(page);

  const row = page.getByRole('row').filter({ hasText: added });
  await follow(page, () => row.getByRole('button', { name: /^Remove from care team/ }).click());
  assert.equal(pathOf(page), `${casePath}?saved=ended`);
  await page.getByText('Who has been on the care team').waitFor();

  await follow(page, () => page.getByRole('link', { name: `Back to ${name}'s record` }).click());
  assert.match(pathOf(page), /^\/people\/\d+$/);
  assert.equal(await visit(page, pathOf(page)), name);
  await page.getByRole('heading', { name: `Who is involved with ${name}` }).waitFor();
  await page.getByRole('heading', { name: 'Consent' }).waitFor();
});

test('a GP sees only the status of the referrals they made', async () => {
  const { context, page } = await openContext(browser, server);
  try {
    await signIn(page, DEMO_USERS.referrer.email);
    // The demo's first people were referred by the GP; find one whose record she may open.
    let path;
    for (let id = 1; id <= 6 && !path; id++) {
      const res = await page.goto(`/people/${id}`);
      if (res.status() === 200) path = `/people/${id}`;
    }
    assert.ok(path, 'the GP referred one of the first demo people');
    await visit(page, path);
    await page.getByText('You referred this person: you can see the status of your referral').waitFor();
    assert.equal(await page.getByText('Who is involved with').count(), 0, 'no care team for a referrer');
    assert.equal(await page.getByText('NHS number').count(), 0, 'no NHS number for a referrer');
    await visit(page, '/caseload', { status: 403 });
  } finally {
    await context.close();
  }
});
