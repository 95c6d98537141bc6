package casework

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
)

// CaseloadFilter narrows a caseload. Exactly one of WorkerID and TeamUserID says whose.
type CaseloadFilter struct {
	WorkerID   int64 // cases where this user is on the care team now
	TeamUserID int64 // cases held by services run by this user's teams
	Statuses   []Status
	Pathway    referral.Pathway
	Tier       referral.Tier
	Sort       string // "name", "review" or "opened"
	Page       int
	PerPage    int
}

// CaseloadRow is one line of a caseload.
type CaseloadRow struct {
	CaseID       int64
	PersonID     int64
	Name         string
	NHSNumber    string
	DateOfBirth  string
	Pathway      referral.Pathway
	Tier         referral.Tier
	Status       Status
	NextReviewOn string
	OpenedAt     time.Time
	Lead         string
}

// CaseloadPage is one page of a caseload with the total that match.
type CaseloadPage struct {
	Rows  []CaseloadRow
	Total int
	Page  int
	Pages int
}

var caseloadOrder = map[string]string{
	"name":   "p.family_name, p.given_name, c.id",
	"review": "c.next_review_on, c.id",
	"opened": "c.opened_at DESC, c.id DESC",
}

// Caseload returns one page of cases that match f.
func (s *Service) Caseload(ctx context.Context, f CaseloadFilter) (CaseloadPage, error) {
	where, args := f.where()
	order, ok := caseloadOrder[f.Sort]
	if !ok {
		order = caseloadOrder["review"]
	}
	if f.PerPage <= 0 || f.PerPage > 100 {
		f.PerPage = 25
	}
	f.Page = max(f.Page, 1)
	out := CaseloadPage{Page: f.Page}
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		// One query gives the page and, through the window, the total that match.
		rows, err := c.Query(ctx, `SELECT c.id, p.id, p.given_name || ' ' || p.family_name, COALESCE(p.nhs_number, ''),
			p.date_of_birth, c.pathway, c.tier, c.status, c.next_review_on, c.opened_at, COUNT(*) OVER ()
			FROM cases c JOIN people p ON p.id = c.person_id WHERE `+where+
			` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r CaseloadRow
			if err := rows.Scan(&r.CaseID, &r.PersonID, &r.Name, &r.NHSNumber, &r.DateOfBirth, &r.Pathway, &r.Tier,
				&r.Status, &r.NextReviewOn, &r.OpenedAt, &out.Total); err != nil {
				return err
			}
			out.Rows = append(out.Rows, r)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(out.Rows) > 0 {
			return leadNames(ctx, c, out.Rows)
		}
		if f.Page == 1 {
			return nil
		}
		// A page past the end has no rows to carry the total: count on its own.
		return c.QueryRow(ctx, `SELECT COUNT(*) FROM cases c JOIN people p ON p.id = c.person_id WHERE `+where, args...).Scan(&out.Total)
	})
	if err != nil {
		return CaseloadPage{}, apperr.Wrap("caseload", err)
	}
	out.Pages = max(1, (out.Total+f.PerPage-1)/f.PerPage)
	return out, nil
}

// leadNames fills in the lead of each row shown, in one query for the page rather than one
// per open case.
func leadNames(ctx context.Context, c store.Conn, rows []CaseloadRow) error {
	args := []any{true}
	for _, r := range rows {
		args = append(args, r.CaseID)
	}
	res, err := c.Query(ctx, `SELECT w.case_id, u.name FROM case_workers w JOIN users u ON u.id = w.user_id
		WHERE w.is_lead = ? AND w.to_on = '' AND w.case_id IN `+store.In(len(rows)), args...)
	if err != nil {
		return err
	}
	defer res.Close()
	names := map[int64]string{}
	for res.Next() {
		var id int64
		var name string
		if err := res.Scan(&id, &name); err != nil {
			return err
		}
		names[id] = name
	}
	for i := range rows {
		rows[i].Lead = names[rows[i].CaseID]
	}
	return res.Err()
}

func (f CaseloadFilter) where() (string, []any) {
	conds := []string{}
	var args []any
	statuses := f.Statuses
	if len(statuses) == 0 {
		statuses = []Status{Active, OnHold}
	}
	switch {
	case f.WorkerID != 0 && !slices.Contains(statuses, Closed):
		// Memberships end when a case closes, so current ones are the open cases.
		conds = append(conds, `c.id IN (SELECT case_id FROM case_workers WHERE user_id = ? AND to_on = '')`)
		args = append(args, f.WorkerID)
	case f.WorkerID != 0:
		conds = append(conds, `c.id IN (SELECT case_id FROM case_workers WHERE user_id = ?)`)
		args = append(args, f.WorkerID)
	case f.TeamUserID != 0:
		conds = append(conds, `c.service_id IN (SELECT s.id FROM services s JOIN team_members tm ON tm.team_id = s.team_id WHERE tm.user_id = ?)`)
		args = append(args, f.TeamUserID)
	default:
		conds = append(conds, `1 = 0`)
	}
	conds = append(conds, `c.status IN `+store.In(len(statuses)))
	for _, st := range statuses {
		args = append(args, st)
	}
	if f.Pathway != "" {
		conds = append(conds, `c.pathway = ?`)
		args = append(args, f.Pathway)
	}
	if f.Tier != "" {
		conds = append(conds, `c.tier = ?`)
		args = append(args, f.Tier)
	}
	return strings.Join(conds, " AND "), args
}

// PersonCases lists every case a person has had, open ones first, then newest first, without
// their care teams. Callers audit the access with the person's record.
func (s *Service) PersonCases(ctx context.Context, personID int64) ([]Case, error) {
	rows, err := s.db.Reader().Query(ctx, `SELECT `+caseColumns+` FROM cases WHERE person_id = ?
		ORDER BY CASE WHEN status = ? THEN 1 ELSE 0 END, opened_at DESC, id DESC`, personID, Closed)
	if err != nil {
		return nil, apperr.Wrap("person's cases", err)
	}
	defer rows.Close()
	var out []Case
	for rows.Next() {
		k, err := scanCase(rows)
		if err != nil {
			return nil, apperr.Wrap("person's cases", err)
		}
		out = append(out, k)
	}
	return out, apperr.Wrap("person's cases", rows.Err())
}

// TeamMember is someone involved with a person, with the case and service they work on: the
// answer to "who are you?".
type TeamMember struct {
	Worker
	ServiceName string
	CaseStatus  Status
}

// CareTeam lists everyone on the care teams of a person's open cases, leads first.
func (s *Service) CareTeam(ctx context.Context, personID int64) ([]TeamMember, error) {
	rows, err := s.db.Reader().Query(ctx, `SELECT w.id, w.case_id, w.user_id, u.name, u.email, COALESCE(u.organisation_id, 0),
		COALESCE(o.name, ''), w.role, w.is_lead, w.from_on, w.to_on, sv.name, c.status
		FROM case_workers w JOIN cases c ON c.id = w.case_id JOIN services sv ON sv.id = c.service_id
		JOIN users u ON u.id = w.user_id LEFT JOIN organisations o ON o.id = u.organisation_id
		WHERE c.person_id = ? AND c.status <> ? AND w.to_on = ''
		ORDER BY w.is_lead DESC, w.from_on, u.name`, personID, Closed)
	if err != nil {
		return nil, apperr.Wrap("care team", err)
	}
	defer rows.Close()
	var out []TeamMember
	for rows.Next() {
		var m TeamMember
		if err := rows.Scan(&m.ID, &m.CaseID, &m.UserID, &m.Name, &m.Email, &m.OrganisationID, &m.OrganisationName,
			&m.Role, &m.Lead, &m.From, &m.To, &m.ServiceName, &m.CaseStatus); err != nil {
			return nil, apperr.Wrap("care team", err)
		}
		out = append(out, m)
	}
	return out, apperr.Wrap("care team", rows.Err())
}

// Relationship is why a user may see a person's record (DESIGN §4), strongest first.
type Relationship string

const (
	NoRelationship  Relationship = ""
	CareTeam        Relationship = "care_team"   // on the care team of an open case
	TeamHolds       Relationship = "team"        // their team's service holds an open case or referral
	Referrer        Relationship = "referrer"    // they referred the person: status and feedback only
	SupervisorOf    Relationship = "supervision" // they supervise someone on the care team of an open case
	EmergencyAccess Relationship = "override"    // time-limited emergency access with a recorded reason
)

// ClosedCaseAccess is how long the care team of a closed case keeps access to it, to finish
// records, answer the GP and pick up a quick re-referral.
const ClosedCaseAccess = 180 * 24 * time.Hour

// RelationshipWith finds the strongest legitimate relationship a user has with a person.
func (s *Service) RelationshipWith(ctx context.Context, u account.User, personID int64) (Relationship, error) {
	var rel Relationship
	since := s.now().UTC().Add(-ClosedCaseAccess)
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		checks := []struct {
			rel  Relationship
			q    string
			args []any
		}{
			// On the team of an open case now, or on it when a case closed not long ago
			// (closing ends every membership on the day).
			{CareTeam, `SELECT COUNT(*) FROM case_workers w JOIN cases c ON c.id = w.case_id
				WHERE c.person_id = ? AND w.user_id = ? AND ((c.status <> ? AND w.to_on = '')
				OR (c.status = ? AND c.closed_at >= ? AND w.to_on >= ?))`,
				[]any{personID, u.ID, Closed, Closed, since, since.Format("2006-01-02")}},
			{TeamHolds, `SELECT COUNT(*) FROM services s JOIN team_members tm ON tm.team_id = s.team_id
				WHERE tm.user_id = ? AND (s.id IN (SELECT service_id FROM cases WHERE person_id = ? AND status <> ?)
				OR s.id IN (SELECT service_id FROM referrals WHERE person_id = ? AND status = ?))`,
				[]any{u.ID, personID, Closed, personID, referral.StatusRequested}},
			{Referrer, `SELECT COUNT(*) FROM referrals WHERE person_id = ? AND referrer_id = ?`, []any{personID, u.ID}},
		}
		for _, ch := range checks {
			var n int
			if err := c.QueryRow(ctx, ch.q, ch.args...).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				rel = ch.rel
				return nil
			}
		}
		return nil
	})
	return rel, apperr.Wrap("relationship", err)
}
