// The public self-referral page: someone with no account finds it from the sign-in page, is
// told plainly what is missing, sends a request, and it lands in the service's referral inbox
// as a self-referral for triage.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_USERS, ERROR_TITLE, checkPage, launchBrowser, openContext, saveEvidence, signIn,
  startServer, submit, visit,
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

const stamp = Date.now().toString(36).replace(/\d/g, '');
const family = `Ashdown${stamp}`;



test('a member of the public asks for support and it reaches the triage inbox', async () => {
  const { context, page } = await openContext(browser, server);
  try {
    let res = await page.goto(`${server.url}/login`);
    await page.getByRole('link', { name: 'Ask for support from a social prescriber' }).click();
    await page.waitForURL(/\/self-referral$/);
    res = await page.reload();
    await checkPage(page, res);
    await page.getByText('This is not for emergencies').waitFor();

    // A person takes longer than the form's minimum time to fill it in.
    await page.waitForTimeout(3200);
    res = await submit(page, 'Send request');
    await checkPage(page, res, { status: 400, title: ERROR_TITLE });
    const summary = page.locator('.nhsuk-error-summary');
    for (const message of ['Enter your first name', 'Enter a phone number or an email address, so that we can contact you',
      'Select at least one thing you would like help with', 'Confirm you are happy for us to contact you about your request']) {
      await summary.getByRole('link', { name: message }).waitFor();
    }

    await page.getByLabel('First name', { exact: true }).fill('Olive');
    await page.getByLabel('Last name', { exact: true }).fill(family);
    await page.getByLabel('Day', { exact: true }).fill('4');
    await page.getByLabel('Month', { exact: true }).fill('11');
    await page.getByLabel('Year', { exact: true }).fill('1949');
    await page.getByLabel('Phone number', { exact: true }).fill('07700 900321');
    await page.getByLabel('Loneliness and isolation', { exact: true }).check();
    await page.getByLabel('Tell us more (optional)', { exact: true }).fill('I would like to meet people who like gardening.');
    await page.getByLabel('I am happy for the social prescribing service to contact me about this request', { exact: true }).check();
    await page.getByLabel('Only tell my GP that I am getting support, not what we talk about', { exact: true }).check();
    await page.waitForTimeout(3200);
    res = await submit(page, 'Send request');
    await checkPage(page, res);
    await page.locator('.nhsuk-panel').getByText('Request sent').waitFor();
    const ref = await page.locator('.nhsuk-panel__body strong').textContent();
    assert.match(ref, /^LW-\d+$/);

    await signIn(page, DEMO_USERS.serviceLead.email);
    await visit(page, '/referrals');
    await page.getByRole('link', { name: `Olive ${family}` }).click();
    await page.waitForURL(new RegExp(`/referrals/${ref.slice(3)}$`));
    res = await page.reload();
    await checkPage(page, res);
    await page.getByText('Self-referral: NHS number not given, trace it').waitFor();
  } catch (err) {
    await saveEvidence(page);
    throw err;
  } finally {
    await context.close();
  }
});
