package reports

import (
	"fmt"
	"strconv"

	"github.com/linkwell/linkwell/internal/person"
)

// Equality breakdowns (DESIGN F11, §3.1): the period's referrals, and how many were declined
// and how many completed, by age band, sex, ethnic group and deprivation quintile, so that a
// service sees whom it reaches and whom it loses.

// How a referral ended, as counted here.
const (
	endedOther = iota
	endedDeclined
	endedCompleted
	endings
)

// completedReasons are the closure reasons that count as completing support.
const completedReasons = "'goals_met', 'stepped_down'"

// equalityKey is one combination of the groups a referral falls in.
type equalityKey struct {
	dim               string // which of the four the key gives: age, sex, ethnic or decile
	band, sex, ethnic string
	quintile          int // 1 for the most deprived fifth to 5; 0 when not known
}

// equalityTally is the period's referrals by group and by how they ended.
type equalityTally map[equalityKey][endings]int

// group is one row of a breakdown: its label and which referrals belong to it.
type group struct {
	label string
	in    func(equalityKey) bool
}

func (t equalityTally) sections(suppress bool) []Section {
	var bands, sexes, ethnic, quintiles []group
	for _, b := range ageBands {
		bands = append(bands, group{b, func(k equalityKey) bool { return k.dim == "age" && k.band == b }})
	}
	for _, s := range person.Sexes {
		sexes = append(sexes, group{s.Label(), func(k equalityKey) bool { return k.dim == "sex" && k.sex == string(s) }})
	}
	for _, e := range person.EthnicCategories {
		ethnic = append(ethnic, group{e.Label(), func(k equalityKey) bool { return k.dim == "ethnic" && k.ethnic == string(e) }})
	}
	for q := 1; q <= 5; q++ {
		label := "Quintile " + strconv.Itoa(q)
		switch q {
		case 1:
			label += " (most deprived)"
		case 5:
			label += " (least deprived)"
		}
		quintiles = append(quintiles, group{label, func(k equalityKey) bool { return k.dim == "decile" && k.quintile == q }})
	}
	quintiles = append(quintiles, group{"Not known", func(k equalityKey) bool { return k.dim == "decile" && k.quintile == 0 }})
	return []Section{
		t.section("equality-age", "Age band", bands, suppress),
		t.section("equality-sex", "Sex", sexes, suppress),
		t.section("equality-ethnic", "Ethnic group", ethnic, suppress),
		t.section("equality-deprivation", "Deprivation quintile", quintiles, suppress),
	}
}

// section is one breakdown: each group's referrals, declines and completions, suppressed as a
// grid so that neither a row nor a column gives away a hidden count.
func (t equalityTally) section(id, heading string, groups []group, suppress bool) Section {
	grid := make([][]int, len(groups))
	for i, g := range groups {
		grid[i] = make([]int, endings)
		for k, counts := range t {
			if g.in(k) {
				for e, n := range counts {
					grid[i][e] += n
				}
			}
		}
	}
	cells, referred, ended := SuppressGrid(grid, suppress)
	sec := Section{ID: id, Title: "Referrals, declines and completions by " + lowerFirst(heading),
		ChartTitle: "Share of referrals that completed support, by " + lowerFirst(heading),
		Columns:    []string{heading, "Referrals", "Declined", "Declined (%)", "Completed", "Completed (%)"},
		Note: "Completed means the case closed with the person's goals met or stepped down to a link worker. " +
			"Age is on the day of referral; deprivation is the Index of Multiple Deprivation for the person's postcode, not known when the postcode is not in the postcode directory."}
	lo, hi := -1, -1
	rate := make([]float64, len(groups))
	for i, g := range groups {
		declined, _ := share(cells[i][endedDeclined], referred[i])
		completed, cok := share(cells[i][endedCompleted], referred[i])
		sec.Rows = append(sec.Rows, Row{Label: g.label, Cells: []string{referred[i].Text(), cells[i][endedDeclined].Text(), declined,
			cells[i][endedCompleted].Text(), completed}})
		bar := Bar{Label: g.label, Text: "no referrals", Hidden: true}
		switch {
		case cok:
			rate[i] = 100 * float64(cells[i][endedCompleted].N) / float64(referred[i].N)
			bar = Bar{Label: g.label, Value: rate[i], Text: completed}
			if lo < 0 || rate[i] < rate[lo] {
				lo = i
			}
			if hi < 0 || rate[i] > rate[hi] {
				hi = i
			}
		case referred[i].N > 0:
			bar.Text = "too few to show"
		}
		sec.Bars = append(sec.Bars, bar)
	}
	total := SuppressEach([]int{sum(grid)}, suppress)[0]
	sec.Rows = append(sec.Rows, Row{Label: "Total", Total: true, Cells: []string{total.Text(), ended[endedDeclined].Text(), "",
		ended[endedCompleted].Text(), ""}})
	switch {
	case lo < 0:
		sec.Headline = "Too few referrals to compare completion by " + lowerFirst(heading) + "."
	case lo == hi:
		sec.Headline = fmt.Sprintf("%.0f%% of referrals for %s completed support.", rate[hi], groups[hi].label)
	default:
		sec.Headline = fmt.Sprintf("By %s, completion ranged from %.0f%% (%s) to %.0f%% (%s).", lowerFirst(heading),
			rate[lo], groups[lo].label, rate[hi], groups[hi].label)
	}
	return sec
}

func sum(grid [][]int) int {
	n := 0
	for _, row := range grid {
		for _, v := range row {
			n += v
		}
	}
	return n
}

func lowerFirst(s string) string {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return s
	}
	return string(s[0]+'a'-'A') + s[1:]
}
