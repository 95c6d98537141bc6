// Package workforce holds the people who do social prescribing as staff (DESIGN §3.3, F5, F9):
// their profiles and supervisors, the competence framework with evidence and sign-off that
// delegation checks, supervision sessions, advice requests, caseload oversight and the training
// record.
package workforce

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/store"
)

// Service runs the workforce rules over one database.
type Service struct {
	db   *store.DB
	orgs *organisation.Service
	now  func() time.Time
}

// NewService returns a Service over db; orgs answers whether two organisations share data.
func NewService(db *store.DB, orgs *organisation.Service) *Service {
	return &Service{db: db, orgs: orgs, now: time.Now}
}

// WithClock returns a copy of the service that reads the time from now: for loading demo
// data with a history, and for tests.
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// london is where dates in Linkwell are read: review dates, supervision dates, working hours.
var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}()

func (s *Service) today() string { return s.now().In(london).Format(time.DateOnly) }

func userEvent(action string, userID int64, detail string) audit.Event {
	return audit.Event{Action: action, RecordType: "user", RecordID: audit.RecordID(userID), Detail: detail}
}

// orMissing returns err if a lookup failed, or else the error for a missing row.
func orMissing(err, missing error) error {
	if err != nil {
		return err
	}
	return missing
}

// staff is what the rules need to know about a user: who they are, where they work, what they do.
type staff struct {
	ID             int64
	Name           string
	OrganisationID int64
	Roles          []account.Role
}

func (u staff) has(r account.Role) bool { return slices.Contains(u.Roles, r) }

func getStaff(ctx context.Context, c store.Conn, id int64) (staff, error) {
	var u staff
	err := c.QueryRow(ctx, `SELECT id, name, COALESCE(organisation_id, 0) FROM users WHERE id = ? AND disabled_at IS NULL`, id).
		Scan(&u.ID, &u.Name, &u.OrganisationID)
	if err != nil {
		return staff{}, orMissing(ignoreNoRows(err), apperr.New(apperr.NotFound, "No such member of staff was found"))
	}
	rows, err := c.Query(ctx, `SELECT role FROM user_roles WHERE user_id = ? ORDER BY role`, id)
	if err != nil {
		return staff{}, fmt.Errorf("staff roles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r account.Role
		if err := rows.Scan(&r); err != nil {
			return staff{}, fmt.Errorf("staff roles: %w", err)
		}
		u.Roles = append(u.Roles, r)
	}
	return u, rows.Err()
}
