package casework

import (
	"context"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func handover(oversightUntil string) HandoverInput {
	return HandoverInput{NeedsAddressed: "Falls risk assessed; grab rails fitted.", GoalsRemaining: "\"I want to get back to the choir.\"",
		RisksEscalation: "Any new fall, or not leaving the house for a week: call the OT.", AgreedWithPerson: true, OversightUntil: oversightUntil}
}

func TestStepDownWithOversight(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		today := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		w.cases.now = func() time.Time { return today }
		k := w.jointCase(t, 0, w.ot)
		ot := account.Actor(w.ot, "10.0.0.1")
		lw := account.Actor(w.lw, "10.0.0.2")

		notAgreed := handover("")
		notAgreed.AgreedWithPerson = false
		if _, err := w.cases.OfferStepDown(ctx, ot, w.ot, k.ID, w.lw, notAgreed); fieldMessage(err, "agreed_with_person") == "" {
			t.Errorf("a handover not agreed with the person: %v", err)
		}
		if _, err := w.cases.OfferStepDown(ctx, ot, w.ot, k.ID, w.gp, handover("")); fieldMessage(err, "to") == "" {
			t.Errorf("handing to a GP: %v", err)
		}
		if _, err := w.cases.OfferStepDown(ctx, lw, w.lw, k.ID, w.outsider, handover("")); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a link worker stepping down: %v", err)
		}
		if _, err := w.cases.OfferStepDown(ctx, ot, w.ot, k.ID, w.lw, handover("2027-03-02")); fieldMessage(err, "oversight_until") == "" {
			t.Errorf("oversight for a year: %v", err)
		}

		h, err := w.cases.OfferStepDown(ctx, ot, w.ot, k.ID, w.lw, handover("2026-04-01"))
		if err != nil {
			t.Fatal(err)
		}
		if h.Status != HandoverOffered || h.ToName != w.lw.Name || !h.AgreedWithPerson {
			t.Errorf("offered handover: %+v", h)
		}
		if _, err := w.cases.OfferStepDown(ctx, ot, w.ot, k.ID, w.lw, handover("")); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a second handover while one waits: %v", err)
		}
		if waiting, _ := w.cases.HandoversFor(ctx, w.lw.ID); len(waiting) != 1 {
			t.Errorf("handovers waiting for the link worker: %+v", waiting)
		}
		if err := w.cases.AcceptStepDown(ctx, ot, w.outsider, h.ID); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("someone else accepting: %v", err)
		}
		if err := w.cases.AcceptStepDown(ctx, lw, w.lw, h.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.cases.AcceptStepDown(ctx, lw, w.lw, h.ID); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("accepting twice: %v", err)
		}
		if err := w.cases.DeclineStepDown(ctx, lw, w.lw, h.ID, "Too late"); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("declining after accepting: %v", err)
		}
		got, _ := w.cases.Get(ctx, k.ID)
		lead, _ := got.Lead()
		if lead.UserID != w.lw.ID || got.Pathway != referral.PathwayLinkWorkerLed || got.Version != k.Version+1 {
			t.Errorf("after acceptance: lead %+v, pathway %s, version %d", lead, got.Pathway, got.Version)
		}
		if m, ok := got.currentMember(w.ot.ID); !ok || m.Lead {
			t.Errorf("the OT keeping oversight should stay on the care team, not as lead: %+v", got.Team)
		}

		for _, c := range []struct {
			day  string
			want int
		}{{"2026-03-02", 1}, {"2026-04-01", 1}, {"2026-04-02", 0}} {
			d, _ := time.Parse(time.DateOnly, c.day)
			list, err := w.cases.OversightCases(ctx, w.ot.ID, d)
			if err != nil || len(list) != c.want {
				t.Errorf("oversight cases on %s: %+v, %v; want %d", c.day, list, err, c.want)
			}
			if len(list) == 1 && (list[0].CaseID != k.ID || list[0].OversightUntil != "2026-04-01" || list[0].Lead != w.lw.Name) {
				t.Errorf("oversight row: %+v", list[0])
			}
		}
		if list, _ := w.cases.OversightCases(ctx, w.lw.ID, today); len(list) != 0 {
			t.Errorf("the link worker oversees %+v", list)
		}
		if n, err := w.cases.EndLapsedOversight(ctx, ot, today); err != nil || n != 0 {
			t.Errorf("ending oversight before it lapses: %d, %v", n, err)
		}
		if n, err := w.cases.EndLapsedOversight(ctx, ot, time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)); err != nil || n != 1 {
			t.Errorf("ending lapsed oversight: %d, %v", n, err)
		}
		if got, _ := w.cases.Get(ctx, k.ID); func() bool { _, ok := got.currentMember(w.ot.ID); return ok }() {
			t.Errorf("the OT is still on the care team after oversight lapsed: %+v", got.Team)
		}
		for action, want := range map[string]int{"case.stepdown_offer": 1, "case.stepdown_accept": 1, "case.oversight_end": 1} {
			if n := countAudit(t, db, action); n != want {
				t.Errorf("%s audited %d times, want %d", action, n, want)
			}
		}
	})
}

func TestStepDownToSomeoneNewAndDecline(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		k := w.jointCase(t, 0, w.ot)
		ot := account.Actor(w.ot, "10.0.0.1")

		h, err := w.cases.OfferStepDown(ctx, ot, w.ot, k.ID, w.outsider, handover(""))
		if err != nil {
			t.Fatal(err)
		}
		out := account.Actor(w.outsider, "10.0.0.3")
		if err := w.cases.DeclineStepDown(ctx, out, w.outsider, h.ID, " "); fieldMessage(err, "decline_reason") == "" {
			t.Errorf("declining without a reason: %v", err)
		}
		if err := w.cases.DeclineStepDown(ctx, out, w.outsider, h.ID, "My caseload is full until May."); err != nil {
			t.Fatal(err)
		}
		hs, _ := w.cases.Handovers(ctx, k.ID)
		if len(hs) != 1 || hs[0].Status != HandoverDeclined || hs[0].DeclineReason == "" || hs[0].DecidedAt == nil {
			t.Errorf("declined handover: %+v", hs)
		}
		if got, _ := w.cases.Get(ctx, k.ID); got.Pathway != referral.PathwayJoint {
			t.Errorf("a declined handover changed the pathway to %s", got.Pathway)
		}

		// Offered again, withdrawn, then offered and accepted by a link worker not yet on the team.
		h, err = w.cases.OfferStepDown(ctx, ot, w.ot, k.ID, w.outsider, handover(""))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.cases.WithdrawStepDown(ctx, out, w.outsider, h.ID); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("the receiver withdrawing: %v", err)
		}
		if err := w.cases.WithdrawStepDown(ctx, ot, w.ot, h.ID); err != nil {
			t.Fatal(err)
		}
		h, err = w.cases.OfferStepDown(ctx, ot, w.ot, k.ID, w.outsider, handover(""))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.cases.AcceptStepDown(ctx, out, w.outsider, h.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := w.cases.Get(ctx, k.ID)
		lead, _ := got.Lead()
		if lead.UserID != w.outsider.ID || lead.Role != account.LinkWorker {
			t.Errorf("new lead: %+v", lead)
		}
		if _, ok := got.currentMember(w.ot.ID); ok {
			t.Errorf("the OT without oversight is still on the care team: %+v", got.Team)
		}
		if list, _ := w.cases.OversightCases(ctx, w.ot.ID, time.Now()); len(list) != 0 {
			t.Errorf("oversight without an oversight date: %+v", list)
		}
		// Nobody but the lead OT can step a case down: the OT is no longer on it.
		if _, err := w.cases.OfferStepDown(ctx, ot, w.ot, k.ID, w.lw, handover("")); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("stepping down a case the OT no longer leads: %v", err)
		}
	})
}
