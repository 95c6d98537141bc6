package reports

import (
	"context"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

// RebuildTallies works every pre-aggregated dashboard figure out again from the records, in
// one transaction: the ONS4 pairs, the referrals' facts (whose triggers fill the tally again)
// and the care-team spans. Triggers keep them right on every change, so this is for repair
// after a restore or a bulk load that bypassed them; the tests use it to check the triggers.
func (s *Service) RebuildTallies(ctx context.Context) error {
	err := s.db.Tx(ctx, func(c store.Conn) error {
		for _, stmt := range []string{
			`DELETE FROM ons4_pairs`,
			`INSERT INTO ons4_pairs (case_id, item_code, diff) ` + pairDiffs,
			`DELETE FROM referral_facts`,
			`DELETE FROM dash_tally`,
			`INSERT INTO referral_facts SELECT * FROM referral_facts_source`,
			`DELETE FROM caseload_spans`,
			`INSERT INTO caseload_spans SELECT * FROM caseload_spans_source`,
		} {
			if _, err := c.Exec(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
	return apperr.Wrap("rebuild dashboard tallies", err)
}
