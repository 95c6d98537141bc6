package casework

import (
	"context"
	"fmt"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
)

// ClosureReason is why a case ends (DESIGN §3.2).
type ClosureReason string

// ClosureReasons lists the reasons in order.
var ClosureReasons = []ClosureReason{"goals_met", "declined_support", "no_contact", "moved_away", "transferred", "stepped_down", "died"}

var closureLabels = map[ClosureReason]string{
	"goals_met": "Goals met", "declined_support": "Declined further support",
	"no_contact": "No contact after several attempts", "moved_away": "Moved away", "transferred": "Transferred to another service",
	"stepped_down": "Stepped down", "died": "Died",
}

// Label names the reason for people.
func (r ClosureReason) Label() string { return closureLabels[r] }

// Valid reports whether r is a known reason.
func (r ClosureReason) Valid() bool { _, ok := closureLabels[r]; return ok }

// Close ends a case with a reason and an outcome summary, and writes the message back to the
// GP and referrer, as the person's sharing consent allows, in the same transaction.
func (s *Service) Close(ctx context.Context, actor audit.Actor, caseID, version int64, reason ClosureReason, summary string) error {
	return s.CloseWith(ctx, actor, caseID, version, reason, summary, nil)
}

// CloseWith is Close that also runs also, when not nil, in the closing transaction after the
// case is closed, so that what another area records about the closure (such as why there is
// no follow-up measure) commits with it or not at all.
func (s *Service) CloseWith(ctx context.Context, actor audit.Actor, caseID, version int64, reason ClosureReason, summary string, also func(store.Conn) error) error {
	summary, err := validateClosure(reason, summary)
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		if err := s.closeIn(ctx, c, actor, caseID, version, reason, summary); err != nil {
			return err
		}
		if also != nil {
			return also(c)
		}
		return nil
	})
	return apperr.Wrap("close case", err)
}

// CloseIn is Close inside the caller's transaction, for a closure that comes with more to
// record (such as a FHIR Task completed by a partner's system).
func (s *Service) CloseIn(ctx context.Context, c store.Conn, actor audit.Actor, caseID, version int64, reason ClosureReason, summary string) error {
	summary, err := validateClosure(reason, summary)
	if err != nil {
		return err
	}
	return s.closeIn(ctx, c, actor, caseID, version, reason, summary)
}

// ValidateClosure returns the problems with a closure's reason and summary.
func ValidateClosure(reason ClosureReason, summary string) apperr.Fields {
	summary = strings.TrimSpace(summary)
	var errs apperr.Fields
	if !reason.Valid() {
		errs.Add("closure_reason", "Select why the case is closing")
	}
	if summary == "" {
		errs.Add("closure_summary", "Enter an outcome summary: what changed for the person")
	} else if len(summary) > 4000 {
		errs.Add("closure_summary", "Outcome summary must be 4000 characters or fewer")
	}
	return errs
}

// validateClosure checks the reason and returns the trimmed outcome summary.
func validateClosure(reason ClosureReason, summary string) (string, error) {
	return strings.TrimSpace(summary), ValidateClosure(reason, summary).Err()
}

func (s *Service) closeIn(ctx context.Context, c store.Conn, actor audit.Actor, caseID, version int64, reason ClosureReason, summary string) error {
	res, err := c.Exec(ctx, `UPDATE cases SET status = ?, closed_at = ?, closure_reason = ?, closure_summary = ?,
			updated_at = ?, version = version + 1 WHERE id = ? AND version = ? AND status <> ?`,
		Closed, store.Now(), reason, summary, store.Now(), caseID, version, Closed)
	if err != nil {
		return fmt.Errorf("close case: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		k, err := getCase(ctx, c, caseID)
		if err != nil {
			return err
		}
		if k.Status == Closed {
			return apperr.New(apperr.Conflict, "This case is already closed")
		}
		return apperr.New(apperr.Conflict, "Someone else changed this case while you were closing it. Check what they did, then try again.")
	}
	// The care team's membership ends with the case, so that "on the care team now"
	// means open cases only, which keeps caseloads small to read.
	if _, err := c.Exec(ctx, `UPDATE case_workers SET to_on = ? WHERE case_id = ? AND to_on = ''`, s.today(), caseID); err != nil {
		return fmt.Errorf("end care team: %w", err)
	}
	k, err := getCase(ctx, c, caseID)
	if err != nil {
		return err
	}
	r, err := s.referrals.GetIn(ctx, c, k.ReferralID)
	if err != nil {
		return err
	}
	if err := referral.SendMessageIn(ctx, c, r, referral.Outcome{Kind: referral.MessageClosed, Reason: reason.Label(), Summary: summary}); err != nil {
		return err
	}
	return audit.Record(ctx, c, actor, caseEvent("case.close", caseID, "reason="+string(reason)))
}
