package casework

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// world is a PCN with a social prescribing service run by its team, an OT and a link worker
// in that team, a link worker outside it, and a GP who refers.
type world struct {
	cases     *Service
	referrals *referral.Service
	svc       referral.ReceivingService
	ot, lw    account.User
	outsider  account.User
	gp        account.User
}

func newWorld(t *testing.T, db *store.DB) world {
	t.Helper()
	ctx := context.Background()
	orgs := organisation.NewService(db)
	pcn, err := orgs.Create(ctx, audit.System, organisation.Input{Name: "Riverside PCN", Type: organisation.PCN, ODSCode: "U90001"})
	if err != nil {
		t.Fatal(err)
	}
	team, err := orgs.AddTeam(ctx, audit.System, pcn.ID, "Personalised Care Team")
	if err != nil {
		t.Fatal(err)
	}
	accounts := account.NewService(db)
	user := func(email string, role account.Role, teams ...int64) account.User {
		u, err := accounts.CreateUser(ctx, audit.System, account.UserInput{Email: email, Name: email[:3], Password: "a-long-enough-password",
			OrganisationID: pcn.ID, Roles: []account.Role{role}, TeamIDs: teams})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	people := person.NewService(db)
	refs := referral.NewService(db, people)
	svc, err := refs.CreateService(ctx, audit.System, referral.ServiceInput{OrganisationID: pcn.ID, TeamID: team.ID,
		Name: "Social prescribing", Inclusion: "Adults", ResponseDays: 5})
	if err != nil {
		t.Fatal(err)
	}
	return world{cases: NewService(db, refs), referrals: refs, svc: svc,
		ot: user("ot1@example.nhs.uk", account.OccupationalTherapist, team.ID), lw: user("lw1@example.nhs.uk", account.LinkWorker, team.ID),
		outsider: user("lw2@example.nhs.uk", account.LinkWorker), gp: user("gp1@example.nhs.uk", account.Referrer)}
}

var nhsNumbers = []string{"9434765919", "4010232137", "9990000018", "9990000026", "9990000034", "9990000042"}

func (w world) refer(t *testing.T, i int) referral.Referral {
	t.Helper()
	r, err := w.referrals.Submit(context.Background(), account.Actor(w.gp, "10.0.0.9"), referral.Referrer{UserID: w.gp.ID, Name: "GP"},
		referral.Input{ServiceID: w.svc.ID, Source: referral.SourceGP, Needs: []string{"frailty_falls", "loneliness"},
			ConsentGiven: true, CriteriaMet: referral.CriteriaMet,
			Person: person.Input{NHSNumber: nhsNumbers[i], GivenName: "Person", FamilyName: fmt.Sprintf("Number%c", 'A'+i),
				DateOfBirth: person.DateParts{Day: "1", Month: "2", Year: fmt.Sprint(1940 + i)}}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestOpenCaseOnAcceptance(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		r := w.refer(t, 0)
		actor := account.Actor(w.ot, "10.0.0.1")
		if _, err := w.cases.Open(ctx, actor, r.ID, OpenInput{ReferralVersion: r.Version, Lead: w.ot}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("accepting without triage or a tier: %v, want invalid", err)
		}
		if got, _ := w.referrals.Get(ctx, r.ID); got.Status != referral.StatusRequested {
			t.Errorf("a refused acceptance left the referral %s", got.Status)
		}
		if _, err := w.cases.Open(ctx, actor, r.ID, OpenInput{ReferralVersion: r.Version, Lead: w.gp, Tier: referral.TierSpecialist, Pathway: referral.PathwayJoint}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a GP as lead: %v, want forbidden", err)
		}
		answers := referral.TriageAnswers{Falls: true, Mobility: true, CognitiveImpairment: true}
		sug := referral.Suggest(answers, r.Needs)
		if _, err := w.referrals.RecordTriage(ctx, actor, r.ID, answers, referral.Decision{Tier: sug.Tier, Pathway: sug.Pathway}); err != nil {
			t.Fatal(err)
		}
		k, err := w.cases.Open(ctx, actor, r.ID, OpenInput{ReferralVersion: r.Version, Lead: w.ot, Engagement: "ot_social_prescriber"})
		if err != nil {
			t.Fatal(err)
		}
		lead, ok := k.Lead()
		if k.Status != Active || k.Tier != referral.TierSpecialist || k.Pathway != referral.PathwayJoint || !ok || lead.UserID != w.ot.ID || lead.Role != account.OccupationalTherapist {
			t.Errorf("opened case: %+v (lead %+v)", k, lead)
		}
		if got, _ := w.referrals.Get(ctx, r.ID); got.Status != referral.StatusAccepted {
			t.Errorf("referral after opening: %s", got.Status)
		}
		accepted, _ := w.referrals.Get(ctx, r.ID)
		if _, err := w.cases.Open(ctx, actor, r.ID, OpenInput{ReferralVersion: accepted.Version, Lead: w.ot}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("opening a second case from one referral: %v, want conflict", err)
		}
	})
}

func TestCareTeamHasExactlyOneLead(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		r := w.refer(t, 0)
		actor := account.Actor(w.ot, "10.0.0.1")
		k, err := w.cases.Open(ctx, actor, r.ID, OpenInput{ReferralVersion: r.Version, Lead: w.ot, Tier: referral.TierTargeted, Pathway: referral.PathwayJoint})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.cases.AddWorker(ctx, actor, k.ID, w.lw, false); err != nil {
			t.Fatal(err)
		}
		if err := w.cases.AddWorker(ctx, actor, k.ID, w.lw, false); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("adding the same worker twice: %v", err)
		}
		if err := w.cases.AddWorker(ctx, actor, k.ID, w.gp, false); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("adding a GP to the care team: %v", err)
		}
		k, _ = w.cases.Get(ctx, k.ID)
		otWorker := k.Team[0]
		if err := w.cases.EndWorker(ctx, actor, k.ID, otWorker.ID); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("the lead leaving without a successor: %v", err)
		}
		lwWorker := k.Team[1]
		if err := w.cases.MakeLead(ctx, actor, k.ID, lwWorker.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.cases.EndWorker(ctx, actor, k.ID, otWorker.ID); err != nil {
			t.Fatal(err)
		}
		k, _ = w.cases.Get(ctx, k.ID)
		leads := 0
		for _, m := range k.Team {
			if m.Lead && m.Current() {
				leads++
			}
		}
		if lead, _ := k.Lead(); leads != 1 || lead.UserID != w.lw.ID {
			t.Errorf("after stepping down: %d current leads, lead %+v", leads, lead)
		}
		// The database itself refuses a second current lead.
		_, err = db.Exec(ctx, `INSERT INTO case_workers (case_id, user_id, role, is_lead, from_on) VALUES (?, ?, 'link_worker', ?, '2026-01-01')`, k.ID, w.outsider.ID, true)
		if !store.IsUniqueViolation(err) {
			t.Errorf("a second lead inserted directly: %v, want a unique violation", err)
		}
	})
}

func TestCaseloadsAndRelationships(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		actor := account.Actor(w.ot, "10.0.0.1")
		var people []int64
		for i := range 5 {
			r := w.refer(t, i)
			people = append(people, r.PersonID)
			lead := w.ot
			if i%2 == 1 {
				lead = w.lw
			}
			if i == 4 {
				break // left awaiting triage
			}
			if _, err := w.cases.Open(ctx, actor, r.ID, OpenInput{ReferralVersion: r.Version, Lead: lead, Tier: referral.TierTargeted, Pathway: referral.PathwayLinkWorkerLed}); err != nil {
				t.Fatal(err)
			}
		}
		mine, err := w.cases.Caseload(ctx, CaseloadFilter{WorkerID: w.ot.ID, Sort: "name"})
		if err != nil || mine.Total != 2 || mine.Rows[0].Name != "Person NumberA" || mine.Rows[0].Lead != w.ot.Name {
			t.Errorf("OT's caseload: %+v, %v", mine, err)
		}
		team, err := w.cases.Caseload(ctx, CaseloadFilter{TeamUserID: w.lw.ID, PerPage: 3, Page: 2})
		if err != nil || team.Total != 4 || team.Pages != 2 || len(team.Rows) != 1 {
			t.Errorf("team caseload page 2 of 3 per page: %+v, %v", team, err)
		}
		if none, _ := w.cases.Caseload(ctx, CaseloadFilter{}); none.Total != 0 {
			t.Errorf("a caseload for nobody lists %d cases", none.Total)
		}
		cases := []struct {
			who    account.User
			person int64
			want   Relationship
		}{
			{w.ot, people[0], CareTeam},
			{w.lw, people[0], TeamHolds},
			{w.lw, people[4], TeamHolds}, // a referral awaiting triage
			{w.gp, people[2], Referrer},
			{w.outsider, people[0], NoRelationship},
		}
		for _, c := range cases {
			got, err := w.cases.RelationshipWith(ctx, c.who, c.person)
			if err != nil || got != c.want {
				t.Errorf("%s with person %d: %q, %v; want %q", c.who.Email, c.person, got, err, c.want)
			}
		}
		team2, err := w.cases.CareTeam(ctx, people[1])
		if err != nil || len(team2) != 1 || team2[0].UserID != w.lw.ID || team2[0].ServiceName != "Social prescribing" || team2[0].OrganisationName != "Riverside PCN" {
			t.Errorf("care team view: %+v, %v", team2, err)
		}
	})
}

func TestClosureSendsMessageLimitedByConsent(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		r := w.refer(t, 0)
		actor := account.Actor(w.ot, "10.0.0.1")
		if err := person.NewService(db).RecordConsent(ctx, actor, r.PersonID, person.ConsentGPSharing, "codes_only"); err != nil {
			t.Fatal(err)
		}
		k, err := w.cases.Open(ctx, actor, r.ID, OpenInput{ReferralVersion: r.Version, Lead: w.ot, Tier: referral.TierSpecialist, Pathway: referral.PathwayJoint})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.cases.Close(ctx, actor, k.ID, k.Version, "", ""); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("closing without a reason: %v", err)
		}
		summary := "Goes to the walking group on Tuesdays; the falls clinic is following up."
		if err := w.cases.Close(ctx, actor, k.ID, k.Version, "goals_met", summary); err != nil {
			t.Fatal(err)
		}
		if err := w.cases.Close(ctx, actor, k.ID, k.Version+1, "goals_met", summary); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("closing twice: %v", err)
		}
		msgs, err := w.referrals.Messages(ctx, r.ID)
		if err != nil || len(msgs) != 2 || msgs[0].Kind != referral.MessageAccepted || msgs[1].Kind != referral.MessageClosed {
			t.Fatalf("messages: %+v, %v", msgs, err)
		}
		closed := msgs[1]
		if closed.Sharing != "codes_only" || strings.Contains(closed.Body, "walking group") || len(closed.Codes) == 0 {
			t.Errorf("closure message under codes-only consent: %+v", closed)
		}
		got, _ := w.cases.Get(ctx, k.ID)
		if got.Status != Closed || got.ClosureReason != "goals_met" || got.ClosedAt == nil {
			t.Errorf("closed case: %+v", got)
		}
		if lead, ok := got.Lead(); ok {
			t.Errorf("a closed case still has a current lead: %+v", lead)
		}
		openPage, _ := w.cases.Caseload(ctx, CaseloadFilter{WorkerID: w.ot.ID})
		closedPage, _ := w.cases.Caseload(ctx, CaseloadFilter{WorkerID: w.ot.ID, Statuses: []Status{Closed}})
		if openPage.Total != 0 || closedPage.Total != 1 || closedPage.Rows[0].CaseID != k.ID {
			t.Errorf("after closing: %d open and %d closed in the OT's caseload", openPage.Total, closedPage.Total)
		}
		// The care team keeps access to the closed case for a while, then loses it.
		if rel, err := w.cases.RelationshipWith(ctx, w.ot, r.PersonID); err != nil || rel != CareTeam {
			t.Errorf("the OT just after closing: %q, %v", rel, err)
		}
		w.cases.now = func() time.Time { return time.Now().Add(ClosedCaseAccess + 48*time.Hour) }
		if rel, err := w.cases.RelationshipWith(ctx, w.ot, r.PersonID); err != nil || rel == CareTeam {
			t.Errorf("the OT long after closing: %q, %v", rel, err)
		}
		w.cases.now = time.Now
		// A decline sends a message too.
		r2 := w.refer(t, 1)
		if _, err := w.referrals.Decide(ctx, actor, r2.ID, r2.Version, referral.StatusRejected, referral.RejectPersonDeclined, ""); err != nil {
			t.Fatal(err)
		}
		if msgs, _ := w.referrals.Messages(ctx, r2.ID); len(msgs) != 1 || msgs[0].Kind != referral.MessageDeclined || msgs[0].Recipient != "referrer" {
			t.Errorf("decline message with no sharing consent: %+v", msgs)
		}
	})
}

// TestReferralAddedToOpenCase: a referral added to a person's open case goes to that case's
// service, tells its lead, and on acceptance joins the case instead of opening another; a
// case that has closed, or belongs to someone else, cannot be added to.
func TestReferralAddedToOpenCase(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		k := w.jointCase(t, 0, w.ot)
		other := w.refer(t, 1)
		gp := account.Actor(w.gp, "10.0.0.9")
		add := func(personID, caseID int64) (referral.Referral, error) {
			return w.referrals.Submit(ctx, gp, referral.Referrer{UserID: w.gp.ID, Name: "GP"}, referral.Input{
				ServiceID: w.svc.ID, Source: referral.SourceGP, Needs: []string{"housing"}, ConsentGiven: true,
				CriteriaMet: referral.CriteriaMet, ExistingPersonID: personID, AddsToCaseID: caseID})
		}
		if _, err := add(other.PersonID, k.ID); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("adding to another person's case: %v, want invalid", err)
		}
		r, err := add(k.PersonID, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.AddsToCaseID != k.ID || r.ServiceID != k.ServiceID || r.Status != referral.StatusRequested {
			t.Errorf("added referral: %+v", r)
		}
		var told int
		if err := db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND kind = ?`,
			w.ot.ID, "referral.adds_to_case").Scan(&told); err != nil || told != 1 {
			t.Errorf("the case lead was told %d times (%v), want once", told, err)
		}
		got, err := w.cases.Open(ctx, account.Actor(w.lw, "10.0.0.2"), r.ID, OpenInput{ReferralVersion: r.Version, Lead: w.lw})
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != k.ID {
			t.Errorf("accepting the added referral opened case %d, want the existing case %d", got.ID, k.ID)
		}
		if lead, _ := got.Lead(); lead.UserID != w.ot.ID {
			t.Errorf("attaching the referral changed the lead to %d", lead.UserID)
		}
		var n int
		if err := db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM cases WHERE person_id = ?`, k.PersonID).Scan(&n); err != nil || n != 1 {
			t.Errorf("the person has %d cases (%v), want 1", n, err)
		}
		listed, err := w.referrals.List(ctx, referral.Filter{CaseID: k.ID})
		if err != nil || len(listed) != 2 {
			t.Errorf("the case's referrals: %d (%v), want the opening one and the added one", len(listed), err)
		}
		got, _ = w.cases.Get(ctx, k.ID)
		if err := w.cases.Close(ctx, account.Actor(w.ot, "10.0.0.1"), k.ID, got.Version, "goals_met", "Settled at the lunch club"); err != nil {
			t.Fatal(err)
		}
		if _, err := add(k.PersonID, k.ID); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("adding to a closed case: %v, want conflict", err)
		}
	})
}

// TestHoldAndResume: an active case goes on hold for a reason and comes back; each change
// checks the case's status and version, and a closed case can do neither.
func TestHoldAndResume(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		k := w.jointCase(t, 0, w.ot)
		actor := account.Actor(w.ot, "10.0.0.1")
		if err := w.cases.Hold(ctx, actor, k.ID, k.Version, "holiday"); fieldMessage(err, "hold_reason") == "" {
			t.Errorf("a hold with an unknown reason: %v, want a hold_reason error", err)
		}
		if err := w.cases.Resume(ctx, actor, k.ID, k.Version); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("resuming an active case: %v, want conflict", err)
		}
		if err := w.cases.Hold(ctx, actor, k.ID, k.Version, "unwell_or_in_hospital"); err != nil {
			t.Fatal(err)
		}
		got, _ := w.cases.Get(ctx, k.ID)
		if got.Status != OnHold || got.HoldReason != "unwell_or_in_hospital" {
			t.Errorf("after hold: %s %q", got.Status, got.HoldReason)
		}
		if err := w.cases.Resume(ctx, actor, k.ID, k.Version); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("resuming with a stale version: %v, want conflict", err)
		}
		if err := w.cases.Resume(ctx, actor, k.ID, got.Version); err != nil {
			t.Fatal(err)
		}
		got, _ = w.cases.Get(ctx, k.ID)
		if got.Status != Active || got.HoldReason != "" {
			t.Errorf("after resume: %s %q", got.Status, got.HoldReason)
		}
		if err := w.cases.Close(ctx, actor, k.ID, got.Version, "moved_away", "Moved to Leeds"); err != nil {
			t.Fatal(err)
		}
		got, _ = w.cases.Get(ctx, k.ID)
		if err := w.cases.Hold(ctx, actor, k.ID, got.Version, "away"); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("holding a closed case: %v, want conflict", err)
		}
		var n int
		if err := db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND record_id = ?`, "case.status", fmt.Sprint(k.ID)).Scan(&n); err != nil || n != 2 {
			t.Errorf("audited status changes: %d (%v), want 2", n, err)
		}
	})
}

// TestPersonCasesListsOpenThenClosed: a person's cases include closed ones, after the open.
func TestPersonCasesListsOpenThenClosed(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		first := w.jointCase(t, 0, w.ot)
		actor := account.Actor(w.ot, "10.0.0.1")
		if err := w.cases.Close(ctx, actor, first.ID, first.Version, "goals_met", "Goes to the lunch club"); err != nil {
			t.Fatal(err)
		}
		again, err := w.referrals.Submit(ctx, account.Actor(w.gp, "10.0.0.9"), referral.Referrer{UserID: w.gp.ID, Name: "GP"},
			referral.Input{ServiceID: w.svc.ID, Source: referral.SourceGP, Needs: []string{"bereavement"}, ConsentGiven: true,
				CriteriaMet: referral.CriteriaMet, ExistingPersonID: first.PersonID})
		if err != nil {
			t.Fatal(err)
		}
		second, err := w.cases.Open(ctx, actor, again.ID, OpenInput{ReferralVersion: again.Version, Lead: w.ot,
			Tier: referral.TierTargeted, Pathway: referral.PathwayOTLed})
		if err != nil {
			t.Fatal(err)
		}
		w.refer(t, 1) // someone else's referral, which must not appear
		got, err := w.cases.PersonCases(ctx, first.PersonID)
		if err != nil || len(got) != 2 || got[0].ID != second.ID || got[1].ID != first.ID || got[1].Status != Closed {
			t.Errorf("the person's cases: %+v (%v), want the open one then the closed one", got, err)
		}
	})
}
