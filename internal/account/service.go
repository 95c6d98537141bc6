package account

import (
	"context"
	"fmt"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// Service manages users, sign-in and sessions.
type Service struct {
	db       *store.DB
	throttle *Throttle
	now      func() time.Time
}

// NewService returns a Service over db.
func NewService(db *store.DB) *Service {
	return &Service{db: db, throttle: NewThrottle(), now: time.Now}
}

func userEvent(action string, id int64, detail string) audit.Event {
	return audit.Event{Action: action, RecordType: "user", RecordID: audit.RecordID(id), Detail: detail}
}

// CreateUser validates in, hashes the password and stores the user with an audit entry.
func (s *Service) CreateUser(ctx context.Context, actor audit.Actor, in UserInput) (User, error) {
	if err := in.Validate(true); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return User{}, apperr.Wrap("create user", err)
	}
	var u User
	err = s.db.Tx(ctx, func(c store.Conn) error {
		id, err := insertUser(ctx, c, in, hash)
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, c, actor, userEvent("user.create", id, rolesDetail(in.Roles))); err != nil {
			return err
		}
		u, err = getUser(ctx, c, "id = ?", id)
		return err
	})
	return u, apperr.Wrap("create user", err)
}

func rolesDetail(rs []Role) string {
	d := "roles="
	for i, r := range rs {
		if i > 0 {
			d += ","
		}
		d += string(r)
	}
	return d
}

// UpdateUser changes a user's name, address, organisation, roles and teams.
func (s *Service) UpdateUser(ctx context.Context, actor audit.Actor, id int64, in UserInput) (User, error) {
	if err := in.Validate(false); err != nil {
		return User{}, err
	}
	var u User
	err := s.db.Tx(ctx, func(c store.Conn) error {
		if err := updateUser(ctx, c, id, in); err != nil {
			return err
		}
		if err := audit.Record(ctx, c, actor, userEvent("user.update", id, rolesDetail(in.Roles))); err != nil {
			return err
		}
		var err error
		u, err = getUser(ctx, c, "id = ?", id)
		return err
	})
	return u, apperr.Wrap("update user", err)
}

// SetDisabled disables or re-enables a user. Disabling ends every session of theirs at once.
func (s *Service) SetDisabled(ctx context.Context, actor audit.Actor, id int64, disabled bool) error {
	if disabled && actor.UserID == id {
		return apperr.New(apperr.Invalid, "You cannot disable your own account")
	}
	err := s.db.Tx(ctx, func(c store.Conn) error {
		if _, err := getUser(ctx, c, "id = ?", id); err != nil {
			return err
		}
		var at *time.Time
		action := "user.enable"
		if disabled {
			now := store.Now()
			at, action = &now, "user.disable"
		}
		if err := setDisabled(ctx, c, id, at); err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, userEvent(action, id, ""))
	})
	return apperr.Wrap("set user disabled", err)
}

// SetPassword replaces a user's password and ends their other sessions.
func (s *Service) SetPassword(ctx context.Context, actor audit.Actor, id int64, password string) error {
	if msg := ValidatePassword(password); msg != "" {
		return apperr.Fields{{Field: "password", Message: msg}}.Err()
	}
	hash, err := HashPassword(password)
	if err != nil {
		return apperr.Wrap("set password", err)
	}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		res, err := c.Exec(ctx, `UPDATE users SET password_hash = ?, updated_at = ?, version = version + 1 WHERE id = ?`, hash, store.Now(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "No user was found")
		}
		if _, err := c.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, userEvent("user.password", id, ""))
	})
	return apperr.Wrap("set password", err)
}

// User returns one user.
func (s *Service) User(ctx context.Context, id int64) (User, error) {
	u, err := getUser(ctx, s.db.Reader(), "id = ?", id)
	return u, apperr.Wrap("get user", err)
}

// UserIn returns one user within the caller's transaction.
func UserIn(ctx context.Context, c store.Conn, id int64) (User, error) {
	u, err := getUser(ctx, c, "id = ?", id)
	return u, apperr.Wrap("get user", err)
}

// UserByEmailIn returns the user with that address within the caller's transaction.
func UserByEmailIn(ctx context.Context, c store.Conn, email string) (User, error) {
	u, err := getUser(ctx, c, "email = ?", NormaliseEmail(email))
	return u, apperr.Wrap("get user", err)
}

// UserByEmail returns the user with that address.
func (s *Service) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := getUser(ctx, s.db.Reader(), "email = ?", NormaliseEmail(email))
	return u, apperr.Wrap("get user", err)
}

// Users lists the users that match f.
func (s *Service) Users(ctx context.Context, f UserFilter) ([]User, error) {
	var out []User
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		var err error
		out, err = listUsers(ctx, c, f)
		return err
	})
	return out, apperr.Wrap("list users", err)
}

// CountUsers reports how many users exist, so that start-up can tell an empty database.
func (s *Service) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}
