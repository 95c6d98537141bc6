package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/demo"
	"github.com/linkwell/linkwell/internal/referral"
)

// Demo users the referral tests sign in as.
const (
	gpEmail           = "gp@linkwell.demo" // a referrer at a Riverside practice
	otEmail           = "ot@linkwell.demo" // in the PCN's Personalised Care Team
	commissionerEmail = "commissioner@linkwell.demo"
	providerEmail     = "provider@linkwell.demo"
)

// A known risk only the service's team may read: a referrer's view never shows it.
const knownRisk = "Dog in the house; visit in pairs"

// referralFixture is the demo world plus a receiving service run by the Riverside PCN and
// triaged by its Personalised Care Team, which the demo data does not have yet.
type referralFixture struct {
	*testServer
	service referral.ReceivingService
}

func newReferralFixture(t *testing.T) referralFixture {
	t.Helper()
	ts := newTestServer(t)
	pcn := ts.org(t, demo.PCN)
	teams, err := ts.Server.Orgs.Teams(t.Context(), pcn.ID)
	if err != nil {
		t.Fatal(err)
	}
	var teamID int64
	for _, tm := range teams {
		if tm.Name == "Personalised Care Team" {
			teamID = tm.ID
		}
	}
	svc, err := ts.Server.Referrals.CreateService(t.Context(), audit.System, referral.ServiceInput{
		OrganisationID: pcn.ID, TeamID: teamID, Name: "Riverside wellbeing service",
		Description: "Link workers and occupational therapists helping people do what matters to them.",
		Inclusion:   "Adults registered with a Riverside practice whose wellbeing is affected by non-medical needs",
		Exclusion:   "People in a mental health crisis", ResponseDays: 5,
	})
	if err != nil {
		t.Fatalf("create service: %v", err)
	}
	return referralFixture{testServer: ts, service: svc}
}

// referralForm is a complete referral for Margaret Ellis with falls and loneliness.
func (f referralFixture) referralForm(change ...string) url.Values {
	v := url.Values{
		"service": {itoa(f.service.ID)}, "nhs_number": {"943 476 5919"}, "given_name": {"Margaret"},
		"family_name": {"Ellis"}, "dob-day": {"14"}, "dob-month": {"3"}, "dob-year": {"1941"},
		"postcode": {"LS1 4AP"}, "phone": {"0113 496 0000"}, "contact_methods": {"phone"},
		"source": {"gp"}, "needs": {"frailty_falls", "loneliness"}, "details": {"Lives alone since her husband died."},
		"urgency": {"routine"}, "known_risks": {knownRisk}, "consent": {"yes"}, "criteria_met": {"yes"},
	}
	for i := 0; i+1 < len(change); i += 2 {
		if change[i+1] == "" {
			delete(v, change[i])
		} else {
			v[change[i]] = []string{change[i+1]}
		}
	}
	return v
}

// refer submits a referral as the client and returns its id, failing unless it was created.
func (f referralFixture) refer(t *testing.T, c *http.Client, form url.Values) int64 {
	t.Helper()
	res, body := f.post(t, c, "/referrals/new", form)
	loc := res.Header.Get("Location")
	var id int64
	if _, err := fmt.Sscanf(loc, "/referrals/%d?saved=created", &id); res.StatusCode != http.StatusSeeOther || err != nil {
		t.Fatalf("submit referral: %d to %q, want 303 to the referral\n%s", res.StatusCode, loc, body)
	}
	return id
}

func (f referralFixture) referral(t *testing.T, id int64) referral.Referral {
	t.Helper()
	r, err := f.Server.Referrals.Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type referralCase struct {
	method, path string
	form         url.Values
	want         map[string]int // status by email; every other signed-in user wants 403
	text         string         // in the first allowed user's page
}

// TestReferralAccess runs every referral and service route as each kind of user. Commissioners
// and community providers are refused everywhere, and nobody signed out gets past sign-in.
func TestReferralAccess(t *testing.T) {
	f := newReferralFixture(t)
	id := f.refer(t, f.client(t, gpEmail), f.referralForm())
	ref := fmt.Sprintf("/referrals/%d", id)
	svc := fmt.Sprintf("/services/%d", f.service.ID)
	everyReferrer := func(status int) map[string]int {
		return map[string]int{gpEmail: status, otEmail: status, linkWorker: status, leadEmail: status}
	}
	cases := []referralCase{
		{"GET", "/referrals", nil, everyReferrer(200), "Referrals"},
		{"GET", "/referrals/new", nil, everyReferrer(200), "Riverside wellbeing service"},
		{"GET", "/referrals/new?service=" + itoa(f.service.ID), nil, everyReferrer(200), "Who it is for"},
		{"GET", "/referrals/new?service=", nil, everyReferrer(400), "Select the service you are referring to"},
		{"GET", "/referrals/new?service=99999", nil, everyReferrer(404), ""},
		{"POST", "/referrals/new", url.Values{}, everyReferrer(400), "Select the service you are referring to"},
		{"GET", ref, nil, map[string]int{gpEmail: 200, otEmail: 200, leadEmail: 200}, "Riverside wellbeing service"},
		{"GET", "/referrals/99999", nil, everyReferrer(404), ""},
		{"POST", ref + "/triage", url.Values{}, map[string]int{otEmail: 400, leadEmail: 400}, "Select yes or no"},
		{"POST", ref + "/decline", url.Values{"version": {"1"}}, map[string]int{otEmail: 400, leadEmail: 400}, "Select why the referral is declined"},
		// A stale version stops the withdrawal, so the allowed users change nothing here.
		{"POST", ref + "/withdraw", url.Values{"version": {"999"}}, map[string]int{gpEmail: 409, otEmail: 409, leadEmail: 409}, "Someone else changed this referral"},
		// Not triaged yet, so the OT is told to triage first; a service lead cannot lead a case.
		{"POST", ref + "/accept", url.Values{"version": {"1"}}, map[string]int{otEmail: 400, leadEmail: 403}, "Triage the referral"},
		{"GET", "/services", nil, map[string]int{leadEmail: 200, adminEmail: 200}, "Riverside wellbeing service"},
		{"GET", "/services/new", nil, map[string]int{leadEmail: 200, adminEmail: 200}, "Who it is for"},
		{"POST", "/services/new", url.Values{}, map[string]int{leadEmail: 400, adminEmail: 400}, "Enter the service&#39;s name"},
		{"GET", svc, nil, map[string]int{leadEmail: 200, adminEmail: 200}, "People in a mental health crisis"},
	}
	users := []string{gpEmail, otEmail, linkWorker, leadEmail, adminEmail, commissionerEmail, providerEmail}
	clients := map[string]*http.Client{}
	for _, u := range users {
		clients[u] = f.client(t, u)
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			for _, u := range users {
				want, ok := c.want[u]
				if !ok {
					want = http.StatusForbidden
				}
				if want == 0 { // allowed, with an answer that belongs to another package's work
					continue
				}
				res, body := f.do(t, clients[u], c.method, c.path, c.form)
				if res.StatusCode != want {
					t.Errorf("%s: status %d, want %d", u, res.StatusCode, want)
				}
				if want != http.StatusForbidden && c.text != "" && !strings.Contains(body, c.text) {
					t.Errorf("%s: page lacks %q", u, c.text)
				}
			}
			res, _ := f.do(t, f.anon(), c.method, c.path, c.form)
			if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
				t.Errorf("anonymous: %d to %q, want 303 to /login", res.StatusCode, loc)
			}
		})
	}
}

func TestReferralSubmit(t *testing.T) {
	f := newReferralFixture(t)
	gp := f.client(t, gpEmail)

	t.Run("the form shows the criteria before the referrer starts", func(t *testing.T) {
		_, body := f.get(t, gp, "/referrals/new")
		for _, want := range []string{"Who it is for:", f.service.Inclusion, "Who it is not for:", f.service.Exclusion, "5 working days"} {
			if !strings.Contains(body, want) {
				t.Errorf("step 1 lacks %q", want)
			}
		}
		_, body = f.get(t, gp, "/referrals/new?service="+itoa(f.service.ID))
		for _, want := range []string{"nhsuk-inset-text", f.service.Inclusion, "10 digits, for example 943 476 5919", `name="dob-day"`, "The person has agreed to this referral"} {
			if !strings.Contains(body, want) {
				t.Errorf("step 2 lacks %q", want)
			}
		}
	})

	t.Run("problems are listed in the error summary", func(t *testing.T) {
		form := f.referralForm("nhs_number", "943 476 5918", "dob-day", "31", "dob-month", "2", "consent", "", "needs", "")
		res, body := f.post(t, gp, "/referrals/new", form)
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", res.StatusCode)
		}
		for _, want := range []string{"<title>Error: ", "nhsuk-error-summary", `href="#nhs_number"`, `href="#dob"`,
			`href="#needs"`, `href="#consent"`, "Margaret"} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if strings.Index(body, `href="#nhs_number"`) > strings.Index(body, `href="#consent"`) {
			t.Error("the error summary should follow the order of the form")
		}
	})

	t.Run("a referral is sent and confirmed with its SNOMED code", func(t *testing.T) {
		id := f.refer(t, gp, f.referralForm())
		res, body := f.get(t, gp, fmt.Sprintf("/referrals/%d?saved=created", id))
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d", res.StatusCode)
		}
		for _, want := range []string{"nhsuk-panel", "Referral sent", "871731000000106", "Referral to social prescribing service", "Awaiting triage"} {
			if !strings.Contains(body, want) {
				t.Errorf("confirmation lacks %q", want)
			}
		}
		if strings.Count(body, "<h1") != 1 {
			t.Error("the confirmation page should have exactly one h1")
		}
		if strings.Contains(body, knownRisk) || strings.Contains(body, `action="/referrals/`+itoa(id)+`/triage"`) {
			t.Error("the referrer sees the known risks or the triage form")
		}
		r := f.referral(t, id)
		if r.ReferrerID != f.user(t, gpEmail).ID || r.Status != referral.StatusRequested || len(r.Needs) != 2 {
			t.Errorf("stored referral %+v", r)
		}
	})
}

func TestReferralDuplicates(t *testing.T) {
	f := newReferralFixture(t)
	gp := f.client(t, gpEmail)
	first := f.referral(t, f.refer(t, gp, f.referralForm()))

	res, body := f.post(t, gp, "/referrals/new", f.referralForm("needs", "low_mood"))
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("second referral for the same person: %d, want 409", res.StatusCode)
	}
	for _, want := range []string{"This person may already be known", "Margaret Ellis", "943 476 5919", "14 March 1941",
		"NHS number and date of birth", "Awaiting triage", "Add this referral for Margaret Ellis", "This is a different person",
		`name="existing_person" value="` + itoa(first.PersonID) + `"`, `name="not_a_duplicate" value="yes"`, `value="low_mood"`} {
		if !strings.Contains(body, want) {
			t.Errorf("duplicates page lacks %q", want)
		}
	}

	t.Run("add for the existing person", func(t *testing.T) {
		form := f.referralForm("needs", "low_mood", "existing_person", itoa(first.PersonID))
		r := f.referral(t, f.refer(t, gp, form))
		if r.PersonID != first.PersonID {
			t.Errorf("referral for person %d, want the existing %d", r.PersonID, first.PersonID)
		}
	})

	t.Run("a referrer sees only the referrals they made", func(t *testing.T) {
		form := f.referralForm("existing_person", itoa(first.PersonID), "source", "practice_nurse")
		byNurse := f.refer(t, f.client(t, "nurse@linkwell.demo"), form)
		if res, _ := f.get(t, gp, fmt.Sprintf("/referrals/%d", byNurse)); res.StatusCode != http.StatusForbidden {
			t.Errorf("the GP opening the nurse's referral for the same person: %d, want 403", res.StatusCode)
		}
	})

	t.Run("an altered form cannot add to someone else", func(t *testing.T) {
		form := f.referralForm("given_name", "Gerald", "family_name", "Moss", "nhs_number", "943 476 5927", "existing_person", itoa(first.PersonID))
		res, body := f.post(t, gp, "/referrals/new", form)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "does not match the details you typed") {
			t.Errorf("status %d, want 400 explaining the mismatch", res.StatusCode)
		}
	})

	t.Run("a different person", func(t *testing.T) {
		form := f.referralForm("nhs_number", "943 476 5927", "given_name", "Margery", "not_a_duplicate", "yes")
		r := f.referral(t, f.refer(t, gp, form))
		if r.PersonID == first.PersonID {
			t.Error("a different person was added to the existing person")
		}
	})

	t.Run("same NHS number, different date of birth, is a warning", func(t *testing.T) {
		res, body := f.post(t, gp, "/referrals/new", f.referralForm("dob-year", "1942"))
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("status %d, want 409", res.StatusCode)
		}
		if !strings.Contains(body, "different date of birth — check before you go on") {
			t.Error("the conflict is not shown as a warning")
		}
		if strings.Contains(body, "Add this referral for") {
			t.Error("a conflicting record is offered as a match")
		}
	})
}

func TestReferralTriageAndDecline(t *testing.T) {
	f := newReferralFixture(t)
	id := f.refer(t, f.client(t, gpEmail), f.referralForm())
	ot := f.client(t, otEmail)
	path := fmt.Sprintf("/referrals/%d", id)

	_, body := f.get(t, ot, path)
	for _, want := range []string{knownRisk, "Lives alone since her husband died.", "Has the person fallen", `action="` + path + `/decline"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the triager's page lacks %q", want)
		}
	}

	// Falls, mobility and cognitive impairment with loneliness suggest specialist, joint.
	answers := url.Values{}
	for _, q := range (referral.TriageAnswers{}).Questions() {
		answers.Set(q.Name, "no")
	}
	answers.Set("falls", "yes")
	answers.Set("mobility", "yes")
	answers.Set("cognitive_impairment", "yes")
	with := func(kv ...string) url.Values {
		v := url.Values{}
		for k, x := range answers {
			v[k] = x
		}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}

	res, body := f.post(t, ot, path+"/triage", with("action", "suggest"))
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Suggested: Specialist tier, Joint (OT and link worker)") {
		t.Fatalf("suggestion: %d\n%s", res.StatusCode, body)
	}
	if !strings.Contains(body, `value="specialist" checked`) {
		t.Error("the tier does not default to the suggestion")
	}

	res, body = f.post(t, ot, path+"/triage", with("tier", "targeted", "pathway", "joint"))
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Explain why you chose a different tier or pathway") {
		t.Errorf("a different tier without a rationale: %d", res.StatusCode)
	}
	res, _ = f.post(t, ot, path+"/triage", with("tier", "specialist", "pathway", "joint"))
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("the suggested tier without a rationale: %d, want 303", res.StatusCode)
	}
	res, _ = f.post(t, ot, path+"/triage", with("tier", "targeted", "pathway", "joint", "rationale", "Her daughter now visits daily."))
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("a different tier with a rationale: %d, want 303", res.StatusCode)
	}
	tr, err := f.Server.Referrals.LatestTriage(t.Context(), id)
	if err != nil || tr.Decision.Tier != referral.TierTargeted || tr.Suggestion.Tier != referral.TierSpecialist {
		t.Errorf("latest triage %+v, %v", tr, err)
	}

	version := itoa(f.referral(t, id).Version)
	res, _ = f.post(t, ot, path+"/decline", url.Values{"version": {version}, "reason": {"person_declined"}, "note": {"Prefers her church group."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("decline: %d, want 303", res.StatusCode)
	}
	if r := f.referral(t, id); r.Status != referral.StatusRejected || r.ReasonCode != "person_declined" {
		t.Errorf("declined referral %+v", r)
	}
	res, body = f.post(t, ot, path+"/decline", url.Values{"version": {version}, "reason": {"person_declined"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Someone else changed this referral") {
		t.Errorf("declining again with the old version: %d, want 409", res.StatusCode)
	}
	version = itoa(f.referral(t, id).Version)
	res, body = f.post(t, ot, path+"/decline", url.Values{"version": {version}, "reason": {"person_declined"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "already") {
		t.Errorf("declining again: %d, want 409 saying it is declined already", res.StatusCode)
	}

	_, body = f.get(t, f.client(t, gpEmail), path)
	if !strings.Contains(body, "Declined") || !strings.Contains(body, "was not taken forward") || strings.Contains(body, knownRisk) {
		t.Error("the referrer should see the decline and its message, and never the known risks")
	}
}

func TestReferralInbox(t *testing.T) {
	f := newReferralFixture(t)
	f.refer(t, f.client(t, gpEmail), f.referralForm())

	_, body := f.get(t, f.client(t, otEmail), "/referrals")
	for _, want := range []string{"Referral inbox", "Margaret Ellis", "Frailty and falls", "GP", "Routine"} {
		if !strings.Contains(body, want) {
			t.Errorf("inbox lacks %q", want)
		}
	}
	_, body = f.get(t, f.client(t, otEmail), "/referrals?status=rejected")
	if strings.Contains(body, "Margaret Ellis") {
		t.Error("the status filter is ignored")
	}
	_, body = f.get(t, f.client(t, linkWorker), "/referrals")
	if strings.Contains(body, "Margaret Ellis") {
		t.Error("a link worker outside the service's organisation and team sees its inbox")
	}
	_, body = f.get(t, f.client(t, gpEmail), "/referrals")
	if !strings.Contains(body, "Referrals you made") || !strings.Contains(body, "Margaret Ellis") || strings.Contains(body, "Referral inbox") {
		t.Error("the referrer should see the referrals they made, and no inbox")
	}
}

func TestServiceCreate(t *testing.T) {
	f := newReferralFixture(t)
	lead := f.client(t, leadEmail)
	pcn := f.org(t, demo.PCN).ID
	form := url.Values{"organisation": {itoa(pcn)}, "name": {"Riverside falls prevention"},
		"inclusion": {"Adults who have fallen in the last year"}, "response_days": {"3"}, "accepts_self_referral": {"yes"}}
	res, _ := f.post(t, lead, "/services/new", form)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/services/") {
		t.Fatalf("create: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body := f.get(t, lead, res.Header.Get("Location"))
	if !strings.Contains(body, "Adults who have fallen in the last year") || !strings.Contains(body, "3 working days") {
		t.Error("the service page does not show its criteria")
	}
	form.Set("organisation", itoa(f.org(t, demo.Connectors).ID))
	form.Set("name", "Someone else's service")
	if res, _ := f.post(t, lead, "/services/new", form); res.StatusCode != http.StatusForbidden {
		t.Errorf("a service lead adding a service to another organisation: %d, want 403", res.StatusCode)
	}
	form.Set("organisation", itoa(pcn))
	form.Set("response_days", "soon")
	if res, body := f.post(t, lead, "/services/new", form); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "whole number of working days") {
		t.Errorf("a response time in words: %d", res.StatusCode)
	}
}

// TestReferralAcceptOpensCase: accepting a triaged referral opens the case with the accepting
// OT as lead and her way of engaging, and sends the message back.
func TestReferralAcceptOpensCase(t *testing.T) {
	f := newReferralFixture(t)
	id := f.refer(t, f.client(t, gpEmail), f.referralForm())
	ot := f.client(t, otEmail)
	path := fmt.Sprintf("/referrals/%d", id)
	answers := url.Values{}
	for _, q := range (referral.TriageAnswers{}).Questions() {
		answers.Set(q.Name, "no")
	}
	answers.Set("falls", "yes")
	answers.Set("tier", "targeted")
	answers.Set("pathway", "joint")
	if res, body := f.post(t, ot, path+"/triage", answers); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("triage: %d %.800s", res.StatusCode, body)
	}
	ref, _ := f.Server.Referrals.Get(t.Context(), id)
	res, body := f.post(t, ot, path+"/accept", url.Values{"version": {itoa(ref.Version)}, "engagement": {"ot_social_prescriber"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/cases/") {
		t.Fatalf("accept: %d to %q %.800s", res.StatusCode, res.Header.Get("Location"), body)
	}
	_, body = f.get(t, ot, res.Header.Get("Location"))
	for _, want := range []string{"Referral accepted and case opened", "Sarah Okafor", "OT as the social prescriber", "Joint (OT and link worker)"} {
		if !strings.Contains(body, want) {
			t.Errorf("the new case page lacks %q", want)
		}
	}
	if ref, _ := f.Server.Referrals.Get(t.Context(), id); ref.Status != referral.StatusAccepted {
		t.Errorf("referral after acceptance: %s", ref.Status)
	}
	if msgs, _ := f.Server.Referrals.Messages(t.Context(), id); len(msgs) != 1 || msgs[0].Kind != referral.MessageAccepted {
		t.Errorf("messages after acceptance: %+v", msgs)
	}
	// Accepting again is refused: the referral has moved on.
	if res, _ := f.post(t, ot, path+"/accept", url.Values{"version": {itoa(ref.Version)}}); res.StatusCode != http.StatusConflict && res.StatusCode != http.StatusForbidden {
		t.Errorf("accepting twice: %d", res.StatusCode)
	}
}
