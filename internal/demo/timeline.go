package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/linkwell/linkwell/internal/store"
)

// DateReferralsBeforeContacts moves each demo referral that led to a case back to a few days
// before the case's first contact, and the case's opening to between the two: the demo makes its referrals
// today but dates its contacts over the last fortnight, and waiting times would otherwise all
// be nought. Referrals are moved back 1 to 10 days, with their response deadline.
func DateReferralsBeforeContacts(ctx context.Context, db *store.DB) error {
	type move struct {
		referral, kase int64
		created, first time.Time
	}
	return db.Tx(ctx, func(c store.Conn) error {
		// Every contact, earliest first within each case, as MIN would lose the column's type.
		rows, err := c.Query(ctx, `SELECT r.id, k.id, r.created_at, cc.contact_at FROM referrals r
			JOIN cases k ON k.referral_id = r.id JOIN case_contacts cc ON cc.case_id = k.id
			ORDER BY k.id, cc.contact_at`)
		if err != nil {
			return fmt.Errorf("demo referral dates: %w", err)
		}
		var moves []move
		for rows.Next() {
			var m move
			if err := rows.Scan(&m.referral, &m.kase, &m.created, &m.first); err != nil {
				rows.Close()
				return err
			}
			if len(moves) == 0 || moves[len(moves)-1].kase != m.kase {
				moves = append(moves, m)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, m := range moves {
			at := m.first.Add(-time.Duration(1+m.referral%10) * 24 * time.Hour)
			if !at.Before(m.created) {
				continue
			}
			if _, err := c.Exec(ctx, `UPDATE referrals SET created_at = ?, due_by = ? WHERE id = ?`, at.UTC(), at.Add(5*24*time.Hour).UTC(), m.referral); err != nil {
				return fmt.Errorf("demo referral dates: %w", err)
			}
			if _, err := c.Exec(ctx, `UPDATE cases SET opened_at = ? WHERE id = ?`, at.Add(m.first.Sub(at)/2).UTC(), m.kase); err != nil {
				return fmt.Errorf("demo case dates: %w", err)
			}
		}
		return nil
	})
}
