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
	c := Change{N: len(diffs)}
	if c.N == 0 {
		return c
	}
	sum := 0.0
	for _, d := range diffs {
		sum += d
	}
	c.Mean = sum / float64(c.N)
	c.Low, c.High = c.Mean, c.Mean
	if c.N < 2 {
		return c
	}
	ss := 0.0
	for _, d := range diffs {
		ss += (d - c.Mean) * (d - c.Mean)
	}
	c.SD = math.Sqrt(ss / float64(c.N-1))
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
