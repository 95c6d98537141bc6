// The records a care team keeps on a case (what matters, the plan, contacts, connections) and
// signposting with its printable list, on the demo data as the demo OT. Every form is sent
// once with a problem and once put right, and every page state must pass axe.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_USERS, ERROR_TITLE, TITLE, assertNoLoadProblems, checkA11y, launchBrowser, openContext,
  pathOf, saveEvidence, signIn, startServer, visit,
} from './harness.mjs';

let server;
let browser;
let ot;
let casePath;

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

// submit presses a form's button and checks the page that comes back, with errors or without.
async function submit(page, button, { errors = [], notice } = {}) {
  page.problems.length = 0;
  await follow(page, () => page.getByRole('button', { name: button, exact: true }).click());
  try {
    if (errors.length > 0) {
      assert.match(await page.title(), ERROR_TITLE);
      const summary = page.locator('.nhsuk-error-summary');
      for (const message of errors) {
        await summary.getByText(message, { exact: true }).waitFor();
      }
      const hrefs = await summary.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
      for (const href of hrefs) {
        assert.equal(await page.locator(href).count(), 1, `error summary links to ${href}, which is not on the page`);
      }
    } else {
      assert.match(await page.title(), TITLE);
      await page.locator('.nhsuk-notification-banner').getByText(notice, { exact: true }).waitFor();
    }
    assert.equal(await page.locator('h1').count(), 1);
    assertNoLoadProblems(page);
    await checkA11y(page);
  } catch (err) {
    await saveEvidence(page);
    throw err;
  }
}

// fillDate types a date into the NHS date input whose boxes are name-day, name-month and name-year.
async function fillDate(page, name, date) {
  await page.locator(`#${name}-day`).fill(String(date.getDate()));
  await page.locator(`#${name}-month`).fill(String(date.getMonth() + 1));
  await page.locator(`#${name}-year`).fill(String(date.getFullYear()));
}

function daysFromNow(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return d;
}

// openRecord follows a link from the case's "Support for" list and checks the page.
async function openRecord(page, link) {
  await visit(page, casePath);
  const nav = page.getByRole('navigation', { name: /^Support for / });
  await follow(page, () => nav.getByRole('link', { name: link, exact: true }).click());
  return visit(page, pathOf(page));
}

test('the OT opens the first active case on her caseload and sees the support records', async () => {
  const { page } = ot;
  await visit(page, '/caseload?status=active');
  const first = page.locator('main tbody tr').first().getByRole('link');
  await follow(page, () => first.click());
  casePath = pathOf(page);
  assert.match(casePath, /^\/cases\/\d+$/);
  await visit(page, casePath);
  await page.getByRole('heading', { name: /^Support for / }).waitFor();
});

test('what matters: the person\'s own words are required, then saved', async () => {
  const { page } = ot;
  assert.match(await openRecord(page, 'What matters to them'), /^What matters to them/);
  await page.getByLabel('What matters to them', { exact: true }).fill('');
  await submit(page, 'Save what matters', { errors: ['Enter what matters to them, in their own words'] });
  await page.getByLabel('What matters to them', { exact: true }).fill('Getting back to my allotment and seeing my friends there');
  await page.getByLabel('Transport', { exact: true }).check();
  await submit(page, 'Save what matters', { notice: 'What matters to them is saved' });
  assert.equal(await page.getByLabel('Transport', { exact: true }).isChecked(), true);
});

test('the plan: a goal needs words and a target date, then shows with its forms', async () => {
  const { page } = ot;
  assert.match(await openRecord(page, 'Care and support plan'), /^Care and support plan/);
  await fillDate(page, 'target', daysFromNow(-10));
  await submit(page, 'Add goal', { errors: ['Enter the goal, in the person\'s own words', 'Target date must be today or in the future'] });
  await page.getByLabel('The goal, in their own words', { exact: true }).fill('I want to walk to the shops on my own');
  await fillDate(page, 'target', daysFromNow(90));
  await submit(page, 'Add goal', { notice: 'Goal added to the plan' });
  await page.getByRole('heading', { name: '“I want to walk to the shops on my own”' }).waitFor();

  await page.locator('#review-note').fill('Goals agreed with her');
  await submit(page, 'Record review', { notice: 'Review recorded' });
  await page.getByText('Goals agreed with her').waitFor();
});

test('contacts: a contact needs a date, then is listed with who took part', async () => {
  const { page } = ot;
  assert.match(await openRecord(page, 'Contacts'), /^Contacts/);
  await page.getByLabel('Time', { exact: true }).fill('10:30');
  await submit(page, 'Record contact', { errors: ['Enter the date of the contact', 'Select the type of contact'] });
  await fillDate(page, 'date', daysFromNow(-2));
  await page.getByLabel('Phone call', { exact: true }).check();
  await page.getByLabel('How long it took, in minutes', { exact: true }).fill('20');
  await page.getByLabel('Note (optional)', { exact: true }).fill('Talked about the walking group');
  await submit(page, 'Record contact', { notice: 'Contact recorded' });
  const row = page.getByRole('row').filter({ hasText: 'Talked about the walking group' });
  await row.getByText(DEMO_USERS.occupationalTherapist.name).waitFor();
});

test('connections: an activity needs a name, then moves on through its lifecycle', async () => {
  const { page } = ot;
  assert.match(await openRecord(page, 'Connections to activities'), /^Connections to activities/);
  await submit(page, 'Add connection', { errors: ['Enter the name of the activity'] });
  await page.getByLabel('Name of the activity', { exact: true }).fill('Browser test walking group');
  await page.getByLabel('Organisation that runs it (optional)', { exact: true }).fill('Riverside Ramblers');
  await submit(page, 'Add connection', { notice: 'Connection added' });

  const card = page.locator('.nhsuk-card').filter({ has: page.getByRole('heading', { name: /^Browser test walking group/ }) });
  await submit(page, 'Update Browser test walking group', { errors: ['Select what has happened'] });
  await card.getByLabel('Referred', { exact: true }).check();
  await submit(page, 'Update Browser test walking group', { notice: 'Connection updated' });
  await card.getByText(/^Referred on /).waitFor();
});

test('signposting: a service needs a name, then prints as a list for the person', async () => {
  const { page } = ot;
  assert.match(await openRecord(page, 'Signposting'), /^Signposting/);
  await page.locator('#service_1_organisation').fill('Age UK');
  await submit(page, 'Record signposting', { errors: ['Enter the name of the service'] });
  await page.locator('#service_1_name').fill('Befriending service');
  await page.locator('#service_1_how_to_contact').fill('Phone 0800 678 1602');
  await page.locator('#service_1_why').fill('Someone to talk to every week');
  await submit(page, 'Record signposting', { notice: 'Signposting recorded' });

  await follow(page, () => page.getByRole('link', { name: /^Print the services you just recorded/ }).click());
  assert.equal(await visit(page, pathOf(page)), 'Services that could help you');
  await page.getByText('Someone to talk to every week').waitFor();
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.nhsuk-header').isVisible(), false, 'the header is not printed');
  assert.equal(await page.getByRole('link', { name: 'Back to signposting' }).isVisible(), false, 'the back link is not printed');
  await page.emulateMedia({ media: 'screen' });
});
