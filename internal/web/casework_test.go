package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/demo"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/referral"
)

// The demo users the casework tests sign in as: the OT who leads the case, a link worker in
// the team that holds it, the GP who referred the person, and a link worker in a partner
// organisation with no relationship until someone adds him to the care team.
const (
	cwOT         = "ot@linkwell.demo"
	cwTeam       = "daniel.hughes@linkwell.demo"
	cwGP         = "gp@linkwell.demo"
	cwOutsider   = "linkworker@linkwell.demo"
	cwPostcode   = "LS1 4AP"
	cwPhone      = "07700 900123"
	cwBirthDay   = "12"
	cwBirthMonth = "3"
	cwBirthYear  = "1948"
)

// caseworkFixture is the demo world with a receiving service run by the PCN's Personalised
// Care Team, and one person, referred by the GP, whose case the OT leads.
type caseworkFixture struct {
	*testServer
	svc      referral.ReceivingService
	ot, gp   account.User
	person   person.Person
	caseID   int64
	otWorker int64 // the OT's place on the care team
}

func newCaseworkFixture(t *testing.T) caseworkFixture {
	t.Helper()
	ts := newTestServer(t)
	pcn := ts.org(t, demo.PCN)
	var teamID int64
	for _, team := range pcn.Teams {
		if team.Name == "Personalised Care Team" {
			teamID = team.ID
		}
	}
	svc, err := ts.Server.Referrals.CreateService(t.Context(), audit.System, referral.ServiceInput{
		OrganisationID: pcn.ID, TeamID: teamID, Name: "Riverside social prescribing",
		Inclusion: "Adults registered with a Riverside practice", ResponseDays: 5,
	})
	if err != nil {
		t.Fatalf("create service: %v", err)
	}
	f := caseworkFixture{testServer: ts, svc: svc, ot: ts.user(t, cwOT), gp: ts.user(t, cwGP)}
	in := f.personInput(0, "Margaret", "Okonkwo")
	in.Postcode, in.Phone, in.DoNotContact = cwPostcode, cwPhone, true
	k := f.openCase(t, f.refer(t, in), f.ot, referral.TierSpecialist, referral.PathwayJoint)
	f.caseID, f.otWorker = k.ID, k.Team[0].ID
	if f.person, err = ts.Server.People.Get(t.Context(), k.PersonID); err != nil {
		t.Fatal(err)
	}
	return f
}

// testNHSNumber makes a valid NHS number in the 999 range kept for testing.
func testNHSNumber(i int) string {
	for n := i*11 + 1; ; n++ {
		s := fmt.Sprintf("999%06d", n%1000000)
		sum := 0
		for k := range 9 {
			sum += int(s[k]-'0') * (10 - k)
		}
		if check := (11 - sum%11) % 11; check != 10 {
			return s + fmt.Sprint(check)
		}
	}
}

func (f caseworkFixture) personInput(i int, given, family string) person.Input {
	return person.Input{NHSNumber: testNHSNumber(i), GivenName: given, FamilyName: family,
		DateOfBirth: person.DateParts{Day: cwBirthDay, Month: cwBirthMonth, Year: cwBirthYear},
		Sex:         person.Female, PreferredLanguage: "English"}
}

// refer submits a referral of the person to the service as the GP.
func (f caseworkFixture) refer(t *testing.T, p person.Input) referral.Referral {
	t.Helper()
	r, err := f.Server.Referrals.Submit(t.Context(), account.Actor(f.gp, "test"), referral.Referrer{UserID: f.gp.ID, Name: f.gp.Name},
		referral.Input{ServiceID: f.svc.ID, Source: referral.SourceGP, Needs: []string{"loneliness", "frailty_falls"},
			ConsentGiven: true, CriteriaMet: referral.CriteriaMet, Person: p, NotADuplicate: true})
	if err != nil {
		t.Fatalf("refer %s %s: %v", p.GivenName, p.FamilyName, err)
	}
	return r
}

// openCase accepts a referral with lead as the case's lead worker.
func (f caseworkFixture) openCase(t *testing.T, r referral.Referral, lead account.User, tier referral.Tier, pathway referral.Pathway) casework.Case {
	t.Helper()
	k, err := f.Server.Cases.Open(t.Context(), account.Actor(lead, "test"), r.ID,
		casework.OpenInput{ReferralVersion: r.Version, Lead: lead, Tier: tier, Pathway: pathway})
	if err != nil {
		t.Fatalf("open case: %v", err)
	}
	return k
}

func (f caseworkFixture) searchQuery(nhs string) string {
	return "/people/search?" + url.Values{"nhs_number": {nhs}, "dob-day": {cwBirthDay}, "dob-month": {cwBirthMonth},
		"dob-year": {cwBirthYear}}.Encode()
}

// cwRoute is a route and the status each kind of user gets: others are commissioners and
// community providers. Anonymous visitors always get a redirect to sign in.
type cwRoute struct {
	method, path                   string
	form                           url.Values
	ot, team, gp, outsider, others int
	want                           string // in the care team's page
}

// TestCaseworkAccess runs every casework route as everyone who might try it.
func TestCaseworkAccess(t *testing.T) {
	f := newCaseworkFixture(t)
	personPath := fmt.Sprintf("/people/%d", f.person.ID)
	casePath := fmt.Sprintf("/cases/%d", f.caseID)
	worker := fmt.Sprintf("%s/team/%d", casePath, f.otWorker)
	routes := []cwRoute{
		{"GET", "/caseload", nil, 200, 200, 403, 200, 403, "My caseload"},
		{"GET", "/caseload/team", nil, 200, 200, 403, 200, 403, "Team caseload"},
		{"GET", f.searchQuery(f.person.NHSNumber.String()), nil, 200, 200, 403, 200, 403, "Find a person"},
		{"GET", personPath, nil, 200, 200, 200, 403, 403, "Who is involved with Margaret Okonkwo"},
		{"GET", casePath, nil, 200, 200, 200, 403, 403, "Care team"},
		{"POST", casePath + "/team", url.Values{}, 400, 400, 403, 403, 403, "Select who to add to the care team"},
		{"POST", worker + "/end", url.Values{}, 409, 409, 403, 403, 403, "Sarah Okafor leads this case: make someone else the lead first"},
		{"POST", worker + "/lead", url.Values{}, 303, 303, 403, 403, 403, ""},
		{"GET", "/people/99999", nil, 403, 403, 403, 403, 403, ""},
		{"GET", "/cases/99999", nil, 404, 404, 404, 404, 404, ""},
		{"GET", "/cases/abc", nil, 404, 404, 404, 404, 404, ""},
		{"POST", casePath + "/team/abc/lead", url.Values{}, 404, 404, 403, 403, 403, ""},
		{"POST", casePath + "/team/99999/end", url.Values{}, 404, 404, 403, 403, 403, ""},
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
				if body := check(who, map[string]int{cwOT: c.ot, cwTeam: c.team}[who]); !strings.Contains(body, c.want) {
					t.Errorf("%s: page lacks %q", who, c.want)
				}
			}
			if body := check(cwGP, c.gp); c.gp == http.StatusOK {
				assertReferrerView(t, body, f.person)
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
}

// assertReferrerView checks that a referrer sees the person's name and their referral's
// status, and nothing else of the record.
func assertReferrerView(t *testing.T, body string, p person.Person) {
	t.Helper()
	for _, want := range []string{p.Name(), "You referred this person: you can see the status of your referral", "Accepted"} {
		if !strings.Contains(body, want) {
			t.Errorf("referrer's view lacks %q", want)
		}
	}
	for _, secret := range []string{cwPostcode, cwPhone, p.NHSNumber.String(), "12 March 1948", "Do not contact",
		"Who is involved", "Sarah Okafor", "Specialist"} {
		if strings.Contains(body, secret) {
			t.Errorf("referrer's view shows %q", secret)
		}
	}
}

// TestPersonRecord checks what the care team sees: demographics, the do-not-contact warning,
// consent with who recorded it, referrals, cases and everyone involved.
func TestPersonRecord(t *testing.T) {
	f := newCaseworkFixture(t)
	res, body := f.get(t, f.client(t, cwTeam), fmt.Sprintf("/people/%d", f.person.ID))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{
		"<title>Margaret Okonkwo – Linkwell</title>", f.person.NHSNumber.String(), "12 March 1948", cwPostcode, cwPhone,
		"nhsuk-card--warning", "Do not contact", "English", "Consent to social prescribing", "Recorded by Dr Priya Shah",
		"Riverside social prescribing", "Accepted", "Joint (OT and link worker)", "Specialist",
		"Who is involved with Margaret Okonkwo", "Sarah Okafor", "Occupational therapist", demo.PCN, "mailto:ot@linkwell.demo",
		`<strong class="nhsuk-tag nhsuk-tag--blue">Lead</strong>`, fmt.Sprintf(`href="/cases/%d"`, f.caseID),
	} {
		if !strings.Contains(body, want) {
			t.Errorf("person page lacks %q", want)
		}
	}
	if n := strings.Count(body, "<h1"); n != 1 {
		t.Errorf("person page has %d h1s, want 1", n)
	}
}

// TestCareTeamChanges adds a partner organisation's link worker, moves the lead to him,
// refuses to remove him while he leads, and removes the OT.
func TestCareTeamChanges(t *testing.T) {
	f := newCaseworkFixture(t)
	ot, outsider := f.client(t, cwOT), f.client(t, cwOutsider)
	casePath := fmt.Sprintf("/cases/%d", f.caseID)
	lw := f.user(t, cwOutsider)

	_, body := f.get(t, ot, casePath)
	for _, want := range []string{"Tom Bennett – Link worker, " + demo.Connectors, "Aisha Patel", "Daniel Hughes"} {
		if !strings.Contains(body, want) {
			t.Errorf("the add-a-worker select lacks %q", want)
		}
	}
	for _, notOffered := range []string{"James Whitfield", "Fatima Hussain", `value="` + fmt.Sprint(f.ot.ID) + `"`} {
		if strings.Contains(body, notOffered) {
			t.Errorf("the add-a-worker select offers %q", notOffered)
		}
	}
	safeguarding := f.user(t, "safeguarding@linkwell.demo")
	res, body := f.post(t, ot, casePath+"/team", url.Values{"worker": {fmt.Sprint(safeguarding.ID)}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Select who to add to the care team") ||
		!strings.Contains(body, "<title>Error: ") {
		t.Fatalf("adding a safeguarding lead: %d, want 400 with the error summary", res.StatusCode)
	}

	res, _ = f.post(t, ot, casePath+"/team", url.Values{"worker": {fmt.Sprint(lw.ID)}})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != casePath+"?saved=added" {
		t.Fatalf("add worker: %d to %q", res.StatusCode, loc)
	}
	if res, _ := f.get(t, outsider, casePath); res.StatusCode != http.StatusOK {
		t.Fatalf("the added link worker gets %d for the case", res.StatusCode)
	}
	k, err := f.Server.Cases.Get(t.Context(), f.caseID)
	if err != nil {
		t.Fatal(err)
	}
	var lwWorker int64
	for _, w := range k.Team {
		if w.UserID == lw.ID {
			lwWorker = w.ID
		}
	}

	if res, _ := f.post(t, ot, fmt.Sprintf("%s/team/%d/lead", casePath, lwWorker), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("make lead: %d", res.StatusCode)
	}
	_, body = f.get(t, outsider, fmt.Sprintf("/people/%d", f.person.ID))
	if !regexp.MustCompile(`Tom Bennett <strong class="nhsuk-tag nhsuk-tag--blue">Lead</strong>`).MatchString(body) ||
		strings.Contains(body, `Sarah Okafor <strong class="nhsuk-tag nhsuk-tag--blue">Lead`) {
		t.Errorf("after the lead moved, the care team view does not show Tom Bennett alone as lead")
	}

	res, body = f.post(t, ot, fmt.Sprintf("%s/team/%d/end", casePath, lwWorker), url.Values{})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Tom Bennett leads this case: make someone else the lead first") {
		t.Fatalf("removing the lead: %d, want 409 with the reason", res.StatusCode)
	}
	res, _ = f.post(t, outsider, fmt.Sprintf("%s/team/%d/end", casePath, f.otWorker), url.Values{})
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != casePath+"?saved=ended" {
		t.Fatalf("remove the OT: %d to %q", res.StatusCode, loc)
	}
	// The OT is still in the team that holds the case, so she still sees it, no longer on its team.
	_, body = f.get(t, ot, casePath+"?saved=ended")
	for _, want := range []string{"Removed from the care team", "Who has been on the care team", "Sarah Okafor (Occupational therapist"} {
		if !strings.Contains(body, want) {
			t.Errorf("case page after removal lacks %q", want)
		}
	}
}

// TestCaseload checks the filters, the sorting that resets on reload, and the numbered pages.
func TestCaseload(t *testing.T) {
	f := newCaseworkFixture(t)
	pathways := []referral.Pathway{referral.PathwayOTLed, referral.PathwayLinkWorkerLed, referral.PathwayJoint}
	// Family names run backwards through the alphabet, from Fzford to Avford, all before
	// Okonkwo, so that sorting by name puts the last opened first.
	for i := range 30 {
		in := f.personInput(i+1, "Alex", fmt.Sprintf("%c%cford", 'F'-i/5, 'z'-i%5))
		f.openCase(t, f.refer(t, in), f.ot, referral.TierTargeted, pathways[i%3])
	}
	ot := f.client(t, cwOT)
	firstPerson := func(body string) string {
		m := regexp.MustCompile(`<a href="/cases/\d+">([^<]+)</a>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("the caseload lists no one")
		}
		return m[1]
	}

	res, body := f.get(t, ot, "/caseload")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "<title>My caseload (page 1 of 2) – Linkwell</title>") {
		t.Fatalf("caseload: %d, title not numbered", res.StatusCode)
	}
	if !strings.Contains(body, "31 cases") || !strings.Contains(body, f.person.NHSNumber.String()) {
		t.Errorf("caseload lacks its count or a formatted NHS number")
	}
	if got := firstPerson(body); got != "Margaret Okonkwo" {
		t.Errorf("default order starts with %q, want the first opened, Margaret Okonkwo", got)
	}
	_, body = f.get(t, ot, "/caseload?sort=name")
	if got := firstPerson(body); got != "Alex Avford" {
		t.Errorf("sorted by name, the list starts with %q, want Alex Avford", got)
	}
	if !strings.Contains(body, `aria-sort="ascending"`) || !strings.Contains(body, "sort=name&amp;page=2") &&
		!strings.Contains(body, "page=2&amp;sort=name") {
		t.Errorf("sorted page does not mark its column or keep the sort in its page links")
	}
	if _, body = f.get(t, ot, "/caseload"); firstPerson(body) != "Margaret Okonkwo" {
		t.Errorf("the sort was remembered after a reload without it")
	}

	res, body = f.get(t, ot, "/caseload?page=2")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "<title>My caseload (page 2 of 2) – Linkwell</title>") ||
		!strings.Contains(body, `aria-current="page">2</a>`) {
		t.Fatalf("page 2: %d, or its title or pagination is wrong", res.StatusCode)
	}
	if n := strings.Count(body, `<a href="/cases/`); n != 6 {
		t.Errorf("page 2 lists %d cases, want 6", n)
	}
	if res, _ := f.get(t, ot, "/caseload?page=3"); res.StatusCode != http.StatusNotFound {
		t.Errorf("page 3 of 2: %d, want 404", res.StatusCode)
	}

	_, body = f.get(t, ot, "/caseload?pathway=ot_led&tier=targeted")
	if !strings.Contains(body, "10 cases") || strings.Contains(body, "Margaret Okonkwo") {
		t.Errorf("filtered by OT-led and targeted, the caseload does not hold exactly the 10 such cases")
	}
	_, body = f.get(t, ot, "/caseload?status=closed")
	if !strings.Contains(body, "No cases match these filters") {
		t.Errorf("no closed cases, but the page does not say so")
	}
	res, body = f.get(t, ot, "/caseload?pathway=bogus")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Select a pathway from the list") {
		t.Errorf("an altered filter: %d, want 400 with the error", res.StatusCode)
	}

	team := f.client(t, cwTeam)
	if _, body = f.get(t, team, "/caseload"); !strings.Contains(body, "You are not on the care team of any case") {
		t.Errorf("Daniel's own caseload is not empty")
	}
	if _, body = f.get(t, team, "/caseload/team?page=2"); !strings.Contains(body, "<title>Team caseload (page 2 of 2) – Linkwell</title>") {
		t.Errorf("Daniel's team caseload does not hold the team's 31 cases")
	}
}

// TestPersonSearch finds people by NHS number or name with date of birth, and only people
// the user has a relationship with.
func TestPersonSearch(t *testing.T) {
	f := newCaseworkFixture(t)
	ot := f.client(t, cwOT)
	byName := "/people/search?" + url.Values{"family_name": {"okonkwo"}, "given_name": {"M"}, "dob-day": {cwBirthDay},
		"dob-month": {cwBirthMonth}, "dob-year": {cwBirthYear}}.Encode()
	link := fmt.Sprintf(`href="/people/%d"`, f.person.ID)
	for _, path := range []string{f.searchQuery(string(f.person.NHSNumber)), f.searchQuery(f.person.NHSNumber.String()), byName} {
		if _, body := f.get(t, ot, path); !strings.Contains(body, link) {
			t.Errorf("%s: does not find Margaret Okonkwo", path)
		}
	}
	none := "No one matching these details is on your caseload or your team's referrals"
	wrongDOB := "/people/search?" + url.Values{"nhs_number": {string(f.person.NHSNumber)}, "dob-day": {"13"},
		"dob-month": {cwBirthMonth}, "dob-year": {cwBirthYear}}.Encode()
	if _, body := f.get(t, ot, wrongDOB); strings.Contains(body, link) || !strings.Contains(body, none) {
		t.Errorf("the NHS number alone matched")
	}
	if _, body := f.get(t, f.client(t, cwOutsider), f.searchQuery(string(f.person.NHSNumber))); strings.Contains(body, link) ||
		!strings.Contains(body, none) {
		t.Errorf("someone with no relationship found the person")
	}
	res, body := f.get(t, ot, "/people/search?nhs_number=&family_name=")
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("empty search: %d, want 400", res.StatusCode)
	}
	for _, want := range []string{"Enter their NHS number, or their last name", "Enter their date of birth", `href="#dob"`, "<title>Error: Find a person"} {
		if !strings.Contains(body, want) {
			t.Errorf("empty search lacks %q", want)
		}
	}
	if _, body = f.get(t, ot, f.searchQuery("999 123 4568")); !strings.Contains(body, "Enter a valid NHS number") {
		t.Errorf("a wrong check digit is not explained")
	}
	if res, body = f.get(t, ot, "/people/search"); res.StatusCode != http.StatusOK || strings.Contains(body, "There is a problem") {
		t.Errorf("the empty form: %d, or it shows errors before a search", res.StatusCode)
	}
	page, err := audit.List(t.Context(), f.DB, audit.Filter{Action: "person.search"})
	if err != nil || page.Total != 5 {
		t.Errorf("audited searches: %d (%v), want the 5 that were run", page.Total, err)
	}
}

// TestPersonReadsAudited checks that each page showing a person's record adds one audited
// read with its basis, and a refusal adds none.
func TestPersonReadsAudited(t *testing.T) {
	f := newCaseworkFixture(t)
	views := func() []audit.Entry {
		t.Helper()
		page, err := audit.List(t.Context(), f.DB, audit.Filter{RecordType: "person", Action: "person.view",
			RecordID: fmt.Sprint(f.person.ID), PerPage: 200})
		if err != nil {
			t.Fatal(err)
		}
		return page.Entries
	}
	visits := []struct {
		who, path, basis string
		status           int
	}{
		{cwOT, fmt.Sprintf("/people/%d", f.person.ID), "basis=care_team", 200},
		{cwOT, fmt.Sprintf("/cases/%d", f.caseID), "basis=care_team", 200},
		{cwTeam, fmt.Sprintf("/cases/%d", f.caseID), "basis=team", 200},
		{cwGP, fmt.Sprintf("/people/%d", f.person.ID), "basis=referrer", 200},
		{cwOutsider, fmt.Sprintf("/people/%d", f.person.ID), "", 403},
		{cwOT, "/caseload", "", 200},
	}
	for _, v := range visits {
		before := len(views())
		res, _ := f.get(t, f.client(t, v.who), v.path)
		if res.StatusCode != v.status {
			t.Fatalf("%s %s: %d, want %d", v.who, v.path, res.StatusCode, v.status)
		}
		after := views()
		switch {
		case v.basis == "" && len(after) != before:
			t.Errorf("%s %s: audited %d reads, want none", v.who, v.path, len(after)-before)
		case v.basis != "" && len(after) != before+1:
			t.Errorf("%s %s: audited %d reads, want 1", v.who, v.path, len(after)-before)
		case v.basis != "" && after[0].Detail != v.basis:
			t.Errorf("%s %s: audited with %q, want %q", v.who, v.path, after[0].Detail, v.basis)
		}
	}
}
