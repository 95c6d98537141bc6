package demo

import (
	"context"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store/storetest"
	"github.com/linkwell/linkwell/internal/workforce"
)

// TestDemoWorkforce loads the demo's supervision structure and checks what a supervisor
// opening Linkwell would find: supervisees across the two organisations, a spread of
// competences, past sessions about cases, an urgent question waiting and an override to review.
func TestDemoWorkforce(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	people := person.NewService(db)
	refs := referral.NewService(db, people)
	orgs := organisation.NewService(db)
	d := Casework{Accounts: account.NewService(db), Orgs: orgs, People: people, Referrals: refs, Cases: casework.NewService(db, refs)}
	work := workforce.NewService(db, orgs)
	d.Cases.CheckCompetenceWith(work)
	if _, err := LoadIfEmpty(ctx, d.Accounts, d.Orgs); err != nil {
		t.Fatal(err)
	}
	if err := LoadCasework(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := LoadWorkforce(ctx, Workforce{Accounts: d.Accounts, Cases: d.Cases, Work: work}); err != nil {
		t.Fatal(err)
	}
	sup, _ := d.Accounts.UserByEmail(ctx, "supervisor@linkwell.demo")
	tom, _ := d.Accounts.UserByEmail(ctx, "linkworker@linkwell.demo")

	rows, err := work.Oversight(ctx, sup, workforce.NoContactDays)
	if err != nil || len(rows) != 3 {
		t.Fatalf("oversight: %+v, %v", rows, err)
	}
	overdue := 0
	for _, r := range rows {
		if r.Overdue {
			overdue++
		}
		if r.Counts[workforce.FigOpen] == 0 || r.LastSession == "" || r.Capacity == 0 {
			t.Errorf("%s: %+v, want open cases, a last session and a capacity", r.Name, r)
		}
	}
	if overdue != 1 {
		t.Errorf("%d supervisees overdue for supervision, want one to show the flag", overdue)
	}
	p, _ := work.Profile(ctx, tom.ID)
	if len(p.Supervisors) != 1 || !p.Supervisors[0].CrossOrg {
		t.Errorf("the charity's link worker is not supervised across organisations: %+v", p.Supervisors)
	}
	rec, _ := work.Competences(ctx, tom.ID)
	standings := map[workforce.Standing]int{}
	for _, row := range rec.Rows {
		standings[row.Standing]++
	}
	for _, s := range []workforce.Standing{workforce.Signed, workforce.Expiring, workforce.Expired, workforce.Missing} {
		if standings[s] == 0 {
			t.Errorf("the link worker has no competence %s: %v", s, standings)
		}
	}
	if hist, _ := work.SessionsWith(ctx, tom.ID); len(hist) != 3 {
		t.Errorf("sessions with the link worker: %+v", hist)
	}
	queue, _ := work.AdviceQueue(ctx, sup.ID)
	if len(queue) != 1 || queue[0].Urgency != workforce.Urgent {
		t.Errorf("advice queue: %+v, want the one urgent question", queue)
	}
	k, _ := d.Cases.Get(ctx, queue[0].CaseID)
	tasks, _ := d.Cases.Tasks(ctx, k.ID)
	overrides := 0
	for _, task := range tasks {
		if task.OverrideByName == sup.Name {
			overrides++
		}
	}
	if len(tasks) != 2 || overrides != 1 {
		t.Errorf("delegations on the shared case: %+v, want two with one overridden", tasks)
	}
	if tr, _ := work.TrainingRecord(ctx, tom, tom.ID); len(tr) != 3 {
		t.Errorf("training record: %+v", tr)
	}
}
