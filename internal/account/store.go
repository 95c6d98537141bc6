package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

const userColumns = `users.id, users.email, users.name, users.password_hash, COALESCE(users.organisation_id, 0),
	users.disabled_at, COALESCE(users.totp_secret, ''), users.totp_enabled_at, users.created_at, users.updated_at, users.version`

// scanUser reads userColumns, after any leading columns the query selects into before.
func scanUser(row interface{ Scan(...any) error }, before ...any) (User, error) {
	var u User
	var disabled, totpOn sql.NullTime
	dest := append(before, &u.ID, &u.Email, &u.Name, &u.passwordHash, &u.OrganisationID, &disabled,
		&u.totpSecret, &totpOn, &u.CreatedAt, &u.UpdatedAt, &u.Version)
	if err := row.Scan(dest...); err != nil {
		return User{}, err
	}
	if disabled.Valid {
		t := disabled.Time
		u.DisabledAt = &t
	}
	u.MFAEnabled = totpOn.Valid
	return u, nil
}

func getUser(ctx context.Context, c store.Conn, where string, arg any) (User, error) {
	u, err := scanUser(c.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, apperr.New(apperr.NotFound, "No user was found")
	}
	if err != nil {
		return User{}, fmt.Errorf("get user: %w", err)
	}
	if err := loadMemberships(ctx, c, &u); err != nil {
		return User{}, err
	}
	return u, nil
}

// loadMemberships reads a user's roles and teams in one query.
func loadMemberships(ctx context.Context, c store.Conn, u *User) error {
	rows, err := c.Query(ctx, `SELECT role, 0 FROM user_roles WHERE user_id = ?
		UNION ALL SELECT '', team_id FROM team_members WHERE user_id = ?
		ORDER BY 1, 2`, u.ID, u.ID)
	if err != nil {
		return fmt.Errorf("load roles and teams: %w", err)
	}
	defer rows.Close()
	u.Roles, u.TeamIDs = nil, nil
	for rows.Next() {
		var role Role
		var team int64
		if err := rows.Scan(&role, &team); err != nil {
			return fmt.Errorf("load roles and teams: %w", err)
		}
		if role != "" {
			u.Roles = append(u.Roles, role)
		} else {
			u.TeamIDs = append(u.TeamIDs, team)
		}
	}
	return rows.Err()
}

func insertUser(ctx context.Context, c store.Conn, in UserInput, hash string) (int64, error) {
	now := store.Now()
	var id int64
	err := c.QueryRow(ctx, `INSERT INTO users (email, name, password_hash, organisation_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Email, in.Name, hash, nullInt(in.OrganisationID), now, now).Scan(&id)
	if store.IsUniqueViolation(err) {
		return 0, &apperr.Error{Kind: apperr.Conflict, Message: "There is a problem",
			Fields: []apperr.FieldError{{Field: "email", Message: "A user with this email address already exists"}}}
	}
	if store.IsForeignKeyViolation(err) {
		return 0, invalidOrganisation()
	}
	if err != nil {
		return 0, fmt.Errorf("insert user: %w", err)
	}
	return id, replaceMemberships(ctx, c, id, in.Roles, in.TeamIDs)
}

func invalidOrganisation() error {
	return &apperr.Error{Kind: apperr.Invalid, Message: "There is a problem",
		Fields: []apperr.FieldError{{Field: "organisation", Message: "Select an organisation from the list"}}}
}

func replaceMemberships(ctx context.Context, c store.Conn, userID int64, roles []Role, teams []int64) error {
	if _, err := c.Exec(ctx, `DELETE FROM user_roles WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("replace roles: %w", err)
	}
	for _, r := range roles {
		if _, err := c.Exec(ctx, `INSERT INTO user_roles (user_id, role) VALUES (?, ?)`, userID, r); err != nil {
			return fmt.Errorf("replace roles: %w", err)
		}
	}
	if _, err := c.Exec(ctx, `DELETE FROM team_members WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("replace teams: %w", err)
	}
	for _, t := range teams {
		_, err := c.Exec(ctx, `INSERT INTO team_members (team_id, user_id) VALUES (?, ?)`, t, userID)
		if store.IsForeignKeyViolation(err) {
			return &apperr.Error{Kind: apperr.Invalid, Message: "There is a problem",
				Fields: []apperr.FieldError{{Field: "teams", Message: "Select teams from the list"}}}
		}
		if err != nil {
			return fmt.Errorf("replace teams: %w", err)
		}
	}
	return nil
}

// updateUser changes a user's details if version is still current.
func updateUser(ctx context.Context, c store.Conn, id int64, in UserInput) error {
	res, err := c.Exec(ctx, `UPDATE users SET email = ?, name = ?, organisation_id = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND version = ?`, in.Email, in.Name, nullInt(in.OrganisationID), store.Now(), id, in.Version)
	if store.IsUniqueViolation(err) {
		return &apperr.Error{Kind: apperr.Conflict, Message: "There is a problem",
			Fields: []apperr.FieldError{{Field: "email", Message: "A user with this email address already exists"}}}
	}
	if store.IsForeignKeyViolation(err) {
		return invalidOrganisation()
	}
	if err != nil {
		return fmt.Errorf("update user: %w", err)
	}
	if err := expectOneRow(res, "user"); err != nil {
		return err
	}
	return replaceMemberships(ctx, c, id, in.Roles, in.TeamIDs)
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

func setDisabled(ctx context.Context, c store.Conn, id int64, at *time.Time) error {
	var v any
	if at != nil {
		v = *at
	}
	_, err := c.Exec(ctx, `UPDATE users SET disabled_at = ?, updated_at = ?, version = version + 1 WHERE id = ?`, v, store.Now(), id)
	if err != nil {
		return fmt.Errorf("set user disabled: %w", err)
	}
	_, err = c.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id)
	if err != nil {
		return fmt.Errorf("end user sessions: %w", err)
	}
	return nil
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

// UserFilter narrows a listing of users.
type UserFilter struct {
	OrganisationID int64
	Role           Role
	Query          string // part of a name or email address
}

func listUsers(ctx context.Context, c store.Conn, f UserFilter) ([]User, error) {
	q := `SELECT ` + userColumns + ` FROM users WHERE 1 = 1`
	var args []any
	if f.OrganisationID != 0 {
		q += ` AND organisation_id = ?`
		args = append(args, f.OrganisationID)
	}
	if f.Role != "" {
		q += ` AND id IN (SELECT user_id FROM user_roles WHERE role = ?)`
		args = append(args, f.Role)
	}
	if f.Query != "" {
		q += ` AND (lower(name) LIKE ? OR email LIKE ?)`
		like := "%" + stripLikeWildcards(NormaliseEmail(f.Query)) + "%"
		args = append(args, like, like)
	}
	rows, err := c.Query(ctx, q+` ORDER BY name, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	for i := range out {
		if err := loadMemberships(ctx, c, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func stripLikeWildcards(s string) string {
	r := []rune{}
	for _, ch := range s {
		if ch == '%' || ch == '_' {
			continue
		}
		r = append(r, ch)
	}
	return string(r)
}
