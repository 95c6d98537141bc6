package access

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
)

func user(org int64, roles ...account.Role) account.User {
	return account.User{ID: 7, OrganisationID: org, Roles: roles}
}

func TestPolicy(t *testing.T) {
	p := NewPolicy(slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	admin := user(0, account.Administrator)
	lead := user(1, account.ServiceLead)
	leadNoOrg := user(0, account.ServiceLead)
	ot := user(1, account.OccupationalTherapist, account.Supervisor)
	commissioner := user(3, account.Commissioner)
	disabled := user(0, account.Administrator)
	now := time.Now()
	disabled.DisabledAt = &now
	own := Resource{OrganisationIDs: []int64{1}}
	other := Resource{OrganisationIDs: []int64{2}}
	moving := Resource{OrganisationIDs: []int64{1, 2}}
	shared := Resource{OrganisationIDs: []int64{1, 2}}
	cases := []struct {
		name string
		u    account.User
		act  Action
		res  Resource
		want bool
	}{
		{"admin sees the audit log", admin, ViewAudit, Resource{}, true},
		{"a provider edits a listing its organisation keeps", user(4, account.CommunityProvider), EditListing, Resource{OrganisationIDs: []int64{4}}, true},
		{"a provider cannot edit another's listing", user(4, account.CommunityProvider), EditListing, other, false},
		{"a provider cannot edit a listing nobody keeps", user(4, account.CommunityProvider), EditListing, Resource{}, false},
		{"a provider without an organisation edits nothing", user(0, account.CommunityProvider), EditListing, Resource{}, false},
		{"a service lead edits any listing", lead, EditListing, other, true},
		{"an OT cannot edit listings", ot, EditListing, own, false},
		{"a service lead links listings", lead, LinkListings, Resource{}, true},
		{"a provider cannot link listings", user(4, account.CommunityProvider), LinkListings, Resource{}, false},
		{"a provider uses the provider pages", user(4, account.CommunityProvider), ActAsProvider, Resource{}, true},
		{"a link worker has no provider pages", ot, ActAsProvider, Resource{}, false},
		{"service lead does not see the audit log", lead, ViewAudit, Resource{}, false},
		{"OT does not see the audit log", ot, ViewAudit, Resource{}, false},
		{"disabled admin can do nothing", disabled, ViewAudit, Resource{}, false},
		{"nobody can do nothing", account.User{}, ViewUsers, Resource{}, false},
		{"admin lists users", admin, ViewUsers, Resource{}, true},
		{"service lead lists users", lead, ViewUsers, Resource{}, true},
		{"service lead without an organisation lists nothing", leadNoOrg, ViewUsers, Resource{}, false},
		{"commissioner lists no users", commissioner, ViewUsers, Resource{}, false},
		{"service lead manages own org's user", lead, ManageUser, own, true},
		{"service lead cannot manage other org's user", lead, ManageUser, other, false},
		{"service lead cannot move a user to another org", lead, ManageUser, moving, false},
		{"service lead cannot grant administrator", lead, ManageUser, Resource{OrganisationIDs: []int64{1}, GrantsAdministrator: true}, false},
		{"admin grants administrator", admin, ManageUser, Resource{GrantsAdministrator: true}, true},
		{"OT cannot manage users", ot, ManageUser, own, false},
		{"only admin creates organisations", lead, CreateOrganisation, Resource{}, false},
		{"admin creates organisations", admin, CreateOrganisation, Resource{}, true},
		{"service lead edits own organisation", lead, EditOrganisation, own, true},
		{"service lead cannot edit another organisation", lead, EditOrganisation, other, false},
		{"service lead manages own teams", lead, ManageTeams, own, true},
		{"service lead cannot manage others' teams", lead, ManageTeams, other, false},
		{"service lead manages agreement own org is party to", lead, ManageAgreement, shared, true},
		{"service lead cannot manage others' agreements", lead, ManageAgreement, other, false},
		{"OT cannot manage agreements", ot, ManageAgreement, shared, false},
		{"unknown action is refused", admin, Action("launch.rocket"), Resource{}, false},
		{"a GP refers", user(4, account.Referrer), MakeReferral, Resource{}, true},
		{"an OT refers", ot, MakeReferral, Resource{}, true},
		{"a commissioner does not refer", commissioner, MakeReferral, Resource{}, false},
		{"an OT holds a caseload", ot, UseCaseload, Resource{}, true},
		{"a GP holds no caseload", user(4, account.Referrer), UseCaseload, Resource{}, false},
		{"a service lead sets up own services", lead, ManageServices, own, true},
		{"a service lead cannot set up others' services", lead, ManageServices, other, false},
		{"an OT does not set up services", ot, ManageServices, own, false},
		{"a service lead sees the gaps in provision", lead, ViewProvisionGaps, Resource{}, true},
		{"a commissioner sees the gaps in provision", commissioner, ViewProvisionGaps, Resource{}, true},
		{"an administrator sees the gaps in provision", admin, ViewProvisionGaps, Resource{}, true},
		{"an OT does not see the gaps report", ot, ViewProvisionGaps, Resource{}, false},
		{"a service lead with no organisation does not", leadNoOrg, ViewProvisionGaps, Resource{}, false},
	}
	for _, c := range cases {
		err := p.Decide(context.Background(), c.u, c.act, c.res)
		if got := err == nil; got != c.want {
			t.Errorf("%s: allowed=%v, want %v (%v)", c.name, got, c.want, err)
		}
		if err != nil && !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("%s: refusal %v is not Forbidden", c.name, err)
		}
		if err != nil {
			if ae, _ := apperr.As(err); ae.Message == "" {
				t.Errorf("%s: refusal does not explain itself", c.name)
			}
		}
	}
}
