package fhir

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// searchIDs runs a search as a client, following next links, and returns the ids of the
// matches and of the included resources, in order.
func (w *world) searchIDs(t *testing.T, client, path string) (matches, included []string) {
	t.Helper()
	for next := w.srv.URL + path; next != ""; {
		res := w.do(t, client, "GET", strings.TrimPrefix(next, w.srv.URL), nil)
		if res.status != 200 {
			t.Fatalf("search %s: %d %s", path, res.status, res.body)
		}
		b := res.json(t)
		entries, _ := b["entry"].([]any)
		for _, e := range entries {
			e := e.(map[string]any)
			id := e["resource"].(map[string]any)["id"].(string)
			if e["search"].(map[string]any)["mode"] == "include" {
				included = append(included, id)
			} else {
				matches = append(matches, id)
			}
		}
		next = ""
		for _, l := range b["link"].([]any) {
			if l := l.(map[string]any); l["relation"] == "next" {
				next = l["url"].(string)
			}
		}
	}
	return matches, included
}

// varied makes referrals in every state a Task can show, and returns their Task ids by the
// status each should show.
func (w *world) varied(t *testing.T) map[string][]string {
	t.Helper()
	ctx := context.Background()
	ot := account.Actor(w.ot, "10.0.0.1")
	out := map[string][]string{}
	n := 0
	next := func(status string) sent {
		n++
		s := w.send(t, fmt.Sprintf("RMC-%d", n))
		out[status] = append(out[status], s.taskID)
		return s
	}
	next("requested")
	w.accept(t, next("accepted").referralID)
	k := w.accept(t, next("in-progress").referralID)
	w.contact(t, k.ID)
	s := next("in-progress")
	w.accept(t, s.referralID)
	_, tag := w.task(t, "pcn", s.taskID)
	if res := w.patch(t, "pcn", s.taskID, tag, "replace", "/status", "in-progress"); res.status != 200 {
		t.Fatalf("start: %s", res.body)
	}
	k = w.accept(t, next("on-hold").referralID)
	if err := w.cases.Hold(ctx, ot, k.ID, k.Version, "away"); err != nil {
		t.Fatal(err)
	}
	for status, reason := range map[string]string{"completed": "moved_away", "failed": "no_contact"} {
		k = w.accept(t, next(status).referralID)
		if err := w.cases.Close(ctx, ot, k.ID, k.Version, casework.ClosureReason(reason), "Closed for the test."); err != nil {
			t.Fatal(err)
		}
	}
	for status, to := range map[string]referral.Status{"rejected": referral.StatusRejected, "cancelled": referral.StatusCancelled} {
		s := next(status)
		r, _ := w.referrals.Get(ctx, s.referralID)
		if _, err := w.referrals.Decide(ctx, ot, r.ID, r.Version, to, referral.RejectNoCapacity, ""); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestTaskSearchByStatusAgreesWithTasks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		want := w.varied(t)
		for status, ids := range want {
			for _, id := range ids {
				if task, _ := w.task(t, "pcn", id); task["status"] != status {
					t.Errorf("Task %s shows %v, want %s", id, task["status"], status)
				}
			}
		}
		for status := range taskStatusSQL {
			got, _ := w.searchIDs(t, "pcn", "/fhir/Task?status="+status)
			wantIDs := slices.Clone(want[status])
			sort.Strings(got)
			sort.Strings(wantIDs)
			if !slices.Equal(got, wantIDs) {
				t.Errorf("status=%s found %v, want %v", status, got, wantIDs)
			}
		}
		got, _ := w.searchIDs(t, "pcn", "/fhir/Task?status=completed,failed")
		if len(got) != 2 {
			t.Errorf("status=completed,failed found %v", got)
		}
	})
}

func TestTaskSearchPagesAndIncludes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		var all []string
		for i := range 7 {
			all = append(all, w.send(t, fmt.Sprintf("RMC-%d", i)).taskID)
		}
		for _, size := range []int{1, 2, 3, 7, 50} {
			got, inc := w.searchIDs(t, "gp", fmt.Sprintf("/fhir/Task?_count=%d&_include=Task:focus", size))
			if !slices.Equal(got, all) || len(inc) != len(all) {
				t.Errorf("_count=%d: %d matches %v and %d included, want %v in order", size, len(got), got, len(inc), all)
			}
		}
		owner := url.QueryEscape("Organization/" + w.ids.seal(kindOrganization, w.pcn.ID))
		if got, _ := w.searchIDs(t, "pcn", "/fhir/Task?owner="+owner); len(got) != 7 {
			t.Errorf("owner=Organization: %d", len(got))
		}
		if got, _ := w.searchIDs(t, "other", "/fhir/Task"); len(got) != 0 {
			t.Errorf("another practice's system sees %v", got)
		}
		if got, _ := w.searchIDs(t, "other", "/fhir/ServiceRequest"); len(got) != 0 {
			t.Errorf("another practice's system sees requests %v", got)
		}
		for _, bad := range []string{"/fhir/Task?colour=red", "/fhir/Task?_lastUpdated=lt2026-01-01", "/fhir/Task?_include=Task:patient",
			"/fhir/Task?_count=0", "/fhir/Task?status=pending", "/fhir/Task?_after=not-a-cursor", "/fhir/ServiceRequest?status=on-hold"} {
			res := w.do(t, "gp", "GET", bad, nil)
			if res.status != 400 || res.json(t)["resourceType"] != "OperationOutcome" {
				t.Errorf("%s: %d %s, want a 400 OperationOutcome", bad, res.status, res.body)
			}
		}
	})
}

func TestWebReferralsShowToTheirPractice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		gp, err := account.NewService(db).CreateUser(ctx, audit.System, account.UserInput{Email: "priya@example.nhs.uk", Name: "Dr Priya Shah",
			Password: "a-long-enough-password", OrganisationID: w.gp.ID, Roles: []account.Role{account.Referrer}})
		if err != nil {
			t.Fatal(err)
		}
		r, err := w.referrals.Submit(ctx, account.Actor(gp, "10.0.0.2"), referral.Referrer{UserID: gp.ID, Name: gp.Name}, referral.Input{
			ServiceID: w.svc.ID, Source: referral.SourceGP, Needs: []string{"bereavement"}, ConsentGiven: true, CriteriaMet: referral.CriteriaMet,
			Person: person.Input{NHSNumber: "9990000018", GivenName: "Ann", FamilyName: "Lee", DateOfBirth: person.DateParts{Day: "2", Month: "3", Year: "1950"}}})
		if err != nil {
			t.Fatal(err)
		}
		id := w.ids.seal(kindTask, r.ID)
		for client, sees := range map[string]bool{"gp": true, "pcn": true, "other": false} {
			got, _ := w.searchIDs(t, client, "/fhir/Task")
			if slices.Contains(got, id) != sees {
				t.Errorf("%s sees the web referral's Task: %v, want %v", client, !sees, sees)
			}
		}
		task, _ := w.task(t, "gp", id)
		if req := fmt.Sprint(task["requester"]); !strings.Contains(req, "Dr Priya Shah") || !strings.Contains(req, "Y90001") {
			t.Errorf("requester of a web referral: %v", req)
		}
	})
}

func TestPatientSeenAsEachPartyMay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.send(t, "RMC-1")
		q := "/fhir/Patient?identifier=" + url.QueryEscape(SystemNHSNumber+"|9434765919")
		found := func(client string) []any {
			res := w.do(t, client, "GET", q, nil)
			if res.status != 200 {
				t.Fatalf("%s: %d %s", client, res.status, res.body)
			}
			entries, _ := res.json(t)["entry"].([]any)
			return entries
		}
		perf := found("pcn")
		if len(perf) != 1 || !strings.Contains(fmt.Sprint(perf[0]), "LS1 4AP") || !strings.Contains(fmt.Sprint(perf[0]), "0113 496 0000") {
			t.Errorf("the service sees the person's details: %v", perf)
		}
		req := found("gp")
		if len(req) != 1 || strings.Contains(fmt.Sprint(req[0]), "LS1 4AP") || !strings.Contains(fmt.Sprint(req[0]), "Okonkwo") {
			t.Errorf("the referrer sees who it referred, not their contact details: %v", req)
		}
		if other := found("other"); len(other) != 0 {
			t.Errorf("another practice learns the person is known: %v", other)
		}
		id := resourceAt(map[string]any{"entry": perf}, 0)["id"].(string)
		expectIssue(t, w.do(t, "other", "GET", "/fhir/Patient/"+id, nil), 404, "not-found", "")
		expectIssue(t, w.do(t, "gp", "GET", "/fhir/Patient?identifier="+url.QueryEscape(SystemNHSNumber+"|9434765918"), nil), 422, "value", "Patient.identifier")
		expectIssue(t, w.do(t, "gp", "GET", "/fhir/Patient", nil), 400, "required", "Patient.identifier")
		expectIssue(t, w.do(t, "gp", "GET", "/fhir/Task/"+id, nil), 404, "not-found", "") // a Patient id is no Task id
	})
}

func TestHealthcareServiceSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		pcn := w.ids.seal(kindOrganization, w.pcn.ID)
		for q, n := range map[string]int{
			"":                                  1,
			"?name=riverside":                   1,
			"?name=social":                      0,
			"?name:contains=social":             1,
			"?organization=Organization/" + pcn: 1,
			"?organization=" + w.ids.seal(kindOrganization, w.gp.ID):           0,
			"?organization:identifier=" + url.QueryEscape(SystemODS+"|U90001"): 1,
			"?organization:identifier=" + url.QueryEscape(SystemODS+"|Y90001"): 0,
		} {
			res := w.do(t, "narrow", "GET", "/fhir/HealthcareService"+q, nil)
			if res.status != 200 || res.json(t)["total"] != float64(n) {
				t.Errorf("%q: %d %s, want %d", q, res.status, res.body, n)
			}
		}
		hs := w.do(t, "narrow", "GET", "/fhir/HealthcareService/"+w.ids.seal(kindHealthcareService, w.svc.ID), nil).json(t)
		if hs["name"] != "Riverside Social Prescribing" || !strings.Contains(fmt.Sprint(hs["eligibility"]), "Adults registered") {
			t.Errorf("service: %v", hs)
		}
		org := w.do(t, "narrow", "GET", "/fhir/Organization/"+pcn, nil).json(t)
		if org["name"] != "Riverside PCN" || !strings.Contains(fmt.Sprint(org["identifier"]), "U90001") {
			t.Errorf("organisation: %v", org)
		}
		// directory.read is all this client has.
		expectIssue(t, w.do(t, "narrow", "GET", "/fhir/Task", nil), 403, "forbidden", "")
		expectIssue(t, w.do(t, "narrow", "GET", "/fhir/HealthcareService?colour=red", nil), 400, "not-supported", "")
	})
}
