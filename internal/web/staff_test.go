package web

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/demo"
	"github.com/linkwell/linkwell/internal/referral"
)

// wfCharityWorker is the demo link worker employed by the charity, not the PCN.
const wfCharityWorker = "linkworker@linkwell.demo"

// TestStaffProfilePages edits a profile with the HCPC format check and a stale edit, adds a
// supervisor across organisations under the demo agreement and refuses one from an
// organisation with none, ends a supervision, and keeps the pages from people who should not
// reach them.
func TestStaffProfilePages(t *testing.T) {
	ts := newTestServer(t)
	lead, admin := ts.client(t, sfServiceLead), ts.client(t, "admin@linkwell.demo")
	daniel, tom, helen := ts.user(t, "daniel.hughes@linkwell.demo"), ts.user(t, wfCharityWorker), ts.user(t, sfSupervisor)
	profile := staffPath(daniel.ID) + "/profile"

	if res, body := ts.get(t, lead, "/workforce/staff"); res.StatusCode != http.StatusOK || !strings.Contains(body, profile) ||
		strings.Contains(body, tom.Name) {
		t.Errorf("the PCN's staff list: %d, want its own staff and not the charity's", res.StatusCode)
	}
	if res, body := ts.get(t, admin, "/workforce/staff?organisation="+itoa(tom.OrganisationID)); res.StatusCode != http.StatusOK || !strings.Contains(body, tom.Name) {
		t.Errorf("an administrator's staff list for the charity: %d", res.StatusCode)
	}
	if res, body := ts.get(t, lead, profile); res.StatusCode != http.StatusOK || !strings.Contains(body, "Personalised Care Team") {
		t.Fatalf("profile page: %d, want the teams shown", res.StatusCode)
	}
	bad := url.Values{"profession": {"occupational_therapist"}, "registration": {"PH12345"}, "band": {"6"}, "capacity": {"30"}, "version": {"0"}}
	res, body := ts.post(t, lead, profile, bad)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `href="#registration"`) || !strings.Contains(body, `value="PH12345"`) ||
		!strings.Contains(body, "OT followed by 5 or 6 numbers") {
		t.Errorf("a physiotherapist's number for an OT: %d, want 400 with the format named and the number kept", res.StatusCode)
	}
	good := url.Values{"profession": {"link_worker"}, "band": {"4"}, "capacity": {"45"}, "version": {"0"}}
	if res, _ = ts.post(t, lead, profile, good); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving the profile: %d", res.StatusCode)
	}
	if p, _ := ts.Server.Workforce.Profile(t.Context(), daniel.ID); p.Capacity != 45 || p.Band != "4" || p.Version != 1 {
		t.Errorf("saved profile: %+v", p)
	}
	good.Set("capacity", "50") // still on version 0
	if res, body = ts.post(t, lead, profile, good); res.StatusCode != http.StatusConflict || !strings.Contains(body, `value="50"`) {
		t.Errorf("a stale edit: %d, want 409 keeping what was typed", res.StatusCode)
	}

	// Tom works for the charity; the PCN's supervisor may supervise him under the agreement.
	tomProfile := staffPath(tom.ID) + "/profile"
	walking, err := ts.Server.Orgs.Resolve(t.Context(), demo.WalkingGroup)
	if err != nil {
		t.Fatal(err)
	}
	far, err := ts.Server.Accounts.CreateUser(t.Context(), audit.System, account.UserInput{Email: "far@walking.example", Name: "Far Away",
		Password: "a-long-enough-password", OrganisationID: walking.ID, Roles: []account.Role{account.Supervisor}})
	if err != nil {
		t.Fatal(err)
	}
	if res, body = ts.get(t, admin, tomProfile); !strings.Contains(body, helen.Name+" – "+demo.PCN+" (under a data-sharing agreement)") ||
		strings.Contains(body, far.Name) {
		t.Errorf("supervisor choices for the charity's worker: want the PCN's supervisor under the agreement and nobody from the walking group")
	}
	res, body = ts.post(t, admin, tomProfile[:len(tomProfile)-len("/profile")]+"/supervisors", url.Values{"supervisor": {itoa(far.ID)}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `href="#supervisor"`) || !strings.Contains(body, "no data-sharing agreement in force") {
		t.Errorf("a supervisor from an organisation with no agreement: %d, want 400 saying why", res.StatusCode)
	}
	if res, _ = ts.post(t, admin, staffPath(tom.ID)+"/supervisors", url.Values{"supervisor": {itoa(helen.ID)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding the PCN's supervisor: %d", res.StatusCode)
	}
	p, _ := ts.Server.Workforce.Profile(t.Context(), tom.ID)
	if len(p.Supervisors) != 1 || !p.Supervisors[0].CrossOrg {
		t.Fatalf("supervisors: %+v", p.Supervisors)
	}
	if _, body = ts.get(t, admin, tomProfile); !strings.Contains(body, "across organisations, under a data-sharing agreement") {
		t.Errorf("the profile does not say the supervision crosses organisations")
	}
	end := fmt.Sprintf("%s/supervisors/%d/end", staffPath(tom.ID), p.Supervisors[0].ID)
	if res, _ = ts.post(t, lead, end, nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("the PCN's service lead ending the charity's supervision: %d, want 403", res.StatusCode)
	}
	if res, _ = ts.post(t, admin, end, nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("ending the supervision: %d", res.StatusCode)
	}
	if p, _ = ts.Server.Workforce.Profile(t.Context(), tom.ID); len(p.Supervisors) != 0 {
		t.Errorf("supervisors after the end: %+v", p.Supervisors)
	}

	for _, c := range []struct{ who, method, path string }{
		{cwTeam, "GET", "/workforce/staff"}, {sfSupervisor, "GET", "/workforce/staff"}, {sfServiceLead, "GET", tomProfile},
		{cwTeam, "GET", tomProfile}, {cwTeam, "POST", tomProfile}, {sfServiceLead, "POST", staffPath(tom.ID) + "/supervisors"},
	} {
		var res *http.Response
		if c.method == "GET" {
			res, _ = ts.get(t, ts.client(t, c.who), c.path)
		} else {
			res, _ = ts.post(t, ts.client(t, c.who), c.path, url.Values{"supervisor": {itoa(helen.ID)}, "profession": {"link_worker"}, "capacity": {"1"}})
		}
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s %s %s: %d, want 403", c.who, c.method, c.path, res.StatusCode)
		}
	}
}

// TestTrainingRecordPages adds to a training record, refuses a bad entry with the form kept,
// exports it with formula cells made harmless, and keeps it from colleagues.
func TestTrainingRecordPages(t *testing.T) {
	ts := newTestServer(t)
	tom := ts.user(t, wfCharityWorker)
	worker := ts.client(t, wfCharityWorker)
	path := staffPath(tom.ID) + "/training"
	if res, _ := ts.get(t, worker, path); res.StatusCode != http.StatusOK {
		t.Fatalf("own training record: %d", res.StatusCode)
	}
	entry := url.Values{"kind": {"course"}, "title": {"=HYPERLINK(\"http://x\")"}, "provider": {"Northshire SAB"}, "hours": {"three"}}
	for k, v := range dateFields("completed_on", nowInLondon().AddDate(0, -1, 0).Format("2006-01-02")) {
		entry[k] = v
	}
	res, body := ts.post(t, worker, path, entry)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `href="#hours"`) || !strings.Contains(body, "Northshire SAB") {
		t.Errorf("hours in words: %d, want 400 keeping what was typed", res.StatusCode)
	}
	entry.Set("hours", "3.5")
	if res, _ = ts.post(t, worker, path, entry); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding training: %d", res.StatusCode)
	}
	if _, body = ts.get(t, worker, path); !strings.Contains(body, "3.5 hours in all") {
		t.Errorf("the record does not total the hours")
	}
	res, body = ts.get(t, worker, path+".csv")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %q", res.StatusCode, res.Header)
	}
	if !strings.HasPrefix(body, "completed_on,kind,title,provider,hours,notes\n") || !strings.Contains(body, `"'=HYPERLINK(""http://x"")",Northshire SAB,3.5`) {
		t.Errorf("export %q: want the header and the formula neutralised", body)
	}
	for _, who := range []string{"aisha.patel@linkwell.demo", "admin@linkwell.demo", sfServiceLead} {
		for _, p := range []string{path, path + ".csv"} {
			if res, _ := ts.get(t, ts.client(t, who), p); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", who, p, res.StatusCode)
			}
		}
	}
}

// postFile submits a multipart form with one file, as a browser uploading it would.
func (ts *testServer) postFile(t *testing.T, c *http.Client, path string, fields url.Values, file, content string) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if file != "" {
		fw, _ := mw.CreateFormFile("file", file)
		io.WriteString(fw, content)
	}
	mw.Close()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, ts.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// TestFrameworkPages loads a framework file (refused with every problem by line, then
// accepted), changes it in the web interface one competence at a time as new versions, and
// downloads a version that reads back the same.
func TestFrameworkPages(t *testing.T) {
	ts := newTestServer(t)
	lead := ts.client(t, sfServiceLead)
	if res, body := ts.get(t, lead, "/workforce/framework"); res.StatusCode != http.StatusOK || !strings.Contains(body, "Linkwell default framework") {
		t.Fatalf("framework page: %d, want the default", res.StatusCode)
	}
	badFile := "area,code,competence,description,task_types\nSafety,SF-LONE,Lone working,,\n,SF-X,,,Juggling\nSafety,SF-LONE,Again,,\n"
	res, body := ts.postFile(t, lead, "/workforce/framework", url.Values{"name": {"Ours"}}, "ours.csv", badFile)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bad file: %d", res.StatusCode)
	}
	summary := body[strings.Index(body, "nhsuk-error-summary"):strings.Index(body, "<h1")]
	for _, want := range []string{"Line 3: enter the area", "Line 3: enter the competence", `Line 3: there is no task type called &#34;Juggling&#34;`, "Line 4: code SF-LONE is already used on line 2"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the error summary does not list %q", want)
		}
	}
	if !strings.Contains(body, `value="Ours"`) {
		t.Errorf("the name typed was lost")
	}
	if res, body = ts.postFile(t, lead, "/workforce/framework", url.Values{"name": {""}}, "", ""); res.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, `href="#name"`) || !strings.Contains(body, `href="#file"`) {
		t.Errorf("no name and no file: %d", res.StatusCode)
	}
	good := "area,code,competence,description,task_types\nSafety,SF-LONE,Lone working,Checks in,Accompany to a first session\nTasks,SP-BEN,Benefits checks,,support a benefits check\n"
	if res, _ = ts.postFile(t, lead, "/workforce/framework", url.Values{"name": {"Riverside framework"}}, "ours.csv", good); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a good file: %d", res.StatusCode)
	}
	pcn := ts.user(t, sfServiceLead).OrganisationID
	fw, _ := ts.Server.Workforce.FrameworkFor(t.Context(), pcn)
	if fw.Name != "Riverside framework" || fw.Version != 1 || len(fw.Competences) != 2 || fw.Competences[1].TaskTypes[0] != "Support a benefits check" {
		t.Fatalf("loaded: %+v", fw)
	}

	// Add, with a problem first; then change; then remove; each a new version.
	add := url.Values{"base": {itoa(fw.ID)}, "area": {"Safety"}, "code": {"sf lone"}, "competence": {"Boundaries"}, "task_types": {"Falls-awareness screening"}}
	if res, body = ts.post(t, lead, "/workforce/framework/competences/new", add); res.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, `href="#code"`) || !strings.Contains(body, `value="Falls-awareness screening" checked`) {
		t.Errorf("a bad code: %d, want 400 keeping the task types ticked", res.StatusCode)
	}
	add.Set("code", "SF-LONE")
	if res, body = ts.post(t, lead, "/workforce/framework/competences/new", add); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "already used") {
		t.Errorf("a code already used: %d", res.StatusCode)
	}
	add.Set("code", "SF-BOUNDARIES")
	if res, _ = ts.post(t, lead, "/workforce/framework/competences/new", add); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding: %d", res.StatusCode)
	}
	if res, _ = ts.post(t, lead, "/workforce/framework/competences/new", add); res.StatusCode != http.StatusConflict {
		t.Errorf("a change made on an old version: %d, want 409", res.StatusCode)
	}
	v2, _ := ts.Server.Workforce.FrameworkFor(t.Context(), pcn)
	if v2.Version != 2 || len(v2.Competences) != 3 || v2.Competences[1].Code != "SF-BOUNDARIES" {
		t.Fatalf("after adding: %+v", v2)
	}
	if res, body = ts.get(t, lead, "/workforce/framework/competences/SP-BEN"); res.StatusCode != http.StatusOK || !strings.Contains(body, `value="Benefits checks"`) {
		t.Errorf("change page: %d", res.StatusCode)
	}
	change := url.Values{"base": {itoa(v2.ID)}, "area": {"Tasks"}, "code": {"SP-BEN"}, "competence": {"Supporting a benefits check"}}
	if res, _ = ts.post(t, lead, "/workforce/framework/competences/SP-BEN", change); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("changing: %d", res.StatusCode)
	}
	v3, _ := ts.Server.Workforce.FrameworkFor(t.Context(), pcn)
	if res, _ = ts.post(t, lead, "/workforce/framework/competences/SF-LONE/remove", url.Values{"base": {itoa(v3.ID)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("removing: %d", res.StatusCode)
	}
	v4, _ := ts.Server.Workforce.FrameworkFor(t.Context(), pcn)
	if v4.Version != 4 || len(v4.Competences) != 2 || v4.Competences[1].Name != "Supporting a benefits check" || len(v4.Competences[1].TaskTypes) != 0 {
		t.Errorf("after changing and removing: %+v", v4)
	}
	if old, _ := ts.Server.Workforce.Framework(t.Context(), ts.user(t, sfServiceLead), fw.ID); len(old.Competences) != 2 || old.Competences[1].Name != "Benefits checks" {
		t.Errorf("version 1 was rewritten: %+v", old)
	}
	res, body = ts.get(t, lead, fmt.Sprintf("/workforce/framework/versions/%d/csv", v2.ID))
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Safety,SF-BOUNDARIES,Boundaries,,Falls-awareness screening\n") {
		t.Errorf("version 2 as CSV: %d %q", res.StatusCode, body)
	}
	if res, _ = ts.get(t, lead, fmt.Sprintf("/workforce/framework/versions/%d", fw.ID)); res.StatusCode != http.StatusOK {
		t.Errorf("an old version's page: %d", res.StatusCode)
	}
	for _, who := range []string{cwTeam, sfSupervisor, "admin@linkwell.demo"} {
		c := ts.client(t, who)
		if res, _ := ts.get(t, c, "/workforce/framework"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s opening the framework: %d, want 403", who, res.StatusCode)
		}
		if res, _ := ts.postFile(t, c, "/workforce/framework", url.Values{"name": {"X"}}, "x.csv", good); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s loading a framework: %d, want 403", who, res.StatusCode)
		}
	}
}

// TestWorkforceSettingsPage saves a service's supervision and advice settings and refuses
// bad numbers and another organisation's service lead.
func TestWorkforceSettingsPage(t *testing.T) {
	ts := newTestServer(t)
	lead := ts.user(t, sfServiceLead)
	svc, err := ts.Server.Referrals.CreateService(t.Context(), audit.System, referral.ServiceInput{OrganisationID: lead.OrganisationID,
		Name: "Riverside social prescribing", Inclusion: "Adults", ResponseDays: 5})
	if err != nil {
		t.Fatal(err)
	}
	path := "/services/" + itoa(svc.ID) + "/workforce-settings"
	c := ts.client(t, sfServiceLead)
	if res, body := ts.get(t, c, path); res.StatusCode != http.StatusOK || !strings.Contains(body, `value="30"`) || !strings.Contains(body, `value="60"`) {
		t.Fatalf("settings page: %d, want the defaults filled in", res.StatusCode)
	}
	res, body := ts.post(t, c, path, url.Values{"supervision_days": {"200"}, "urgent_minutes": {"30"}, "routine_days": {"3"}, "version": {"0"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `href="#supervision_days"`) || !strings.Contains(body, `value="200"`) {
		t.Errorf("supervision every 200 days: %d", res.StatusCode)
	}
	if res, _ = ts.post(t, c, path, url.Values{"supervision_days": {"14"}, "urgent_minutes": {"30"}, "routine_days": {"3"}, "version": {"0"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving: %d", res.StatusCode)
	}
	if set, _ := ts.Server.Workforce.ServiceSettings(t.Context(), svc.ID); set.SupervisionDays != 14 || set.UrgentMinutes != 30 || set.RoutineDays != 3 {
		t.Errorf("saved: %+v", set)
	}
	other := ts.client(t, "commissioner@linkwell.demo")
	if res, _ = ts.get(t, other, path); res.StatusCode != http.StatusForbidden {
		t.Errorf("a commissioner: %d, want 403", res.StatusCode)
	}
}
