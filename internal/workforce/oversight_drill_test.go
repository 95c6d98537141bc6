package workforce

import (
	"context"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// TestOversightDrillDowns checks that every figure of the oversight page drills down to
// exactly the cases or tasks it counts: open cases, a case closed this year (listed by number
// only, since supervision no longer opens it), someone else's case, a task delegated under an
// override and since done, and an ordinary open task; each look audited, and refused to
// anyone who does not supervise the worker.
func TestOversightDrillDowns(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.supervise(t, w.lw, w.sup)
		held := w.openCase(t, 0, w.lw, w.sup)
		w.openCase(t, 1, w.lw)
		closed := w.openCase(t, 2, w.lw)
		if err := w.cases.Close(ctx, account.Actor(w.ot, "x"), closed.ID, closed.Version, "goals_met", "Goals met: she goes to the choir."); err != nil {
			t.Fatal(err)
		}
		w.openCase(t, 3, w.lw2)
		override, open := w.delegateBoth(t, held.ID)

		figs, err := w.work.Oversight(ctx, w.sup, NoContactDays)
		if err != nil || len(figs) != 1 {
			t.Fatalf("oversight: %+v, %v", figs, err)
		}
		f := figs[0]
		if f.Counts[FigOpen] != 2 || f.YearCases != 3 || f.OpenTasks != 1 || f.Overrides != 1 {
			t.Fatalf("figures: %+v", f)
		}
		sup := account.Actor(w.sup, "x")
		counts := map[Figure]int{FigYear: f.YearCases}
		for _, fig := range Figures {
			counts[fig] = f.Counts[fig]
		}
		for fig, want := range counts {
			cases, err := w.work.OversightCases(ctx, sup, w.sup, w.lw.ID, fig, NoContactDays)
			if err != nil || len(cases) != want {
				t.Errorf("%s: %d cases listed, %d counted (%v)", fig, len(cases), want, err)
			}
			for _, k := range cases {
				if (k.CaseID == closed.ID) != (k.PersonName == "") {
					t.Errorf("%s: case %d listed as %q: the closed case, and only it, has no name", fig, k.CaseID, k.PersonName)
				}
			}
		}
		for fig, want := range map[Figure][]int64{FigTasks: {open}, FigOverrides: {override}} {
			tasks, err := w.work.OversightTasks(ctx, sup, w.sup, w.lw.ID, fig)
			if err != nil || len(tasks) != len(want) || tasks[0].TaskID != want[0] || tasks[0].CaseID != held.ID || tasks[0].PersonName == "" {
				t.Errorf("%s: %+v, %v; want task %v on case %d", fig, tasks, err, want, held.ID)
			}
		}
		if tasks, _ := w.work.OversightTasks(ctx, sup, w.sup, w.lw.ID, FigOverrides); len(tasks) == 1 && (tasks[0].OverrideBy != w.sup.Name || tasks[0].Status != "done") {
			t.Errorf("the override: %+v", tasks[0])
		}
		if n, m := countAudit(t, db, "workforce.oversight_cases"), countAudit(t, db, "workforce.oversight_tasks"); n != len(counts) || m != 3 {
			t.Errorf("%d case lists and %d task lists audited", n, m)
		}

		for _, c := range []struct {
			who  account.User
			user int64
		}{{w.sup, w.lw2.ID}, {w.stranger, w.lw.ID}, {w.ot, w.lw.ID}} {
			if _, err := w.work.OversightTasks(ctx, account.Actor(c.who, "x"), c.who, c.user, FigTasks); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s listing %d's tasks: %v", c.who.Name, c.user, err)
			}
			if _, err := w.work.OversightCases(ctx, account.Actor(c.who, "x"), c.who, c.user, FigYear, NoContactDays); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("%s listing %d's year: %v", c.who.Name, c.user, err)
			}
		}
		if _, err := w.work.OversightTasks(ctx, sup, w.sup, w.lw.ID, FigYear); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("cases asked of the task list: %v", err)
		}
		if _, err := w.work.OversightCases(ctx, sup, w.sup, w.lw.ID, FigOverrides, NoContactDays); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("tasks asked of the case list: %v", err)
		}
	})
}

// delegateBoth delegates to the link worker on a case they and their supervisor hold: one task
// under the supervisor's override, which they then complete, and one after a sign-off, left
// open; it returns the two tasks' ids.
func (w world) delegateBoth(t *testing.T, caseID int64) (override, open int64) {
	t.Helper()
	ctx := context.Background()
	types, err := w.cases.TaskTypes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var accompany casework.TaskType
	for _, tt := range types {
		if tt.Name == "Accompany to a first session" {
			accompany = tt
		}
	}
	in := casework.TaskInput{TypeID: accompany.ID, DelegateTo: w.lw.ID, Guidance: "Go with her to the first choir session.",
		OverrideReason: "We did two joint visits; I will review this in supervision next week"}
	first, err := w.cases.Delegate(ctx, account.Actor(w.sup, "x"), w.sup, caseID, in)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.cases.CompleteTask(ctx, account.Actor(w.lw, "x"), w.lw, first.ID, first.Version, "She went and enjoyed it."); err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"SP-CONNECT", "SF-LONE-WORKING"} {
		if err := w.work.SignOff(ctx, account.Actor(w.sup, "x"), w.sup, w.lw.ID, SignOffInput{Code: code, ReviewOn: addDays(w.work.today(), 200)}); err != nil {
			t.Fatal(err)
		}
	}
	in.OverrideReason = ""
	second, err := w.cases.Delegate(ctx, account.Actor(w.ot, "x"), w.ot, caseID, in)
	if err != nil {
		t.Fatal(err)
	}
	return first.ID, second.ID
}
