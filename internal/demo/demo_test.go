package demo

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/reports"
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
	// Cases are under way: in every status, with what matters, plans, contacts (joint and
	// failed among them) and connections at many stages.
	counts := map[string]int{}
	for name, q := range map[string]string{
		"active":              `SELECT COUNT(*) FROM cases WHERE status = 'active'`,
		"on hold":             `SELECT COUNT(*) FROM cases WHERE status = 'on_hold'`,
		"closed":              `SELECT COUNT(*) FROM cases WHERE status = 'closed'`,
		"what matters":        `SELECT COUNT(*) FROM what_matters`,
		"goals":               `SELECT COUNT(*) FROM plan_goals`,
		"actions":             `SELECT COUNT(*) FROM plan_actions`,
		"contacts":            `SELECT COUNT(*) FROM case_contacts`,
		"failed contacts":     `SELECT COUNT(*) FROM case_contacts WHERE failed = 1`,
		"joint contacts":      `SELECT COUNT(*) FROM (SELECT contact_id FROM case_contact_workers GROUP BY contact_id HAVING COUNT(*) > 1) j`,
		"connection statuses": `SELECT COUNT(DISTINCT status) FROM connections`,
	} {
		var n int
		if err := db.Reader().QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		counts[name] = n
	}
	for name, atLeast := range map[string]int{"active": 50, "on hold": 5, "closed": 5, "what matters": 50, "goals": 50,
		"actions": 100, "contacts": 200, "failed contacts": 10, "joint contacts": 5, "connection statuses": 7} {
		if counts[name] < atLeast {
			t.Errorf("the demo has %d %s, want at least %d", counts[name], name, atLeast)
		}
	}
	if _, err := audit.Verify(ctx, db); err != nil {
		t.Errorf("the demo's audit chain: %v", err)
	}
}

func TestGenerateASmallScale(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	people := person.NewService(db)
	refs := referral.NewService(db, people)
	cases := casework.NewService(db, refs)
	if err := Load(ctx, account.NewService(db), organisation.NewService(db)); err != nil {
		t.Fatal(err)
	}
	sc := Scale{People: 3000, PCNs: 3, OTsPerPCN: 1, LWsPerPCN: 4}
	var lines []string
	if err := Generate(ctx, db, sc, func(s string) { lines = append(lines, s) }); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		var n int
		if err := db.Reader().QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT COUNT(*) FROM people`); n != 3000 {
		t.Errorf("people: %d", n)
	}
	if n := count(`SELECT COUNT(*) FROM referrals`); n != 4500 {
		t.Errorf("referrals: %d, want one and a half per person", n)
	}
	accepted := count(`SELECT COUNT(*) FROM referrals WHERE status = 'accepted'`)
	if n := count(`SELECT COUNT(*) FROM cases`); n != accepted || accepted < 2500 {
		t.Errorf("cases %d for %d accepted referrals", n, accepted)
	}
	if n := count(`SELECT COUNT(*) FROM cases c WHERE (SELECT COUNT(*) FROM case_workers w WHERE w.case_id = c.id AND w.is_lead = 1) <> 1`); n != 0 {
		t.Errorf("%d generated cases do not have exactly one lead", n)
	}
	var worker int64
	if err := db.Reader().QueryRow(ctx, `SELECT id FROM users WHERE email = 'lw-000-0@generated.linkwell'`).Scan(&worker); err != nil {
		t.Fatal(err)
	}
	page, err := cases.Caseload(ctx, casework.CaseloadFilter{WorkerID: worker})
	if err != nil || page.Total == 0 || len(page.Rows) == 0 {
		t.Errorf("a generated link worker's caseload: %+v, %v", page.Total, err)
	}
	if len(lines) != 3 {
		t.Errorf("progress lines: %v", lines)
	}
	// The dashboards' facts and tallies, written in bulk with their triggers paused, are what
	// a rebuild from the records gives, and the triggers run again afterwards.
	tallies := func() string {
		var facts, rows, n, spans int
		if err := db.Reader().QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM referral_facts), (SELECT COUNT(*) FROM dash_tally WHERE n <> 0),
			(SELECT SUM(n) + SUM(s1) + SUM(s2) FROM dash_tally), (SELECT COUNT(*) FROM caseload_spans)`).Scan(&facts, &rows, &n, &spans); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(facts, " facts, ", rows, " tally rows adding to ", n, ", ", spans, " spans")
	}
	bulk := tallies()
	if err := reports.NewService(db).RebuildTallies(ctx, audit.System); err != nil {
		t.Fatal(err)
	}
	if rebuilt := tallies(); bulk != rebuilt || !strings.HasPrefix(bulk, "4500 facts") {
		t.Errorf("bulk-written tallies %s; rebuilt %s", bulk, rebuilt)
	}
	if n := count(`SELECT COUNT(*) FROM dash_facts_paused`); n != 0 {
		t.Errorf("dashboard triggers left paused: %d", n)
	}
	if _, err := audit.Verify(ctx, db); err != nil {
		t.Errorf("audit chain after generation: %v", err)
	}
}
