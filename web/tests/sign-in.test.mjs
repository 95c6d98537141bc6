// The sign-in journey: a wrong password is explained, the right one lands on the home
// page with the person named in the header, and logging out ends the session.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_USERS, ERROR_TITLE, TITLE, assertHeading, assertNoLoadProblems, checkA11y,
  launchBrowser, logOut, openContext, signIn, startServer,
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

test('sign in, see who I am, log out', async () => {
  const { context, page } = await openContext(browser, server);
  const gp = DEMO_USERS.referrer;
  try {
    await signIn(page, gp.email, 'Wrong-password-2026');
    assert.equal(new URL(page.url()).pathname, '/login', 'a wrong password stays on /login');
    assert.match(await page.title(), ERROR_TITLE);
    const summary = page.locator('.nhsuk-error-summary');
    await summary.waitFor();
    const link = summary.getByRole('link', { name: 'Enter a correct email address and password' });
    const href = await link.getAttribute('href');
    assert.match(href ?? '', /^#[\w-]+$/, 'the error summary links to a field on the page');
    const ids = [
      await page.getByLabel('Email address', { exact: true }).getAttribute('id'),
      await page.getByLabel('Password', { exact: true }).getAttribute('id'),
    ];
    assert.ok(ids.includes(href.slice(1)), `the error links to ${href}, not to the email or password field (${ids})`);
    // The NHS error summary moves focus to the field its link names.
    await link.click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), href.slice(1));
    assertNoLoadProblems(page);
    await checkA11y(page);

    await signIn(page, gp.email);
    assert.equal(new URL(page.url()).pathname, '/', 'the right password lands on the home page');
    assert.match(await page.title(), TITLE);
    await assertHeading(page);
    const header = page.getByRole('banner');
    await header.getByText(gp.name).first().waitFor();
    await header.getByText(gp.role).first().waitFor();
    await header.getByRole('button', { name: 'Log out', exact: true }).waitFor();
    assertNoLoadProblems(page);

    await logOut(page);
    assert.equal(new URL(page.url()).pathname, '/login', 'logging out returns to /login');
    assertNoLoadProblems(page);
    await checkA11y(page);
    await page.goto('/');
    assert.equal(new URL(page.url()).pathname, '/login', 'after logging out the home page needs signing in again');
  } finally {
    await context.close();
  }
});
