package safeguarding

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// DefaultProcedure is shown for a service that has not set its own local procedure.
const DefaultProcedure = `If anyone is in immediate danger, call 999.

1. Make sure the person is safe now. Write down what you saw or were told, in their words, and when.
2. Tell your organisation's safeguarding lead today. Linkwell has notified them and your supervisor, but speak to them as well if you can.
3. If you cannot reach them, contact the local authority's safeguarding team (adult or children's social care; out of hours, the emergency duty team).
4. Record who you told and when on this concern.

This service has not yet written its own local procedure: ask the service lead to add who to tell and how.`

// Procedure is what a receiving service tells its workers to do about a safeguarding concern:
// who to tell and how.
type Procedure struct {
	ServiceID int64
	Text      string
	Default   bool // no local procedure has been set, so Text is DefaultProcedure
	UpdatedBy int64
	UpdatedAt time.Time
}

// Procedure returns a service's local safeguarding procedure, or the default.
func (s *Service) Procedure(ctx context.Context, serviceID int64) (Procedure, error) {
	p, err := getProcedure(ctx, s.db.Reader(), serviceID)
	return p, apperr.Wrap("safeguarding procedure", err)
}

// SetProcedure records a service's local safeguarding procedure, replacing any before it.
func (s *Service) SetProcedure(ctx context.Context, actor audit.Actor, serviceID int64, body string) error {
	var errs apperr.Fields
	body = text(&errs, "procedure", "Local procedure", body, 8000, "Enter who to tell and how")
	if err := errs.Err(); err != nil {
		return err
	}
	err := s.db.Tx(ctx, func(c store.Conn) error {
		now := store.Now()
		_, err := c.Exec(ctx, `INSERT INTO safeguarding_procedures (service_id, body, updated_by, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (service_id) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			serviceID, body, nullID(actor.UserID), now)
		if store.IsForeignKeyViolation(err) {
			return apperr.New(apperr.NotFound, "No service was found")
		}
		if err != nil {
			return fmt.Errorf("set procedure: %w", err)
		}
		return audit.Record(ctx, c, actor, audit.Event{Action: "safeguarding.procedure", RecordType: "service",
			RecordID: audit.RecordID(serviceID), Detail: fmt.Sprintf("length=%d", len(body))})
	})
	return apperr.Wrap("set safeguarding procedure", err)
}

func getProcedure(ctx context.Context, c store.Conn, serviceID int64) (Procedure, error) {
	p := Procedure{ServiceID: serviceID}
	err := c.QueryRow(ctx, `SELECT body, COALESCE(updated_by, 0), updated_at FROM safeguarding_procedures WHERE service_id = ?`,
		serviceID).Scan(&p.Text, &p.UpdatedBy, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		p.Text, p.Default = DefaultProcedure, true
		return p, nil
	}
	if err != nil {
		return Procedure{}, fmt.Errorf("get procedure: %w", err)
	}
	return p, nil
}
