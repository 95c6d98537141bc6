package reports

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
)

// Unmet needs and barriers by area (DESIGN F11): where referrals end without the person
// reaching any activity, which needs they named, and the barriers people met, by postcode
// district, so that gaps in community provision show.

// shownAreas is how many areas, those with the most referrals, get a row of their own.
const shownAreas = 10

const otherAreas, unknownArea = "All other areas", "Postcode not known"

// attendedStatuses are the connection statuses at which the person went at least once.
const attendedStatuses = "'first_attended', 'attending', 'completed'"

// areaTally is the period's referrals by area: how many, how many ended without reaching an
// activity and the needs those named, and the cases naming each barrier.
type areaTally struct {
	referred, unmet map[string]int
	unmetNeeds      map[string]map[referral.Need]int
	barriers        map[string]map[casework.Barrier]int
}

func newAreaTally() areaTally {
	return areaTally{referred: map[string]int{}, unmet: map[string]int{}, unmetNeeds: map[string]map[referral.Need]int{},
		barriers: map[string]map[casework.Barrier]int{}}
}

// caseBarriers counts, by area, the cases naming each barrier in their "what matters to me"
// or on any of their connections, each case once per barrier.
func caseBarriers(ctx context.Context, c store.Conn, f Filter, t areaTally) error {
	where, args := f.scope("r.created_at")
	from := f.referralsFrom() + ` JOIN people p ON p.id = r.person_id LEFT JOIN cases k ON k.referral_id = r.id WHERE ` + where
	area := c.Dialect().OutwardOf("p.postcode")
	rows, err := c.Query(ctx, `SELECT `+area+`, k.id, wm.barriers `+strings.Replace(from, " WHERE ", " JOIN what_matters wm ON wm.case_id = k.id WHERE ", 1)+
		` AND wm.barriers <> '' UNION ALL SELECT `+area+`, k.id, cn.barriers `+strings.Replace(from, " WHERE ", " JOIN connections cn ON cn.case_id = k.id WHERE ", 1)+
		` AND cn.barriers <> ''`, append(slices.Clone(args), args...)...)
	if err != nil {
		return fmt.Errorf("barriers: %w", err)
	}
	defer rows.Close()
	seen := map[int64]map[casework.Barrier]bool{}
	for rows.Next() {
		var a, list string
		var id int64
		if err := rows.Scan(&a, &id, &list); err != nil {
			return err
		}
		if seen[id] == nil {
			seen[id] = map[casework.Barrier]bool{}
		}
		for b := range strings.SplitSeq(list, ",") {
			if b := casework.Barrier(strings.TrimSpace(b)); b.Valid() && !seen[id][b] {
				seen[id][b] = true
				if t.barriers[a] == nil {
					t.barriers[a] = map[casework.Barrier]int{}
				}
				t.barriers[a][b]++
			}
		}
	}
	return rows.Err()
}

// areas are the rows of the area tables: the areas with the most referrals, then the rest
// together, and the areas each row covers.
func (t areaTally) areas() (labels []string, members [][]string) {
	all := make([]string, 0, len(t.referred))
	for a := range t.referred {
		all = append(all, a)
	}
	slices.SortFunc(all, func(a, b string) int {
		return cmp.Or(cmp.Compare(t.referred[b], t.referred[a]), cmp.Compare(a, b))
	})
	for i, a := range all {
		if i == shownAreas {
			labels, members = append(labels, otherAreas), append(members, all[i:])
			break
		}
		label := a
		if a == "" {
			label = unknownArea
		}
		labels, members = append(labels, label), append(members, []string{a})
	}
	return labels, members
}

func (t areaTally) sections(suppress bool) []Section {
	labels, members := t.areas()
	return []Section{t.unmetSection(labels, members, suppress), t.barrierSection(labels, members, suppress)}
}

func (t areaTally) unmetSection(labels []string, members [][]string, suppress bool) Section {
	grid := make([][]int, len(labels))
	needs := make([]map[referral.Need]int, len(labels))
	for i, areas := range members {
		grid[i], needs[i] = []int{0, 0}, map[referral.Need]int{}
		for _, a := range areas {
			grid[i][0] += t.unmet[a]
			grid[i][1] += t.referred[a] - t.unmet[a]
			for n, v := range t.unmetNeeds[a] {
				needs[i][n] += v
			}
		}
	}
	cells, referred, totals := SuppressGrid(grid, suppress)
	if len(totals) == 0 { // no referrals at all
		totals = make([]Cell, 2)
	}
	sec := Section{ID: "unmet", Title: "Unmet needs by area", ChartTitle: "Share of referrals that ended without the person reaching an activity, by area",
		Columns: []string{"Area (postcode district)", "Referrals", "Ended without reaching an activity", "Share (%)", "Need most often named on those"},
		Note: "A referral ended without reaching an activity when it was declined, or its case closed with no connection the person went to. " +
			"Areas are the postcode districts people live in; the ten with the most referrals are shown on their own."}
	for i, label := range labels {
		rate, ok := share(cells[i][0], referred[i])
		top := ""
		if !cells[i][0].Suppressed {
			top = topNeed(needs[i])
		}
		sec.Rows = append(sec.Rows, Row{Label: label, Cells: []string{referred[i].Text(), cells[i][0].Text(), rate, top}})
		bar := Bar{Label: label, Text: "too few to show", Hidden: true}
		if ok {
			bar = Bar{Label: label, Value: 100 * float64(cells[i][0].N) / float64(referred[i].N), Text: rate}
		}
		sec.Bars = append(sec.Bars, bar)
	}
	whole := Cell{N: totals[0].N + totals[1].N, Suppressed: suppress && small(totals[0].N+totals[1].N)}
	sec.Rows = append(sec.Rows, Row{Label: "Total", Total: true, Cells: []string{whole.Text(), totals[0].Text(), "", ""}})
	all := map[referral.Need]int{}
	for _, m := range needs {
		for n, v := range m {
			all[n] += v
		}
	}
	if rate, ok := share(totals[0], whole); ok && totals[0].N > 0 {
		sec.Headline = fmt.Sprintf("%s of referrals ended without the person reaching an activity; the need they named most often was %s.",
			rate, strings.ToLower(topNeed(all)))
	} else {
		sec.Headline = "Too few referrals ended without reaching an activity to describe them."
	}
	return sec
}

// topNeed is the need named most often, the first in the coded list on a tie; empty for none.
func topNeed(counts map[referral.Need]int) string {
	best := -1
	for i, n := range referral.Needs {
		if counts[n] > 0 && (best < 0 || counts[n] > counts[referral.Needs[best]]) {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	return referral.Needs[best].Label()
}

func (t areaTally) barrierSection(labels []string, members [][]string, suppress bool) Section {
	sec := Section{ID: "barriers", Title: "Barriers to taking part by area", ChartTitle: "People meeting each barrier, in every area",
		Columns: []string{"Area (postcode district)"},
		Note: "The people whose \"what matters to me\" or connections to activities name each barrier. One person can meet several, " +
			"so a row does not add up; each column does, and is suppressed as a group."}
	rows := make([]Row, len(labels))
	for i, label := range labels {
		rows[i] = Row{Label: label}
	}
	total := Row{Label: "Every area", Total: true}
	best, bestN := -1, 0
	for _, b := range casework.Barriers {
		sec.Columns = append(sec.Columns, shortLabel(b.Label()))
		counts := make([]int, len(labels))
		for i := range labels {
			for _, a := range members[i] {
				counts[i] += t.barriers[a][b]
			}
		}
		cells, all := SuppressCounts(counts, suppress)
		for i, c := range cells {
			rows[i].Cells = append(rows[i].Cells, c.Text())
		}
		total.Cells = append(total.Cells, all.Text())
		sec.Bars = append(sec.Bars, Bar{Label: shortLabel(b.Label()), Value: float64(all.N), Text: all.Text(), Hidden: all.Suppressed})
		if !all.Suppressed && all.N > bestN {
			best, bestN = len(sec.Bars)-1, all.N
		}
	}
	sec.Rows = append(rows, total)
	if best < 0 {
		sec.Headline = "Too few barriers were recorded to report them."
	} else {
		sec.Headline = fmt.Sprintf("The barrier people met most often was %s, for %d people.", strings.ToLower(sec.Bars[best].Label), bestN)
	}
	return sec
}

// shortLabel is a label without its bracketed examples.
func shortLabel(s string) string {
	before, _, _ := strings.Cut(s, " (")
	return before
}
