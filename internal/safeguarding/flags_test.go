package safeguarding

import (
	"context"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestRiskFlags(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		actor := account.Actor(w.lw, "10.0.0.2")
		if _, err := w.safeguarding.RaiseFlag(ctx, actor, w.personID, "grumpy", ""); fieldMessage(err, "kind") == "" {
			t.Errorf("an unknown kind: %v", err)
		}
		if _, err := w.safeguarding.RaiseFlag(ctx, actor, 999999, Falls, ""); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("a flag on nobody: %v", err)
		}
		falls, err := w.safeguarding.RaiseFlag(ctx, actor, w.personID, Falls, "Two falls since January")
		if err != nil {
			t.Fatal(err)
		}
		if falls.Kind != Falls || falls.RaisedBy != w.lw.ID || falls.RaisedByName != "lw" || !falls.Current() {
			t.Errorf("raised flag: %+v", falls)
		}
		if _, err := w.safeguarding.RaiseFlag(ctx, actor, w.personID, Falls, "Again"); fieldMessage(err, "kind") == "" {
			t.Errorf("the same flag twice: %v", err)
		}
		if _, err := w.safeguarding.RaiseFlag(ctx, actor, w.personID, LoneWorkerRisk, "Dog on the premises"); err != nil {
			t.Fatal(err)
		}
		if flags, err := w.safeguarding.Flags(ctx, w.personID); err != nil || len(flags) != 2 || flags[1].Kind.Label() != "Risk to lone workers on home visits" {
			t.Errorf("current flags: %+v, %v", flags, err)
		}
		if err := w.safeguarding.RemoveFlag(ctx, actor, w.personID+1, falls.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("removing through another person: %v", err)
		}
		if err := w.safeguarding.RemoveFlag(ctx, actor, w.personID, falls.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.safeguarding.RemoveFlag(ctx, actor, w.personID, falls.ID); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("removing twice: %v", err)
		}
		if flags, _ := w.safeguarding.Flags(ctx, w.personID); len(flags) != 1 || flags[0].Kind != LoneWorkerRisk {
			t.Errorf("flags after removal: %+v", flags)
		}
		if _, err := w.safeguarding.RaiseFlag(ctx, actor, w.personID, Falls, "Fell again in March"); err != nil {
			t.Errorf("raising a removed kind again: %v", err)
		}
		for action, want := range map[string]int{"risk_flag.raise": 3, "risk_flag.remove": 1} {
			p, err := audit.List(ctx, db, audit.Filter{Action: action, RecordType: "person", RecordID: audit.RecordID(w.personID)})
			if err != nil || p.Total != want {
				t.Errorf("%s audited %d times, want %d (%v)", action, p.Total, want, err)
			}
		}
	})
}
