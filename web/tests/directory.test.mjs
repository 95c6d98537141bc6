// The practitioners' directory search on the demo data: a link worker opens the search from a
// person's case, searches near their postcode, and adds two services to the case as
// connections. Every page and the error state must pass axe.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_USERS, ERROR_TITLE, checkPage, firstRecordPath, launchBrowser, openContext, signIn,
  startServer, submit, visit,
} from './harness.mjs';

let server;
let browser;
let worker;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  worker = await openContext(browser, server);
  await signIn(worker.page, DEMO_USERS.linkWorker.email);
});

after(async () => {
  await worker?.context.close();
  await browser?.close();
  await server?.stop();
});

test('a link worker searches near a person\'s postcode and adds two services to their case', async () => {
  const { page } = worker;
  await visit(page, '/caseload');
  const casePath = await firstRecordPath(page, '/cases/');
  await visit(page, `${casePath}/directory`);
  const postcode = page.getByLabel('Near postcode');
  if ((await postcode.inputValue()) === '') await postcode.fill('AB10 1AN');
  await page.getByLabel('Distance').selectOption('5');
  await checkPage(page, await submit(page, 'Search'));
  assert.match(await page.locator('#results-heading').innerText(), /services, nearest to AB\d+/);

  const boxes = page.locator('main input[name="service"]');
  const names = [];
  for (const i of [0, 1]) {
    const label = await page.locator(`label[for="service-${i}"]`).innerText();
    names.push(label.replace(/^Select /, ''));
    await boxes.nth(i).check();
  }
  await checkPage(page, await submit(page, 'Add selected to connections'));
  assert.match(page.url(), /\/connections\?saved=connection$/);
  for (const name of names) {
    await page.getByRole('heading', { name: new RegExp(name) }).first().waitFor();
  }
});

test('an unknown postcode is an error the worker can put right, and a service has its own page', async () => {
  const { page } = worker;
  await visit(page, '/directory?postcode=ZZ99+9ZZ', { status: 400, title: ERROR_TITLE });
  await page.locator('.nhsuk-error-summary a[href="#postcode"]').waitFor();
  await visit(page, '/directory?q=walking');
  const service = await firstRecordPath(page, '/directory/services/');
  await visit(page, service);
});
