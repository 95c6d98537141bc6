// Wellbeing measures and the dashboards, on the demo data: a link worker records a baseline,
// the person completes the follow-up alone through a single-use link, the service lead sees
// the change on the dashboard and downloads the CSV, and the commissioner sees totals only.
// Every page and error state passes axe.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  DEMO_USERS, ERROR_TITLE, checkA11y, checkPage, firstRecordPath, launchBrowser, openContext, pathOf, signIn,
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

// signedIn opens a context signed in as a demo user, runs fn, and closes it.
async function signedIn(user, fn) {
  const { context, page } = await openContext(browser, server);
  try {
    await signIn(page, user.email);
    await fn(page, context);
  } finally {
    await context.close();
  }
}

// caseWithBaselineDue finds, on the user's caseload, a case whose baseline is due.
async function caseWithBaselineDue(page) {
  for (let n = 1; n <= 10; n++) {
    const res = await page.goto(`/caseload?page=${n}`);
    if (res.status() !== 200) break;
    const row = page.locator('main tbody tr').filter({ hasText: /Baseline (due|overdue)/ }).first();
    if (await row.count()) return row.getByRole('link').first().getAttribute('href');
  }
  return null;
}

test('a link worker records a baseline, the person answers the follow-up alone, the lead sees the change', async () => {
  let casePath;
  let link;
  await signedIn(DEMO_USERS.linkWorker, async (page) => {
    casePath = await caseWithBaselineDue(page);
    assert.ok(casePath, 'the demo link worker has a case whose baseline is due');
    await visit(page, `${casePath}/outcomes`);
    await page.getByText('No measures are recorded for this case yet.').waitFor();

    await page.getByRole('radio', { name: 'ONS4 personal wellbeing' }).first().check();
    await page.getByRole('radio', { name: 'Baseline' }).first().check();
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Start the measure' }).click()]);
    assert.match(pathOf(page), /\/outcomes\/record\?instrument=ons4&timepoint=baseline$/);
    await checkA11y(page);

    // Nothing answered: the error summary links to each question.
    let res = await submit(page, 'Save answers');
    await checkPage(page, res, { status: 400, title: ERROR_TITLE });
    await page.locator('.nhsuk-error-summary').getByText(/^Select an answer for/).first().waitFor();

    const answers = { satisfied: '3', worthwhile: '4', happy: '4', anxious: '8' };
    for (const [item, value] of Object.entries(answers)) {
      await page.locator(`input[name="${item}"][value="${value}"]`).check();
    }
    res = await submit(page, 'Save answers');
    await checkPage(page, res);
    await page.getByText('Wellbeing measure saved').waitFor();
    await page.locator('svg.app-chart title', { hasText: 'ONS4 personal wellbeing over time' }).waitFor({ state: 'attached' });

    // With a baseline and no follow-up, closing asks why.
    await visit(page, `${casePath}/close`);
    await page.getByText('Why is there no follow-up measure?').waitFor();

    await visit(page, `${casePath}/outcomes`);
    await page.getByRole('radio', { name: 'ONS4 personal wellbeing' }).last().check();
    await page.getByRole('radio', { name: 'Follow-up' }).last().check();
    res = await submit(page, 'Make a single-use link');
    await checkPage(page, res);
    link = new URL(await page.locator('#measure-link').getAttribute('href')).pathname;
    assert.match(link, /^\/measure\/[A-Za-z0-9_-]{40,}$/);
  });

  const { context, page } = await openContext(browser, server);
  try {
    assert.equal(await visit(page, link), 'How you are feeling');
    assert.equal(await page.locator('.nhsuk-header__navigation').count(), 0, 'no navigation on the person\'s page');
    let res = await submit(page, 'Save answers');
    await checkPage(page, res, { status: 400, title: ERROR_TITLE });
    for (const [item, value] of Object.entries({ satisfied: '6', worthwhile: '6', happy: '7', anxious: '4' })) {
      await page.locator(`input[name="${item}"][value="${value}"]`).check();
    }
    res = await submit(page, 'Save answers');
    await checkPage(page, res);
    assert.equal(pathOf(page), '/measure-done');
    await visit(page, link, { status: 404 });
  } finally {
    await context.close();
  }

  await signedIn(DEMO_USERS.linkWorker, async (page) => {
    await visit(page, `${casePath}/outcomes`);
    const table = page.locator('table').first();
    await table.getByRole('row', { name: /Life satisfaction/ }).getByText('+3, better').waitFor();
    await table.getByRole('row', { name: /Anxiety/ }).getByText('-4, better').waitFor();
  });
});

test('the service lead sees the dashboard, its filters, and downloads an audited CSV', async () => {
  await signedIn(DEMO_USERS.serviceLead, async (page) => {
    assert.match(await visit(page, '/reports/service'), /Service dashboard$/);
    await page.locator('#headline li').first().waitFor();
    await page.getByRole('heading', { name: 'Change in ONS4 personal wellbeing' }).waitFor();
    await page.getByText(/not randomised/).first().waitFor();
    assert.ok(await page.locator('#outcomes-table tbody tr').count() >= 4);

    await visit(page, '/reports/service?pathway=joint&source=&team=&practice=');
    await visit(page, '/reports/service?from-day=31&from-month=2&from-year=2026', { status: 400, title: ERROR_TITLE });

    await visit(page, '/reports/service');
    await page.getByLabel('Which tables').selectOption('sources');
    await page.getByRole('radio', { name: 'CSV (comma-separated values)' }).check();
    let res = await submit(page, 'Download');
    await checkPage(page, res, { status: 400, title: ERROR_TITLE });
    await page.getByLabel('Which tables').selectOption('sources');
    await page.getByLabel('Why you need this download').fill('Quarterly report to the PCN board');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('main').getByRole('button', { name: 'Download', exact: true }).click(),
    ]);
    const csv = await readFile(await download.path(), 'utf8');
    assert.match(csv, /^Source,Referrals\r?\n/);
    assert.match(csv, /Total,\d+/);

    await visit(page, '/services');
    await visit(page, await firstRecordPath(page, '/services/'));
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Choose the wellbeing measures this service uses' }).click()]);
    assert.match(await visit(page, pathOf(page)), /Wellbeing measures$/);
    await page.getByRole('radio', { name: 'Yes' }).nth(2).check();
    const [res2] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: /^Save Short Warwick/ }).click()]);
    await checkPage(page, res2, { status: 400, title: ERROR_TITLE });
    await page.locator('.nhsuk-error-summary').getByText(/Enter the licence your service holds/).waitFor();
  });
});

test('the commissioner sees totals only, with small numbers suppressed', async () => {
  await signedIn(DEMO_USERS.commissioner, async (page) => {
    assert.match(await visit(page, '/reports/commissioner'), /Commissioner dashboard$/);
    await page.getByText(/Counts from 1 to 4 are shown as/).waitFor();
    const cells = await page.locator('main td').allInnerTexts();
    assert.ok(!cells.some((c) => /^[1-4]$/.test(c.trim())), 'no count from 1 to 4 is shown');
    await visit(page, '/reports/service', { status: 403 });
    await visit(page, '/caseload', { status: 403 });
  });
});

test('the service lead sees equality, unmet needs, caseloads and the share of each list, and enters a list size', async () => {
  await signedIn(DEMO_USERS.serviceLead, async (page) => {
    await visit(page, '/reports/service');
    for (const name of ['Referrals, declines and completions by age band', 'Referrals, declines and completions by deprivation quintile',
      'Unmet needs by area', 'Barriers to taking part by area', 'Caseload per worker', "Share of each practice's registered list referred"]) {
      await page.getByRole('heading', { name }).waitFor();
    }
    // Each chart has a title and a description, and hatches as well as colours its bars.
    const chart = page.locator('section[aria-labelledby="equality-sex-heading"] svg');
    assert.match(await chart.locator('title').textContent(), /completed support, by sex/);
    assert.match(await chart.locator('desc').textContent(), /Female: \d+%/);
    assert.ok(await chart.locator('pattern').count() > 1);
    const y90001 = page.locator('#practices-table').getByRole('row', { name: /Y90001/ });
    assert.match(await y90001.innerText(), /8,240/);

    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Enter practice list sizes' }).click()]);
    assert.match(await visit(page, pathOf(page)), /Practice list sizes$/);
    await page.getByLabel('Practice ODS code').fill('Y9001');
    await page.getByLabel('Number of people registered').fill('many');
    let res = await submit(page, 'Save list size');
    await checkPage(page, res, { status: 400, title: ERROR_TITLE });
    await page.locator('.nhsuk-error-summary').getByText(/a letter and 5 numbers/).waitFor();
    assert.equal(await page.getByLabel('Number of people registered').inputValue(), 'many');
    await page.getByLabel('Practice ODS code').fill('Y90002');
    await page.getByLabel('Number of people registered').fill('6,000');
    res = await submit(page, 'Save list size');
    await checkPage(page, res);
    await page.locator('#practice-lists').getByRole('row', { name: /Y90002 6000/ }).waitFor();
  });
  await signedIn(DEMO_USERS.commissioner, async (page) => {
    await visit(page, '/reports/commissioner');
    await page.getByRole('heading', { name: 'Unmet needs by area' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Enter practice list sizes' }).count(), 0);
    await visit(page, '/reports/practices', { status: 403 });
  });
});
