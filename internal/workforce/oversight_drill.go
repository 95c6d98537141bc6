package workforce

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// This file holds the drill-downs of the oversight page: the cases or tasks behind each figure,
// which a supervisor reaches only through a live supervision relationship, each list audited.

// reachable is the condition that the supervisee (the argument) holds case k now, so that their
// supervisor may open it (SupervisesCareOf); the drill-downs show the person's name only then.
const reachable = `k.status <> 'closed' AND k.id IN (SELECT case_id FROM case_workers WHERE user_id = ? AND to_on = '')`

// personIfReachable selects the person's name where the case is reachable, and an empty string
// where not.
const personIfReachable = `CASE WHEN ` + reachable + ` THEN p.given_name || ' ' || p.family_name ELSE '' END`

// OversightCase is one case behind an oversight figure. PersonName is empty for a case the
// supervisee no longer holds, which supervision does not open to their supervisor.
type OversightCase struct {
	CaseID       int64
	PersonName   string
	Tier         string
	Status       string
	NextReviewOn string
	OpenedAt     time.Time
	ClosedAt     *time.Time
}

// OversightTask is one task behind an oversight figure, with its case; PersonName is empty as
// for OversightCase.
type OversightTask struct {
	TaskID          int64
	CaseID          int64
	PersonName      string
	TaskType        string
	Clinical        bool
	DelegatedBy     string
	DueOn           string
	Status          string
	CreatedAt       time.Time
	OverrideBy      string
	OverrideReason  string
	OverrideMissing string
}

// drillDown runs list for a supervisor's look at one supervisee's figure, after checking that
// they supervise them now, and audits the look with the number of rows listed.
func (s *Service) drillDown(ctx context.Context, actor audit.Actor, sup account.User, superviseeID int64, event string, fig Figure,
	list func(store.Conn) (int, error)) error {
	if !fig.Valid() {
		return apperr.New(apperr.NotFound, "Page not found")
	}
	return s.db.Tx(ctx, func(c store.Conn) error {
		ok, err := s.supervisesLive(ctx, c, sup.ID, superviseeID)
		if err != nil {
			return err
		}
		if !ok || !sup.Has(account.Supervisor) {
			return apperr.New(apperr.Forbidden, "You can only see the cases of people you supervise")
		}
		n, err := list(c)
		if err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, userEvent(event, superviseeID, fmt.Sprintf("figure=%s rows=%d", fig, n)))
	})
}

// OversightCases lists the cases behind one case figure for one supervisee, for their
// supervisor, and audits that the supervisor saw the list.
func (s *Service) OversightCases(ctx context.Context, actor audit.Actor, sup account.User, superviseeID int64, fig Figure, noContactDays int) ([]OversightCase, error) {
	if fig.Tasks() {
		return nil, apperr.New(apperr.NotFound, "Page not found")
	}
	var out []OversightCase
	err := s.drillDown(ctx, actor, sup, superviseeID, "workforce.oversight_cases", fig, func(c store.Conn) (int, error) {
		set, where, order := reachable, `1 = 1`, `p.family_name, p.given_name, k.id`
		args := []any{superviseeID, superviseeID}
		var whereArgs []any
		if fig == FigYear {
			set, order = `k.id IN (`+yearCases("?")+`)`, `k.opened_at DESC, k.id DESC`
			args = append(args, superviseeID, s.now().AddDate(-1, 0, 0).Format(time.DateOnly))
		} else {
			where, whereArgs = figureWhere(fig, s.today(), s.now().AddDate(0, 0, -noContactDays))
		}
		err := eachRow(ctx, c, `SELECT k.id, `+personIfReachable+`, k.tier, k.status, k.next_review_on, k.opened_at, k.closed_at
			FROM cases k JOIN people p ON p.id = k.person_id WHERE `+set+` AND `+where+` ORDER BY `+order,
			append(args, whereArgs...), func(scan func(...any) error) error {
				var o OversightCase
				if err := scan(&o.CaseID, &o.PersonName, &o.Tier, &o.Status, &o.NextReviewOn, &o.OpenedAt, &o.ClosedAt); err != nil {
					return fmt.Errorf("oversight cases: %w", err)
				}
				out = append(out, o)
				return nil
			})
		return len(out), err
	})
	return out, apperr.Wrap("oversight cases", err)
}

// OversightTasks lists the tasks behind one task figure for one supervisee, newest first, for
// their supervisor, and audits that the supervisor saw the list.
func (s *Service) OversightTasks(ctx context.Context, actor audit.Actor, sup account.User, superviseeID int64, fig Figure) ([]OversightTask, error) {
	if !fig.Tasks() {
		return nil, apperr.New(apperr.NotFound, "Page not found")
	}
	var out []OversightTask
	err := s.drillDown(ctx, actor, sup, superviseeID, "workforce.oversight_tasks", fig, func(c store.Conn) (int, error) {
		where, whereArgs := taskWhere(fig, s.now().AddDate(-1, 0, 0))
		err := eachRow(ctx, c, `SELECT t.id, t.case_id, `+personIfReachable+`, tt.name, tt.clinical, ub.name, t.due_on, t.status,
			t.created_at, COALESCE(uo.name, ''), t.override_reason, t.override_missing
			FROM tasks t JOIN task_types tt ON tt.id = t.type_id JOIN cases k ON k.id = t.case_id JOIN people p ON p.id = k.person_id
			JOIN users ub ON ub.id = t.delegated_by LEFT JOIN users uo ON uo.id = t.override_by
			WHERE t.delegated_to = ? AND `+where+` ORDER BY t.created_at DESC, t.id DESC`,
			append([]any{superviseeID, superviseeID}, whereArgs...), func(scan func(...any) error) error {
				var o OversightTask
				if err := scan(&o.TaskID, &o.CaseID, &o.PersonName, &o.TaskType, &o.Clinical, &o.DelegatedBy, &o.DueOn, &o.Status,
					&o.CreatedAt, &o.OverrideBy, &o.OverrideReason, &o.OverrideMissing); err != nil {
					return fmt.Errorf("oversight tasks: %w", err)
				}
				o.OverrideMissing = strings.ReplaceAll(o.OverrideMissing, ",", ", ")
				out = append(out, o)
				return nil
			})
		return len(out), err
	})
	return out, apperr.Wrap("oversight tasks", err)
}
