package organisation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

const orgColumns = `id, name, type, COALESCE(ods_code, ''), created_at, updated_at, version`

func scanOrg(row interface{ Scan(...any) error }) (Organisation, error) {
	var o Organisation
	err := row.Scan(&o.ID, &o.Name, &o.Type, &o.ODSCode, &o.CreatedAt, &o.UpdatedAt, &o.Version)
	return o, err
}

func getOrg(ctx context.Context, c store.Conn, where string, arg any) (Organisation, error) {
	o, err := scanOrg(c.QueryRow(ctx, `SELECT `+orgColumns+` FROM organisations WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Organisation{}, apperr.New(apperr.NotFound, "No organisation was found")
	}
	if err != nil {
		return Organisation{}, fmt.Errorf("get organisation: %w", err)
	}
	o.Teams, err = listTeams(ctx, c, o.ID)
	return o, err
}

func listOrgs(ctx context.Context, c store.Conn) ([]Organisation, error) {
	rows, err := c.Query(ctx, `SELECT `+orgColumns+` FROM organisations ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	defer rows.Close()
	var out []Organisation
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, fmt.Errorf("list organisations: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func conflictField(field, msg string) error {
	return &apperr.Error{Kind: apperr.Conflict, Message: "There is a problem",
		Fields: []apperr.FieldError{{Field: field, Message: msg}}}
}

// orgWriteError explains a unique violation on the name or ODS code.
func orgWriteError(err error, in Input) error {
	if store.IsUniqueViolation(err) {
		if in.ODSCode != "" {
			return conflictField("ods_code", "An organisation with this name or ODS code already exists")
		}
		return conflictField("name", "An organisation with this name already exists")
	}
	return err
}

func insertOrg(ctx context.Context, c store.Conn, in Input) (int64, error) {
	now := store.Now()
	var id int64
	err := c.QueryRow(ctx, `INSERT INTO organisations (name, type, ods_code, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, in.Name, in.Type, nullString(in.ODSCode), now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert organisation: %w", orgWriteError(err, in))
	}
	return id, nil
}

func updateOrg(ctx context.Context, c store.Conn, id int64, in Input) error {
	res, err := c.Exec(ctx, `UPDATE organisations SET name = ?, type = ?, ods_code = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`, in.Name, in.Type, nullString(in.ODSCode), store.Now(), id, in.Version)
	if err != nil {
		return fmt.Errorf("update organisation: %w", orgWriteError(err, in))
	}
	return expectOneRow(res, "organisation")
}

func expectOneRow(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update %s: %w", what, err)
	}
	if n == 0 {
		return apperr.New(apperr.Conflict, "Someone else changed this %s while you were editing it. Check their changes, then make yours again.", what)
	}
	return nil
}

func listTeams(ctx context.Context, c store.Conn, orgID int64) ([]Team, error) {
	q := `SELECT id, organisation_id, name FROM teams`
	var args []any
	if orgID != 0 {
		q += ` WHERE organisation_id = ?`
		args = append(args, orgID)
	}
	rows, err := c.Query(ctx, q+` ORDER BY name`, args...)
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	defer rows.Close()
	var out []Team
	for rows.Next() {
		var t Team
		if err := rows.Scan(&t.ID, &t.OrganisationID, &t.Name); err != nil {
			return nil, fmt.Errorf("list teams: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func insertTeam(ctx context.Context, c store.Conn, orgID int64, name string) (int64, error) {
	var id int64
	err := c.QueryRow(ctx, `INSERT INTO teams (organisation_id, name, created_at) VALUES (?, ?, ?) RETURNING id`,
		orgID, name, store.Now()).Scan(&id)
	if store.IsUniqueViolation(err) {
		return 0, conflictField("team_name", "This organisation already has a team with this name")
	}
	if store.IsForeignKeyViolation(err) {
		return 0, apperr.New(apperr.NotFound, "No organisation was found")
	}
	if err != nil {
		return 0, fmt.Errorf("insert team: %w", err)
	}
	return id, nil
}

const agreementColumns = `id, title, purpose, starts_on, COALESCE(ends_on, ''), created_at, updated_at, version`

func scanAgreement(row interface{ Scan(...any) error }) (Agreement, error) {
	var a Agreement
	err := row.Scan(&a.ID, &a.Title, &a.Purpose, &a.StartsOn, &a.EndsOn, &a.CreatedAt, &a.UpdatedAt, &a.Version)
	return a, err
}

func loadParties(ctx context.Context, c store.Conn, a *Agreement) error {
	rows, err := c.Query(ctx, `SELECT organisation_id FROM agreement_parties WHERE agreement_id = ? ORDER BY organisation_id`, a.ID)
	if err != nil {
		return fmt.Errorf("load parties: %w", err)
	}
	defer rows.Close()
	a.PartyIDs = nil
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("load parties: %w", err)
		}
		a.PartyIDs = append(a.PartyIDs, id)
	}
	return rows.Err()
}

func getAgreement(ctx context.Context, c store.Conn, id int64) (Agreement, error) {
	a, err := scanAgreement(c.QueryRow(ctx, `SELECT `+agreementColumns+` FROM data_sharing_agreements WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Agreement{}, apperr.New(apperr.NotFound, "No data-sharing agreement was found")
	}
	if err != nil {
		return Agreement{}, fmt.Errorf("get agreement: %w", err)
	}
	return a, loadParties(ctx, c, &a)
}

func listAgreements(ctx context.Context, c store.Conn, orgID int64) ([]Agreement, error) {
	q := `SELECT ` + agreementColumns + ` FROM data_sharing_agreements`
	var args []any
	if orgID != 0 {
		q += ` WHERE id IN (SELECT agreement_id FROM agreement_parties WHERE organisation_id = ?)`
		args = append(args, orgID)
	}
	rows, err := c.Query(ctx, q+` ORDER BY starts_on DESC, id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("list agreements: %w", err)
	}
	var out []Agreement
	for rows.Next() {
		a, err := scanAgreement(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list agreements: %w", err)
		}
		out = append(out, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list agreements: %w", err)
	}
	for i := range out {
		if err := loadParties(ctx, c, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func writeParties(ctx context.Context, c store.Conn, agreementID int64, parties []int64) error {
	if _, err := c.Exec(ctx, `DELETE FROM agreement_parties WHERE agreement_id = ?`, agreementID); err != nil {
		return fmt.Errorf("write parties: %w", err)
	}
	for _, p := range parties {
		_, err := c.Exec(ctx, `INSERT INTO agreement_parties (agreement_id, organisation_id) VALUES (?, ?)`, agreementID, p)
		if store.IsForeignKeyViolation(err) {
			return &apperr.Error{Kind: apperr.Invalid, Message: "There is a problem",
				Fields: []apperr.FieldError{{Field: "parties", Message: "Select organisations from the list"}}}
		}
		if err != nil {
			return fmt.Errorf("write parties: %w", err)
		}
	}
	return nil
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
