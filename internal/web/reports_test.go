package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/reports"
)

const (
	rpLead         = "servicelead@linkwell.demo"
	rpCommissioner = "commissioner@linkwell.demo"
)

// TestCommissionersReachTotalsOnly runs every page that shows a person, and every report, as
// a commissioner: only the aggregate dashboard and its export answer.
func TestCommissionersReachTotalsOnly(t *testing.T) {
	f := newCaseworkFixture(t)
	com := f.client(t, rpCommissioner)
	reason := url.Values{"reason": {"Board report"}, "table": {"all"}, "format": {"csv"}, "reason_prsb": {"x"}, "reason_research": {"x"}}
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/reports/commissioner", 200},
		{"POST", "/reports/commissioner/export", 200},
		{"GET", "/reports/service", 403},
		{"POST", "/reports/service/export", 403},
		{"POST", "/reports/extracts/prsb", 403},
		{"POST", "/reports/extracts/research", 403},
		{"GET", fmt.Sprintf("/people/%d", f.person.ID), 403},
		{"GET", casePath(f.caseID), 403},
		{"GET", outcomesPath(f.caseID), 403},
		{"GET", outcomesPath(f.caseID) + "/record?instrument=ons4&timepoint=baseline", 403},
		{"GET", casePath(f.caseID) + "/close", 403},
		{"GET", servicePath(f.svc.ID) + "/measures", 403},
		{"GET", "/caseload", 403},
		{"GET", "/caseload/team", 403},
		{"GET", "/people/search?nhs_number=" + url.QueryEscape(f.person.NHSNumber.String()), 403},
		{"GET", "/reports/practices", 403},
		{"POST", "/reports/practices", 403},
	} {
		var form url.Values
		if c.method == "POST" {
			form = reason
		}
		res, body := f.do(t, com, c.method, c.path, form)
		if res.StatusCode != c.want {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, res.StatusCode, c.want)
		}
		for _, secret := range []string{f.person.Name(), f.person.NHSNumber.String(), cwPostcode} {
			if strings.Contains(body, secret) {
				t.Errorf("%s %s shows %q to a commissioner", c.method, c.path, secret)
			}
		}
	}
	for who, want := range map[string]int{rpLead: 200, cwOT: 403, cwGP: 403, "provider@linkwell.demo": 403} {
		if res, _ := f.get(t, f.client(t, who), "/reports/service"); res.StatusCode != want {
			t.Errorf("%s: service dashboard %d, want %d", who, res.StatusCode, want)
		}
	}
	if res, _ := f.get(t, f.client(t, rpLead), "/reports/commissioner"); res.StatusCode != 200 {
		t.Errorf("a service lead may see the commissioner's view: %d", res.StatusCode)
	}
}

func TestDashboardsShowSuppressedTotalsAndAuditExports(t *testing.T) {
	f := newCaseworkFixture(t)
	com := f.client(t, rpCommissioner)
	_, body := f.get(t, com, "/reports/commissioner")
	for _, want := range []string{"Referrals by source", `<table class="nhsuk-table" id="sources-table">`, "&lt;5", "<svg", "not randomised",
		"Counts from 1 to 4 are shown as"} {
		if !strings.Contains(body, want) {
			t.Errorf("commissioner dashboard lacks %q", want)
		}
	}
	if strings.Contains(body, `<td class="nhsuk-table__cell">1</td>`) {
		t.Error("the commissioner sees a count of 1")
	}
	lead := f.client(t, rpLead)
	_, body = f.get(t, lead, "/reports/service")
	if !strings.Contains(body, `<td class="nhsuk-table__cell">1</td>`) || !strings.Contains(body, "Record-level extracts") {
		t.Error("the service lead should see the exact count of their one referral, and the extracts")
	}
	res, body := f.get(t, lead, "/reports/service?from-day=31&from-month=2&from-year=2026")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Start date must be a real date") {
		t.Errorf("a bad date: %d", res.StatusCode)
	}
	form := url.Values{"table": {"sources"}, "format": {"csv"}}
	res, body = f.post(t, lead, "/reports/service/export", form)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Enter why you need this export") {
		t.Fatalf("export without a reason: %d", res.StatusCode)
	}
	form.Set("reason", "Quarterly board report")
	res, body = f.post(t, lead, "/reports/service/export", form)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.Contains(body, "GP,<5") || !strings.Contains(body, "Total,<5") {
		t.Fatalf("CSV export: %d %q", res.StatusCode, body)
	}
	form.Set("format", "xlsx")
	form.Set("table", "all")
	res, body = f.post(t, lead, "/reports/service/export", form)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("XLSX export: %d", res.StatusCode)
	}
	sheets, err := reports.ReadXLSX([]byte(body))
	if err != nil || len(sheets) < 5 || sheets[0][0][0] != "Source" {
		t.Fatalf("XLSX holds %d sheets (%v)", len(sheets), err)
	}
	res, body = f.post(t, lead, "/reports/extracts/research", url.Values{"reason_research": {"University evaluation"}})
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "pseudonym,age_band") || strings.Contains(body, f.person.NHSNumber.String()) {
		t.Errorf("research extract: %d %q", res.StatusCode, body)
	}
	p, err := audit.List(t.Context(), f.DB, audit.Filter{Action: "report.export"})
	if err != nil || p.Total != 2 || p.Entries[0].Reason != "Quarterly board report" {
		t.Errorf("exports audited: %d (%v)", p.Total, err)
	}
}

func TestServiceLeadEntersPracticeListSizes(t *testing.T) {
	f := newCaseworkFixture(t)
	lead := f.client(t, rpLead)
	if res, body := f.get(t, lead, "/reports/service"); res.StatusCode != http.StatusOK || !strings.Contains(body, `href="/reports/practices"`) ||
		!strings.Contains(body, "No practice list sizes have been entered") {
		t.Fatalf("the service dashboard should lead to the list sizes page: %d", res.StatusCode)
	}
	res, body := f.post(t, lead, "/reports/practices", url.Values{"ods": {"B8600X"}, "size": {"lots"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "nhsuk-error-summary") || !strings.Contains(body, "a letter and 5 numbers, like B86001") ||
		!strings.Contains(body, "must be a whole number") || !strings.Contains(body, `value="B8600X"`) || !strings.Contains(body, `value="lots"`) {
		t.Fatalf("bad list size: %d", res.StatusCode)
	}
	res, _ = f.post(t, lead, "/reports/practices", url.Values{"ods": {"b86001"}, "size": {"12,500"}})
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving a list size: %d", res.StatusCode)
	}
	_, body = f.get(t, lead, "/reports/practices")
	if !strings.Contains(body, `<th class="nhsuk-table__header" scope="row">B86001</th><td class="nhsuk-table__cell">12500</td>`) {
		t.Errorf("the list size entered is not listed")
	}
	_, body = f.get(t, lead, "/reports/service")
	if !strings.Contains(body, `id="practices-table"`) || !strings.Contains(body, "12,500") {
		t.Errorf("the dashboard does not show the list entered")
	}
	for who := range map[string]bool{cwOT: true, cwGP: true} {
		if res, _ := f.get(t, f.client(t, who), "/reports/practices"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s reaches the list sizes page: %d", who, res.StatusCode)
		}
	}
}
