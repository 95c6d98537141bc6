package reports

import (
	"context"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

// RebuildTallies works every pre-aggregated dashboard figure out again from the records, in
// one transaction. Triggers keep them right on every change, so this is for repair after a
// restore or a bulk load that bypassed them; the tests use it to check the triggers.
func (s *Service) RebuildTallies(ctx context.Context) error {
	err := s.db.Tx(ctx, func(c store.Conn) error {
		if _, err := c.Exec(ctx, `DELETE FROM ons4_pairs`); err != nil {
			return err
		}
		_, err := c.Exec(ctx, `INSERT INTO ons4_pairs (case_id, item_code, diff) `+pairDiffs)
		return err
	})
	return apperr.Wrap("rebuild dashboard tallies", err)
}
