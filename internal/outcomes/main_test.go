package outcomes

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// world is one PCN running a social prescribing service, with a link worker, a GP who
// refers, and the services that open cases.
type world struct {
	db        *store.DB
	out       *Service
	cases     *casework.Service
	referrals *referral.Service
	svc       referral.ReceivingService
	org       organisation.Organisation
	lw, gp    account.User
}

func newWorld(t *testing.T, db *store.DB) world {
	t.Helper()
	ctx := context.Background()
	orgs := organisation.NewService(db)
	org, err := orgs.Create(ctx, audit.System, organisation.Input{Name: "Riverside PCN", Type: organisation.PCN, ODSCode: "U90001"})
	if err != nil {
		t.Fatal(err)
	}
	team, err := orgs.AddTeam(ctx, audit.System, org.ID, "Social prescribing team")
	if err != nil {
		t.Fatal(err)
	}
	accounts := account.NewService(db)
	user := func(email string, roles ...account.Role) account.User {
		u, err := accounts.CreateUser(ctx, audit.System, account.UserInput{Email: email, Name: email, Password: "a-long-enough-password",
			OrganisationID: org.ID, Roles: roles, TeamIDs: []int64{team.ID}})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	w := world{db: db, out: NewService(db), org: org, lw: user("tom@example.nhs.uk", account.LinkWorker), gp: user("gp@example.nhs.uk", account.Referrer)}
	w.referrals = referral.NewService(db, person.NewService(db))
	w.cases = casework.NewService(db, w.referrals)
	w.svc, err = w.referrals.CreateService(ctx, audit.System, referral.ServiceInput{OrganisationID: org.ID, TeamID: team.ID,
		Name: "Social prescribing", Inclusion: "Adults", ResponseDays: 5})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

var nhsNumbers = []string{"9434765919", "4010232137", "9990000018", "9990000026"}

// openCase refers the i'th person and opens their case, led by the link worker.
func (w world) openCase(t *testing.T, i int) casework.Case {
	t.Helper()
	ctx := context.Background()
	r, err := w.referrals.Submit(ctx, account.Actor(w.gp, "10.0.0.9"), referral.Referrer{UserID: w.gp.ID, Name: "GP"},
		referral.Input{ServiceID: w.svc.ID, Source: referral.SourceGP, Needs: []string{"loneliness"}, ConsentGiven: true, CriteriaMet: referral.CriteriaMet,
			Person: person.Input{NHSNumber: nhsNumbers[i], GivenName: "Person", FamilyName: fmt.Sprintf("Number%c", 'A'+i),
				DateOfBirth: person.DateParts{Day: "1", Month: "2", Year: fmt.Sprint(1950 + i)}}})
	if err != nil {
		t.Fatal(err)
	}
	k, err := w.cases.Open(ctx, w.actor(), r.ID, casework.OpenInput{ReferralVersion: r.Version, Lead: w.lw,
		Tier: referral.TierTargeted, Pathway: referral.PathwayLinkWorkerLed})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (w world) actor() audit.Actor { return account.Actor(w.lw, "10.0.0.1") }

// ons4 is a complete ONS4 form.
func ons4(satisfied, worthwhile, happy, anxious int) map[string]string {
	return map[string]string{"satisfied": fmt.Sprint(satisfied), "worthwhile": fmt.Sprint(worthwhile),
		"happy": fmt.Sprint(happy), "anxious": fmt.Sprint(anxious)}
}

func (w world) record(t *testing.T, caseID int64, code string, tp Timepoint, form map[string]string) Response {
	t.Helper()
	r, err := w.out.Record(context.Background(), w.actor(), RecordInput{CaseID: caseID, Instrument: code, Timepoint: tp, UserID: w.lw.ID, Form: form})
	if err != nil {
		t.Fatalf("record %s %s: %v", code, tp, err)
	}
	return r
}

func countAudit(t *testing.T, db *store.DB, action string) int {
	t.Helper()
	p, err := audit.List(context.Background(), db, audit.Filter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

// at runs fn with the service's clock moved by d.
func (w world) at(d time.Duration, fn func()) {
	w.out.now = func() time.Time { return time.Now().Add(d) }
	defer func() { w.out.now = time.Now }()
	fn()
}
