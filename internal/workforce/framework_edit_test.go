package workforce

import (
	"context"
	"slices"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// TestEditFramework changes the default framework in the web interface's way, one competence
// at a time: each change is a new version of the organisation's own, a stale change is a
// conflict, bad input loses nothing, and a sign-off given before keeps its name and version.
func TestEditFramework(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.supervise(t, w.lw, w.sup)
		lead := account.Actor(w.lead, "x")
		def, _ := w.work.FrameworkFor(ctx, w.vcse.ID)
		if err := w.work.SignOff(ctx, account.Actor(w.sup, "x"), w.sup, w.lw.ID, SignOffInput{Code: "SP-CONNECT", ReviewOn: addDays(w.work.today(), 200)}); err != nil {
			t.Fatal(err)
		}
		add := CompetenceEdit{BaseID: def.ID, Area: "Safety", Code: "sf-de-escalation", Name: "De-escalation", TaskTypes: []string{"falls-awareness screening"}}
		if _, err := w.work.EditFramework(ctx, account.Actor(w.sup, "x"), w.sup, add); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a supervisor changing the framework: %v", err)
		}
		bad := add
		bad.Code, bad.Name, bad.TaskTypes = "SP-CONNECT", "", []string{"Juggling"}
		_, err := w.work.EditFramework(ctx, lead, w.lead, bad)
		if fieldMessage(err, "code") != "Code SP-CONNECT is already used by another competence: choose another" ||
			fieldMessage(err, "competence") != "Enter the competence" || fieldMessage(err, "task_types") != `There is no task type called "Juggling"` {
			t.Errorf("a bad competence: %v", err)
		}
		if vs, _ := w.work.FrameworkVersions(ctx, w.vcse.ID); len(vs) != 1 {
			t.Errorf("a refused change stored a version: %+v", vs)
		}
		v1, err := w.work.EditFramework(ctx, lead, w.lead, add)
		if err != nil {
			t.Fatal(err)
		}
		at := slices.IndexFunc(v1.Competences, func(k Competence) bool { return k.Code == "SF-DE-ESCALATION" })
		if v1.OrganisationID != w.vcse.ID || v1.Version != 1 || len(v1.Competences) != len(def.Competences)+1 ||
			v1.Competences[at-1].Area != "Safety" || v1.Competences[at+1].Area == "Safety" || !slices.Equal(v1.Competences[at].TaskTypes, []string{"Falls-awareness screening"}) {
			t.Fatalf("after adding: %+v", v1)
		}
		if _, err := w.work.EditFramework(ctx, lead, w.lead, add); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("a change on a version no longer in force: %v", err)
		}
		rename := CompetenceEdit{BaseID: v1.ID, Original: "SP-CONNECT", Area: "Tasks", Code: "SP-CONNECT", Name: "Going with someone to a first session",
			TaskTypes: []string{"Accompany to a first session"}}
		v2, err := w.work.EditFramework(ctx, lead, w.lead, rename)
		if err != nil || v2.Version != 2 {
			t.Fatalf("renaming: %+v, %v", v2, err)
		}
		v3, err := w.work.EditFramework(ctx, lead, w.lead, CompetenceEdit{BaseID: v2.ID, Original: "PR-RECORDS", Remove: true})
		if err != nil || len(v3.Competences) != len(v2.Competences)-1 || slices.ContainsFunc(v3.Competences, func(k Competence) bool { return k.Code == "PR-RECORDS" }) {
			t.Fatalf("removing: %+v, %v", v3, err)
		}
		rec, _ := w.work.Competences(ctx, w.lw.ID)
		if rec.Framework.ID != v3.ID || len(rec.History) != 1 || rec.History[0].Name != "Accompanying someone to a first session" || rec.History[0].FrameworkVersion != 1 ||
			rec.History[0].FrameworkName != def.Name {
			t.Errorf("the past sign-off was rewritten: %+v", rec.History)
		}
		for _, row := range rec.Rows {
			if row.Code == "SP-CONNECT" && (row.Standing != Signed || row.Name != "Going with someone to a first session") {
				t.Errorf("the sign-off no longer counts under the renamed competence: %+v", row)
			}
		}
		if old, _ := w.work.Framework(ctx, w.lead, v1.ID); len(old.Competences) != len(v1.Competences) {
			t.Errorf("version 1 changed: %d competences", len(old.Competences))
		}
		if _, err := w.work.Framework(ctx, w.pcnLead, v1.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another organisation reading the charity's framework: %v", err)
		}
		if n := countAudit(t, db, "workforce.framework_edit"); n != 3 {
			t.Errorf("%d changes audited, want 3", n)
		}
	})
}

// TestStaffList lists an organisation's staff with profiles and supervisors for its service
// lead only.
func TestStaffList(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.supervise(t, w.lw, w.sup)
		if err := w.work.SaveProfile(ctx, account.Actor(w.lead, "x"), w.lead, w.lw.ID, ProfileInput{Profession: "link_worker", Capacity: "40"}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.work.Staff(ctx, w.pcnLead, w.vcse.ID); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("another organisation's service lead: %v", err)
		}
		staff, err := w.work.Staff(ctx, w.lead, w.vcse.ID)
		if err != nil || len(staff) != 3 {
			t.Fatalf("staff: %+v, %v", staff, err)
		}
		var tom StaffMember
		for _, m := range staff {
			if m.UserID == w.lw.ID {
				tom = m
			}
		}
		if tom.Capacity != 40 || tom.Profession != "link_worker" || len(tom.Supervisors) != 1 || !tom.Supervisors[0].CrossOrg ||
			!slices.Equal(tom.Roles, []account.Role{account.LinkWorker}) {
			t.Errorf("the link worker's line: %+v", tom)
		}
	})
}
