package casework

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// recordsClock is the fixed time the case-record tests run at: 10:30 on 15 June 2026 in London.
var recordsClock = time.Date(2026, 6, 15, 9, 30, 0, 0, time.UTC)

// recordsCase opens a joint case for person i led by the OT, with the link worker on the care
// team, and fixes the service's clock at recordsClock.
func (w world) recordsCase(t *testing.T, i int) Case {
	t.Helper()
	ctx := context.Background()
	w.cases.now = func() time.Time { return recordsClock }
	r := w.refer(t, i)
	actor := account.Actor(w.ot, "10.0.0.1")
	k, err := w.cases.Open(ctx, actor, r.ID, OpenInput{ReferralVersion: r.Version, Lead: w.ot, Tier: referral.TierSpecialist, Pathway: referral.PathwayJoint})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.cases.AddWorker(ctx, actor, k.ID, w.lw, false); err != nil {
		t.Fatal(err)
	}
	k, err = w.cases.Get(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// day is the date offset days from recordsClock, as typed into day, month and year boxes.
func day(offset int) person.DateParts {
	d := recordsClock.AddDate(0, 0, offset)
	return person.DateParts{Day: d.Format("2"), Month: d.Format("1"), Year: d.Format("2006")}
}

// fieldsOf returns the fields named in an invalid error, or fails the test.
func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	ae, ok := apperr.As(err)
	if !ok || ae.Kind != apperr.Invalid {
		t.Fatalf("got %v, want an invalid error with field messages", err)
	}
	out := map[string]string{}
	for _, f := range ae.Fields {
		out[f.Field] = f.Message
	}
	return out
}

// wantFields checks that err names exactly these fields.
func wantFields(t *testing.T, what string, err error, fields ...string) {
	t.Helper()
	got := fieldsOf(t, err)
	var names []string
	for f := range got {
		names = append(names, f)
	}
	slices.Sort(names)
	slices.Sort(fields)
	if !slices.Equal(names, fields) {
		t.Errorf("%s: problems with %v (%v), want %v", what, names, got, fields)
	}
}

func TestWhatMattersValidation(t *testing.T) {
	cases := []struct {
		name   string
		in     WhatMattersInput
		fields []string
	}{
		{"nothing entered", WhatMattersInput{}, []string{"own_words"}},
		{"only spaces", WhatMattersInput{OwnWords: "   "}, []string{"own_words"}},
		{"unknown barrier", WhatMattersInput{OwnWords: "Seeing my grandchildren", Barriers: []string{"transport", "weather"}}, []string{"barriers"}},
		{"too long", WhatMattersInput{OwnWords: "x", Strengths: strings.Repeat("a", maxText+1), HasToDo: strings.Repeat("b", maxText+1)},
			[]string{"strengths", "has_to_do"}},
	}
	for _, c := range cases {
		_, err := c.in.Validate()
		wantFields(t, c.name, err, c.fields...)
	}
	w, err := WhatMattersInput{OwnWords: " Getting to church ", Barriers: []string{"transport", "", "physical", "transport"}}.Validate()
	if err != nil || w.OwnWords != "Getting to church" || !slices.Equal(w.Barriers, []Barrier{"physical", "transport"}) {
		t.Errorf("valid input: %+v, %v", w, err)
	}
	for _, b := range Barriers {
		if b.Label() == "" || b.Label() == string(b) {
			t.Errorf("barrier %q has no label", b)
		}
	}
}

func TestWhatMattersVersions(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		k := w.recordsCase(t, 0)
		ot, lw := account.Actor(w.ot, "10.0.0.1"), account.Actor(w.lw, "10.0.0.2")
		if _, err := w.cases.WhatMatters(ctx, k.ID+100); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("what matters on an unknown case: %v", err)
		}
		got, err := w.cases.WhatMatters(ctx, k.ID)
		if err != nil || got.Recorded() || got.CaseID != k.ID {
			t.Fatalf("before anything is recorded: %+v, %v", got, err)
		}
		first, err := w.cases.SaveWhatMatters(ctx, ot, k.ID, WhatMattersInput{OwnWords: "Getting back to my allotment",
			Strengths: "Knows everyone on the estate", Wants: "Grow vegetables again", Barriers: []string{"physical", "transport"}})
		if err != nil {
			t.Fatal(err)
		}
		if first.Version != 1 || first.UpdatedBy != w.ot.ID || first.UpdatedByName != w.ot.Name ||
			!slices.Equal(first.Barriers, []Barrier{"physical", "transport"}) {
			t.Errorf("first save: %+v", first)
		}
		// Someone else's first save, begun before the first landed, must not replace it.
		if _, err := w.cases.SaveWhatMatters(ctx, lw, k.ID, WhatMattersInput{OwnWords: "Something else"}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a second first save: %v, want conflict", err)
		}
		second, err := w.cases.SaveWhatMatters(ctx, lw, k.ID, WhatMattersInput{OwnWords: "Getting back to my allotment",
			Needs: "Someone to go with at first", Barriers: []string{"social"}, Version: first.Version})
		if err != nil || second.Version != 2 || second.UpdatedBy != w.lw.ID || second.Strengths != "" {
			t.Fatalf("second save: %+v, %v", second, err)
		}
		if _, err := w.cases.SaveWhatMatters(ctx, ot, k.ID, WhatMattersInput{OwnWords: "Stale", Version: first.Version}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("saving over a stale version: %v, want conflict", err)
		}
		got, _ = w.cases.WhatMatters(ctx, k.ID)
		if got.OwnWords != "Getting back to my allotment" || got.Needs != "Someone to go with at first" || got.Version != 2 {
			t.Errorf("after a refused stale save: %+v", got)
		}
	})
}

// TestClosedCaseRefusesRecords checks that nothing on a closed case can change, and that the
// refusals leave nothing behind.
func TestClosedCaseRefusesRecords(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		k := w.recordsCase(t, 0)
		actor := account.Actor(w.ot, "10.0.0.1")
		wm, err := w.cases.SaveWhatMatters(ctx, actor, k.ID, WhatMattersInput{OwnWords: "Getting out more"})
		if err != nil {
			t.Fatal(err)
		}
		g, err := w.cases.AddGoal(ctx, actor, k.ID, GoalInput{Text: "Go to the lunch club", Target: day(30)})
		if err != nil {
			t.Fatal(err)
		}
		a, err := w.cases.AddAction(ctx, actor, g.ID, ActionInput{Text: "Ring the club", Owner: OwnerPerson, Due: day(7)})
		if err != nil {
			t.Fatal(err)
		}
		cn, err := w.cases.AddConnection(ctx, actor, k.ID, ConnectionInput{Activity: "Lunch club"})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.cases.Close(ctx, actor, k.ID, k.Version, "goals_met", "Goes to the lunch club."); err != nil {
			t.Fatal(err)
		}
		contact := ContactInput{Date: day(0), Time: "09:00", Type: ContactPhone, Minutes: "10", WorkerIDs: []int64{w.ot.ID}}
		changes := map[string]error{
			"what matters": second(w.cases.SaveWhatMatters(ctx, actor, k.ID, WhatMattersInput{OwnWords: "New", Version: wm.Version})),
			"add goal":     second(w.cases.AddGoal(ctx, actor, k.ID, GoalInput{Text: "Another", Target: day(30)})),
			"goal status":  w.cases.UpdateGoalStatus(ctx, actor, g.ID, GoalAchieved, g.Version),
			"add action":   second(w.cases.AddAction(ctx, actor, g.ID, ActionInput{Text: "More", Owner: OwnerPerson, Due: day(7)})),
			"action":       w.cases.UpdateActionStatus(ctx, actor, a.ID, ActionDone, a.Version),
			"review":       second(w.cases.AddReview(ctx, actor, k.ID, ReviewInput{Note: "Reviewed"})),
			"contact":      second(w.cases.RecordContact(ctx, actor, k.ID, contact)),
			"connection":   second(w.cases.AddConnection(ctx, actor, k.ID, ConnectionInput{Activity: "Walking group"})),
			"move":         w.cases.MoveConnection(ctx, actor, cn.ID, ConnReferred, "", cn.Version),
			"update connection": second(w.cases.UpdateConnection(ctx, actor, cn.ID,
				ConnectionInput{Activity: "Lunch club", ProviderFeedback: "Settled in"}, cn.Version)),
		}
		for what, err := range changes {
			ae, ok := apperr.As(err)
			if !ok || ae.Kind != apperr.Conflict || !strings.Contains(ae.Message, "closed") {
				t.Errorf("%s on a closed case: %v, want a conflict saying it is closed", what, err)
			}
		}
		p, _ := w.cases.Plan(ctx, k.ID)
		contacts, _ := w.cases.Contacts(ctx, k.ID)
		conns, _ := w.cases.Connections(ctx, k.ID)
		if len(p.Goals) != 1 || len(p.Goals[0].Actions) != 1 || p.Goals[0].Status != GoalActive || len(p.Reviews) != 0 ||
			len(contacts) != 0 || len(conns) != 1 || conns[0].Status != ConnSuggested {
			t.Errorf("a refused change left something behind: plan %+v, contacts %d, connections %+v", p, len(contacts), conns)
		}
		// Reading a closed case's records still works.
		if got, err := w.cases.WhatMatters(ctx, k.ID); err != nil || got.OwnWords != "Getting out more" {
			t.Errorf("what matters on a closed case: %+v, %v", got, err)
		}
	})
}

func second[T any](_ T, err error) error { return err }

// TestCaseRecordsAuditedWithoutPersonalText runs every kind of change and checks each left an
// audit entry against the case (or, for signposting, the person) with codes and ids only.
func TestCaseRecordsAuditedWithoutPersonalText(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		k := w.recordsCase(t, 0)
		actor := account.Actor(w.ot, "10.0.0.1")
		const secret = "Dorothy's late husband"
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(second(w.cases.SaveWhatMatters(ctx, actor, k.ID, WhatMattersInput{OwnWords: secret, Strengths: secret, Barriers: []string{"emotional"}})))
		g, err := w.cases.AddGoal(ctx, actor, k.ID, GoalInput{Text: secret, Target: day(30)})
		must(err)
		a, err := w.cases.AddAction(ctx, actor, g.ID, ActionInput{Text: secret, Owner: OwnerOther, OwnerName: secret, Due: day(3)})
		must(err)
		must(w.cases.UpdateActionStatus(ctx, actor, a.ID, ActionDone, a.Version))
		must(w.cases.UpdateGoalStatus(ctx, actor, g.ID, GoalPartly, g.Version))
		must(second(w.cases.AddReview(ctx, actor, k.ID, ReviewInput{Note: secret, With: secret})))
		must(second(w.cases.RecordContact(ctx, actor, k.ID, ContactInput{Date: day(0), Time: "9am", Type: ContactHomeVisit,
			Minutes: "45", Note: secret, WorkerIDs: []int64{w.ot.ID, w.lw.ID}})))
		cn, err := w.cases.AddConnection(ctx, actor, k.ID, ConnectionInput{Activity: secret, Organisation: secret,
			FirstSessionHelp: true, FirstSessionNote: secret})
		must(err)
		must(w.cases.MoveConnection(ctx, actor, cn.ID, ConnReferred, secret, cn.Version))
		must(second(w.cases.UpdateConnection(ctx, actor, cn.ID, ConnectionInput{Activity: secret, ProviderFeedback: secret}, cn.Version+1)))
		must(second(w.cases.Signpost(ctx, actor, k.PersonID, SignpostInput{Services: []SignpostedService{{Name: secret, Why: secret}}})))

		page, err := audit.List(ctx, db, audit.Filter{RecordType: "case", RecordID: audit.RecordID(k.ID), PerPage: 200})
		must(err)
		actions := map[string]bool{}
		for _, e := range page.Entries {
			actions[e.Action] = true
			if strings.Contains(e.Detail, "Dorothy") || strings.Contains(e.Reason, "Dorothy") {
				t.Errorf("audit entry %s holds personal text: %q", e.Action, e.Detail)
			}
			if e.ActorID != w.ot.ID {
				t.Errorf("audit entry %s by %d, want the OT", e.Action, e.ActorID)
			}
		}
		for _, want := range []string{"case.what_matters", "case.goal_add", "case.action_add", "case.action_status", "case.goal_status",
			"case.review", "case.contact", "case.connection_add", "case.connection_move", "case.connection_update"} {
			if !actions[want] {
				t.Errorf("no %s entry against the case; have %v", want, actions)
			}
		}
		people, err := audit.List(ctx, db, audit.Filter{RecordType: "person", RecordID: audit.RecordID(k.PersonID), Action: "person.signpost"})
		must(err)
		if len(people.Entries) != 1 || strings.Contains(people.Entries[0].Detail, "Dorothy") || !strings.Contains(people.Entries[0].Detail, "services=1") {
			t.Errorf("signposting audit: %+v", people.Entries)
		}
		must(second(audit.Verify(ctx, db)))
	})
}
