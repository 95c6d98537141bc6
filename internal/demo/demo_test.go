package demo

import (
	"context"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestDemoIsABelievableLivingSystem(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	people := person.NewService(db)
	refs := referral.NewService(db, people)
	d := Casework{Accounts: account.NewService(db), Orgs: organisation.NewService(db), People: people,
		Referrals: refs, Cases: casework.NewService(db, refs)}
	if loaded, err := LoadIfEmpty(ctx, d.Accounts, d.Orgs); err != nil || !loaded {
		t.Fatalf("LoadIfEmpty = %v, %v", loaded, err)
	}
	if err := LoadCasework(ctx, d); err != nil {
		t.Fatal(err)
	}
	if loaded, err := LoadIfEmpty(ctx, d.Accounts, d.Orgs); err != nil || loaded {
		t.Errorf("a second load on a populated database: %v, %v", loaded, err)
	}
	// Every role has a demo user.
	for _, r := range account.Roles {
		if users, err := d.Accounts.Users(ctx, account.UserFilter{Role: r}); err != nil || len(users) == 0 {
			t.Errorf("no demo user is a %s (%v)", r, err)
		}
	}
	refsByStatus := map[referral.Status]int{}
	all, err := refs.List(ctx, referral.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		refsByStatus[r.Status]++
	}
	if len(all) != PeopleCount || refsByStatus[referral.StatusRequested] == 0 || refsByStatus[referral.StatusRejected] == 0 ||
		refsByStatus[referral.StatusCancelled] == 0 || refsByStatus[referral.StatusAccepted] < PeopleCount/2 {
		t.Errorf("referrals by status: %v of %d", refsByStatus, len(all))
	}
	ot, _ := d.Accounts.UserByEmail(ctx, "ot@linkwell.demo")
	lw, _ := d.Accounts.UserByEmail(ctx, "linkworker@linkwell.demo")
	for _, u := range []account.User{ot, lw} {
		page, err := d.Cases.Caseload(ctx, casework.CaseloadFilter{WorkerID: u.ID, PerPage: 100})
		if err != nil || page.Total < 10 {
			t.Errorf("%s's caseload has %d cases (%v)", u.Email, page.Total, err)
		}
		pathways := map[referral.Pathway]bool{}
		for _, r := range page.Rows {
			pathways[r.Pathway] = true
		}
		if u.ID == ot.ID && (!pathways[referral.PathwayJoint] || !pathways[referral.PathwayOTLed]) {
			t.Errorf("the OT's caseload lacks joint or OT-led cases: %v", pathways)
		}
	}
	if _, err := audit.Verify(ctx, db); err != nil {
		t.Errorf("the demo's audit chain: %v", err)
	}
}
