package reports

import (
	"context"
	"strconv"

	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
)

// The equality, area and practice sections count the period's referrals by something about
// the person referred, each from its own figures.

// equalityCounts reads the referrals by age band, sex, ethnic group and deprivation, and how
// each ended: one figure for each, so each key holds one of them and names which.
func equalityCounts(ctx context.Context, c store.Conn, f Filter) (equalityTally, error) {
	out := equalityTally{}
	for _, dim := range []string{"age", "sex", "ethnic", "decile"} {
		rows, err := figures(ctx, c, f, dim)
		if err != nil {
			return out, err
		}
		for _, g := range rows {
			k := equalityKey{dim: dim}
			switch dim {
			case "age":
				lo, _ := strconv.Atoi(g.k1)
				k.band = ageBand(lo)
			case "sex":
				k.sex = g.k1
			case "ethnic":
				k.ethnic = g.k1
			case "decile":
				decile, _ := strconv.Atoi(g.k1)
				k.quintile = (decile + 1) / 2
			}
			counts := out[k]
			counts[g.v] += int(g.n)
			out[k] = counts
		}
	}
	return out, nil
}

// areaCounts reads the referrals by area, with those that went unmet and the needs they
// named, and adds the barriers their people met.
func areaCounts(ctx context.Context, c store.Conn, f Filter) (areaTally, error) {
	out := newAreaTally()
	rows, err := figures(ctx, c, f, "area")
	if err != nil {
		return out, err
	}
	for _, g := range rows {
		area, n := g.k1, int(g.n)
		out.referred[area] += n
		if g.v != 1 {
			continue
		}
		out.unmet[area] += n
		if out.unmetNeeds[area] == nil {
			out.unmetNeeds[area] = map[referral.Need]int{}
		}
		for _, need := range referral.ParseNeedsList(g.k2) {
			out.unmetNeeds[area][need] += n
		}
	}
	return out, caseBarriers(ctx, c, f, out)
}

// practiceCounts reads the referrals by the person's GP practice.
func practiceCounts(ctx context.Context, c store.Conn, f Filter) (map[string]int, error) {
	out := map[string]int{}
	rows, err := figures(ctx, c, f, "practice")
	for _, g := range rows {
		out[g.k1] += int(g.n)
	}
	return out, err
}
