package casework

import (
	"context"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestPlanValidation(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		k := w.recordsCase(t, 0)
		actor := account.Actor(w.ot, "10.0.0.1")
		goals := []struct {
			name   string
			in     GoalInput
			fields []string
		}{
			{"nothing entered", GoalInput{}, []string{"goal", "target"}},
			{"target in the past", GoalInput{Text: "Walk to the shops", Target: day(-1)}, []string{"target"}},
			{"not a real date", GoalInput{Text: "Walk to the shops", Target: person.DateParts{Day: "31", Month: "2", Year: "2027"}}, []string{"target"}},
			{"part of a date", GoalInput{Text: "Walk to the shops", Target: person.DateParts{Day: "1", Year: "2027"}}, []string{"target"}},
			{"two-digit year", GoalInput{Text: "Walk to the shops", Target: person.DateParts{Day: "1", Month: "1", Year: "27"}}, []string{"target"}},
			{"too long", GoalInput{Text: strings.Repeat("x", 1001), Target: day(10)}, []string{"goal"}},
		}
		for _, c := range goals {
			_, err := w.cases.AddGoal(ctx, actor, k.ID, c.in)
			wantFields(t, c.name, err, c.fields...)
		}
		if _, err := w.cases.AddGoal(ctx, actor, k.ID+100, GoalInput{Text: "Walk", Target: day(1)}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("a goal on an unknown case: %v", err)
		}
		g, err := w.cases.AddGoal(ctx, actor, k.ID, GoalInput{Text: "Walk to the shops", Target: day(0)})
		if err != nil {
			t.Fatalf("a goal due today: %v", err)
		}
		actions := []struct {
			name   string
			in     ActionInput
			fields []string
		}{
			{"nothing entered", ActionInput{}, []string{"action", "owner", "due"}},
			{"worker not on the team", ActionInput{Text: "Book a taxi", Owner: OwnerWorker, OwnerUserID: w.outsider.ID, Due: day(3)}, []string{"owner_user"}},
			{"no worker chosen", ActionInput{Text: "Book a taxi", Owner: OwnerWorker, Due: day(3)}, []string{"owner_user"}},
			{"someone else unnamed", ActionInput{Text: "Book a taxi", Owner: OwnerOther, OwnerName: " ", Due: day(3)}, []string{"owner_name"}},
			{"due in the past", ActionInput{Text: "Book a taxi", Owner: OwnerPerson, Due: day(-3)}, []string{"due"}},
		}
		for _, c := range actions {
			_, err := w.cases.AddAction(ctx, actor, g.ID, c.in)
			wantFields(t, c.name, err, c.fields...)
		}
		reviews := []struct {
			name   string
			in     ReviewInput
			fields []string
		}{
			{"no note", ReviewInput{}, []string{"note"}},
			{"in the future", ReviewInput{On: day(1), Note: "Going well"}, []string{"on"}},
			{"reviewer not on the team", ReviewInput{Note: "Going well", ReviewedBy: w.outsider.ID}, []string{"reviewed_by"}},
		}
		for _, c := range reviews {
			_, err := w.cases.AddReview(ctx, actor, k.ID, c.in)
			wantFields(t, c.name, err, c.fields...)
		}
		if err := w.cases.UpdateGoalStatus(ctx, actor, g.ID, "finished", g.Version); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("an unknown goal status: %v", err)
		}
		if p, _ := w.cases.Plan(ctx, k.ID); len(p.Goals) != 1 || len(p.Goals[0].Actions) != 0 || len(p.Reviews) != 0 {
			t.Errorf("refused changes left something in the plan: %+v", p)
		}
	})
}

func TestPlanGoalsActionsAndReviews(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		k := w.recordsCase(t, 0)
		ot, lw := account.Actor(w.ot, "10.0.0.1"), account.Actor(w.lw, "10.0.0.2")
		walk, err := w.cases.AddGoal(ctx, ot, k.ID, GoalInput{Text: "  I want to walk to the paper shop on my own ", Target: day(42)})
		if err != nil {
			t.Fatal(err)
		}
		if walk.Text != "I want to walk to the paper shop on my own" || walk.TargetOn != "2026-07-27" || walk.Status != GoalActive || walk.Version != 1 {
			t.Errorf("new goal: %+v", walk)
		}
		friends, err := w.cases.AddGoal(ctx, lw, k.ID, GoalInput{Text: "Make a friend", Target: day(90)})
		if err != nil {
			t.Fatal(err)
		}
		add := func(goal int64, in ActionInput) Action {
			t.Helper()
			a, err := w.cases.AddAction(ctx, ot, goal, in)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		rail := add(walk.ID, ActionInput{Text: "Fit a grab rail by the front step", Owner: OwnerWorker, OwnerUserID: w.ot.ID, Due: day(14)})
		practise := add(walk.ID, ActionInput{Text: "Practise the walk with Sam", Owner: OwnerOther, OwnerName: "Sam (son)", Due: day(21)})
		ring := add(walk.ID, ActionInput{Text: "Ring the GP about new glasses", Owner: OwnerPerson, Due: day(7)})
		club := add(friends.ID, ActionInput{Text: "Find a lunch club", Owner: OwnerWorker, OwnerUserID: w.lw.ID, Due: day(10)})
		if rail.OwnerName != w.ot.Name || rail.Status != ActionToDo || practise.OwnerLabel() != "Sam (son)" || ring.OwnerLabel() != "The person" {
			t.Errorf("actions: %+v / %+v / %+v", rail, practise, ring)
		}
		if err := w.cases.UpdateActionStatus(ctx, lw, rail.ID, ActionInProgress, rail.Version); err != nil {
			t.Fatal(err)
		}
		if err := w.cases.UpdateActionStatus(ctx, ot, rail.ID, ActionDone, rail.Version); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a stale action update: %v, want conflict", err)
		}
		if err := w.cases.UpdateActionStatus(ctx, ot, rail.ID, ActionDone, rail.Version+1); err != nil {
			t.Fatal(err)
		}
		if err := w.cases.UpdateActionStatus(ctx, ot, club.ID, "lost", club.Version); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("an unknown action status: %v", err)
		}
		if err := w.cases.UpdateGoalStatus(ctx, ot, friends.ID, GoalStopped, friends.Version); err != nil {
			t.Fatal(err)
		}
		if err := w.cases.UpdateGoalStatus(ctx, ot, friends.ID, GoalAchieved, friends.Version); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a stale goal update: %v, want conflict", err)
		}
		if _, err := w.cases.AddAction(ctx, ot, friends.ID, ActionInput{Text: "Try again", Owner: OwnerPerson, Due: day(1)}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("an action under a stopped goal: %v, want conflict", err)
		}
		if _, err := w.cases.AddReview(ctx, lw, k.ID, ReviewInput{On: day(-7), Note: "First look at the plan"}); err != nil {
			t.Fatal(err)
		}
		r, err := w.cases.AddReview(ctx, ot, k.ID, ReviewInput{Note: "Rail fitted; practising with Sam", With: "Person and Sam"})
		if err != nil {
			t.Fatal(err)
		}
		if r.On != "2026-06-15" || r.ReviewedBy != w.ot.ID || r.ReviewerName != w.ot.Name || r.With != "Person and Sam" {
			t.Errorf("review defaulting to today and the actor: %+v", r)
		}

		p, err := w.cases.Plan(ctx, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Goals) != 2 || p.Goals[0].ID != walk.ID || p.Goals[1].Status != GoalStopped || p.Goals[1].Version != 2 {
			t.Fatalf("goals: %+v", p.Goals)
		}
		var got []string
		for _, a := range p.Goals[0].Actions {
			got = append(got, a.Text+"/"+string(a.Status))
		}
		want := []string{"Ring the GP about new glasses/to_do", "Fit a grab rail by the front step/done", "Practise the walk with Sam/to_do"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("actions by due date: %v, want %v", got, want)
		}
		if len(p.Goals[1].Actions) != 1 || p.Goals[1].Actions[0].OwnerName != w.lw.Name {
			t.Errorf("second goal's actions: %+v", p.Goals[1].Actions)
		}
		if len(p.Reviews) != 2 || p.Reviews[0].ID != r.ID || p.Reviews[1].On != "2026-06-08" || p.Reviews[1].ReviewedBy != w.lw.ID {
			t.Errorf("reviews, newest first: %+v", p.Reviews)
		}
		if _, err := w.cases.Plan(ctx, k.ID+100); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("plan of an unknown case: %v", err)
		}
		if err := w.cases.UpdateGoalStatus(ctx, ot, walk.ID+100, GoalAchieved, 1); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("an unknown goal: %v", err)
		}
	})
}
