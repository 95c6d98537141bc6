package casework

import (
	"context"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/store"
)

// A community provider answers the connections made to its services (DESIGN §2): it accepts
// or declines a referral and confirms the first attendance. Each answer is a checked move in
// the connection's lifecycle, and the case's lead hears of it.

// KindProviderAnswer is the notification kind for a provider's answer about a connection.
const KindProviderAnswer notify.Kind = "connection.provider"

// ProviderAnswer is what a provider says about a connection.
type ProviderAnswer string

const (
	ProviderAccept   ProviderAnswer = "accept"
	ProviderDecline  ProviderAnswer = "decline"
	ProviderAttended ProviderAnswer = "attended"
)

// providerMoves are the answers a provider gives, from the status each answers.
var providerMoves = map[ProviderAnswer]struct {
	from, to ConnectionStatus
	subject  string
}{
	ProviderAccept:   {ConnReferred, ConnAccepted, "A provider has accepted a connection"},
	ProviderDecline:  {ConnReferred, ConnDeclined, "A provider has declined a connection"},
	ProviderAttended: {ConnAccepted, ConnFirstAttended, "A provider says someone came to their first session"},
}

// ProviderAnswers lists the answers a provider may give about a connection in status st:
// accept or decline a referral, or confirm the first session once accepted.
func ProviderAnswers(st ConnectionStatus) []ProviderAnswer {
	var out []ProviderAnswer
	for _, a := range []ProviderAnswer{ProviderAccept, ProviderDecline, ProviderAttended} {
		if providerMoves[a].from == st {
			out = append(out, a)
		}
	}
	return out
}

// AnswerAsProvider records a provider's answer about a connection at version: the checked move
// with the reason in its history (a decline needs one), the audit entry, and a notification to
// the case's lead, in one transaction together with also (nil for nothing), where a single-use
// link spends itself. It returns the connection as it was before the answer.
func (s *Service) AnswerAsProvider(ctx context.Context, actor audit.Actor, connectionID int64, a ProviderAnswer, reason string,
	version int64, also func(store.Conn) error) (Connection, error) {
	move, ok := providerMoves[a]
	reason = strings.TrimSpace(reason)
	var errs apperr.Fields
	switch {
	case !ok:
		errs.Add("answer", "Select your answer")
	case a == ProviderDecline && reason == "":
		errs.Add("reason", "Enter why you cannot take them")
	}
	limitText(&errs, "reason", reason, "Reason", 1000)
	if err := errs.Err(); err != nil {
		return Connection{}, err
	}
	var before Connection
	err := s.db.Tx(ctx, func(c store.Conn) error {
		var err error
		if before, err = getConnection(ctx, c, connectionID); err != nil {
			return err
		}
		if before.Status != move.from {
			return apperr.New(apperr.Conflict, "This connection %s, so it is not waiting for that answer", connectionStates[before.Status])
		}
		k, err := moveConnection(ctx, c, actor, connectionID, move.to, reason, version)
		if err != nil {
			return err
		}
		if lead, ok := k.Lead(); ok {
			if err := notify.Notify(ctx, c, lead.UserID, KindProviderAnswer, move.subject, caseLink(k.ID)+"/connections"); err != nil {
				return err
			}
		}
		if also != nil {
			return also(c)
		}
		return nil
	})
	return before, apperr.Wrap("answer connection", err)
}
