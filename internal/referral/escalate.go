package referral

import (
	"context"
	"fmt"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/store"
)

// EscalateOverdue finds referrals nobody has acted on within their service's response time,
// marks each escalated once, and tells the service leads of the organisation that runs the
// service, so that no referral is left hanging. It returns how many it escalated.
func (s *Service) EscalateOverdue(ctx context.Context, now time.Time) (int, error) {
	overdue, err := listReferrals(ctx, s.db.Reader(), Filter{OverdueAt: now})
	if err != nil {
		return 0, apperr.Wrap("escalate overdue referrals", err)
	}
	n := 0
	for _, r := range overdue {
		if r.EscalatedAt != nil {
			continue
		}
		if err := s.db.Tx(ctx, func(c store.Conn) error { return escalate(ctx, c, r) }); err != nil {
			return n, apperr.Wrap("escalate overdue referrals", err)
		}
		n++
	}
	return n, nil
}

func escalate(ctx context.Context, c store.Conn, r Referral) error {
	res, err := c.Exec(ctx, `UPDATE referrals SET escalated_at = ? WHERE id = ? AND escalated_at IS NULL AND status = ?`,
		store.Now(), r.ID, StatusRequested)
	if err != nil {
		return fmt.Errorf("mark escalated: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // acted on, or escalated by another instance, meanwhile
	}
	rows, err := c.Query(ctx, `SELECT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id
		JOIN services sv ON sv.organisation_id = u.organisation_id
		WHERE sv.id = ? AND ur.role = 'service_lead' AND u.disabled_at IS NULL`, r.ServiceID)
	if err != nil {
		return fmt.Errorf("find service leads: %w", err)
	}
	var leads []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		leads = append(leads, id)
	}
	rows.Close()
	for _, id := range leads {
		err := notify.Notify(ctx, c, id, "referral.overdue", "A referral has waited longer than the service's response time",
			fmt.Sprintf("/referrals/%d", r.ID))
		if err != nil {
			return err
		}
	}
	return audit.Record(ctx, c, audit.System, referralEvent("referral.escalate", r.ID, fmt.Sprintf("leads=%d", len(leads))))
}
