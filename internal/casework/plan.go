package casework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/store"
)

// GoalStatus is how a goal in the personalised care and support plan stands.
type GoalStatus string

const (
	GoalActive      GoalStatus = "active"
	GoalAchieved    GoalStatus = "achieved"
	GoalPartly      GoalStatus = "partly_achieved"
	GoalNotAchieved GoalStatus = "not_achieved"
	GoalStopped     GoalStatus = "stopped"
)

// GoalStatuses lists every goal status in the order shown.
var GoalStatuses = []GoalStatus{GoalActive, GoalAchieved, GoalPartly, GoalNotAchieved, GoalStopped}

var goalStatusLabels = map[GoalStatus]string{
	GoalActive: "Active", GoalAchieved: "Achieved", GoalPartly: "Partly achieved",
	GoalNotAchieved: "Not achieved", GoalStopped: "Stopped",
}

// Label names the status for people.
func (g GoalStatus) Label() string { return goalStatusLabels[g] }

// Valid reports whether g is a known status.
func (g GoalStatus) Valid() bool { _, ok := goalStatusLabels[g]; return ok }

// ActionStatus is how an action towards a goal stands.
type ActionStatus string

const (
	ActionToDo       ActionStatus = "to_do"
	ActionInProgress ActionStatus = "in_progress"
	ActionDone       ActionStatus = "done"
	ActionNotDone    ActionStatus = "not_done"
)

// ActionStatuses lists every action status in the order shown.
var ActionStatuses = []ActionStatus{ActionToDo, ActionInProgress, ActionDone, ActionNotDone}

var actionStatusLabels = map[ActionStatus]string{
	ActionToDo: "To do", ActionInProgress: "In progress", ActionDone: "Done", ActionNotDone: "Not done",
}

// Label names the status for people.
func (a ActionStatus) Label() string { return actionStatusLabels[a] }

// Valid reports whether a is a known status.
func (a ActionStatus) Valid() bool { _, ok := actionStatusLabels[a]; return ok }

// OwnerKind is who an action belongs to.
type OwnerKind string

const (
	OwnerPerson OwnerKind = "person" // the person themselves
	OwnerWorker OwnerKind = "worker" // a worker on the care team
	OwnerOther  OwnerKind = "other"  // someone else, named: a carer, a neighbour, another service
)

// OwnerKinds lists every kind of owner in the order shown.
var OwnerKinds = []OwnerKind{OwnerPerson, OwnerWorker, OwnerOther}

var ownerKindLabels = map[OwnerKind]string{
	OwnerPerson: "The person", OwnerWorker: "A worker on the care team", OwnerOther: "Someone else",
}

// Label names the kind of owner for people.
func (o OwnerKind) Label() string { return ownerKindLabels[o] }

// Valid reports whether o is a known kind.
func (o OwnerKind) Valid() bool { _, ok := ownerKindLabels[o]; return ok }

// Plan is a case's personalised care and support plan: goals with their actions, and reviews,
// newest review first.
type Plan struct {
	CaseID  int64
	Goals   []Goal
	Reviews []Review
}

// Goal is something the person wants to achieve, in their own words.
type Goal struct {
	ID        int64
	CaseID    int64
	Text      string
	TargetOn  string // YYYY-MM-DD
	Status    GoalStatus
	CreatedBy int64
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
	Actions   []Action
}

// Action is a step towards a goal and who will take it.
type Action struct {
	ID          int64
	GoalID      int64
	Text        string
	Owner       OwnerKind
	OwnerUserID int64  // when a worker owns it
	OwnerName   string // the worker's name, or the someone else as typed
	DueOn       string // YYYY-MM-DD
	Status      ActionStatus
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int64
}

// OwnerLabel names who owns the action, for people.
func (a Action) OwnerLabel() string {
	if a.Owner == OwnerPerson {
		return "The person"
	}
	return a.OwnerName
}

// Review is a look back over the plan with the person.
type Review struct {
	ID           int64
	CaseID       int64
	On           string // YYYY-MM-DD
	Note         string
	With         string // who else took part, as typed
	ReviewedBy   int64
	ReviewerName string
	CreatedAt    time.Time
}

// GoalInput is what adding a goal takes.
type GoalInput struct {
	Text   string // in the person's words
	Target person.DateParts
}

// ActionInput is what adding an action takes. OwnerUserID is for a worker owner, OwnerName
// for someone else.
type ActionInput struct {
	Text        string
	Owner       OwnerKind
	OwnerUserID int64
	OwnerName   string
	Due         person.DateParts
}

// ReviewInput is what recording a review takes. ReviewedBy defaults to the actor; it must be
// someone on the care team.
type ReviewInput struct {
	On         person.DateParts
	Note       string
	With       string
	ReviewedBy int64
}

func (s *Service) validateGoal(in GoalInput) (Goal, error) {
	var errs apperr.Fields
	g := Goal{Text: strings.TrimSpace(in.Text), Status: GoalActive}
	if g.Text == "" {
		errs.Add("goal", "Enter the goal, in the person's own words")
	}
	limitText(&errs, "goal", g.Text, "Goal", 1000)
	var msg string
	if g.TargetOn, msg = s.readDate(in.Target, "Target date", "Enter a target date", notPast); msg != "" {
		errs.Add("target", msg)
	}
	return g, errs.Err()
}

// validateAction checks an action against the case's care team.
func (s *Service) validateAction(in ActionInput, k Case) (Action, error) {
	var errs apperr.Fields
	a := Action{Text: strings.TrimSpace(in.Text), Owner: in.Owner, Status: ActionToDo}
	if a.Text == "" {
		errs.Add("action", "Enter what will be done")
	}
	limitText(&errs, "action", a.Text, "Action", 1000)
	switch a.Owner {
	case OwnerPerson:
	case OwnerWorker:
		if w, ok := k.currentMember(in.OwnerUserID); ok {
			a.OwnerUserID, a.OwnerName = w.UserID, w.Name
		} else {
			errs.Add("owner_user", "Select a worker from the care team")
		}
	case OwnerOther:
		if a.OwnerName = strings.TrimSpace(in.OwnerName); a.OwnerName == "" {
			errs.Add("owner_name", "Enter who will do this")
		}
		limitText(&errs, "owner_name", a.OwnerName, "Who will do this", 200)
	default:
		errs.Add("owner", "Select who will do this")
	}
	var msg string
	if a.DueOn, msg = s.readDate(in.Due, "Due date", "Enter a due date", notPast); msg != "" {
		errs.Add("due", msg)
	}
	return a, errs.Err()
}

func (s *Service) validateReview(in ReviewInput, k Case, actorID int64) (Review, error) {
	var errs apperr.Fields
	r := Review{Note: strings.TrimSpace(in.Note), With: strings.TrimSpace(in.With), ReviewedBy: in.ReviewedBy}
	var msg string
	if r.On, msg = s.readDate(in.On, "Date of the review", "Enter the date of the review", todayIfBlank); msg != "" {
		errs.Add("on", msg)
	}
	if r.Note == "" {
		errs.Add("note", "Enter what was reviewed and agreed")
	}
	longText(&errs, "note", r.Note, "Review note")
	limitText(&errs, "with", r.With, "Who else took part", 200)
	if r.ReviewedBy == 0 {
		r.ReviewedBy = actorID
	}
	if _, ok := k.currentMember(r.ReviewedBy); !ok {
		errs.Add("reviewed_by", "Select who reviewed the plan from the care team")
	}
	return r, errs.Err()
}

// Plan returns a case's personalised care and support plan. Callers audit the access with the
// person's record.
func (s *Service) Plan(ctx context.Context, caseID int64) (Plan, error) {
	p := Plan{CaseID: caseID}
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		if _, err := getCase(ctx, c, caseID); err != nil {
			return err
		}
		var err error
		if p.Goals, err = listGoals(ctx, c, caseID); err != nil {
			return err
		}
		p.Reviews, err = listReviews(ctx, c, caseID)
		return err
	})
	if err != nil {
		return Plan{}, apperr.Wrap("plan", err)
	}
	return p, nil
}

// AddGoal adds an active goal to a case's plan. The target date cannot be in the past.
func (s *Service) AddGoal(ctx context.Context, actor audit.Actor, caseID int64, in GoalInput) (Goal, error) {
	g, err := s.validateGoal(in)
	if err != nil {
		return Goal{}, err
	}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		if _, err := lockOpenCase(ctx, c, caseID, "add goals to the plan"); err != nil {
			return err
		}
		now := store.Now()
		err := c.QueryRow(ctx, `INSERT INTO plan_goals (case_id, goal, target_on, status, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, caseID, g.Text, g.TargetOn, g.Status, nullUser(actor.UserID), now, now).Scan(&g.ID)
		if err != nil {
			return fmt.Errorf("insert goal: %w", err)
		}
		if err := audit.Record(ctx, c, actor, caseEvent("case.goal_add", caseID, fmt.Sprintf("goal=%d", g.ID))); err != nil {
			return err
		}
		g, err = getGoal(ctx, c, g.ID)
		return err
	})
	if err != nil {
		return Goal{}, apperr.Wrap("add goal", err)
	}
	return g, nil
}

// UpdateGoalStatus records how a goal stands, if version is still the goal's.
func (s *Service) UpdateGoalStatus(ctx context.Context, actor audit.Actor, goalID int64, to GoalStatus, version int64) error {
	if !to.Valid() {
		return apperr.Fields{{Field: "status", Message: "Select how the goal stands"}}.Err()
	}
	err := s.db.Tx(ctx, func(c store.Conn) error {
		g, err := getGoal(ctx, c, goalID)
		if err != nil {
			return err
		}
		if _, err := lockOpenCase(ctx, c, g.CaseID, "change the plan"); err != nil {
			return err
		}
		res, err := c.Exec(ctx, `UPDATE plan_goals SET status = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
			to, store.Now(), goalID, version)
		if err != nil {
			return fmt.Errorf("update goal: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "Someone else changed this goal while you were looking at it. Check what they did, then try again.")
		}
		return audit.Record(ctx, c, actor, caseEvent("case.goal_status", g.CaseID, fmt.Sprintf("goal=%d from=%s to=%s", goalID, g.Status, to)))
	})
	return apperr.Wrap("update goal", err)
}

// AddAction adds a step towards an active goal, owned by the person, a worker on the care
// team or someone else named.
func (s *Service) AddAction(ctx context.Context, actor audit.Actor, goalID int64, in ActionInput) (Action, error) {
	var a Action
	err := s.db.Tx(ctx, func(c store.Conn) error {
		g, err := getGoal(ctx, c, goalID)
		if err != nil {
			return err
		}
		k, err := lockOpenCase(ctx, c, g.CaseID, "change the plan")
		if err != nil {
			return err
		}
		if g.Status != GoalActive {
			return apperr.New(apperr.Conflict, "This goal is %s: make it active again before adding actions", strings.ToLower(g.Status.Label()))
		}
		if a, err = s.validateAction(in, k); err != nil {
			return err
		}
		now := store.Now()
		err = c.QueryRow(ctx, `INSERT INTO plan_actions (goal_id, action, owner_kind, owner_user_id, owner_name, due_on, status,
			created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			goalID, a.Text, a.Owner, nullUser(a.OwnerUserID), otherOwnerName(a), a.DueOn, a.Status, nullUser(actor.UserID), now, now).Scan(&a.ID)
		if err != nil {
			return fmt.Errorf("insert action: %w", err)
		}
		detail := fmt.Sprintf("goal=%d action=%d owner=%s", goalID, a.ID, a.Owner)
		if a.OwnerUserID != 0 {
			detail += fmt.Sprintf(" user=%d", a.OwnerUserID)
		}
		if err := audit.Record(ctx, c, actor, caseEvent("case.action_add", g.CaseID, detail)); err != nil {
			return err
		}
		a, err = getAction(ctx, c, a.ID)
		return err
	})
	if err != nil {
		return Action{}, apperr.Wrap("add action", err)
	}
	return a, nil
}

// otherOwnerName is the name stored with an action: only someone else's, since a worker's
// comes from their account and may change.
func otherOwnerName(a Action) string {
	if a.Owner == OwnerOther {
		return a.OwnerName
	}
	return ""
}

// UpdateActionStatus records how an action stands, if version is still the action's.
func (s *Service) UpdateActionStatus(ctx context.Context, actor audit.Actor, actionID int64, to ActionStatus, version int64) error {
	if !to.Valid() {
		return apperr.Fields{{Field: "status", Message: "Select how the action stands"}}.Err()
	}
	err := s.db.Tx(ctx, func(c store.Conn) error {
		a, err := getAction(ctx, c, actionID)
		if err != nil {
			return err
		}
		g, err := getGoal(ctx, c, a.GoalID)
		if err != nil {
			return err
		}
		if _, err := lockOpenCase(ctx, c, g.CaseID, "change the plan"); err != nil {
			return err
		}
		res, err := c.Exec(ctx, `UPDATE plan_actions SET status = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
			to, store.Now(), actionID, version)
		if err != nil {
			return fmt.Errorf("update action: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "Someone else changed this action while you were looking at it. Check what they did, then try again.")
		}
		return audit.Record(ctx, c, actor, caseEvent("case.action_status", g.CaseID,
			fmt.Sprintf("goal=%d action=%d from=%s to=%s", g.ID, actionID, a.Status, to)))
	})
	return apperr.Wrap("update action", err)
}

// AddReview records a review of a case's plan.
func (s *Service) AddReview(ctx context.Context, actor audit.Actor, caseID int64, in ReviewInput) (Review, error) {
	var r Review
	err := s.db.Tx(ctx, func(c store.Conn) error {
		k, err := lockOpenCase(ctx, c, caseID, "review the plan")
		if err != nil {
			return err
		}
		if r, err = s.validateReview(in, k, actor.UserID); err != nil {
			return err
		}
		err = c.QueryRow(ctx, `INSERT INTO plan_reviews (case_id, reviewed_on, note, reviewed_with, reviewed_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, caseID, r.On, r.Note, r.With, r.ReviewedBy, store.Now()).Scan(&r.ID)
		if err != nil {
			return fmt.Errorf("insert review: %w", err)
		}
		detail := fmt.Sprintf("review=%d by=%d", r.ID, r.ReviewedBy)
		if err := audit.Record(ctx, c, actor, caseEvent("case.review", caseID, detail)); err != nil {
			return err
		}
		reviews, err := listReviews(ctx, c, caseID, r.ID)
		if err == nil {
			r = reviews[0]
		}
		return err
	})
	if err != nil {
		return Review{}, apperr.Wrap("add review", err)
	}
	return r, nil
}

const goalSelect = `SELECT id, case_id, goal, target_on, status, COALESCE(created_by, 0), created_at, updated_at, version FROM plan_goals`

func scanGoal(row interface{ Scan(...any) error }) (Goal, error) {
	var g Goal
	err := row.Scan(&g.ID, &g.CaseID, &g.Text, &g.TargetOn, &g.Status, &g.CreatedBy, &g.CreatedAt, &g.UpdatedAt, &g.Version)
	return g, err
}

func getGoal(ctx context.Context, c store.Conn, id int64) (Goal, error) {
	g, err := scanGoal(c.QueryRow(ctx, goalSelect+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Goal{}, apperr.New(apperr.NotFound, "No goal was found")
	}
	if err != nil {
		return Goal{}, fmt.Errorf("get goal: %w", err)
	}
	return g, nil
}

// listGoals returns a case's goals in the order they were set, each with its actions by due date.
func listGoals(ctx context.Context, c store.Conn, caseID int64) ([]Goal, error) {
	rows, err := c.Query(ctx, goalSelect+` WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list goals: %w", err)
	}
	defer rows.Close()
	var goals []Goal
	at := map[int64]int{}
	for rows.Next() {
		g, err := scanGoal(rows)
		if err != nil {
			return nil, fmt.Errorf("list goals: %w", err)
		}
		at[g.ID] = len(goals)
		goals = append(goals, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list goals: %w", err)
	}
	actions, err := listActions(ctx, c, `g.case_id = ?`, caseID)
	for _, a := range actions {
		goals[at[a.GoalID]].Actions = append(goals[at[a.GoalID]].Actions, a)
	}
	return goals, err
}

const actionSelect = `SELECT a.id, a.goal_id, a.action, a.owner_kind, COALESCE(a.owner_user_id, 0),
	COALESCE(u.name, a.owner_name), a.due_on, a.status, a.created_at, a.updated_at, a.version
	FROM plan_actions a JOIN plan_goals g ON g.id = a.goal_id LEFT JOIN users u ON u.id = a.owner_user_id`

func listActions(ctx context.Context, c store.Conn, where string, args ...any) ([]Action, error) {
	rows, err := c.Query(ctx, actionSelect+` WHERE `+where+` ORDER BY a.due_on, a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list actions: %w", err)
	}
	defer rows.Close()
	var out []Action
	for rows.Next() {
		var a Action
		if err := rows.Scan(&a.ID, &a.GoalID, &a.Text, &a.Owner, &a.OwnerUserID, &a.OwnerName, &a.DueOn, &a.Status,
			&a.CreatedAt, &a.UpdatedAt, &a.Version); err != nil {
			return nil, fmt.Errorf("list actions: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func getAction(ctx context.Context, c store.Conn, id int64) (Action, error) {
	as, err := listActions(ctx, c, `a.id = ?`, id)
	if err != nil {
		return Action{}, err
	}
	if len(as) == 0 {
		return Action{}, apperr.New(apperr.NotFound, "No action was found")
	}
	return as[0], nil
}

// listReviews returns a case's reviews, newest first, or only the one with onlyID if given.
func listReviews(ctx context.Context, c store.Conn, caseID int64, onlyID ...int64) ([]Review, error) {
	q := `SELECT r.id, r.case_id, r.reviewed_on, r.note, r.reviewed_with, r.reviewed_by, u.name, r.created_at
		FROM plan_reviews r JOIN users u ON u.id = r.reviewed_by WHERE r.case_id = ?`
	args := []any{caseID}
	if len(onlyID) > 0 {
		q += ` AND r.id = ?`
		args = append(args, onlyID[0])
	}
	rows, err := c.Query(ctx, q+` ORDER BY r.reviewed_on DESC, r.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("list reviews: %w", err)
	}
	defer rows.Close()
	var out []Review
	for rows.Next() {
		var r Review
		if err := rows.Scan(&r.ID, &r.CaseID, &r.On, &r.Note, &r.With, &r.ReviewedBy, &r.ReviewerName, &r.CreatedAt); err != nil {
			return nil, fmt.Errorf("list reviews: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
