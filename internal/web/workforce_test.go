package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/demo"
)

// TestSupervisorsMorning walks a supervisor's morning over HTTP: oversight, an urgent advice
// request answered on the case, a session discussing the case, a sign-off that turns a refused
// delegation into one that succeeds; and refuses the same pages to people who should not reach
// them.
func TestSupervisorsMorning(t *testing.T) {
	f := newSafetyFixture(t)
	lw := f.addToTeam(t, cwTeam)
	f.signOff(t, lw) // the demo supervisor now supervises the link worker
	sup, worker, ot := f.client(t, sfSupervisor), f.client(t, cwTeam), f.client(t, cwOT)
	casePath := fmt.Sprintf("/cases/%d", f.caseID)

	if res, body := f.get(t, sup, "/supervision"); res.StatusCode != http.StatusOK || !strings.Contains(body, lw.Name) {
		t.Fatalf("oversight: %d, want the supervisee listed", res.StatusCode)
	}
	drill := fmt.Sprintf("/supervision/supervisees/%d/cases?figure=open", lw.ID)
	if res, body := f.get(t, sup, drill); res.StatusCode != http.StatusOK || !strings.Contains(body, casePath) {
		t.Errorf("drill-down: %d, want a link to the case", res.StatusCode)
	}

	// The link worker asks; an empty question keeps what was typed and names the problem.
	res, body := f.post(t, worker, casePath+"/advice", url.Values{"urgency": {"urgent"}, "ask_of": {itoa(f.user(t, sfSupervisor).ID)}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `href="#question"`) || !strings.Contains(body, `value="urgent" checked`) {
		t.Errorf("an empty question: %d, want 400 with the error summary and the choice kept", res.StatusCode)
	}
	ask := url.Values{"urgency": {"urgent"}, "ask_of": {itoa(f.user(t, sfSupervisor).ID)}, "question": {"She mentioned her son takes her pension. Who do I tell?"}}
	if res, _ = f.post(t, worker, casePath+"/advice", ask); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("asking: %d", res.StatusCode)
	}
	reqs, _ := f.Server.Workforce.AdviceQueue(t.Context(), f.user(t, sfSupervisor).ID)
	if len(reqs) != 1 {
		t.Fatalf("queue: %+v", reqs)
	}
	answer := fmt.Sprintf("/advice/%d/answer", reqs[0].ID)
	if res, _ = f.post(t, ot, answer, url.Values{fmt.Sprintf("answer-%d", reqs[0].ID): {"x"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("an OT who was not asked answering: %d, want 403", res.StatusCode)
	}
	if res, _ = f.post(t, sup, answer, url.Values{fmt.Sprintf("answer-%d", reqs[0].ID): {"Raise a safeguarding concern now; I will call you."}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("answering: %d", res.StatusCode)
	}
	if _, body = f.get(t, worker, casePath+"/advice"); !strings.Contains(body, "Raise a safeguarding concern now") {
		t.Errorf("the answer is not on the case")
	}

	// A session discussing the case.
	session := url.Values{"kind": {"one_to_one"}, "attendees": {itoa(lw.ID)}, "cases": {itoa(f.caseID)}, "summary": {"Financial abuse concern"},
		"reflection": {"I froze on the call"}}
	for k, v := range dateFields("held_on", nowInLondon().Format("2006-01-02")) {
		session[k] = v
	}
	if res, body = f.post(t, sup, "/supervision/sessions/new", url.Values{"kind": {"one_to_one"}}); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `href="#attendees"`) {
		t.Errorf("an empty session: %d", res.StatusCode)
	}
	res, _ = f.post(t, sup, "/supervision/sessions/new", session)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("recording a session: %d", res.StatusCode)
	}
	sessionPath := strings.TrimSuffix(res.Header.Get("Location"), "?saved=recorded")
	if _, body = f.get(t, worker, sessionPath); !strings.Contains(body, "I froze on the call") {
		t.Errorf("the supervisee cannot read their reflective note")
	}
	if res, body = f.get(t, f.client(t, sfServiceLead), sessionPath); res.StatusCode == http.StatusOK && strings.Contains(body, "I froze on the call") {
		t.Errorf("the service lead reads the reflective note")
	}
	if res, _ = f.get(t, f.client(t, "admin@linkwell.demo"), sessionPath); res.StatusCode != http.StatusForbidden {
		t.Errorf("an administrator opens the session: %d, want 403", res.StatusCode)
	}

	// Sign-off from the staff page: the form validates, then the delegation succeeds.
	staff := fmt.Sprintf("/workforce/staff/%d", lw.ID)
	if res, body = f.post(t, sup, staff+"/signoff", url.Values{"competence": {"SP-ADVICE-BENEFITS"}}); res.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, `href="#review_on"`) || !strings.Contains(body, `value="SP-ADVICE-BENEFITS" selected`) {
		t.Errorf("a sign-off with no review date: %d", res.StatusCode)
	}
	if res, _ = f.post(t, worker, staff+"/signoff", url.Values{"competence": {"SP-ADVICE-BENEFITS"}}); res.StatusCode == http.StatusSeeOther {
		t.Errorf("the worker signed off their own competence")
	}
	types, _ := f.Server.Cases.TaskTypes(t.Context())
	var benefits string
	for _, tt := range types {
		if tt.Name == "Support a benefits check" {
			benefits = itoa(tt.ID)
		}
	}
	task := url.Values{"type": {benefits}, "delegate_to": {itoa(lw.ID)}, "guidance": {"Use the Turn2us calculator with her"}}
	if res, body = f.post(t, ot, casePath+"/tasks", task); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Helen Clarke can sign these off") {
		t.Errorf("delegation before the sign-off: %d, want 400 saying who can sign off", res.StatusCode)
	}
	signOff := url.Values{"competence": {"SP-ADVICE-BENEFITS"}}
	for k, v := range dateFields("review_on", nowInLondon().AddDate(1, 0, 0).Format("2006-01-02")) {
		signOff[k] = v
	}
	if res, _ = f.post(t, sup, staff+"/signoff", signOff); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing off: %d", res.StatusCode)
	}
	if res, _ = f.post(t, ot, casePath+"/tasks", task); res.StatusCode != http.StatusSeeOther {
		t.Errorf("delegation after the sign-off: %d, want 303", res.StatusCode)
	}

	// Forbidden combinations.
	for _, c := range []struct {
		who, path string
	}{
		{cwTeam, "/supervision"}, {cwOT, "/supervision"}, {cwTeam, drill}, {cwOT, "/supervision/sessions/new"},
		{"gp@linkwell.demo", staff}, {"aisha.patel@linkwell.demo", staff}, {cwTeam, "/advice"},
	} {
		if res, _ := f.get(t, f.client(t, c.who), c.path); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s GET %s: %d, want 403", c.who, c.path, res.StatusCode)
		}
	}
}

// dateFields splits a YYYY-MM-DD date into the three boxes of the NHS date input.
func dateFields(name, day string) url.Values {
	parts := strings.Split(day, "-")
	return url.Values{name + "-year": {parts[0]}, name + "-month": {parts[1]}, name + "-day": {parts[2]}}
}

// TestSupervisorReachesCasesThroughSupervision opens a person's record as a supervisor: refused
// before they supervise anyone on the care team, allowed (and audited) while they do, refused
// again once the supervision ends.
func TestSupervisorReachesCasesThroughSupervision(t *testing.T) {
	f := newSafetyFixture(t)
	// A supervisor in the PCN but in none of its teams, so supervision is their only way in.
	pcn := f.user(t, sfServiceLead).OrganisationID
	solo, err := f.Server.Accounts.CreateUser(t.Context(), audit.System, account.UserInput{Email: "solo@linkwell.demo", Name: "Sam Solo",
		Password: demo.Password, OrganisationID: pcn, Roles: []account.Role{account.OccupationalTherapist, account.Supervisor}})
	if err != nil {
		t.Fatal(err)
	}
	sup := f.client(t, solo.Email)
	k, err := f.Server.Cases.Get(t.Context(), f.caseID)
	if err != nil {
		t.Fatal(err)
	}
	record := fmt.Sprintf("/people/%d", k.PersonID)
	if res, _ := f.get(t, sup, record); res.StatusCode != http.StatusForbidden {
		t.Fatalf("before supervising anyone on the case: %d, want 403", res.StatusCode)
	}
	lw := f.addToTeam(t, cwTeam)
	lead := f.client(t, sfServiceLead)
	if res, _ := f.post(t, lead, fmt.Sprintf("/workforce/staff/%d/supervisors", lw.ID), url.Values{"supervisor": {itoa(solo.ID)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("adding the supervisor: %d", res.StatusCode)
	}
	if res, _ := f.get(t, sup, record); res.StatusCode != http.StatusOK {
		t.Errorf("supervising someone on the care team: %d, want 200", res.StatusCode)
	}
	p, _ := f.Server.Workforce.Profile(t.Context(), lw.ID)
	if res, _ := f.post(t, lead, fmt.Sprintf("/workforce/staff/%d/supervisors/%d/end", lw.ID, p.Supervisors[0].ID), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("ending the supervision: %d", res.StatusCode)
	}
	if res, _ := f.get(t, sup, record); res.StatusCode != http.StatusForbidden {
		t.Errorf("after the supervision ended: %d, want 403", res.StatusCode)
	}
}
