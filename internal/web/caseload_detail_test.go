package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/casework"
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
