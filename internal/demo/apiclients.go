package demo

import (
	"context"
	"fmt"

	"github.com/linkwell/linkwell/internal/apiclient"
	"github.com/linkwell/linkwell/internal/organisation"
)

// APIClient is a demo system client whose credentials the README publishes, so that the
// examples in docs/fhir.md can be tried against `make demo` straight away. They are fixed for
// the demo only; a real client's come from `linkwell client create`.
type APIClient struct {
	Name, Org, ClientID, Secret string
	Scopes                      []string
}

// APIClients are the GP practice's clinical system, which refers and follows its referrals,
// and the PCN's case management system, which works the referrals its service receives.
var APIClients = []APIClient{
	{"Riverside Medical Centre clinical system (demo)", "Y90001", "lw-demo-riverside-gp", "Linkwell-demo-api-2026-gp",
		[]string{"referral.write", "referral.read", "task.read", "task.write", "directory.read"}},
	{"Riverside PCN case management (demo)", "U90001", "lw-demo-riverside-pcn", "Linkwell-demo-api-2026-pcn",
		[]string{"referral.read", "task.read", "task.write", "directory.read"}},
}

// LoadAPIClients registers the demo's API clients.
func LoadAPIClients(ctx context.Context, orgs *organisation.Service, clients *apiclient.Service) error {
	for _, c := range APIClients {
		o, err := orgs.Resolve(ctx, c.Org)
		if err != nil {
			return fmt.Errorf("demo api client %s: %w", c.ClientID, err)
		}
		if _, err := clients.CreateDemo(ctx, apiclient.Input{Name: c.Name, OrganisationID: o.ID, Scopes: c.Scopes}, c.ClientID, c.Secret); err != nil {
			return fmt.Errorf("demo api client %s: %w", c.ClientID, err)
		}
	}
	return nil
}
