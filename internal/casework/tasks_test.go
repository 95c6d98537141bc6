package casework

import (
	"context"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// jointCase opens a case for the i'th referral led by lead, with the other team worker on the
// care team too.
func (w world) jointCase(t *testing.T, i int, lead account.User) Case {
	t.Helper()
	ctx := context.Background()
	r := w.refer(t, i)
	k, err := w.cases.Open(ctx, account.Actor(lead, "10.0.0.1"), r.ID, OpenInput{ReferralVersion: r.Version, Lead: lead, Tier: referral.TierSpecialist, Pathway: referral.PathwayJoint})
	if err != nil {
		t.Fatal(err)
	}
	other := w.lw
	if lead.ID == w.lw.ID {
		other = w.ot
	}
	if err := w.cases.AddWorker(ctx, account.Actor(lead, "10.0.0.1"), k.ID, other, false); err != nil {
		t.Fatal(err)
	}
	k, err = w.cases.Get(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fieldMessage returns the message on a field of an Invalid error, or "".
func fieldMessage(err error, field string) string {
	if e, ok := apperr.As(err); ok && e.Kind == apperr.Invalid {
		for _, f := range e.Fields {
			if f.Field == field {
				return f.Message
			}
		}
	}
	return ""
}

func countAudit(t *testing.T, db *store.DB, action string) int {
	t.Helper()
	p, err := audit.List(context.Background(), db, audit.Filter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

func TestDelegationMatrix(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		k := w.jointCase(t, 0, w.ot)
		types, err := w.cases.TaskTypes(ctx)
		if err != nil || len(types) != 7 {
			t.Fatalf("default task types: %+v, %v", types, err)
		}
		clinical := 0
		for _, tt := range types {
			if tt.Clinical {
				clinical++
			}
			if len(tt.Competences) == 0 {
				t.Errorf("%s has no competence codes", tt.Name)
			}
		}
		if clinical != 3 {
			t.Errorf("%d clinical task types, want 3", clinical)
		}
		delegates := []struct {
			name string
			to   account.User
		}{{"OT on the team", w.ot}, {"link worker on the team", w.lw}, {"link worker off the team", w.outsider}}
		for _, tt := range types {
			for _, d := range delegates {
				_, err := w.cases.Delegate(ctx, account.Actor(w.ot, "10.0.0.1"), w.ot, k.ID,
					TaskInput{TypeID: tt.ID, DelegateTo: d.to.ID, Guidance: "Please do this this week."})
				msg := fieldMessage(err, "delegate_to")
				switch {
				case d.to.ID == w.outsider.ID:
					if !strings.Contains(msg, "care team") {
						t.Errorf("%s to %s: %v, want refused on delegate_to", tt.Name, d.name, err)
					}
				case tt.Clinical && d.to.ID == w.lw.ID:
					want := tt.Name + " is a clinical task: only an occupational therapist can do it. Link workers can flag that the person needs clinical input instead."
					if msg != want {
						t.Errorf("%s to %s: %v (%q), want %q", tt.Name, d.name, err, msg, want)
					}
				default:
					if err != nil {
						t.Errorf("%s to %s: %v, want delegated", tt.Name, d.name, err)
					}
				}
			}
		}
		tasks, err := w.cases.Tasks(ctx, k.ID)
		// With no competence checker, only the clinical rule applies: 3 clinical to the OT, 4
		// non-clinical to each of two workers. The workforce package tests competences.
		if err != nil || len(tasks) != 11 {
			t.Fatalf("tasks on the case: %d, %v; want 11", len(tasks), err)
		}
		if n := countAudit(t, db, "case.task_delegate"); n != 11 {
			t.Errorf("%d delegations audited, want 11", n)
		}
		if _, err := w.cases.Delegate(ctx, account.Actor(w.outsider, "10.0.0.2"), w.outsider, k.ID,
			TaskInput{TypeID: types[0].ID, DelegateTo: w.lw.ID, Guidance: "x"}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("delegating from off the care team: %v, want forbidden", err)
		}
		if _, err := w.cases.Delegate(ctx, account.Actor(w.ot, "10.0.0.1"), w.ot, k.ID,
			TaskInput{TypeID: types[0].ID, DelegateTo: w.lw.ID, Guidance: "x", DueOn: "2020-02-30"}); fieldMessage(err, "due_on") == "" {
			t.Errorf("an impossible due date: %v", err)
		}
	})
}

func TestTaskLifecycle(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		k := w.jointCase(t, 0, w.ot)
		types, _ := w.cases.TaskTypes(ctx)
		task, err := w.cases.Delegate(ctx, account.Actor(w.ot, "10.0.0.1"), w.ot, k.ID,
			TaskInput{TypeID: types[0].ID, DelegateTo: w.lw.ID, Guidance: "Meet at the library door.", DueOn: "2099-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		if task.Status != TaskOpen || task.DelegatedToName != w.lw.Name || task.DueOn != "2099-01-01" || task.Type.Clinical {
			t.Errorf("delegated task: %+v", task)
		}
		if unread, _ := notify.NewInbox(db).Unread(ctx, w.lw.ID); len(unread) != 1 || unread[0].Kind != KindTask {
			t.Errorf("the delegate's notifications: %+v", unread)
		}
		if mine, _ := w.cases.TasksFor(ctx, w.lw.ID); len(mine) != 1 {
			t.Errorf("the delegate's open tasks: %+v", mine)
		}
		lw := account.Actor(w.lw, "10.0.0.2")
		if err := w.cases.CompleteTask(ctx, lw, w.outsider, task.ID, task.Version, "Done"); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a stranger completing the task: %v", err)
		}
		if err := w.cases.CompleteTask(ctx, lw, w.lw, task.ID, task.Version, ""); fieldMessage(err, "outcome") == "" {
			t.Errorf("completing without an outcome: %v", err)
		}
		if err := w.cases.CompleteTask(ctx, lw, w.lw, task.ID, task.Version, "Went with her; she is going back next week."); err != nil {
			t.Fatal(err)
		}
		if err := w.cases.CancelTask(ctx, lw, w.ot, task.ID, task.Version+1, "Not needed"); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("cancelling a done task: %v", err)
		}
		if mine, _ := w.cases.TasksFor(ctx, w.lw.ID); len(mine) != 0 {
			t.Errorf("open tasks after completion: %+v", mine)
		}
	})
}

func TestNeedsClinicalInput(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		inbox := notify.NewInbox(db)
		lw := account.Actor(w.lw, "10.0.0.2")
		// A link-worker-led case with no OT on its care team: the team's OTs hear of it.
		k := w.jointCase(t, 0, w.lw)
		if err := w.cases.EndWorker(ctx, lw, k.ID, k.Team[1].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.cases.FlagClinicalInput(ctx, lw, w.lw, k.ID, ""); fieldMessage(err, "reason") == "" {
			t.Errorf("flagging without a reason: %v", err)
		}
		if _, err := w.cases.FlagClinicalInput(ctx, lw, w.outsider, k.ID, "Keeps falling"); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("flagging from off the care team: %v", err)
		}
		f, err := w.cases.FlagClinicalInput(ctx, lw, w.lw, k.ID, "She has fallen twice this month and struggles with the stairs.")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.cases.FlagClinicalInput(ctx, lw, w.lw, k.ID, "Again"); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a second open flag: %v", err)
		}
		if unread, _ := inbox.Unread(ctx, w.ot.ID); len(unread) != 1 || unread[0].Kind != KindClinicalInput || unread[0].Link != caseLink(k.ID) {
			t.Errorf("the team OT's notifications: %+v", unread)
		}
		if unread, _ := inbox.Unread(ctx, w.lw.ID); len(unread) != 0 {
			t.Errorf("the link worker notified of their own flag: %+v", unread)
		}
		queue, err := w.cases.ClinicalInputQueue(ctx, w.ot)
		if err != nil || len(queue) != 1 || queue[0].ID != f.ID || queue[0].PersonName != "Person NumberA" || queue[0].RaisedByName != w.lw.Name {
			t.Errorf("OT queue: %+v, %v", queue, err)
		}
		if _, err := w.cases.ClinicalInputQueue(ctx, w.lw); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a link worker's clinical input queue: %v", err)
		}
		if err := w.cases.ResolveClinicalInput(ctx, lw, w.lw, f.ID, "Sorted"); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a link worker resolving: %v", err)
		}
		ot := account.Actor(w.ot, "10.0.0.1")
		if err := w.cases.ResolveClinicalInput(ctx, ot, w.ot, f.ID, "Falls assessment booked for Tuesday."); err != nil {
			t.Fatal(err)
		}
		if err := w.cases.ResolveClinicalInput(ctx, ot, w.ot, f.ID, "Again"); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("resolving twice: %v", err)
		}
		if queue, _ := w.cases.ClinicalInputQueue(ctx, w.ot); len(queue) != 0 {
			t.Errorf("queue after resolving: %+v", queue)
		}
		flags, _ := w.cases.CaseClinicalInput(ctx, k.ID)
		if len(flags) != 1 || flags[0].ResolvedBy != w.ot.ID || flags[0].ResolvedAt == nil || flags[0].Resolution == "" {
			t.Errorf("resolved flag: %+v", flags)
		}
		if n := countAudit(t, db, "case.clinical_input_resolve"); n != 1 {
			t.Errorf("%d resolutions audited", n)
		}
	})
}
