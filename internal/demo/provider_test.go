package demo

import (
	"context"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/directory"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/provider"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// sentMail counts the emails sent.
type sentMail []notify.Email

func (m *sentMail) Send(_ context.Context, e notify.Email) error { *m = append(*m, e); return nil }

func TestTheDemoWalkingGroupHasConnectionsToAnswer(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	people := person.NewService(db)
	refs := referral.NewService(db, people)
	cw := Casework{Accounts: account.NewService(db), Orgs: organisation.NewService(db), People: people,
		Referrals: refs, Cases: casework.NewService(db, refs)}
	dir := directory.New(db)
	d := Providers{Accounts: cw.Accounts, Orgs: cw.Orgs, People: people, Cases: cw.Cases, Directory: dir,
		Providers: provider.NewService(db, cw.Cases, dir)}
	if err := Load(ctx, cw.Accounts, cw.Orgs); err != nil {
		t.Fatal(err)
	}
	if err := LoadCasework(ctx, cw); err != nil {
		t.Fatal(err)
	}
	if err := LoadDirectoryWithPostcodes(ctx, db, dir); err != nil {
		t.Fatal(err)
	}
	if err := LoadProviders(ctx, d); err != nil {
		t.Fatal(err)
	}
	grace, err := cw.Accounts.UserByEmail(ctx, "provider@linkwell.demo")
	if err != nil {
		t.Fatal(err)
	}
	listings, err := d.Providers.Listings(ctx, grace.OrganisationID)
	if err != nil || len(listings) < 5 {
		t.Errorf("the walking group keeps %d listings (%v), want a few", len(listings), err)
	}
	conns, err := d.Providers.Connections(ctx, account.Actor(grace, "test"), grace.OrganisationID)
	if err != nil || len(conns) != 3 {
		t.Fatalf("the walking group sees %d connections (%v), want 3", len(conns), err)
	}
	statuses := map[casework.ConnectionStatus]int{}
	withContact := 0
	for _, cn := range conns {
		statuses[cn.Status]++
		if cn.Contact != nil {
			withContact++
		}
	}
	if statuses[casework.ConnReferred] != 2 || statuses[casework.ConnAccepted] != 1 || withContact != 1 {
		t.Errorf("statuses %v, %d with contact details; want 2 referred, 1 accepted, 1 with contact", statuses, withContact)
	}
	var mail sentMail
	if n, err := d.Providers.SendLinks(ctx, &mail, "http://localhost:8080"); err != nil || n != 1 {
		t.Errorf("links sent for the demo: %d (%v), want 1, to the group with no account", n, err)
	}
}
