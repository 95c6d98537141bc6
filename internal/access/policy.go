// Package access is Linkwell's one authorisation policy: every handler asks it whether a user
// may do an action on a resource, and when the decision cannot be made the answer is no.
package access

import (
	"context"
	"log/slog"
	"slices"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
)

// Action is something a user asks to do.
type Action string

const (
	ViewAudit          Action = "audit.view"
	ViewUsers          Action = "users.view"
	ManageUser         Action = "user.manage"
	ViewOrganisations  Action = "organisations.view"
	CreateOrganisation Action = "organisation.create"
	EditOrganisation   Action = "organisation.edit"
	ManageTeams        Action = "teams.manage"
	ViewAgreements     Action = "agreements.view"
	ManageAgreement    Action = "agreement.manage"
	MakeReferral       Action = "referral.make"
	UseCaseload        Action = "caseload.use"
	ManageServices     Action = "services.manage"
	// EditListing is changing or re-verifying a directory listing; its resource's organisations
	// are those that keep the listing (package provider).
	EditListing Action = "listing.edit"
	// LinkListings is choosing which organisation keeps which directory organisation's listings.
	LinkListings Action = "listings.link"
	// ActAsProvider is using the community provider's pages: the organisation's own listings
	// and the connections made to them.
	ActAsProvider Action = "provider.act"
	// ViewServiceReports is a service lead's dashboard of their own services; TakeExtract the
	// identifiable and pseudonymised record-level extracts of them.
	ViewServiceReports Action = "reports.service"
	TakeExtract        Action = "reports.extract"
	// ViewCommissionerReports is the aggregate dashboard, with small numbers suppressed.
	ViewCommissionerReports Action = "reports.commissioner"
	ManageAPIClients        Action = "api_clients.manage"
	ViewProvisionGaps       Action = "directory.gaps.view"
)

// Resource describes what an action is on, as far as the rules need to know.
type Resource struct {
	// OrganisationIDs are the organisations the resource belongs to: a user's organisation, an
	// organisation itself, or an agreement's parties. Empty means a new resource with none yet.
	OrganisationIDs []int64
	// GrantsAdministrator is set when the change would make someone an administrator.
	GrantsAdministrator bool
}

// Policy decides.
type Policy struct {
	log           *slog.Logger
	relationships Relationships
	supervision   Supervision // nil: supervision gives no access
}

// NewPolicy returns the policy; rel answers who has a relationship with a person, and may be
// nil where no person is ever shown (then every person is refused).
func NewPolicy(log *slog.Logger, rel Relationships) *Policy {
	return &Policy{log: log, relationships: rel}
}

var errForbidden = apperr.New(apperr.Forbidden, "You do not have permission to do this")

// Decide returns nil when u may do act on res, and a Forbidden error that explains why not
// otherwise. A failure while deciding is logged and refused.
func (p *Policy) Decide(ctx context.Context, u account.User, act Action, res Resource) error {
	allowed, why, err := p.decide(ctx, u, act, res)
	if err != nil {
		p.log.ErrorContext(ctx, "authorisation decision failed, refusing", "action", string(act), "user_id", u.ID, "err", err)
		return errForbidden
	}
	if !allowed {
		return apperr.New(apperr.Forbidden, "%s", why)
	}
	return nil
}

// Can is Decide as a yes or no, for showing or hiding links.
func (p *Policy) Can(ctx context.Context, u account.User, act Action, res Resource) bool {
	return p.Decide(ctx, u, act, res) == nil
}

func (p *Policy) decide(_ context.Context, u account.User, act Action, res Resource) (bool, string, error) {
	if u.ID == 0 || u.Disabled() {
		return false, "You need to sign in", nil
	}
	admin := u.Has(account.Administrator)
	lead := u.Has(account.ServiceLead) && u.OrganisationID != 0
	ownOrg := len(res.OrganisationIDs) > 0 && slices.Contains(res.OrganisationIDs, u.OrganisationID)
	switch act {
	case ViewAudit:
		return admin, "Only administrators can see the audit log", nil
	case ManageAPIClients:
		return admin, "Only administrators register the systems that use Linkwell's APIs", nil
	case ViewUsers, ViewOrganisations, ViewAgreements:
		return admin || lead, "Only administrators and service leads can see this", nil
	case CreateOrganisation:
		return admin, "Only administrators can add organisations", nil
	case EditOrganisation, ManageTeams:
		return admin || lead && onlyOwn(res, u.OrganisationID), "Service leads can only change their own organisation", nil
	case ManageUser:
		if res.GrantsAdministrator && !admin {
			return false, "Only administrators can make someone an administrator", nil
		}
		return admin || lead && onlyOwn(res, u.OrganisationID), "Service leads can only manage users in their own organisation", nil
	case MakeReferral:
		return u.HasAny(account.Referrer, account.OccupationalTherapist, account.LinkWorker, account.Supervisor, account.ServiceLead),
			"Only referrers and members of a care team can make referrals", nil
	case UseCaseload:
		return u.HasAny(account.OccupationalTherapist, account.LinkWorker, account.Supervisor, account.ServiceLead),
			"Only occupational therapists, link workers, supervisors and service leads hold caseloads", nil
	case ManageServices:
		return admin || lead && onlyOwn(res, u.OrganisationID), "Only service leads set up the services their organisation runs", nil
	case EditListing:
		return admin || lead || u.Has(account.CommunityProvider) && u.OrganisationID != 0 && ownOrg,
			"Only the organisation that runs a service, or a service lead, can change its listing", nil
	case LinkListings:
		return admin || lead, "Only administrators and service leads choose who keeps directory listings", nil
	case ActAsProvider:
		return u.Has(account.CommunityProvider) && u.OrganisationID != 0, "Only community providers have these pages", nil
	case ViewServiceReports, TakeExtract:
		return lead, "Only service leads see their services' reports and extracts", nil
	case ViewCommissionerReports:
		return lead || u.Has(account.Commissioner), "Only commissioners and service leads see the commissioner dashboard", nil
	case ViewProvisionGaps:
		return admin || lead || u.Has(account.Commissioner),
			"Only service leads, commissioners and administrators see where community provision is missing", nil
	case ManageAgreement:
		return admin || lead && (ownOrg || len(res.OrganisationIDs) == 0), "Service leads can only manage agreements their organisation is party to", nil
	}
	return false, "This action is not allowed", nil
}

// onlyOwn reports whether the resource belongs to the user's organisation alone, or to none
// yet (a new record the handler will place in the user's organisation).
func onlyOwn(res Resource, org int64) bool {
	for _, id := range res.OrganisationIDs {
		if id != org {
			return false
		}
	}
	return true
}
