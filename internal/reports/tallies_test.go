package reports

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/outcomes"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// TestTalliesMatchTheRecords makes random changes through the real services (and the edits
// no service makes yet, straight in SQL), then checks that the figures read from the tallies
// equal the figures worked out from the records, and that rebuilding the tallies from scratch
// gives what the triggers kept.
func TestTalliesMatchTheRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		rng := rand.New(rand.NewPCG(6, 19))
		refs := referral.NewService(db, person.NewService(db))
		cases := casework.NewService(db, refs)
		out := outcomes.NewService(db)
		actor := account.Actor(w.lw, "10.0.0.1")
		answers := func() [4]int { return [4]int{rng.IntN(11), rng.IntN(11), rng.IntN(11), rng.IntN(11)} }
		for i := range 30 {
			pathway := referral.Pathways[rng.IntN(len(referral.Pathways))]
			r, err := refs.Submit(ctx, actor, referral.Referrer{Name: "Referrer"}, referral.Input{ServiceID: w.svc.ID, Source: referral.SourceGP,
				Needs: []string{"loneliness"}, ConsentGiven: true, CriteriaMet: referral.CriteriaMet, NotADuplicate: true,
				Person: person.Input{NHSNumber: nhsNumber(100 + i), GivenName: "Person", FamilyName: fmt.Sprint("Random", i),
					DateOfBirth: person.DateParts{Day: "1", Month: "2", Year: "1960"}}})
			if err != nil {
				t.Fatal(err)
			}
			k, err := cases.Open(ctx, actor, r.ID, casework.OpenInput{ReferralVersion: r.Version, Lead: w.lw, Tier: referral.TierTargeted, Pathway: pathway})
			if err != nil {
				t.Fatal(err)
			}
			// Some cases get no measure, some only a baseline (a follow-up needs one first).
			for _, tp := range []outcomes.Timepoint{outcomes.Baseline, outcomes.FollowUp}[:rng.IntN(3)] {
				record(t, out, actor, k.ID, tp, answers())
			}
			if rng.IntN(4) > 0 {
				if err := cases.Close(ctx, actor, k.ID, k.Version, "goals_met", "Done"); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Corrections no service offers yet: an answer changed, an answer removed, a follow-up
		// recorded against the wrong case moved to another.
		for _, stmt := range []string{
			`UPDATE outcome_answers SET value = 10 - value WHERE item_code = 'happy'`,
			`DELETE FROM outcome_answers WHERE item_code = 'worthwhile' AND response_id = (SELECT MIN(id) FROM outcome_responses WHERE timepoint = 'follow_up')`,
			`UPDATE outcome_responses SET timepoint = 'interim' WHERE id = (SELECT MAX(id) FROM outcome_responses WHERE timepoint = 'follow_up')`,
		} {
			if err := db.Tx(ctx, func(c store.Conn) error { _, err := c.Exec(ctx, stmt); return err }); err != nil {
				t.Fatal(err)
			}
		}
		assertTalliesMatch(t, db, w)
		before := ons4PairRows(t, db)
		if len(before) == 0 {
			t.Fatal("no pairs kept")
		}
		if err := NewService(db).RebuildTallies(ctx); err != nil {
			t.Fatal(err)
		}
		if after := ons4PairRows(t, db); !reflect.DeepEqual(before, after) {
			t.Errorf("rebuilt tallies differ from kept ones:\n%v\n%v", before, after)
		}
	})
}

func assertTalliesMatch(t *testing.T, db *store.DB, w world) {
	t.Helper()
	for _, f := range []Filter{w.filter(), {From: w.filter().From, To: w.filter().To, Pathway: referral.PathwayJoint}, {From: w.filter().From, To: w.filter().To, TeamID: w.svc.TeamID}} {
		err := db.ReadTx(context.Background(), func(c store.Conn) error {
			kept, err := countPairs(context.Background(), c, f, pairsFromTally)
			if err != nil {
				return err
			}
			raw, err := countPairs(context.Background(), c, f, pairsFromAnswers)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(kept, raw) {
				t.Errorf("filter %+v: pairs from tallies %+v, from records %+v", f, kept, raw)
			}
			if kept.all("satisfied").N == 0 {
				t.Errorf("filter %+v: no pairs counted", f)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func ons4PairRows(t *testing.T, db *store.DB) []string {
	t.Helper()
	var got []string
	err := db.ReadTx(context.Background(), func(c store.Conn) error {
		rows, err := c.Query(context.Background(), `SELECT case_id, item_code, diff FROM ons4_pairs ORDER BY case_id, item_code`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, diff int64
			var item string
			if err := rows.Scan(&id, &item, &diff); err != nil {
				return err
			}
			got = append(got, fmt.Sprint(id, item, diff))
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}
