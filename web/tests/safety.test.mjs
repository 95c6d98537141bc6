// Safety on the demo data: an OT raises a safeguarding concern from a case in two clicks and
// sees who was told and the local procedure; the safeguarding lead finds it in their queue and
// notifications. Every page and every error state must pass axe.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_USERS, ERROR_TITLE, assertNoLoadProblems, checkA11y, launchBrowser, openContext,
  pathOf, saveEvidence, signIn, startServer, visit,
} from './harness.mjs';

let server;
let browser;
let ot;
let casePath;
let personName;

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

// checked runs assertions about the page, saving evidence if they fail.
async function checked(page, assertions) {
  try {
    await assertions();
  } catch (err) {
    await saveEvidence(page);
    throw err;
  }
}

test('an OT raises a safeguarding concern from a case in two clicks', async () => {
  const { page } = ot;
  await visit(page, '/caseload');
  const first = page.locator('main tbody tr').first().getByRole('link');
  personName = (await first.innerText()).trim();
  await follow(page, () => first.click());
  casePath = pathOf(page);
  assert.match(casePath, /^\/cases\/\d+$/);
  await page.getByRole('heading', { name: 'Safety and actions' }).waitFor();

  // Click one: the form, with the local procedure at the top.
  await follow(page, () => page.getByRole('link', { name: 'Raise a safeguarding concern' }).click());
  assert.equal(pathOf(page), `${casePath}/safeguarding/new`);
  await checked(page, async () => {
    await page.getByRole('heading', { name: 'Who to tell and how' }).waitFor();
    assertNoLoadProblems(page);
    await checkA11y(page);
  });

  // Sent empty, every question is explained.
  await follow(page, () => page.getByRole('button', { name: 'Raise safeguarding concern' }).click());
  await checked(page, async () => {
    assert.match(await page.title(), ERROR_TITLE);
    const summary = page.locator('.nhsuk-error-summary');
    for (const message of ['Select whether the concern is about an adult or a child', 'Select the type of concern']) {
      await summary.getByText(message, { exact: true }).waitFor();
    }
    const hrefs = await summary.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    for (const href of hrefs) {
      assert.equal(await page.locator(href).count(), 1, `error summary links to ${href}, which is not on the page`);
    }
    await checkA11y(page);
  });

  // Click two: the concern is raised, and the page says who was told.
  await page.getByLabel('An adult', { exact: true }).check();
  await page.getByLabel('Financial or material abuse', { exact: true }).check();
  await page.getByLabel('What has happened, and what have you done to keep them safe?').fill(
    'Her nephew collects her pension and she has no money for food. I stayed until her daughter arrived.');
  await page.getByLabel('Who have you told so far? (optional)').fill('Her daughter');
  await follow(page, () => page.getByRole('button', { name: 'Raise safeguarding concern' }).click());
  await checked(page, async () => {
    assert.match(pathOf(page), /^\/safeguarding\/concerns\/\d+\?saved=raised/);
    await page.getByText('Safeguarding concern raised').waitFor();
    const told = page.locator('#notified');
    await told.getByText(DEMO_USERS.safeguardingLead.name).waitFor();
    await told.getByText(DEMO_USERS.supervisor.name).waitFor();
    await page.getByRole('heading', { name: 'Who to tell and how' }).waitFor();
    assert.equal(await page.locator('h1').count(), 1);
    assertNoLoadProblems(page);
    await checkA11y(page);
  });
});

test('the OT\'s other safety pages for the case pass axe', async () => {
  const { page } = ot;
  assert.ok(casePath, 'the first test opened a case');
  for (const path of [`${casePath}/tasks`, `${casePath}/step-down`, `${casePath}/close`, '/clinical-input', '/oversight',
    '/handovers', '/notifications']) {
    await visit(page, path);
  }
  await visit(page, `${casePath}/tasks`);
  await follow(page, () => page.getByRole('button', { name: 'Delegate task' }).click());
  await checked(page, async () => {
    assert.match(await page.title(), ERROR_TITLE);
    await page.locator('.nhsuk-error-summary').getByText('Select the type of task', { exact: true }).waitFor();
    await checkA11y(page);
  });
});

test('the safeguarding lead finds the concern in their queue and notifications', async () => {
  const { context, page } = await openContext(browser, server);
  try {
    await signIn(page, DEMO_USERS.safeguardingLead.email);
    assert.equal(await visit(page, '/safeguarding'), 'Safeguarding concerns');
    const row = page.locator('main tbody tr').filter({ hasText: personName });
    assert.ok(await row.count() > 0, `the queue lists the concern about ${personName}`);

    await page.getByRole('link', { name: /^Notifications \(\d+ unread\)$/ }).waitFor();
    assert.equal(await visit(page, '/notifications'), 'Notifications');
    const link = page.getByRole('link', { name: 'A safeguarding concern has been raised' }).first();
    await follow(page, () => link.click());
    await checked(page, async () => {
      assert.match(pathOf(page), /^\/safeguarding\/concerns\/\d+$/);
      await page.getByText('Financial or material abuse').first().waitFor();
      await page.getByRole('heading', { name: 'Record what happened next' }).waitFor();
      await checkA11y(page);
    });
  } finally {
    await context.close();
  }
});
