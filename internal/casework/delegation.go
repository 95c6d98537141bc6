package casework

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

// CompetenceChecker tells delegation what a delegate lacks for a task type (DESIGN F5). The
// workforce package answers from its competence framework and sign-offs; casework only asks,
// inside its own transaction.
type CompetenceChecker interface {
	// Gaps lists the competences userID needs for the task type and does not hold today,
	// with who could sign them off.
	Gaps(ctx context.Context, c store.Conn, userID, taskTypeID int64) (CompetenceGaps, error)
	// Supervises reports whether supervisorID supervises userID now.
	Supervises(ctx context.Context, c store.Conn, supervisorID, userID int64) (bool, error)
}

// MissingCompetence is one competence a delegate lacks. ExpiredOn is the review date of a
// sign-off that has lapsed, or empty when it was never signed off.
type MissingCompetence struct {
	Code      string
	Name      string
	ExpiredOn string
}

func (m MissingCompetence) String() string {
	if m.ExpiredOn == "" {
		return fmt.Sprintf("%s (%s): not signed off", m.Name, m.Code)
	}
	day := m.ExpiredOn
	if t, err := time.Parse(time.DateOnly, day); err == nil {
		day = t.Format("2 January 2006")
	}
	return fmt.Sprintf("%s (%s): sign-off expired on %s", m.Name, m.Code, day)
}

// CompetenceGaps is what a delegate lacks for a task type, and who can sign it off.
type CompetenceGaps struct {
	Missing     []MissingCompetence
	Signatories []string // the delegate's supervisors
}

// Codes lists the missing competences' codes, for the task's record.
func (g CompetenceGaps) Codes() string {
	codes := make([]string, len(g.Missing))
	for i, m := range g.Missing {
		codes[i] = m.Code
	}
	return strings.Join(codes, ",")
}

// refusal says why the delegation was refused, what is missing and who can sign it off.
func (g CompetenceGaps) refusal(delegate, task string, canOverride bool) string {
	parts := make([]string, len(g.Missing))
	for i, m := range g.Missing {
		parts[i] = m.String()
	}
	msg := fmt.Sprintf("%s cannot be given %s until these competences are signed off: %s.", delegate, strings.ToLower(task[:1])+task[1:], strings.Join(parts, "; "))
	if len(g.Signatories) == 0 {
		msg += " They have no supervisor recorded: ask a service lead to add one, who can then sign these off."
	} else {
		msg += fmt.Sprintf(" %s can sign these off as their supervisor.", strings.Join(g.Signatories, " or "))
	}
	if canOverride {
		msg += " As their supervisor you can delegate it anyway by giving your reason."
	}
	return msg
}

// MinDelegationOverrideReason is how long a supervisor's reason for overriding a competence gap must be.
const MinDelegationOverrideReason = 20

// delegationOverride is a supervisor's decision to delegate despite missing competences.
type delegationOverride struct {
	by      int64
	reason  string
	missing string
}

// checkCompetence applies the competence rule to a delegation: a registered clinician is held
// competent by registration; anyone else must hold every competence the task type needs, or
// their supervisor must override with a reason.
func (s *Service) checkCompetence(ctx context.Context, c store.Conn, by account.User, to Worker, tt TaskType, reason string) (delegationOverride, error) {
	if s.competence == nil || to.Role.Clinical() {
		return delegationOverride{}, nil
	}
	gaps, err := s.competence.Gaps(ctx, c, to.UserID, tt.ID)
	if err != nil || len(gaps.Missing) == 0 {
		return delegationOverride{}, err
	}
	supervises := false
	if by.Has(account.Supervisor) {
		if supervises, err = s.competence.Supervises(ctx, c, by.ID, to.UserID); err != nil {
			return delegationOverride{}, err
		}
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return delegationOverride{}, apperr.Fields{{Field: "delegate_to", Message: gaps.refusal(to.Name, tt.Name, supervises)}}.Err()
	}
	switch n := utf8.RuneCountInString(reason); {
	case !supervises:
		return delegationOverride{}, apperr.Fields{{Field: "override_reason", Message: "Only " + to.Name + "'s supervisor can delegate this despite missing competences"}}.Err()
	case n < MinDelegationOverrideReason:
		return delegationOverride{}, apperr.Fields{{Field: "override_reason", Message: fmt.Sprintf("Enter why you are delegating despite the missing competences, in at least %d characters", MinDelegationOverrideReason)}}.Err()
	case len(reason) > 1000:
		return delegationOverride{}, apperr.Fields{{Field: "override_reason", Message: "Reason must be 1000 characters or fewer"}}.Err()
	}
	return delegationOverride{by: by.ID, reason: reason, missing: gaps.Codes()}, nil
}

// CheckCompetenceWith makes delegation check the delegate's competences with cc.
func (s *Service) CheckCompetenceWith(cc CompetenceChecker) { s.competence = cc }
