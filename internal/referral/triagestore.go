package referral

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// Triage is a triager's recorded decision on a referral, with what Linkwell suggested.
type Triage struct {
	ReferralID int64
	Answers    TriageAnswers
	Suggestion Suggestion
	Decision   Decision
	TriagedBy  int64
	TriagedAt  time.Time
}

// answersString stores the names of the questions answered yes.
func answersString(a TriageAnswers) string {
	var yes []string
	for _, q := range a.Questions() {
		if q.Answer {
			yes = append(yes, q.Name)
		}
	}
	return strings.Join(yes, ",")
}

func parseAnswers(s string) TriageAnswers {
	yes := strings.Split(s, ",")
	return ReadTriageAnswers(func(name string) bool { return slices.Contains(yes, name) })
}

// RecordTriage records the triager's decision on a referral awaiting triage. A decision that
// differs from the suggestion must say why.
func (s *Service) RecordTriage(ctx context.Context, actor audit.Actor, referralID int64, answers TriageAnswers, d Decision) (Triage, error) {
	if actor.UserID == 0 {
		return Triage{}, apperr.New(apperr.Forbidden, "Only a signed-in triager can triage a referral")
	}
	var t Triage
	err := s.db.Tx(ctx, func(c store.Conn) error {
		r, err := getReferral(ctx, c, referralID)
		if err != nil {
			return err
		}
		if r.Status != StatusRequested {
			return apperr.New(apperr.Conflict, "Only a referral awaiting triage can be triaged: this one is %s", strings.ToLower(r.Status.Label()))
		}
		sug := Suggest(answers, r.Needs)
		if err := d.Validate(sug); err != nil {
			return err
		}
		t = Triage{ReferralID: referralID, Answers: answers, Suggestion: sug, Decision: d, TriagedBy: actor.UserID, TriagedAt: store.Now()}
		_, err = c.Exec(ctx, `INSERT INTO triages (referral_id, answers, suggested_tier, suggested_pathway, tier, pathway,
			rationale, triaged_by, triaged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, referralID, answersString(answers),
			sug.Tier, sug.Pathway, d.Tier, d.Pathway, d.Rationale, actor.UserID, t.TriagedAt)
		if err != nil {
			return fmt.Errorf("insert triage: %w", err)
		}
		return audit.Record(ctx, c, actor, referralEvent("referral.triage", referralID,
			fmt.Sprintf("tier=%s pathway=%s suggested=%s/%s", d.Tier, d.Pathway, sug.Tier, sug.Pathway)))
	})
	return t, apperr.Wrap("record triage", err)
}

// LatestTriage returns the newest triage of a referral, or NotFound when it has none.
func (s *Service) LatestTriage(ctx context.Context, referralID int64) (Triage, error) {
	t, err := latestTriage(ctx, s.db.Reader(), referralID)
	return t, apperr.Wrap("get triage", err)
}

func latestTriage(ctx context.Context, c store.Conn, referralID int64) (Triage, error) {
	t := Triage{ReferralID: referralID}
	var answers string
	err := c.QueryRow(ctx, `SELECT answers, suggested_tier, suggested_pathway, tier, pathway, rationale, triaged_by, triaged_at
		FROM triages WHERE referral_id = ? ORDER BY id DESC LIMIT 1`, referralID).Scan(&answers, &t.Suggestion.Tier,
		&t.Suggestion.Pathway, &t.Decision.Tier, &t.Decision.Pathway, &t.Decision.Rationale, &t.TriagedBy, &t.TriagedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Triage{}, apperr.New(apperr.NotFound, "This referral has not been triaged yet")
	}
	if err != nil {
		return Triage{}, fmt.Errorf("get triage: %w", err)
	}
	t.Answers = parseAnswers(answers)
	return t, nil
}

// LatestTriageIn is LatestTriage inside the caller's transaction.
func LatestTriageIn(ctx context.Context, c store.Conn, referralID int64) (Triage, error) {
	return latestTriage(ctx, c, referralID)
}
