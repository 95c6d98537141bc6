package web

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
)

// newGapsFixture is the directory fixture with referrals for money and debt from people in
// AB31 5AA, outside the demo directory's area, and for physical activity from AB10 1AN, where
// it has walking groups.
func newGapsFixture(t *testing.T) caseworkFixture {
	t.Helper()
	f := newDirectoryFixture(t)
	for i, tc := range []struct {
		postcode string
		needs    []string
	}{
		{"AB31 5AA", []string{"money_debt"}}, {"AB31 5AA", []string{"money_debt"}}, {"AB31 5AA", []string{"money_debt"}},
		{"AB31 5AA", []string{"money_debt"}}, {"AB31 5AA", []string{"money_debt", "physical_activity"}},
		{"AB10 1AN", []string{"physical_activity"}},
	} {
		in := f.personInput(100+i, "Gap", "Person"+string(rune('A'+i)))
		in.Postcode = tc.postcode
		f.referWith(t, in, tc.needs)
	}
	return f
}

func (f caseworkFixture) referWith(t *testing.T, p person.Input, needs []string) {
	t.Helper()
	_, err := f.Server.Referrals.Submit(t.Context(), account.Actor(f.gp, "test"), referral.Referrer{UserID: f.gp.ID, Name: f.gp.Name},
		referral.Input{ServiceID: f.svc.ID, Source: referral.SourceGP, Needs: needs, ConsentGiven: true,
			CriteriaMet: referral.CriteriaMet, Person: p, NotADuplicate: true})
	if err != nil {
		t.Fatalf("refer: %v", err)
	}
}

func TestGapsReportIsForServiceLeadsCommissionersAndAdministrators(t *testing.T) {
	ts := newTestServer(t)
	for email, want := range map[string]int{"servicelead@linkwell.demo": 200, "commissioner@linkwell.demo": 200, "admin@linkwell.demo": 200,
		"linkworker@linkwell.demo": 403, "ot@linkwell.demo": 403, "gp@linkwell.demo": 403, "provider@linkwell.demo": 403} {
		c := ts.client(t, email)
		for _, path := range []string{"/directory/gaps", "/directory/gaps.csv"} {
			if res, _ := ts.get(t, c, path); res.StatusCode != want {
				t.Errorf("%s GET %s: %d, want %d", email, path, res.StatusCode, want)
			}
		}
	}
}

func TestGapsReportShowsWhereNeedsHaveNoLocalService(t *testing.T) {
	f := newGapsFixture(t)
	c := f.client(t, "servicelead@linkwell.demo")
	res, page := f.get(t, c, "/directory/gaps")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /directory/gaps: %d", res.StatusCode)
	}
	for _, want := range []string{
		"7 referrals were made by people in 3 postcode districts", // the fixture's own referral is from LS1
		"The largest: 5 referrals for money and debt in AB31, with no matching service there.",
		"Referrals to the services of Riverside Primary Care Network",
		`<td class="nhsuk-table__cell">AB31</td>`, "No local service", "fewer than 5",
		`href="/directory/gaps.csv?from-day=`, `value="district" checked`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the report does not say %q", want)
		}
	}
	if strings.Contains(page, "Gap Person") || strings.Contains(page, "AB31 5AA") {
		t.Error("the report shows a person's name or full postcode")
	}
	var n int
	if err := f.DB.Reader().QueryRow(t.Context(), `SELECT COUNT(*) FROM audit_log WHERE action = 'report.gaps.view'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("audit entries for the report: %d, %v; want 1", n, err)
	}
}

func TestGapsReportDownloadsAsCSV(t *testing.T) {
	f := newGapsFixture(t)
	c := f.client(t, "commissioner@linkwell.demo")
	today := time.Now().In(london)
	q := "from-day=1&from-month=1&from-year=" + itoa(int64(today.Year()-1)) + "&to-day=" + itoa(int64(today.Day())) +
		"&to-month=" + itoa(int64(today.Month())) + "&to-year=" + itoa(int64(today.Year())) + "&level=district"
	res, body := f.get(t, c, "/directory/gaps.csv?"+q)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), `attachment; filename="gaps-district-`+itoa(int64(today.Year()-1))+"-01-01-to-") {
		t.Fatalf("CSV: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(records[0], ",") != "area_type,area,need,referrals,matching_services,gap" ||
		strings.Join(records[1], ",") != "Postcode district,AB31,Money and debt,5,0,yes" {
		t.Errorf("CSV begins %q", records[:2])
	}
	for _, r := range records[1:] {
		if r[3] != "<5" && r[3] != "5" && r[3] != "6" && r[3] != "7" {
			t.Errorf("a referral count is not suppressed or not a count: %q", r)
		}
	}
}

func TestGapsReportExplainsABadFilter(t *testing.T) {
	ts := newTestServer(t)
	c := ts.client(t, "servicelead@linkwell.demo")
	for q, want := range map[string]string{
		"from-day=1&from-month=6&from-year=2026&to-day=1&to-month=5&to-year=2026&level=district":  "The end date must be the same as or after the start date",
		"from-day=31&from-month=2&from-year=2026&to-day=1&to-month=5&to-year=2026&level=district": "Date from",
		"from-day=1&from-month=1&from-year=2026&to-day=1&to-month=5&to-year=2026&level=ward":      "Select a kind of area from the list",
		"level=district": "Enter the date the report starts from",
	} {
		res, body := ts.get(t, c, "/directory/gaps?"+q)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, want) || !strings.Contains(body, "There is a problem") {
			t.Errorf("%s: %d, want 400 saying %q", q, res.StatusCode, want)
		}
		if strings.Contains(body, "What the report found") {
			t.Errorf("%s: a report was shown for a bad filter", q)
		}
	}
}
