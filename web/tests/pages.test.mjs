// Every page, as every role that reaches it: one <h1>, the title pattern, assets that
// load under the Content-Security-Policy, and zero axe violations (WCAG 2.2 AA tags).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_USERS, ERROR_TITLE, checkA11y, firstRecordPath, launchBrowser, openContext,
  pathOf, signIn, startServer, visit,
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

describe('signed out', () => {
  let context;
  let page;
  before(async () => ({ context, page } = await openContext(browser, server)));
  after(() => context.close());

  test('the login page', async () => {
    await visit(page, '/login');
    await page.getByLabel('Email address', { exact: true }).waitFor();
    await page.getByLabel('Password', { exact: true }).waitFor();
  });

  test('the login form with an error', async () => {
    await signIn(page, DEMO_USERS.referrer.email, 'not-the-password');
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.match(await page.title(), ERROR_TITLE);
    await page.locator('.nhsuk-error-summary').waitFor();
    await checkA11y(page);
  });

  for (const path of ['/accessibility', '/privacy']) {
    test(path, async () => {
      await visit(page, path);
    });
  }

  test('the home page sends a signed-out visitor to sign in', async () => {
    await page.goto('/');
    assert.equal(new URL(page.url()).pathname, '/login');
  });
});

const everyone = ['/', '/account', '/account/mfa'];
const adminLists = ['/admin/users', '/admin/organisations', '/admin/agreements'];

for (const [key, user] of Object.entries(DEMO_USERS)) {
  describe(`as ${user.role} (${user.email})`, () => {
    let context;
    let page;
    before(async () => {
      ({ context, page } = await openContext(browser, server));
      await signIn(page, user.email);
      assert.equal(pathOf(page), '/', `${user.email} should land on the home page after signing in`);
    });
    after(() => context.close());

    for (const path of everyone) {
      test(path, async () => {
        await visit(page, path);
        const header = page.getByRole('banner');
        await header.getByText(user.name).first().waitFor();
        await header.getByText(user.role).first().waitFor();
        if (path === '/account') await page.locator('main a[href="/account/mfa"]').first().waitFor();
      });
    }

    test('a page that does not exist (404)', async () => {
      await visit(page, '/no-such-page', { status: 404 });
    });

    if (key === 'administrator' || key === 'serviceLead') {
      for (const list of adminLists) {
        test(list, async () => {
          await visit(page, list);
        });
        // Only administrators add organisations (internal/access); a service lead is refused.
        const refused = key === 'serviceLead' && list === '/admin/organisations';
        test(`${list}/new${refused ? ' is refused (403)' : ''}`, async () => {
          await visit(page, `${list}/new`, { status: refused ? 403 : 200 });
          if (!refused) await page.getByRole('main').locator('form:visible').first().waitFor();
        });
        test(`${list}/{id}`, async () => {
          await page.goto(list);
          await visit(page, await firstRecordPath(page, `${list}/`));
        });
      }
    } else {
      test('/admin/users is refused (403)', async () => {
        await visit(page, '/admin/users', { status: 403 });
      });
    }

    if (key === 'administrator') {
      test('/admin/audit, filtered', async () => {
        await visit(page, '/admin/audit');
        await page.getByText('Filter the audit log', { exact: true }).click();
        await page.getByLabel('Record type', { exact: true }).fill('user');
        await Promise.all([
          page.waitForNavigation({ waitUntil: 'load' }),
          page.getByRole('button', { name: 'Filter the log', exact: true }).click(),
        ]);
        assert.equal(new URL(page.url()).searchParams.get('type'), 'user', 'the filter is a GET form');
        await visit(page, pathOf(page));
      });

      test('/admin/audit with an impossible date', async () => {
        // An invalid filter is a bad request; the page still explains it like any form.
        await visit(page, '/admin/audit?from-day=31&from-month=2&from-year=2026', { status: 400, title: ERROR_TITLE });
        await page.locator('.nhsuk-error-summary').waitFor();
      });
    }

    if (key === 'serviceLead') {
      test('/admin/audit is refused (403)', async () => {
        await visit(page, '/admin/audit', { status: 403 });
      });
    }
  });
}
