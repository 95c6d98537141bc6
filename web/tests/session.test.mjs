// The idle-timeout warning: two minutes before 30 idle minutes are up, the page warns and
// offers "Stay signed in", which keeps the session without losing the page; if nothing
// happens, the page goes to sign-in. Playwright's clock stands in for half an hour.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_USERS, assertNoLoadProblems, checkA11y, launchBrowser, openContext, signIn, startServer,
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

test('warns before the idle timeout and lets the user stay signed in', async () => {
  const { context, page } = await openContext(browser, server);
  try {
    await page.clock.install();
    await signIn(page, DEMO_USERS.linkWorker.email);
    const warning = page.locator('#session-warning');
    assert.equal(await warning.isVisible(), false, 'no warning straight after sign-in');

    await page.clock.fastForward('27:00');
    assert.equal(await warning.isVisible(), false, 'no warning with three minutes left');
    await page.clock.fastForward('01:30');
    await warning.waitFor({ state: 'visible' });
    assert.match(await warning.innerText(), /You will be signed out soon/);
    const stay = page.getByRole('button', { name: 'Stay signed in' });
    assert.ok(await stay.evaluate((el) => el === document.activeElement), 'the button has focus');
    await checkA11y(page);

    const keepAlive = page.waitForResponse((res) => res.url().endsWith('/session/keepalive'));
    await stay.click();
    assert.equal((await keepAlive).status(), 200);
    await warning.waitFor({ state: 'hidden' });
    assert.equal(new URL(page.url()).pathname, '/', 'staying signed in does not leave the page');

    // The clock starts again from the keep-alive: 27 minutes later there is still no warning,
    // and after 30 idle minutes the page goes to sign-in.
    await page.clock.fastForward('27:00');
    assert.equal(await warning.isVisible(), false, 'the keep-alive restarted the countdown');
    const leaving = page.waitForRequest((req) => req.url().includes('/login?expired=1'));
    await page.clock.fastForward('03:30');
    await leaving;
    assertNoLoadProblems(page);
  } finally {
    await context.close();
  }
});
