// Package reports builds the service and commissioner dashboards (DESIGN F11, F12, §4):
// referrals, waiting times, outcomes with honest statistics, and pathways side by side, with
// small numbers suppressed wherever totals leave the service; and the exports of them.
package reports

import (
	"math"
	"slices"
)

// Change is a paired mean change with its 95% confidence interval.
type Change struct {
	N         int
	Mean      float64
	Low, High float64 // the 95% confidence interval; equal to Mean when N < 2
	SD        float64
}

// PairedChange is the mean of after minus before over pairs, with a 95% confidence interval
// from Student's t distribution on n−1 degrees of freedom.
func PairedChange(diffs []float64) Change {
	var s Sums
	for _, d := range diffs {
		s.Add(d)
	}
	return s.Change()
}

// Sums are the count, sum and sum of squares of paired differences, which the database can
// add up exactly so that only three numbers leave it.
type Sums struct {
	N          int
	Sum, SumSq float64
}

// Add counts one difference.
func (s *Sums) Add(d float64) { s.N, s.Sum, s.SumSq = s.N+1, s.Sum+d, s.SumSq+d*d }

// Plus is both sets of differences together.
func (s Sums) Plus(o Sums) Sums { return Sums{s.N + o.N, s.Sum + o.Sum, s.SumSq + o.SumSq} }

// Change is the mean difference with its 95% confidence interval.
func (s Sums) Change() Change {
	c := Change{N: s.N}
	if c.N == 0 {
		return c
	}
	c.Mean = s.Sum / float64(c.N)
	c.Low, c.High = c.Mean, c.Mean
	if c.N < 2 {
		return c
	}
	c.SD = math.Sqrt(max(0, (s.SumSq-s.Sum*s.Sum/float64(c.N))/float64(c.N-1)))
	half := TQuantile(0.975, c.N-1) * c.SD / math.Sqrt(float64(c.N))
	c.Low, c.High = c.Mean-half, c.Mean+half
	return c
}

// TQuantile is the p quantile (0.5 < p < 1) of Student's t distribution with df degrees of
// freedom, found by bisection on its distribution function.
func TQuantile(p float64, df int) float64 {
	lo, hi := 0.0, 1e4
	for range 200 {
		mid := (lo + hi) / 2
		if tCDF(mid, float64(df)) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// tCDF is Student's t distribution function at t ≥ 0.
func tCDF(t, df float64) float64 {
	return 1 - 0.5*regIncBeta(df/(df+t*t), df/2, 0.5)
}

// regIncBeta is the regularised incomplete beta function I_x(a, b), by its continued
// fraction (modified Lentz), using the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) where that
// converges faster.
func regIncBeta(x, a, b float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log(1-x))
	if x > (a+1)/(a+b+2) {
		return 1 - front*betaFraction(1-x, b, a)/b
	}
	return front * betaFraction(x, a, b) / a
}

func betaFraction(x, a, b float64) float64 {
	const tiny = 1e-300
	c, d := 1.0, 1-(a+b)*x/(a+1)
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	f := d
	for m := 1; m <= 300; m++ {
		fm := float64(m)
		for _, num := range []float64{
			fm * (b - fm) * x / ((a + 2*fm - 1) * (a + 2*fm)),
			-(a + fm) * (a + b + fm) * x / ((a + 2*fm) * (a + 2*fm + 1)),
		} {
			d = 1 + num*d
			if math.Abs(d) < tiny {
				d = tiny
			}
			c = 1 + num/c
			if math.Abs(c) < tiny {
				c = tiny
			}
			d = 1 / d
			f *= c * d
		}
		if math.Abs(c*d-1) < 1e-15 {
			break
		}
	}
	return f
}

// Percentile is the p'th percentile (0–100) of values by linear interpolation between the
// closest ranks (the method spreadsheets call PERCENTILE.INC); values need not be sorted.
func Percentile(values []float64, p float64) float64 {
	if len(values) == 0 {
		return math.NaN()
	}
	v := slices.Clone(values)
	slices.Sort(v)
	rank := p / 100 * float64(len(v)-1)
	lo := int(math.Floor(rank))
	if lo >= len(v)-1 {
		return v[len(v)-1]
	}
	return v[lo] + (rank-float64(lo))*(v[lo+1]-v[lo])
}

// Histogram counts how often each value occurs, so that a distribution of many rows can leave
// the database as a few (value, count) pairs.
type Histogram map[float64]int

// N is how many values the histogram holds.
func (h Histogram) N() int {
	n := 0
	for _, c := range h {
		n += c
	}
	return n
}

// Mean is the mean of the values.
func (h Histogram) Mean() float64 {
	sum, n := 0.0, 0
	for v, c := range h {
		sum += v * float64(c)
		n += c
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

// Percentile is Percentile of the values the histogram counts, without listing them.
func (h Histogram) Percentile(p float64) float64 {
	n := h.N()
	if n == 0 {
		return math.NaN()
	}
	keys := make([]float64, 0, len(h))
	for v := range h {
		keys = append(keys, v)
	}
	slices.Sort(keys)
	rank := p / 100 * float64(n-1)
	lo := int(math.Floor(rank))
	at := func(i int) float64 { // the i'th smallest value
		for _, k := range keys {
			if i < h[k] {
				return k
			}
			i -= h[k]
		}
		return keys[len(keys)-1]
	}
	if lo >= n-1 {
		return at(n - 1)
	}
	return at(lo) + (rank-float64(lo))*(at(lo+1)-at(lo))
}
