package fhir

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func practitionerRef(system, value string) map[string]any {
	return map[string]any{"type": "Practitioner", "identifier": map[string]any{"system": system, "value": value}}
}

// caseOf returns the case a referral opened, or a zero Case when it has none.
func (w *world) caseOf(t *testing.T, referralID int64) casework.Case {
	t.Helper()
	var id int64
	err := w.db.Reader().QueryRow(context.Background(), `SELECT COALESCE(MAX(id), 0) FROM cases WHERE referral_id = ?`, referralID).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	if id == 0 {
		return casework.Case{}
	}
	k, err := w.cases.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestTaskAcceptedOpensCaseWithNamedLead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		s := w.send(t, "RMC-1")
		_, tag := w.task(t, "pcn", s.taskID)
		gpOT, err := account.NewService(db).CreateUser(ctx, audit.System, account.UserInput{Email: "ot@hillside.example.nhs.uk", Name: "Ann Other",
			Password: "a-long-enough-password", OrganisationID: w.gp.ID, Roles: []account.Role{account.OccupationalTherapist}})
		if err != nil {
			t.Fatal(err)
		}
		accept := func(client string, owner any) response {
			ops := []any{"replace", "/status", "accepted"}
			if owner != nil {
				ops = append(ops, "replace", "/owner", owner)
			}
			return w.patch(t, client, s.taskID, tag, ops...)
		}
		// Refusals leave the referral as it was.
		expectIssue(t, accept("pcn", nil), 422, "required", "Task.owner")
		expectIssue(t, accept("pcn", practitionerRef(SystemUserEmail, "nobody@example.nhs.uk")), 422, "not-found", "Task.owner.identifier")
		expectIssue(t, accept("pcn", practitionerRef(SystemUserEmail, gpOT.Email)), 422, "not-found", "Task.owner.identifier")
		expectIssue(t, accept("pcn", practitionerRef("https://example.org/staff", "42")), 422, "code-invalid", "Task.owner.identifier.system")
		expectIssue(t, accept("gp", practitionerRef(SystemUserEmail, w.ot.Email)), http.StatusForbidden, "forbidden", "")
		if r, _ := w.referrals.Get(ctx, s.referralID); r.Status != referral.StatusRequested || w.caseOf(t, s.referralID).ID != 0 {
			t.Fatalf("a refused acceptance changed the referral: %s", r.Status)
		}

		res := accept("pcn", practitionerRef(SystemUserEmail, strings.ToUpper(w.ot.Email)))
		got := res.json(t)
		if res.status != 200 || got["status"] != "accepted" || len(got["output"].([]any)) != 1 {
			t.Fatalf("accept: %d %s", res.status, res.body)
		}
		if r, _ := w.referrals.Get(ctx, s.referralID); r.Status != referral.StatusAccepted {
			t.Errorf("referral after acceptance over FHIR: %s", r.Status)
		}
		k := w.caseOf(t, s.referralID)
		lead, ok := k.Lead()
		if k.Status != casework.Active || !ok || lead.UserID != w.ot.ID || lead.Role != account.OccupationalTherapist {
			t.Fatalf("the case did not open with the named lead: %+v", k)
		}
		// Untriaged, the case takes what Linkwell suggests for the referral's needs.
		r, _ := w.referrals.Get(ctx, s.referralID)
		if sug := referral.Suggest(referral.TriageAnswers{}, r.Needs); k.Tier != sug.Tier || k.Pathway != sug.Pathway {
			t.Errorf("tier and pathway %s/%s, want the suggestion %s/%s", k.Tier, k.Pathway, sug.Tier, sug.Pathway)
		}
		// The client's acceptance is audited against it.
		opened, err := audit.List(ctx, db, audit.Filter{Action: "case.open"})
		if err != nil || opened.Total != 1 || !strings.Contains(opened.Entries[0].Actor, "api client") {
			t.Errorf("case.open audit: %+v %v", opened, err)
		}
		// Accepting again is no move; naming another owner now is refused.
		expectIssue(t, w.patch(t, "pcn", s.taskID, res.header.Get("ETag"), "replace", "/owner", practitionerRef(SystemUserEmail, w.ot.Email)),
			422, "business-rule", "Task.owner")
	})
}

func TestTaskAcceptedByRegistrationOrTriager(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		err := db.Tx(ctx, func(c store.Conn) error {
			_, err := c.Exec(ctx, `INSERT INTO staff_profiles (user_id, profession, registration, band, capacity, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				w.ot.ID, "occupational_therapist", "OT12345", "6", 30, store.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		byHCPC := w.send(t, "RMC-1")
		_, tag := w.task(t, "pcn", byHCPC.taskID)
		res := w.patch(t, "pcn", byHCPC.taskID, tag, "replace", "/status", "accepted", "replace", "/owner", practitionerRef(SystemHCPC, "ot 12345"))
		if res.status != 200 {
			t.Fatalf("accept naming the HCPC number: %d %s", res.status, res.body)
		}
		if lead, ok := w.caseOf(t, byHCPC.referralID).Lead(); !ok || lead.UserID != w.ot.ID {
			t.Errorf("lead by HCPC number: %+v", lead)
		}

		// Triaged in Linkwell and accepted with no owner named: the triager leads, on the
		// triage's tier and pathway.
		triaged := w.send(t, "RMC-2")
		r, _ := w.referrals.Get(ctx, triaged.referralID)
		answers := referral.TriageAnswers{Falls: true, Mobility: true, MultipleLongTermConditions: true}
		sug := referral.Suggest(answers, r.Needs)
		if _, err := w.referrals.RecordTriage(ctx, account.Actor(w.ot, "10.0.0.1"), triaged.referralID, answers,
			referral.Decision{Tier: sug.Tier, Pathway: sug.Pathway}); err != nil {
			t.Fatal(err)
		}
		_, tag = w.task(t, "pcn", triaged.taskID)
		if res := w.patch(t, "pcn", triaged.taskID, tag, "replace", "/status", "accepted"); res.status != 200 {
			t.Fatalf("accept a triaged referral: %d %s", res.status, res.body)
		}
		k := w.caseOf(t, triaged.referralID)
		if lead, ok := k.Lead(); !ok || lead.UserID != w.ot.ID || k.Tier != sug.Tier || k.Pathway != sug.Pathway {
			t.Errorf("case from a triaged referral: %+v", k)
		}
		if fmt.Sprint(k.Tier) == "" {
			t.Error("the case has no tier")
		}
	})
}
