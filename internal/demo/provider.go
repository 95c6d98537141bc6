package demo

import (
	"context"
	"fmt"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/directory"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/provider"
)

// Providers is what loading the community provider's side of the demo needs.
type Providers struct {
	Accounts  *account.Service
	Orgs      *organisation.Service
	People    *person.Service
	Cases     *casework.Service
	Directory *directory.Directory
	Providers *provider.Service
}

// WalkingGroupDirectoryID is the directory organisation whose listings the demo walking group
// (and its provider user, Grace Mensah) keeps.
var WalkingGroupDirectoryID = demoUUID(kindOrg, 4)

// NoAccountServiceID is a demo service whose organisation has no Linkwell account: a referral
// to it is answered through a single-use link sent by email.
var NoAccountServiceID = demoUUID(kindService, 0)

// LoadProviders links the walking group to its directory listings and has Tom Bennett refer
// people from his caseload to them: two waiting for the group's answer, one accepted and
// waiting for a first session, and one to a group with no account. It runs after the casework
// and the directory are loaded.
func LoadProviders(ctx context.Context, d Providers) error {
	group, err := d.Orgs.Resolve(ctx, WalkingGroup)
	if err != nil {
		return fmt.Errorf("demo providers: %w", err)
	}
	if err := d.Providers.Link(ctx, audit.System, group.ID, WalkingGroupDirectoryID); err != nil {
		return fmt.Errorf("demo providers: %w", err)
	}
	listings, err := d.Providers.Listings(ctx, group.ID)
	if err != nil || len(listings) < 3 {
		return fmt.Errorf("demo providers: %d listings for the walking group (%v)", len(listings), err)
	}
	tom, err := d.Accounts.UserByEmail(ctx, "linkworker@linkwell.demo")
	if err != nil {
		return fmt.Errorf("demo providers: %w", err)
	}
	cases, err := d.Cases.Caseload(ctx, casework.CaseloadFilter{WorkerID: tom.ID, Statuses: []casework.Status{casework.Active},
		Sort: "opened", PerPage: 4})
	if err != nil || len(cases.Rows) < 4 {
		return fmt.Errorf("demo providers: %d active cases for Tom Bennett (%v)", len(cases.Rows), err)
	}
	actor := account.Actor(tom, "demo")
	// The first person agreed to be contacted by community groups, so the group sees how.
	if err := d.People.RecordConsent(ctx, actor, cases.Rows[0].PersonID, person.ConsentProviderContact, "given"); err != nil {
		return fmt.Errorf("demo providers: %w", err)
	}
	targets := []string{listings[0].ID, listings[1].ID, listings[2].ID, NoAccountServiceID}
	for i, id := range targets {
		cn, err := referTo(ctx, d, actor, cases.Rows[i].CaseID, id)
		if err != nil {
			return err
		}
		if i == 2 {
			if err := d.Cases.MoveConnection(ctx, actor, cn.ID, casework.ConnAccepted, "The group phoned to say yes", cn.Version); err != nil {
				return fmt.Errorf("demo providers: %w", err)
			}
		}
	}
	return nil
}

// referTo connects a case to a directory service as a referral.
func referTo(ctx context.Context, d Providers, actor audit.Actor, caseID int64, serviceID string) (casework.Connection, error) {
	sv, err := d.Directory.GetService(ctx, directory.Practitioners, serviceID)
	var pk int64
	if err == nil {
		pk, err = d.Directory.ServicePK(ctx, serviceID)
	}
	if err != nil {
		return casework.Connection{}, fmt.Errorf("demo providers: %w", err)
	}
	cn, err := d.Cases.AddConnection(ctx, actor, caseID, casework.ConnectionInput{Activity: sv.Name, Organisation: sv.Organization.Name,
		Status: casework.ConnReferred, DirectoryServicePK: pk, FirstSessionHelp: true,
		FirstSessionNote: "I will meet them at the door for the first session"})
	if err != nil {
		return casework.Connection{}, fmt.Errorf("demo providers: %w", err)
	}
	return cn, nil
}
