package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/linkwell/linkwell/internal/store"
)

// The dashboards read their figures from two layers the database's triggers keep right
// (migration dashboard_facts, docs/dashboards.md): referral_facts, one row per referral with
// everything a figure counts it by, and dash_tally, those rows added up by day and by month
// (with the changes not yet folded into it, dash_tally_now).
// The view dash_tally_rows says which rows each referral adds to each figure ("kind").

// figure is one line of a figure's rows added up: what it is counted by, and the count and
// the sums beside it.
type figure struct {
	source, pathway string
	k1, k2, k3      string
	v               int64
	n, s1, s2       int64
}

// figures reads one kind of figure for the filter's period, added up by source, pathway, k1,
// k2, k3 and v. A filter by organisation, team or practice reads the referrals' facts; any
// other reads the tally, whole months from the monthly rows and the days either side from the
// daily ones.
func figures(ctx context.Context, c store.Conn, f Filter, kind string) ([]figure, error) {
	f, err := f.withSites(ctx, c)
	if err != nil {
		return nil, err
	}
	const cols = `source, pathway, k1, k2, k3, v, SUM(n), SUM(s1), SUM(s2)`
	const group = ` GROUP BY source, pathway, k1, k2, k3, v`
	// kind is one of this package's constants, written into the query so that the planner
	// leaves out the view's other figures rather than testing each row against a parameter.
	var query string
	var args []any
	if f.fromFacts || f.bySite() || f.Practice != "" {
		query = `SELECT ` + cols + ` FROM dash_tally_rows WHERE kind = '` + kind + `' AND at >= ? AND at < ?`
		args = append(args, f.From.UTC(), f.end())
		if f.bySite() {
			cond, ids := f.sitesIn("service_id")
			query += ` AND ` + cond
			args = append(args, ids...)
		}
		if f.Practice != "" {
			query += ` AND practice = ?`
			args = append(args, f.Practice)
		}
	} else {
		periods, pargs := f.tallyPeriods()
		query = `SELECT ` + cols + ` FROM dash_tally_now WHERE kind = '` + kind + `' AND (` + periods + `)`
		args = append(args, pargs...)
	}
	if f.Source != "" {
		query += ` AND source = ?`
		args = append(args, f.Source)
	}
	if f.Pathway != "" {
		query += ` AND pathway = ?`
		args = append(args, f.Pathway)
	}
	rows, err := c.Query(ctx, query+group, args...)
	if err != nil {
		return nil, fmt.Errorf("%s figures: %w", kind, err)
	}
	defer rows.Close()
	var out []figure
	for rows.Next() {
		var g figure
		if err := rows.Scan(&g.source, &g.pathway, &g.k1, &g.k2, &g.k3, &g.v, &g.n, &g.s1, &g.s2); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// tallyPeriods is the condition on dash_tally's grain and period that covers the filter's
// days once each: the whole months inside it from the monthly rows, and the days before the
// first whole month and after the last from the daily rows.
func (f Filter) tallyPeriods() (string, []any) {
	from, to := day(f.From), day(f.To)
	first := from
	if first.Day() != 1 {
		first = time.Date(first.Year(), first.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	}
	after := to.AddDate(0, 0, 1) // the first day after the period
	last := time.Date(after.Year(), after.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	const days = `(grain = 'd' AND period >= ? AND period <= ?)`
	if last.Before(first) { // no whole month
		return days, []any{from.Format(time.DateOnly), to.Format(time.DateOnly)}
	}
	return `(grain = 'm' AND period >= ? AND period <= ?) OR ` + days + ` OR ` + days,
		[]any{first.Format("2006-01"), last.Format("2006-01"),
			from.Format(time.DateOnly), first.AddDate(0, 0, -1).Format(time.DateOnly),
			last.AddDate(0, 1, 0).Format(time.DateOnly), to.Format(time.DateOnly)}
}

// day is the UTC calendar day of t, as the tallies count days.
func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
