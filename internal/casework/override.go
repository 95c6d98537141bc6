package casework

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// Emergency access without a relationship (DESIGN §4; issue 3 item 12): rare, time-limited,
// given a reason, audited, and reviewed by supervisors.
const (
	DefaultOverride   = time.Hour
	MaxOverride       = 8 * time.Hour
	MinOverrideReason = 20 // characters
)

// Override is one grant of emergency access to a person's record.
type Override struct {
	ID         int64
	UserID     int64
	UserName   string
	PersonID   int64
	PersonName string
	Reason     string
	StartsAt   time.Time
	EndsAt     time.Time
}

// overrideRoles are the roles that may use an emergency override: people who work with people.
// Referrers, commissioners and community providers never may.
var overrideRoles = []account.Role{account.OccupationalTherapist, account.LinkWorker, account.Supervisor,
	account.SafeguardingLead, account.ServiceLead}

// GrantOverride gives u access to one person's record for d (DefaultOverride when zero), on a
// reason of at least MinOverrideReason characters, recorded and audited as "access.override"
// with the reason kept as typed.
func (s *Service) GrantOverride(ctx context.Context, actor audit.Actor, u account.User, personID int64, reason string, d time.Duration) (Override, error) {
	if u.ID == 0 || u.Disabled() || !u.HasAny(overrideRoles...) {
		return Override{}, apperr.New(apperr.Forbidden, "Your role cannot use emergency access")
	}
	if d == 0 {
		d = DefaultOverride
	}
	var errs apperr.Fields
	switch n := utf8.RuneCountInString(strings.TrimSpace(reason)); {
	case n < MinOverrideReason:
		errs.Add("reason", fmt.Sprintf("Enter why you need emergency access, in at least %d characters", MinOverrideReason))
	case len(reason) > 1000:
		errs.Add("reason", "Reason must be 1000 characters or fewer")
	}
	if d < 0 || d > MaxOverride {
		errs.Add("duration", fmt.Sprintf("Emergency access can last up to %d hours", int(MaxOverride.Hours())))
	}
	if err := errs.Err(); err != nil {
		return Override{}, err
	}
	o := Override{UserID: u.ID, UserName: u.Name, PersonID: personID, Reason: reason}
	o.StartsAt = s.now().UTC().Truncate(time.Microsecond)
	o.EndsAt = o.StartsAt.Add(d)
	err := s.db.Tx(ctx, func(c store.Conn) error {
		err := c.QueryRow(ctx, `INSERT INTO access_overrides (user_id, person_id, reason, starts_at, ends_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			u.ID, personID, reason, o.StartsAt, o.EndsAt).Scan(&o.ID)
		if store.IsForeignKeyViolation(err) {
			return apperr.New(apperr.NotFound, "No person was found")
		}
		if err != nil {
			return fmt.Errorf("insert override: %w", err)
		}
		return audit.Record(ctx, c, actor, audit.Event{Action: "access.override", RecordType: "person",
			RecordID: audit.RecordID(personID), Reason: reason,
			Detail: fmt.Sprintf("override=%d minutes=%d", o.ID, int(d.Minutes()))})
	})
	if err != nil {
		return Override{}, apperr.Wrap("emergency access", err)
	}
	return o, nil
}

// ActiveOverride reports whether the user has emergency access to the person at now. The access
// policy honours it as a relationship; if the lookup fails, the answer is no.
func (s *Service) ActiveOverride(ctx context.Context, userID, personID int64, now time.Time) (bool, error) {
	now = now.UTC()
	var n int
	err := s.db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM access_overrides
		WHERE user_id = ? AND person_id = ? AND starts_at <= ? AND ends_at > ?`, userID, personID, now, now).Scan(&n)
	if err != nil {
		return false, apperr.Wrap("active override", err)
	}
	return n > 0, nil
}

// OverridesForReview lists emergency access granted since a time, newest first, for
// supervisors to review.
func (s *Service) OverridesForReview(ctx context.Context, since time.Time) ([]Override, error) {
	rows, err := s.db.Reader().Query(ctx, `SELECT o.id, o.user_id, u.name, o.person_id, p.given_name || ' ' || p.family_name,
		o.reason, o.starts_at, o.ends_at FROM access_overrides o JOIN users u ON u.id = o.user_id JOIN people p ON p.id = o.person_id
		WHERE o.starts_at >= ? ORDER BY o.starts_at DESC, o.id DESC`, since.UTC())
	if err != nil {
		return nil, apperr.Wrap("overrides for review", err)
	}
	defer rows.Close()
	var out []Override
	for rows.Next() {
		var o Override
		if err := rows.Scan(&o.ID, &o.UserID, &o.UserName, &o.PersonID, &o.PersonName, &o.Reason, &o.StartsAt, &o.EndsAt); err != nil {
			return nil, apperr.Wrap("overrides for review", err)
		}
		out = append(out, o)
	}
	return out, apperr.Wrap("overrides for review", rows.Err())
}
