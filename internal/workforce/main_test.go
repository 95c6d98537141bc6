package workforce

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// world is a PCN whose OT supervises a link worker employed by a charity, under a data-sharing
// agreement between the two; a second link worker at a charity with no agreement; a service
// lead at each of the PCN and the first charity; and a case the charity's link worker is on.
type world struct {
	db               *store.DB
	work             *Service
	cases            *casework.Service
	referrals        *referral.Service
	svc              referral.ReceivingService
	pcn, vcse, other organisation.Organisation
	sup              account.User // OT and supervisor at the PCN
	ot               account.User // OT at the PCN, not a supervisor
	lw               account.User // link worker at the charity
	lw2              account.User // link worker at the charity, supervised by nobody
	stranger         account.User // supervisor at the charity with no agreement
	lead             account.User // service lead at the charity
	pcnLead          account.User // service lead at the PCN
	gp               account.User
}

func newWorld(t *testing.T, db *store.DB) world {
	t.Helper()
	ctx := context.Background()
	orgs := organisation.NewService(db)
	org := func(name string, typ organisation.Type, ods string) organisation.Organisation {
		o, err := orgs.Create(ctx, audit.System, organisation.Input{Name: name, Type: typ, ODSCode: ods})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	w := world{db: db, work: NewService(db, orgs), pcn: org("Riverside PCN", organisation.PCN, "U90001"),
		vcse: org("Riverside Connectors", organisation.VCSE, ""), other: org("Elsewhere Trust", organisation.VCSE, "")}
	day := func(d time.Time) organisation.DateParts {
		return organisation.DateParts{Day: fmt.Sprint(d.Day()), Month: fmt.Sprint(int(d.Month())), Year: fmt.Sprint(d.Year())}
	}
	if _, err := orgs.CreateAgreement(ctx, audit.System, organisation.AgreementInput{Title: "Riverside sharing", Purpose: "Direct care and supervision",
		Starts: day(time.Now().AddDate(-1, 0, 0)), Ends: day(time.Now().AddDate(1, 0, 0)), PartyIDs: []int64{w.pcn.ID, w.vcse.ID}}); err != nil {
		t.Fatal(err)
	}
	team, err := orgs.AddTeam(ctx, audit.System, w.pcn.ID, "Personalised Care Team")
	if err != nil {
		t.Fatal(err)
	}
	accounts := account.NewService(db)
	user := func(email string, org int64, roles ...account.Role) account.User {
		u, err := accounts.CreateUser(ctx, audit.System, account.UserInput{Email: email, Name: email[:len(email)-len("@example.nhs.uk")],
			Password: "a-long-enough-password", OrganisationID: org, Roles: roles, TeamIDs: teamFor(org == w.pcn.ID, team.ID)})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	w.sup = user("helen@example.nhs.uk", w.pcn.ID, account.OccupationalTherapist, account.Supervisor)
	w.ot = user("sarah@example.nhs.uk", w.pcn.ID, account.OccupationalTherapist)
	w.lw = user("tom@example.nhs.uk", w.vcse.ID, account.LinkWorker)
	w.lw2 = user("aisha@example.nhs.uk", w.vcse.ID, account.LinkWorker)
	w.stranger = user("stranger@example.nhs.uk", w.other.ID, account.LinkWorker, account.Supervisor)
	w.lead = user("fatima@example.nhs.uk", w.vcse.ID, account.ServiceLead)
	w.pcnLead = user("pcnlead@example.nhs.uk", w.pcn.ID, account.ServiceLead)
	w.gp = user("gp@example.nhs.uk", w.pcn.ID, account.Referrer)
	people := person.NewService(db)
	w.referrals = referral.NewService(db, people)
	w.cases = casework.NewService(db, w.referrals)
	w.cases.CheckCompetenceWith(w.work)
	w.svc, err = w.referrals.CreateService(ctx, audit.System, referral.ServiceInput{OrganisationID: w.pcn.ID, TeamID: team.ID,
		Name: "Social prescribing", Inclusion: "Adults", ResponseDays: 5})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func teamFor(inTeam bool, id int64) []int64 {
	if inTeam {
		return []int64{id}
	}
	return nil
}

var nhsNumbers = []string{"9434765919", "4010232137", "9990000018", "9990000026"}

// openCase opens a joint case for the i'th person led by the OT, with the given workers added.
func (w world) openCase(t *testing.T, i int, workers ...account.User) casework.Case {
	t.Helper()
	ctx := context.Background()
	r, err := w.referrals.Submit(ctx, account.Actor(w.gp, "10.0.0.9"), referral.Referrer{UserID: w.gp.ID, Name: "GP"},
		referral.Input{ServiceID: w.svc.ID, Source: referral.SourceGP, Needs: []string{"loneliness"}, ConsentGiven: true, CriteriaMet: referral.CriteriaMet,
			Person: person.Input{NHSNumber: nhsNumbers[i], GivenName: "Person", FamilyName: fmt.Sprintf("Number%c", 'A'+i),
				DateOfBirth: person.DateParts{Day: "1", Month: "2", Year: fmt.Sprint(1940 + i)}}})
	if err != nil {
		t.Fatal(err)
	}
	actor := account.Actor(w.ot, "10.0.0.1")
	k, err := w.cases.Open(ctx, actor, r.ID, casework.OpenInput{ReferralVersion: r.Version, Lead: w.ot, Tier: referral.TierTargeted, Pathway: referral.PathwayJoint})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range workers {
		if err := w.cases.AddWorker(ctx, actor, k.ID, u, false); err != nil {
			t.Fatal(err)
		}
	}
	k, err = w.cases.Get(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// user adds a user with the roles in an organisation (none when org is zero).
func (w world) user(t *testing.T, email string, org int64, roles ...account.Role) account.User {
	t.Helper()
	u, err := account.NewService(w.db).CreateUser(context.Background(), audit.System, account.UserInput{Email: email, Name: email,
		Password: "a-long-enough-password", OrganisationID: org, Roles: roles})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// supervise makes sup a supervisor of u, as the service lead of u's organisation.
func (w world) supervise(t *testing.T, u, sup account.User) {
	t.Helper()
	lead := w.lead
	if u.OrganisationID == w.pcn.ID {
		lead = w.pcnLead
	}
	if err := w.work.AddSupervisor(context.Background(), account.Actor(lead, "10.0.0.3"), lead, u.ID, sup.ID); err != nil {
		t.Fatal(err)
	}
}

var fieldMessage = apperr.FieldMessage

func countAudit(t *testing.T, db *store.DB, action string) int {
	t.Helper()
	p, err := audit.List(context.Background(), db, audit.Filter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return p.Total
}

// at runs fn with the service's clock set to a day offset from now.
func (w world) at(days int, fn func()) {
	w.work.now = func() time.Time { return time.Now().AddDate(0, 0, days) }
	defer func() { w.work.now = time.Now }()
	fn()
}
