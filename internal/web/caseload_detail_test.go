package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/safeguarding"
)

// TestCaseloadShowsRiskFlagsAndLastContact: the caseload's risk and last-contact columns come
// from the person's current flags and the case's latest successful contact.
func TestCaseloadShowsRiskFlagsAndLastContact(t *testing.T) {
	f := newCaseworkFixture(t)
	c := f.client(t, cwOT)
	_, body := f.get(t, c, "/caseload")
	if !strings.Contains(body, "No contact yet") || !strings.Contains(body, "None recorded") {
		t.Fatalf("before any contact or flag, the caseload lacks its empty markers")
	}
	actor := account.Actor(f.ot, "10.0.0.1")
	yesterday := time.Now().In(london).AddDate(0, 0, -1)
	_, err := f.Server.Cases.RecordContact(t.Context(), actor, f.caseID, casework.ContactInput{
		Date: person.DateParts{Day: yesterday.Format("2"), Month: yesterday.Format("1"), Year: yesterday.Format("2006")},
		Time: "10:30", Type: "phone", Minutes: "20", WorkerIDs: []int64{f.ot.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Server.Safety.RaiseFlag(t.Context(), actor, f.person.ID, safeguarding.Falls, "Two falls this year"); err != nil {
		t.Fatal(err)
	}
	_, body = f.get(t, c, "/caseload")
	if !strings.Contains(body, dayOf(yesterday)) || strings.Contains(body, "No contact yet") {
		t.Errorf("the caseload does not show the last contact on %s", dayOf(yesterday))
	}
	if !strings.Contains(body, ">"+safeguarding.Falls.Label()+"</strong>") {
		t.Errorf("the caseload does not show the falls flag")
	}
}

// TestDuplicateShowsWhoIsAlreadyInvolved: referring someone who already has an open case shows
// their care team, so the referrer adds to it rather than starting again (DESIGN F7).
func TestDuplicateShowsWhoIsAlreadyInvolved(t *testing.T) {
	f := newCaseworkFixture(t)
	gp := f.client(t, cwGP)
	form := url.Values{"service": {itoa(f.svc.ID)}, "nhs_number": {string(f.person.NHSNumber)},
		"given_name": {f.person.GivenName}, "family_name": {f.person.FamilyName},
		"dob-day": {cwBirthDay}, "dob-month": {cwBirthMonth}, "dob-year": {cwBirthYear},
		"source": {"gp"}, "needs": {"loneliness"}, "urgency": {"routine"}, "consent": {"yes"}, "criteria_met": {"yes"}}
	res, body := f.post(t, gp, "/referrals/new", form)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("a referral for someone with an open case: %d, want 409", res.StatusCode)
	}
	for _, want := range []string{"Already working with them", f.ot.Name, "Occupational therapist", "Riverside Primary Care Network", "– lead"} {
		if !strings.Contains(body, want) {
			t.Errorf("the duplicate page lacks %q", want)
		}
	}
}

// TestReferralAddsToOpenCase: from the duplicate page a referrer adds the referral to the
// person's open case; the case lead hears of it, and accepting it attaches it to that case
// instead of opening a second one.
func TestReferralAddsToOpenCase(t *testing.T) {
	f := newCaseworkFixture(t)
	gp := f.client(t, cwGP)
	form := url.Values{"service": {itoa(f.svc.ID)}, "nhs_number": {string(f.person.NHSNumber)},
		"given_name": {f.person.GivenName}, "family_name": {f.person.FamilyName},
		"dob-day": {cwBirthDay}, "dob-month": {cwBirthMonth}, "dob-year": {cwBirthYear},
		"source": {"gp"}, "needs": {"housing"}, "urgency": {"routine"}, "consent": {"yes"}, "criteria_met": {"yes"}}
	_, body := f.post(t, gp, "/referrals/new", form)
	if !strings.Contains(body, `name="adds_to_case" value="`+itoa(f.caseID)+`"`) {
		t.Fatalf("the duplicate page does not offer to add to the open case %d", f.caseID)
	}

	other := f.refer(t, f.personInput(7, "Ada", "Lovelace"))
	wrong := url.Values{"existing_person": {itoa(other.PersonID)}, "adds_to_case": {itoa(f.caseID)}}
	for k, v := range form {
		wrong[k] = v
	}
	if res, _ := f.post(t, gp, "/referrals/new", wrong); res.StatusCode == http.StatusSeeOther {
		t.Fatalf("a referral was added to a case that is not the chosen person's")
	}

	form.Set("existing_person", itoa(f.person.ID))
	form.Set("adds_to_case", itoa(f.caseID))
	res, _ := f.post(t, gp, "/referrals/new", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding to the open case: %d, want 303", res.StatusCode)
	}
	loc := strings.TrimPrefix(strings.SplitN(res.Header.Get("Location"), "?", 2)[0], "/referrals/")
	refID, err := strconv.ParseInt(loc, 10, 64)
	if err != nil {
		t.Fatalf("the referral's address %q: %v", res.Header.Get("Location"), err)
	}
	added, err := f.Server.Referrals.Get(t.Context(), refID)
	if err != nil || added.AddsToCaseID != f.caseID {
		t.Fatalf("the referral does not record the case it adds to: %+v, %v", added, err)
	}
	unread, err := f.Server.Inbox.Unread(t.Context(), f.ot.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(unread, func(n notify.Notification) bool { return n.Kind == "referral.adds_to_case" }) {
		t.Errorf("the case lead was not told of the referral added to their case: %+v", unread)
	}

	ot := f.client(t, cwOT)
	_, body = f.get(t, ot, referralPath(refID))
	if !strings.Contains(body, "Accept referral and add it to the open case") {
		t.Fatalf("the referral page does not offer to add it to the open case")
	}
	res, _ = f.post(t, ot, referralPath(refID)+"/accept", url.Values{"version": {itoa(added.Version)}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, casePath(f.caseID)) {
		t.Fatalf("accepting: %d to %q, want 303 to the existing case %s", res.StatusCode, loc, casePath(f.caseID))
	}
	var cases int
	if err := f.DB.Reader().QueryRow(t.Context(), `SELECT COUNT(*) FROM cases WHERE person_id = ?`, f.person.ID).Scan(&cases); err != nil {
		t.Fatal(err)
	}
	if cases != 1 {
		t.Errorf("the person has %d cases after the added referral was accepted, want 1", cases)
	}
	_, body = f.get(t, ot, casePath(f.caseID))
	if !strings.Contains(body, "Added referral from "+f.gp.Name) {
		t.Errorf("the case page does not list the referral added to it")
	}
}

// TestCaseHoldFromThePage: the care team puts a case on hold with a reason and resumes it from
// the case page; a reason is required, and someone outside the care team is refused.
func TestCaseHoldFromThePage(t *testing.T) {
	f := newCaseworkFixture(t)
	ot, gp := f.client(t, cwOT), f.client(t, cwGP)
	k, err := f.Server.Cases.Get(t.Context(), f.caseID)
	if err != nil {
		t.Fatal(err)
	}
	path := casePath(f.caseID)
	if res, _ := f.post(t, gp, path+"/hold", url.Values{"version": {itoa(k.Version)}, "hold_reason": {"away"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a GP putting a case on hold: %d, want 403", res.StatusCode)
	}
	res, body := f.post(t, ot, path+"/hold", url.Values{"version": {itoa(k.Version)}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Select why the case is going on hold") {
		t.Errorf("a hold with no reason: %d", res.StatusCode)
	}
	if res, _ := f.post(t, ot, path+"/hold", url.Values{"version": {itoa(k.Version)}, "hold_reason": {"asked_to_pause"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("putting the case on hold: %d", res.StatusCode)
	}
	_, body = f.get(t, ot, path)
	if !strings.Contains(body, "The person asked to pause") || !strings.Contains(body, "Resume the case") {
		t.Errorf("the case page does not show the hold and the way to resume it")
	}
	k, _ = f.Server.Cases.Get(t.Context(), f.caseID)
	if res, _ := f.post(t, ot, path+"/resume", url.Values{"version": {itoa(k.Version)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("resuming the case: %d", res.StatusCode)
	}
	if k, _ = f.Server.Cases.Get(t.Context(), f.caseID); k.Status != casework.Active {
		t.Errorf("after resuming, the case is %s", k.Status)
	}
}

// TestPersonPageListsClosedCases: once a case closes it stays on the person's record, linked,
// so its outcome and the message back can still be found there.
func TestPersonPageListsClosedCases(t *testing.T) {
	f := newCaseworkFixture(t)
	k, err := f.Server.Cases.Get(t.Context(), f.caseID)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Server.Cases.Close(t.Context(), account.Actor(f.ot, "10.0.0.1"), k.ID, k.Version, "goals_met", "Settled in"); err != nil {
		t.Fatal(err)
	}
	_, body := f.get(t, f.client(t, cwOT), "/people/"+itoa(f.person.ID))
	if !strings.Contains(body, `href="/cases/`+itoa(f.caseID)+`"`) || !strings.Contains(body, ">Closed</strong>") {
		t.Errorf("the person page does not list the closed case")
	}
}
