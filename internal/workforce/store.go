package workforce

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

// read runs fn in one read transaction and wraps its error with the operation's name.
func read[T any](ctx context.Context, db *store.DB, op string, fn func(store.Conn) (T, error)) (T, error) {
	var out T
	err := db.ReadTx(ctx, func(c store.Conn) error {
		var err error
		out, err = fn(c)
		return err
	})
	return out, apperr.Wrap(op, err)
}

// ignoreNoRows turns sql.ErrNoRows into nil, so that orMissing can give the right error.
func ignoreNoRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// validDate reports whether s is a real YYYY-MM-DD date.
func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// addDays moves a YYYY-MM-DD date by n days.
func addDays(day string, n int) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}

// trimLimit trims s and reports whether it is within max bytes.
func trimLimit(s string, max int) (string, bool) {
	s = strings.TrimSpace(s)
	return s, len(s) <= max
}

// pastDate checks a required YYYY-MM-DD date that must be today or earlier.
func pastDate(errs *apperr.Fields, field, v, today, enter, label string) {
	switch {
	case v == "":
		errs.Add(field, enter)
	case !validDate(v):
		errs.Add(field, label+" must be a real date")
	case v > today:
		errs.Add(field, label+" must be today or in the past")
	}
}
