package reports

import (
	"context"
	"fmt"

	"github.com/linkwell/linkwell/internal/store"
)

// caseloadBands group workers by how many people they supported in the period: the lower
// bound of each band, the last open-ended.
var caseloadBands = []int{1, 50, 100, 150, 200, 250}

// caseloads is how many people each worker supported in the period, as a histogram: the
// cases open at some time in the period on which the worker was on the care team.
func caseloads(ctx context.Context, c store.Conn, f Filter) (Histogram, error) {
	narrow, args := f.narrowing()
	from, to := f.From.Format("2006-01-02"), f.To.Format("2006-01-02")
	rows, err := c.Query(ctx, `SELECT n, COUNT(*) FROM (SELECT w.user_id, COUNT(DISTINCT k.id) AS n
		`+f.casesFrom()+` JOIN case_workers w ON w.case_id = k.id
		WHERE k.opened_at < ? AND (k.closed_at IS NULL OR k.closed_at >= ?) AND w.from_on <= ? AND (w.to_on = '' OR w.to_on >= ?)
		AND `+narrow+` GROUP BY w.user_id) x GROUP BY n`, append([]any{f.end(), f.From.UTC(), to, from}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("caseloads: %w", err)
	}
	return scanHistogram(rows)
}

func caseloadSection(h Histogram, suppress bool) Section {
	counts := make([]int, len(caseloadBands))
	labels := make([]string, len(caseloadBands))
	for i, lo := range caseloadBands {
		if i+1 < len(caseloadBands) {
			labels[i] = fmt.Sprintf("%d to %d people", lo, caseloadBands[i+1]-1)
		} else {
			labels[i] = fmt.Sprintf("%d or more people", lo)
		}
		for v, n := range h {
			if int(v) >= lo && (i+1 == len(caseloadBands) || int(v) < caseloadBands[i+1]) {
				counts[i] += n
			}
		}
	}
	sec := countSection("caseload", "Caseload per worker", "People supported in the period", labels, counts, suppress)
	sec.Columns[1] = "Workers"
	sec.ChartTitle = "Workers by the number of people they supported in the period"
	sec.Note = "People supported are the cases a worker was on the care team of at some time in the period. " +
		"Surveys put a full-time link worker's caseload at 200 to 250 people a year."
	workers := sec.Rows[len(sec.Rows)-1].Cells[0]
	if h.N() < SmallNumber+1 && suppress || h.N() == 0 {
		sec.Headline = "Too few workers to describe their caseloads."
		return sec
	}
	sec.Rows = append(sec.Rows, Row{Label: "Median people per worker", Cells: []string{fmt.Sprintf("%.0f", h.Percentile(50))}})
	noun := "workers"
	if workers == "1" {
		noun = "worker"
	}
	sec.Headline = fmt.Sprintf("%s %s supported a median of %.0f people each in the period.", workers, noun, h.Percentile(50))
	return sec
}
