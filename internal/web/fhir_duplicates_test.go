package web

import (
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
)

// TestFHIRReferralWarnsTheTriager: a referral over FHIR for someone with the same name and
// date of birth as a record with no NHS number is recorded as a new person, and the triager
// is warned, as for a self-referral; a second referral that matches the person on NHS number
// and date of birth leaves their record as it was and shows the triager the phone number
// sent that differs from it.
func TestFHIRReferralWarnsTheTriager(t *testing.T) {
	f := newReferralFixture(t)
	gp := f.fhirClient(t, "Y90001")
	known, err := f.Server.People.Create(t.Context(), audit.System, person.Input{NHSNumberOptional: true, GivenName: "Margaret", FamilyName: "Okonkwo",
		DateOfBirth: person.DateParts{Day: "21", Month: "3", Year: "1948"}, Postcode: "LS1 4AP"})
	if err != nil {
		t.Fatalf("%+v", err)
	}
	_, services := gp.do(t, "GET", "/fhir/HealthcareService?name="+url.QueryEscape("Riverside wellbeing"), nil)
	serviceID := services["entry"].([]any)[0].(map[string]any)["resource"].(map[string]any)["id"].(string)
	example, err := os.ReadFile("../fhir/testdata/examples/transaction.json")
	if err != nil {
		t.Fatal(err)
	}
	refer := func(phone, identifier string) referral.Referral {
		t.Helper()
		body := strings.NewReplacer("{{service}}", serviceID, "0113 496 0000", phone, "RMC-2026-00042", identifier).Replace(string(example))
		if status, sent := gp.do(t, "POST", "/fhir", []byte(body)); status != 200 {
			t.Fatalf("refer: %d %v", status, sent)
		}
		rs, err := f.Server.Referrals.List(t.Context(), referral.Filter{ServiceIDs: []int64{f.service.ID}})
		if err != nil || len(rs) == 0 {
			t.Fatalf("referrals: %v %v", rs, err)
		}
		newest := rs[0]
		for _, r := range rs {
			if r.ID > newest.ID {
				newest = r
			}
		}
		return newest
	}
	ot := f.client(t, otEmail)

	first := refer("0113 496 0000", "RMC-1")
	if first.PersonID == known.ID {
		t.Fatal("a referral over FHIR was joined to a record on name and date of birth alone")
	}
	_, page := f.get(t, ot, referralPath(first.ID))
	if !strings.Contains(page, "This person may already be known") || !strings.Contains(page, "1 other record has the same name") ||
		!strings.Contains(page, "system joins an existing record only when the NHS number and date of birth both match") {
		t.Errorf("the triager is not warned that the person sent over FHIR may already be known:\n%s", page)
	}
	if strings.Contains(page, "The referrer sent different contact details") {
		t.Error("a new person's referral shows contact details as different")
	}

	second := refer("07700 900123", "RMC-2")
	if second.ID == first.ID || second.PersonID != first.PersonID {
		t.Fatalf("the second referral did not match the person on NHS number and date of birth: %+v", second)
	}
	if p, _ := f.Server.People.Get(t.Context(), first.PersonID); p.Phone == "07700 900123" {
		t.Error("a referral over FHIR rewrote the person's phone number unseen")
	}
	_, page = f.get(t, ot, referralPath(second.ID))
	if !strings.Contains(page, "The referrer sent different contact details") || !strings.Contains(page, "07700 900123") {
		t.Errorf("the triager is not shown the phone number sent that differs from the record:\n%s", page)
	}
	if sent, err := f.Server.FHIR.SentDetails(t.Context(), second.ID); err != nil || len(sent) != 1 || sent[0].Field != "phone" {
		t.Errorf("details sent that differ: %+v %v, want the phone number only", sent, err)
	}
}
