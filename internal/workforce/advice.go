package workforce

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/store"
)

// Urgency is how soon advice is needed.
type Urgency string

const (
	Urgent  Urgency = "urgent"
	Routine Urgency = "routine"
)

// Label names the urgency for people.
func (u Urgency) Label() string {
	if u == Urgent {
		return "Urgent"
	}
	return "Routine"
}

// AdviceRequest is a worker's question about a case to their supervisor or an OT (DESIGN F9).
type AdviceRequest struct {
	ID             int64
	CaseID         int64
	PersonName     string
	AskedBy        int64
	AskedByName    string
	AskedOf        int64
	AskedOfName    string
	Urgency        Urgency
	Question       string
	AskedAt        time.Time
	DueAt          time.Time
	AnsweredByName string
	AnsweredAt     *time.Time
	Answer         string
}

// Late reports whether the request was answered after its due time, or is still open past it.
func (a AdviceRequest) Late(now time.Time) bool {
	if a.AnsweredAt != nil {
		return a.AnsweredAt.After(a.DueAt)
	}
	return now.After(a.DueAt)
}

// AdviceInput is what asking takes.
type AdviceInput struct {
	AskOf    int64
	Urgency  Urgency
	Question string
}

// KindAdvice is the notification kind for advice asked and answered.
const KindAdvice notify.Kind = "workforce.advice"

// Advisers lists who a worker on a case may ask: their supervisors and the occupational
// therapists on the case's care team, never themselves.
func (s *Service) Advisers(ctx context.Context, userID, caseID int64) ([]Link, error) {
	out, err := advisers(ctx, s.db.Reader(), userID, caseID)
	return out, apperr.Wrap("advisers", err)
}

func advisers(ctx context.Context, c store.Conn, userID, caseID int64) ([]Link, error) {
	rows, err := c.Query(ctx, `SELECT u.id, u.name, 'Your supervisor' FROM supervisor_links l JOIN users u ON u.id = l.supervisor_id
		WHERE l.supervisee_id = ? AND l.ended_on = ''
		UNION SELECT u.id, u.name, 'Occupational therapist on the care team' FROM case_workers w JOIN users u ON u.id = w.user_id
		WHERE w.case_id = ? AND w.to_on = '' AND w.role = ? AND w.user_id <> ?
		ORDER BY 2`, userID, caseID, account.OccupationalTherapist, userID)
	if err != nil {
		return nil, fmt.Errorf("advisers: %w", err)
	}
	defer rows.Close()
	var out []Link
	for rows.Next() {
		var l Link
		if err := rows.Scan(&l.SupervisorID, &l.SupervisorName, &l.SupervisorOrg); err != nil {
			return nil, fmt.Errorf("advisers: %w", err)
		}
		if n := len(out); n > 0 && out[n-1].SupervisorID == l.SupervisorID {
			continue
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// AskAdvice records a question about a case from someone on its care team to one of their
// advisers, due within the service's response time for its urgency, and tells the adviser.
func (s *Service) AskAdvice(ctx context.Context, actor audit.Actor, by account.User, caseID int64, in AdviceInput) (AdviceRequest, error) {
	var errs apperr.Fields
	if in.Urgency != Urgent && in.Urgency != Routine {
		errs.Add("urgency", "Select how urgent it is")
	}
	if in.AskOf == 0 {
		errs.Add("ask_of", "Select who to ask")
	}
	q, ok := trimLimit(in.Question, 2000)
	switch {
	case q == "":
		errs.Add("question", "Enter your question")
	case !ok:
		errs.Add("question", "Question must be 2000 characters or fewer")
	}
	if err := errs.Err(); err != nil {
		return AdviceRequest{}, err
	}
	var out AdviceRequest
	err := s.db.Tx(ctx, func(c store.Conn) error {
		var serviceID int64
		err := c.QueryRow(ctx, `SELECT k.service_id FROM cases k JOIN case_workers w ON w.case_id = k.id
			WHERE k.id = ? AND k.status <> 'closed' AND w.user_id = ? AND w.to_on = ''`, caseID, by.ID).Scan(&serviceID)
		if err != nil {
			return orMissing(ignoreNoRows(err), apperr.New(apperr.Forbidden, "Only someone on the care team of an open case can ask for advice about it"))
		}
		ads, err := advisers(ctx, c, by.ID, caseID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(ads, func(l Link) bool { return l.SupervisorID == in.AskOf }) {
			return apperr.Fields{{Field: "ask_of", Message: "Select your supervisor or an occupational therapist on the care team"}}.Err()
		}
		set, err := serviceSettings(ctx, c, serviceID)
		if err != nil {
			return err
		}
		now := store.Now()
		due := addWorkingDays(now, set.RoutineDays)
		if in.Urgency == Urgent {
			due = addWorkingMinutes(now, set.UrgentMinutes)
		}
		var id int64
		err = c.QueryRow(ctx, `INSERT INTO advice_requests (case_id, asked_by, asked_of, urgency, question, asked_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			caseID, by.ID, in.AskOf, in.Urgency, q, now, due.UTC()).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert advice request: %w", err)
		}
		subject := "A worker has asked you for advice"
		if in.Urgency == Urgent {
			subject = "Urgent: a worker has asked you for advice"
		}
		if err := notify.Notify(ctx, c, in.AskOf, KindAdvice, subject, "/advice"); err != nil {
			return err
		}
		if err := audit.Record(ctx, c, actor, audit.Event{Action: "case.advice_ask", RecordType: "case", RecordID: audit.RecordID(caseID),
			Detail: fmt.Sprintf("request=%d urgency=%s to=%d", id, in.Urgency, in.AskOf)}); err != nil {
			return err
		}
		reqs, err := listAdvice(ctx, c, `a.id = ?`, id)
		if err == nil {
			out = reqs[0]
		}
		return err
	})
	return out, apperr.Wrap("ask for advice", err)
}

// AnswerAdvice records the answer on the case, for the person asked or any current supervisor
// of the worker who asked, and tells the worker.
func (s *Service) AnswerAdvice(ctx context.Context, actor audit.Actor, by account.User, id int64, answer string) error {
	answer, ok := trimLimit(answer, 4000)
	switch {
	case answer == "":
		return apperr.Fields{{Field: fmt.Sprintf("answer-%d", id), Message: "Enter your answer"}}.Err()
	case !ok:
		return apperr.Fields{{Field: fmt.Sprintf("answer-%d", id), Message: "Answer must be 4000 characters or fewer"}}.Err()
	}
	err := s.db.Tx(ctx, func(c store.Conn) error {
		reqs, err := listAdvice(ctx, c, `a.id = ?`, id)
		if err != nil || len(reqs) == 0 {
			return orMissing(err, apperr.New(apperr.NotFound, "No request for advice was found"))
		}
		r := reqs[0]
		if by.ID != r.AskedOf {
			if sup, err := s.Supervises(ctx, c, by.ID, r.AskedBy); err != nil || !sup {
				return orMissing(err, apperr.New(apperr.Forbidden, "Only the person asked, or the worker's supervisor, can answer this"))
			}
		}
		res, err := c.Exec(ctx, `UPDATE advice_requests SET answered_by = ?, answered_at = ?, answer = ? WHERE id = ? AND answered_at IS NULL`,
			by.ID, store.Now(), answer, id)
		if err != nil {
			return fmt.Errorf("answer advice: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "This question has already been answered")
		}
		if err := notify.Notify(ctx, c, r.AskedBy, KindAdvice, "Your question has been answered", fmt.Sprintf("/cases/%d/advice", r.CaseID)); err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, audit.Event{Action: "case.advice_answer", RecordType: "case", RecordID: audit.RecordID(r.CaseID),
			Detail: fmt.Sprintf("request=%d", id)})
	})
	return apperr.Wrap("answer advice", err)
}

// AdviceQueue lists the open questions asked of a user or of anyone they supervise's
// supervisors (that is, questions from their supervisees), soonest due first.
func (s *Service) AdviceQueue(ctx context.Context, userID int64) ([]AdviceRequest, error) {
	out, err := listAdvice(ctx, s.db.Reader(), `a.answered_at IS NULL AND (a.asked_of = ? OR a.asked_by IN
		(SELECT supervisee_id FROM supervisor_links WHERE supervisor_id = ? AND ended_on = ''))`, userID, userID)
	slices.SortStableFunc(out, func(a, b AdviceRequest) int { return a.DueAt.Compare(b.DueAt) })
	return out, apperr.Wrap("advice queue", err)
}

// CaseAdvice lists the questions asked about a case, newest first.
func (s *Service) CaseAdvice(ctx context.Context, caseID int64) ([]AdviceRequest, error) {
	out, err := listAdvice(ctx, s.db.Reader(), `a.case_id = ?`, caseID)
	slices.Reverse(out)
	return out, apperr.Wrap("case advice", err)
}

func listAdvice(ctx context.Context, c store.Conn, where string, args ...any) ([]AdviceRequest, error) {
	rows, err := c.Query(ctx, `SELECT a.id, a.case_id, p.given_name || ' ' || p.family_name, a.asked_by, ub.name, a.asked_of, uo.name,
		a.urgency, a.question, a.asked_at, a.due_at, COALESCE(ua.name, ''), a.answered_at, a.answer
		FROM advice_requests a JOIN cases k ON k.id = a.case_id JOIN people p ON p.id = k.person_id
		JOIN users ub ON ub.id = a.asked_by JOIN users uo ON uo.id = a.asked_of LEFT JOIN users ua ON ua.id = a.answered_by
		WHERE `+where+` ORDER BY a.asked_at, a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list advice: %w", err)
	}
	defer rows.Close()
	var out []AdviceRequest
	for rows.Next() {
		var a AdviceRequest
		var answered sql.NullTime
		if err := rows.Scan(&a.ID, &a.CaseID, &a.PersonName, &a.AskedBy, &a.AskedByName, &a.AskedOf, &a.AskedOfName, &a.Urgency,
			&a.Question, &a.AskedAt, &a.DueAt, &a.AnsweredByName, &answered, &a.Answer); err != nil {
			return nil, fmt.Errorf("list advice: %w", err)
		}
		a.AnsweredAt = nullTime(answered)
		out = append(out, a)
	}
	return out, rows.Err()
}

// ResponseTimes are how a set of advice requests were answered, for one urgency.
type ResponseTimes struct {
	Urgency       Urgency
	Asked         int
	Answered      int
	OnTime        int
	OpenLate      int
	MedianMinutes int // from asking to answer, in clock minutes; zero with none answered
}

// AdviceResponseTimes reports, for each urgency, the questions asked of userID since a time:
// how many were answered within the service's standard and the median time taken.
func (s *Service) AdviceResponseTimes(ctx context.Context, userID int64, since time.Time) ([]ResponseTimes, error) {
	reqs, err := listAdvice(ctx, s.db.Reader(), `a.asked_of = ? AND a.asked_at >= ?`, userID, since.UTC())
	if err != nil {
		return nil, apperr.Wrap("advice response times", err)
	}
	now := s.now()
	var out []ResponseTimes
	for _, u := range []Urgency{Urgent, Routine} {
		rt := ResponseTimes{Urgency: u}
		var mins []int
		for _, r := range reqs {
			if r.Urgency != u {
				continue
			}
			rt.Asked++
			switch {
			case r.AnsweredAt != nil:
				rt.Answered++
				mins = append(mins, int(r.AnsweredAt.Sub(r.AskedAt).Minutes()))
				if !r.Late(now) {
					rt.OnTime++
				}
			case r.Late(now):
				rt.OpenLate++
			}
		}
		if len(mins) > 0 {
			slices.Sort(mins)
			rt.MedianMinutes = mins[len(mins)/2]
		}
		out = append(out, rt)
	}
	return out, nil
}
