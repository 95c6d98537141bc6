package reports

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/outcomes"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// nhsNumber makes the i'th valid NHS number in the 999 range kept for testing.
func nhsNumber(i int) string {
	for n := 1000 + i*13; ; n++ {
		digits := fmt.Sprintf("999%06d", n)
		sum := 0
		for k, d := range digits {
			sum += int(d-'0') * (10 - k)
		}
		if check := (11 - sum%11) % 11; check < 10 {
			return digits + fmt.Sprint(check)
		}
	}
}

// world is a service with eight referrals: six from GPs and two from pharmacists; six
// accepted (four link-worker-led, two joint) and measured before and after, then closed; one
// declined and one not yet decided.
type world struct {
	db     *store.DB
	org    organisation.Organisation
	svc    referral.ReceivingService
	lw     account.User
	cases  []casework.Case
	before [][4]int
	after  [][4]int
}

func newWorld(t *testing.T, db *store.DB) world {
	t.Helper()
	ctx := context.Background()
	orgs := organisation.NewService(db)
	org, err := orgs.Create(ctx, audit.System, organisation.Input{Name: "Riverside PCN", Type: organisation.PCN, ODSCode: "U90001"})
	if err != nil {
		t.Fatal(err)
	}
	team, err := orgs.AddTeam(ctx, audit.System, org.ID, "Team")
	if err != nil {
		t.Fatal(err)
	}
	lw, err := account.NewService(db).CreateUser(ctx, audit.System, account.UserInput{Email: "lw@example.nhs.uk", Name: "Tom", Password: "a-long-enough-password",
		OrganisationID: org.ID, Roles: []account.Role{account.LinkWorker}, TeamIDs: []int64{team.ID}})
	if err != nil {
		t.Fatal(err)
	}
	refs := referral.NewService(db, person.NewService(db))
	cases := casework.NewService(db, refs)
	out := outcomes.NewService(db)
	svc, err := refs.CreateService(ctx, audit.System, referral.ServiceInput{OrganisationID: org.ID, TeamID: team.ID, Name: "Social prescribing", Inclusion: "Adults", ResponseDays: 5})
	if err != nil {
		t.Fatal(err)
	}
	w := world{db: db, org: org, svc: svc, lw: lw,
		before: [][4]int{{3, 4, 5, 8}, {5, 5, 5, 6}, {2, 3, 4, 9}, {6, 6, 6, 4}, {4, 5, 3, 7}, {5, 4, 6, 5}},
		after:  [][4]int{{6, 6, 7, 4}, {6, 5, 6, 5}, {4, 5, 4, 6}, {7, 6, 8, 3}, {5, 7, 5, 7}, {8, 6, 6, 2}}}
	actor := account.Actor(lw, "10.0.0.1")
	for i := range 8 {
		src := referral.SourceGP
		if i >= 6 {
			src = referral.SourcePharmacist
		}
		r, err := refs.Submit(ctx, actor, referral.Referrer{Name: "Referrer"}, referral.Input{ServiceID: svc.ID, Source: src,
			Needs: []string{"loneliness"}, ConsentGiven: true, CriteriaMet: referral.CriteriaMet, NotADuplicate: true,
			Person: person.Input{NHSNumber: nhsNumber(i), GivenName: "Person", FamilyName: fmt.Sprint("Number", i),
				DateOfBirth: person.DateParts{Day: "1", Month: "2", Year: "1950"}}})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case i == 6:
			if _, err := refs.Decide(ctx, actor, r.ID, r.Version, referral.StatusRejected, referral.RejectPersonDeclined, ""); err != nil {
				t.Fatal(err)
			}
			continue
		case i == 7:
			continue
		}
		pathway := referral.PathwayLinkWorkerLed
		if i >= 4 {
			pathway = referral.PathwayJoint
		}
		k, err := cases.Open(ctx, actor, r.ID, casework.OpenInput{ReferralVersion: r.Version, Lead: lw, Tier: referral.TierTargeted, Pathway: pathway})
		if err != nil {
			t.Fatal(err)
		}
		for tp, v := range map[outcomes.Timepoint][4]int{outcomes.Baseline: w.before[i], outcomes.FollowUp: w.after[i]} {
			if tp == outcomes.FollowUp {
				continue
			}
			record(t, out, actor, k.ID, tp, v)
		}
		record(t, out, actor, k.ID, outcomes.FollowUp, w.after[i])
		if err := cases.Close(ctx, actor, k.ID, k.Version, "goals_met", "Done"); err != nil {
			t.Fatal(err)
		}
		w.cases = append(w.cases, k)
	}
	return w
}

func record(t *testing.T, out *outcomes.Service, actor audit.Actor, caseID int64, tp outcomes.Timepoint, v [4]int) {
	t.Helper()
	form := map[string]string{"satisfied": fmt.Sprint(v[0]), "worthwhile": fmt.Sprint(v[1]), "happy": fmt.Sprint(v[2]), "anxious": fmt.Sprint(v[3])}
	if _, err := out.Record(context.Background(), actor, outcomes.RecordInput{CaseID: caseID, Instrument: "ons4", Timepoint: tp, Form: form}); err != nil {
		t.Fatal(err)
	}
}

func (w world) filter() Filter {
	now := time.Now().UTC()
	return Filter{From: now.AddDate(0, 0, -30), To: now}
}

// section finds a section of a dashboard by id.
func section(t *testing.T, d Dashboard, id string) Section {
	t.Helper()
	for _, s := range d.Sections {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no section %s", id)
	return Section{}
}

// cell is the first cell of the row with a label.
func cell(t *testing.T, s Section, label string, col int) string {
	t.Helper()
	for _, r := range s.Rows {
		if r.Label == label {
			return r.Cells[col]
		}
	}
	t.Fatalf("section %s has no row %q", s.ID, label)
	return ""
}
