// Linkwell is server-rendered: signing in, the home page and logging out must work with
// JavaScript turned off.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_USERS, ERROR_TITLE, TITLE, assertHeading, assertNoLoadProblems, launchBrowser,
  logOut, openContext, signIn, startServer,
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

test('sign in, load the home page and log out without JavaScript', async () => {
  const { context, page } = await openContext(browser, server, { javaScriptEnabled: false });
  const worker = DEMO_USERS.linkWorker;
  try {
    await signIn(page, worker.email, 'Wrong-password-2026');
    assert.match(await page.title(), ERROR_TITLE);
    await page.locator('.nhsuk-error-summary').waitFor();

    await signIn(page, worker.email);
    assert.equal(new URL(page.url()).pathname, '/');
    assert.match(await page.title(), TITLE);
    await assertHeading(page);
    await page.getByRole('banner').getByText(worker.name).first().waitFor();
    assertNoLoadProblems(page);

    await logOut(page);
    assert.equal(new URL(page.url()).pathname, '/login');
  } finally {
    await context.close();
  }
});

test('ask for support on the public self-referral page without JavaScript', async () => {
  const { context, page } = await openContext(browser, server, { javaScriptEnabled: false });
  try {
    await page.goto('/self-referral');
    assert.match(await page.title(), TITLE);
    await page.getByLabel('First name', { exact: true }).fill('Norah');
    await page.getByLabel('Last name', { exact: true }).fill('Nojs');
    await page.getByLabel('Day', { exact: true }).fill('9');
    await page.getByLabel('Month', { exact: true }).fill('2');
    await page.getByLabel('Year', { exact: true }).fill('1955');
    await page.getByLabel('Email address', { exact: true }).fill('norah@example.com');
    await page.getByLabel('Money and debt', { exact: true }).check();
    await page.getByLabel('I am happy for the social prescribing service to contact me about this request', { exact: true }).check();
    await page.getByLabel('Do not tell my GP', { exact: true }).check();
    await page.waitForTimeout(3200);
    await page.getByRole('button', { name: 'Send request', exact: true }).click();
    await page.waitForURL(/\/self-referral\/sent/);
    await page.getByRole('heading', { name: 'Request sent' }).waitFor();
    assertNoLoadProblems(page);
  } finally {
    await context.close();
  }
});
