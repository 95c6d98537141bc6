package referral

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

const serviceColumns = `id, organisation_id, COALESCE(team_id, 0), name, description, inclusion_criteria,
	exclusion_criteria, response_days, accepts_self_referral, version, updated_at`

func scanService(row interface{ Scan(...any) error }) (ReceivingService, error) {
	var s ReceivingService
	err := row.Scan(&s.ID, &s.OrganisationID, &s.TeamID, &s.Name, &s.Description, &s.Inclusion,
		&s.Exclusion, &s.ResponseDays, &s.AcceptsSelfReferral, &s.Version, &s.UpdatedAt)
	return s, err
}

func getService(ctx context.Context, c store.Conn, id int64) (ReceivingService, error) {
	s, err := scanService(c.QueryRow(ctx, `SELECT `+serviceColumns+` FROM services WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ReceivingService{}, apperr.New(apperr.NotFound, "No such service takes referrals")
	}
	if err != nil {
		return ReceivingService{}, fmt.Errorf("get service: %w", err)
	}
	return s, nil
}

func listServices(ctx context.Context, c store.Conn) ([]ReceivingService, error) {
	rows, err := c.Query(ctx, `SELECT `+serviceColumns+` FROM services ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	defer rows.Close()
	var out []ReceivingService
	for rows.Next() {
		s, err := scanService(rows)
		if err != nil {
			return nil, fmt.Errorf("list services: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func insertService(ctx context.Context, c store.Conn, in ServiceInput) (int64, error) {
	now := store.Now()
	var id int64
	err := c.QueryRow(ctx, `INSERT INTO services (organisation_id, team_id, name, description, inclusion_criteria,
		exclusion_criteria, response_days, accepts_self_referral, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.OrganisationID, nullID(in.TeamID), in.Name, in.Description, in.Inclusion, in.Exclusion,
		in.ResponseDays, in.AcceptsSelfReferral, now, now).Scan(&id)
	if store.IsUniqueViolation(err) {
		return 0, apperr.Fields{{Field: "name", Message: "This organisation already has a service with this name"}}.Err()
	}
	if err != nil {
		return 0, fmt.Errorf("insert service: %w", err)
	}
	return id, nil
}

const referralColumns = `id, person_id, service_id, source, COALESCE(referrer_id, 0), referrer_name, referrer_contact,
	needs, details, urgency, known_risks, consent_given, criteria_met, status, reason_code, status_note,
	due_by, escalated_at, COALESCE(adds_to_case_id, 0), created_at, updated_at, version`

func scanReferral(row interface{ Scan(...any) error }) (Referral, error) {
	var r Referral
	var needs string
	var escalated sql.NullTime
	err := row.Scan(&r.ID, &r.PersonID, &r.ServiceID, &r.Source, &r.ReferrerID, &r.ReferrerName, &r.ReferrerContact,
		&needs, &r.Details, &r.Urgency, &r.KnownRisks, &r.ConsentGiven, &r.CriteriaMet, &r.Status, &r.ReasonCode,
		&r.StatusNote, &r.DueBy, &escalated, &r.AddsToCaseID, &r.CreatedAt, &r.UpdatedAt, &r.Version)
	if err != nil {
		return Referral{}, err
	}
	if escalated.Valid {
		t := escalated.Time
		r.EscalatedAt = &t
	}
	r.Needs = ParseNeedsList(needs)
	return r, nil
}

func getReferral(ctx context.Context, c store.Conn, id int64) (Referral, error) {
	r, err := scanReferral(c.QueryRow(ctx, `SELECT `+referralColumns+` FROM referrals WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Referral{}, apperr.New(apperr.NotFound, "No referral was found")
	}
	if err != nil {
		return Referral{}, fmt.Errorf("get referral: %w", err)
	}
	return r, nil
}

func insertReferral(ctx context.Context, c store.Conn, r Referral) (int64, error) {
	var id int64
	err := c.QueryRow(ctx, `INSERT INTO referrals (person_id, service_id, source, referrer_id, referrer_name,
		referrer_contact, needs, details, urgency, known_risks, consent_given, criteria_met, status, due_by,
		adds_to_case_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.PersonID, r.ServiceID, r.Source, nullID(r.ReferrerID), r.ReferrerName, r.ReferrerContact,
		NeedsString(r.Needs), r.Details, r.Urgency, r.KnownRisks, r.ConsentGiven, r.CriteriaMet, r.Status,
		r.DueBy, nullID(r.AddsToCaseID), r.CreatedAt, r.CreatedAt).Scan(&id)
	if store.IsForeignKeyViolation(err) {
		return 0, apperr.Fields{{Field: "service", Message: "Select a service from the list"}}.Err()
	}
	if err != nil {
		return 0, fmt.Errorf("insert referral: %w", err)
	}
	return id, nil
}

func setStatus(ctx context.Context, c store.Conn, r Referral, to Status, reason, note string) error {
	res, err := c.Exec(ctx, `UPDATE referrals SET status = ?, reason_code = ?, status_note = ?, updated_at = ?,
		version = version + 1 WHERE id = ? AND version = ?`, to, reason, note, store.Now(), r.ID, r.Version)
	if err != nil {
		return fmt.Errorf("set referral status: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.Conflict, "Someone else changed this referral while you were looking at it. Check what they did, then try again.")
	}
	return nil
}

// Filter narrows a listing of referrals.
type Filter struct {
	ServiceIDs []int64
	PersonID   int64
	CaseID     int64 // the referral that opened the case and those added to it since
	ReferrerID int64
	Statuses   []Status
	OverdueAt  time.Time // when set, only those still requested past their due time
	Limit      int
}

func listReferrals(ctx context.Context, c store.Conn, f Filter) ([]Referral, error) {
	q := `SELECT ` + referralColumns + ` FROM referrals WHERE 1 = 1`
	var args []any
	if len(f.ServiceIDs) > 0 {
		q += ` AND service_id IN ` + store.In(len(f.ServiceIDs))
		for _, id := range f.ServiceIDs {
			args = append(args, id)
		}
	}
	if f.PersonID != 0 {
		q += ` AND person_id = ?`
		args = append(args, f.PersonID)
	}
	if f.CaseID != 0 {
		q += ` AND (id = (SELECT referral_id FROM cases WHERE id = ?) OR adds_to_case_id = ?)`
		args = append(args, f.CaseID, f.CaseID)
	}
	if f.ReferrerID != 0 {
		q += ` AND referrer_id = ?`
		args = append(args, f.ReferrerID)
	}
	if len(f.Statuses) > 0 {
		q += ` AND status IN ` + store.In(len(f.Statuses))
		for _, s := range f.Statuses {
			args = append(args, s)
		}
	}
	if !f.OverdueAt.IsZero() {
		q += ` AND status = ? AND due_by < ?`
		args = append(args, StatusRequested, f.OverdueAt.UTC())
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	rows, err := c.Query(ctx, q+` ORDER BY due_by, id LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list referrals: %w", err)
	}
	defer rows.Close()
	var out []Referral
	for rows.Next() {
		r, err := scanReferral(rows)
		if err != nil {
			return nil, fmt.Errorf("list referrals: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
