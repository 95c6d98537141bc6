package reports

import (
	"context"
	"fmt"

	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
)

// The equality, area and practice sections all count the period's referrals by something
// about the person referred. One pass over the referrals with their people reads what all
// three need, which at national scale saves two scans of the year's referrals.

// referredKey is one combination of what those sections group a referral by.
type referredKey struct {
	age                   int // on the day of referral; −1 when not known
	sex, ethnic           string
	decile                int // 0 when not known
	area, practice, needs string
	ended                 int  // endedOther, endedDeclined or endedCompleted
	unmet                 bool // declined, or closed without reaching an activity
}

// referredTally is the period's referrals by referredKey.
type referredTally map[referredKey]int

func referredCounts(ctx context.Context, c store.Conn, f Filter) (referredTally, error) {
	t := referredTally{}
	where, args := f.scope("r.created_at")
	d := c.Dialect()
	rows, err := c.Query(ctx, `SELECT age, sex, ethnic, decile, area, practice, needs, ended, unmet, COUNT(*) FROM (
		SELECT `+d.AgeAt("p.date_of_birth", "r.created_at")+` AS age, p.sex AS sex, p.ethnic_category AS ethnic,
			COALESCE(pc.imd_decile, 0) AS decile, `+d.OutwardOf("p.postcode")+` AS area, p.practice_ods AS practice, r.needs AS needs,
			CASE WHEN r.status = 'rejected' THEN 1
				WHEN k.status = 'closed' AND k.closure_reason IN (`+completedReasons+`) THEN 2 ELSE 0 END AS ended,
			CASE WHEN r.status = 'rejected' OR (k.status = 'closed' AND NOT EXISTS (
				SELECT 1 FROM connections cn WHERE cn.case_id = k.id AND cn.status IN (`+attendedStatuses+`))) THEN 1 ELSE 0 END AS unmet
		`+f.referralsFrom()+` JOIN people p ON p.id = r.person_id
		LEFT JOIN postcodes pc ON pc.postcode = p.postcode LEFT JOIN cases k ON k.referral_id = r.id
		WHERE `+where+`) x GROUP BY age, sex, ethnic, decile, area, practice, needs, ended, unmet`, args...)
	if err != nil {
		return t, fmt.Errorf("referrals by person: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k referredKey
		var unmet, n int
		if err := rows.Scan(&k.age, &k.sex, &k.ethnic, &k.decile, &k.area, &k.practice, &k.needs, &k.ended, &unmet, &n); err != nil {
			return t, err
		}
		k.unmet = unmet == 1
		t[k] += n
	}
	return t, rows.Err()
}

// equality groups the referrals by age band, sex, ethnic group and deprivation quintile.
func (t referredTally) equality() equalityTally {
	out := equalityTally{}
	for k, n := range t {
		e := equalityKey{band: ageBand(k.age), sex: k.sex, ethnic: k.ethnic, quintile: (k.decile + 1) / 2}
		counts := out[e]
		counts[k.ended] += n
		out[e] = counts
	}
	return out
}

// areas counts the referrals by area, with those that went unmet and the needs they named.
func (t referredTally) areas() areaTally {
	out := newAreaTally()
	for k, n := range t {
		out.referred[k.area] += n
		if !k.unmet {
			continue
		}
		out.unmet[k.area] += n
		if out.unmetNeeds[k.area] == nil {
			out.unmetNeeds[k.area] = map[referral.Need]int{}
		}
		for _, need := range referral.ParseNeedsList(k.needs) {
			out.unmetNeeds[k.area][need] += n
		}
	}
	return out
}

// practices counts the referrals by the person's GP practice.
func (t referredTally) practices() map[string]int {
	out := map[string]int{}
	for k, n := range t {
		out[k.practice] += n
	}
	return out
}
