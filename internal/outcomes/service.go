package outcomes

import (
	"context"
	"fmt"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// Timepoint is when in a case a measure is taken.
type Timepoint string

const (
	Baseline Timepoint = "baseline"
	Interim  Timepoint = "interim"
	FollowUp Timepoint = "follow_up"
)

// Timepoints lists the timepoints in order.
var Timepoints = []Timepoint{Baseline, Interim, FollowUp}

var timepointLabels = map[Timepoint]string{Baseline: "Baseline", Interim: "Review (between)", FollowUp: "Follow-up"}

// Label names the timepoint for people.
func (t Timepoint) Label() string { return timepointLabels[t] }

// Valid reports whether t is a known timepoint.
func (t Timepoint) Valid() bool { _, ok := timepointLabels[t]; return ok }

// CompletedBy says who filled a measure in.
type CompletedBy string

const (
	WithWorker CompletedBy = "worker_with_person"
	ByPerson   CompletedBy = "person"
)

// Label names who completed a measure.
func (c CompletedBy) Label() string {
	if c == ByPerson {
		return "The person, through a link"
	}
	return "With a worker"
}

// Response is one completed measure with its answers and score.
type Response struct {
	ID          int64
	CaseID      int64
	Instrument  string
	Version     int
	Timepoint   Timepoint
	CompletedBy CompletedBy
	RecordedBy  int64
	CompletedAt time.Time
	Score
	Answers []Answer
}

// Answer returns the answer to an item, if given.
func (r Response) Answer(item string) (Answer, bool) {
	for _, a := range r.Answers {
		if a.Item == item {
			return a, true
		}
	}
	return Answer{}, false
}

// Service records and reads wellbeing measures.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// NewService returns a Service over db.
func NewService(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

// RecordInput is one measure completed by a worker with the person.
type RecordInput struct {
	CaseID     int64
	Instrument string
	Timepoint  Timepoint
	UserID     int64
	Form       map[string]string // answers by item code, goals' words by GoalTextField
}

// Record stores a measure a worker completed with the person, on an open case, with the
// version of the instrument it answered, and audits it, in one transaction.
func (s *Service) Record(ctx context.Context, actor audit.Actor, in RecordInput) (Response, error) {
	var out Response
	err := s.db.Tx(ctx, func(c store.Conn) error {
		k, err := caseFacts(ctx, c, in.CaseID)
		if err != nil {
			return err
		}
		if k.closed {
			return apperr.New(apperr.Conflict, "This case is closed, so its measures can no longer change")
		}
		inst, err := s.usable(ctx, c, k.serviceID, in.Instrument, in.Timepoint)
		if err != nil {
			return err
		}
		goals, err := s.checkTimepoint(ctx, c, in.CaseID, inst, in.Timepoint)
		if err != nil {
			return err
		}
		answers, err := inst.ReadAnswers(in.Form, goals)
		if err != nil {
			return err
		}
		out = Response{CaseID: in.CaseID, Instrument: inst.Code, Version: inst.Version, Timepoint: in.Timepoint,
			CompletedBy: WithWorker, RecordedBy: in.UserID, CompletedAt: store.Now(), Score: inst.Score(answers), Answers: answers}
		return insertResponse(ctx, c, actor, &out)
	})
	return out, apperr.Wrap("record measure", err)
}

// Usable returns the current version of a measure a service uses at a timepoint, or field
// errors on instrument and timepoint.
func (s *Service) Usable(ctx context.Context, serviceID int64, code string, tp Timepoint) (Instrument, error) {
	var in Instrument
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		var err error
		in, err = s.usable(ctx, c, serviceID, code, tp)
		return err
	})
	return in, apperr.Wrap("usable measure", err)
}

// usable returns the current version of an instrument the case's service uses, refusing
// one it has not switched on or an unknown timepoint.
func (s *Service) usable(ctx context.Context, c store.Conn, serviceID int64, code string, tp Timepoint) (Instrument, error) {
	var errs apperr.Fields
	if !tp.Valid() {
		errs.Add("timepoint", "Select when this measure is taken")
	}
	uses, err := serviceInstruments(ctx, c, serviceID)
	if err != nil {
		return Instrument{}, err
	}
	for _, u := range uses {
		if u.Instrument.Code == code && u.Enabled {
			return u.Instrument, errs.Err()
		}
	}
	errs = append(apperr.Fields{{Field: "instrument", Message: "Select a measure this service uses"}}, errs...)
	return Instrument{}, errs.Err()
}

// checkTimepoint refuses a second baseline or follow-up, and anything after the baseline
// before there is one; for goal attainment it returns the goals set at the baseline.
func (s *Service) checkTimepoint(ctx context.Context, c store.Conn, caseID int64, inst Instrument, tp Timepoint) (map[string]string, error) {
	have, err := responsesWhere(ctx, c, `r.case_id = ? AND r.instrument_code = ?`, caseID, inst.Code)
	if err != nil {
		return nil, err
	}
	var base *Response
	for i, r := range have {
		if r.Timepoint == tp && tp != Interim {
			return nil, apperr.New(apperr.Conflict, "A %s of %s is already recorded for this case", lower(tp.Label()), inst.Name)
		}
		if r.Timepoint == Baseline {
			base = &have[i]
		}
	}
	if tp == Baseline {
		return nil, nil
	}
	if base == nil {
		return nil, apperr.New(apperr.Conflict, "Record a baseline of %s before a %s", inst.Name, lower(tp.Label()))
	}
	if inst.Scoring.Method != Goals {
		return nil, nil
	}
	goals := map[string]string{}
	for _, a := range base.Answers {
		goals[a.Item] = a.Text
	}
	return goals, nil
}

func insertResponse(ctx context.Context, c store.Conn, actor audit.Actor, r *Response) error {
	err := c.QueryRow(ctx, `INSERT INTO outcome_responses (case_id, instrument_code, instrument_version, timepoint,
		completed_by, recorded_by, completed_at, raw_score, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.CaseID, r.Instrument, r.Version, r.Timepoint, r.CompletedBy, nullID(r.RecordedBy), r.CompletedAt,
		r.Raw, r.Value).Scan(&r.ID)
	if store.IsUniqueViolation(err) {
		return apperr.New(apperr.Conflict, "This measure was recorded for this case while you were filling it in")
	}
	if err != nil {
		return fmt.Errorf("insert response: %w", err)
	}
	for _, a := range r.Answers {
		if _, err := c.Exec(ctx, `INSERT INTO outcome_answers (response_id, item_code, value, text) VALUES (?, ?, ?, ?)`,
			r.ID, a.Item, a.Value, a.Text); err != nil {
			return fmt.Errorf("insert answer: %w", err)
		}
	}
	return audit.Record(ctx, c, actor, audit.Event{Action: "outcome.record", RecordType: "case", RecordID: audit.RecordID(r.CaseID),
		Detail: fmt.Sprintf("response=%d instrument=%s version=%d timepoint=%s by=%s", r.ID, r.Instrument, r.Version, r.Timepoint, r.CompletedBy)})
}

// CaseResponses lists a case's measures, oldest first. Callers audit the read with the
// person's record.
func (s *Service) CaseResponses(ctx context.Context, caseID int64) ([]Response, error) {
	var out []Response
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		var err error
		out, err = responsesWhere(ctx, c, `r.case_id = ?`, caseID)
		return err
	})
	return out, apperr.Wrap("case measures", err)
}

// Instrument returns a version of an instrument, built in or a service lead's own; version 0
// is the newest.
func (s *Service) Instrument(ctx context.Context, code string, version int) (Instrument, error) {
	if in, ok := BuiltIn(code); ok && (version == 0 || version == in.Version) {
		return in, nil
	}
	in, err := customInstrument(ctx, s.db.Reader(), code, version)
	return in, apperr.Wrap("instrument", err)
}

// caseRow is what the rules need to know about a case.
type caseRow struct {
	serviceID int64
	closed    bool
	openedAt  time.Time
}

func caseFacts(ctx context.Context, c store.Conn, caseID int64) (caseRow, error) {
	var k caseRow
	var status string
	err := c.QueryRow(ctx, `SELECT service_id, status, opened_at FROM cases WHERE id = ?`, caseID).Scan(&k.serviceID, &status, &k.openedAt)
	if err != nil {
		return k, notFound(err, "No case was found")
	}
	k.closed = status == "closed"
	return k, nil
}
