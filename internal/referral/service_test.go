package referral

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func newTestService(t *testing.T, db *store.DB) (*Service, ReceivingService) {
	t.Helper()
	ctx := context.Background()
	org, err := organisation.NewService(db).Create(ctx, audit.System, organisation.Input{Name: "Riverside PCN", Type: organisation.PCN, ODSCode: "U90001"})
	if err != nil {
		t.Fatal(err)
	}
	s := NewService(db, person.NewService(db))
	svc, err := s.CreateService(ctx, audit.System, ServiceInput{OrganisationID: org.ID, Name: "Social prescribing",
		Inclusion: "Adults registered with a Riverside practice", ResponseDays: 5})
	if err != nil {
		t.Fatal(err)
	}
	return s, svc
}

func referralFor(svc ReceivingService, nhs, family string) Input {
	return Input{ServiceID: svc.ID, Source: SourceGP, Needs: []string{"frailty_falls", "loneliness"},
		Urgency: UrgencyRoutine, ConsentGiven: true, CriteriaMet: CriteriaMet,
		Person: person.Input{NHSNumber: nhs, GivenName: "Margaret", FamilyName: family,
			DateOfBirth: person.DateParts{Day: "3", Month: "7", Year: "1941"}}}
}

func TestSubmitAndDuplicateCheck(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, svc := newTestService(t, db)
		gp := Referrer{Name: "Dr Shah"}
		first, err := s.Submit(ctx, audit.System, gp, referralFor(svc, "9434765919", "O'Brien"))
		if err != nil {
			t.Fatal(err)
		}
		if first.Status != StatusRequested || len(first.Needs) != 2 || first.DueBy.Before(first.CreatedAt.Add(5*24*time.Hour)) {
			t.Errorf("new referral: %+v", first)
		}
		// The same person by NHS number, and again by a close name, is stopped with the match.
		for _, in := range []Input{referralFor(svc, "9434765919", "O'Brien"), referralFor(svc, "", "OBrien")} {
			in.Person.NHSNumberOptional = true
			_, err := s.Submit(ctx, audit.System, gp, in)
			var dup *DuplicatesFound
			if !errors.As(err, &dup) || len(dup.Matches) != 1 || dup.Matches[0].Person.ID != first.PersonID {
				t.Errorf("duplicate: %v", err)
			}
		}
		// Adding to the existing person goes through; so does a referrer who says it is someone else.
		again := referralFor(svc, "", "")
		again.ExistingPersonID = first.PersonID
		if r, err := s.Submit(ctx, audit.System, gp, again); err != nil || r.PersonID != first.PersonID {
			t.Errorf("referral for the existing person: %+v, %v", r, err)
		}
		other := referralFor(svc, "4010232137", "Obrian")
		other.NotADuplicate = true
		if r, err := s.Submit(ctx, audit.System, gp, other); err != nil || r.PersonID == first.PersonID {
			t.Errorf("a different person: %+v, %v", r, err)
		}
		var n int
		if err := db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM people`).Scan(&n); err != nil || n != 2 {
			t.Errorf("people recorded: %d, %v; want 2", n, err)
		}
	})
}

func TestSubmitRefusesBadInputAndWritesNothing(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, svc := newTestService(t, db)
		in := referralFor(svc, "9434765918", "")
		in.ConsentGiven = false
		in.Needs = nil
		in.CriteriaMet = ""
		_, err := s.Submit(ctx, audit.System, Referrer{}, in)
		ae, ok := apperr.As(err)
		if !ok || ae.Kind != apperr.Invalid {
			t.Fatalf("bad referral: %v", err)
		}
		want := map[string]bool{"nhs_number": true, "family_name": true, "consent": true, "needs": true, "criteria_met": true}
		for _, f := range ae.Fields {
			delete(want, f.Field)
		}
		if len(want) > 0 {
			t.Errorf("fields not reported: %v (got %+v)", want, ae.Fields)
		}
		in = referralFor(svc, "9434765919", "O'Brien")
		in.ServiceID = 9999
		if _, err := s.Submit(ctx, audit.System, Referrer{}, in); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("unknown service: %v", err)
		}
		var n int
		db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM people`).Scan(&n)
		if n != 0 {
			t.Errorf("a refused referral left %d people behind", n)
		}
	})
}

func TestDecisionsFollowTheStateMachine(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, svc := newTestService(t, db)
		r, err := s.Submit(ctx, audit.System, Referrer{Name: "Dr Shah"}, referralFor(svc, "9434765919", "O'Brien"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Decide(ctx, audit.System, r.ID, 0, StatusCancelled, "", ""); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a decision without the version it was made on: %v, want conflict", err)
		}
		if got, _ := s.Get(ctx, r.ID); got.Status != StatusRequested {
			t.Errorf("a refused decision changed the referral to %s", got.Status)
		}
		if _, err := s.Decide(ctx, audit.System, r.ID, r.Version, StatusRejected, "", ""); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("decline without a reason: %v", err)
		}
		declined, err := s.Decide(ctx, audit.System, r.ID, r.Version, StatusRejected, RejectPersonDeclined, "")
		if err != nil || declined.Status != StatusRejected || declined.ReasonCode != "person_declined" {
			t.Fatalf("decline: %+v, %v", declined, err)
		}
		if _, err := s.Decide(ctx, audit.System, r.ID, declined.Version, StatusAccepted, "", ""); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("accepting a declined referral: %v, want conflict", err)
		}
		if _, err := s.Decide(ctx, audit.System, r.ID, r.Version, StatusEnteredInError, "", ""); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a stale version: %v, want conflict", err)
		}
		page, _ := audit.List(ctx, db, audit.Filter{RecordType: "referral", Action: "referral.status"})
		if page.Total != 1 || page.Entries[0].Detail != "status=rejected snomed="+SNOMEDSocialPrescribingDeclined {
			t.Errorf("audit of the decline: %+v", page.Entries)
		}
	})
}

func TestOverdueQueue(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, svc := newTestService(t, db)
		r, err := s.Submit(ctx, audit.System, Referrer{}, referralFor(svc, "9434765919", "O'Brien"))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := s.List(ctx, Filter{OverdueAt: time.Now()}); len(got) != 0 {
			t.Errorf("a new referral is already overdue: %+v", got)
		}
		later := r.DueBy.Add(time.Hour)
		got, err := s.List(ctx, Filter{OverdueAt: later, ServiceIDs: []int64{svc.ID}})
		if err != nil || len(got) != 1 || !got[0].Overdue(later) {
			t.Errorf("overdue after the response time: %+v, %v", got, err)
		}
	})
}

func TestAddWorkingDays(t *testing.T) {
	friday := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	if got := AddWorkingDays(friday, 1); got.Weekday() != time.Monday {
		t.Errorf("one working day after Friday is %v", got.Weekday())
	}
	if got := AddWorkingDays(friday, 5); !got.Equal(friday.AddDate(0, 0, 7)) {
		t.Errorf("five working days after Friday is %v", got)
	}
}

func TestTriageRecordsDecisionAndSuggestion(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, svc := newTestService(t, db)
		r, err := s.Submit(ctx, audit.System, Referrer{}, referralFor(svc, "9434765919", "O'Brien"))
		if err != nil {
			t.Fatal(err)
		}
		answers := TriageAnswers{Falls: true, Mobility: true, MultipleLongTermConditions: true}
		sug := Suggest(answers, r.Needs)
		if _, err := s.RecordTriage(ctx, audit.System, r.ID, answers, Decision{Tier: sug.Tier, Pathway: sug.Pathway}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("triage by nobody: %v, want forbidden", err)
		}
		ot, err := account.NewService(db).CreateUser(ctx, audit.System, account.UserInput{Email: "ot@example.nhs.uk", Name: "OT",
			Password: "a-long-enough-password", Roles: []account.Role{account.Administrator}})
		if err != nil {
			t.Fatal(err)
		}
		triager := account.Actor(ot, "10.0.0.1")
		if _, err := s.RecordTriage(ctx, triager, r.ID, answers, Decision{Tier: TierUniversal, Pathway: PathwayLinkWorkerLed}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("overriding the suggestion without a reason: %v", err)
		}
		if _, err := s.RecordTriage(ctx, triager, r.ID, answers, Decision{Tier: sug.Tier, Pathway: sug.Pathway}); err != nil {
			t.Fatal(err)
		}
		got, err := s.LatestTriage(ctx, r.ID)
		if err != nil || got.Answers != answers || got.Decision.Tier != sug.Tier || got.Suggestion.Pathway != sug.Pathway {
			t.Errorf("LatestTriage = %+v, %v; want the answers and %s/%s", got, err, sug.Tier, sug.Pathway)
		}
		if _, err := s.Decide(ctx, audit.System, r.ID, r.Version, StatusCancelled, "", "withdrawn by the GP"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordTriage(ctx, triager, r.ID, answers, Decision{Tier: sug.Tier, Pathway: sug.Pathway}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("triaging a withdrawn referral: %v, want conflict", err)
		}
	})
}

func TestDuplicateStopIsAConflict(t *testing.T) {
	err := error(&DuplicatesFound{})
	if !apperr.Is(err, apperr.Conflict) {
		t.Errorf("a duplicate stop maps to %v, want conflict", apperr.KindOf(err))
	}
}

func TestSubmitRecordsGPSharingChoice(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, svc := newTestService(t, db)
		in := referralFor(svc, "9434765919", "O'Brien")
		in.GPSharing = "everything"
		if _, err := s.Submit(ctx, audit.System, Referrer{}, in); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("an unknown sharing choice: %v", err)
		}
		in.GPSharing = "codes_only"
		r, err := s.Submit(ctx, audit.System, Referrer{}, in)
		if err != nil {
			t.Fatal(err)
		}
		current, _, err := person.NewService(db).Consents(ctx, r.PersonID)
		if err != nil || current[person.ConsentGPSharing].Value != "codes_only" || current[person.ConsentSocialPrescribing].Value != "given" {
			t.Errorf("consents after the referral: %+v, %v", current, err)
		}
	})
}

func TestOverdueReferralsAreEscalatedOnce(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, svc := newTestService(t, db)
		lead, err := account.NewService(db).CreateUser(ctx, audit.System, account.UserInput{Email: "lead@example.nhs.uk", Name: "Lead",
			Password: "a-long-enough-password", OrganisationID: svc.OrganisationID, Roles: []account.Role{account.ServiceLead}})
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.Submit(ctx, audit.System, Referrer{}, referralFor(svc, "9434765919", "O'Brien"))
		if err != nil {
			t.Fatal(err)
		}
		if n, err := s.EscalateOverdue(ctx, time.Now()); err != nil || n != 0 {
			t.Errorf("escalated %d before the response time (%v)", n, err)
		}
		later := r.DueBy.Add(time.Hour)
		if n, err := s.EscalateOverdue(ctx, later); err != nil || n != 1 {
			t.Errorf("escalated %d after the response time (%v), want 1", n, err)
		}
		if n, _ := s.EscalateOverdue(ctx, later); n != 0 {
			t.Errorf("escalated again: %d", n)
		}
		unread, err := notify.NewInbox(db).Unread(ctx, lead.ID)
		if err != nil || len(unread) != 1 || unread[0].Link != fmt.Sprintf("/referrals/%d", r.ID) {
			t.Errorf("the service lead's notifications: %+v, %v", unread, err)
		}
	})
}
