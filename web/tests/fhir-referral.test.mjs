// A GP practice's system refers over FHIR with the demo's published API client: a second
// referral with the same name and date of birth but another NHS number lands as a new
// person, and a third for the first person sends a new phone number. The triager sees both
// warnings on the referral's page, which passes axe.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { DEMO_USERS, launchBrowser, openContext, signIn, startServer, visit } from './harness.mjs';

let server;
let browser;
let ot;

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

// README: the demo GP practice's clinical system.
const GP = { id: 'lw-demo-riverside-gp', secret: 'Linkwell-demo-api-2026-gp' };

/** A valid NHS number (modulus 11) no demo record has, from nine random digits. */
function nhsNumber() {
  for (;;) {
    const digits = Array.from({ length: 9 }, (_, i) => (i === 0 ? 5 : Math.floor(Math.random() * 10)));
    const sum = digits.reduce((s, d, i) => s + d * (10 - i), 0);
    const check = 11 - (sum % 11);
    if (check === 10) continue;
    return digits.join('') + (check === 11 ? 0 : check);
  }
}

async function fhirToken() {
  const res = await fetch(`${server.baseURL}/oauth/token`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${Buffer.from(`${GP.id}:${GP.secret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  assert.equal(res.status, 200, 'token for the demo GP client');
  return (await res.json()).access_token;
}

test('the triager is warned of a possible duplicate and of contact details that differ', async () => {
  const token = await fhirToken();
  const auth = { Authorization: `Bearer ${token}` };
  const services = await (await fetch(`${server.baseURL}/fhir/HealthcareService?name=riverside`, { headers: auth })).json();
  const serviceID = services.entry[0].resource.id;
  const example = await readFile(new URL('../../internal/fhir/testdata/examples/transaction.json', import.meta.url), 'utf8');
  const family = `Quill${Date.now().toString(36)}`;
  const refer = async (nhs, phone, identifier) => {
    const body = example.replaceAll('{{service}}', serviceID).replaceAll('9434765919', nhs).replaceAll('Okonkwo', family)
      .replaceAll('0113 496 0000', phone).replaceAll('RMC-2026-00042', identifier);
    const res = await fetch(`${server.baseURL}/fhir`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/fhir+json' }, body });
    assert.equal(res.status, 200, `refer: ${await res.clone().text()}`);
  };
  const first = nhsNumber();
  let second = nhsNumber();
  while (second === first) second = nhsNumber();
  await refer(first, '0113 496 0000', `BT-${family}-1`);
  await refer(second, '0113 496 0000', `BT-${family}-2`);
  await refer(first, '07700 900123', `BT-${family}-3`);

  // The newest of the three referrals in the inbox.
  const { page } = ot;
  await visit(page, '/referrals');
  const hrefs = await page.locator(`a:has-text("${family}")`).evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.equal(hrefs.length, 3, `three referrals for ${family} in the inbox: ${hrefs}`);
  const newest = hrefs.sort((a, b) => Number(a.split('/').pop()) - Number(b.split('/').pop())).pop();

  await visit(page, newest); // status, heading, title and axe
  await assert.doesNotReject(page.getByRole('heading', { name: 'This person may already be known' }).waitFor());
  await assert.doesNotReject(page.getByRole('heading', { name: 'The referrer sent different contact details' }).waitFor());
  const callout = page.locator('.nhsuk-warning-callout', { hasText: 'different contact details' });
  assert.match(await callout.innerText(), /Phone\s+07700 900123/);
});
