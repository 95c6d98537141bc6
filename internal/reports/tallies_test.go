package reports

import (
	"context"
	"fmt"
	"github.com/linkwell/linkwell/internal/audit"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

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
			for range rng.IntN(3) {
				day := time.Now().UTC()
				failed, minutes := rng.IntN(3) == 0, "20"
				if failed {
					minutes = ""
				}
				if _, err := cases.RecordContact(ctx, actor, k.ID, casework.ContactInput{Type: casework.ContactPhone, Failed: failed,
					Date: person.DateParts{Day: fmt.Sprint(day.Day()), Month: fmt.Sprint(int(day.Month())), Year: fmt.Sprint(day.Year())},
					Time: "00:01", Minutes: minutes, WorkerIDs: []int64{w.lw.ID}}); err != nil {
					t.Fatal(err)
				}
			}
			for range rng.IntN(3) {
				if _, err := cases.AddConnection(ctx, actor, k.ID, casework.ConnectionInput{Activity: "Walking group", Organisation: "Ramblers",
					Status: casework.ConnReferred, Barriers: []string{"transport"}}); err != nil {
					t.Fatal(err)
				}
			}
			if rng.IntN(4) > 0 {
				k, err = cases.Get(ctx, k.ID)
				if err != nil {
					t.Fatal(err)
				}
				reason := []casework.ClosureReason{"goals_met", "no_contact"}[rng.IntN(2)]
				if err := cases.Close(ctx, actor, k.ID, k.Version, reason, "Done"); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Corrections no service offers yet: an answer changed, an answer removed, a follow-up
		// recorded against the wrong case moved to another; and, to spread the records over
		// months so that the monthly and daily tallies both count, referrals and cases moved
		// back in time, a person's details changed, a referral declined, a postcode's
		// deprivation learnt.
		for _, stmt := range []string{
			`UPDATE referrals SET created_at = ` + shiftDays(db, "created_at", "id * 9") + ` WHERE id % 3 <> 0`,
			`UPDATE cases SET opened_at = ` + shiftDays(db, "opened_at", "referral_id * 9") + `, closed_at = ` + shiftDays(db, "closed_at", "referral_id * 9 - 20") + ` WHERE referral_id % 3 <> 0`,
			`UPDATE case_contacts SET contact_at = ` + shiftDays(db, "contact_at", "case_id * 8") + ` WHERE case_id % 2 = 0`,
			`UPDATE people SET sex = 'female', postcode = 'LS6 1AA', practice_ods = 'B86001' WHERE id % 4 = 0`,
			`UPDATE people SET date_of_birth = '2001-06-30', ethnic_category = 'H' WHERE id % 5 = 0`,
			`INSERT INTO postcodes (postcode, outward, latitude, longitude, imd_decile) VALUES ('LS6 1AA', 'LS6', 53.8, -1.57, 3)`,
			`UPDATE referrals SET status = 'rejected' WHERE id = (SELECT MAX(id) FROM referrals)`,
			`UPDATE case_workers SET to_on = '2026-01-15' WHERE case_id % 4 = 1`,
			`UPDATE connections SET status = 'first_attended' WHERE id % 3 = 0`,
			`UPDATE connections SET status = 'completed' WHERE id % 3 = 1`,
			`UPDATE outcome_answers SET value = 10 - value WHERE item_code = 'happy'`,
			`DELETE FROM outcome_answers WHERE item_code = 'worthwhile' AND response_id = (SELECT MIN(id) FROM outcome_responses WHERE timepoint = 'follow_up')`,
			`UPDATE outcome_responses SET timepoint = 'interim' WHERE id = (SELECT MAX(id) FROM outcome_responses WHERE timepoint = 'follow_up')`,
		} {
			if err := db.Tx(ctx, func(c store.Conn) error { _, err := c.Exec(ctx, stmt); return err }); err != nil {
				t.Fatal(err)
			}
		}
		assertTalliesMatch(t, db, w)
		// Folding the log of changes into the tally changes no figure and empties the log.
		logged := queryRows(t, db, `SELECT COUNT(*) FROM dash_tally_log`)
		if logged[0][0] == "0" {
			t.Fatal("no change reached the tally's log")
		}
		folded, err := NewService(db).FoldTallies(ctx)
		if err != nil || fmt.Sprint(folded) != logged[0][0] {
			t.Fatalf("folded %d changes of %s: %v", folded, logged[0][0], err)
		}
		if n := queryRows(t, db, `SELECT COUNT(*) FROM dash_tally_log`)[0][0]; n != "0" {
			t.Errorf("%s changes left in the log after folding", n)
		}
		assertTalliesMatch(t, db, w)
		before := ons4PairRows(t, db)
		if len(before) == 0 {
			t.Fatal("no pairs kept")
		}
		kept := dumpTallies(t, db)
		if err := NewService(db).RebuildTallies(ctx, audit.System); err != nil {
			t.Fatal(err)
		}
		if after := ons4PairRows(t, db); !reflect.DeepEqual(before, after) {
			t.Errorf("rebuilt pairs differ from kept ones:\n%v\n%v", before, after)
		}
		if rebuilt := dumpTallies(t, db); !reflect.DeepEqual(kept, rebuilt) {
			t.Errorf("rebuilt tallies differ from kept ones")
		}
	})
}

// shiftDays is an expression moving a timestamp column back by a number of days.
func shiftDays(db *store.DB, col, days string) string {
	if db.Dialect == store.Postgres {
		return col + " - (" + days + ") * INTERVAL '1 day'"
	}
	return "strftime('%Y-%m-%d %H:%M:%f+00:00', " + col + ", '-' || (" + days + ") || ' days')"
}

// tallyNow is the tally with its log of changes added in, without rows that add up to nothing.
const tallyNow = `SELECT * FROM (SELECT kind, grain, period, source, pathway, k1, k2, k3, v, SUM(n) AS n, SUM(s1) AS s1, SUM(s2) AS s2
	FROM dash_tally_now GROUP BY kind, grain, period, source, pathway, k1, k2, k3, v) x
	WHERE n <> 0 OR s1 <> 0 OR s2 <> 0 ORDER BY kind, grain, period, source, pathway, k1, k2, k3, v`

// assertTalliesMatch checks each layer against what it is worked out from, and the
// dashboards read from the tallies against the same dashboards read from the facts, for
// periods of whole months, parts of months and a single day, with and without filters.
func assertTalliesMatch(t *testing.T, db *store.DB, w world) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []struct{ name, kept, worked string }{
		{"referral facts", `SELECT * FROM referral_facts ORDER BY referral_id`, `SELECT * FROM referral_facts_source ORDER BY referral_id`},
		{"tally", tallyNow,
			`SELECT * FROM (SELECT kind, 'd' AS grain, day AS period, source, pathway, k1, k2, k3, v, SUM(n) AS n, SUM(s1) AS s1, SUM(s2) AS s2
				FROM dash_tally_rows GROUP BY kind, day, source, pathway, k1, k2, k3, v
			UNION ALL SELECT kind, 'm', substr(day, 1, 7), source, pathway, k1, k2, k3, v, SUM(n), SUM(s1), SUM(s2)
				FROM dash_tally_rows GROUP BY kind, substr(day, 1, 7), source, pathway, k1, k2, k3, v) x
			ORDER BY kind, grain, period, source, pathway, k1, k2, k3, v`},
		{"caseload spans", `SELECT * FROM caseload_spans ORDER BY care_worker_id`, `SELECT * FROM caseload_spans_source ORDER BY care_worker_id`},
	} {
		kept, worked := queryRows(t, db, q.kept), queryRows(t, db, q.worked)
		if len(worked) == 0 {
			t.Errorf("%s: nothing to compare", q.name)
		}
		if !reflect.DeepEqual(kept, worked) {
			t.Errorf("%s kept by triggers differ from the records:\nkept   %v\nworked %v", q.name, kept, worked)
		}
	}
	now := time.Now().UTC()
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	year := Filter{From: now.AddDate(-1, 0, 1), To: now}
	for _, f := range []Filter{
		year,
		{From: thisMonth.AddDate(0, -6, 0), To: thisMonth.AddDate(0, 0, -1)},
		{From: thisMonth.AddDate(0, -2, 10), To: thisMonth.AddDate(0, -1, 3)},
		{From: now, To: now},
		{From: year.From, To: year.To, Pathway: referral.PathwayJoint},
		{From: year.From, To: year.To, Source: referral.SourceGP},
	} {
		tallied, err := NewService(db).Build(ctx, f, false)
		if err != nil {
			t.Fatal(err)
		}
		f.fromFacts = true
		facts, err := NewService(db).Build(ctx, f, false)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(tallied.Sections, facts.Sections) {
			t.Errorf("filter %+v: the dashboard from the tallies differs from the one from the facts", f)
			for i := range tallied.Sections {
				if !reflect.DeepEqual(tallied.Sections[i], facts.Sections[i]) {
					t.Errorf("section %s:\ntally %+v\nfacts %+v", tallied.Sections[i].ID, tallied.Sections[i].Rows, facts.Sections[i].Rows)
				}
			}
		}
	}
	// The ONS4 pairs the facts carry, against the pairs worked out from the answers.
	for _, f := range []Filter{year, {From: year.From, To: year.To, Pathway: referral.PathwayJoint}, {From: year.From, To: year.To, TeamID: w.svc.TeamID}} {
		err := db.ReadTx(ctx, func(c store.Conn) error {
			kept, _, err := closedCases(ctx, c, f)
			if err != nil {
				return err
			}
			raw, err := pairsFromAnswers(ctx, c, f)
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

// pairsFromAnswers works the ONS4 pairs of the cases closed in the period out from the
// responses themselves, as the dashboard counted them before the tallies.
func pairsFromAnswers(ctx context.Context, c store.Conn, f Filter) (pairs, error) {
	p := pairs{diffs: map[referral.Pathway]map[string]Sums{}, closed: map[referral.Pathway]int{}}
	where, args := f.scope("k.closed_at")
	from := "FROM cases k JOIN referrals r ON r.id = k.referral_id JOIN services s ON s.id = k.service_id"
	rows, err := c.Query(ctx, `SELECT k.pathway, COUNT(*) `+from+` WHERE k.status = 'closed' AND `+where+` GROUP BY k.pathway`, args...)
	if err != nil {
		return p, err
	}
	for rows.Next() {
		var pw referral.Pathway
		var n int
		if err := rows.Scan(&pw, &n); err != nil {
			rows.Close()
			return p, err
		}
		p.closed[pw] = n
	}
	rows.Close()
	rows, err = c.Query(ctx, `SELECT k.pathway, d.item_code, COUNT(*), SUM(d.diff), SUM(d.diff * d.diff) `+from+` JOIN (`+pairDiffs+`) d ON d.case_id = k.id
		WHERE k.status = 'closed' AND `+where+` GROUP BY k.pathway, d.item_code`, args...)
	if err != nil {
		return p, err
	}
	defer rows.Close()
	for rows.Next() {
		var pw referral.Pathway
		var item string
		var n, sum, sumSq int64
		if err := rows.Scan(&pw, &item, &n, &sum, &sumSq); err != nil {
			return p, err
		}
		if p.diffs[pw] == nil {
			p.diffs[pw] = map[string]Sums{}
		}
		p.diffs[pw][item] = Sums{N: int(n), Sum: float64(sum), SumSq: float64(sumSq)}
	}
	return p, rows.Err()
}

// dumpTallies is every pre-aggregated row, to compare before and after a rebuild.
func dumpTallies(t *testing.T, db *store.DB) [][]string {
	t.Helper()
	out := queryRows(t, db, `SELECT * FROM referral_facts ORDER BY referral_id`)
	out = append(out, queryRows(t, db, tallyNow)...)
	return append(out, queryRows(t, db, `SELECT * FROM caseload_spans ORDER BY care_worker_id`)...)
}

// queryRows is every row a query returns, each value printed.
func queryRows(t *testing.T, db *store.DB, query string) [][]string {
	t.Helper()
	var out [][]string
	err := db.ReadTx(context.Background(), func(c store.Conn) error {
		rows, err := c.Query(context.Background(), query)
		if err != nil {
			return err
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return err
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			row := make([]string, len(cols))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				// A timestamp worked out by an expression comes back from SQLite as its text.
				if str, ok := v.(string); ok {
					if tm, err := time.Parse("2006-01-02 15:04:05.999999999-07:00", str); err == nil {
						v = tm
					}
				}
				if tm, ok := v.(time.Time); ok {
					v = tm.UTC().Format(time.RFC3339Nano)
				}
				row[i] = fmt.Sprint(v)
			}
			out = append(out, row)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return out
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
