// The administrator journey: add an organisation, add a link worker to it, find them in
// the list, and see that they can sign in. Also: every form sent empty explains its errors.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_USERS, ERROR_TITLE, TITLE, assertNoLoadProblems, checkA11y, launchBrowser, openContext,
  signIn, startServer, submit, visit,
} from './harness.mjs';

let server;
let browser;
let admin;
let created = false;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  admin = await openContext(browser, server);
  await signIn(admin.page, DEMO_USERS.administrator.email);
});

after(async () => {
  await admin?.context.close();
  await browser?.close();
  await server?.stop();
});

// Names no demo record has, so the assertions can only pass on what this journey made.
const stamp = Date.now().toString(36);
const organisationName = `Riverside Wellbeing Collective ${stamp}`;
const person = {
  name: `Ada Okafor ${stamp}`,
  email: `ada.okafor.${stamp}@riverside.example.org`,
  password: 'Riverside-walks-2026',
};


// Each form sent empty: the title says "Error: ", the summary lists the problems with links
// to fields that exist, and the error state passes axe.
const emptyForms = [
  { path: '/admin/users/new', button: 'Add user',
    messages: ['Enter a full name', 'Enter an email address', 'Enter a password', 'Select at least one role'] },
  { path: '/admin/organisations/new', button: 'Add organisation',
    messages: ["Enter the organisation's name", 'Select the type of organisation'] },
  { path: '/admin/agreements/new', button: 'Record agreement',
    messages: ['Enter a title for the agreement', 'Enter the purpose of the agreement',
      'Select at least two organisations that share data'] },
  { path: '/account/mfa', button: 'Continue', messages: [] },
];

for (const form of emptyForms) {
  test(`${form.path} sent empty is explained in an error summary`, async () => {
    const { page } = admin;
    await visit(page, form.path);
    await submit(page, form.button);
    assert.match(await page.title(), ERROR_TITLE);
    const summary = page.locator('.nhsuk-error-summary');
    await summary.waitFor();
    for (const message of form.messages) {
      await summary.getByRole('link', { name: message }).waitFor();
    }
    const hrefs = await summary.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    assert.ok(hrefs.length > 0, 'the error summary links to the fields at fault');
    for (const href of hrefs) {
      assert.match(href ?? '', /^#[\w-]+$/, `error summary link ${href} should point at a field`);
      assert.equal(await page.locator(href).count(), 1, `error summary links to ${href}, which is not on the page`);
    }
    assertNoLoadProblems(page);
    await checkA11y(page);
  });
}

test('an administrator adds an organisation and a link worker in it', async () => {
  const { page } = admin;
  await visit(page, '/admin/organisations/new');
  await page.getByLabel('Name', { exact: true }).fill(organisationName);
  await page.getByLabel('Type of organisation', { exact: true })
    .selectOption({ label: 'Voluntary and community organisation' });
  await submit(page, 'Add organisation');
  assert.match(await page.title(), TITLE, `creating the organisation failed on ${page.url()}`);
  await visit(page, '/admin/organisations');
  await page.getByRole('main').getByRole('link', { name: organisationName }).waitFor();

  await visit(page, '/admin/users/new');
  await page.getByLabel('Full name', { exact: true }).fill(person.name);
  await page.getByLabel('Email address', { exact: true }).fill(person.email);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByLabel('Link worker', { exact: true }).check();
  await page.getByLabel('Organisation', { exact: true }).selectOption({ label: organisationName });
  await submit(page, 'Add user');
  assert.match(await page.title(), TITLE, `creating the user failed on ${page.url()}`);

  await visit(page, '/admin/users');
  const row = page.getByRole('row').filter({ hasText: person.email });
  await row.waitFor();
  await row.getByText(person.name).first().waitFor();
  created = true;
});

test('the new link worker can sign in and is named in the header', async (t) => {
  if (!created) return t.skip('the previous test did not create the user');
  const { context, page } = await openContext(browser, server);
  try {
    await signIn(page, person.email, person.password);
    assert.equal(new URL(page.url()).pathname, '/');
    const header = page.getByRole('banner');
    await header.getByText(person.name).first().waitFor();
    await header.getByText('Link worker').first().waitFor();
  } finally {
    await context.close();
  }
});
