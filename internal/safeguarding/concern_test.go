package safeguarding

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestRaisingAConcernReachesTheLeadAndSupervisorOnly(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		actor := account.Actor(w.lw, "10.0.0.2")
		if _, err := w.safeguarding.RaiseConcern(ctx, actor, w.caseID, ConcernInput{}); fieldMessage(err, "subject") == "" ||
			fieldMessage(err, "type") == "" || fieldMessage(err, "immediate_action") == "" {
			t.Errorf("an empty concern: %v", err)
		}
		if _, err := w.safeguarding.RaiseConcern(ctx, actor, 999999, concern()); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("a concern on no case: %v", err)
		}
		raised, err := w.safeguarding.RaiseConcern(ctx, actor, w.caseID, concern())
		if err != nil {
			t.Fatal(err)
		}
		k := raised.Concern
		if k.Status != ConcernOpen || k.PersonID != w.personID || k.ServiceID != w.svc.ID || k.RaisedBy != w.lw.ID || k.Type.Label() != "Financial or material abuse" {
			t.Errorf("raised concern: %+v", k)
		}
		if !k.Procedure.Default || k.Procedure.Text != DefaultProcedure {
			t.Errorf("procedure with none set: %+v", k.Procedure)
		}
		if len(raised.Notified) != 2 || raised.Notified[0].UserID != w.lead.ID || raised.Notified[0].Role != account.SafeguardingLead ||
			raised.Notified[1].UserID != w.supervisor.ID || raised.Notified[1].Role != account.Supervisor {
			t.Errorf("notified: %+v", raised.Notified)
		}
		inbox := notify.NewInbox(db)
		for _, c := range []struct {
			who  account.User
			want int
		}{{w.lead, 1}, {w.supervisor, 1}, {w.otherTeamSupervisor, 0}, {w.bystander, 0}, {w.otherLead, 0}, {w.lw, 0}} {
			got, err := inbox.Unread(ctx, c.who.ID)
			if err != nil || len(got) != c.want {
				t.Errorf("%s has %d notifications, want %d (%v)", c.who.Email, len(got), c.want, err)
			}
			if len(got) == 1 && (got[0].Kind != KindConcern || strings.Contains(got[0].Subject, "Edna")) {
				t.Errorf("%s's notification: %+v", c.who.Email, got[0])
			}
		}
		if len(w.mail.sent) != 2 || w.mail.sent[0].To != "lead@example.nhs.uk" || w.mail.sent[1].To != "sup@example.nhs.uk" {
			t.Errorf("emails: %+v", w.mail.sent)
		}
		for _, m := range w.mail.sent {
			if strings.Contains(m.Subject+m.Body, "Edna") || strings.Contains(m.Subject+m.Body, "pension") {
				t.Errorf("an email carries personal data: %+v", m)
			}
		}
		page, err := audit.List(ctx, db, audit.Filter{Action: "safeguarding.raise"})
		if err != nil || page.Total != 1 {
			t.Fatalf("audit: %+v, %v", page, err)
		}
		if e := page.Entries[0]; e.ActorID != w.lw.ID || e.RecordID != audit.RecordID(k.ID) || strings.Contains(e.Detail, "pension") ||
			!strings.Contains(e.Detail, "type=financial") {
			t.Errorf("audit entry: %+v", e)
		}
	})
}

func TestLocalProcedure(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		lead := account.Actor(w.lead, "10.0.0.4")
		if err := w.safeguarding.SetProcedure(ctx, lead, w.svc.ID, "  "); fieldMessage(err, "procedure") == "" {
			t.Errorf("an empty procedure: %v", err)
		}
		if err := w.safeguarding.SetProcedure(ctx, lead, 999999, "Call someone"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("a procedure for no service: %v", err)
		}
		for _, text := range []string{"Call the Riverside safeguarding hub on 01632 960000.", "Call the hub on 01632 960001, then email it."} {
			if err := w.safeguarding.SetProcedure(ctx, lead, w.svc.ID, text); err != nil {
				t.Fatal(err)
			}
		}
		raised, err := w.safeguarding.RaiseConcern(ctx, account.Actor(w.lw, "10.0.0.2"), w.caseID, concern())
		if err != nil {
			t.Fatal(err)
		}
		p := raised.Concern.Procedure
		if p.Default || p.Text != "Call the hub on 01632 960001, then email it." || p.UpdatedBy != w.lead.ID {
			t.Errorf("custom procedure: %+v", p)
		}
		if got, _ := w.safeguarding.Concern(ctx, raised.Concern.ID); got.Procedure.Text != p.Text {
			t.Errorf("procedure with the stored concern: %+v", got.Procedure)
		}
	})
}

func TestFailingMailerDoesNotUndoTheConcern(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		svc := NewService(db, failingMailer{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		raised, err := svc.RaiseConcern(ctx, account.Actor(w.lw, "10.0.0.2"), w.caseID, concern())
		if err != nil {
			t.Fatalf("a failed email failed the concern: %v", err)
		}
		if got, err := svc.Concern(ctx, raised.Concern.ID); err != nil || got.Status != ConcernOpen {
			t.Errorf("the concern after a failed email: %+v, %v", got, err)
		}
		if got, _ := notify.NewInbox(db).Unread(ctx, w.lead.ID); len(got) != 1 {
			t.Errorf("the lead's in-app notification after a failed email: %+v", got)
		}
	})
}

func TestSafeguardingLeadQueue(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		raised, err := w.safeguarding.RaiseConcern(ctx, account.Actor(w.lw, "10.0.0.2"), w.caseID, concern())
		if err != nil {
			t.Fatal(err)
		}
		k := raised.Concern
		if q, err := w.safeguarding.OpenConcerns(ctx, w.lead); err != nil || len(q) != 1 || q[0].ID != k.ID || q[0].RaisedByName != "lw" {
			t.Errorf("lead's queue: %+v, %v", q, err)
		}
		if q, err := w.safeguarding.OpenConcerns(ctx, w.otherLead); err != nil || len(q) != 0 {
			t.Errorf("another organisation's lead sees %+v, %v", q, err)
		}
		if _, err := w.safeguarding.OpenConcerns(ctx, w.supervisor); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a supervisor's queue: %v", err)
		}
		if list, _ := w.safeguarding.CaseConcerns(ctx, w.caseID); len(list) != 1 {
			t.Errorf("the case's concerns: %+v", list)
		}
		lead := account.Actor(w.lead, "10.0.0.4")
		if err := w.safeguarding.MoveConcern(ctx, lead, k.ID, k.Version, ConcernClosed, ""); fieldMessage(err, "outcome") == "" {
			t.Errorf("closing without an outcome: %v", err)
		}
		if err := w.safeguarding.MoveConcern(ctx, lead, k.ID, k.Version, ConcernReferred, ""); err != nil {
			t.Fatal(err)
		}
		if err := w.safeguarding.MoveConcern(ctx, lead, k.ID, k.Version+1, ConcernOpen, ""); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("reopening: %v", err)
		}
		if err := w.safeguarding.MoveConcern(ctx, lead, k.ID, k.Version, ConcernClosed, "Section 42 enquiry opened"); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a stale version: %v", err)
		}
		if q, _ := w.safeguarding.OpenConcerns(ctx, w.lead); len(q) != 1 || q[0].Status != ConcernReferred {
			t.Errorf("queue after referral: %+v", q)
		}
		if err := w.safeguarding.MoveConcern(ctx, lead, k.ID, k.Version+1, ConcernClosed, "Section 42 enquiry completed; appointee in place."); err != nil {
			t.Fatal(err)
		}
		if q, _ := w.safeguarding.OpenConcerns(ctx, w.lead); len(q) != 0 {
			t.Errorf("queue after closing: %+v", q)
		}
		got, _ := w.safeguarding.Concern(ctx, k.ID)
		if got.Status != ConcernClosed || got.Outcome == "" || got.Version != k.Version+2 {
			t.Errorf("closed concern: %+v", got)
		}
	})
}
