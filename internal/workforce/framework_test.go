package workforce

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

var knownTypes = []string{"Accompany to a first session", "Support a benefits check", "Falls-awareness screening"}

func TestParseFramework(t *testing.T) {
	good := "area,code,competence,description,task_types\n" +
		"Safety,SF-LONE-WORKING,Risk and lone working,\"Plans visits, checks in\",accompany to a first session\n" +
		"\n" +
		"Tasks,SP-BENEFITS,Supporting a benefits check,,Support a benefits check; Falls-awareness screening\n"
	comps, err := ParseFramework(strings.NewReader(good), knownTypes)
	if err != nil || len(comps) != 2 {
		t.Fatalf("a good file: %+v, %v", comps, err)
	}
	if comps[0].Description != "Plans visits, checks in" || !slices.Equal(comps[0].TaskTypes, []string{"Accompany to a first session"}) ||
		!slices.Equal(comps[1].TaskTypes, []string{"Support a benefits check", "Falls-awareness screening"}) {
		t.Errorf("parsed: %+v", comps)
	}
	bad := []struct {
		name, file string
		want       []string // each problem, with its line
	}{
		{"empty", "", []string{"no competences"}},
		{"header only", "area,code,competence,description,task_types\n", []string{"no competences"}},
		{"wrong header", "area,code,name\nSafety,SF-X,X\n", []string{"Line 1: the first line must be the header"}},
		{"short line", "area,code,competence,description,task_types\nSafety,SF-X,X\n", []string{"Line 2: expected 5 columns"}},
		{"several problems", "area,code,competence,description,task_types\n" +
			"Safety,sf x,Lone working,,\n" +
			",SF-Y,,,Juggling\n" +
			"Safety,SF-Y,Again,,\n",
			[]string{`Line 2: code "SF X" must be`, "Line 3: enter the area", "Line 3: enter the competence", `Line 3: there is no task type called "Juggling"`,
				"Line 4: code SF-Y is already used on line 3"}},
		{"not CSV", "area,code,competence,description,task_types\nSafety,\"SF-X,X,,\n", []string{"Line 2: this is not valid CSV"}},
	}
	for _, c := range bad {
		_, err := ParseFramework(strings.NewReader(c.file), knownTypes)
		ae, ok := apperr.As(err)
		if !ok || ae.Kind != apperr.Invalid {
			t.Errorf("%s: %v, want invalid", c.name, err)
			continue
		}
		var got []string
		for _, f := range ae.Fields {
			got = append(got, f.Message)
		}
		for _, want := range c.want {
			if !slices.ContainsFunc(got, func(m string) bool { return strings.Contains(m, want) }) {
				t.Errorf("%s: problems %q, want one containing %q", c.name, got, want)
			}
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: %d problems %q, want %d", c.name, len(got), got, len(c.want))
		}
	}
}

// TestDefaultFramework checks that the shipped framework covers every competence the issue
// asks for, maps every non-clinical task type, and round-trips through its file format.
func TestDefaultFramework(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		f, err := w.work.FrameworkFor(ctx, w.vcse.ID)
		if err != nil || f.OrganisationID != 0 || f.Version != 1 {
			t.Fatalf("default framework: %+v, %v", f, err)
		}
		var names []string
		unlocked := map[string]bool{}
		for _, k := range f.Competences {
			names = append(names, strings.ToLower(k.Name))
			for _, tt := range k.TaskTypes {
				unlocked[tt] = true
			}
		}
		all := strings.Join(names, "|")
		for _, want := range []string{"what matters", "community resources", "safeguarding adults and children", "lone working", "boundaries",
			"record keeping", "outcome measurement", "mental health awareness", "long-term conditions", "digital inclusion",
			"first session", "benefits check", "home environment", "falls-awareness screening"} {
			if !strings.Contains(all, want) {
				t.Errorf("the default framework has no competence for %q", want)
			}
		}
		for _, tt := range []string{"Accompany to a first session", "Support a benefits check", "Home environment check for non-clinical needs", "Falls-awareness screening"} {
			if !unlocked[tt] {
				t.Errorf("no competence unlocks %q", tt)
			}
		}
		var buf bytes.Buffer
		if err := f.WriteCSV(&buf); err != nil {
			t.Fatal(err)
		}
		types, _ := w.work.TaskTypeNames(ctx)
		back, err := ParseFramework(&buf, types)
		if err != nil || len(back) != len(f.Competences) {
			t.Fatalf("round trip: %d competences, %v", len(back), err)
		}
		for i := range back {
			a, b := back[i], f.Competences[i]
			if a.Code != b.Code || a.Name != b.Name || a.Area != b.Area || a.Description != b.Description || !slices.Equal(a.TaskTypes, b.TaskTypes) {
				t.Errorf("round trip changed %+v into %+v", b, a)
			}
		}
	})
}

// TestLoadFrameworkKeepsPastSignOffs loads an organisation's own framework twice and checks
// that the versions are kept and a sign-off given under the first keeps its name and version.
func TestLoadFrameworkKeepsPastSignOffs(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.supervise(t, w.lw, w.sup)
		v1 := "area,code,competence,description,task_types\nTasks,SP-ADVICE-BENEFITS,Benefits checks,,Support a benefits check\n"
		lead := account.Actor(w.lead, "x")
		if _, err := w.work.LoadFramework(ctx, lead, w.sup, "Ours", strings.NewReader(v1)); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a supervisor loading a framework: %v", err)
		}
		if _, err := w.work.LoadFramework(ctx, lead, w.lead, "", strings.NewReader("area\n")); fieldMessage(err, "name") == "" || fieldMessage(err, "file") == "" {
			t.Errorf("no name and a bad file: %v", err)
		}
		f1, err := w.work.LoadFramework(ctx, lead, w.lead, "Connectors framework", strings.NewReader(v1))
		if err != nil || f1.Version != 1 || f1.OrganisationID != w.vcse.ID || len(f1.Competences) != 1 {
			t.Fatalf("first load: %+v, %v", f1, err)
		}
		review := addDays(w.work.today(), 365)
		if err := w.work.SignOff(ctx, account.Actor(w.sup, "x"), w.sup, w.lw.ID, SignOffInput{Code: "SP-ADVICE-BENEFITS", ReviewOn: review}); err != nil {
			t.Fatal(err)
		}
		v2 := "area,code,competence,description,task_types\nTasks,SP-ADVICE-BENEFITS,Supporting a benefits check (revised),,Support a benefits check\n" +
			"Safety,SF-LONE-WORKING,Risk and lone working,,Support a benefits check\n"
		f2, err := w.work.LoadFramework(ctx, lead, w.lead, "Connectors framework 2026", strings.NewReader(v2))
		if err != nil || f2.Version != 2 || len(f2.Competences) != 2 {
			t.Fatalf("second load: %+v, %v", f2, err)
		}
		rec, err := w.work.Competences(ctx, w.lw.ID)
		if err != nil || rec.Framework.ID != f2.ID {
			t.Fatalf("record: %+v, %v", rec.Framework, err)
		}
		if len(rec.History) != 1 || rec.History[0].Name != "Benefits checks" || rec.History[0].FrameworkVersion != 1 {
			t.Errorf("the past sign-off was rewritten: %+v", rec.History)
		}
		if rec.Rows[0].Standing != Signed || rec.Rows[1].Standing != Missing || rec.Gaps() != 1 {
			t.Errorf("standing under the new version: %+v", rec.Rows)
		}
		if vs, _ := w.work.FrameworkVersions(ctx, w.vcse.ID); len(vs) != 3 || vs[0].Version != 2 || vs[2].OrganisationID != 0 {
			t.Errorf("versions: %+v", vs)
		}
		if pcn, _ := w.work.FrameworkFor(ctx, w.pcn.ID); pcn.OrganisationID != 0 {
			t.Errorf("another organisation sees the charity's framework: %+v", pcn)
		}
		if n := countAudit(t, db, "workforce.framework_load"); n != 2 {
			t.Errorf("%d loads audited", n)
		}
	})
}
