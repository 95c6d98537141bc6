package outcomes

import (
	"context"
	"fmt"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// MissingReason is why a case closed without a follow-up measure.
type MissingReason string

// MissingReasons lists the reasons in order.
var MissingReasons = []MissingReason{"declined", "unreachable", "other"}

var missingLabels = map[MissingReason]string{
	"declined": "The person declined", "unreachable": "We could not reach the person", "other": "Another reason",
}

// Label names the reason for people.
func (m MissingReason) Label() string { return missingLabels[m] }

// Missing is what a worker says about a follow-up that was not taken.
type Missing struct {
	Reason MissingReason
	Note   string
}

// FollowUpOwed lists the names of the measures a case has a baseline of but no follow-up.
func (s *Service) FollowUpOwed(ctx context.Context, caseID int64) ([]string, error) {
	var out []string
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		var err error
		out, err = s.followUpOwed(ctx, c, caseID)
		return err
	})
	return out, apperr.Wrap("follow-up owed", err)
}

func (s *Service) followUpOwed(ctx context.Context, c store.Conn, caseID int64) ([]string, error) {
	rows, err := c.Query(ctx, `SELECT b.instrument_code, b.instrument_version FROM outcome_responses b WHERE b.case_id = ? AND b.timepoint = ?
		AND NOT EXISTS (SELECT 1 FROM outcome_responses f WHERE f.case_id = b.case_id AND f.instrument_code = b.instrument_code AND f.timepoint = ?)
		ORDER BY b.instrument_code`, caseID, Baseline, FollowUp)
	if err != nil {
		return nil, fmt.Errorf("follow-up owed: %w", err)
	}
	type owed struct {
		code    string
		version int
	}
	var list []owed
	for rows.Next() {
		var o owed
		if err := rows.Scan(&o.code, &o.version); err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var names []string
	for _, o := range list {
		in, err := s.instrumentIn(ctx, c, o.code, o.version)
		if err != nil {
			return nil, err
		}
		names = append(names, in.Name)
	}
	return names, nil
}

// CheckMissing returns the problems with what was said about a missing follow-up, for a
// closure form: none when no follow-up is owed.
func CheckMissing(owed []string, m Missing) apperr.Fields {
	var errs apperr.Fields
	if len(owed) == 0 {
		return nil
	}
	if _, ok := missingLabels[m.Reason]; !ok {
		errs.Add("followup_missing", "Select why there is no follow-up measure")
	}
	note := strings.TrimSpace(m.Note)
	if m.Reason == "other" && note == "" {
		errs.Add("followup_note", "Say why there is no follow-up measure")
	} else if len(note) > 500 {
		errs.Add("followup_note", "Reason must be 500 characters or fewer")
	}
	return errs
}

// AtClosureIn records, in the closure's transaction, why a closing case has no follow-up,
// checking again that one is owed; it refuses a closure that owes one and gives no reason.
func (s *Service) AtClosureIn(ctx context.Context, c store.Conn, actor audit.Actor, userID, caseID int64, m Missing) error {
	owed, err := s.followUpOwed(ctx, c, caseID)
	if err != nil {
		return err
	}
	if len(owed) == 0 {
		return nil
	}
	if err := CheckMissing(owed, m).Err(); err != nil {
		return err
	}
	if _, err := c.Exec(ctx, `INSERT INTO outcome_missing_followups (case_id, reason, note, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?)`,
		caseID, m.Reason, strings.TrimSpace(m.Note), nullID(userID), store.Now()); err != nil {
		return fmt.Errorf("record missing follow-up: %w", err)
	}
	return audit.Record(ctx, c, actor, audit.Event{Action: "outcome.followup_missing", RecordType: "case", RecordID: audit.RecordID(caseID),
		Detail: "reason=" + string(m.Reason)})
}

// MissingFollowUp returns why a closed case has no follow-up, if a reason was recorded.
func (s *Service) MissingFollowUp(ctx context.Context, caseID int64) (Missing, bool, error) {
	var m Missing
	err := s.db.Reader().QueryRow(ctx, `SELECT reason, note FROM outcome_missing_followups WHERE case_id = ?`, caseID).Scan(&m.Reason, &m.Note)
	if err != nil {
		if apperr.Is(notFound(err, "none"), apperr.NotFound) {
			return Missing{}, false, nil
		}
		return Missing{}, false, apperr.Wrap("missing follow-up", err)
	}
	return m, true, nil
}
