package fhir

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/workforce"
)

// Identifier systems a Task's owner may name the worker who takes a case on by: the email
// address they sign in to Linkwell with, or their HCPC registration (UK Core's system) as
// their staff profile records it.
const (
	SystemUserEmail = "https://linkwell.github.io/fhir/Id/user-email"
	SystemHCPC      = "https://fhir.hl7.org.uk/Id/hcpc-number"
)

// accept is the performer accepting a referral over FHIR: as in the web interface, the case
// opens with a lead worker, in the same transaction. The lead is the worker the Task's owner
// names; when the owner is left as the service, the worker who triaged the referral in
// Linkwell. Tier and pathway come from the triage, or, untriaged, from what Linkwell
// suggests for the referral's needs.
func (s *Service) accept(ctx context.Context, c store.Conn, who Caller, x referralRow, current, desired Task) error {
	lead, err := s.leadFor(ctx, c, who, x, current, desired)
	if err != nil {
		return err
	}
	in := casework.OpenInput{ReferralVersion: x.Version, Lead: lead}
	if _, err := referral.LatestTriageIn(ctx, c, x.ID); apperr.Is(err, apperr.NotFound) {
		r, err := s.referrals.GetIn(ctx, c, x.ID)
		if err != nil {
			return err
		}
		sug := referral.Suggest(referral.TriageAnswers{}, r.Needs)
		in.Tier, in.Pathway = sug.Tier, sug.Pathway
	} else if err != nil {
		return err
	}
	_, err = s.cases.OpenIn(ctx, c, who.actor(), x.ID, in)
	return err
}

var errNoLead = unprocessable("required", "Task.owner",
	"Name the worker who takes the case on: Task.owner a Practitioner with an identifier from %s or %s", SystemUserEmail, SystemHCPC)

// leadFor finds the case's lead: the worker the new owner names, or the triager.
func (s *Service) leadFor(ctx context.Context, c store.Conn, who Caller, x referralRow, current, desired Task) (account.User, error) {
	var (
		u   account.User
		err error
	)
	switch {
	case ownerChanged(current, desired):
		u, err = practitioner(ctx, c, desired.Owner)
	default:
		t, terr := referral.LatestTriageIn(ctx, c, x.ID)
		if apperr.Is(terr, apperr.NotFound) || terr == nil && t.TriagedBy == 0 {
			return account.User{}, errNoLead
		}
		if terr != nil {
			return account.User{}, terr
		}
		if u, err = account.UserIn(ctx, c, t.TriagedBy); err == nil && s.policy.ClientMayNameLead(who.Principal, u) != nil {
			return account.User{}, errNoLead
		}
	}
	if err != nil {
		return account.User{}, err
	}
	if err := s.policy.ClientMayNameLead(who.Principal, u); err != nil {
		code := "business-rule"
		if apperr.Is(err, apperr.NotFound) {
			code = "not-found"
		}
		return account.User{}, unprocessable(code, "Task.owner.identifier", "%s", asProblem(err, nil).Issues[0].Diagnostics)
	}
	return u, nil
}

// ownerChanged reports whether the client sent an owner other than the service the Task
// shows; a PUT that leaves the owner out changes nothing.
func ownerChanged(current, desired Task) bool {
	return desired.Owner != nil && !reflect.DeepEqual(desired.Owner, current.Owner)
}

// practitioner is the worker an owner reference names by identifier.
func practitioner(ctx context.Context, c store.Conn, ref *Reference) (account.User, error) {
	if ref.Identifier == nil || ref.Type != "" && ref.Type != "Practitioner" && ref.Type != "PractitionerRole" {
		return account.User{}, errNoLead
	}
	id := *ref.Identifier
	unknown := unprocessable("not-found", "Task.owner.identifier", "No worker of this organisation has that identifier")
	var (
		u   account.User
		err error
	)
	switch id.System {
	case SystemUserEmail:
		u, err = account.UserByEmailIn(ctx, c, id.Value)
	case SystemHCPC:
		var userID int64
		err = c.QueryRow(ctx, `SELECT user_id FROM staff_profiles WHERE registration = ?`,
			workforce.NormaliseRegistration(id.Value)).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return account.User{}, unknown
		}
		if err != nil {
			return account.User{}, fmt.Errorf("find practitioner: %w", err)
		}
		u, err = account.UserIn(ctx, c, userID)
	default:
		return account.User{}, unprocessable("code-invalid", "Task.owner.identifier.system",
			"Name the worker by %s or %s", SystemUserEmail, SystemHCPC)
	}
	if apperr.Is(err, apperr.NotFound) {
		return account.User{}, unknown
	}
	return u, err
}
