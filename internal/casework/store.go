package casework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

const caseColumns = `id, person_id, referral_id, service_id, pathway, tier, engagement, status, opened_at,
	next_review_on, closed_at, closure_reason, closure_summary, hold_reason, version`

func scanCase(row interface{ Scan(...any) error }) (Case, error) {
	var c Case
	var closed sql.NullTime
	err := row.Scan(&c.ID, &c.PersonID, &c.ReferralID, &c.ServiceID, &c.Pathway, &c.Tier, &c.Engagement, &c.Status,
		&c.OpenedAt, &c.NextReviewOn, &closed, &c.ClosureReason, &c.ClosureSummary, &c.HoldReason, &c.Version)
	if closed.Valid {
		t := closed.Time
		c.ClosedAt = &t
	}
	return c, err
}

func getCase(ctx context.Context, c store.Conn, id int64) (Case, error) {
	k, err := scanCase(c.QueryRow(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Case{}, apperr.New(apperr.NotFound, "No case was found")
	}
	if err != nil {
		return Case{}, fmt.Errorf("get case: %w", err)
	}
	k.Team, err = listWorkers(ctx, c, `w.case_id = ?`, id)
	return k, err
}

const workerSelect = `SELECT w.id, w.case_id, w.user_id, u.name, u.email, COALESCE(u.organisation_id, 0),
	COALESCE(o.name, ''), w.role, w.is_lead, w.from_on, w.to_on
	FROM case_workers w JOIN users u ON u.id = w.user_id LEFT JOIN organisations o ON o.id = u.organisation_id`

func listWorkers(ctx context.Context, c store.Conn, where string, args ...any) ([]Worker, error) {
	rows, err := c.Query(ctx, workerSelect+` WHERE `+where+` ORDER BY w.is_lead DESC, w.to_on, w.from_on, w.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list care team: %w", err)
	}
	defer rows.Close()
	var out []Worker
	for rows.Next() {
		var w Worker
		if err := rows.Scan(&w.ID, &w.CaseID, &w.UserID, &w.Name, &w.Email, &w.OrganisationID, &w.OrganisationName,
			&w.Role, &w.Lead, &w.From, &w.To); err != nil {
			return nil, fmt.Errorf("list care team: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

func insertWorker(ctx context.Context, c store.Conn, w Worker) (int64, error) {
	var id int64
	err := c.QueryRow(ctx, `INSERT INTO case_workers (case_id, user_id, role, is_lead, from_on) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		w.CaseID, w.UserID, w.Role, w.Lead, w.From).Scan(&id)
	if store.IsUniqueViolation(err) {
		return 0, apperr.New(apperr.Conflict, "This case already has a lead: make the change from the care team")
	}
	if store.IsForeignKeyViolation(err) {
		return 0, apperr.Fields{{Field: "worker", Message: "Select a worker from the list"}}.Err()
	}
	if err != nil {
		return 0, fmt.Errorf("add to care team: %w", err)
	}
	return id, nil
}
