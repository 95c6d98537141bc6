package workforce

import (
	"context"
	"fmt"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// NoContactDays is how long without a successful contact marks an open case on the oversight
// page, unless the supervisor asks for another number.
const NoContactDays = 28

// YearBenchmark is the range of people a full-time link worker supports in a year (DESIGN §1).
var YearBenchmark = [2]int{200, 250}

// Figure names one drill-down of the oversight page: the cases behind one number.
type Figure string

const (
	FigOpen          Figure = "open"
	FigNoContact     Figure = "no_contact"
	FigOverdueReview Figure = "overdue_review"
	FigSafeguarding  Figure = "safeguarding"
	FigClinical      Figure = "clinical_input"
	FigUniversal     Figure = "universal"
	FigTargeted      Figure = "targeted"
	FigSpecialist    Figure = "specialist"
)

var figureLabels = map[Figure]string{FigOpen: "Open cases", FigNoContact: "No contact", FigOverdueReview: "Overdue reviews",
	FigSafeguarding: "Open safeguarding concerns", FigClinical: "Waiting for clinical input", FigUniversal: "Universal tier",
	FigTargeted: "Targeted tier", FigSpecialist: "Specialist tier"}

// Label names the figure for people.
func (f Figure) Label() string { return figureLabels[f] }

// Valid reports whether f is a known figure.
func (f Figure) Valid() bool { _, ok := figureLabels[f]; return ok }

// figureWhere narrows a supervisee's open cases k to one figure's; its arguments follow.
func figureWhere(f Figure, today string, noContactSince time.Time) (string, []any) {
	switch f {
	case FigNoContact:
		return `COALESCE((SELECT MAX(cc.contact_at) FROM case_contacts cc WHERE cc.case_id = k.id AND cc.failed = ?), k.opened_at) < ?`, []any{false, noContactSince.UTC()}
	case FigOverdueReview:
		return `k.next_review_on <> '' AND k.next_review_on < ?`, []any{today}
	case FigSafeguarding:
		return `k.id IN (SELECT case_id FROM safeguarding_concerns WHERE status <> 'closed')`, nil
	case FigClinical:
		return `k.id IN (SELECT case_id FROM clinical_input_flags WHERE resolved_at IS NULL)`, nil
	case FigUniversal, FigTargeted, FigSpecialist:
		return `k.tier = ?`, []any{string(f)}
	}
	return `1 = 1`, nil
}

// SuperviseeFigures is one row of a supervisor's caseload oversight.
type SuperviseeFigures struct {
	UserID       int64
	Name         string
	Organisation string
	Capacity     int
	YearCases    int
	Counts       map[Figure]int
	OpenTasks    int
	Overrides    int // delegations to them under a supervisor override, in the last year
	LastSession  string
	DueOn        string
	Overdue      bool
	Gaps         int
	Expiring     int
}

// OverCapacity reports whether they hold more open cases than their capacity.
func (f SuperviseeFigures) OverCapacity() bool {
	return f.Capacity > 0 && f.Counts[FigOpen] > f.Capacity
}

// Oversight returns the caseload oversight figures for each of a supervisor's supervisees.
func (s *Service) Oversight(ctx context.Context, sup account.User, noContactDays int) ([]SuperviseeFigures, error) {
	if !sup.Has(account.Supervisor) {
		return nil, apperr.New(apperr.Forbidden, "Only supervisors have a caseload oversight page")
	}
	return read(ctx, s.db, "oversight", func(c store.Conn) ([]SuperviseeFigures, error) {
		links, err := listLinks(ctx, c, `l.supervisor_id = ?`, sup.ID)
		if err != nil {
			return nil, err
		}
		var out []SuperviseeFigures
		for _, l := range links {
			if ok, err := s.supervisesLive(ctx, c, sup.ID, l.SuperviseeID); err != nil || !ok {
				if err != nil {
					return nil, err
				}
				continue
			}
			f, err := s.figures(ctx, c, l, noContactDays)
			if err != nil {
				return nil, err
			}
			out = append(out, f)
		}
		return out, nil
	})
}

func (s *Service) figures(ctx context.Context, c store.Conn, l Link, noContactDays int) (SuperviseeFigures, error) {
	f := SuperviseeFigures{UserID: l.SuperviseeID, Name: l.SuperviseeName, Organisation: l.SuperviseeOrg, Counts: map[Figure]int{}}
	today, now := s.today(), s.now()
	since := now.AddDate(0, 0, -noContactDays)
	for fig := range figureLabels {
		where, args := figureWhere(fig, today, since)
		q := `SELECT COUNT(*) FROM cases k WHERE k.status <> 'closed' AND k.id IN (SELECT case_id FROM case_workers WHERE user_id = ? AND to_on = '') AND ` + where
		var n int
		if err := c.QueryRow(ctx, q, append([]any{l.SuperviseeID}, args...)...).Scan(&n); err != nil {
			return f, fmt.Errorf("oversight %s: %w", fig, err)
		}
		f.Counts[fig] = n
	}
	yearAgo := now.AddDate(-1, 0, 0)
	err := c.QueryRow(ctx, `SELECT COALESCE((SELECT capacity FROM staff_profiles WHERE user_id = ?), 0),
		(SELECT COUNT(DISTINCT case_id) FROM case_workers WHERE user_id = ? AND (to_on = '' OR to_on >= ?)),
		(SELECT COUNT(*) FROM tasks WHERE delegated_to = ? AND status = 'open'),
		(SELECT COUNT(*) FROM tasks WHERE delegated_to = ? AND override_by IS NOT NULL AND created_at >= ?)`,
		l.SuperviseeID, l.SuperviseeID, yearAgo.Format(time.DateOnly), l.SuperviseeID, l.SuperviseeID, yearAgo.UTC()).
		Scan(&f.Capacity, &f.YearCases, &f.OpenTasks, &f.Overrides)
	if err != nil {
		return f, fmt.Errorf("oversight figures: %w", err)
	}
	dues, err := s.supervisionDue(ctx, c, l.SuperviseeID)
	if err != nil {
		return f, err
	}
	if len(dues) > 0 {
		f.LastSession, f.DueOn, f.Overdue = dues[0].LastOn, dues[0].DueOn, dues[0].Overdue
	}
	rec, err := s.competenceRecord(ctx, c, l.SuperviseeID)
	if err != nil {
		return f, err
	}
	f.Gaps, f.Expiring = rec.Gaps(), rec.Expiring()
	return f, nil
}

// OversightCase is one case behind an oversight figure.
type OversightCase struct {
	CaseID       int64
	PersonName   string
	Tier         string
	NextReviewOn string
	OpenedAt     time.Time
}

// OversightCases lists the open cases behind one figure for one supervisee, for their
// supervisor, and audits that the supervisor saw the list.
func (s *Service) OversightCases(ctx context.Context, actor audit.Actor, sup account.User, superviseeID int64, fig Figure, noContactDays int) ([]OversightCase, error) {
	if !fig.Valid() {
		return nil, apperr.New(apperr.NotFound, "Page not found")
	}
	var out []OversightCase
	err := s.db.Tx(ctx, func(c store.Conn) error {
		ok, err := s.supervisesLive(ctx, c, sup.ID, superviseeID)
		if err != nil {
			return err
		}
		if !ok || !sup.Has(account.Supervisor) {
			return apperr.New(apperr.Forbidden, "You can only see the cases of people you supervise")
		}
		where, args := figureWhere(fig, s.today(), s.now().AddDate(0, 0, -noContactDays))
		rows, err := c.Query(ctx, `SELECT k.id, p.given_name || ' ' || p.family_name, k.tier, k.next_review_on, k.opened_at
			FROM cases k JOIN people p ON p.id = k.person_id
			WHERE k.status <> 'closed' AND k.id IN (SELECT case_id FROM case_workers WHERE user_id = ? AND to_on = '') AND `+where+`
			ORDER BY p.family_name, p.given_name, k.id`, append([]any{superviseeID}, args...)...)
		if err != nil {
			return fmt.Errorf("oversight cases: %w", err)
		}
		for rows.Next() {
			var o OversightCase
			if err := rows.Scan(&o.CaseID, &o.PersonName, &o.Tier, &o.NextReviewOn, &o.OpenedAt); err != nil {
				rows.Close()
				return fmt.Errorf("oversight cases: %w", err)
			}
			out = append(out, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, userEvent("workforce.oversight_cases", superviseeID, fmt.Sprintf("figure=%s cases=%d", fig, len(out))))
	})
	return out, apperr.Wrap("oversight cases", err)
}
