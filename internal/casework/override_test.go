package casework

import (
	"context"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestEmergencyOverride(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		start := time.Date(2026, 3, 2, 22, 15, 0, 0, time.UTC)
		w.cases.now = func() time.Time { return start }
		p1, p2 := w.refer(t, 0).PersonID, w.refer(t, 1).PersonID
		actor := account.Actor(w.outsider, "10.0.0.3")
		reason := "Out of hours call: daughter reports she has not been seen for two days."

		if _, err := w.cases.GrantOverride(ctx, actor, w.outsider, p1, "  urgent, sorry     ", 0); fieldMessage(err, "reason") == "" {
			t.Errorf("a short reason: %v", err)
		}
		if _, err := w.cases.GrantOverride(ctx, actor, w.gp, p1, reason, 0); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a referrer overriding: %v", err)
		}
		if _, err := w.cases.GrantOverride(ctx, actor, w.outsider, p1, reason, 24*time.Hour); fieldMessage(err, "duration") == "" {
			t.Errorf("a day-long override: %v", err)
		}
		if _, err := w.cases.GrantOverride(ctx, actor, w.outsider, 999999, reason, 0); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("an unknown person: %v", err)
		}
		o, err := w.cases.GrantOverride(ctx, actor, w.outsider, p1, reason, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !o.StartsAt.Equal(start) || o.EndsAt.Sub(o.StartsAt) != time.Hour {
			t.Errorf("override window: %v to %v, want one hour from %v", o.StartsAt, o.EndsAt, start)
		}
		for _, c := range []struct {
			what   string
			user   int64
			person int64
			at     time.Time
			want   bool
		}{
			{"before it starts", w.outsider.ID, p1, start.Add(-time.Minute), false},
			{"at the start", w.outsider.ID, p1, start, true},
			{"half an hour in", w.outsider.ID, p1, start.Add(30 * time.Minute), true},
			{"at the end", w.outsider.ID, p1, start.Add(time.Hour), false},
			{"after it", w.outsider.ID, p1, start.Add(61 * time.Minute), false},
			{"another person", w.outsider.ID, p2, start.Add(time.Minute), false},
			{"another user", w.lw.ID, p1, start.Add(time.Minute), false},
		} {
			if got, err := w.cases.ActiveOverride(ctx, c.user, c.person, c.at); err != nil || got != c.want {
				t.Errorf("%s: %t, %v; want %t", c.what, got, err, c.want)
			}
		}
		list, err := w.cases.OverridesForReview(ctx, start.Add(-24*time.Hour))
		if err != nil || len(list) != 1 || list[0].Reason != reason || list[0].UserName != w.outsider.Name || list[0].PersonName != "Person NumberA" {
			t.Errorf("overrides for review: %+v, %v", list, err)
		}
		if later, _ := w.cases.OverridesForReview(ctx, start.Add(time.Minute)); len(later) != 0 {
			t.Errorf("overrides since after it started: %+v", later)
		}
		page, err := audit.List(ctx, db, audit.Filter{Action: "access.override"})
		if err != nil || page.Total != 1 {
			t.Fatalf("override audit: %+v, %v", page, err)
		}
		e := page.Entries[0]
		if e.Reason != reason || e.RecordType != "person" || e.RecordID != audit.RecordID(p1) || e.ActorID != w.outsider.ID {
			t.Errorf("override audit entry: %+v", e)
		}
	})
}
