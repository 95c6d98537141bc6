package workforce

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
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
	FigYear          Figure = "year"       // cases held at any time in the last year, open or not
	FigTasks         Figure = "open_tasks" // tasks, not cases
	FigOverrides     Figure = "overrides"  // tasks, not cases
)

var figureLabels = map[Figure]string{FigOpen: "Open cases", FigNoContact: "No contact", FigOverdueReview: "Overdue reviews",
	FigSafeguarding: "Open safeguarding concerns", FigClinical: "Waiting for clinical input", FigUniversal: "Universal tier",
	FigTargeted: "Targeted tier", FigSpecialist: "Specialist tier", FigYear: "Supported in the last year",
	FigTasks: "Open tasks delegated to them", FigOverrides: "Delegations under a supervisor override in the last year"}

// Label names the figure for people.
func (f Figure) Label() string { return figureLabels[f] }

// Valid reports whether f is a known figure.
func (f Figure) Valid() bool { _, ok := figureLabels[f]; return ok }

// Tasks reports whether the figure counts tasks rather than cases.
func (f Figure) Tasks() bool { return f == FigTasks || f == FigOverrides }

// yearCases selects the cases a worker (the SQL expression user) has been on the care team of
// in the last year: the two ranges of the care team index, current and ended since the date
// given as the argument, rather than all ever held.
func yearCases(user string) string {
	return `SELECT case_id FROM case_workers WHERE user_id = ` + user + ` AND to_on = ''
		UNION SELECT case_id FROM case_workers WHERE user_id = ` + user + ` AND to_on >= ?`
}

// taskWhere narrows the tasks t delegated to a supervisee to a task figure's; its arguments
// follow.
func taskWhere(f Figure, yearAgo time.Time) (string, []any) {
	if f == FigOverrides {
		return `t.override_by IS NOT NULL AND t.created_at >= ?`, []any{yearAgo.UTC()}
	}
	return `t.status = 'open'`, nil
}

// figureWhere narrows a supervisee's open cases k to one figure's; its arguments follow.
func figureWhere(f Figure, today string, noContactSince time.Time) (string, []any) {
	switch f {
	case FigNoContact:
		return `COALESCE((SELECT MAX(cc.contact_at) FROM case_contacts cc WHERE cc.case_id = k.id AND cc.failed = ?), k.opened_at) < ?`, []any{false, noContactSince.UTC()}
	case FigOverdueReview:
		return `k.next_review_on <> '' AND k.next_review_on < ?`, []any{today}
	case FigSafeguarding:
		return `EXISTS (SELECT 1 FROM safeguarding_concerns sc WHERE sc.case_id = k.id AND sc.status <> 'closed')`, nil
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

// Figures lists the oversight figures in the order the page shows them.
var Figures = []Figure{FigOpen, FigNoContact, FigOverdueReview, FigSafeguarding, FigClinical, FigUniversal, FigTargeted, FigSpecialist}

// Oversight returns the caseload oversight figures for each of a supervisor's supervisees, in
// a handful of queries however many they supervise.
func (s *Service) Oversight(ctx context.Context, sup account.User, noContactDays int) ([]SuperviseeFigures, error) {
	if !sup.Has(account.Supervisor) {
		return nil, apperr.New(apperr.Forbidden, "Only supervisors have a caseload oversight page")
	}
	return read(ctx, s.db, "oversight", func(c store.Conn) ([]SuperviseeFigures, error) {
		day := s.today()
		links, err := listLinks(ctx, c, `l.supervisor_id = ? AND `+liveSupervision, sup.ID, day, day)
		if err != nil || len(links) == 0 {
			return nil, err
		}
		out := make([]SuperviseeFigures, len(links))
		at := map[int64]*SuperviseeFigures{}
		ids := make([]int64, len(links))
		for i, l := range links {
			out[i] = SuperviseeFigures{UserID: l.SuperviseeID, Name: l.SuperviseeName, Organisation: l.SuperviseeOrg, Counts: map[Figure]int{}}
			at[l.SuperviseeID], ids[i] = &out[i], l.SuperviseeID
		}
		if err := s.caseFigures(ctx, c, ids, at, noContactDays); err != nil {
			return nil, err
		}
		orgs, err := s.workFigures(ctx, c, ids, at)
		if err != nil {
			return nil, err
		}
		dues, err := s.supervisionDue(ctx, c, ids)
		if err != nil {
			return nil, err
		}
		for _, d := range dues {
			at[d.UserID].LastSession, at[d.UserID].DueOn, at[d.UserID].Overdue = d.LastOn, d.DueOn, d.Overdue
		}
		return out, s.competenceFigures(ctx, c, ids, orgs, at)
	})
}

// caseFigures counts each supervisee's open cases behind every figure, in one query whose
// conditions are the drill-downs' own. Each supervisee's current cases come from the care team
// index and each case's figures from the open cases' covering index, never from the cases
// table; grouping by the supervisee as they are read needs no sort.
func (s *Service) caseFigures(ctx context.Context, c store.Conn, ids []int64, at map[int64]*SuperviseeFigures, noContactDays int) error {
	since := s.now().AddDate(0, 0, -noContactDays)
	sums := make([]string, len(Figures))
	var args []any
	for i, fig := range Figures {
		where, a := figureWhere(fig, s.today(), since)
		sums[i] = `SUM(CASE WHEN ` + where + ` THEN 1 ELSE 0 END)`
		args = append(args, a...)
	}
	for _, id := range ids {
		args = append(args, id)
	}
	return eachRow(ctx, c, `SELECT u.id, `+strings.Join(sums, ", ")+`
		FROM users u JOIN cases k `+c.IndexedBy("cases_open_figures")+` ON k.status <> 'closed'
			AND k.id IN (SELECT case_id FROM case_workers WHERE user_id = u.id AND to_on = '')
		WHERE u.id IN `+store.In(len(ids))+` GROUP BY u.id`, args, func(scan func(...any) error) error {
		var id int64
		n := make([]int, len(Figures))
		dest := []any{&id}
		for i := range n {
			dest = append(dest, &n[i])
		}
		if err := scan(dest...); err != nil {
			return fmt.Errorf("oversight figures: %w", err)
		}
		for i, fig := range Figures {
			at[id].Counts[fig] = n[i]
		}
		return nil
	})
}

// workFigures reads each supervisee's capacity, people supported in the last year, open tasks
// and overridden delegations, and returns their organisations.
func (s *Service) workFigures(ctx context.Context, c store.Conn, ids []int64, at map[int64]*SuperviseeFigures) (map[int64]int64, error) {
	yearAgo := s.now().AddDate(-1, 0, 0)
	open, _ := taskWhere(FigTasks, yearAgo)
	overridden, overrideArgs := taskWhere(FigOverrides, yearAgo)
	args := append([]any{yearAgo.Format(time.DateOnly)}, overrideArgs...)
	for _, id := range ids {
		args = append(args, id)
	}
	orgs := map[int64]int64{}
	err := eachRow(ctx, c, `SELECT u.id, COALESCE(u.organisation_id, 0), COALESCE(sp.capacity, 0),
		(SELECT COUNT(*) FROM (`+yearCases("u.id")+`) y),
		(SELECT COUNT(*) FROM tasks t WHERE t.delegated_to = u.id AND `+open+`),
		(SELECT COUNT(*) FROM tasks t WHERE t.delegated_to = u.id AND `+overridden+`)
		FROM users u LEFT JOIN staff_profiles sp ON sp.user_id = u.id WHERE u.id IN `+store.In(len(ids)), args, func(scan func(...any) error) error {
		var id, org int64
		var f SuperviseeFigures
		if err := scan(&id, &org, &f.Capacity, &f.YearCases, &f.OpenTasks, &f.Overrides); err != nil {
			return fmt.Errorf("oversight work: %w", err)
		}
		orgs[id] = org
		at[id].Capacity, at[id].YearCases, at[id].OpenTasks, at[id].Overrides = f.Capacity, f.YearCases, f.OpenTasks, f.Overrides
		return nil
	})
	return orgs, err
}

// competenceFigures counts each supervisee's competence gaps and sign-offs due for review
// against the framework for their organisation, reading every sign-off in one query.
func (s *Service) competenceFigures(ctx context.Context, c store.Conn, ids []int64, orgs map[int64]int64, at map[int64]*SuperviseeFigures) error {
	latest := map[int64]map[string]*SignOff{}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i], latest[id] = id, map[string]*SignOff{}
	}
	err := eachRow(ctx, c, `SELECT user_id, code, review_on FROM competence_signoffs WHERE user_id IN `+store.In(len(ids))+`
		ORDER BY user_id, signed_at DESC, id DESC`, args, func(scan func(...any) error) error {
		var so SignOff
		if err := scan(&so.UserID, &so.Code, &so.ReviewOn); err != nil {
			return fmt.Errorf("oversight sign-offs: %w", err)
		}
		if _, seen := latest[so.UserID][so.Code]; !seen {
			latest[so.UserID][so.Code] = &so
		}
		return nil
	})
	if err != nil {
		return err
	}
	frameworks := map[int64]Framework{}
	today := s.today()
	for _, id := range ids {
		f, ok := frameworks[orgs[id]]
		if !ok {
			if f, err = frameworkFor(ctx, c, orgs[id]); err != nil {
				return err
			}
			frameworks[orgs[id]] = f
		}
		var rec CompetenceRecord
		for _, k := range f.Competences {
			rec.Rows = append(rec.Rows, CompetenceRow{Competence: k, Standing: standing(latest[id][k.Code], today)})
		}
		at[id].Gaps, at[id].Expiring = rec.Gaps(), rec.Expiring()
	}
	return nil
}
