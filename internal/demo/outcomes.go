package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/outcomes"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
)

// recordMeasures gives a demo case its wellbeing measures, as far along as its stage: most
// cases have an ONS4 baseline (one in ten is still due) and a third a goal attainment one;
// some have a review between; cases at stage 7 (never the demo OT's own, whose caseload the
// browser tests expect to have no closed cases) are measured again and closed here, one in
// five without a follow-up and with the reason; cases at stage 9, which settle closes, are measured again first. The
// changes are spread around a modest improvement, smaller on the OT-led pathway, whose people
// have more complex needs, as a real service's would be.
func recordMeasures(ctx context.Context, d Casework, k casework.Case, lead account.User, i, stage int) error {
	if d.Outcomes == nil {
		return nil
	}
	rng := rand.New(rand.NewPCG(uint64(k.ID), 6))
	actor := account.Actor(lead, "demo")
	if stage < 7 && rng.IntN(10) == 0 {
		return nil // the baseline is still due
	}
	base := [4]int{clamp(rng.NormFloat64()*2 + 4.5), clamp(rng.NormFloat64()*2 + 5), clamp(rng.NormFloat64()*2.2 + 4.5), clamp(rng.NormFloat64()*2.5 + 6)}
	if err := recordONS4(ctx, d, actor, lead, k.ID, outcomes.Baseline, base); err != nil {
		return err
	}
	goals := i%3 == 0
	if goals {
		if _, err := d.Outcomes.Record(ctx, actor, outcomes.RecordInput{CaseID: k.ID, Instrument: "goals", Timepoint: outcomes.Baseline, UserID: lead.ID,
			Form: map[string]string{"goal1-text": demoGoals[i%len(demoGoals)], "goal1": fmt.Sprint(rng.IntN(4))}}); err != nil {
			return fmt.Errorf("goals baseline: %w", err)
		}
	}
	switch {
	case stage >= 4 && stage <= 6:
		return recordONS4(ctx, d, actor, lead, k.ID, outcomes.Interim, improve(rng, base, k.Pathway, 0.5))
	case stage == 9:
		return followUp(ctx, d, rng, actor, lead, k, base, goals)
	case stage == 7:
		return closeMeasured(ctx, d, rng, actor, lead, k, base, goals)
	}
	return nil
}

var demoGoals = []string{"Get to the lunch club on my own", "Walk to the park and back", "Sort out my bills",
	"Ring my daughter every week", "Sleep better", "Go swimming again"}

func followUp(ctx context.Context, d Casework, rng *rand.Rand, actor audit.Actor, lead account.User, k casework.Case, base [4]int, goals bool) error {
	if err := recordONS4(ctx, d, actor, lead, k.ID, outcomes.FollowUp, improve(rng, base, k.Pathway, 1)); err != nil {
		return err
	}
	if !goals {
		return nil
	}
	_, err := d.Outcomes.Record(ctx, actor, outcomes.RecordInput{CaseID: k.ID, Instrument: "goals", Timepoint: outcomes.FollowUp, UserID: lead.ID,
		Form: map[string]string{"goal1": fmt.Sprint(4 + rng.IntN(7))}})
	return err
}

// closeMeasured closes a case after its follow-up, or, for one in five, without one and says why.
func closeMeasured(ctx context.Context, d Casework, rng *rand.Rand, actor audit.Actor, lead account.User, k casework.Case, base [4]int, goals bool) error {
	missing := outcomes.Missing{}
	if rng.IntN(5) == 0 {
		missing.Reason = []outcomes.MissingReason{"declined", "unreachable"}[rng.IntN(2)]
	} else if err := followUp(ctx, d, rng, actor, lead, k, base, goals); err != nil {
		return err
	}
	fresh, err := d.Cases.Get(ctx, k.ID)
	if err != nil {
		return err
	}
	reason, summary := casework.ClosureReason("goals_met"), "Settled into a weekly group and feels more connected; knows how to come back if things change."
	if missing.Reason == "unreachable" {
		reason, summary = "no_contact", "Could not be reached after several attempts by phone and letter."
	}
	return d.Cases.CloseWith(ctx, actor, k.ID, fresh.Version, reason, summary, func(c store.Conn) error {
		return d.Outcomes.AtClosureIn(ctx, c, actor, lead.ID, k.ID, missing)
	})
}

// improve is a later measure: each item moves by a spread around a typical change, scaled by
// how far through support the person is; anxiety falls.
func improve(rng *rand.Rand, base [4]int, pathway referral.Pathway, share float64) [4]int {
	gain := 1.6
	if pathway == referral.PathwayOTLed {
		gain = 1.1
	}
	return [4]int{
		clamp(float64(base[0]) + share*(gain+rng.NormFloat64()*1.8)),
		clamp(float64(base[1]) + share*(gain*0.8+rng.NormFloat64()*1.8)),
		clamp(float64(base[2]) + share*(gain+rng.NormFloat64()*2)),
		clamp(float64(base[3]) - share*(gain+rng.NormFloat64()*2.2)),
	}
}

func clamp(v float64) int { return int(min(10, max(0, v+0.5))) }

func recordONS4(ctx context.Context, d Casework, actor audit.Actor, lead account.User, caseID int64, tp outcomes.Timepoint, v [4]int) error {
	form := map[string]string{"satisfied": fmt.Sprint(v[0]), "worthwhile": fmt.Sprint(v[1]), "happy": fmt.Sprint(v[2]), "anxious": fmt.Sprint(v[3])}
	if _, err := d.Outcomes.Record(ctx, actor, outcomes.RecordInput{CaseID: caseID, Instrument: "ons4", Timepoint: tp, UserID: lead.ID, Form: form}); err != nil {
		return fmt.Errorf("ONS4 %s: %w", tp, err)
	}
	return nil
}
