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
	"github.com/linkwell/linkwell/internal/referral"
)

// recordsFixture is the casework fixture with a goal, an action and a connection on the case,
// for the routes that name them.
type recordsFixture struct {
	caseworkFixture
	path         string // of the case
	goal, action int64
	conn         int64
}

func newRecordsFixture(t *testing.T) recordsFixture {
	t.Helper()
	f := recordsFixture{caseworkFixture: newCaseworkFixture(t)}
	f.path = fmt.Sprintf("/cases/%d", f.caseID)
	ctx, ot := t.Context(), account.Actor(f.ot, "test")
	g, err := f.Server.Cases.AddGoal(ctx, ot, f.caseID, casework.GoalInput{Text: "To get out of the house more", Target: ukDay(60)})
	if err != nil {
		t.Fatalf("add goal: %v", err)
	}
	a, err := f.Server.Cases.AddAction(ctx, ot, g.ID, casework.ActionInput{Text: "Ring the lunch club", Owner: casework.OwnerPerson, Due: ukDay(7)})
	if err != nil {
		t.Fatalf("add action: %v", err)
	}
	cn, err := f.Server.Cases.AddConnection(ctx, ot, f.caseID, casework.ConnectionInput{Activity: "Knit and natter"})
	if err != nil {
		t.Fatalf("add connection: %v", err)
	}
	f.goal, f.action, f.conn = g.ID, a.ID, cn.ID
	return f
}

// ukDay is the date in the UK days from today, as typed into a date input.
func ukDay(days int) person.DateParts {
	d := time.Now().In(london).AddDate(0, 0, days)
	return person.DateParts{Day: fmt.Sprint(d.Day()), Month: fmt.Sprint(int(d.Month())), Year: fmt.Sprint(d.Year())}
}

// typedDate puts a date into a form as the boxes name-day, name-month and name-year.
func typedDate(v url.Values, name string, d person.DateParts) url.Values {
	v.Set(name+"-day", d.Day)
	v.Set(name+"-month", d.Month)
	v.Set(name+"-year", d.Year)
	return v
}

// TestRecordsAccess runs every record route as everyone who might try it: the care team and
// the team that holds the case may, the referrer sees status only, and no one else gets in.
func TestRecordsAccess(t *testing.T) {
	f := newRecordsFixture(t)
	p, signposting := f.path, fmt.Sprintf("/people/%d/signposting", f.person.ID)
	goal, conn := fmt.Sprintf("%s/plan/goals/%d", p, f.goal), fmt.Sprintf("%s/connections/%d", p, f.conn)
	routes := []cwRoute{
		{"GET", p + "/what-matters", nil, 200, 200, 403, 403, 403, "Write it as they said it"},
		{"POST", p + "/what-matters", url.Values{}, 400, 400, 403, 403, 403, "Enter what matters to them, in their own words"},
		{"GET", p + "/plan", nil, 200, 200, 403, 403, 403, "To get out of the house more"},
		{"POST", p + "/plan/goals", url.Values{}, 400, 400, 403, 403, 403, "Enter the goal, in the person&#39;s own words"},
		{"POST", goal + "/status", url.Values{}, 400, 400, 403, 403, 403, "Select how the goal stands"},
		{"POST", goal + "/actions", url.Values{}, 400, 400, 403, 403, 403, "Enter what will be done"},
		{"POST", fmt.Sprintf("%s/plan/actions/%d/status", p, f.action), url.Values{}, 400, 400, 403, 403, 403, "Select how the action stands"},
		{"POST", p + "/plan/reviews", url.Values{}, 400, 400, 403, 403, 403, "Enter what was reviewed and agreed"},
		{"GET", p + "/contacts", nil, 200, 200, 403, 403, 403, "No contacts have been recorded yet"},
		{"POST", p + "/contacts", url.Values{}, 400, 400, 403, 403, 403, "Enter the date of the contact"},
		{"GET", p + "/connections", nil, 200, 200, 403, 403, 403, "Knit and natter"},
		{"POST", p + "/connections", url.Values{}, 400, 400, 403, 403, 403, "Enter the name of the activity"},
		{"POST", conn + "/status", url.Values{}, 400, 400, 403, 403, 403, "Select what has happened"},
		{"POST", conn + "/feedback", url.Values{}, 409, 409, 403, 403, 403, "Someone else changed this connection"},
		{"GET", signposting, nil, 200, 200, 403, 403, 403, "Record information you gave"},
		{"POST", signposting, url.Values{}, 400, 400, 403, 403, 403, "Enter at least one service you told them about"},
		{"GET", signposting + "/print", nil, 200, 200, 403, 403, 403, "Services that could help you"},
		{"GET", signposting + "/print?signpost=abc", nil, 404, 404, 403, 403, 403, ""},
		{"GET", "/cases/99999/plan", nil, 404, 404, 404, 404, 404, ""},
		{"POST", p + "/plan/goals/99999/status", url.Values{}, 404, 404, 403, 403, 403, ""},
		{"POST", p + "/plan/actions/abc/status", url.Values{}, 404, 404, 403, 403, 403, ""},
		{"POST", p + "/connections/99999/status", url.Values{}, 404, 404, 403, 403, 403, ""},
	}
	clients := map[string]*http.Client{}
	for _, email := range []string{cwOT, cwTeam, cwGP, cwOutsider, "commissioner@linkwell.demo", "provider@linkwell.demo"} {
		clients[email] = f.client(t, email)
	}
	for _, c := range routes {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			check := func(who string, want int) string {
				t.Helper()
				res, body := f.do(t, clients[who], c.method, c.path, c.form)
				if res.StatusCode != want {
					t.Fatalf("%s: status %d, want %d", who, res.StatusCode, want)
				}
				if want == http.StatusForbidden && !strings.Contains(body, "You do not have permission") {
					t.Errorf("%s: the refusal does not explain itself", who)
				}
				return body
			}
			for _, who := range []string{cwOT, cwTeam} {
				body := check(who, map[string]int{cwOT: c.ot, cwTeam: c.team}[who])
				if !strings.Contains(body, c.want) {
					t.Errorf("%s: page lacks %q", who, c.want)
				}
				if n := strings.Count(body, "<h1"); n != 1 {
					t.Errorf("%s: page has %d h1s, want 1", who, n)
				}
			}
			if body := check(cwGP, c.gp); strings.Contains(body, f.person.NHSNumber.String()) {
				t.Errorf("the referrer's refusal shows the NHS number")
			}
			check(cwOutsider, c.outsider)
			check("commissioner@linkwell.demo", c.others)
			check("provider@linkwell.demo", c.others)
			res, _ := f.do(t, f.anon(), c.method, c.path, c.form)
			if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
				t.Errorf("anonymous: %d to %q, want 303 to /login", res.StatusCode, loc)
			}
		})
	}

	// Once on the care team, the partner organisation's link worker sees and changes the records.
	if err := f.Server.Cases.AddWorker(t.Context(), account.Actor(f.ot, "test"), f.caseID, f.user(t, cwOutsider), false); err != nil {
		t.Fatal(err)
	}
	if res, _ := f.get(t, clients[cwOutsider], p+"/plan"); res.StatusCode != http.StatusOK {
		t.Errorf("the link worker on the care team gets %d for the plan", res.StatusCode)
	}
}

// TestRecordsOnAnotherCase refuses to change a goal, action or connection through a case it
// does not belong to.
func TestRecordsOnAnotherCase(t *testing.T) {
	f := newRecordsFixture(t)
	other := f.openCase(t, f.refer(t, f.personInput(1, "Alan", "Price")), f.ot, referral.TierTargeted, referral.PathwayOTLed)
	ot := f.client(t, cwOT)
	wrong := fmt.Sprintf("/cases/%d", other.ID)
	for _, path := range []string{
		fmt.Sprintf("%s/plan/goals/%d/status", wrong, f.goal),
		fmt.Sprintf("%s/plan/goals/%d/actions", wrong, f.goal),
		fmt.Sprintf("%s/plan/actions/%d/status", wrong, f.action),
		fmt.Sprintf("%s/connections/%d/status", wrong, f.conn),
		fmt.Sprintf("%s/connections/%d/feedback", wrong, f.conn),
	} {
		if res, _ := f.post(t, ot, path, url.Values{}); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, res.StatusCode)
		}
	}
}

// TestContactsJointVisitAndFailedAttempt records a joint home visit by the OT and a link
// worker through the form, then a failed attempt, and lists them newest first with names.
func TestContactsJointVisitAndFailedAttempt(t *testing.T) {
	f := newRecordsFixture(t)
	lw := f.user(t, cwOutsider)
	if err := f.Server.Cases.AddWorker(t.Context(), account.Actor(f.ot, "test"), f.caseID, lw, false); err != nil {
		t.Fatal(err)
	}
	ot, contacts := f.client(t, cwOT), f.path+"/contacts"
	yesterday := ukDay(-1)

	_, body := f.get(t, ot, contacts)
	if !strings.Contains(body, fmt.Sprintf(`value="%d" checked`, f.ot.ID)) {
		t.Errorf("the form does not start with the OT ticked as taking part")
	}

	bad := typedDate(url.Values{"time": {"25:00"}, "type": {"home_visit"}, "minutes": {"60"}, "note": {"Kitchen assessed"}}, "date", yesterday)
	res, body := f.post(t, ot, contacts, bad)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("a contact with a wrong time and nobody taking part: %d, want 400", res.StatusCode)
	}
	for _, want := range []string{"<title>Error: ", "Time must be a real time, like 14:30 or 2:30pm", `href="#time"`,
		"Select who took part", `href="#workers"`, "Kitchen assessed"} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused contact lacks %q", want)
		}
	}

	visit := typedDate(url.Values{"time": {"10:00"}, "type": {"home_visit"}, "minutes": {"75"},
		"workers": {fmt.Sprint(f.ot.ID), fmt.Sprint(lw.ID)}, "note": {"Joint visit: kitchen and stairs assessed"}}, "date", yesterday)
	res, _ = f.post(t, ot, contacts, visit)
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != contacts+"?saved=contact" {
		t.Fatalf("joint home visit: %d to %q", res.StatusCode, loc)
	}
	attempt := typedDate(url.Values{"time": {"4:15pm"}, "type": {"phone"}, "failed": {"yes"},
		"workers": {fmt.Sprint(lw.ID)}, "note": {"No answer"}}, "date", yesterday)
	res, _ = f.post(t, ot, contacts, attempt)
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != contacts+"?saved=attempt" {
		t.Fatalf("failed attempt: %d to %q", res.StatusCode, loc)
	}

	_, body = f.get(t, ot, contacts+"?saved=attempt")
	for _, want := range []string{"Failed contact attempt recorded", "Home visit", "75 minutes", "Sarah Okafor and Tom Bennett",
		"Joint visit: kitchen and stairs assessed", "Failed attempt", "Not reached", "at 10:00am", "at 4:15pm"} {
		if !strings.Contains(body, want) {
			t.Errorf("contacts page lacks %q", want)
		}
	}
	if i, j := strings.Index(body, "No answer"), strings.Index(body, "Joint visit:"); i < 0 || j < 0 || i > j {
		t.Errorf("contacts are not newest first")
	}
	list, err := f.Server.Cases.Contacts(t.Context(), f.caseID)
	if err != nil || len(list) != 2 || !list[1].Joint() || !list[0].Failed {
		t.Errorf("stored contacts: %+v (%v), want a failed attempt after a joint visit", list, err)
	}
}

// TestPlanGoalWithActions adds a goal in the person's words, an action owned by the link
// worker, moves the action on and records a review.
func TestPlanGoalWithActions(t *testing.T) {
	f := newRecordsFixture(t)
	lw := f.user(t, cwOutsider)
	if err := f.Server.Cases.AddWorker(t.Context(), account.Actor(f.ot, "test"), f.caseID, lw, false); err != nil {
		t.Fatal(err)
	}
	ot, plan := f.client(t, cwOT), f.path+"/plan"

	res, body := f.post(t, ot, plan+"/goals", typedDate(url.Values{"goal": {"I want to be back at my allotment"}}, "target", ukDay(-3)))
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Target date must be today or in the future") ||
		!strings.Contains(body, "I want to be back at my allotment") {
		t.Fatalf("a goal with a past target: %d, want 400 keeping the goal", res.StatusCode)
	}
	res, _ = f.post(t, ot, plan+"/goals", typedDate(url.Values{"goal": {"I want to be back at my allotment"}}, "target", ukDay(90)))
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != plan+"?saved=goal" {
		t.Fatalf("add goal: %d to %q", res.StatusCode, loc)
	}
	p, err := f.Server.Cases.Plan(t.Context(), f.caseID)
	if err != nil || len(p.Goals) != 2 {
		t.Fatalf("plan: %v, %d goals", err, len(p.Goals))
	}
	goal := p.Goals[1]
	prefix := fmt.Sprintf("goal-%d-", goal.ID)
	actions := fmt.Sprintf("%s/goals/%d/actions", plan, goal.ID)

	res, body = f.post(t, ot, actions, typedDate(url.Values{prefix + "action": {"Ask the allotment society about a raised bed"},
		prefix + "owner": {"other"}}, prefix+"due", ukDay(14)))
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("an action for someone unnamed: %d, want 400", res.StatusCode)
	}
	for _, want := range []string{"Enter who will do this", fmt.Sprintf(`href="#%sowner_name"`, prefix), "Ask the allotment society",
		"<details class=\"nhsuk-details\" open>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the refused action lacks %q", want)
		}
	}
	res, _ = f.post(t, ot, actions, typedDate(url.Values{prefix + "action": {"Ask the allotment society about a raised bed"},
		prefix + "owner": {"worker"}, prefix + "owner_user": {fmt.Sprint(lw.ID)}}, prefix+"due", ukDay(14)))
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != plan+"?saved=action" {
		t.Fatalf("add action: %d to %q", res.StatusCode, loc)
	}
	if p, err = f.Server.Cases.Plan(t.Context(), f.caseID); err != nil || len(p.Goals[1].Actions) != 1 {
		t.Fatalf("plan after the action: %v", err)
	}
	a := p.Goals[1].Actions[0]
	if a.Owner != casework.OwnerWorker || a.OwnerUserID != lw.ID {
		t.Errorf("the action belongs to %s %d, want the link worker", a.Owner, a.OwnerUserID)
	}
	status := fmt.Sprintf("%s/actions/%d/status", plan, a.ID)
	ap := fmt.Sprintf("action-%d-", a.ID)
	res, _ = f.post(t, ot, status, url.Values{ap + "status": {"in_progress"}, "version": {fmt.Sprint(a.Version)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("action status: %d", res.StatusCode)
	}
	res, body = f.post(t, ot, status, url.Values{ap + "status": {"done"}, "version": {fmt.Sprint(a.Version)}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Someone else changed this action") {
		t.Errorf("a stale action status: %d, want 409 with the reason", res.StatusCode)
	}
	res, _ = f.post(t, ot, plan+"/reviews", url.Values{"review-note": {"Allotment goal agreed; lunch club tried once"},
		"review-with": {"Margaret and her son"}, "review-reviewed_by": {fmt.Sprint(f.ot.ID)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("review: %d", res.StatusCode)
	}

	_, body = f.get(t, f.client(t, cwTeam), plan)
	for _, want := range []string{"“I want to be back at my allotment”", "Ask the allotment society about a raised bed",
		"Tom Bennett", `<option value="in_progress" selected>In progress</option>`, "reviewed by Sarah Okafor with Margaret and her son",
		"Allotment goal agreed"} {
		if !strings.Contains(body, want) {
			t.Errorf("plan page lacks %q", want)
		}
	}
}

// TestConnectionLifecycle moves a connection from suggested to the first session, showing its
// history, and refuses a move the lifecycle does not allow and a stale one.
func TestConnectionLifecycle(t *testing.T) {
	f := newRecordsFixture(t)
	ot, page := f.client(t, cwOT), f.path+"/connections"
	res, _ := f.post(t, ot, page, url.Values{"activity": {"Tuesday walking group"}, "organisation": {"Riverside Ramblers"},
		"status": {"suggested"}, "first_session_help": {"yes"}, "first_session_note": {"Tom will walk with her the first time"}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != page+"?saved=connection" {
		t.Fatalf("add connection: %d to %q", res.StatusCode, loc)
	}
	list, err := f.Server.Cases.Connections(t.Context(), f.caseID)
	if err != nil || len(list) != 2 {
		t.Fatalf("connections: %v", err)
	}
	cn := list[0]
	move := func(to string, version int64) (*http.Response, string) {
		t.Helper()
		p := fmt.Sprintf("conn-%d-", cn.ID)
		return f.post(t, ot, fmt.Sprintf("%s/%d/status", page, cn.ID),
			url.Values{p + "status": {to}, p + "note": {"moved to " + to}, "version": {fmt.Sprint(version)}})
	}
	for i, to := range []string{"referred", "accepted", "first_attended"} {
		if res, _ := move(to, cn.Version+int64(i)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("move to %s: %d", to, res.StatusCode)
		}
	}
	res, body := move("referred", cn.Version+3)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "A connection that has had a first session cannot be referred") {
		t.Errorf("an illegal move: %d, want 409 with the reason", res.StatusCode)
	}
	if res, body = move("attending", cn.Version); res.StatusCode != http.StatusConflict || !strings.Contains(body, "Someone else changed this connection") {
		t.Errorf("a stale move: %d, want 409", res.StatusCode)
	}

	p := fmt.Sprintf("conn-%d-", cn.ID)
	res, _ = f.post(t, ot, fmt.Sprintf("%s/%d/feedback", page, cn.ID), url.Values{p + "provider_feedback": {"Enjoyed it, coming back"},
		p + "barriers": {"transport"}, "version": {fmt.Sprint(cn.Version + 3)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("feedback: %d", res.StatusCode)
	}

	_, body = f.get(t, ot, page)
	for _, want := range []string{"Tuesday walking group", "Riverside Ramblers", "Went to the first session", "Yes: Tom will walk with her the first time",
		"Suggested on", "Referred on", "Accepted by provider on", "moved to accepted", "Enjoyed it, coming back", "Transport",
		`value="attending"`, `value="completed"`} {
		if !strings.Contains(body, want) {
			t.Errorf("connections page lacks %q", want)
		}
	}
	if strings.Contains(body, fmt.Sprintf(`id="%sstatus" name="%sstatus" type="radio" value="referred"`, p, p)) {
		t.Errorf("the page offers a move the lifecycle does not allow")
	}
}

// TestWhatMattersStaleSave saves the conversation twice from the same version: the second
// save is refused with 409 and keeps what was typed.
func TestWhatMattersStaleSave(t *testing.T) {
	f := newRecordsFixture(t)
	ot, team, page := f.client(t, cwOT), f.client(t, cwTeam), f.path+"/what-matters"
	res, _ := f.post(t, ot, page, url.Values{"own_words": {"Seeing my grandchildren"}, "barriers": {"transport", "physical"}, "version": {"0"}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != page+"?saved=what-matters" {
		t.Fatalf("first save: %d to %q", res.StatusCode, loc)
	}
	res, _ = f.post(t, ot, page, url.Values{"own_words": {"Seeing my grandchildren every week"}, "version": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second save: %d", res.StatusCode)
	}
	res, body := f.post(t, team, page, url.Values{"own_words": {"Getting to church on Sundays"}, "version": {"1"}})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("a stale save: %d, want 409", res.StatusCode)
	}
	for _, want := range []string{"Someone else changed what matters to this person", "Getting to church on Sundays",
		"What is saved now", "Seeing my grandchildren every week", `name="version" value="2"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the conflict page lacks %q", want)
		}
	}
	_, body = f.get(t, team, page)
	if !strings.Contains(body, "Seeing my grandchildren every week") || !strings.Contains(body, "Last changed by Sarah Okafor") {
		t.Errorf("the saved conversation is not shown")
	}
}

// TestSignpostingPrintableList records signposting, then prints the list for the person.
func TestSignpostingPrintableList(t *testing.T) {
	f := newRecordsFixture(t)
	team, page := f.client(t, cwTeam), fmt.Sprintf("/people/%d/signposting", f.person.ID)
	res, body := f.post(t, team, page, url.Values{"service_2_organisation": {"Age UK Leeds"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `href="#service_2_name"`) || !strings.Contains(body, "Age UK Leeds") {
		t.Fatalf("a service with no name: %d, want 400 keeping what was typed", res.StatusCode)
	}
	res, _ = f.post(t, team, page, url.Values{
		"service_1_name": {"Befriending service"}, "service_1_organisation": {"Age UK Leeds"},
		"service_1_how_to_contact": {"Phone 0113 389 3000"}, "service_1_why": {"Someone to talk to each week"},
		"service_2_name": {"Warm space at the library"}, "service_2_how_to_contact": {"Drop in, Monday to Friday, 10am to 4pm"},
	})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, page+"?saved=signposted&signpost=") {
		t.Fatalf("signpost: %d to %q", res.StatusCode, loc)
	}
	_, body = f.get(t, team, loc)
	if !strings.Contains(body, "Signposting recorded") || !strings.Contains(body, "Print the services you just recorded") {
		t.Errorf("the signposting page does not confirm, or offer the list to print")
	}
	id := strings.TrimPrefix(loc, page+"?saved=signposted&signpost=")
	res, body = f.get(t, team, page+"/print?signpost="+id)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("printable list: %d", res.StatusCode)
	}
	for _, want := range []string{"Services that could help you", "This list is for Margaret Okonkwo", "Befriending service",
		"Run by Age UK Leeds", "Someone to talk to each week", "Phone 0113 389 3000", "Warm space at the library",
		"Suggested by Daniel Hughes", "app-print-list"} {
		if !strings.Contains(body, want) {
			t.Errorf("printable list lacks %q", want)
		}
	}
	if strings.Contains(body, f.person.NHSNumber.String()) || strings.Count(body, "<h1") != 1 {
		t.Errorf("the printable list shows the NHS number, or has other than one h1")
	}
	if res, _ = f.get(t, team, page+"/print?signpost=99999"); res.StatusCode != http.StatusNotFound {
		t.Errorf("another's signposting record: %d, want 404", res.StatusCode)
	}
}

// TestRecordPagesAudited checks that every record page, shown or shown again with an error,
// audits one read of the person's record, and a refusal none.
func TestRecordPagesAudited(t *testing.T) {
	f := newRecordsFixture(t)
	views := func() int {
		t.Helper()
		page, err := audit.List(t.Context(), f.DB, audit.Filter{RecordType: "person", Action: "person.view",
			RecordID: fmt.Sprint(f.person.ID), PerPage: 200})
		if err != nil {
			t.Fatal(err)
		}
		return page.Total
	}
	ot, gp := f.client(t, cwOT), f.client(t, cwGP)
	signposting := fmt.Sprintf("/people/%d/signposting", f.person.ID)
	visits := []struct {
		c            *http.Client
		method, path string
		status, want int
	}{
		{ot, "GET", f.path + "/what-matters", 200, 1},
		{ot, "GET", f.path + "/plan", 200, 1},
		{ot, "GET", f.path + "/contacts", 200, 1},
		{ot, "GET", f.path + "/connections", 200, 1},
		{ot, "GET", signposting, 200, 1},
		{ot, "GET", signposting + "/print", 200, 1},
		{ot, "POST", f.path + "/contacts", 400, 1},
		{ot, "POST", f.path + "/plan/goals", 400, 1},
		{gp, "GET", f.path + "/plan", 403, 0},
		{gp, "GET", signposting, 403, 0},
	}
	for _, v := range visits {
		before := views()
		var form url.Values
		if v.method == http.MethodPost {
			form = url.Values{}
		}
		if res, _ := f.do(t, v.c, v.method, v.path, form); res.StatusCode != v.status {
			t.Fatalf("%s %s: %d, want %d", v.method, v.path, res.StatusCode, v.status)
		}
		if got := views() - before; got != v.want {
			t.Errorf("%s %s: audited %d reads, want %d", v.method, v.path, got, v.want)
		}
	}
}
