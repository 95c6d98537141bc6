// An administrator registers a GP practice's clinical system as an API client, copies its
// secret from the one page that shows it, and the system gets a token with it; the form's
// errors are explained; disabling the client stops its tokens. Every page passes axe.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_USERS, ERROR_TITLE, TITLE, checkPage, launchBrowser, openContext, signIn, startServer, submit, visit,
} from './harness.mjs';

let server;
let browser;
let admin;

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

// A name no demo record has, so the assertions can only pass on what this test made.
const clientName = `Riverside Medical Centre clinical system ${Date.now().toString(36)}`;

async function token(id, secret) {
  return fetch(`${server.baseURL}/oauth/token`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials&scope=task.read',
  });
}

test('an administrator registers an API client and its secret gets a token', async () => {
  const { page } = admin;
  await visit(page, '/admin/api-clients');
  await page.getByRole('main').getByRole('link', { name: 'Register an API client' }).waitFor();
  await visit(page, '/admin/api-clients/new');

  // Sent empty, the form explains every problem, with links to the fields.
  let res = await submit(page, 'Register client');
  await checkPage(page, res, { status: 400, title: ERROR_TITLE });
  const summary = page.locator('.nhsuk-error-summary');
  for (const message of ["Enter the client's name", 'Select the organisation the client acts for', 'Select at least one scope']) {
    await summary.getByRole('link', { name: message }).waitFor();
  }

  await page.getByLabel('Name', { exact: true }).fill(clientName);
  await page.getByLabel('Organisation it acts for', { exact: true }).selectOption({ label: 'Riverside Medical Centre' });
  await page.getByLabel(/Send referrals/).check();
  await page.getByLabel(/Follow referrals' progress/).check();
  res = await submit(page, 'Register client');
  await checkPage(page, res);
  assert.match(await page.title(), TITLE);
  const id = (await page.locator('#client-id').innerText()).trim();
  const secret = (await page.locator('#client-secret').innerText()).trim();
  assert.match(id, /^lw-[0-9a-f]{20}$/);
  assert.ok(secret.length >= 40, 'the secret is long');

  const granted = await token(id, secret);
  assert.equal(granted.status, 200);
  assert.equal((await granted.json()).scope, 'task.read');

  // The list shows the client, never the secret; disabling it stops its tokens.
  await visit(page, '/admin/api-clients');
  const row = page.getByRole('row').filter({ hasText: clientName });
  await row.waitFor();
  assert.ok(!(await page.content()).includes(secret), 'the list shows the secret');
  res = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    row.getByRole('button', { name: `Disable ${clientName}` }).click(),
  ]).then(([r]) => r);
  await checkPage(page, res);
  await page.getByText('Client disabled: its tokens no longer work').waitFor();
  assert.equal((await token(id, secret)).status, 401);
});

test('a service lead cannot reach the API client pages', async () => {
  const { context, page } = await openContext(browser, server);
  try {
    await signIn(page, DEMO_USERS.serviceLead.email);
    await visit(page, '/admin/api-clients', { status: 403 });
  } finally {
    await context.close();
  }
});
