// The referral journey: a service lead sets up a service with its criteria, then a GP sees
// those criteria first, refers a person with falls and loneliness, fixes the form's errors,
// and is stopped by the duplicate check when they refer the same person again.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_USERS, ERROR_TITLE, checkPage, launchBrowser, openContext, signIn, startServer, submit,
  visit,
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

// A name no demo record has, so the assertions can only pass on what this journey made.
const stamp = Date.now().toString(36).replace(/\d/g, '');
const serviceName = `Riverside falls and wellbeing ${stamp}`;
const inclusion = 'Adults over 65 registered with a Riverside practice who have fallen or feel isolated';
const exclusion = 'People who need urgent care or a mental health crisis service';
const person = { first: 'Winifred', last: `Quennell${stamp}`, nhs: '943 476 5919', fullName: '' };
person.fullName = `${person.first} ${person.last}`;

let serviceReady = false;



test('a service lead sets up a service with its criteria', async () => {
  const { context, page } = await openContext(browser, server);
  try {
    await signIn(page, DEMO_USERS.serviceLead.email);
    await visit(page, '/services');
    await visit(page, '/services/new');
    await page.getByLabel('Name of the service', { exact: true }).fill(serviceName);
    await page.getByLabel('Team that triages its referrals (optional)', { exact: true })
      .selectOption({ label: 'Riverside Primary Care Network – Personalised Care Team' });
    await page.getByLabel('Who it is for', { exact: true }).fill(inclusion);
    await page.getByLabel('Who it is not for (optional)', { exact: true }).fill(exclusion);
    await page.getByLabel('Response time, in working days', { exact: true }).fill('5');
    const res = await submit(page, 'Add service');
    await checkPage(page, res);
    assert.match(new URL(page.url()).pathname, /^\/services\/\d+$/);
    await page.getByRole('main').getByText(inclusion).waitFor();
    serviceReady = true;
  } finally {
    await context.close();
  }
});

test('a GP refers a person with falls and loneliness, seeing the criteria first', async (t) => {
  if (!serviceReady) return t.skip('the service was not set up');
  const { context, page } = await openContext(browser, server);
  try {
    await signIn(page, DEMO_USERS.referrer.email);

    // Step 1: the criteria are on the page before the referral starts.
    await visit(page, '/referrals/new');
    const main = page.getByRole('main');
    await main.getByText(inclusion).first().waitFor();
    await main.getByText(exclusion).first().waitFor();
    await page.getByLabel(serviceName, { exact: true }).check();
    let res = await submit(page, 'Continue');
    await checkPage(page, res);
    await page.locator('.nhsuk-inset-text').getByText(inclusion).waitFor();

    // Sent with nothing filled in, every problem is listed and linked to its field.
    res = await submit(page, 'Send referral');
    await checkPage(page, res, { status: 400, title: ERROR_TITLE });
    const summary = page.locator('.nhsuk-error-summary');
    for (const message of ['Enter the NHS number', 'Enter their first name', 'Enter their date of birth',
      'Select at least one thing the person needs support with']) {
      await summary.getByRole('link', { name: message }).waitFor();
    }

    await fillReferral(page);
    res = await submit(page, 'Send referral');
    await checkPage(page, res);
    assert.match(new URL(page.url()).pathname, /^\/referrals\/\d+$/);
    const panel = page.locator('.nhsuk-panel');
    await panel.getByText('Referral sent').waitFor();
    await panel.getByText('871731000000106').waitFor();

    // The same person again: the duplicate check stops the referral and offers the match.
    await visit(page, '/referrals/new');
    await page.getByLabel(serviceName, { exact: true }).check();
    await submit(page, 'Continue');
    await fillReferral(page);
    res = await submit(page, 'Send referral');
    await checkPage(page, res, { status: 409 });
    await main.getByRole('button', { name: 'This is a different person', exact: true }).waitFor();
    res = await submit(page, `Add this referral for ${person.fullName}`);
    await checkPage(page, res);
    await page.locator('.nhsuk-panel').getByText('Referral sent').waitFor();

    await visit(page, '/referrals');
    await main.getByRole('link', { name: person.fullName }).first().waitFor();
  } finally {
    await context.close();
  }
});

async function fillReferral(page) {
  await page.getByLabel('NHS number', { exact: true }).fill(person.nhs);
  await page.getByLabel('First name', { exact: true }).fill(person.first);
  await page.getByLabel('Last name', { exact: true }).fill(person.last);
  await page.getByLabel('Day', { exact: true }).fill('14');
  await page.getByLabel('Month', { exact: true }).fill('3');
  await page.getByLabel('Year', { exact: true }).fill('1941');
  await page.getByLabel('Phone call', { exact: true }).check();
  await page.getByLabel('Phone number (optional)', { exact: true }).fill('0113 496 0000');
  await page.getByLabel('GP', { exact: true }).check();
  await page.getByLabel('Frailty and falls', { exact: true }).check();
  await page.getByLabel('Loneliness and isolation', { exact: true }).check();
  await page.getByLabel('Known risks (optional)', { exact: true }).fill('Has fallen twice at home this winter.');
  await page.getByLabel('Yes', { exact: true }).check();
  await page.getByLabel('The person has agreed to this referral', { exact: true }).check();
}
