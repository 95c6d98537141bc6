package access

import (
	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apiclient"
	"github.com/linkwell/linkwell/internal/apperr"
)

// System clients (DESIGN §4 applied to an organisation): a client acts for one organisation
// and sees what that organisation may see. For a referral, the organisation that sent it is
// its requester and sees its status, the Task and the messages back; the organisation that
// runs the service referred to is its performer, which works the referral and moves its
// Task. A person's record is the performer's to see while it holds an open referral or case
// for them (or one closed within ClosedCaseAccess), and the requester's in the part it sent.

// ClientParty is how a client's organisation stands to a referral or a person.
type ClientParty int

const (
	NoParty   ClientParty = iota
	Requester             // sent the referral: status and feedback
	Performer             // runs the service referred to
)

// ClientScope refuses a token that was not granted the scope.
func (p *Policy) ClientScope(pr apiclient.Principal, s apiclient.Scope) error {
	if pr.Client.ID == 0 || pr.Client.Disabled() {
		return apperr.New(apperr.Unauthorised, "The client is not signed in")
	}
	if !pr.Allows(s) {
		return apperr.New(apperr.Forbidden, "This token was not granted the %s scope", s)
	}
	return nil
}

// ReferralParties are the organisations on either side of a referral. Holding is set while
// the performer holds the person's record through it: the referral is awaiting a decision,
// its case is open, or its case closed within ClosedCaseAccess.
type ReferralParties struct {
	RequesterOrgID int64
	PerformerOrgID int64
	Holding        bool
}

// ClientReferral is the client's party to one referral; performer wins when an organisation
// is both.
func (p *Policy) ClientReferral(pr apiclient.Principal, r ReferralParties) ClientParty {
	org := pr.Client.OrganisationID
	switch {
	case org == 0:
		return NoParty
	case r.PerformerOrgID == org:
		return Performer
	case r.RequesterOrgID == org:
		return Requester
	}
	return NoParty
}

var errClientNoRelationship = apperr.New(apperr.NotFound, "No such resource, or it is not this client's organisation's to see")

// ClientPerson decides whether a client may see a person, given the parties to each of the
// person's referrals: the performer while it holds their record, the requester of any of
// them. Refused, the person reads as not found, so that a client cannot learn who is known.
func (p *Policy) ClientPerson(pr apiclient.Principal, refs []ReferralParties) (ClientParty, error) {
	best := NoParty
	for _, r := range refs {
		switch party := p.ClientReferral(pr, r); {
		case party == Performer && r.Holding:
			return Performer, nil
		case party == Requester || party == Performer && r.RequesterOrgID == pr.Client.OrganisationID:
			best = Requester
		}
	}
	if best == NoParty {
		return NoParty, errClientNoRelationship
	}
	return best, nil
}

// ClientMayMove decides whether a client's organisation may move a referral's Task to a
// status: the requester may only withdraw (cancel) it; the performer makes every other move.
func (p *Policy) ClientMayMove(party ClientParty, to string) error {
	switch {
	case party == Performer && to != "cancelled":
		return nil
	case party == Requester && to == "cancelled":
		return nil
	case party == Requester:
		return apperr.New(apperr.Forbidden, "The referrer may withdraw a referral (cancelled); the receiving service makes every other change")
	case party == Performer:
		return apperr.New(apperr.Forbidden, "Only the referrer withdraws a referral; the receiving service declines it (rejected)")
	}
	return errClientNoRelationship
}

// ClientMayNameLead decides whether a performer's client may name a worker as the lead of the
// case that accepting a referral opens: an active occupational therapist or link worker of
// the client's own organisation, which runs the service (ClientMayMove has made it the
// performer).
func (p *Policy) ClientMayNameLead(pr apiclient.Principal, u account.User) error {
	org := pr.Client.OrganisationID
	switch {
	case u.ID == 0 || u.Disabled() || org == 0 || u.OrganisationID != org:
		return apperr.New(apperr.NotFound, "No worker of this organisation has that identifier")
	case !u.HasAny(account.OccupationalTherapist, account.LinkWorker):
		return apperr.New(apperr.Invalid, "Only an occupational therapist or a link worker can take a case on as its lead")
	}
	return nil
}
