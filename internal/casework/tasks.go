package casework

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/store"
)

// TaskType is a kind of task that can be delegated, held as data with its clinical flag and
// the competences it needs (DESIGN F5, F8).
type TaskType struct {
	ID       int64
	Name     string
	Clinical bool
	// Competences are the codes of the default framework's competences the type needs, for
	// showing; delegation asks the CompetenceChecker, which reads the delegate's framework.
	Competences []string
}

// TaskStatus is where a task is.
type TaskStatus string

const (
	TaskOpen      TaskStatus = "open"
	TaskDone      TaskStatus = "done"
	TaskCancelled TaskStatus = "cancelled"
)

var taskStatusLabels = map[TaskStatus]string{TaskOpen: "Open", TaskDone: "Done", TaskCancelled: "Cancelled"}

// Label names the status for people.
func (s TaskStatus) Label() string { return taskStatusLabels[s] }

// Task is work on a case delegated by one care-team member to another.
type Task struct {
	ID              int64
	CaseID          int64
	Type            TaskType
	DelegatedBy     int64
	DelegatedByName string
	DelegatedTo     int64
	DelegatedToName string
	Guidance        string
	DueOn           string // YYYY-MM-DD, or empty
	Status          TaskStatus
	Outcome         string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int64
	// A delegation a supervisor let through despite missing competences.
	OverrideByName  string
	OverrideReason  string
	OverrideMissing []string
}

// TaskInput is what delegating a task takes.
type TaskInput struct {
	TypeID     int64
	DelegateTo int64 // a user on the case's care team
	Guidance   string
	DueOn      string
	// OverrideReason is a supervisor's reason for delegating despite missing competences.
	OverrideReason string
}

func (in *TaskInput) validate(today string) error {
	var errs apperr.Fields
	if in.TypeID == 0 {
		errs.Add("type", "Select the type of task")
	}
	if in.DelegateTo == 0 {
		errs.Add("delegate_to", "Select who will do the task")
	}
	in.Guidance = strings.TrimSpace(in.Guidance)
	switch {
	case in.Guidance == "":
		errs.Add("guidance", "Enter guidance for the person doing the task")
	case len(in.Guidance) > 4000:
		errs.Add("guidance", "Guidance must be 4000 characters or fewer")
	}
	in.DueOn = strings.TrimSpace(in.DueOn)
	if in.DueOn != "" {
		if _, err := time.Parse(time.DateOnly, in.DueOn); err != nil {
			errs.Add("due_on", "Due date must be a real date")
		} else if in.DueOn < today {
			errs.Add("due_on", "Due date must be today or in the future")
		}
	}
	return errs.Err()
}

// clinicalRefusal explains on the page why a clinical task cannot go to someone in role.
func clinicalRefusal(t TaskType, role account.Role) string {
	return fmt.Sprintf("%s is a clinical task: only an %s can do it. %ss can flag that the person needs clinical input instead.",
		t.Name, strings.ToLower(account.OccupationalTherapist.Label()), role.Label())
}

// TaskTypes lists the task types that can be delegated.
func (s *Service) TaskTypes(ctx context.Context) ([]TaskType, error) {
	out, err := listTaskTypes(ctx, s.db.Reader(), `1 = 1`)
	return out, apperr.Wrap("task types", err)
}

// KindTask is the notification kind for a task delegated to someone.
const KindTask notify.Kind = "case.task"

// Delegate gives a task on a case to a current member of its care team. The delegator must be
// on the care team too. A clinical task is refused to anyone whose role on the case is not
// clinical, and any task to a delegate who lacks a competence it needs, unless their supervisor
// overrides with a reason; refusals explain themselves on the delegate_to field.
func (s *Service) Delegate(ctx context.Context, actor audit.Actor, by account.User, caseID int64, in TaskInput) (Task, error) {
	if err := in.validate(s.today()); err != nil {
		return Task{}, err
	}
	var t Task
	err := s.db.Tx(ctx, func(c store.Conn) error {
		k, err := lockOpenCase(ctx, c, caseID, "delegate tasks")
		if err != nil {
			return err
		}
		if _, ok := k.currentMember(by.ID); !ok {
			return apperr.New(apperr.Forbidden, "Only someone on the care team can delegate tasks on this case")
		}
		tt, err := listTaskTypes(ctx, c, `id = ?`, in.TypeID)
		if err != nil || len(tt) == 0 {
			return orMissing(err, apperr.Fields{{Field: "type", Message: "Select a task type from the list"}}.Err())
		}
		to, ok := k.currentMember(in.DelegateTo)
		if !ok {
			return apperr.Fields{{Field: "delegate_to", Message: "Select someone on the care team: add them to it first"}}.Err()
		}
		if tt[0].Clinical && !to.Role.Clinical() {
			return apperr.Fields{{Field: "delegate_to", Message: clinicalRefusal(tt[0], to.Role)}}.Err()
		}
		override, err := s.checkCompetence(ctx, c, by, to, tt[0], in.OverrideReason)
		if err != nil {
			return err
		}
		now := store.Now()
		var id int64
		err = c.QueryRow(ctx, `INSERT INTO tasks (case_id, type_id, delegated_by, delegated_to, guidance, due_on, status,
			created_at, updated_at, override_by, override_reason, override_missing) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			caseID, in.TypeID, by.ID, to.UserID, in.Guidance, in.DueOn, TaskOpen, now, now,
			nullUser(override.by), override.reason, override.missing).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert task: %w", err)
		}
		if override.by != 0 {
			err = audit.Record(ctx, c, actor, audit.Event{Action: "case.task_override", RecordType: "case", RecordID: audit.RecordID(caseID),
				Reason: override.reason, Detail: fmt.Sprintf("task=%d to=%d missing=%s", id, to.UserID, override.missing)})
			if err != nil {
				return err
			}
		}
		if to.UserID != by.ID {
			if err := notify.Notify(ctx, c, to.UserID, KindTask, "A task has been delegated to you", caseLink(caseID)); err != nil {
				return err
			}
		}
		err = audit.Record(ctx, c, actor, caseEvent("case.task_delegate", caseID,
			fmt.Sprintf("task=%d type=%d clinical=%t to=%d", id, in.TypeID, tt[0].Clinical, to.UserID)))
		if err != nil {
			return err
		}
		t, err = getTask(ctx, c, id)
		return err
	})
	return t, apperr.Wrap("delegate task", err)
}

// Tasks lists a case's tasks, open ones first, then by due date.
func (s *Service) Tasks(ctx context.Context, caseID int64) ([]Task, error) {
	out, err := listTasks(ctx, s.db.Reader(), `t.case_id = ?`, caseID)
	return out, apperr.Wrap("tasks", err)
}

// TasksFor lists the open tasks delegated to a user, soonest due first.
func (s *Service) TasksFor(ctx context.Context, userID int64) ([]Task, error) {
	out, err := listTasks(ctx, s.db.Reader(), `t.delegated_to = ? AND t.status = ?`, userID, TaskOpen)
	return out, apperr.Wrap("tasks", err)
}

// CompleteTask records a task as done with its outcome; the delegate or the delegator may.
func (s *Service) CompleteTask(ctx context.Context, actor audit.Actor, by account.User, taskID, version int64, outcome string) error {
	return apperr.Wrap("complete task", s.finishTask(ctx, actor, by, taskID, version, TaskDone, outcome))
}

// CancelTask cancels an open task with the reason; the delegate or the delegator may.
func (s *Service) CancelTask(ctx context.Context, actor audit.Actor, by account.User, taskID, version int64, reason string) error {
	return apperr.Wrap("cancel task", s.finishTask(ctx, actor, by, taskID, version, TaskCancelled, reason))
}

func (s *Service) finishTask(ctx context.Context, actor audit.Actor, by account.User, taskID, version int64, to TaskStatus, outcome string) error {
	outcome = strings.TrimSpace(outcome)
	switch {
	case outcome == "" && to == TaskDone:
		return apperr.Fields{{Field: "outcome", Message: "Enter the outcome: what was done and what was found"}}.Err()
	case outcome == "":
		return apperr.Fields{{Field: "outcome", Message: "Enter why the task is cancelled"}}.Err()
	case len(outcome) > 4000:
		return apperr.Fields{{Field: "outcome", Message: "Outcome must be 4000 characters or fewer"}}.Err()
	}
	return s.db.Tx(ctx, func(c store.Conn) error {
		t, err := getTask(ctx, c, taskID)
		if err != nil {
			return err
		}
		if by.ID != t.DelegatedTo && by.ID != t.DelegatedBy {
			return apperr.New(apperr.Forbidden, "Only the person who delegated the task, or who is doing it, can change it")
		}
		if t.Status != TaskOpen {
			return apperr.New(apperr.Conflict, "This task is already %s", strings.ToLower(t.Status.Label()))
		}
		res, err := c.Exec(ctx, `UPDATE tasks SET status = ?, outcome = ?, updated_at = ?, version = version + 1
			WHERE id = ? AND version = ? AND status = ?`, to, outcome, store.Now(), taskID, version, TaskOpen)
		if err != nil {
			return fmt.Errorf("finish task: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "Someone else changed this task while you were working on it. Check what they did, then try again.")
		}
		return audit.Record(ctx, c, actor, caseEvent("case.task_"+string(to), t.CaseID, fmt.Sprintf("task=%d", taskID)))
	})
}

func caseLink(id int64) string { return fmt.Sprintf("/cases/%d", id) }

// orMissing returns err if the lookup failed, or else the error for a missing row.
func orMissing(err, missing error) error {
	if err != nil {
		return err
	}
	return missing
}

func listTaskTypes(ctx context.Context, c store.Conn, where string, args ...any) ([]TaskType, error) {
	rows, err := c.Query(ctx, `SELECT id, name, clinical, competences FROM task_types WHERE `+where+` ORDER BY clinical, name`, args...)
	if err != nil {
		return nil, fmt.Errorf("list task types: %w", err)
	}
	defer rows.Close()
	var out []TaskType
	for rows.Next() {
		var t TaskType
		var comps string
		if err := rows.Scan(&t.ID, &t.Name, &t.Clinical, &comps); err != nil {
			return nil, fmt.Errorf("list task types: %w", err)
		}
		t.Competences = splitCodes(comps)
		out = append(out, t)
	}
	return out, rows.Err()
}

// splitCodes reads a comma-separated list of competence codes.
func splitCodes(s string) []string {
	var out []string
	for _, code := range strings.Split(s, ",") {
		if code = strings.TrimSpace(code); code != "" {
			out = append(out, code)
		}
	}
	return out
}

const taskSelect = `SELECT t.id, t.case_id, tt.id, tt.name, tt.clinical, tt.competences, t.delegated_by, ub.name,
	t.delegated_to, ut.name, t.guidance, t.due_on, t.status, t.outcome, t.created_at, t.updated_at, t.version,
	COALESCE(uo.name, ''), t.override_reason, t.override_missing
	FROM tasks t JOIN task_types tt ON tt.id = t.type_id JOIN users ub ON ub.id = t.delegated_by JOIN users ut ON ut.id = t.delegated_to
	LEFT JOIN users uo ON uo.id = t.override_by`

func getTask(ctx context.Context, c store.Conn, id int64) (Task, error) {
	ts, err := listTasks(ctx, c, `t.id = ?`, id)
	if err != nil || len(ts) == 0 {
		return Task{}, orMissing(err, apperr.New(apperr.NotFound, "No task was found"))
	}
	return ts[0], nil
}

func listTasks(ctx context.Context, c store.Conn, where string, args ...any) ([]Task, error) {
	// Tasks with no due date sort after dated ones.
	rows, err := c.Query(ctx, taskSelect+` WHERE `+where+` ORDER BY CASE WHEN t.status = 'open' THEN 0 ELSE 1 END,
		CASE WHEN t.due_on = '' THEN 1 ELSE 0 END, t.due_on, t.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	defer rows.Close()
	var out []Task
	for rows.Next() {
		var t Task
		var comps, missing string
		if err := rows.Scan(&t.ID, &t.CaseID, &t.Type.ID, &t.Type.Name, &t.Type.Clinical, &comps, &t.DelegatedBy, &t.DelegatedByName,
			&t.DelegatedTo, &t.DelegatedToName, &t.Guidance, &t.DueOn, &t.Status, &t.Outcome, &t.CreatedAt, &t.UpdatedAt, &t.Version,
			&t.OverrideByName, &t.OverrideReason, &missing); err != nil {
			return nil, fmt.Errorf("list tasks: %w", err)
		}
		t.Type.Competences = splitCodes(comps)
		t.OverrideMissing = splitCodes(missing)
		out = append(out, t)
	}
	return out, rows.Err()
}

// ClinicalInputFlag is a request, raised on a case by its care team, for an occupational
// therapist to look at something beyond a link worker's role (DESIGN F8).
type ClinicalInputFlag struct {
	ID             int64
	CaseID         int64
	PersonID       int64
	PersonName     string
	Reason         string
	RaisedBy       int64
	RaisedByName   string
	RaisedAt       time.Time
	ResolvedBy     int64
	ResolvedByName string
	ResolvedAt     *time.Time
	Resolution     string
}

// KindClinicalInput is the notification kind for a case that needs clinical input.
const KindClinicalInput notify.Kind = "case.clinical_input"

// FlagClinicalInput records that a case needs clinical input, and notifies the occupational
// therapists on its care team or, when it has none, those in the team that runs its service.
// A case has at most one open flag.
func (s *Service) FlagClinicalInput(ctx context.Context, actor audit.Actor, by account.User, caseID int64, reason string) (ClinicalInputFlag, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return ClinicalInputFlag{}, apperr.Fields{{Field: "reason", Message: "Enter what the person needs clinical input for"}}.Err()
	case len(reason) > 2000:
		return ClinicalInputFlag{}, apperr.Fields{{Field: "reason", Message: "Reason must be 2000 characters or fewer"}}.Err()
	}
	var f ClinicalInputFlag
	err := s.db.Tx(ctx, func(c store.Conn) error {
		k, err := lockOpenCase(ctx, c, caseID, "ask for clinical input")
		if err != nil {
			return err
		}
		if _, ok := k.currentMember(by.ID); !ok {
			return apperr.New(apperr.Forbidden, "Only someone on the care team can ask for clinical input on this case")
		}
		var id int64
		err = c.QueryRow(ctx, `INSERT INTO clinical_input_flags (case_id, reason, raised_by, raised_at) VALUES (?, ?, ?, ?) RETURNING id`,
			caseID, reason, by.ID, store.Now()).Scan(&id)
		if store.IsUniqueViolation(err) {
			return apperr.New(apperr.Conflict, "This case is already waiting for clinical input")
		}
		if err != nil {
			return fmt.Errorf("insert clinical input flag: %w", err)
		}
		ots, err := clinicalInputRecipients(ctx, c, k, by.ID)
		if err != nil {
			return err
		}
		for _, ot := range ots {
			if err := notify.Notify(ctx, c, ot, KindClinicalInput, "A case needs clinical input", caseLink(caseID)); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, c, actor, caseEvent("case.clinical_input", caseID, fmt.Sprintf("flag=%d notified=%d", id, len(ots)))); err != nil {
			return err
		}
		f, err = getClinicalInput(ctx, c, id)
		return err
	})
	return f, apperr.Wrap("flag clinical input", err)
}

// clinicalInputRecipients returns the OTs on the care team, or else the OTs in the team that
// runs the case's service, never the person asking.
func clinicalInputRecipients(ctx context.Context, c store.Conn, k Case, byID int64) ([]int64, error) {
	var out []int64
	for _, w := range k.Team {
		if w.Current() && w.Role.Clinical() && w.UserID != byID {
			out = append(out, w.UserID)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	rows, err := c.Query(ctx, `SELECT u.id FROM users u JOIN team_members tm ON tm.user_id = u.id JOIN services s ON s.team_id = tm.team_id
		WHERE s.id = ? AND u.disabled_at IS NULL AND u.id <> ?
		AND u.id IN (SELECT user_id FROM user_roles WHERE role = ?) ORDER BY u.id`, k.ServiceID, byID, account.OccupationalTherapist)
	if err != nil {
		return nil, fmt.Errorf("find team OTs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("find team OTs: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// ClinicalInputQueue is an occupational therapist's queue: open requests for clinical input on
// cases held by services their teams run, or on which they are on the care team, oldest first.
func (s *Service) ClinicalInputQueue(ctx context.Context, u account.User) ([]ClinicalInputFlag, error) {
	if !u.Has(account.OccupationalTherapist) {
		return nil, apperr.New(apperr.Forbidden, "Only occupational therapists have a clinical input queue")
	}
	out, err := listClinicalInput(ctx, s.db.Reader(), `f.resolved_at IS NULL AND c.status <> ? AND (
		c.service_id IN (SELECT s.id FROM services s JOIN team_members tm ON tm.team_id = s.team_id WHERE tm.user_id = ?)
		OR c.id IN (SELECT case_id FROM case_workers WHERE user_id = ? AND to_on = ''))`, Closed, u.ID, u.ID)
	return out, apperr.Wrap("clinical input queue", err)
}

// CaseClinicalInput lists a case's requests for clinical input, newest first.
func (s *Service) CaseClinicalInput(ctx context.Context, caseID int64) ([]ClinicalInputFlag, error) {
	out, err := listClinicalInput(ctx, s.db.Reader(), `f.case_id = ?`, caseID)
	slices.Reverse(out)
	return out, apperr.Wrap("clinical input", err)
}

// ResolveClinicalInput closes a request for clinical input, recording which occupational
// therapist dealt with it and how.
func (s *Service) ResolveClinicalInput(ctx context.Context, actor audit.Actor, by account.User, flagID int64, resolution string) error {
	if !by.Has(account.OccupationalTherapist) {
		return apperr.New(apperr.Forbidden, "Only an occupational therapist can resolve a request for clinical input")
	}
	resolution = strings.TrimSpace(resolution)
	switch {
	case resolution == "":
		return apperr.Fields{{Field: "resolution", Message: "Enter what you did about it"}}.Err()
	case len(resolution) > 2000:
		return apperr.Fields{{Field: "resolution", Message: "What you did must be 2000 characters or fewer"}}.Err()
	}
	err := s.db.Tx(ctx, func(c store.Conn) error {
		f, err := getClinicalInput(ctx, c, flagID)
		if err != nil {
			return err
		}
		res, err := c.Exec(ctx, `UPDATE clinical_input_flags SET resolved_by = ?, resolved_at = ?, resolution = ?
			WHERE id = ? AND resolved_at IS NULL`, by.ID, store.Now(), resolution, flagID)
		if err != nil {
			return fmt.Errorf("resolve clinical input: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "This request has already been resolved")
		}
		return audit.Record(ctx, c, actor, caseEvent("case.clinical_input_resolve", f.CaseID, fmt.Sprintf("flag=%d", flagID)))
	})
	return apperr.Wrap("resolve clinical input", err)
}

const clinicalInputSelect = `SELECT f.id, f.case_id, c.person_id, p.given_name || ' ' || p.family_name, f.reason,
	f.raised_by, ur.name, f.raised_at, COALESCE(f.resolved_by, 0), COALESCE(uv.name, ''), f.resolved_at, f.resolution
	FROM clinical_input_flags f JOIN cases c ON c.id = f.case_id JOIN people p ON p.id = c.person_id
	JOIN users ur ON ur.id = f.raised_by LEFT JOIN users uv ON uv.id = f.resolved_by`

func getClinicalInput(ctx context.Context, c store.Conn, id int64) (ClinicalInputFlag, error) {
	fs, err := listClinicalInput(ctx, c, `f.id = ?`, id)
	if err != nil || len(fs) == 0 {
		return ClinicalInputFlag{}, orMissing(err, apperr.New(apperr.NotFound, "No request for clinical input was found"))
	}
	return fs[0], nil
}

func listClinicalInput(ctx context.Context, c store.Conn, where string, args ...any) ([]ClinicalInputFlag, error) {
	rows, err := c.Query(ctx, clinicalInputSelect+` WHERE `+where+` ORDER BY f.raised_at, f.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list clinical input: %w", err)
	}
	defer rows.Close()
	var out []ClinicalInputFlag
	for rows.Next() {
		var f ClinicalInputFlag
		var resolved sql.NullTime
		if err := rows.Scan(&f.ID, &f.CaseID, &f.PersonID, &f.PersonName, &f.Reason, &f.RaisedBy, &f.RaisedByName, &f.RaisedAt,
			&f.ResolvedBy, &f.ResolvedByName, &resolved, &f.Resolution); err != nil {
			return nil, fmt.Errorf("list clinical input: %w", err)
		}
		if resolved.Valid {
			f.ResolvedAt = &resolved.Time
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
