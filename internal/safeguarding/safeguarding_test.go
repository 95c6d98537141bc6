package safeguarding

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// world is Riverside PCN, whose Personalised Care Team runs a social prescribing service with
// one open case held by a link worker. Around them: the PCN's safeguarding lead, a supervisor
// in the same team, a supervisor in another team, an OT in the team, and a safeguarding lead
// in another organisation.
type world struct {
	db                   *store.DB
	svc                  referral.ReceivingService
	caseID, personID     int64
	lw, lead, supervisor account.User
	otherTeamSupervisor  account.User
	bystander, otherLead account.User
	mail                 *recordingMailer
	safeguarding         *Service
}

func newWorld(t *testing.T, db *store.DB) world {
	t.Helper()
	ctx := context.Background()
	orgs := organisation.NewService(db)
	org := func(name, ods string) organisation.Organisation {
		o, err := orgs.Create(ctx, audit.System, organisation.Input{Name: name, Type: organisation.PCN, ODSCode: ods})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	pcn, other := org("Riverside PCN", "U90001"), org("Hilltop PCN", "U90002")
	team := func(orgID int64, name string) int64 {
		tm, err := orgs.AddTeam(ctx, audit.System, orgID, name)
		if err != nil {
			t.Fatal(err)
		}
		return tm.ID
	}
	care, falls := team(pcn.ID, "Personalised Care Team"), team(pcn.ID, "Falls Team")
	accounts := account.NewService(db)
	user := func(email string, orgID int64, role account.Role, teams ...int64) account.User {
		u, err := accounts.CreateUser(ctx, audit.System, account.UserInput{Email: email, Name: strings.Split(email, "@")[0],
			Password: "a-long-enough-password", OrganisationID: orgID, Roles: []account.Role{role}, TeamIDs: teams})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	w := world{db: db, mail: &recordingMailer{},
		lw:                  user("lw@example.nhs.uk", pcn.ID, account.LinkWorker, care),
		lead:                user("lead@example.nhs.uk", pcn.ID, account.SafeguardingLead),
		supervisor:          user("sup@example.nhs.uk", pcn.ID, account.Supervisor, care),
		otherTeamSupervisor: user("sup2@example.nhs.uk", pcn.ID, account.Supervisor, falls),
		bystander:           user("ot@example.nhs.uk", pcn.ID, account.OccupationalTherapist, care),
		otherLead:           user("lead2@example.nhs.uk", other.ID, account.SafeguardingLead),
	}
	w.safeguarding = NewService(db, w.mail, slog.New(slog.NewTextHandler(io.Discard, nil)))
	refs := referral.NewService(db, person.NewService(db))
	var err error
	w.svc, err = refs.CreateService(ctx, audit.System, referral.ServiceInput{OrganisationID: pcn.ID, TeamID: care,
		Name: "Social prescribing", Inclusion: "Adults", ResponseDays: 5})
	if err != nil {
		t.Fatal(err)
	}
	r, err := refs.Submit(ctx, audit.System, referral.Referrer{Name: "GP"}, referral.Input{ServiceID: w.svc.ID, Source: referral.SourceGP,
		Needs: []string{"loneliness"}, ConsentGiven: true, CriteriaMet: referral.CriteriaMet,
		Person: person.Input{NHSNumber: "9434765919", GivenName: "Edna", FamilyName: "Jones", DateOfBirth: person.DateParts{Day: "1", Month: "2", Year: "1940"}}})
	if err != nil {
		t.Fatal(err)
	}
	k, err := casework.NewService(db, refs).Open(ctx, account.Actor(w.lw, "10.0.0.2"), r.ID,
		casework.OpenInput{ReferralVersion: r.Version, Lead: w.lw, Tier: referral.TierTargeted, Pathway: referral.PathwayLinkWorkerLed})
	if err != nil {
		t.Fatal(err)
	}
	w.caseID, w.personID = k.ID, k.PersonID
	return w
}

type recordingMailer struct {
	mu   sync.Mutex
	sent []notify.Email
}

func (m *recordingMailer) Send(_ context.Context, e notify.Email) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, e)
	return nil
}

type failingMailer struct{}

func (failingMailer) Send(context.Context, notify.Email) error {
	return errors.New("smtp: connection refused")
}

func concern() ConcernInput {
	return ConcernInput{Subject: Adult, Type: "financial", ImmediateAction: "Edna's nephew is taking her pension card; she is safe today.",
		WhoTold: "Her GP, by phone at 11:00"}
}

func fieldMessage(err error, field string) string {
	if e, ok := apperr.As(err); ok {
		for _, f := range e.Fields {
			if f.Field == field {
				return f.Message
			}
		}
	}
	return ""
}
