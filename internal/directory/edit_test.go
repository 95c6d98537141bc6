package directory

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

var grace = Editor{Actor: audit.Actor{Label: "Grace Mensah", Address: "test"}, Name: "Grace Mensah (Walking for Health)"}

// walk is a published walking group with a phone, a schedule and a cost, as a feed sends it.
func walk() Service {
	return activity(1, "Riverside Health Walk", runs(10, "TU", "10:00", "11:00"), func(s *Service) {
		s.Phones = []Phone{{ID: uid(11), Number: "01632 960001"}}
		s.CostOptions = []CostOption{{ID: uid(12), Amount: ptr(0.0), AmountDescription: "Free"}}
		s.Contacts = []Contact{{ID: uid(13), Name: "Staff line", InternalOnly: true, Phones: []Phone{{ID: uid(14), Number: "01632 960099"}}}}
		s.SocialPrescribing = SocialPrescribing{Capacity: CapacityAccepting, ReferralRoute: RouteDropIn,
			LastVerifiedAt: "2020-01-01T00:00:00Z", VerifiedBy: "Feed team"}
	})
}

// auditCount counts the audit entries with an action about a service.
func auditCount(t *testing.T, db *store.DB, action, serviceID string) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRow(t.Context(), `SELECT COUNT(*) FROM audit_log WHERE action = ? AND record_id = ?`,
		action, serviceID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEditListingChangesWhatEveryoneReadsAndChecksTheVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		mustUpsert(t, d, feed, walk(), Created)
		l, err := d.Listing(t.Context(), uid(1))
		if err != nil || l.Source != feed || l.Version == "" || l.LocalChange != nil {
			t.Fatalf("listing before: %+v, %v", l, err)
		}
		e := EditOf(l.Service)
		if e.Phone != "01632 960001" || e.Cost != "free" || !slices.Equal(e.Days, []string{"TU"}) || e.OpensAt != "10:00" || e.ContactName != "" {
			t.Fatalf("the form starts from %+v", e)
		}
		if changed := e.changedFrom(EditOf(l.Service)); len(changed) != 0 {
			t.Fatalf("an untouched form changes %v", changed)
		}
		e.Name, e.Capacity, e.WaitWeeks = "Riverside Health Walk (Tuesdays)", string(CapacityWaitingList), "3"
		e.Cost, e.Amount, e.CostNote = "paid", "2.5", "£2.50 a walk"
		e.ContactName, e.ContactPhone, e.Days, e.OpensAt, e.ClosesAt = "Grace", "01632 960002", []string{"TU", "TH"}, "10:30", "12:00"
		if _, err := d.EditListing(t.Context(), grace, uid(1), l.Version, e); err != nil {
			t.Fatal(err)
		}

		open, err := d.GetService(t.Context(), Public, uid(1))
		if err != nil {
			t.Fatal(err)
		}
		if open.Name != e.Name || open.Capacity != CapacityWaitingList || *open.TypicalWaitDays != 21 || open.Fees != "£2.50 a walk" ||
			*open.CostOptions[0].Amount != 2.5 || open.Schedules[0].ByDay != "TU,TH" || open.Schedules[0].OpensAt != "10:30" {
			t.Errorf("the open feed reads %+v", open)
		}
		if len(open.Contacts) != 1 || open.Contacts[0].Name != "Grace" || open.VerifiedBy != "" {
			t.Errorf("open contacts %+v, verified by %q: want only the new public contact, and no verifier", open.Contacts, open.VerifiedBy)
		}
		verified, _ := time.Parse(time.RFC3339, open.LastVerifiedAt)
		if time.Since(verified) > time.Minute || open.Stale(time.Now()) {
			t.Errorf("an edit is a check: last verified %q", open.LastVerifiedAt)
		}
		res, err := d.ListServices(t.Context(), Practitioners, Filter{Search: "Tuesdays"}, Page{})
		if err != nil || len(res.Items) != 1 || res.Items[0].VerifiedBy != grace.Name {
			t.Errorf("search for the new name: %+v, %v", names(res.Items), err)
		}
		full, _ := d.GetService(t.Context(), Practitioners, uid(1))
		if len(full.Contacts) != 2 || !full.Contacts[0].InternalOnly {
			t.Errorf("the staff contact was lost: %+v", full.Contacts)
		}
		if n := auditCount(t, db, "directory.edit", uid(1)); n != 1 {
			t.Errorf("%d audit entries for the edit, want 1", n)
		}

		// The same form sent again names a version that is gone: refused, nothing changed.
		again := e
		again.Name = "Somebody else's idea"
		if _, err := d.EditListing(t.Context(), grace, uid(1), l.Version, again); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("an edit of an old version: %v, want a conflict", err)
		}
		if got, _ := d.GetService(t.Context(), Public, uid(1)); got.Name != e.Name {
			t.Errorf("after the refused edit the name is %q", got.Name)
		}
		if _, err := d.EditListing(t.Context(), grace, uid(999), l.Version, e); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("an edit of no listing: %v", err)
		}
	})
}

func TestEditListingRefusesBadInputByField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		mustUpsert(t, d, feed, walk(), Created)
		l, _ := d.Listing(t.Context(), uid(1))
		e := EditOf(l.Service)
		e.Name, e.Email, e.URL, e.Phone = "", "not an email", "example.org", "call us"
		e.OpensAt, e.ClosesAt, e.Days = "25:00", "09:00", []string{"XX"}
		e.Cost, e.Amount, e.Capacity, e.Route, e.WaitWeeks = "paid", "lots", "", "teleport", "-1"
		_, err := d.EditListing(t.Context(), grace, uid(1), l.Version, e)
		ae, ok := apperr.As(err)
		if !ok || ae.Kind != apperr.Invalid {
			t.Fatalf("got %v, want invalid", err)
		}
		var fields []string
		for _, f := range ae.Fields {
			fields = append(fields, f.Field)
		}
		for _, want := range []string{"name", "email", "url", "phone", "opens_at", "days", "amount", "capacity", "route", "wait_weeks"} {
			if !slices.Contains(fields, want) {
				t.Errorf("no error for %s in %v", want, fields)
			}
		}
		after, _ := d.Listing(t.Context(), uid(1))
		if after.Version != l.Version || after.LocalChange != nil {
			t.Errorf("a refused edit changed the listing")
		}
		finish := EditOf(l.Service)
		finish.ClosesAt = "09:00"
		if ae, ok := apperr.As(finish.Validate()); !ok || len(ae.Fields) != 1 || !strings.Contains(ae.Fields[0].Message, "after the start") {
			t.Errorf("a session that ends before it starts: %+v", ae)
		}
	})
}

func TestALocalChangeStandsUntilTheFeedSendsSomethingNew(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		sent := walk()
		mustUpsert(t, d, feed, sent, Created)
		l, _ := d.Listing(t.Context(), uid(1))
		e := EditOf(l.Service)
		e.Capacity = string(CapacityFull)
		if _, err := d.EditListing(t.Context(), grace, uid(1), l.Version, e); err != nil {
			t.Fatal(err)
		}
		l, _ = d.Listing(t.Context(), uid(1))
		if _, err := d.Verify(t.Context(), grace, uid(1), l.Version); err != nil {
			t.Fatal(err)
		}

		// The nightly import sends the same record again: the provider's change stands.
		mustUpsert(t, d, feed, sent, Unchanged)
		got, _ := d.Listing(t.Context(), uid(1))
		if got.Service.Capacity != CapacityFull || got.LocalChange == nil || got.LocalChange.Editor != grace.Name {
			t.Errorf("after re-importing the same record: capacity %s, local change %+v", got.Service.Capacity, got.LocalChange)
		}

		// The publisher changes the listing: its record replaces the local change whole.
		sent.Description = "Now with a longer route on the first Tuesday of the month."
		mustUpsert(t, d, feed, sent, Updated)
		got, _ = d.Listing(t.Context(), uid(1))
		if got.Service.Capacity != CapacityAccepting || got.Service.Description != sent.Description || got.LocalChange != nil {
			t.Errorf("after the feed changed: capacity %s, local change %+v", got.Service.Capacity, got.LocalChange)
		}
		mustUpsert(t, d, feed, sent, Unchanged)
	})
}

func TestVerifyAndResolveEmptyTheFreshnessQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		mustUpsert(t, d, feed, walk(), Created)
		other := activity(2, "Riverside Choir", func(s *Service) {
			s.LastVerifiedAt = time.Now().UTC().Format(time.RFC3339)
		})
		mustUpsert(t, d, feed, other, Created)
		if err := d.ReportInaccuracy(t.Context(), uid(2), Reporter{Actor: audit.System, Name: "Tom Bennett"}, "It moved to Thursdays"); err != nil {
			t.Fatal(err)
		}
		q, err := d.FreshnessQueue(t.Context(), time.Now(), Page{})
		if err != nil || q.Total != 2 || q.Items[0].Service.ID != uid(2) || len(q.Items[0].Reports) != 1 || q.Items[1].Version == "" {
			t.Fatalf("queue before: %+v, %v", q, err)
		}

		if _, err := d.Verify(t.Context(), grace, uid(1), q.Items[1].Version); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Verify(t.Context(), grace, uid(1), q.Items[1].Version); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("checking the same version twice: %v, want a conflict", err)
		}
		report := q.Items[0].Reports[0].ID
		if err := d.ResolveReport(t.Context(), grace, report, "shrug"); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("an unknown outcome: %v", err)
		}
		if err := d.ResolveReport(t.Context(), grace, report, ReportFixed); err != nil {
			t.Fatal(err)
		}
		if err := d.ResolveReport(t.Context(), grace, report, ReportNoChange); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("resolving twice: %v, want a conflict", err)
		}
		if err := d.ResolveReport(t.Context(), grace, report+100, ReportFixed); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("resolving no report: %v", err)
		}
		q, err = d.FreshnessQueue(t.Context(), time.Now(), Page{})
		if err != nil || q.Total != 0 {
			t.Errorf("queue after: %d items (%v), want none", q.Total, err)
		}
		var outcome string
		db.Reader().QueryRow(t.Context(), `SELECT outcome FROM dir_accuracy_reports WHERE pk = ?`, report).Scan(&outcome)
		if outcome != ReportFixed || auditCount(t, db, "directory.report_resolve", uid(2)) != 1 || auditCount(t, db, "directory.verify", uid(1)) != 1 {
			t.Errorf("outcome %q, or the resolution and check were not audited", outcome)
		}
	})
}
