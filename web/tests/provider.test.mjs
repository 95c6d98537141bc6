// The community provider's side on the demo data: Grace Mensah of the walking group signs in,
// edits one of her listings (which the open ORUK feed shows at once), confirms it is still
// correct, accepts a referral and confirms a first session; a group with no account answers a
// referral through the single-use link the server emailed, which then cannot be used again.
// The service lead's freshness queue, the administrator's listings page and emailing a
// signposting list are visited too. Every page and error state must pass axe.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEMO_USERS, ERROR_TITLE, checkPage, firstRecordPath, launchBrowser, openContext, signIn,
  startServer, submit, visit,
} from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ mail: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Signs in as a demo user in a fresh context and returns its page. */
async function signedIn(email) {
  const ctx = await openContext(browser, server);
  await signIn(ctx.page, email);
  return ctx;
}

/** Clicks a control in the main content and returns the response of the page it leads to. */
async function press(page, locator) {
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
  return res;
}

/** The single-use links the server has emailed, oldest first. */
async function mailedLinks() {
  const files = (await readdir(server.mailDir)).filter((f) => f.includes('provider-link')).sort();
  const links = [];
  for (const f of files) {
    const text = await readFile(join(server.mailDir, f), 'utf8');
    const m = text.match(/\/provider-link\/([A-Za-z0-9_-]{43})/);
    if (m) links.push(`/provider-link/${m[1]}`);
  }
  return links;
}

test('a provider edits a listing, the open feed shows it, and it is checked', async () => {
  const { context, page } = await signedIn(DEMO_USERS.communityProvider.email);
  try {
    await visit(page, '/provider');
    const edit = await page.locator('main a[href$="/edit"]').first().getAttribute('href');
    const serviceID = edit.split('/')[3];
    await visit(page, edit);

    await page.getByLabel('Email address', { exact: true }).fill('not an email');
    await checkPage(page, await submit(page, 'Save changes'), { status: 400, title: ERROR_TITLE });
    await page.locator('.nhsuk-error-summary a[href="#email"]').waitFor();

    await page.getByLabel('Email address', { exact: true }).fill('walks@example.org');
    await page.getByLabel('Waiting list', { exact: true }).check();
    await page.getByLabel('Typical wait in weeks, if there is a waiting list').fill('3');
    await checkPage(page, await submit(page, 'Save changes'));
    await page.getByText('Listing saved').waitFor();

    const feed = await (await fetch(`${server.baseURL}/oruk/services/${serviceID}`)).json();
    assert.equal(feed.x_linkwell_capacity, 'waiting_list');
    assert.equal(feed.x_linkwell_typical_wait_days, 21);
    assert.equal(feed.email, 'walks@example.org');

    await checkPage(page, await submit(page, 'Yes, these details are still correct'));
    await page.getByText('Listing marked as checked today').waitFor();
  } finally {
    await context.close();
  }
});

test('a provider accepts a referral and confirms a first session', async () => {
  const { context, page } = await signedIn(DEMO_USERS.communityProvider.email);
  try {
    await visit(page, '/provider/connections');
    const main = page.getByRole('main');
    await checkPage(page, await press(page, main.getByRole('button', { name: /^Decline / }).first()),
      { status: 400, title: ERROR_TITLE });
    await page.locator('.nhsuk-error-summary').getByText('Enter why you cannot take them').waitFor();

    await checkPage(page, await press(page, main.getByRole('button', { name: /^Accept / }).first()));
    await page.getByText('Connection accepted').waitFor();
    await checkPage(page, await press(page, main.getByRole('button', { name: /came to their first session$/ }).first()));
    await page.getByText('First session confirmed').waitFor();
  } finally {
    await context.close();
  }
});

test('a single-use link shows one referral, answers it once, then says it is spent', async () => {
  const links = await mailedLinks();
  assert.ok(links.length >= 1, `no link was emailed (mail in ${server.mailDir})`);
  const { context, page } = await openContext(browser, server);
  try {
    const h1 = await visit(page, links[0]);
    assert.match(h1, /A referral to your service/);
    assert.equal(await page.locator('main .nhsuk-card').count(), 1, 'the link page shows one connection only');
    assert.equal(await page.getByRole('navigation', { name: 'Menu' }).count(), 0, 'the link page has no menu');

    const main = page.getByRole('main');
    await checkPage(page, await press(page, main.getByRole('button', { name: /^Decline / })), { status: 400, title: ERROR_TITLE });
    await checkPage(page, await press(page, main.getByRole('button', { name: /^Accept / })));
    await page.getByText('You have accepted the referral').waitFor();

    await visit(page, links[0], { status: 410 });
    await page.getByText('already been used').waitFor();
    await visit(page, `/provider-link/${'x'.repeat(43)}`, { status: 404 });
  } finally {
    await context.close();
  }
});

test('the service lead resolves a report and marks a listing checked from the queue', async () => {
  const worker = await signedIn(DEMO_USERS.linkWorker.email);
  try {
    await visit(worker.page, '/directory?q=walking');
    await visit(worker.page, await firstRecordPath(worker.page, '/directory/services/'));
    await worker.page.getByLabel('What is wrong').fill('It has moved to the library');
    await checkPage(worker.page, await submit(worker.page, 'Report it'));
  } finally {
    await worker.context.close();
  }
  const { context, page } = await signedIn(DEMO_USERS.serviceLead.email);
  try {
    await visit(page, '/directory/freshness');
    const main = page.getByRole('main');
    await checkPage(page, await press(page, main.getByRole('button', { name: /^Fixed\b.*It has moved to the library/ })));
    await page.getByText('Report resolved').waitFor();
    await checkPage(page, await press(page, main.getByRole('button', { name: /^Mark as checked/ }).first()));
    await page.getByText('Listing marked as checked today').waitFor();
  } finally {
    await context.close();
  }
});

test('an administrator sees which listings an organisation keeps', async () => {
  const { context, page } = await signedIn(DEMO_USERS.administrator.email);
  try {
    await visit(page, '/admin/organisations');
    await press(page, page.getByRole('main').getByRole('link', { name: 'Northshire Walking for Health' }));
    const listings = await page.getByRole('link', { name: /Directory listings .* keeps/ }).getAttribute('href');
    await visit(page, `${listings}?q=arts`);
    await page.getByRole('button', { name: /^Link / }).first().waitFor();
  } finally {
    await context.close();
  }
});

test('a link worker emails a signposting list', async () => {
  const { context, page } = await signedIn(DEMO_USERS.linkWorker.email);
  try {
    await visit(page, '/caseload');
    const casePath = await firstRecordPath(page, '/cases/');
    await visit(page, `${casePath}/directory?q=walking`);
    await page.locator('main input[name="service"]').first().check();
    await checkPage(page, await submit(page, 'Make a signposting list to print'));
    await checkPage(page, await press(page, page.getByRole('main').getByRole('link', { name: /^Email this list/ })));
    await checkPage(page, await submit(page, 'Send the list'), { status: 400, title: ERROR_TITLE });
    await page.getByLabel('An email address they give you').check();
    await page.getByLabel('Email address they gave you').fill('someone@example.com');
    await checkPage(page, await submit(page, 'Send the list'));
    await page.getByText('The list has been emailed').waitFor();
  } finally {
    await context.close();
  }
});
