package reports

import (
	"slices"
	"strconv"
)

// Small numbers (DESIGN §4): on commissioner views and in every aggregate export, a count
// from 1 to 4 is shown as "<5". Secondary suppression then hides enough other counts that no
// hidden one can be worked out by taking the others from the total.

// SmallNumber is the largest count that is never shown.
const SmallNumber = 4

// Cell is one count as shown: its value, or "<5" when suppressed.
type Cell struct {
	N          int
	Suppressed bool
}

// Text is the count as shown.
func (c Cell) Text() string {
	if c.Suppressed {
		return "<5"
	}
	return strconv.Itoa(c.N)
}

func small(n int) bool { return n >= 1 && n <= SmallNumber }

// SuppressCounts suppresses a group of counts whose sum is shown as a total (returned last):
// every count from 1 to 4 is hidden, and while exactly one count in the group (counting the
// total) is hidden, the smallest other non-zero count is hidden too, or the total when none
// is left. With suppress false every count is shown as it is.
func SuppressCounts(counts []int, suppress bool) (cells []Cell, total Cell) {
	cells = make([]Cell, len(counts))
	for i, n := range counts {
		cells[i] = Cell{N: n, Suppressed: suppress && small(n)}
		total.N += n
	}
	if !suppress {
		return cells, total
	}
	total.Suppressed = small(total.N)
	for secondary(cells, &total) {
	}
	return cells, total
}

// smallestShown is the index of the smallest non-zero count still shown, or −1.
func smallestShown(cells []Cell) int {
	best := -1
	for i, c := range cells {
		if !c.Suppressed && c.N > 0 && (best < 0 || c.N < cells[best].N) {
			best = i
		}
	}
	return best
}

// SuppressEach hides each count from 1 to 4 on its own, for counts that share no total, such
// as needs, where one referral can name several.
func SuppressEach(counts []int, suppress bool) []Cell {
	out := make([]Cell, len(counts))
	for i, n := range counts {
		out[i] = Cell{N: n, Suppressed: suppress && small(n)}
	}
	return out
}

// SuppressGrid suppresses a table whose rows and columns are both totalled: each row and
// each column is a group as in SuppressCounts, repeated until nothing changes, so that no
// hidden cell can be worked out from its row or its column. It returns the cells and the
// row and column totals.
func SuppressGrid(grid [][]int, suppress bool) (cells [][]Cell, rowTotals, colTotals []Cell) {
	cells = make([][]Cell, len(grid))
	cols := 0
	for i, row := range grid {
		cells[i], _ = SuppressCounts(row, false)
		cols = max(cols, len(row))
	}
	rowTotals = make([]Cell, len(grid))
	colTotals = make([]Cell, cols)
	for i, row := range grid {
		for j, n := range row {
			rowTotals[i].N += n
			colTotals[j].N += n
		}
	}
	if !suppress {
		return cells, rowTotals, colTotals
	}
	for i := range cells {
		for j := range cells[i] {
			cells[i][j].Suppressed = small(cells[i][j].N)
		}
		rowTotals[i].Suppressed = small(rowTotals[i].N)
	}
	for j := range colTotals {
		colTotals[j].Suppressed = small(colTotals[j].N)
	}
	for changed := true; changed; {
		changed = false
		for i := range cells {
			changed = secondary(cells[i], &rowTotals[i]) || changed
		}
		for j := range colTotals {
			col := make([]Cell, len(cells))
			for i := range cells {
				col[i] = cells[i][j]
			}
			if secondary(col, &colTotals[j]) {
				changed = true
				for i := range cells {
					cells[i][j] = col[i]
				}
			}
		}
	}
	return cells, rowTotals, colTotals
}

// secondary hides one more count in a group with exactly one hidden, reporting whether it did.
func secondary(cells []Cell, total *Cell) bool {
	hidden := 0
	for _, c := range cells {
		if c.Suppressed {
			hidden++
		}
	}
	if total.Suppressed {
		hidden++
	}
	if hidden != 1 {
		return false
	}
	if i := smallestShown(cells); i >= 0 {
		cells[i].Suppressed = true
	} else {
		total.Suppressed = true
	}
	return true
}

// Unsuppressed reports whether every cell is shown.
func Unsuppressed(cells []Cell) bool {
	return !slices.ContainsFunc(cells, func(c Cell) bool { return c.Suppressed })
}
