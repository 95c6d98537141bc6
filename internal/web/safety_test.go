package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/safeguarding"
)

// The demo users the safety tests sign in as, besides those of the casework tests: the PCN's
// safeguarding lead, supervisor (also an OT) and service lead, all in the team that holds the
// fixture's case, and a commissioner.
const (
	sfLead         = "safeguarding@linkwell.demo"
	sfSupervisor   = "supervisor@linkwell.demo"
	sfServiceLead  = "servicelead@linkwell.demo"
	sfCommissioner = "commissioner@linkwell.demo"
)

// safetyFixture is the casework fixture with a safeguarding concern the OT raised on the case.
type safetyFixture struct {
	caseworkFixture
	concernID  int64
	referralID int64
}

func newSafetyFixture(t *testing.T) safetyFixture {
	t.Helper()
	f := safetyFixture{caseworkFixture: newCaseworkFixture(t)}
	raised, err := f.Server.Safety.RaiseConcern(t.Context(), account.Actor(f.ot, "test"), f.caseID, safeguarding.ConcernInput{
		Subject: safeguarding.Adult, Type: "financial", ImmediateAction: "Spoke to her daughter; bank card cancelled."})
	if err != nil {
		t.Fatalf("raise concern: %v", err)
	}
	f.concernID = raised.Concern.ID
	k, err := f.Server.Cases.Get(t.Context(), f.caseID)
	if err != nil {
		t.Fatal(err)
	}
	f.referralID = k.ReferralID
	return f
}

// addToTeam puts a demo user on the fixture's care team.
func (f safetyFixture) addToTeam(t *testing.T, email string) account.User {
	t.Helper()
	u := f.user(t, email)
	if err := f.Server.Cases.AddWorker(t.Context(), account.Actor(f.ot, "test"), f.caseID, u, false); err != nil {
		t.Fatalf("add %s to the care team: %v", email, err)
	}
	return u
}

// sfRoute is a route and the status each user gets: the OT who leads the case, a link worker
// in a partner organisation with no relationship, the GP who referred, the safeguarding lead,
// the supervisor, the service lead and a commissioner.
type sfRoute struct {
	method, path                  string
	form                          url.Values
	ot, lw, gp, sg, sup, sl, comm int
	want                          string // in the OT's page, when it is a page
}

// TestSafetyAccess runs every safety route as everyone who might try it.
func TestSafetyAccess(t *testing.T) {
	f := newSafetyFixture(t)
	casePath := fmt.Sprintf("/cases/%d", f.caseID)
	personPath := fmt.Sprintf("/people/%d", f.person.ID)
	concern := fmt.Sprintf("/safeguarding/concerns/%d", f.concernID)
	procedure := fmt.Sprintf("/services/%d/safeguarding-procedure", f.svc.ID)
	empty := url.Values{}
	routes := []sfRoute{
		{"GET", casePath + "/safeguarding/new", nil, 200, 403, 403, 200, 200, 200, 403, "Who to tell and how"},
		{"POST", casePath + "/safeguarding/new", empty, 400, 403, 403, 400, 400, 400, 403, "Select the type of concern"},
		{"GET", "/safeguarding", nil, 403, 403, 403, 200, 403, 403, 403, ""},
		{"GET", concern, nil, 200, 403, 403, 200, 200, 200, 403, "Financial or material abuse"},
		{"POST", concern + "/move", empty, 403, 403, 403, 400, 403, 403, 403, ""},
		{"GET", "/safeguarding/concerns/99999", nil, 404, 404, 404, 404, 404, 404, 404, ""},
		{"GET", procedure, nil, 403, 403, 403, 403, 403, 200, 403, ""},
		{"POST", procedure, empty, 403, 403, 403, 403, 403, 400, 403, ""},
		{"POST", personPath + "/flags", empty, 400, 403, 403, 400, 400, 400, 403, "Select the kind of risk"},
		{"POST", personPath + "/flags/99999/remove", empty, 404, 403, 403, 404, 404, 404, 403, ""},
		{"GET", "/notifications", nil, 200, 200, 200, 200, 200, 200, 200, "Notifications"},
		{"POST", "/notifications/read-all", empty, 303, 303, 303, 303, 303, 303, 303, ""},
		{"POST", "/notifications/99999/read", empty, 404, 404, 404, 404, 404, 404, 404, ""},
		{"GET", casePath + "/tasks", nil, 200, 403, 403, 200, 200, 200, 403, "Delegate a task"},
		{"POST", casePath + "/tasks", empty, 400, 403, 403, 400, 400, 400, 403, "Select the type of task"},
		{"POST", casePath + "/tasks/99999/complete", empty, 400, 403, 403, 400, 400, 400, 403, "Enter the outcome"},
		{"POST", casePath + "/clinical-input", empty, 400, 403, 403, 400, 400, 400, 403, "Enter what the person needs clinical input for"},
		{"GET", "/clinical-input", nil, 200, 403, 403, 403, 200, 403, 403, "No cases are waiting for clinical input"},
		{"POST", "/clinical-input/99999/resolve", empty, 404, 403, 403, 403, 404, 403, 403, ""},
		{"GET", casePath + "/step-down", nil, 200, 403, 403, 200, 200, 200, 403, "Hand the case to a link worker"},
		{"POST", casePath + "/step-down", empty, 400, 403, 403, 403, 400, 403, 403, "Agree the handover with the person"},
		{"GET", "/handovers", nil, 200, 200, 403, 403, 200, 200, 403, "No handovers are waiting for you"},
		{"POST", "/handovers/99999/accept", empty, 404, 404, 403, 403, 404, 404, 403, ""},
		{"GET", "/oversight", nil, 200, 403, 403, 403, 200, 403, 403, "You are not overseeing any stepped-down cases"},
		{"GET", personPath + "/emergency-access", nil, 200, 200, 403, 200, 200, 200, 403, "Only in an emergency"},
		{"POST", personPath + "/emergency-access", empty, 400, 400, 403, 400, 400, 400, 403, "in at least 20 characters"},
		{"GET", "/overrides", nil, 403, 403, 403, 403, 200, 403, 403, ""},
		{"GET", casePath + "/close", nil, 200, 403, 403, 403, 200, 200, 403, "Why is the case closing?"},
		{"POST", casePath + "/close", empty, 400, 403, 403, 403, 400, 400, 403, "Select why the case is closing"},
		{"GET", fmt.Sprintf("/referrals/%d/messages/latest", f.referralID), nil, 200, 403, 200, 403, 200, 200, 403, "Referral accepted"},
		{"GET", fmt.Sprintf("/referrals/%d/messages/99999", f.referralID), nil, 404, 403, 404, 403, 404, 404, 403, ""},
	}
	users := []string{cwOT, cwOutsider, cwGP, sfLead, sfSupervisor, sfServiceLead, sfCommissioner}
	clients := map[string]*http.Client{}
	for _, email := range users {
		clients[email] = f.client(t, email)
	}
	for _, c := range routes {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			for i, want := range []int{c.ot, c.lw, c.gp, c.sg, c.sup, c.sl, c.comm} {
				who := users[i]
				res, body := f.do(t, clients[who], c.method, c.path, c.form)
				if res.StatusCode != want {
					t.Errorf("%s: status %d, want %d", who, res.StatusCode, want)
					continue
				}
				if want == http.StatusForbidden && !strings.Contains(body, "You do not have permission") {
					t.Errorf("%s: the refusal does not explain itself", who)
				}
				if who == cwOT && c.want != "" && !strings.Contains(body, c.want) {
					t.Errorf("%s: page lacks %q", who, c.want)
				}
				if want < 300 && strings.Count(body, "<h1") != 1 {
					t.Errorf("%s: page has %d h1s, want 1", who, strings.Count(body, "<h1"))
				}
			}
			res, _ := f.do(t, f.anon(), c.method, c.path, c.form)
			if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
				t.Errorf("anonymous: %d to %q, want 303 to /login", res.StatusCode, loc)
			}
		})
	}
}

// TestConcernInTwoClicks raises a concern from the case page in two requests, and checks that
// it reaches the safeguarding lead with the procedure beside it.
func TestConcernInTwoClicks(t *testing.T) {
	f := newCaseworkFixture(t)
	ot := f.client(t, cwOT)
	casePath := fmt.Sprintf("/cases/%d", f.caseID)
	if _, body := f.get(t, ot, casePath); !strings.Contains(body, `href="`+casePath+`/safeguarding/new"`) {
		t.Fatal("the case page has no link to raise a safeguarding concern")
	}
	res, body := f.get(t, ot, casePath+"/safeguarding/new")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "If anyone is in immediate danger, call 999") {
		t.Fatalf("concern form: %d, or it does not show the procedure", res.StatusCode)
	}
	res, _ = f.post(t, ot, casePath+"/safeguarding/new", url.Values{"subject": {"adult"}, "type": {"financial"},
		"immediate_action": {"Her nephew takes her pension. I stayed until her daughter arrived."}, "who_told": {"Her daughter"}})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/safeguarding/concerns/") {
		t.Fatalf("raise concern: %d to %q", res.StatusCode, loc)
	}
	res, body = f.get(t, ot, loc)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("concern page: %d", res.StatusCode)
	}
	for _, want := range []string{"Safeguarding concern raised", "Who Linkwell has told", "James Whitfield", "Safeguarding lead",
		"Helen Clarke", "Your supervisor", "Who to tell and how", "Financial or material abuse", "Her nephew takes her pension"} {
		if !strings.Contains(body, want) {
			t.Errorf("concern page lacks %q", want)
		}
	}
	concernPath, _, _ := strings.Cut(loc, "?")
	if _, body = f.get(t, ot, concernPath+"?saved=raised&told="); !strings.Contains(body, "Nobody has been notified") {
		t.Errorf("a concern that reached nobody does not say so")
	}

	lead := f.client(t, sfLead)
	_, body = f.get(t, lead, "/notifications")
	if !strings.Contains(body, "A safeguarding concern has been raised") || !strings.Contains(body, `href="`+concernPath+`"`) {
		t.Errorf("the safeguarding lead's notifications lack the concern")
	}
	if !strings.Contains(body, "Notifications (1 unread)") {
		t.Errorf("the menu does not count the unread notification")
	}
	if _, body = f.get(t, lead, "/safeguarding"); !strings.Contains(body, "Margaret Okonkwo") || !strings.Contains(body, `href="`+concernPath+`"`) {
		t.Errorf("the safeguarding lead's queue lacks the concern")
	}
	if res, body = f.get(t, lead, concernPath); res.StatusCode != http.StatusOK || strings.Contains(body, "Who Linkwell has told") {
		t.Errorf("the lead's view of the concern: %d, or it shows the raiser's confirmation", res.StatusCode)
	}
	res, body = f.post(t, lead, concernPath+"/move", url.Values{"to": {"closed"}, "version": {"1"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Enter the outcome") {
		t.Errorf("closing without an outcome: %d", res.StatusCode)
	}
	res, _ = f.post(t, lead, concernPath+"/move", url.Values{"to": {"referred"}, "version": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("referring the concern: %d", res.StatusCode)
	}
	if _, body = f.get(t, lead, concernPath); !strings.Contains(body, "Referred to the local authority") {
		t.Errorf("the concern does not show it was referred")
	}
	if res, _ = f.post(t, lead, "/notifications/read-all", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("mark all read: %d", res.StatusCode)
	}
	if _, body = f.get(t, lead, "/notifications"); !strings.Contains(body, "You have no unread notifications") {
		t.Errorf("notifications remain after marking all read")
	}
}

// TestRiskFlagsAndProcedure flags a risk that heads the person and case pages, refuses it
// twice, removes it, and shows a service lead's procedure on the concern form.
func TestRiskFlagsAndProcedure(t *testing.T) {
	f := newCaseworkFixture(t)
	ot := f.client(t, cwOT)
	personPath := fmt.Sprintf("/people/%d", f.person.ID)
	casePath := fmt.Sprintf("/cases/%d", f.caseID)
	flag := url.Values{"kind": {"lone_worker"}, "note": {"Large dog on the premises"}}
	if res, _ := f.post(t, ot, personPath+"/flags", flag); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("raise flag: %d", res.StatusCode)
	}
	for _, path := range []string{personPath, casePath, casePath + "/tasks", casePath + "/safeguarding/new"} {
		if _, body := f.get(t, ot, path); !strings.Contains(body, "Risks to know about") || !strings.Contains(body, "Large dog on the premises") {
			t.Errorf("%s: no risk banner", path)
		}
	}
	res, body := f.post(t, ot, personPath+"/flags", flag)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "This person already has a Risk to lone workers on home visits flag") {
		t.Errorf("the same flag twice: %d", res.StatusCode)
	}
	flags, _ := f.Server.Safety.Flags(t.Context(), f.person.ID)
	if len(flags) != 1 {
		t.Fatalf("flags: %+v", flags)
	}
	if res, _ = f.post(t, ot, fmt.Sprintf("%s/flags/%d/remove", personPath, flags[0].ID), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove flag: %d", res.StatusCode)
	}
	if _, body = f.get(t, ot, casePath); strings.Contains(body, "Risks to know about") {
		t.Errorf("the removed flag is still shown")
	}

	lead := f.client(t, sfServiceLead)
	path := fmt.Sprintf("/services/%d/safeguarding-procedure", f.svc.ID)
	if res, _ = f.post(t, lead, path, url.Values{"procedure": {"Ring the Riverside hub on 01632 960000.\nOut of hours, ring 01632 960999."}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save procedure: %d", res.StatusCode)
	}
	if _, body = f.get(t, ot, casePath+"/safeguarding/new"); !strings.Contains(body, "<p>Out of hours, ring 01632 960999.</p>") {
		t.Errorf("the concern form does not show the service's own procedure")
	}
}

// TestDelegation refuses a clinical task to a link worker with the reason on the page, and
// lets a non-clinical one through to be done.
func TestDelegation(t *testing.T) {
	f := newSafetyFixture(t)
	lw := f.addToTeam(t, cwTeam)
	ot := f.client(t, cwOT)
	tasksPath := fmt.Sprintf("/cases/%d/tasks", f.caseID)
	types, err := f.Server.Cases.TaskTypes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	typeID := func(name string) string {
		for _, tt := range types {
			if tt.Name == name {
				return fmt.Sprint(tt.ID)
			}
		}
		t.Fatalf("no task type %q", name)
		return ""
	}
	task := url.Values{"type": {typeID("Falls risk assessment")}, "delegate_to": {fmt.Sprint(lw.ID)}, "guidance": {"Check the stairs"}}
	res, body := f.post(t, ot, tasksPath, task)
	refusal := "Falls risk assessment is a clinical task: only an occupational therapist can do it."
	if res.StatusCode != http.StatusBadRequest || strings.Count(body, refusal) != 2 || !strings.Contains(body, `href="#delegate_to"`) {
		t.Fatalf("clinical task to a link worker: %d, want 400 with the reason in the summary and at the field", res.StatusCode)
	}
	if !strings.Contains(body, "Check the stairs") {
		t.Errorf("the refused form lost what was typed")
	}
	task.Set("type", typeID("Accompany to a first session"))
	task.Set("due_on-day", "1")
	task.Set("due_on-month", "1")
	task.Set("due_on-year", fmt.Sprint(time.Now().Year()+1))
	// A link worker without the competences the type needs is refused, with what is missing.
	if res, body = f.post(t, ot, tasksPath, task); res.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, "Accompanying someone to a first session (SP-CONNECT): not signed off") {
		t.Fatalf("non-clinical task to a link worker with no sign-offs: %d, want 400 naming the competence", res.StatusCode)
	}
	f.signOff(t, lw, "SP-CONNECT", "SF-LONE-WORKING")
	if res, _ = f.post(t, ot, tasksPath, task); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != tasksPath+"?saved=delegated" {
		t.Fatalf("non-clinical task: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	tasks, _ := f.Server.Cases.Tasks(t.Context(), f.caseID)
	if len(tasks) != 1 {
		t.Fatalf("tasks: %+v", tasks)
	}
	daniel := f.client(t, cwTeam)
	finish := fmt.Sprintf("%s/%d/complete", tasksPath, tasks[0].ID)
	if res, body = f.post(t, daniel, finish, url.Values{"version": {fmt.Sprint(tasks[0].Version)}}); res.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, fmt.Sprintf(`href="#outcome-%d"`, tasks[0].ID)) {
		t.Errorf("completing without an outcome: %d, or the error does not link to that task's field", res.StatusCode)
	}
	outcome := url.Values{"version": {fmt.Sprint(tasks[0].Version)}, fmt.Sprintf("outcome-%d", tasks[0].ID): {"Went with her to the lunch club"}}
	if res, _ = f.post(t, daniel, finish, outcome); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete task: %d", res.StatusCode)
	}
	if _, body = f.get(t, ot, tasksPath); !strings.Contains(body, "Went with her to the lunch club") {
		t.Errorf("the tasks page lacks the outcome")
	}
}

// TestClinicalInput sends a link worker's request for clinical input to the OT's queue, where
// she resolves it.
func TestClinicalInput(t *testing.T) {
	f := newSafetyFixture(t)
	f.addToTeam(t, cwTeam)
	daniel, ot := f.client(t, cwTeam), f.client(t, cwOT)
	res, _ := f.post(t, daniel, fmt.Sprintf("/cases/%d/clinical-input", f.caseID), url.Values{"reason": {"She cannot get up her stairs any more"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("ask for clinical input: %d", res.StatusCode)
	}
	_, body := f.get(t, ot, "/clinical-input")
	if !strings.Contains(body, "She cannot get up her stairs any more") || !strings.Contains(body, "Margaret Okonkwo") {
		t.Fatal("the OT's queue lacks the request")
	}
	queue, _ := f.Server.Cases.ClinicalInputQueue(t.Context(), f.ot)
	if len(queue) != 1 {
		t.Fatalf("queue: %+v", queue)
	}
	resolve := fmt.Sprintf("/clinical-input/%d/resolve", queue[0].ID)
	if res, _ = f.post(t, daniel, resolve, url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a link worker resolving: %d, want 403", res.StatusCode)
	}
	field := fmt.Sprintf("resolution-%d", queue[0].ID)
	if res, _ = f.post(t, ot, resolve, url.Values{field: {"Home visit booked for Thursday"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("resolve: %d", res.StatusCode)
	}
	if _, body = f.get(t, ot, "/clinical-input"); !strings.Contains(body, "No cases are waiting for clinical input") {
		t.Errorf("the resolved request is still queued")
	}
}

// TestStepDown steps the case down to a link worker who accepts it and leads it, while the OT
// keeps oversight.
func TestStepDown(t *testing.T) {
	f := newSafetyFixture(t)
	lw := f.addToTeam(t, cwTeam)
	ot, daniel := f.client(t, cwOT), f.client(t, cwTeam)
	path := fmt.Sprintf("/cases/%d/step-down", f.caseID)
	until := time.Now().In(london).AddDate(0, 1, 0)
	offer := url.Values{"needs_addressed": {"Falls: rails fitted"}, "goals_remaining": {"Get to the lunch club"},
		"risks_escalation": {"Another fall: refer back"}, "agreed_with_person": {"no"}, "to": {fmt.Sprint(lw.ID)},
		"oversight_until-day": {fmt.Sprint(until.Day())}, "oversight_until-month": {fmt.Sprint(int(until.Month()))},
		"oversight_until-year": {fmt.Sprint(until.Year())}}
	res, body := f.post(t, ot, path, offer)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Agree the handover with the person") || !strings.Contains(body, "Get to the lunch club") {
		t.Fatalf("a handover not agreed: %d", res.StatusCode)
	}
	offer.Set("agreed_with_person", "yes")
	if res, _ = f.post(t, ot, path, offer); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("offer: %d", res.StatusCode)
	}
	if _, body = f.get(t, daniel, "/handovers"); !strings.Contains(body, "Margaret Okonkwo") || !strings.Contains(body, "Another fall: refer back") {
		t.Fatal("the link worker's handovers lack the offer")
	}
	hs, _ := f.Server.Cases.Handovers(t.Context(), f.caseID)
	if len(hs) != 1 {
		t.Fatalf("handovers: %+v", hs)
	}
	if res, _ = f.post(t, ot, fmt.Sprintf("/handovers/%d/accept", hs[0].ID), url.Values{}); res.StatusCode != http.StatusNotFound {
		t.Errorf("the OT accepting her own handover: %d, want 404", res.StatusCode)
	}
	res, _ = f.post(t, daniel, fmt.Sprintf("/handovers/%d/accept", hs[0].ID), url.Values{})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != fmt.Sprintf("/cases/%d", f.caseID) {
		t.Fatalf("accept: %d to %q", res.StatusCode, loc)
	}
	k, _ := f.Server.Cases.Get(t.Context(), f.caseID)
	if lead, ok := k.Lead(); !ok || lead.UserID != lw.ID {
		t.Errorf("after acceptance the lead is %+v, want Daniel Hughes", lead)
	}
	if _, body = f.get(t, ot, "/oversight"); !strings.Contains(body, "Margaret Okonkwo") || !strings.Contains(body, dayOf(until)) {
		t.Errorf("the OT's oversight list lacks the case")
	}
}

// TestEmergencyAccess refuses a short reason, grants a long one, audits the read that follows
// on the override's basis, and lists the use for supervisors.
func TestEmergencyAccess(t *testing.T) {
	f := newCaseworkFixture(t)
	tom := f.client(t, cwOutsider)
	personPath := fmt.Sprintf("/people/%d", f.person.ID)
	if res, _ := f.get(t, tom, personPath); res.StatusCode != http.StatusForbidden {
		t.Fatalf("before emergency access: %d", res.StatusCode)
	}
	res, body := f.post(t, tom, personPath+"/emergency-access", url.Values{"reason": {"Urgent"}, "duration": {"60"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "in at least 20 characters") || !strings.Contains(body, "Urgent") {
		t.Fatalf("a short reason: %d", res.StatusCode)
	}
	reason := "She rang the lunch club saying she had fallen and cannot reach her phone"
	res, _ = f.post(t, tom, personPath+"/emergency-access", url.Values{"reason": {reason}, "duration": {"60"}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != personPath {
		t.Fatalf("emergency access: %d to %q", res.StatusCode, loc)
	}
	if res, _ = f.get(t, tom, personPath); res.StatusCode != http.StatusOK {
		t.Fatalf("the record with emergency access: %d", res.StatusCode)
	}
	page, err := audit.List(t.Context(), f.DB, audit.Filter{RecordType: "person", Action: "person.view", RecordID: fmt.Sprint(f.person.ID)})
	if err != nil || len(page.Entries) == 0 || page.Entries[0].Detail != "basis=override" || page.Entries[0].ActorID != f.user(t, cwOutsider).ID {
		t.Errorf("the read with emergency access is not audited as basis=override: %+v, %v", page.Entries, err)
	}
	_, body = f.get(t, f.client(t, sfSupervisor), "/overrides")
	if !strings.Contains(body, "Tom Bennett") || !strings.Contains(body, reason) {
		t.Errorf("the supervisor's review lacks the use")
	}
}

// TestClosureMessageCodesOnly closes a case for a person who shares codes only with their GP,
// and checks the message back holds the codes and not the summary.
func TestClosureMessageCodesOnly(t *testing.T) {
	f := newSafetyFixture(t)
	if err := f.Server.People.RecordConsent(t.Context(), account.Actor(f.ot, "test"), f.person.ID, person.ConsentGPSharing, "codes_only"); err != nil {
		t.Fatal(err)
	}
	ot := f.client(t, cwOT)
	closePath := fmt.Sprintf("/cases/%d/close", f.caseID)
	k, _ := f.Server.Cases.Get(t.Context(), f.caseID)
	summary := "Margaret now walks to the lunch club every Tuesday"
	res, body := f.post(t, ot, closePath, url.Values{"closure_summary": {summary}, "version": {fmt.Sprint(k.Version)}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Select why the case is closing") || !strings.Contains(body, summary) {
		t.Fatalf("closing without a reason: %d", res.StatusCode)
	}
	stale := url.Values{"closure_reason": {"goals_met"}, "closure_summary": {summary}, "version": {fmt.Sprint(k.Version - 1)}}
	if res, _ = f.post(t, ot, closePath, stale); res.StatusCode != http.StatusConflict {
		t.Errorf("a stale version: %d, want 409", res.StatusCode)
	}
	stale.Set("version", fmt.Sprint(k.Version))
	res, _ = f.post(t, ot, closePath, stale)
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != fmt.Sprintf("/cases/%d?saved=closed", f.caseID) {
		t.Fatalf("close: %d to %q", res.StatusCode, loc)
	}
	if k, _ = f.Server.Cases.Get(t.Context(), f.caseID); k.Status != casework.Closed {
		t.Fatalf("the case is %s", k.Status)
	}
	msgPath := fmt.Sprintf("/referrals/%d/messages/latest", f.referralID)
	for _, who := range []string{cwOT, cwGP} {
		res, body = f.get(t, f.client(t, who), msgPath)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: message: %d", who, res.StatusCode)
		}
		for _, want := range []string{"Support ended", "Codes only: the person asked that only coded information is shared with their GP",
			"871731000000106", "Referral to social prescribing service", "Goals met"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: message lacks %q", who, want)
			}
		}
		if strings.Contains(body, summary) {
			t.Errorf("%s: the codes-only message holds the summary", who)
		}
	}
	if _, body = f.get(t, ot, fmt.Sprintf("/cases/%d", f.caseID)); !strings.Contains(body, msgPath) {
		t.Errorf("the closed case does not link to its message back")
	}
}
