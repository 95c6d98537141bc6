// The journey from the study (issue 3, "Tests that prove it"), signed in as the demo users:
// a GP refers a new person with falls and loneliness → the OT triages it as specialist, joint
// pathway, and accepts it → the OT and a link worker record a joint home visit → the OT steps
// the case down to the link worker → the link worker records what matters, a plan, and
// connects the person to two activities → a safeguarding concern is raised and reaches the
// safeguarding lead → the case closes and the message back to the GP shows codes only,
// because the person chose that. Axe must find no violations on any page of the journey:
// every page state visited, including each form before it is sent.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_USERS, TITLE, assertHeading, assertNoLoadProblems, checkA11y, launchBrowser, openContext,
  pathOf, saveEvidence, signIn, startServer,
} from './harness.mjs';

const SERVICE = 'Riverside social prescribing';
const SNOMED_REFERRAL = '871731000000106';

/** Makes a valid NHS number in the 999 test range from nine digits, by the modulus 11 rule. */
function nhsNumber(first9) {
  const digits = [...first9].map(Number);
  const sum = digits.reduce((acc, d, i) => acc + d * (10 - i), 0);
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  assert.notEqual(check, 10, `${first9} has no valid check digit`);
  return `${first9}${check}`;
}

// The demo numbers people from 999000000 upwards in small steps; this is far above them.
const NHS = nhsNumber('999876543');
const NHS_SHOWN = `${NHS.slice(0, 3)} ${NHS.slice(3, 6)} ${NHS.slice(6)}`;
const stamp = Date.now().toString(36).replace(/\d/g, '');
const person = { first: 'Dorothy', last: `Journeytest${stamp}` };
person.name = `${person.first} ${person.last}`;
// In the outcome summary only: a codes-only message back must never carry it.
const PRIVATE_PHRASE = `Private journey phrase ${stamp} about her late husband`;

let server;
let browser;
const sessions = {};

// What each step leaves for the next.
const journey = { referralPath: null, casePath: null };

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  for (const s of Object.values(sessions)) await s.context.close();
  await browser?.close();
  await server?.stop();
});

/** Returns a signed-in page for a demo user, kept for the whole journey. */
async function as(user) {
  if (!sessions[user.email]) {
    const s = await openContext(browser, server);
    await open(s.page, '/login');
    await signIn(s.page, user.email);
    assert.doesNotMatch(pathOf(s.page), /^\/login/, `${user.email} could not sign in`);
    await checkPage(s.page, null); // where signing in lands
    sessions[user.email] = s;
  }
  return sessions[user.email].page;
}

/** Runs assertions about the page, saving a screenshot and HTML if they fail. */
async function checked(page, assertions) {
  try {
    await assertions();
  } catch (err) {
    await saveEvidence(page);
    throw err;
  }
}

/** Checks the page as it is now: status, one h1, title, assets and axe. */
async function checkPage(page, res, { status = 200, title = TITLE } = {}) {
  await checked(page, async () => {
    if (res) assert.equal(res.status(), status, `status of ${pathOf(page)}`);
    await assertHeading(page);
    assert.match(await page.title(), title, `title of ${pathOf(page)}`);
    assertNoLoadProblems(page);
    await checkA11y(page);
  });
}

/** Loads a path and checks it; returns the response. */
async function open(page, path, options) {
  page.problems.length = 0;
  const res = await page.goto(path, { waitUntil: 'load' });
  await checkPage(page, res, options);
  return res;
}

/** Does something that navigates (a link, a button) and checks the page it lands on. */
async function navigate(page, action, options) {
  page.problems.length = 0;
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
  await checkPage(page, res, options);
  return res;
}

/** Presses a button in the main content by its accessible name and checks the result. */
function press(page, name, options) {
  return navigate(page, () => page.getByRole('main').getByRole('button', { name, exact: true }).click(), options);
}

/** The notification banner a form's redirect shows. */
async function assertNotice(page, text) {
  await checked(page, () => page.locator('.nhsuk-notification-banner').getByText(text, { exact: true }).waitFor());
}

/** Fills the day, month and year boxes of an NHS date input inside scope. */
async function fillDate(scope, date) {
  await scope.getByLabel('Day', { exact: true }).fill(String(date.getDate()));
  await scope.getByLabel('Month', { exact: true }).fill(String(date.getMonth() + 1));
  await scope.getByLabel('Year', { exact: true }).fill(String(date.getFullYear()));
}

function daysFromNow(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return d;
}

/** Chooses the option of a select whose text starts with prefix; returns its text. */
async function selectStartingWith(select, prefix) {
  const labels = await select.locator('option').evaluateAll((os) => os.map((o) => o.textContent.trim()));
  const label = labels.find((l) => l.startsWith(prefix));
  assert.ok(label, `"${prefix}" is not among the options: ${labels.join(' | ')}`);
  await select.selectOption({ label });
  return label;
}

/** The yes-or-no (or other) radio in the fieldset with the given legend. */
function radioIn(page, legend, label) {
  return page.getByRole('group', { name: legend, exact: true }).getByLabel(label, { exact: true });
}

const RECORD_PAGES = {
  'What matters to them': 'what-matters', 'Care and support plan': 'plan', Contacts: 'contacts',
  'Connections to activities': 'connections',
};

/** Opens the case, then follows a link in its "Support for" navigation, checking both pages. */
async function openRecord(page, link) {
  await open(page, journey.casePath);
  const nav = page.getByRole('navigation', { name: `Support for ${person.name}` });
  await navigate(page, () => nav.getByRole('link', { name: link, exact: true }).click());
  assert.equal(pathOf(page), `${journey.casePath}/${RECORD_PAGES[link]}`);
}

function needs(t, ...keys) {
  const missing = keys.filter((k) => !journey[k]);
  if (missing.length) {
    t.skip(`an earlier step did not produce ${missing.join(', ')}`);
    return false;
  }
  return true;
}

test('1. the GP refers a new person with falls and loneliness, sharing codes only with the GP', async () => {
  const page = await as(DEMO_USERS.referrer);
  await open(page, '/referrals');
  await navigate(page, () => page.getByRole('link', { name: 'Refer someone', exact: true }).click());
  assert.equal(pathOf(page), '/referrals/new');

  await page.getByLabel(SERVICE, { exact: true }).check();
  await press(page, 'Continue');
  assert.match(await page.locator('h1').innerText(), new RegExp(`Refer someone to ${SERVICE}`));

  await page.getByLabel('NHS number', { exact: true }).fill(NHS_SHOWN);
  await page.getByLabel('First name', { exact: true }).fill(person.first);
  await page.getByLabel('Last name', { exact: true }).fill(person.last);
  await fillDate(page.getByRole('group', { name: 'Date of birth' }), new Date(1938, 5, 9));
  await page.getByLabel('Phone call', { exact: true }).check();
  await page.getByLabel('Phone number (optional)', { exact: true }).fill('0113 496 0123');
  await radioIn(page, 'Who is making the referral?', 'GP').check();
  await page.getByLabel('Frailty and falls', { exact: true }).check();
  await page.getByLabel('Loneliness and isolation', { exact: true }).check();
  await page.getByLabel('Tell the service about the person (optional)', { exact: true })
    .fill('Lives alone since her husband died; has stopped going out after two falls.');
  await radioIn(page, 'How urgent is the referral?', 'Routine').check();
  await page.getByLabel('Known risks (optional)', { exact: true }).fill('Two falls at home this winter.');
  await radioIn(page, "Does the person meet the service's criteria?", 'Yes').check();
  await page.getByLabel('The person has agreed to this referral', { exact: true }).check();
  await radioIn(page, 'What does the person agree the service shares with their GP about how it went? (optional)',
    'Coded information only (what happened, not what was said)').check();
  await checked(page, () => checkA11y(page)); // the completed form, before it is sent

  await press(page, 'Send referral');
  await checked(page, async () => {
    assert.match(pathOf(page), /^\/referrals\/\d+(\?saved=created)?$/, 'the referral was created');
    const panel = page.locator('.nhsuk-panel');
    await panel.getByText('Referral sent').waitFor();
    await panel.getByText(SNOMED_REFERRAL).waitFor();
  });
  journey.referralPath = new URL(page.url()).pathname;
});

test('2. the OT finds the referral, triages it as specialist and joint, and accepts it', async (t) => {
  if (!needs(t, 'referralPath')) return;
  const page = await as(DEMO_USERS.occupationalTherapist);
  await open(page, '/referrals');
  const link = page.getByRole('main').getByRole('link', { name: person.name, exact: true }).first();
  await navigate(page, () => link.click());
  assert.equal(pathOf(page), journey.referralPath, 'the inbox links to the GP\'s referral');
  await checked(page, () => page.getByRole('heading', { name: 'Triage', exact: true }).waitFor());

  const answers = {
    'Does the person live with 2 or more long-term health conditions?': 'No',
    'Has the person fallen, or been afraid of falling, in the last 12 months?': 'Yes',
    'Does the person have difficulty moving around at home or getting out and about?': 'Yes',
    'Does the person struggle with everyday activities they need or want to do?': 'No',
    'Does the person have problems with memory, thinking, planning or making decisions?': 'Yes',
    'Are there any safeguarding concerns about the person or someone they live with?': 'No',
    'Has the person often used GP, urgent care or emergency services in the last 12 months?': 'No',
  };
  for (const [question, answer] of Object.entries(answers)) {
    await radioIn(page, question, answer).check();
  }
  await press(page, 'Suggest a tier and pathway');
  await checked(page, async () => {
    await page.getByRole('heading', { name: 'Suggested: Specialist tier, Joint (OT and link worker)' }).waitFor();
    for (const [question, answer] of Object.entries(answers)) {
      assert.ok(await radioIn(page, question, answer).isChecked(), `"${answer}" is still chosen for "${question}"`);
    }
  });

  await radioIn(page, 'Tier', 'Specialist').check();
  await radioIn(page, 'Pathway', 'Joint (OT and link worker)').check();
  await page.getByLabel('Why did you choose this tier and pathway?', { exact: true })
    .fill('Falls and memory problems need an OT; loneliness needs a link worker alongside.');
  await checked(page, () => checkA11y(page));
  await press(page, 'Record triage');
  await assertNotice(page, 'Triage recorded');
  await checked(page, async () => {
    const triage = page.locator('dl').filter({ has: page.getByText('Tier', { exact: true }) }).last();
    await triage.getByText('Specialist', { exact: true }).waitFor();
    await triage.getByText('Joint (OT and link worker)', { exact: true }).waitFor();
  });

  await radioIn(page, "If you are an occupational therapist, how are you engaging with this person's social prescribing?",
    'OT as the social prescriber').check();
  await checked(page, () => checkA11y(page));
  await press(page, 'Accept referral and open a case');
  await checked(page, async () => {
    assert.match(pathOf(page), /^\/cases\/\d+\?saved=opened$/, 'accepting lands on the new case');
    await page.locator('.nhsuk-notification-banner')
      .getByText('Referral accepted and case opened: a message has gone back to the GP and referrer', { exact: true }).waitFor();
    assert.match(await page.locator('h1').innerText(), new RegExp(`${person.name}$`));
    const summary = page.locator('dl.nhsuk-summary-list').filter({ hasText: 'Pathway' });
    await summary.getByText('Joint (OT and link worker)', { exact: true }).waitFor();
    await summary.getByText('Specialist', { exact: true }).waitFor();
    await summary.getByText('OT as the social prescriber', { exact: true }).waitFor();
  });
  journey.casePath = new URL(page.url()).pathname;
});

test('3. the OT adds the link worker to the care team and they record a joint home visit', async (t) => {
  if (!needs(t, 'casePath')) return;
  const page = await as(DEMO_USERS.occupationalTherapist);
  await open(page, journey.casePath);
  const tom = DEMO_USERS.linkWorker;
  await selectStartingWith(page.getByLabel('Who to add', { exact: true }), tom.name);
  await checked(page, () => checkA11y(page));
  await press(page, 'Add to care team');
  assert.equal(pathOf(page), `${journey.casePath}?saved=added`);
  await assertNotice(page, 'Added to the care team');
  await checked(page, async () => {
    const team = page.getByRole('table', { name: 'Who is on the care team now' });
    const row = team.getByRole('row').filter({ hasText: tom.name });
    await row.getByText('Riverside Community Connectors').waitFor();
    const otRow = team.getByRole('row').filter({ hasText: DEMO_USERS.occupationalTherapist.name });
    await otRow.getByText('Lead', { exact: true }).waitFor();
  });

  await openRecord(page, 'Contacts');
  await fillDate(page.getByRole('group', { name: 'Date of the contact' }), daysFromNow(-1));
  await page.getByLabel('Time', { exact: true }).fill('09:30');
  await radioIn(page, 'Type of contact', 'Home visit').check();
  await page.getByLabel('How long it took, in minutes', { exact: true }).fill('75');
  const who = page.getByRole('group', { name: 'Who took part' });
  for (const name of [DEMO_USERS.occupationalTherapist.name, tom.name]) {
    await who.getByLabel(new RegExp(`^${name}`)).check();
  }
  const note = `Joint home visit ${stamp}: assessed the stairs and talked about groups nearby`;
  await page.getByLabel('Note (optional)', { exact: true }).fill(note);
  await checked(page, () => checkA11y(page));
  await press(page, 'Record contact');
  await assertNotice(page, 'Contact recorded');
  await checked(page, async () => {
    const row = page.getByRole('row').filter({ hasText: note });
    assert.equal(await row.count(), 1, 'the contact is listed once');
    const cells = await row.getByRole('cell').allInnerTexts();
    assert.match(cells[1] ?? '', /^Home visit\s+Joint$/, 'the contact is a home visit marked joint');
    const workers = cells[3] ?? '';
    for (const name of [DEMO_USERS.occupationalTherapist.name, tom.name]) {
      assert.ok(workers.includes(name), `"Who took part" names ${name} (it says "${workers}")`);
    }
  });
});

test('4. the OT steps the case down and the link worker accepts the handover', async (t) => {
  if (!needs(t, 'casePath')) return;
  const page = await as(DEMO_USERS.occupationalTherapist);
  const tom = DEMO_USERS.linkWorker;
  await open(page, journey.casePath);
  await navigate(page, () => page.getByRole('link', { name: 'Step down to a link worker', exact: true }).click());
  assert.equal(pathOf(page), `${journey.casePath}/step-down`);

  await page.getByLabel('Which needs have been addressed?', { exact: true })
    .fill('Falls risk assessed; rail fitted on the stairs; she walks safely with a stick.');
  await page.getByLabel('Which goals remain?', { exact: true }).fill('"I want to get out and meet people again."');
  await page.getByLabel('Risks, and when to escalate back to an occupational therapist', { exact: true })
    .fill('Another fall, or if she stops managing the stairs: ask the OT team to review.');
  await radioIn(page, 'Has the person agreed to the handover?', 'Yes').check();
  await selectStartingWith(page.getByLabel('Link worker to hand the case to', { exact: true }), tom.name);
  await checked(page, () => checkA11y(page));
  await press(page, 'Offer handover');
  await assertNotice(page, 'Handover sent: the link worker has been told');

  const lw = await as(tom);
  await open(lw, '/handovers');
  const card = lw.locator('.nhsuk-card').filter({ has: lw.getByRole('heading', { name: person.name }) });
  await checked(lw, () => card.getByText('Falls risk assessed', { exact: false }).waitFor());
  await navigate(lw, () => card.getByRole('button', { name: `Accept and lead the case – ${person.name}`, exact: true }).click());
  await checked(lw, async () => {
    assert.equal(new URL(lw.url()).pathname, journey.casePath, 'accepting lands on the case');
    const team = lw.getByRole('table', { name: 'Who is on the care team now' });
    await team.getByRole('row').filter({ hasText: tom.name }).getByText('Lead', { exact: true }).waitFor();
    const summary = lw.locator('dl.nhsuk-summary-list').filter({ hasText: 'Pathway' });
    await summary.getByText('Link worker-led', { exact: true }).waitFor();
  });
  await open(lw, journey.casePath);
});

test('5. the link worker records what matters, a plan goal with an action, and two connections', async (t) => {
  if (!needs(t, 'casePath')) return;
  const page = await as(DEMO_USERS.linkWorker);

  await openRecord(page, 'What matters to them');
  const ownWords = 'I miss my friends from chapel. I want to get out of the house and have a laugh again.';
  await page.getByLabel('What matters to them', { exact: true }).fill(ownWords);
  await page.getByLabel('Their strengths (optional)', { exact: true }).fill('Loves to bake; her neighbour drives.');
  await checked(page, () => checkA11y(page));
  await press(page, 'Save what matters');
  await assertNotice(page, 'What matters to them is saved');
  assert.equal(await page.getByLabel('What matters to them', { exact: true }).inputValue(), ownWords);

  await openRecord(page, 'Care and support plan');
  const goal = 'I want to go to the chapel coffee morning on my own';
  await page.getByLabel('The goal, in their own words', { exact: true }).fill(goal);
  await fillDate(page.getByRole('group', { name: 'Target date' }), daysFromNow(60));
  await checked(page, () => checkA11y(page));
  await press(page, 'Add goal');
  await assertNotice(page, 'Goal added to the plan');
  const card = page.locator('.nhsuk-card').filter({ has: page.getByRole('heading', { name: `“${goal}”` }) });
  await checked(page, () => card.waitFor());

  await card.getByText(`Add an action to “${goal}”`).click();
  const action = 'Tom to go with her to the first coffee morning';
  await card.getByLabel('What will be done', { exact: true }).fill(action);
  await card.getByRole('group', { name: 'Who will do it' }).getByLabel('A worker on the care team', { exact: true }).check();
  await selectStartingWith(card.getByLabel('If a worker: which one', { exact: true }), DEMO_USERS.linkWorker.name);
  await fillDate(card.getByRole('group', { name: 'Due date' }), daysFromNow(14));
  await checked(page, () => checkA11y(page)); // with the action form open
  await press(page, 'Add action');
  await assertNotice(page, 'Action added to the plan');
  await checked(page, async () => {
    const row = page.getByRole('row').filter({ hasText: action });
    await row.getByText(DEMO_USERS.linkWorker.name).waitFor();
  });

  await openRecord(page, 'Connections to activities');
  for (const [activity, organisation] of [['Tuesday walking group', 'Riverside Ramblers'], ["Men's Shed", 'Riverside Men\'s Shed']]) {
    await page.getByLabel('Name of the activity', { exact: true }).fill(activity);
    await page.getByLabel('Organisation that runs it (optional)', { exact: true }).fill(organisation);
    await radioIn(page, 'How it starts', 'Suggested to them').check();
    await checked(page, () => checkA11y(page));
    await press(page, 'Add connection');
    await assertNotice(page, 'Connection added');
  }
  const walking = page.locator('.nhsuk-card').filter({ has: page.getByRole('heading', { name: /^Tuesday walking group/ }) });
  await radioIn(page, 'What has happened with Tuesday walking group?', 'Referred').check();
  await press(page, 'Update Tuesday walking group');
  await assertNotice(page, 'Connection updated');
  await checked(page, async () => {
    const cards = page.locator('.nhsuk-card').filter({ has: page.getByRole('heading', { level: 2 }) });
    const headings = await cards.getByRole('heading', { level: 2 }).allInnerTexts();
    for (const activity of ['Tuesday walking group', "Men's Shed"]) {
      assert.ok(headings.some((h) => h.startsWith(activity)), `${activity} is listed (headings: ${headings.join(' | ')})`);
    }
    await walking.locator('.nhsuk-tag').getByText('Referred', { exact: true }).waitFor();
  });
});

test('6. the link worker raises a safeguarding concern in two clicks and it reaches the safeguarding lead', async (t) => {
  if (!needs(t, 'casePath')) return;
  const page = await as(DEMO_USERS.linkWorker);
  await open(page, journey.casePath);
  // Click one: the form, with the local procedure.
  await navigate(page, () => page.getByRole('link', { name: 'Raise a safeguarding concern', exact: true }).click());
  assert.equal(pathOf(page), `${journey.casePath}/safeguarding/new`);
  await checked(page, () => page.getByRole('heading', { name: 'Who to tell and how' }).waitFor());
  await radioIn(page, 'Is the concern about an adult or a child?', 'An adult').check();
  await radioIn(page, 'What type of concern is it?', 'Financial or material abuse').check();
  const what = `A man calling himself her lodger ${stamp} has her bank card. I stayed until her son arrived.`;
  await page.getByLabel('What has happened, and what have you done to keep them safe?', { exact: true }).fill(what);
  await page.getByLabel('Who have you told so far? (optional)', { exact: true }).fill('Her son');
  await checked(page, () => checkA11y(page));
  // Click two: the concern is raised.
  await press(page, 'Raise safeguarding concern');
  await checked(page, async () => {
    assert.match(pathOf(page), /^\/safeguarding\/concerns\/\d+\?saved=raised/);
    await page.locator('.nhsuk-notification-banner').getByText('Safeguarding concern raised').waitFor();
    await page.getByRole('heading', { name: 'Who to tell and how' }).waitFor();
    await page.locator('#notified').getByText(DEMO_USERS.safeguardingLead.name).waitFor();
  });
  const concernPath = new URL(page.url()).pathname;

  const lead = await as(DEMO_USERS.safeguardingLead);
  await open(lead, '/safeguarding');
  await checked(lead, async () => {
    const row = lead.locator('main tbody tr').filter({ hasText: person.name });
    assert.ok(await row.count() > 0, `the safeguarding queue lists the concern about ${person.name}`);
  });
  await checked(lead, () => lead.getByRole('link', { name: /^Notifications \(\d+ unread\)$/ }).waitFor());
  await open(lead, '/notifications');
  const notification = lead.getByRole('main').getByRole('link', { name: 'A safeguarding concern has been raised' })
    .and(lead.locator(`a[href^="${concernPath}"]`));
  await checked(lead, async () => {
    const links = await lead.getByRole('main').getByRole('link', { name: 'A safeguarding concern has been raised' })
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.equal(await notification.count(), 1,
      `one notification links to ${concernPath} (links: ${links.join(', ') || 'none'})`);
  });
  await navigate(lead, () => notification.click());
  assert.match(pathOf(lead), new RegExp(`^${concernPath}(\\?|$)`));
  await checked(lead, async () => {
    await lead.getByText(what).waitFor();
    await lead.getByText('Financial or material abuse').first().waitFor();
  });
});

test('7. the case closes with goals met, and the message back shares codes only', async (t) => {
  if (!needs(t, 'casePath', 'referralPath')) return;
  // The link worker leads the case now and closes it; the care team keeps access to the closed
  // case, so he sees the confirmation and the message back.
  const page = await as(DEMO_USERS.linkWorker);
  await open(page, journey.casePath);
  await navigate(page, () => page.getByRole('link', { name: 'Close the case', exact: true }).click());
  assert.equal(pathOf(page), `${journey.casePath}/close`);
  await radioIn(page, 'Why is the case closing?', 'Goals met').check();
  await page.getByLabel('Outcome summary', { exact: true })
    .fill(`Goes to the coffee morning and the walking group every week. ${PRIVATE_PHRASE}.`);
  await checked(page, () => checkA11y(page));
  await press(page, 'Close the case');
  await checked(page, async () => {
    assert.equal(new URL(page.url()).pathname, journey.casePath, 'closing lands on the case');
    await page.locator('.nhsuk-notification-banner')
      .getByText('Case closed: a message has gone back to the GP and referrer', { exact: true }).waitFor();
    const summary = page.locator('dl.nhsuk-summary-list').filter({ hasText: 'Pathway' });
    await summary.getByText('Goals met', { exact: true }).waitFor();
  });

  await navigate(page, () => page.getByRole('link', { name: 'Read the message back to the GP and referrer', exact: true }).click());
  const messagePath = pathOf(page);
  await assertCodesOnlyMessage(page, { nhsNumber: true });

  // The GP who referred sees the message about their referral too.
  const gp = await as(DEMO_USERS.referrer);
  await open(gp, journey.referralPath);
  await checked(gp, async () => {
    const main = gp.getByRole('main');
    await main.getByRole('heading', { name: 'Messages back to the GP and referrer' }).waitFor();
    await main.getByText(/^Support from .* has ended\. Reason: Goals met\./).first().waitFor();
    await main.getByText(`SNOMED CT ${SNOMED_REFERRAL}`, { exact: false }).first().waitFor();
    assert.ok(!(await main.innerText()).includes(PRIVATE_PHRASE), 'the referral page does not show the outcome summary to the GP');
  });
  await open(gp, messagePath);
  await assertCodesOnlyMessage(gp);
});

/** The closure message, as a worker (with the NHS number) or the referrer (without) sees it. */
async function assertCodesOnlyMessage(page, { nhsNumber = false } = {}) {
  await checked(page, async () => {
    assert.match(pathOf(page), /^\/referrals\/\d+\/messages\/(latest|\d+)$/);
    const main = page.getByRole('main');
    const about = main.locator('.nhsuk-summary-list__row').filter({ hasText: 'About' }).locator('dd');
    assert.equal((await about.innerText()).trim(), nhsNumber ? `${person.name}, NHS number ${NHS_SHOWN}` : person.name);
    await main.getByText('Codes only: the person asked that only coded information is shared with their GP').waitFor();
    await main.getByText('The person asked that only coded information is shared with their GP.').waitFor();
    await main.getByText(/Reason: Goals met\./).waitFor();
    const codes = page.getByRole('table', { name: 'SNOMED CT codes in this message' });
    await codes.getByRole('cell', { name: SNOMED_REFERRAL, exact: true }).waitFor();
    const text = await main.innerText();
    assert.ok(!text.includes(PRIVATE_PHRASE), `the codes-only message must not contain the outcome summary ("${PRIVATE_PHRASE}")`);
    assert.ok(!text.includes('Goes to the coffee morning'), 'the codes-only message must not contain any of the outcome summary');
  });
}
