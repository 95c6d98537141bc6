package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/directory"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const feedSource = "https://feed.example.org/oruk"

// Directory ids: two organisations, each running one service.
const (
	walkersOrg  = "00000000-0000-4000-8000-000000000901"
	choirOrg    = "00000000-0000-4000-8000-000000000902"
	walkService = "00000000-0000-4000-8000-000000000001"
	choirSvc    = "00000000-0000-4000-8000-000000000002"
)

// world is a PCN whose OT leads a case for Margaret Okonkwo, a walking group in the directory
// kept by a charity with a provider user, and a choir whose organisation has no account.
type world struct {
	db        *store.DB
	providers *Service
	cases     *casework.Service
	dir       *directory.Directory
	ot        account.User
	provider  account.User
	charity   organisation.Organisation
	caseID    int64
}

func newWorld(t testing.TB, db *store.DB) world {
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
	pcn, charity := org("Riverside PCN", organisation.PCN, "U90001"), org("Walking for Health", organisation.VCSE, "")
	team, err := orgs.AddTeam(ctx, audit.System, pcn.ID, "Personalised Care Team")
	if err != nil {
		t.Fatal(err)
	}
	accounts := account.NewService(db)
	user := func(email, name string, orgID int64, role account.Role, teams ...int64) account.User {
		u, err := accounts.CreateUser(ctx, audit.System, account.UserInput{Email: email, Name: name, Password: "a-long-enough-password",
			OrganisationID: orgID, Roles: []account.Role{role}, TeamIDs: teams})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	w := world{db: db, charity: charity, dir: directory.New(db),
		ot:       user("ot@example.nhs.uk", "Sarah Okafor", pcn.ID, account.OccupationalTherapist, team.ID),
		provider: user("grace@walking.example.org", "Grace Mensah", charity.ID, account.CommunityProvider)}
	people := person.NewService(db)
	refs := referral.NewService(db, people)
	w.cases = casework.NewService(db, refs)
	w.providers = NewService(db, w.cases, w.dir)
	for _, s := range []directory.Service{listing(walkService, walkersOrg, "Riverside Health Walk", "Walkers", "walks@example.org"),
		listing(choirSvc, choirOrg, "Riverside Community Choir", "Choir", "sing@example.org")} {
		b, _ := json.Marshal(s)
		if _, err := w.dir.Upsert(ctx, feedSource, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.providers.Link(ctx, audit.System, charity.ID, walkersOrg); err != nil {
		t.Fatal(err)
	}
	svc, err := refs.CreateService(ctx, audit.System, referral.ServiceInput{OrganisationID: pcn.ID, TeamID: team.ID,
		Name: "Social prescribing", Inclusion: "Adults", ResponseDays: 5})
	if err != nil {
		t.Fatal(err)
	}
	gp := user("gp@example.nhs.uk", "Dr Shah", pcn.ID, account.Referrer)
	r, err := refs.Submit(ctx, account.Actor(gp, "test"), referral.Referrer{UserID: gp.ID, Name: gp.Name},
		referral.Input{ServiceID: svc.ID, Source: referral.SourceGP, Needs: []string{"loneliness"}, ConsentGiven: true,
			CriteriaMet: referral.CriteriaMet, Person: person.Input{NHSNumber: "9434765919", GivenName: "Margaret", FamilyName: "Okonkwo",
				DateOfBirth: person.DateParts{Day: "12", Month: "3", Year: "1948"}, Phone: "07700 900123", Email: "margaret@example.com",
				ContactMethods: []person.ContactMethod{person.ByPhone}}})
	if err != nil {
		t.Fatal(err)
	}
	k, err := w.cases.Open(ctx, account.Actor(w.ot, "test"), r.ID, casework.OpenInput{ReferralVersion: r.Version, Lead: w.ot,
		Tier: referral.TierTargeted, Pathway: referral.PathwayOTLed})
	if err != nil {
		t.Fatal(err)
	}
	w.caseID = k.ID
	return w
}

func listing(id, orgID, name, orgName, email string) directory.Service {
	return directory.Service{ID: id, Name: name, Status: directory.StatusActive, Email: email,
		Organization:      &directory.Organization{ID: orgID, Name: orgName, Description: "A local group."},
		SocialPrescribing: directory.SocialPrescribing{Capacity: directory.CapacityAccepting, ReferralRoute: directory.RouteNeedsReferral}}
}

// connect adds a connection from the case to a directory service, in a starting status.
func (w world) connect(t *testing.T, serviceID string, st casework.ConnectionStatus) casework.Connection {
	t.Helper()
	pk, err := w.dir.ServicePK(t.Context(), serviceID)
	if err != nil {
		t.Fatal(err)
	}
	cn, err := w.cases.AddConnection(t.Context(), account.Actor(w.ot, "test"), w.caseID, casework.ConnectionInput{
		Activity: serviceID, Status: st, DirectoryServicePK: pk, FirstSessionHelp: true, FirstSessionNote: "I will meet her there"})
	if err != nil {
		t.Fatal(err)
	}
	return cn
}

// personID is the person on the world's case.
func (w world) personID(t *testing.T) int64 {
	t.Helper()
	k, err := w.cases.Get(t.Context(), w.caseID)
	if err != nil {
		t.Fatal(err)
	}
	return k.PersonID
}

// audits counts the audit entries with an action whose detail contains detail.
func audits(t *testing.T, db *store.DB, action, detail string) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRow(t.Context(), `SELECT COUNT(*) FROM audit_log WHERE action = ? AND detail LIKE ?`,
		action, "%"+detail+"%").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// mailbox records the emails sent, and fails them while failing is set.
type mailbox struct {
	mu      sync.Mutex
	sent    []notify.Email
	failing bool
}

func (m *mailbox) Send(_ context.Context, e notify.Email) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failing {
		return fmt.Errorf("the mail server is down")
	}
	m.sent = append(m.sent, e)
	return nil
}
