package workforce

import (
	"context"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// TestDelegationMatrix delegates every task type to an OT and to a link worker in each
// competence state: missing, overridden by their supervisor, overridden by someone who is not,
// expired, and signed off.
func TestDelegationMatrix(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.supervise(t, w.lw, w.sup)
		k := w.openCase(t, 0, w.lw, w.sup)
		types, err := w.cases.TaskTypes(ctx)
		if err != nil || len(types) != 7 {
			t.Fatalf("task types: %d, %v", len(types), err)
		}
		f, _ := w.work.FrameworkFor(ctx, w.vcse.ID)
		needs := map[string][]Competence{}
		for _, c := range f.Competences {
			for _, tt := range c.TaskTypes {
				needs[tt] = append(needs[tt], c)
			}
		}
		delegate := func(by account.User, tt casework.TaskType, to account.User, reason string) (casework.Task, error) {
			return w.cases.Delegate(ctx, account.Actor(by, "10.0.0.1"), by, k.ID, casework.TaskInput{TypeID: tt.ID, DelegateTo: to.ID,
				Guidance: "Please do this this week.", OverrideReason: reason})
		}
		signAll := func(tt casework.TaskType) {
			for _, c := range needs[tt.Name] {
				if err := w.work.SignOff(ctx, account.Actor(w.sup, "x"), w.sup, w.lw.ID, SignOffInput{Code: c.Code, ReviewOn: addDays(w.work.today(), 200)}); err != nil {
					t.Fatal(err)
				}
			}
		}
		const reason = "She is ready: we did two joint visits and I will review it in supervision"
		for _, tt := range types {
			if _, err := delegate(w.ot, tt, w.ot, ""); err != nil {
				t.Errorf("%s to an OT: %v, want delegated (registration makes an OT competent)", tt.Name, err)
			}
			if tt.Clinical {
				for _, by := range []account.User{w.ot, w.sup} {
					_, err := delegate(by, tt, w.lw, reason)
					if msg := fieldMessage(err, "delegate_to"); !strings.Contains(msg, "is a clinical task") {
						t.Errorf("clinical %s to a link worker from %s with an override: %v, want the clinical refusal", tt.Name, by.Name, err)
					}
				}
				continue
			}
			if len(needs[tt.Name]) == 0 {
				t.Fatalf("the default framework maps no competence to %s", tt.Name)
			}
			// Missing: refused, naming each competence not yet held (an earlier type may have
			// needed some of them) and who can sign it off.
			missing := w.notHeld(t, w.lw, needs[tt.Name])
			_, err := delegate(w.ot, tt, w.lw, "")
			msg := fieldMessage(err, "delegate_to")
			for _, c := range missing {
				if !strings.Contains(msg, c.Name+" ("+c.Code+"): not signed off") {
					t.Errorf("%s with nothing signed off: %q does not name %s", tt.Name, msg, c.Code)
				}
			}
			if !strings.Contains(msg, "helen can sign these off as their supervisor") {
				t.Errorf("%s refusal does not say who can sign off: %q", tt.Name, msg)
			}
			// An override by someone who does not supervise the delegate is refused.
			if _, err := delegate(w.ot, tt, w.lw, reason); !strings.Contains(fieldMessage(err, "override_reason"), "supervisor") {
				t.Errorf("%s overridden by a non-supervisor: %v", tt.Name, err)
			}
			if _, err := delegate(w.sup, tt, w.lw, "because"); fieldMessage(err, "override_reason") == "" {
				t.Errorf("%s overridden with a short reason: %v", tt.Name, err)
			}
			// Overridden by the supervisor: delegated, with the reason on the task.
			task, err := delegate(w.sup, tt, w.lw, reason)
			if err != nil || task.OverrideByName != "helen" || task.OverrideReason != reason || len(task.OverrideMissing) != len(missing) {
				t.Errorf("%s overridden by the supervisor: %+v, %v", tt.Name, task, err)
			}
			// Expired: a sign-off whose review date has passed counts as none.
			w.at(-800, func() {
				for _, c := range needs[tt.Name] {
					if err := w.work.SignOff(ctx, account.Actor(w.sup, "x"), w.sup, w.lw.ID, SignOffInput{Code: c.Code, ReviewOn: addDays(w.work.today(), 400)}); err != nil {
						t.Fatal(err)
					}
				}
			})
			if _, err := delegate(w.ot, tt, w.lw, ""); !strings.Contains(fieldMessage(err, "delegate_to"), "sign-off expired on") {
				t.Errorf("%s with expired sign-offs: %v", tt.Name, err)
			}
			// Signed off: delegated with no override.
			signAll(tt)
			if task, err := delegate(w.ot, tt, w.lw, ""); err != nil || task.OverrideByName != "" {
				t.Errorf("%s with every competence signed off: %+v, %v", tt.Name, task, err)
			}
		}
		if n := countAudit(t, db, "case.task_override"); n != 4 {
			t.Errorf("%d overrides audited, want one for each non-clinical type", n)
		}
		// Each override comes back to the supervisor for review in supervision, and to no one else.
		review, err := w.work.OverridesToReview(ctx, w.sup.ID)
		if err != nil || len(review) != 4 || review[0].Reason != reason || review[0].Delegate != "tom" || review[0].Missing == "" {
			t.Errorf("overrides to review: %+v, %v", review, err)
		}
		if other, _ := w.work.OverridesToReview(ctx, w.ot.ID); len(other) != 0 {
			t.Errorf("someone who supervises nobody has overrides to review: %+v", other)
		}
	})
}

// notHeld returns the competences of cs that u does not hold today.
func (w world) notHeld(t *testing.T, u account.User, cs []Competence) []Competence {
	t.Helper()
	rec, err := w.work.Competences(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []Competence
	for _, c := range cs {
		for _, row := range rec.Rows {
			if row.Code == c.Code && !row.Standing.Competent() {
				out = append(out, c)
			}
		}
	}
	return out
}

func TestSignOffRules(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.supervise(t, w.lw, w.sup)
		sup := account.Actor(w.sup, "x")
		future := addDays(w.work.today(), 180)
		if err := w.work.SignOff(ctx, sup, w.ot, w.lw.ID, SignOffInput{Code: "SP-CONNECT", ReviewOn: future}); err == nil {
			t.Error("an OT who does not supervise the worker signed off a competence")
		}
		if err := w.work.SignOff(ctx, sup, w.sup, w.lw2.ID, SignOffInput{Code: "SP-CONNECT", ReviewOn: future}); err == nil {
			t.Error("a supervisor signed off someone they do not supervise")
		}
		for _, c := range []struct{ review, field string }{{"", "review_on"}, {"2020-02-30", "review_on"}, {w.work.today(), "review_on"},
			{addDays(w.work.today(), 366*4), "review_on"}} {
			if err := w.work.SignOff(ctx, sup, w.sup, w.lw.ID, SignOffInput{Code: "SP-CONNECT", ReviewOn: c.review}); fieldMessage(err, c.field) == "" {
				t.Errorf("review date %q: %v", c.review, err)
			}
		}
		if err := w.work.SignOff(ctx, sup, w.sup, w.lw.ID, SignOffInput{Code: "NOPE", ReviewOn: future}); fieldMessage(err, "competence") == "" {
			t.Errorf("a code outside the framework: %v", err)
		}
		if err := w.work.RecordEvidence(ctx, account.Actor(w.lw, "x"), w.lw, w.lw.ID, "SP-CONNECT", "Went with Mrs A to the walking group twice."); err != nil {
			t.Fatal(err)
		}
		if err := w.work.RecordEvidence(ctx, account.Actor(w.lw2, "x"), w.lw2, w.lw.ID, "SP-CONNECT", "Saw it"); err == nil {
			t.Error("a colleague recorded evidence for someone else")
		}
		if err := w.work.SignOff(ctx, sup, w.sup, w.lw.ID, SignOffInput{Code: "SP-CONNECT", ReviewOn: addDays(w.work.today(), 30), Note: "Observed"}); err != nil {
			t.Fatal(err)
		}
		rec, _ := w.work.Competences(ctx, w.lw.ID)
		for _, row := range rec.Rows {
			if row.Code == "SP-CONNECT" && (row.Standing != Expiring || len(row.Evidence) != 1 || row.Latest.SignedByName != "helen") {
				t.Errorf("signed-off row: %+v", row)
			}
		}
		if rec.Expiring() != 1 || rec.Gaps() != len(rec.Rows)-1 {
			t.Errorf("expiring %d, gaps %d of %d", rec.Expiring(), rec.Gaps(), len(rec.Rows))
		}
		if n := countAudit(t, db, "workforce.signoff"); n != 1 {
			t.Errorf("%d sign-offs audited, want 1", n)
		}
	})
}
