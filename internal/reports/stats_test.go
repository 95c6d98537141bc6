package reports

import (
	"math"
	"strings"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestTQuantileMatchesPublishedTables(t *testing.T) {
	// Two-sided 95% critical values from standard t tables.
	for df, want := range map[int]float64{1: 12.7062, 2: 4.3027, 4: 2.7764, 5: 2.5706, 10: 2.2281, 30: 2.0423, 100: 1.9840, 1000: 1.9623} {
		if got := TQuantile(0.975, df); !near(got, want, 5e-4) {
			t.Errorf("t(0.975, %d) = %.4f, want %.4f", df, got, want)
		}
	}
}

func TestPairedChangeConfidenceInterval(t *testing.T) {
	// Differences 1..5: mean 3, SD √2.5 = 1.5811, SE 0.7071, t(4) 2.7764: 3 ± 1.9632.
	c := PairedChange([]float64{1, 2, 3, 4, 5})
	if c.N != 5 || c.Mean != 3 || !near(c.SD, 1.58114, 1e-4) || !near(c.Low, 1.03676, 1e-3) || !near(c.High, 4.96324, 1e-3) {
		t.Errorf("got %+v", c)
	}
	// A worked ONS4 anxiety example: falls of 2, 3, 1, 4, 0, 2 → mean −2, SD 1.4142, SE 0.5774, t(5) 2.5706.
	c = PairedChange([]float64{-2, -3, -1, -4, 0, -2})
	if !near(c.Mean, -2, 1e-12) || !near(c.Low, -3.4841, 1e-3) || !near(c.High, -0.5159, 1e-3) {
		t.Errorf("anxiety example %+v", c)
	}
	if c := PairedChange([]float64{2}); c.N != 1 || c.Low != 2 || c.High != 2 {
		t.Errorf("one pair has no interval: %+v", c)
	}
}

func TestPercentileInterpolatesBetweenRanks(t *testing.T) {
	v := []float64{15, 1, 7, 3, 9, 11, 5, 13, 19, 17} // 1..19 odd, unsorted
	if got := Percentile(v, 50); got != 10 {
		t.Errorf("median %v, want 10", got)
	}
	if got := Percentile(v, 90); !near(got, 17.2, 1e-9) {
		t.Errorf("p90 %v, want 17.2", got)
	}
	if got := Percentile([]float64{4}, 90); got != 4 {
		t.Errorf("p90 of one value %v", got)
	}
}

func texts(cells []Cell) string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = c.Text()
	}
	return strings.Join(out, " ")
}

func TestSmallCountsAreSuppressedWithTheirComplements(t *testing.T) {
	for _, tc := range []struct {
		counts     []int
		cells, tot string
	}{
		{[]int{20, 30, 40}, "20 30 40", "90"},             // nothing small
		{[]int{3, 30, 40}, "<5 <5 40", "73"},              // one small: the next smallest goes too
		{[]int{3, 2, 40}, "<5 <5 40", "45"},               // two small hide each other
		{[]int{3, 0, 40}, "<5 0 <5", "43"},                // a zero cannot cover: the next non-zero goes
		{[]int{3, 0, 0}, "<5 0 0", "<5"},                  // nothing else to hide: the total goes
		{[]int{0, 0, 0}, "0 0 0", "0"},                    // zeros are shown
		{[]int{5, 6, 7}, "5 6 7", "18"},                   // 5 is not small
		{[]int{1, 100, 200, 300}, "<5 <5 200 300", "601"}, // the smallest shown count is hidden, not any
	} {
		cells, total := SuppressCounts(tc.counts, true)
		if texts(cells) != tc.cells || total.Text() != tc.tot {
			t.Errorf("%v: %s total %s, want %s total %s", tc.counts, texts(cells), total.Text(), tc.cells, tc.tot)
		}
		// Whatever is shown, no hidden count can be found by subtraction: in every group with
		// a hidden count, at least two are hidden.
		hidden := 0
		for _, c := range append(cells, total) {
			if c.Suppressed {
				hidden++
			}
		}
		if hidden == 1 {
			t.Errorf("%v: exactly one count hidden, so the total reveals it", tc.counts)
		}
	}
	cells, total := SuppressCounts([]int{3, 30}, false)
	if texts(cells) != "3 30" || total.Text() != "33" {
		t.Errorf("unsuppressed: %s %s", texts(cells), total.Text())
	}
}

func TestGridSuppressionProtectsRowsAndColumns(t *testing.T) {
	// Rows are pathways, columns months. The 2 in the middle must not be recoverable from
	// its row total or its column total.
	grid := [][]int{{10, 12, 9}, {8, 2, 11}, {7, 15, 6}}
	cells, rows, cols := SuppressGrid(grid, true)
	for i := range cells {
		group := append(append([]Cell{}, cells[i]...), rows[i])
		if n := countHidden(group); n == 1 {
			t.Errorf("row %d has one hidden cell: %v", i, group)
		}
	}
	for j := range cols {
		group := []Cell{cols[j]}
		for i := range cells {
			group = append(group, cells[i][j])
		}
		if n := countHidden(group); n == 1 {
			t.Errorf("column %d has one hidden cell: %v", j, group)
		}
	}
	if !cells[1][1].Suppressed || cells[0][0].Suppressed && cells[2][2].Suppressed && cells[0][2].Suppressed {
		t.Errorf("the small cell must be hidden, without hiding everything: %v", cells)
	}
	// Brute force: for every hidden cell, the shown cells and totals leave more than one value possible.
	for i := range cells {
		for j := range cells[i] {
			if cells[i][j].Suppressed && determinable(cells, rows, cols, i, j) {
				t.Errorf("cell %d,%d can be worked out", i, j)
			}
		}
	}
}

func countHidden(cs []Cell) int {
	n := 0
	for _, c := range cs {
		if c.Suppressed {
			n++
		}
	}
	return n
}

// determinable reports whether a hidden cell is the only hidden one in its row or column with
// that line's total shown, the way a reader would recover it.
func determinable(cells [][]Cell, rows, cols []Cell, i, j int) bool {
	rowHidden := countHidden(append(append([]Cell{}, cells[i]...), rows[i]))
	col := []Cell{cols[j]}
	for k := range cells {
		col = append(col, cells[k][j])
	}
	return rowHidden == 1 || countHidden(col) == 1
}

func TestHistogramPercentilesMatchTheListedValues(t *testing.T) {
	values := []float64{0, 0, 1, 3, 3, 3, 7, 12, 12, 30, 31}
	h := Histogram{}
	for _, v := range values {
		h[v]++
	}
	for _, p := range []float64{0, 10, 25, 50, 75, 90, 100} {
		if got, want := h.Percentile(p), Percentile(values, p); !near(got, want, 1e-12) {
			t.Errorf("p%.0f: histogram %v, list %v", p, got, want)
		}
	}
	if h.N() != 11 || !near(h.Mean(), 102.0/11, 1e-12) {
		t.Errorf("n %d mean %v", h.N(), h.Mean())
	}
}
