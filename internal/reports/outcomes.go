package reports

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
)

// pairs is every ONS4 answer given at both the baseline and the follow-up of the cases that
// closed in the period, by pathway and item, and how many cases closed on each pathway.
type pairs struct {
	diffs  map[referral.Pathway]map[string]Sums
	closed map[referral.Pathway]int
}

// closedCases reads what happened on the cases that closed in the period: how many on each
// pathway with their ONS4 differences, and their lengths, contacts and connections. The
// closed cases' figure serves both, so it is read once.
func closedCases(ctx context.Context, c store.Conn, f Filter) (pairs, activity, error) {
	p := pairs{diffs: map[referral.Pathway]map[string]Sums{}, closed: map[referral.Pathway]int{}}
	a := activity{contacts: Histogram{}, lengths: Histogram{}}
	closed, err := figures(ctx, c, f, "closed")
	if err != nil {
		return p, a, err
	}
	for _, g := range closed {
		p.closed[referral.Pathway(g.pathway)] += int(g.n)
		a.lengths[float64(max(g.v, 0))] += int(g.n)
		a.connections += int(g.s1)
		a.attended += int(g.s2)
	}
	// The differences are added up in the database, exactly, as integers.
	diffs, err := figures(ctx, c, f, "ons4")
	if err != nil {
		return p, a, err
	}
	for _, g := range diffs {
		pw := referral.Pathway(g.pathway)
		if p.diffs[pw] == nil {
			p.diffs[pw] = map[string]Sums{}
		}
		p.diffs[pw][g.k1] = p.diffs[pw][g.k1].Plus(Sums{N: int(g.n), Sum: float64(g.s1), SumSq: float64(g.s2)})
	}
	contacts, err := figures(ctx, c, f, "contacts")
	for _, g := range contacts {
		a.contacts[float64(g.v)] += int(g.n)
	}
	return p, a, err
}

// pairDiffs is every case's follow-up answer minus its baseline answer, item by item: what the
// triggers keep in ons4_pairs.
const pairDiffs = `SELECT rb.case_id, b.item_code, a.value - b.value AS diff FROM outcome_responses rb
		JOIN outcome_responses rf ON rf.case_id = rb.case_id AND rf.instrument_code = 'ons4' AND rf.timepoint = 'follow_up'
		JOIN outcome_answers b ON b.response_id = rb.id
		JOIN outcome_answers a ON a.response_id = rf.id AND a.item_code = b.item_code
		WHERE rb.instrument_code = 'ons4' AND rb.timepoint = 'baseline'`

// all joins every pathway's differences for an item.
func (p pairs) all(item string) Sums {
	var out Sums
	for _, pw := range referral.Pathways {
		out = out.Plus(p.diffs[pw][item])
	}
	return out
}

func (p pairs) totalClosed() int {
	n := 0
	for _, v := range p.closed {
		n += v
	}
	return n
}

// changeCells is a change as shown: its n, mean and interval, hidden when n is hidden.
func changeCells(ch Change, n Cell) []string {
	if n.Suppressed || ch.N == 0 {
		return []string{n.Text(), "", ""}
	}
	ci := ""
	if ch.N > 1 {
		ci = fmt.Sprintf("%s to %s", signedFixed(ch.Low), signedFixed(ch.High))
	}
	return []string{n.Text(), signedFixed(ch.Mean), ci}
}

func signedFixed(v float64) string {
	if math.Abs(v) < 0.005 {
		return "0.00"
	}
	return fmt.Sprintf("%+.2f", v)
}

func changeBar(label string, ch Change, n Cell) Bar {
	if n.Suppressed || ch.N == 0 {
		return Bar{Label: label, Text: n.Text() + " pairs", Hidden: true}
	}
	b := Bar{Label: label, Value: ch.Mean, Text: signedFixed(ch.Mean)}
	if ch.N > 1 {
		lo, hi := ch.Low, ch.High
		b.Low, b.High = &lo, &hi
	}
	return b
}

// itemSection is the paired change in each ONS4 item with its completion rate.
func (p pairs) itemSection(suppress bool) Section {
	sec := Section{ID: "outcomes", Title: "Change in ONS4 personal wellbeing", ChartTitle: "Mean change from baseline to follow-up, with 95% confidence intervals",
		Columns: []string{"Item", "People with both measures (n)", "Mean change", "95% confidence interval"},
		Note:    "Each item is scored 0 to 10 and reported on its own. For anxiety a fall is an improvement. Only people measured at both the baseline and the follow-up count."}
	closed := SuppressEach([]int{p.totalClosed()}, suppress)[0]
	var first Change
	for i, it := range ons4.Items {
		ch := p.all(it.Code).Change()
		n := completion(ch.N, p.totalClosed(), suppress)
		label := it.Label
		if it.Reverse {
			label += " (lower is better)"
		}
		sec.Rows = append(sec.Rows, Row{Label: label, Cells: changeCells(ch, n)})
		sec.Bars = append(sec.Bars, changeBar(label, ch, n))
		if i == 0 {
			first = ch
			rate, ok := share(n, closed)
			switch {
			case !ok:
				sec.Headline = "Too few cases closed with measures before and after to report a change."
			case ch.N > 1:
				sec.Headline = fmt.Sprintf("Of %s cases that closed, %s (%s) were measured before and after: life satisfaction changed by %s points on average (95%% CI %s to %s).",
					closed.Text(), n.Text(), rate, signedFixed(first.Mean), signedFixed(first.Low), signedFixed(first.High))
			}
		}
	}
	sec.Rows = append(sec.Rows, Row{Label: "Cases closed in the period", Cells: []string{closed.Text(), "", ""}, Total: true})
	return sec
}

// completion hides a count of pairs when it, or the cases closed without one, is small: the
// completion rate would otherwise give one from the other.
func completion(n, closed int, suppress bool) Cell {
	cells, _ := SuppressCounts([]int{n, closed - n}, suppress)
	return cells[0]
}

// pathwaySection sets OT-led, link-worker-led and joint pathways side by side.
func (p pairs) pathwaySection(suppress bool) Section {
	sec := Section{ID: "pathways", Title: "Pathways side by side", ChartTitle: "Mean change in life satisfaction by pathway, with 95% confidence intervals",
		Columns: []string{"Pathway", "Cases closed", "With both measures (n)"},
		Note: "People were not randomised to pathways: OT-led cases are chosen for more complex needs, so differences between pathways " +
			"may come from who is on them rather than from the pathway itself. Read them as a description, not as evidence that one works better."}
	for _, it := range ons4.Items {
		sec.Columns = append(sec.Columns, it.Label+": mean change (95% CI)")
	}
	closedCounts := make([]int, len(referral.Pathways))
	pairCounts := make([]int, len(referral.Pathways))
	for i, pw := range referral.Pathways {
		closedCounts[i], pairCounts[i] = p.closed[pw], p.diffs[pw][ons4.Items[0].Code].N
	}
	closedCells, _ := SuppressCounts(closedCounts, suppress)
	pairCells, _ := SuppressCounts(pairCounts, suppress)
	for i, pw := range referral.Pathways {
		row := Row{Label: pw.Label(), Cells: []string{closedCells[i].Text(), pairCells[i].Text()}}
		for _, it := range ons4.Items {
			ch := p.diffs[pw][it.Code].Change()
			cells := changeCells(ch, pairCells[i])
			row.Cells = append(row.Cells, strings.TrimSpace(cells[1]+" ("+cells[2]+")"))
			if cells[1] == "" {
				row.Cells[len(row.Cells)-1] = ""
			}
		}
		sec.Rows = append(sec.Rows, row)
		sec.Bars = append(sec.Bars, changeBar(pw.Label(), p.diffs[pw][ons4.Items[0].Code].Change(), pairCells[i]))
	}
	return sec
}

// activity is what happened on the cases that closed in the period: their lengths in whole
// days and their contacts, as histograms, and the connections made and attended.
type activity struct {
	contacts, lengths     Histogram
	connections, attended int
}

func (a activity) sections(suppress bool) []Section {
	n := SuppressEach([]int{a.lengths.N()}, suppress)[0]
	sec := Section{ID: "activity", Title: "Contacts, case length and connections", ChartTitle: "Connections made and attended",
		Columns: []string{"Measure", "Value"}}
	sec.Rows = append(sec.Rows, Row{Label: "Cases closed in the period", Cells: []string{n.Text()}})
	if n.Suppressed || n.N == 0 {
		sec.Headline = "Too few cases closed in the period to describe them."
		return []Section{sec}
	}
	conns, _ := SuppressCounts([]int{a.attended, a.connections - a.attended}, suppress)
	made := Cell{N: a.connections, Suppressed: suppress && small(a.connections)}
	sec.Rows = append(sec.Rows,
		Row{Label: "Contacts per case, median", Cells: []string{fmt.Sprintf("%.1f", a.contacts.Percentile(50))}},
		Row{Label: "Contacts per case, mean", Cells: []string{fmt.Sprintf("%.1f", a.contacts.Mean())}},
		Row{Label: "Case length in days, median", Cells: []string{fmt.Sprintf("%.0f", a.lengths.Percentile(50))}},
		Row{Label: "Case length in days, 90th percentile", Cells: []string{fmt.Sprintf("%.0f", a.lengths.Percentile(90))}},
		Row{Label: "Connections to activities made", Cells: []string{made.Text()}},
		Row{Label: "Connections where the person went at least once", Cells: []string{conns[0].Text()}})
	sec.Bars = []Bar{{Label: "Made", Value: float64(a.connections), Text: made.Text(), Hidden: made.Suppressed},
		{Label: "Attended", Value: float64(a.attended), Text: conns[0].Text(), Hidden: conns[0].Suppressed}}
	sec.Headline = fmt.Sprintf("Cases that closed lasted %.0f days at the median, with %.1f contacts each.", a.lengths.Percentile(50), a.contacts.Percentile(50))
	return []Section{sec}
}
