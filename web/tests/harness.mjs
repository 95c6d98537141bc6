// Shared set-up for the browser tests: a real Linkwell server on a free port with
// the demo data, Debian's Chromium driven by playwright-core, and axe-core.

import { spawn, execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const binary = join(root, 'bin', 'linkwell');
const evidenceDir = join(root, 'test-results');

/** The password of every demo account that `linkwell serve --demo` creates. */
export const DEMO_PASSWORD = 'Linkwell-demo-2026';

/** Demo accounts by role (internal/demo), with the name and role label the header shows. */
export const DEMO_USERS = {
  administrator: { name: 'Alex Morgan', email: 'admin@linkwell.demo', role: 'Administrator' },
  referrer: { name: 'Dr Priya Shah', email: 'gp@linkwell.demo', role: 'Referrer' },
  occupationalTherapist: { name: 'Sarah Okafor', email: 'ot@linkwell.demo', role: 'Occupational therapist' },
  linkWorker: { name: 'Tom Bennett', email: 'linkworker@linkwell.demo', role: 'Link worker' },
  supervisor: { name: 'Helen Clarke', email: 'supervisor@linkwell.demo', role: 'Supervisor' },
  safeguardingLead: { name: 'James Whitfield', email: 'safeguarding@linkwell.demo', role: 'Safeguarding lead' },
  serviceLead: { name: 'Fatima Hussain', email: 'servicelead@linkwell.demo', role: 'Service lead' },
  commissioner: { name: 'Richard Evans', email: 'commissioner@linkwell.demo', role: 'Commissioner' },
  communityProvider: { name: 'Grace Mensah', email: 'provider@linkwell.demo', role: 'Community provider' },
};

/** Every page title is "<Page> – Linkwell" (en dash); a form with errors adds "Error: ". */
export const TITLE = /^(?!Error: )\S.* – Linkwell$/;
export const ERROR_TITLE = /^Error: \S.* – Linkwell$/;

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

// Without the networking flags Chromium keeps retrying Google services on a closed network.
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// The server is configured by flags alone: a developer's LINKWELL_* settings must not leak in.
function hermeticEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LINKWELL_')));
}

async function waitUntilReady(url, child, stderr) {
  const deadline = Date.now() + 60_000;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`linkwell serve exited with code ${child.exitCode}\n--- server stderr ---\n${stderr()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = err.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} not ready after 60 s (${last})\n--- server stderr ---\n${stderr()}`);
}

async function migrate(dir, db) {
  try {
    await promisify(execFile)(binary, ['migrate', '--db', db], { cwd: dir, env: hermeticEnv(), timeout: 60_000 });
  } catch (err) {
    throw new Error(`linkwell migrate failed (did "make build" run?): ${err.message}\n${err.stderr ?? ''}`);
  }
}

/**
 * Starts `linkwell serve --demo` on a fresh database in a temporary directory and
 * waits until /readyz answers 200. Call stop() when the test file is done. With
 * { mail: true } the server writes its emails as files to mailDir instead of sending
 * them, with links that lead back to it.
 */
export async function startServer({ mail = false } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'linkwell-browser-'));
  const db = join(dir, 'lw.db');
  try {
    await migrate(dir, db);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const mailDir = join(dir, 'mail');
  const extra = mail ? ['--mail-dir', mailDir, '--public-url', baseURL] : [];
  const child = spawn(binary, ['serve', '--demo', '--db', db, '--addr', `127.0.0.1:${port}`, ...extra], {
    cwd: dir,
    env: hermeticEnv(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => { log = (log + chunk).slice(-20_000); });
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      // The server drains for up to 20 s; past that it is stuck and is killed.
      const stuck = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(stuck);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(`${baseURL}/readyz`, child, () => log);
  } catch (err) {
    await stop();
    throw err;
  }
  return { baseURL, stop, stderr: () => log, mailDir };
}

/** Launches Debian's headless Chromium. */
export function launchBrowser() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/**
 * Opens a page that records what went wrong while loading: sub-resources that failed
 * or returned 4xx/5xx, script errors and console errors (such as CSP refusals).
 */
export async function newPage(context) {
  const page = await context.newPage();
  const problems = [];
  page.on('response', (res) => {
    const req = res.request();
    if (req.resourceType() !== 'document' && res.status() >= 400) {
      problems.push(`${res.status()} for ${req.resourceType()} ${res.url()}`);
    }
  });
  page.on('requestfailed', (req) => {
    // ERR_ABORTED is a late request (such as the favicon) cancelled by the next navigation.
    const reason = req.failure()?.errorText;
    if (reason !== 'net::ERR_ABORTED') problems.push(`failed ${req.resourceType()} ${req.url()}: ${reason}`);
  });
  page.on('pageerror', (err) => problems.push(`script error: ${err.message}`));
  page.on('console', (msg) => {
    // A 4xx document is the page under test; sub-resource statuses are caught above.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      problems.push(`console error: ${msg.text()}`);
    }
  });
  page.problems = problems;
  return page;
}

/** Fails if the page recorded a broken asset, script error or console error. */
export function assertNoLoadProblems(page) {
  assert.deepEqual(page.problems, [], `problems loading ${page.url()}`);
}

/** Signs in through the login form, as a person would. */
export async function signIn(page, email, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Email address', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.getByRole('button', { name: 'Sign in', exact: true }).click(),
  ]);
}

/** Logs out with the header's "Log out" button. */
export async function logOut(page) {
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.getByRole('button', { name: 'Log out', exact: true }).click(),
  ]);
}

/** Runs axe with the WCAG 2.2 AA tags and fails with a readable list of violations. */
export async function checkA11y(page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  if (results.violations.length === 0) return;
  const lines = results.violations.map((v) => {
    const targets = v.nodes.map((n) => `      ${n.target.join(' >> ')}`).join('\n');
    return `  ${v.id} (${v.impact}): ${v.help}\n${targets}`;
  });
  assert.fail(`${results.violations.length} accessibility violation(s) on ${page.url()}:\n${lines.join('\n')}`);
}

/** Asserts the page has exactly one non-empty <h1> and returns its text. */
export async function assertHeading(page) {
  const h1 = page.locator('h1');
  assert.equal(await h1.count(), 1, `${page.url()} should have exactly one <h1>`);
  const text = (await h1.innerText()).trim();
  assert.ok(text.length > 0, `${page.url()} has an empty <h1>`);
  return text;
}

/**
 * Loads path, checks its status, one <h1>, title pattern, assets and axe; returns the h1.
 */
export async function visit(page, path, { status = 200, title = TITLE } = {}) {
  page.problems.length = 0;
  const res = await page.goto(path, { waitUntil: 'load' });
  assert.ok(res, `no response for ${path}`);
  try {
    assert.equal(res.status(), status, `status of ${path}`);
    const h1 = await assertHeading(page);
    assert.match(await page.title(), title, `title of ${path}`);
    assertNoLoadProblems(page);
    await checkA11y(page);
    return h1;
  } catch (err) {
    await saveEvidence(page);
    throw err;
  }
}

/** Saves a screenshot and the HTML of the page under test-results/ for a failure report. */
export async function saveEvidence(page) {
  const url = new URL(page.url());
  const name = `${url.pathname}${url.search}`.replace(/[^\w-]+/g, '_').replace(/^_|_$/g, '') || 'home';
  const file = join(evidenceDir, `${name}-${Date.now().toString(36)}`);
  try {
    await mkdir(evidenceDir, { recursive: true });
    await writeFile(`${file}.html`, await page.content());
    await page.screenshot({ path: `${file}.png`, fullPage: true });
  } catch {
    // Evidence is a courtesy; the assertion that failed is what matters.
  }
}

/** Returns the path of the first link on the page to a record under prefix, e.g. "/admin/users/". */
export async function firstRecordPath(page, prefix) {
  const hrefs = await page.locator(`main a[href^="${prefix}"]`).evaluateAll(
    (links) => links.map((a) => a.getAttribute('href')),
  );
  const record = hrefs.find((h) => /^[^/?#]+$/.test(h.slice(prefix.length)) && !h.endsWith('/new'));
  assert.ok(record, `${page.url()} links to no record under ${prefix} (links: ${hrefs.join(', ') || 'none'})`);
  return record;
}

/** Opens a fresh browser context against the server, with one recording page. */
export async function openContext(browser, server, options = {}) {
  const context = await browser.newContext({ baseURL: server.baseURL, ...options });
  // Fail in seconds, not Playwright's default 30 s, when an expected element is missing.
  context.setDefaultTimeout(10_000);
  return { context, page: await newPage(context) };
}

/** The page's path and query, for asserting where a form or redirect landed. */
export function pathOf(page) {
  const url = new URL(page.url());
  return url.pathname + url.search;
}

/** Clicks a button in the main content and returns the response of the page it leads to. */
export async function submit(page, button) {
  const [res] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.getByRole('main').getByRole('button', { name: button, exact: true }).click(),
  ]);
  return res;
}

/** Checks a page reached by a form: its status, one h1, title, assets and axe. */
export async function checkPage(page, res, { status = 200, title = TITLE } = {}) {
  try {
    assert.equal(res?.status(), status, `status of ${page.url()}`);
    await assertHeading(page);
    assert.match(await page.title(), title);
    assertNoLoadProblems(page);
    await checkA11y(page);
  } catch (err) {
    await saveEvidence(page);
    throw err;
  }
}
