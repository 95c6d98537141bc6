// A service lead imports directory listings from the web and follows the import's progress,
// with and without JavaScript (axe runs only where scripts do, as it is a script), and looks for gaps in community provision; a commissioner sees
// the gaps report too. Every page and every error state must pass axe.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEMO_USERS, ERROR_TITLE, checkPage, launchBrowser, openContext, signIn, startServer, submit, visit,
} from './harness.mjs';

const examples = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'internal', 'directory', 'testdata', 'oruk-3.0');

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

/** Signs in as the demo user in a new browser context, with or without scripts. */
async function as(email, options = {}) {
  const session = await openContext(browser, server, options);
  await signIn(session.page, email);
  return session;
}

test('a service lead uploads files, sees the problems on the form, and follows the import', async () => {
  const { context, page } = await as(DEMO_USERS.serviceLead.email);
  try {
    const h1 = await visit(page, '/directory/imports');
    assert.equal(h1, 'Directory imports');
    await visit(page, '/directory/imports/new');

    // Files without a source name: the error summary links to the field, on an accessible page.
    const good = await readFile(join(examples, 'service_full.json'));
    const bad = Buffer.from('{"id": "not-a-uuid", "name": "Broken club", "status": "active"}');
    const files = [
      { name: 'good.json', mimeType: 'application/json', buffer: good },
      { name: 'bad.json', mimeType: 'application/json', buffer: bad },
    ];
    await page.setInputFiles('#files', files);
    await checkPage(page, await submit(page, 'Start the import'), { status: 400, title: ERROR_TITLE });
    await page.locator('.nhsuk-error-summary a[href="#source"]').waitFor();

    // The files must be chosen again, as browsers never keep them; the source is kept.
    await page.getByLabel('Name of the source').fill('Northshire council files');
    await page.setInputFiles('#files', files);
    await checkPage(page, await submit(page, 'Start the import'));
    const progress = new URL(page.url()).pathname;
    assert.match(progress, /^\/directory\/imports\/\d+$/);
    await page.locator('#import-status', { hasText: 'Finished: 2 of 2 records done.' }).waitFor();
    await visit(page, progress);
    const rejected = page.getByRole('table', { name: /Records rejected/ });
    assert.match(await rejected.innerText(), /not-a-uuid[\s\S]*UUID/);

    await visit(page, '/directory/imports');
    assert.match(await page.getByRole('table').innerText(), /Northshire council files[\s\S]*Finished[\s\S]*2 of 2 records/);
  } finally {
    await context.close();
  }
});

/**
 * Serves an ORUK feed of n services that answers each full record after a delay, so that an
 * import of it runs for a few seconds. Returns the feed's address and a way to stop it.
 */
async function slowFeed(n, delayMs) {
  const id = (i) => `5a0e0000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  const srv = createServer((req, res) => {
    const url = new URL(req.url, 'http://feed');
    res.setHeader('Content-Type', 'application/json');
    const one = url.pathname.match(/^\/oruk\/services\/(.+)$/);
    if (one) {
      setTimeout(() => res.end(JSON.stringify({ id: one[1], name: `Slow club ${one[1].slice(-2)}`, status: 'active' })), delayMs);
      return;
    }
    const contents = Array.from({ length: n }, (_, i) => ({ id: id(i + 1), name: 'listed' }));
    res.end(JSON.stringify({ total_items: n, total_pages: 1, page_number: 1, size: n, first_page: true, last_page: true, empty: false, contents }));
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${srv.address().port}/oruk`, stop: () => new Promise((resolve) => srv.close(resolve)) };
}

/** Starts an import of a live feed from the import form and returns its progress page's path. */
async function importFeed(page, feedURL) {
  await page.goto('/directory/imports/new');
  await page.getByLabel('Address of an ORUK feed').fill(feedURL);
  await submit(page, 'Start the import');
  const path = new URL(page.url()).pathname;
  assert.match(path, /^\/directory\/imports\/\d+$/);
  return path;
}

test('without JavaScript, the Refresh link follows a running import to the end', async () => {
  const feed = await slowFeed(8, 1500);
  const { context, page } = await as(DEMO_USERS.serviceLead.email, { javaScriptEnabled: false });
  try {
    const path = await importFeed(page, feed.url);
    assert.match(await page.locator('#import-status').innerText(), /^Running: /);
    const refresh = page.getByRole('link', { name: 'Refresh the progress of this import' });
    for (let i = 0; i < 60 && await refresh.count() > 0; i++) {
      await page.waitForTimeout(500);
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), refresh.click()]);
      assert.equal(new URL(page.url()).pathname, path);
    }
    assert.equal(await page.locator('#import-status').innerText(), 'Finished: 8 of 8 records done.');
  } finally {
    await context.close();
    await feed.stop();
  }
});

test('with JavaScript, a running import\'s progress updates in place', async () => {
  const feed = await slowFeed(12, 2000);
  const { context, page } = await as(DEMO_USERS.serviceLead.email);
  try {
    const path = await importFeed(page, feed.url);
    await checkPage(page, await page.reload());
    assert.match(await page.locator('#import-status').innerText(), /^Running: /);
    let navigated = false;
    page.on('framenavigated', () => { navigated = true; });
    await page.locator('#import-status', { hasText: 'Finished: 12 of 12 records done.' }).waitFor({ timeout: 60_000 });
    assert.equal(navigated, false, 'the page reloaded itself instead of updating in place');
    assert.equal(new URL(page.url()).pathname, path);
    assert.equal(await page.getByRole('link', { name: 'Refresh the progress of this import' }).count(), 0);
    await visit(page, path);
  } finally {
    await context.close();
    await feed.stop();
  }
});

test('an empty import form and a bad feed address are errors the lead can put right', async () => {
  const { context, page } = await as(DEMO_USERS.serviceLead.email);
  try {
    await visit(page, '/directory/imports/new');
    await checkPage(page, await submit(page, 'Start the import'), { status: 400, title: ERROR_TITLE });
    await page.locator('.nhsuk-error-summary a[href="#files"]').waitFor();
    await page.getByLabel('Address of an ORUK feed').fill('ftp://example.org/oruk');
    await checkPage(page, await submit(page, 'Start the import'), { status: 400, title: ERROR_TITLE });
    await page.locator('.nhsuk-error-summary a[href="#feed"]').waitFor();
    assert.equal(await page.getByLabel('Address of an ORUK feed').inputValue(), 'ftp://example.org/oruk');
  } finally {
    await context.close();
  }
});

test('a service lead looks for gaps in provision by postcode district and by neighbourhood', async () => {
  const { context, page } = await as(DEMO_USERS.serviceLead.email);
  try {
    await page.goto('/');
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Gaps in provision' }).click()]);
    await visit(page, new URL(page.url()).pathname);
    assert.match(await page.locator('main .nhsuk-body-l').first().innerText(), /referrals? (was|were) made/);
    await page.getByLabel('Neighbourhood (LSOA)').check();
    await checkPage(page, await submit(page, 'Show the gaps'));
    assert.match(page.url(), /level=lsoa/);
    const download = page.getByRole('link', { name: /Download the whole report/ });
    if (await download.count() > 0) {
      assert.match(await download.getAttribute('href'), /^\/directory\/gaps\.csv\?/);
    }

    await page.getByRole('group', { name: 'Up to' }).getByLabel('Year').fill('2001');
    await checkPage(page, await submit(page, 'Show the gaps'), { status: 400, title: ERROR_TITLE });
    await page.locator('.nhsuk-error-summary a[href="#to"]').waitFor();
  } finally {
    await context.close();
  }
});

test('a commissioner sees the gaps report, and not the imports', async () => {
  const { context, page } = await as(DEMO_USERS.commissioner.email);
  try {
    await visit(page, '/directory/gaps');
    assert.match(await page.locator('main').innerText(), /Referrals to every service/);
    await visit(page, '/directory/imports', { status: 403 });
  } finally {
    await context.close();
  }
});
