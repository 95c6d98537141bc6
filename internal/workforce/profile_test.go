package workforce

import (
	"context"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestProfileInputValidate(t *testing.T) {
	cases := []struct {
		name  string
		in    ProfileInput
		field string // the field refused, or "" when valid
	}{
		{"an OT with an HCPC number", ProfileInput{Profession: "occupational_therapist", Registration: "ot 12345", Band: "6", Capacity: "30"}, ""},
		{"an OT with a six-digit number", ProfileInput{Profession: "occupational_therapist", Registration: "OT123456", Capacity: "30"}, ""},
		{"an OT without a number", ProfileInput{Profession: "occupational_therapist", Capacity: "30"}, "registration"},
		{"an OT with a physio's number", ProfileInput{Profession: "occupational_therapist", Registration: "PH12345", Capacity: "30"}, "registration"},
		{"an OT with too few digits", ProfileInput{Profession: "occupational_therapist", Registration: "OT1234", Capacity: "30"}, "registration"},
		{"a link worker needs no number", ProfileInput{Profession: "link_worker", Capacity: "45"}, ""},
		{"an unknown profession", ProfileInput{Profession: "wizard", Capacity: "45"}, "profession"},
		{"an unknown band", ProfileInput{Profession: "link_worker", Band: "10", Capacity: "45"}, "band"},
		{"no capacity", ProfileInput{Profession: "link_worker"}, "capacity"},
		{"capacity in words", ProfileInput{Profession: "link_worker", Capacity: "forty"}, "capacity"},
		{"capacity too large", ProfileInput{Profession: "link_worker", Capacity: "501"}, "capacity"},
	}
	for _, c := range cases {
		_, err := c.in.Validate()
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v, want valid", c.name, err)
		case c.field != "" && fieldMessage(err, c.field) == "":
			t.Errorf("%s: %v, want a problem with %s", c.name, err, c.field)
		}
	}
	in := ProfileInput{Profession: "occupational_therapist", Registration: " ot 12345 ", Capacity: "30"}
	if _, err := in.Validate(); err != nil || in.Registration != "OT12345" {
		t.Errorf("registration kept as %q (%v), want OT12345", in.Registration, err)
	}
}

func TestSaveProfile(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		in := ProfileInput{Profession: "link_worker", Band: "4", Capacity: "45"}
		if err := w.work.SaveProfile(ctx, account.Actor(w.pcnLead, "x"), w.pcnLead, w.lw.ID, in); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("another organisation's service lead: %v, want forbidden", err)
		}
		if err := w.work.SaveProfile(ctx, account.Actor(w.lw, "x"), w.lw, w.lw.ID, in); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("the worker themselves: %v, want forbidden", err)
		}
		if err := w.work.SaveProfile(ctx, account.Actor(w.lead, "x"), w.lead, w.lw.ID, in); err != nil {
			t.Fatal(err)
		}
		p, err := w.work.Profile(ctx, w.lw.ID)
		if err != nil || p.Capacity != 45 || p.Band != "4" || p.Profession != "link_worker" || p.Version != 1 || p.Organisation != "Riverside Connectors" {
			t.Fatalf("saved profile: %+v, %v", p, err)
		}
		in.Capacity, in.Version = "50", 1
		if err := w.work.SaveProfile(ctx, account.Actor(w.lead, "x"), w.lead, w.lw.ID, in); err != nil {
			t.Fatal(err)
		}
		in.Capacity = "60" // still on version 1: someone else saved version 2
		if err := w.work.SaveProfile(ctx, account.Actor(w.lead, "x"), w.lead, w.lw.ID, in); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a stale edit: %v, want conflict", err)
		}
		if p, _ := w.work.Profile(ctx, w.lw.ID); p.Capacity != 50 || p.Version != 2 {
			t.Errorf("after the stale edit: %+v", p)
		}
		if n := countAudit(t, db, "workforce.profile"); n != 2 {
			t.Errorf("%d profile changes audited, want 2", n)
		}
	})
}

func TestSupervisorsAcrossOrganisations(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		lead := account.Actor(w.lead, "x")
		if err := w.work.AddSupervisor(ctx, lead, w.lead, w.lw.ID, w.ot.ID); !strings.Contains(fieldMessage(err, "supervisor"), "supervisor role") {
			t.Errorf("an OT without the supervisor role: %v", err)
		}
		if err := w.work.AddSupervisor(ctx, lead, w.lead, w.lw.ID, w.stranger.ID); !strings.Contains(fieldMessage(err, "supervisor"), "no data-sharing agreement") {
			t.Errorf("a supervisor at an organisation with no agreement: %v", err)
		}
		if err := w.work.AddSupervisor(ctx, account.Actor(w.pcnLead, "x"), w.pcnLead, w.lw.ID, w.sup.ID); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("the supervisor's own service lead placing them over another organisation's worker: %v", err)
		}
		if err := w.work.AddSupervisor(ctx, lead, w.lead, w.lw.ID, w.sup.ID); err != nil {
			t.Fatalf("cross-organisation supervision under an agreement: %v", err)
		}
		if err := w.work.AddSupervisor(ctx, lead, w.lead, w.lw.ID, w.sup.ID); fieldMessage(err, "supervisor") == "" {
			t.Errorf("the same supervisor twice: %v", err)
		}
		p, _ := w.work.Profile(ctx, w.lw.ID)
		if len(p.Supervisors) != 1 || p.Supervisors[0].SupervisorID != w.sup.ID || !p.Supervisors[0].CrossOrg || p.Supervisors[0].SupervisorOrg != "Riverside PCN" {
			t.Errorf("supervisors: %+v", p.Supervisors)
		}
		ees, _ := w.work.Supervisees(ctx, w.sup.ID)
		if len(ees) != 1 || ees[0].SuperviseeID != w.lw.ID {
			t.Errorf("supervisees: %+v", ees)
		}
		cands, _ := w.work.SupervisorCandidates(ctx, w.vcse.ID)
		if len(cands) != 1 || cands[0].SupervisorID != w.sup.ID {
			t.Errorf("candidates for the charity: %+v (the stranger's organisation shares nothing with it)", cands)
		}
		if n := countAudit(t, db, "workforce.supervisor_add"); n != 1 {
			t.Errorf("%d supervisor changes audited, want 1", n)
		}
		if err := w.work.EndSupervisor(ctx, lead, w.lead, p.Supervisors[0].ID); err != nil {
			t.Fatal(err)
		}
		if ees, _ := w.work.Supervisees(ctx, w.sup.ID); len(ees) != 0 {
			t.Errorf("supervisees after the end: %+v", ees)
		}
	})
}
