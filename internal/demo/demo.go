// Package demo loads a believable Primary Care Network into an empty database, so that a
// newcomer signs in to a living system. Every name, ODS code and address in it is invented.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/organisation"
)

// Password is every demo user's password; the README and the sign-in page in demo mode say so.
const Password = "Linkwell-demo-2026"

// Org names used by the demo, for tests and other loaders to refer to.
const (
	PCN          = "Riverside Primary Care Network"
	Connectors   = "Riverside Community Connectors"
	WalkingGroup = "Northshire Walking for Health"
	Council      = "Northshire County Council"
)

type orgSpec struct {
	name  string
	typ   organisation.Type
	ods   string
	teams []string
}

var orgs = []orgSpec{
	{PCN, organisation.PCN, "U90001", []string{"Personalised Care Team"}},
	{"Riverside Medical Centre", organisation.GPPractice, "Y90001", []string{"Clinical Team"}},
	{"Millbrook Surgery", organisation.GPPractice, "Y90002", []string{"Clinical Team"}},
	{"Harbour Lane Health Centre", organisation.GPPractice, "Y90003", []string{"Clinical Team"}},
	{Connectors, organisation.VCSE, "", []string{"Link Worker Team"}},
	{WalkingGroup, organisation.VCSE, "", nil},
	{Council, organisation.LocalAuthority, "", []string{"Public Health Commissioning"}},
}

type userSpec struct {
	email, name, org, team string
	roles                  []account.Role
}

// Users are the demo sign-ins; the README lists them.
var Users = []userSpec{
	{"admin@linkwell.demo", "Alex Morgan", "", "", []account.Role{account.Administrator}},
	{"gp@linkwell.demo", "Dr Priya Shah", "Riverside Medical Centre", "Clinical Team", []account.Role{account.Referrer}},
	{"ot@linkwell.demo", "Sarah Okafor", PCN, "Personalised Care Team", []account.Role{account.OccupationalTherapist}},
	{"linkworker@linkwell.demo", "Tom Bennett", Connectors, "Link Worker Team", []account.Role{account.LinkWorker}},
	{"supervisor@linkwell.demo", "Helen Clarke", PCN, "Personalised Care Team", []account.Role{account.OccupationalTherapist, account.Supervisor}},
	{"safeguarding@linkwell.demo", "James Whitfield", PCN, "Personalised Care Team", []account.Role{account.SafeguardingLead}},
	{"servicelead@linkwell.demo", "Fatima Hussain", PCN, "Personalised Care Team", []account.Role{account.ServiceLead}},
	{"commissioner@linkwell.demo", "Richard Evans", Council, "Public Health Commissioning", []account.Role{account.Commissioner}},
	{"provider@linkwell.demo", "Grace Mensah", WalkingGroup, "", []account.Role{account.CommunityProvider}},
	{"aisha.patel@linkwell.demo", "Aisha Patel", Connectors, "Link Worker Team", []account.Role{account.LinkWorker}},
	{"daniel.hughes@linkwell.demo", "Daniel Hughes", PCN, "Personalised Care Team", []account.Role{account.LinkWorker}},
	{"nurse@linkwell.demo", "Claire Robinson", "Millbrook Surgery", "Clinical Team", []account.Role{account.Referrer}},
}

// LoadIfEmpty loads the demo into a database with no users, and reports whether it did.
func LoadIfEmpty(ctx context.Context, accounts *account.Service, orgSvc *organisation.Service) (bool, error) {
	n, err := accounts.CountUsers(ctx)
	if err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	return true, Load(ctx, accounts, orgSvc)
}

// Load creates the demo organisations, teams, agreement and users.
func Load(ctx context.Context, accounts *account.Service, orgSvc *organisation.Service) error {
	actor := audit.System
	orgIDs := map[string]int64{}
	teamIDs := map[string]int64{}
	for _, spec := range orgs {
		o, err := orgSvc.Create(ctx, actor, organisation.Input{Name: spec.name, Type: spec.typ, ODSCode: spec.ods})
		if err != nil {
			return fmt.Errorf("demo organisation %s: %w", spec.name, err)
		}
		orgIDs[spec.name] = o.ID
		for _, t := range spec.teams {
			team, err := orgSvc.AddTeam(ctx, actor, o.ID, t)
			if err != nil {
				return fmt.Errorf("demo team %s: %w", t, err)
			}
			teamIDs[spec.name+"/"+t] = team.ID
		}
	}
	if err := loadAgreement(ctx, orgSvc, orgIDs); err != nil {
		return err
	}
	for _, u := range Users {
		in := account.UserInput{Email: u.email, Name: u.name, Password: Password, Roles: u.roles, OrganisationID: orgIDs[u.org]}
		if u.team != "" {
			in.TeamIDs = []int64{teamIDs[u.org+"/"+u.team]}
		}
		if _, err := accounts.CreateUser(ctx, actor, in); err != nil {
			return fmt.Errorf("demo user %s: %w", u.email, err)
		}
	}
	return nil
}

func loadAgreement(ctx context.Context, orgSvc *organisation.Service, ids map[string]int64) error {
	start := time.Now().AddDate(-1, 0, 0)
	end := time.Now().AddDate(2, 0, 0)
	parts := func(t time.Time) organisation.DateParts {
		return organisation.DateParts{Day: fmt.Sprint(t.Day()), Month: fmt.Sprint(int(t.Month())), Year: fmt.Sprint(t.Year())}
	}
	_, err := orgSvc.CreateAgreement(ctx, audit.System, organisation.AgreementInput{
		Title:   "Riverside social prescribing data-sharing agreement",
		Purpose: "Direct care: referral, joint working, step-down and supervision for social prescribing between the Riverside PCN, its member practices and Riverside Community Connectors.",
		Starts:  parts(start),
		Ends:    parts(end),
		PartyIDs: []int64{ids[PCN], ids["Riverside Medical Centre"], ids["Millbrook Surgery"],
			ids["Harbour Lane Health Centre"], ids[Connectors]},
	})
	if err != nil {
		return fmt.Errorf("demo agreement: %w", err)
	}
	return nil
}
