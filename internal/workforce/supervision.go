package workforce

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

// SessionKind is how a supervision session was held.
type SessionKind string

const (
	OneToOne SessionKind = "one_to_one"
	Group    SessionKind = "group"
	Peer     SessionKind = "peer"
)

// SessionKinds lists the kinds in the order shown.
var SessionKinds = []SessionKind{OneToOne, Group, Peer}

var kindLabels = map[SessionKind]string{OneToOne: "One to one", Group: "Group", Peer: "Peer"}

// Label names the kind for people.
func (k SessionKind) Label() string { return kindLabels[k] }

// Session is a supervision session. Reflections are filled in only for whoever may read them:
// the supervisee who wrote it and the session's supervisor.
type Session struct {
	ID             int64
	Kind           SessionKind
	SupervisorID   int64
	SupervisorName string
	HeldOn         string
	NextOn         string
	Summary        string
	Attendees      []Attendee
	Cases          []CaseRef
	Actions        []Action
}

// Attendee is a supervisee (or peer) at a session.
type Attendee struct {
	UserID     int64
	Name       string
	Reflection string
	Private    bool // a reflection exists that the viewer may not read
}

// CaseRef is a case discussed in supervision.
type CaseRef struct {
	CaseID     int64
	PersonName string
}

// Action is something agreed in supervision, with its owner and due date.
type Action struct {
	ID        int64
	OwnerID   int64
	OwnerName string
	Action    string
	DueOn     string
	DoneAt    *time.Time
}

// ActionInput is one action typed into the session form.
type ActionInput struct {
	OwnerID int64
	Action  string
	DueOn   string
}

// SessionInput is what recording a session takes. Reflections are keyed by attendee.
type SessionInput struct {
	Kind        SessionKind
	HeldOn      string
	NextOn      string
	Attendees   []int64
	CaseIDs     []int64
	Summary     string
	Reflections map[int64]string
	Actions     []ActionInput
}

func (in *SessionInput) validate(today string, by int64) error {
	var errs apperr.Fields
	if _, ok := kindLabels[in.Kind]; !ok {
		errs.Add("kind", "Select how the session was held")
	}
	slices.Sort(in.Attendees)
	in.Attendees = slices.Compact(in.Attendees)
	switch {
	case len(in.Attendees) == 0:
		errs.Add("attendees", "Select who the session was with")
	case in.Kind == OneToOne && len(in.Attendees) != 1:
		errs.Add("attendees", "Select one person for a one to one session")
	case in.Kind == Group && len(in.Attendees) < 2:
		errs.Add("attendees", "Select at least two people for a group session")
	case slices.Contains(in.Attendees, by):
		errs.Add("attendees", "Select the other people at the session, not yourself")
	}
	pastDate(&errs, "held_on", in.HeldOn, today, "Enter the date of the session", "Date of the session")
	switch {
	case in.NextOn != "" && !validDate(in.NextOn):
		errs.Add("next_on", "Next session date must be a real date")
	case in.NextOn != "" && in.NextOn <= in.HeldOn:
		errs.Add("next_on", "Next session date must be after this session")
	}
	var ok bool
	switch in.Summary, ok = trimLimit(in.Summary, 4000); {
	case in.Summary == "":
		errs.Add("summary", "Enter what was discussed and agreed")
	case !ok:
		errs.Add("summary", "Summary must be 4000 characters or fewer")
	}
	for id, r := range in.Reflections {
		if in.Reflections[id], ok = trimLimit(r, 4000); !ok {
			errs.Add("reflection", "Reflective notes must be 4000 characters or fewer")
		}
	}
	in.validateActions(&errs)
	return errs.Err()
}

func (in *SessionInput) validateActions(errs *apperr.Fields) {
	var kept []ActionInput
	for i, a := range in.Actions {
		a.Action = strings.TrimSpace(a.Action)
		if a.Action == "" && a.DueOn == "" && a.OwnerID == 0 {
			continue
		}
		field := fmt.Sprintf("action-%d", i+1)
		switch {
		case a.Action == "":
			errs.Add(field, "Enter the action")
		case len(a.Action) > 1000:
			errs.Add(field, "Action must be 1000 characters or fewer")
		case a.OwnerID == 0:
			errs.Add(field+"-owner", "Select who owns the action")
		case !validDate(a.DueOn):
			errs.Add(field+"-due", "Enter a real due date for the action")
		}
		kept = append(kept, a)
	}
	in.Actions = kept
}

// KindSupervision is the notification kind for supervision recorded or overdue.
const KindSupervision notify.Kind = "workforce.supervision"

// RecordSession records a supervision session. A supervisor records one to one and group
// sessions with people they supervise; anyone records peer supervision with colleagues in their
// organisation. Cases discussed must be ones an attendee is or was on the care team of; actions
// belong to the recorder or an attendee.
func (s *Service) RecordSession(ctx context.Context, actor audit.Actor, by account.User, in SessionInput) (int64, error) {
	if err := in.validate(s.today(), by.ID); err != nil {
		return 0, err
	}
	var id int64
	err := s.db.Tx(ctx, func(c store.Conn) error {
		if err := s.checkAttendees(ctx, c, by, in); err != nil {
			return err
		}
		for i, a := range in.Actions {
			if a.OwnerID != by.ID && !slices.Contains(in.Attendees, a.OwnerID) {
				return apperr.Fields{{Field: fmt.Sprintf("action-%d-owner", i+1), Message: "Select someone at the session to own the action"}}.Err()
			}
		}
		if err := checkCasesDiscussed(ctx, c, in); err != nil {
			return err
		}
		err := c.QueryRow(ctx, `INSERT INTO supervision_sessions (kind, supervisor_id, held_on, next_on, summary, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			in.Kind, by.ID, in.HeldOn, in.NextOn, in.Summary, store.Now()).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
		return s.writeSessionParts(ctx, c, actor, id, in)
	})
	return id, apperr.Wrap("record supervision", err)
}

func (s *Service) checkAttendees(ctx context.Context, c store.Conn, by account.User, in SessionInput) error {
	for _, a := range in.Attendees {
		u, err := getStaff(ctx, c, a)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Fields{{Field: "attendees", Message: "Select people from the list"}}.Err()
		}
		if err != nil {
			return err
		}
		if in.Kind == Peer {
			if u.OrganisationID != by.OrganisationID {
				return apperr.Fields{{Field: "attendees", Message: "Peer supervision is with colleagues in your organisation: " + u.Name + " works elsewhere"}}.Err()
			}
			continue
		}
		sup, err := s.Supervises(ctx, c, by.ID, a)
		if err != nil {
			return err
		}
		if !sup || !by.Has(account.Supervisor) {
			return apperr.Fields{{Field: "attendees", Message: "You do not supervise " + u.Name + ": record it as peer supervision, or ask their service lead to add you as a supervisor"}}.Err()
		}
	}
	return nil
}

func checkCasesDiscussed(ctx context.Context, c store.Conn, in SessionInput) error {
	for _, k := range in.CaseIDs {
		args := []any{k}
		for _, a := range in.Attendees {
			args = append(args, a)
		}
		var n int
		if err := c.QueryRow(ctx, `SELECT COUNT(*) FROM case_workers WHERE case_id = ? AND user_id IN `+store.In(len(in.Attendees)), args...).Scan(&n); err != nil {
			return fmt.Errorf("check case discussed: %w", err)
		}
		if n == 0 {
			return apperr.Fields{{Field: "cases", Message: "Select cases that someone at the session works on"}}.Err()
		}
	}
	return nil
}

func (s *Service) writeSessionParts(ctx context.Context, c store.Conn, actor audit.Actor, id int64, in SessionInput) error {
	for _, a := range in.Attendees {
		if _, err := c.Exec(ctx, `INSERT INTO supervision_attendees (session_id, user_id, reflection) VALUES (?, ?, ?)`, id, a, in.Reflections[a]); err != nil {
			return fmt.Errorf("insert attendee: %w", err)
		}
		if err := notify.Notify(ctx, c, a, KindSupervision, "A supervision session with you has been recorded", fmt.Sprintf("/supervision/sessions/%d", id)); err != nil {
			return err
		}
	}
	for _, k := range in.CaseIDs {
		if _, err := c.Exec(ctx, `INSERT INTO supervision_cases (session_id, case_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, k); err != nil {
			return fmt.Errorf("insert case discussed: %w", err)
		}
		if err := audit.Record(ctx, c, actor, audit.Event{Action: "case.supervision_discussed", RecordType: "case", RecordID: audit.RecordID(k),
			Detail: fmt.Sprintf("session=%d", id)}); err != nil {
			return err
		}
	}
	for _, a := range in.Actions {
		if _, err := c.Exec(ctx, `INSERT INTO supervision_actions (session_id, owner_id, action, due_on) VALUES (?, ?, ?, ?)`, id, a.OwnerID, a.Action, a.DueOn); err != nil {
			return fmt.Errorf("insert action: %w", err)
		}
	}
	return audit.Record(ctx, c, actor, audit.Event{Action: "workforce.supervision", RecordType: "supervision_session", RecordID: audit.RecordID(id),
		Detail: fmt.Sprintf("kind=%s attendees=%d cases=%d actions=%d", in.Kind, len(in.Attendees), len(in.CaseIDs), len(in.Actions))})
}

var errNotYourSession = apperr.New(apperr.Forbidden, "Only the people at a supervision session, and the service leads of their organisations, can see it")

// Session returns a session for viewer: its supervisor, an attendee, or a service lead of an
// attendee's organisation. Reflective notes are shown only to the attendee who wrote them and
// to the session's supervisor; everyone else, managers and administrators included, sees only
// that one exists. Every view is audited.
func (s *Service) Session(ctx context.Context, actor audit.Actor, viewer account.User, id int64) (Session, error) {
	var out Session
	err := s.db.Tx(ctx, func(c store.Conn) error {
		var err error
		if out, err = getSession(ctx, c, id); err != nil {
			return err
		}
		allowed := viewer.ID == out.SupervisorID
		for i, a := range out.Attendees {
			pair := viewer.ID == out.SupervisorID || viewer.ID == a.UserID
			allowed = allowed || viewer.ID == a.UserID
			if !allowed && viewer.Has(account.ServiceLead) {
				u, err := getStaff(ctx, c, a.UserID)
				if err != nil {
					return err
				}
				allowed = u.OrganisationID == viewer.OrganisationID && viewer.OrganisationID != 0
			}
			if !pair {
				out.Attendees[i].Private, out.Attendees[i].Reflection = a.Reflection != "", ""
			}
		}
		if !allowed {
			return errNotYourSession
		}
		return audit.Record(ctx, c, actor, audit.Event{Action: "workforce.supervision_view", RecordType: "supervision_session", RecordID: audit.RecordID(id)})
	})
	return out, apperr.Wrap("supervision session", err)
}

func getSession(ctx context.Context, c store.Conn, id int64) (Session, error) {
	var k Session
	err := c.QueryRow(ctx, `SELECT s.id, s.kind, s.supervisor_id, u.name, s.held_on, s.next_on, s.summary FROM supervision_sessions s
		JOIN users u ON u.id = s.supervisor_id WHERE s.id = ?`, id).Scan(&k.ID, &k.Kind, &k.SupervisorID, &k.SupervisorName, &k.HeldOn, &k.NextOn, &k.Summary)
	if err != nil {
		return k, orMissing(ignoreNoRows(err), apperr.New(apperr.NotFound, "No supervision session was found"))
	}
	rows, err := c.Query(ctx, `SELECT a.user_id, u.name, a.reflection FROM supervision_attendees a JOIN users u ON u.id = a.user_id
		WHERE a.session_id = ? ORDER BY u.name`, id)
	if err != nil {
		return k, fmt.Errorf("session attendees: %w", err)
	}
	for rows.Next() {
		var a Attendee
		if err := rows.Scan(&a.UserID, &a.Name, &a.Reflection); err != nil {
			rows.Close()
			return k, fmt.Errorf("session attendees: %w", err)
		}
		k.Attendees = append(k.Attendees, a)
	}
	rows.Close()
	if k.Cases, err = sessionCases(ctx, c, id); err != nil {
		return k, err
	}
	k.Actions, err = listActions(ctx, c, `a.session_id = ?`, id)
	return k, err
}

func sessionCases(ctx context.Context, c store.Conn, id int64) ([]CaseRef, error) {
	rows, err := c.Query(ctx, `SELECT k.id, p.given_name || ' ' || p.family_name FROM supervision_cases sc JOIN cases k ON k.id = sc.case_id
		JOIN people p ON p.id = k.person_id WHERE sc.session_id = ? ORDER BY p.family_name, k.id`, id)
	if err != nil {
		return nil, fmt.Errorf("session cases: %w", err)
	}
	defer rows.Close()
	var out []CaseRef
	for rows.Next() {
		var r CaseRef
		if err := rows.Scan(&r.CaseID, &r.PersonName); err != nil {
			return nil, fmt.Errorf("session cases: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func listActions(ctx context.Context, c store.Conn, where string, args ...any) ([]Action, error) {
	rows, err := c.Query(ctx, `SELECT a.id, a.owner_id, u.name, a.action, a.due_on, a.done_at FROM supervision_actions a
		JOIN users u ON u.id = a.owner_id WHERE `+where+` ORDER BY a.due_on, a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("supervision actions: %w", err)
	}
	defer rows.Close()
	var out []Action
	for rows.Next() {
		var a Action
		var done sql.NullTime
		if err := rows.Scan(&a.ID, &a.OwnerID, &a.OwnerName, &a.Action, &a.DueOn, &done); err != nil {
			return nil, fmt.Errorf("supervision actions: %w", err)
		}
		a.DoneAt = nullTime(done)
		out = append(out, a)
	}
	return out, rows.Err()
}

// SessionSummary is one line of a supervision history.
type SessionSummary struct {
	ID             int64
	Kind           SessionKind
	HeldOn         string
	SupervisorName string
	With           string // the attendees' names
}

// SessionsWith lists the sessions a user attended or led, newest first.
func (s *Service) SessionsWith(ctx context.Context, userID int64) ([]SessionSummary, error) {
	rows, err := s.db.Reader().Query(ctx, `SELECT s.id, s.kind, s.held_on, u.name, ua.name FROM supervision_sessions s
		JOIN users u ON u.id = s.supervisor_id JOIN supervision_attendees a ON a.session_id = s.id JOIN users ua ON ua.id = a.user_id
		WHERE s.supervisor_id = ? OR s.id IN (SELECT session_id FROM supervision_attendees WHERE user_id = ?)
		ORDER BY s.held_on DESC, s.id DESC, ua.name`, userID, userID)
	if err != nil {
		return nil, apperr.Wrap("supervision sessions", err)
	}
	defer rows.Close()
	var out []SessionSummary
	for rows.Next() {
		var r SessionSummary
		var with string
		if err := rows.Scan(&r.ID, &r.Kind, &r.HeldOn, &r.SupervisorName, &with); err != nil {
			return nil, apperr.Wrap("supervision sessions", err)
		}
		if n := len(out); n > 0 && out[n-1].ID == r.ID {
			out[n-1].With += ", " + with
			continue
		}
		r.With = with
		out = append(out, r)
	}
	return out, apperr.Wrap("supervision sessions", rows.Err())
}

// Due is when a supervisee's next supervision falls due.
type Due struct {
	UserID  int64
	Name    string
	OrgID   int64
	LastOn  string // the last session they attended, or empty
	DueOn   string
	Overdue bool
}

// supervisionDue works out, for every current supervisee (or just those in ids, when given),
// their last session and when the next is due: the last session, or the start of their first
// current supervision, plus the shortest gap any service their teams run allows.
func (s *Service) supervisionDue(ctx context.Context, c store.Conn, ids []int64) ([]Due, error) {
	only, args := `1 = 1`, []any{Peer, DefaultSettings.SupervisionDays}
	if ids != nil {
		only = `u.id IN ` + store.In(len(ids))
		for _, id := range ids {
			args = append(args, id)
		}
	}
	rows, err := c.Query(ctx, `SELECT u.id, u.name, COALESCE(u.organisation_id, 0),
		COALESCE((SELECT MAX(ss.held_on) FROM supervision_sessions ss JOIN supervision_attendees sa ON sa.session_id = ss.id
			WHERE sa.user_id = u.id AND ss.kind <> ?), ''),
		MIN(l.from_on),
		COALESCE((SELECT MIN(ws.supervision_days) FROM service_workforce_settings ws JOIN services sv ON sv.id = ws.service_id
			JOIN team_members tm ON tm.team_id = sv.team_id WHERE tm.user_id = u.id), ?)
		FROM supervisor_links l JOIN users u ON u.id = l.supervisee_id
		WHERE l.ended_on = '' AND u.disabled_at IS NULL AND `+only+`
		GROUP BY u.id, u.name, u.organisation_id ORDER BY u.name`, args...)
	if err != nil {
		return nil, fmt.Errorf("supervision due: %w", err)
	}
	defer rows.Close()
	today := s.today()
	var out []Due
	for rows.Next() {
		var d Due
		var from string
		var days int
		if err := rows.Scan(&d.UserID, &d.Name, &d.OrgID, &d.LastOn, &from, &days); err != nil {
			return nil, fmt.Errorf("supervision due: %w", err)
		}
		d.DueOn = addDays(cmpOr(d.LastOn, from), days)
		d.Overdue = d.DueOn < today
		out = append(out, d)
	}
	return out, rows.Err()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// FlagOverdueSupervision tells each supervisee whose supervision is overdue, their supervisors
// and their organisation's service leads, once for each due date; it returns how many
// supervisees it flagged. The server's housekeeping runs it.
func (s *Service) FlagOverdueSupervision(ctx context.Context, actor audit.Actor) (int, error) {
	n := 0
	err := s.db.Tx(ctx, func(c store.Conn) error {
		dues, err := s.supervisionDue(ctx, c, nil)
		if err != nil {
			return err
		}
		for _, d := range dues {
			if !d.Overdue {
				continue
			}
			res, err := c.Exec(ctx, `INSERT INTO supervision_overdue (supervisee_id, due_on, notified_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
				d.UserID, d.DueOn, store.Now())
			if err != nil {
				return fmt.Errorf("record overdue supervision: %w", err)
			}
			if k, _ := res.RowsAffected(); k == 0 {
				continue
			}
			if err := notifyOverdue(ctx, c, d); err != nil {
				return err
			}
			if err := audit.Record(ctx, c, actor, userEvent("workforce.supervision_overdue", d.UserID, "due="+d.DueOn)); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, apperr.Wrap("flag overdue supervision", err)
}

func notifyOverdue(ctx context.Context, c store.Conn, d Due) error {
	rows, err := c.Query(ctx, `SELECT supervisor_id FROM supervisor_links WHERE supervisee_id = ? AND ended_on = ''
		UNION SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = ?
		WHERE u.organisation_id = ? AND u.disabled_at IS NULL`, d.UserID, account.ServiceLead, d.OrgID)
	if err != nil {
		return fmt.Errorf("overdue recipients: %w", err)
	}
	to := []int64{d.UserID}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("overdue recipients: %w", err)
		}
		to = append(to, id)
	}
	rows.Close()
	for _, id := range to {
		link := fmt.Sprintf("/workforce/staff/%d", d.UserID)
		if err := notify.Notify(ctx, c, id, KindSupervision, "Supervision is overdue", link); err != nil {
			return err
		}
	}
	return nil
}

// OverrideToReview is a task delegated to a supervisee despite missing competences, for their
// supervisor to review in supervision.
type OverrideToReview struct {
	TaskID     int64
	CaseID     int64
	PersonName string
	TaskType   string
	Delegate   string
	Missing    string
	Reason     string
	By         string
	At         time.Time
}

// OverridesToReview lists the delegations to a supervisor's current supervisees made under an
// override in the last 90 days, newest first.
func (s *Service) OverridesToReview(ctx context.Context, supervisorID int64) ([]OverrideToReview, error) {
	var out []OverrideToReview
	err := eachRow(ctx, s.db.Reader(), `SELECT t.id, t.case_id, p.given_name || ' ' || p.family_name, tt.name, ud.name, t.override_missing,
		t.override_reason, uo.name, t.created_at
		FROM tasks t JOIN task_types tt ON tt.id = t.type_id JOIN cases k ON k.id = t.case_id JOIN people p ON p.id = k.person_id
		JOIN users ud ON ud.id = t.delegated_to JOIN users uo ON uo.id = t.override_by
		WHERE t.override_by IS NOT NULL AND t.created_at >= ? AND t.delegated_to IN
			(SELECT supervisee_id FROM supervisor_links WHERE supervisor_id = ? AND ended_on = '')
		ORDER BY t.created_at DESC, t.id DESC`, []any{s.now().AddDate(0, 0, -90).UTC(), supervisorID}, func(scan func(...any) error) error {
		var o OverrideToReview
		if err := scan(&o.TaskID, &o.CaseID, &o.PersonName, &o.TaskType, &o.Delegate, &o.Missing, &o.Reason, &o.By, &o.At); err != nil {
			return err
		}
		out = append(out, o)
		return nil
	})
	return out, apperr.Wrap("overrides to review", err)
}
