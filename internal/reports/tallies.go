package reports

import (
	"context"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// RebuildTallies works every pre-aggregated dashboard figure out again from the records, in
// one transaction: the ONS4 pairs, the referrals' facts, the tally and the care-team spans.
// Triggers keep them right on every change, so this is for repair after a restore or a load
// that bypassed them; the tests use it to check the triggers. It is audited as actor's, in
// the same transaction.
func (s *Service) RebuildTallies(ctx context.Context, actor audit.Actor) error {
	err := s.db.Tx(ctx, func(c store.Conn) error {
		err := paused(ctx, c, func() error {
			for _, stmt := range []string{`DELETE FROM ons4_pairs`, `INSERT INTO ons4_pairs (case_id, item_code, diff) ` + pairDiffs,
				`DELETE FROM referral_facts`, `DELETE FROM dash_tally`, `DELETE FROM dash_tally_log`, `DELETE FROM caseload_spans`} {
				if _, err := c.Exec(ctx, stmt); err != nil {
					return err
				}
			}
			return addFacts(ctx, c, "")
		})
		if err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, audit.Event{Action: "dashboards.rebuild", RecordType: "dashboard_tallies"})
	})
	return apperr.Wrap("rebuild dashboard tallies", err)
}

// FoldTallies adds the tally's log of changes into the tally and empties it, in one
// transaction, so that the sum a dashboard reads never changes; it returns how many changes
// it folded. The server runs it every few seconds.
func (s *Service) FoldTallies(ctx context.Context) (int, error) {
	var folded int
	err := s.db.Tx(ctx, func(c store.Conn) error {
		var last int64
		if err := c.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0), COUNT(*) FROM dash_tally_log`).Scan(&last, &folded); err != nil || folded == 0 {
			return err
		}
		if _, err := c.Exec(ctx, `INSERT INTO dash_tally (kind, grain, period, source, pathway, k1, k2, k3, v, n, s1, s2)
			SELECT kind, grain, period, source, pathway, k1, k2, k3, v, SUM(n), SUM(s1), SUM(s2) FROM dash_tally_log WHERE id <= ?
			GROUP BY kind, grain, period, source, pathway, k1, k2, k3, v`+tallyUpsert, last); err != nil {
			return err
		}
		_, err := c.Exec(ctx, `DELETE FROM dash_tally_log WHERE id <= ?`, last)
		return err
	})
	return folded, apperr.Wrap("fold dashboard tallies", err)
}

// tallyUpsert adds rows inserted into dash_tally to the rows already there with their key.
const tallyUpsert = ` ON CONFLICT (kind, grain, period, source, pathway, k1, k2, k3, v)
	DO UPDATE SET n = dash_tally.n + excluded.n, s1 = dash_tally.s1 + excluded.s1, s2 = dash_tally.s2 + excluded.s2`

// LoadInBulk runs load, which inserts new referrals with their cases and care teams and
// returns the referrals' ids, with the dashboard triggers paused inside c's transaction, then
// writes those referrals' facts, tally rows and care-team spans in a few set-based statements:
// row by row, the triggers make a national-scale load several times slower. load must not
// change anything else that the dashboards count.
func LoadInBulk(ctx context.Context, c store.Conn, load func() ([]int64, error)) error {
	return paused(ctx, c, func() error {
		ids, err := load()
		if err != nil || len(ids) == 0 {
			return err
		}
		return addFacts(ctx, c, "WHERE referral_id IN "+store.In(len(ids)), store.Args(ids)...)
	})
}

// paused runs fn with the dashboard triggers paused for c's transaction alone.
func paused(ctx context.Context, c store.Conn, fn func() error) error {
	pause, resume := `INSERT INTO dash_facts_paused (paused) VALUES (1)`, `DELETE FROM dash_facts_paused`
	if c.Dialect() == store.Postgres {
		pause, resume = `SET LOCAL linkwell.facts_paused = 'on'`, `SET LOCAL linkwell.facts_paused = 'off'`
	}
	if _, err := c.Exec(ctx, pause); err != nil {
		return err
	}
	if err := fn(); err != nil {
		return err
	}
	_, err := c.Exec(ctx, resume)
	return err
}

// addFacts writes the facts, tally rows and care-team spans of the referrals where picks out
// (all of them when where is empty), with the triggers paused.
func addFacts(ctx context.Context, c store.Conn, where string, args ...any) error {
	const sums = `source, pathway, k1, k2, k3, v, SUM(n), SUM(s1), SUM(s2) FROM dash_tally_rows `
	for _, stmt := range []string{
		`INSERT INTO referral_facts SELECT * FROM referral_facts_source ` + where,
		`INSERT INTO dash_tally (kind, grain, period, source, pathway, k1, k2, k3, v, n, s1, s2)
			SELECT kind, 'd', day, ` + sums + where + ` GROUP BY kind, day, source, pathway, k1, k2, k3, v` + tallyUpsert,
		`INSERT INTO dash_tally (kind, grain, period, source, pathway, k1, k2, k3, v, n, s1, s2)
			SELECT kind, 'm', substr(day, 1, 7), ` + sums + where + ` GROUP BY kind, substr(day, 1, 7), source, pathway, k1, k2, k3, v` + tallyUpsert,
		`INSERT INTO caseload_spans SELECT * FROM caseload_spans_source ` + where,
	} {
		if _, err := c.Exec(ctx, stmt, args...); err != nil {
			return err
		}
	}
	return nil
}
