package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/demo"
	"github.com/linkwell/linkwell/internal/organisation"
)

// Demo users the administration tests sign in as or act on.
const (
	adminEmail     = "admin@linkwell.demo"
	leadEmail      = "servicelead@linkwell.demo" // service lead of the Riverside PCN
	ownUserEmail   = "daniel.hughes@linkwell.demo"
	otherUserEmail = "aisha.patel@linkwell.demo" // in Riverside Community Connectors
	linkWorker     = "linkworker@linkwell.demo"
)

// refusedRoles are the demo users whose roles give no access to any administration page.
var refusedRoles = []string{
	"gp@linkwell.demo", "ot@linkwell.demo", "linkworker@linkwell.demo", "supervisor@linkwell.demo",
	"safeguarding@linkwell.demo", "commissioner@linkwell.demo", "provider@linkwell.demo",
}

// adminFixture is the demo world plus an agreement the Riverside PCN is not party to.
type adminFixture struct {
	*testServer
	pcn, connectors, walking, council int64
	ownUser, otherUser                int64
	ownAgreement, otherAgreement      int64
}

func newAdminFixture(t *testing.T) adminFixture {
	t.Helper()
	ts := newTestServer(t)
	f := adminFixture{testServer: ts,
		pcn: ts.org(t, demo.PCN).ID, connectors: ts.org(t, demo.Connectors).ID,
		walking: ts.org(t, demo.WalkingGroup).ID, council: ts.org(t, demo.Council).ID,
		ownUser: ts.user(t, ownUserEmail).ID, otherUser: ts.user(t, otherUserEmail).ID,
	}
	list, err := ts.Server.Orgs.Agreements(t.Context(), f.pcn)
	if err != nil || len(list) != 1 {
		t.Fatalf("demo agreement: %v, %d found", err, len(list))
	}
	f.ownAgreement = list[0].ID
	a, err := ts.Server.Orgs.CreateAgreement(t.Context(), audit.System, organisation.AgreementInput{
		Title: "Walking for Health and council", Purpose: "Direct care",
		Starts:   organisation.DateParts{Day: "1", Month: "1", Year: "2025"},
		PartyIDs: []int64{f.walking, f.council},
	})
	if err != nil {
		t.Fatalf("create agreement: %v", err)
	}
	f.otherAgreement = a.ID
	return f
}

type accessCase struct {
	method, path string
	admin, lead  int    // statuses wanted; every other role gets 403, and anonymous a redirect to sign in
	want         string // in the administrator's page
}

// TestAdminAccess runs every administration route as every demo role. POSTs send an empty
// form, so that an allowed user gets a validation error rather than changing anything, except
// disabling, which the matrix undoes straight after.
func TestAdminAccess(t *testing.T) {
	f := newAdminFixture(t)
	id := func(format string, v int64) string { return fmt.Sprintf(format, v) }
	cases := []accessCase{
		{"GET", "/admin/users", 200, 200, "Daniel Hughes"},
		{"GET", "/admin/users?q=daniel&role=link_worker", 200, 200, "Daniel Hughes"},
		{"GET", "/admin/users/new", 200, 200, "Add a user"},
		{"POST", "/admin/users/new", 400, 400, "Enter a full name"},
		{"GET", id("/admin/users/%d", f.ownUser), 200, 200, "Daniel Hughes"},
		{"GET", id("/admin/users/%d", f.otherUser), 200, 403, "Aisha Patel"},
		{"POST", id("/admin/users/%d", f.ownUser), 400, 400, "Enter a full name"},
		{"POST", id("/admin/users/%d", f.otherUser), 400, 403, "Enter a full name"},
		{"POST", id("/admin/users/%d/disable", f.ownUser), 303, 303, ""},
		{"POST", id("/admin/users/%d/enable", f.ownUser), 303, 303, ""},
		{"POST", id("/admin/users/%d/disable", f.otherUser), 303, 403, ""},
		{"POST", id("/admin/users/%d/enable", f.otherUser), 303, 403, ""},
		{"POST", id("/admin/users/%d/password", f.ownUser), 400, 400, "Enter a password"},
		{"POST", id("/admin/users/%d/password", f.otherUser), 400, 403, "Enter a password"},
		{"POST", id("/admin/users/%d/mfa/reset", f.ownUser), 303, 303, ""},
		{"POST", id("/admin/users/%d/mfa/reset", f.otherUser), 303, 403, ""},
		{"GET", "/admin/users/abc", 404, 404, "Page not found"},
		{"GET", "/admin/users/99999", 404, 404, "Page not found"},
		{"POST", "/admin/users/99999/disable", 404, 404, "Page not found"},

		{"GET", "/admin/organisations", 200, 200, demo.Council},
		{"GET", "/admin/organisations/new", 200, 403, "Add an organisation"},
		{"POST", "/admin/organisations/new", 400, 403, "Enter the organisation&#39;s name"},
		{"GET", id("/admin/organisations/%d", f.pcn), 200, 200, "U90001"},
		{"GET", id("/admin/organisations/%d", f.connectors), 200, 200, "Link Worker Team"},
		{"POST", id("/admin/organisations/%d", f.pcn), 400, 400, "Select the type of organisation"},
		{"POST", id("/admin/organisations/%d", f.connectors), 400, 403, "Select the type of organisation"},
		{"POST", id("/admin/organisations/%d/teams", f.pcn), 400, 400, "Enter the team&#39;s name"},
		{"POST", id("/admin/organisations/%d/teams", f.connectors), 400, 403, "Enter the team&#39;s name"},
		{"GET", "/admin/organisations/x1", 404, 404, "Page not found"},

		{"GET", "/admin/agreements", 200, 200, "Riverside social prescribing data-sharing agreement"},
		{"GET", "/admin/agreements/new", 200, 200, "Record a data-sharing agreement"},
		{"POST", "/admin/agreements/new", 400, 400, "Enter a title for the agreement"},
		{"GET", id("/admin/agreements/%d", f.ownAgreement), 200, 200, "Direct care: referral"},
		{"GET", id("/admin/agreements/%d", f.otherAgreement), 200, 403, "Walking for Health and council"},
		{"POST", id("/admin/agreements/%d", f.ownAgreement), 400, 400, "Enter a title for the agreement"},
		{"POST", id("/admin/agreements/%d", f.otherAgreement), 400, 403, "Enter a title for the agreement"},
		{"GET", "/admin/agreements/99999", 404, 404, "Page not found"},

		{"GET", "/admin/audit", 200, 403, "user.create"},
	}
	clients := map[string]*http.Client{adminEmail: f.client(t, adminEmail), leadEmail: f.client(t, leadEmail)}
	for _, email := range refusedRoles {
		clients[email] = f.client(t, email)
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path, func(t *testing.T) {
			var form url.Values
			if c.method == http.MethodPost {
				form = url.Values{}
			}
			check := func(who string, want int, contains string) {
				t.Helper()
				res, body := f.do(t, clients[who], c.method, c.path, form)
				if res.StatusCode != want {
					t.Fatalf("%s: status %d, want %d", who, res.StatusCode, want)
				}
				if contains != "" && !strings.Contains(body, contains) {
					t.Errorf("%s: page lacks %q", who, contains)
				}
			}
			check(adminEmail, c.admin, c.want)
			lead := ""
			if c.lead == c.admin {
				lead = c.want
			}
			check(leadEmail, c.lead, lead)
			for _, email := range refusedRoles {
				check(email, http.StatusForbidden, "You do not have permission")
			}
			res, _ := f.do(t, f.anon(), c.method, c.path, form)
			if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
				t.Errorf("anonymous: %d to %q, want 303 to /login", res.StatusCode, loc)
			}
		})
	}
}

// userForm is a complete, valid user form.
func userForm(name, email string, org int64, roles ...string) url.Values {
	return url.Values{"name": {name}, "email": {email}, "password": {demo.Password},
		"organisation": {fmt.Sprint(org)}, "roles": roles}
}

func TestAdminCreatesUser(t *testing.T) {
	f := newAdminFixture(t)
	admin := f.client(t, adminEmail)
	teams, err := f.Server.Orgs.Teams(t.Context(), f.connectors)
	if err != nil || len(teams) != 1 {
		t.Fatalf("connectors' teams: %v %v", teams, err)
	}
	pcnTeam := f.org(t, demo.PCN).Teams[0].ID

	res, body := f.post(t, admin, "/admin/users/new", url.Values{"email": {"not-an-email"}, "password": {"tooshort12"}})
	mustStatus(t, res, http.StatusBadRequest)
	mustContain(t, body, "Error: Add a user", "Enter a full name", "Enter an email address in the correct format",
		"Password must be 12 characters or more", "Select at least one role", `value="not-an-email"`, `href="#roles"`)
	if strings.Contains(body, "tooshort12") {
		t.Error("the page shows the password that was typed")
	}

	form := userForm("Jo Bloggs", "jo.bloggs@linkwell.demo", f.connectors, "link_worker", "supervisor")
	form["teams"] = []string{fmt.Sprint(pcnTeam)}
	res, body = f.post(t, admin, "/admin/users/new", form)
	mustStatus(t, res, http.StatusBadRequest)
	mustContain(t, body, "Select only teams in the user&#39;s organisation", `value="Jo Bloggs"`)

	form["teams"] = []string{fmt.Sprint(teams[0].ID)}
	res, _ = f.post(t, admin, "/admin/users/new", form)
	mustStatus(t, res, http.StatusSeeOther)
	jo := f.user(t, "jo.bloggs@linkwell.demo")
	mustRedirect(t, res, fmt.Sprintf("/admin/users/%d?saved=1", jo.ID))
	_, body = f.get(t, admin, res.Header.Get("Location"))
	mustContain(t, body, "User saved", "<h1>Jo Bloggs</h1>", "Link worker, Supervisor", demo.Connectors+" – Link Worker Team")

	res, body = f.post(t, admin, "/admin/users/new", userForm("Jo Again", "JO.BLOGGS@linkwell.demo", f.connectors, "link_worker"))
	mustStatus(t, res, http.StatusConflict)
	mustContain(t, body, "A user with this email address already exists", `value="Jo Again"`)

	f.client(t, "jo.bloggs@linkwell.demo") // the new user can sign in
	_, body = f.get(t, admin, fmt.Sprintf("/admin/audit?action=user.create&record=%d", jo.ID))
	mustContain(t, body, `<span class="app-code">user.create</span>`, "admin@linkwell.demo", "roles=link_worker,supervisor")
}

func TestServiceLeadLimits(t *testing.T) {
	f := newAdminFixture(t)
	lead := f.client(t, leadEmail)
	daniel := f.user(t, ownUserEmail)

	_, body := f.get(t, lead, "/admin/users")
	mustContain(t, body, "Daniel Hughes", "Fatima Hussain")
	mustLack(t, body, "Aisha Patel", "Alex Morgan", `id="organisation"`)
	_, body = f.get(t, lead, fmt.Sprintf("/admin/users?organisation=%d", f.connectors))
	mustLack(t, body, "Aisha Patel")

	_, body = f.get(t, lead, "/admin/users/new")
	mustLack(t, body, `value="administrator"`, "None (administrators only)", "Link Worker Team")
	mustContain(t, body, "Personalised Care Team")

	edit := func(id int64, org int64, roles ...string) *http.Response {
		form := userForm("Someone", "someone@linkwell.demo", org, roles...)
		form.Set("version", fmt.Sprint(daniel.Version))
		res, _ := f.post(t, lead, fmt.Sprintf("/admin/users/%d", id), form)
		return res
	}
	mustStatus(t, edit(f.otherUser, f.connectors, "link_worker"), http.StatusForbidden)
	mustStatus(t, edit(f.ownUser, f.pcn, "link_worker", "administrator"), http.StatusForbidden)
	mustStatus(t, edit(f.ownUser, f.connectors, "link_worker"), http.StatusForbidden)
	if got := f.user(t, ownUserEmail); got.Version != daniel.Version || got.OrganisationID != f.pcn {
		t.Errorf("a refused edit changed the user: %+v", got)
	}
	res, _ := f.post(t, lead, "/admin/users/new", userForm("New", "new1@linkwell.demo", f.connectors, "link_worker"))
	mustStatus(t, res, http.StatusForbidden)
	res, _ = f.post(t, lead, "/admin/users/new", userForm("New", "new2@linkwell.demo", f.pcn, "administrator"))
	mustStatus(t, res, http.StatusForbidden)
	res, _ = f.post(t, lead, fmt.Sprintf("/admin/users/%d/disable", f.user(t, adminEmail).ID), url.Values{})
	mustStatus(t, res, http.StatusForbidden)
	res, _ = f.post(t, lead, "/admin/users/new", userForm("New Starter", "new3@linkwell.demo", f.pcn, "link_worker"))
	mustStatus(t, res, http.StatusSeeOther)

	_, body = f.get(t, lead, "/admin/agreements")
	mustContain(t, body, "Riverside social prescribing data-sharing agreement")
	mustLack(t, body, "Walking for Health and council")
	agreement := url.Values{"title": {"Ours"}, "purpose": {"Direct care"}, "starts-day": {"1"}, "starts-month": {"1"}, "starts-year": {"2026"},
		"parties": {fmt.Sprint(f.walking), fmt.Sprint(f.council)}}
	res, _ = f.post(t, lead, "/admin/agreements/new", agreement)
	mustStatus(t, res, http.StatusForbidden)
	a, err := f.Server.Orgs.Agreement(t.Context(), f.ownAgreement)
	if err != nil {
		t.Fatal(err)
	}
	agreement.Set("version", fmt.Sprint(a.Version))
	res, _ = f.post(t, lead, fmt.Sprintf("/admin/agreements/%d", f.ownAgreement), agreement)
	mustStatus(t, res, http.StatusForbidden)
	agreement["parties"] = append(agreement["parties"], fmt.Sprint(f.pcn))
	res, _ = f.post(t, lead, fmt.Sprintf("/admin/agreements/%d", f.ownAgreement), agreement)
	mustStatus(t, res, http.StatusSeeOther)

	_, body = f.get(t, lead, fmt.Sprintf("/admin/organisations/%d", f.connectors))
	mustLack(t, body, "Save changes", "Add team")
	_, body = f.get(t, lead, fmt.Sprintf("/admin/organisations/%d", f.pcn))
	mustContain(t, body, "Save changes", "Add team")
}

func TestUserEditConflict(t *testing.T) {
	f := newAdminFixture(t)
	admin, lead := f.client(t, adminEmail), f.client(t, leadEmail)
	daniel := f.user(t, ownUserEmail)
	form := func(name string) url.Values {
		v := userForm(name, ownUserEmail, f.pcn, "link_worker")
		v.Set("version", fmt.Sprint(daniel.Version))
		return v
	}
	res, _ := f.post(t, lead, fmt.Sprintf("/admin/users/%d", daniel.ID), form("Daniel First"))
	mustStatus(t, res, http.StatusSeeOther)
	res, body := f.post(t, admin, fmt.Sprintf("/admin/users/%d", daniel.ID), form("Daniel Second"))
	mustStatus(t, res, http.StatusConflict)
	mustContain(t, body, "Someone else changed this user while you were editing it", `value="Daniel Second"`,
		"<h1>Daniel First</h1>", fmt.Sprintf(`name="version" value="%d"`, daniel.Version+1))

	// Saving again from the conflict page is a deliberate overwrite.
	again := form("Daniel Second")
	again.Set("version", fmt.Sprint(daniel.Version+1))
	res, _ = f.post(t, admin, fmt.Sprintf("/admin/users/%d", daniel.ID), again)
	mustStatus(t, res, http.StatusSeeOther)
	if got := f.user(t, ownUserEmail).Name; got != "Daniel Second" {
		t.Errorf("name is %q after the deliberate overwrite", got)
	}
	_, body = f.get(t, admin, fmt.Sprintf("/admin/audit?action=user.update&record=%d", daniel.ID))
	mustContain(t, body, "servicelead@linkwell.demo", "admin@linkwell.demo", "2 entries")
}

func TestDisablingEndsSessions(t *testing.T) {
	f := newAdminFixture(t)
	admin := f.client(t, adminEmail)
	worker := f.client(t, linkWorker)
	id := f.user(t, linkWorker).ID
	res, _ := f.get(t, worker, "/")
	mustStatus(t, res, http.StatusOK)

	res, _ = f.post(t, admin, fmt.Sprintf("/admin/users/%d/disable", id), url.Values{})
	mustRedirect(t, res, fmt.Sprintf("/admin/users/%d?saved=disabled", id))
	_, body := f.get(t, admin, res.Header.Get("Location"))
	mustContain(t, body, "Account disabled", "Enable this account", "nhsuk-tag--grey")

	res, _ = f.get(t, worker, "/")
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Fatalf("disabled user's next request: %d to %q, want 303 to /login", res.StatusCode, loc)
	}
	res, _ = f.post(t, f.anon(), "/login", url.Values{"email": {linkWorker}, "password": {demo.Password}})
	if res.StatusCode == http.StatusSeeOther {
		t.Fatal("a disabled user signed in")
	}

	res, _ = f.post(t, admin, fmt.Sprintf("/admin/users/%d/enable", id), url.Values{})
	mustRedirect(t, res, fmt.Sprintf("/admin/users/%d?saved=enabled", id))
	f.client(t, linkWorker)

	self := f.user(t, adminEmail).ID
	res, body = f.post(t, admin, fmt.Sprintf("/admin/users/%d/disable", self), url.Values{})
	mustStatus(t, res, http.StatusBadRequest)
	mustContain(t, body, "You cannot disable your own account")

	_, body = f.get(t, admin, fmt.Sprintf("/admin/audit?type=user&record=%d", id))
	mustContain(t, body, `<span class="app-code">user.disable</span>`, `<span class="app-code">user.enable</span>`)
}

func TestAdminSetsPassword(t *testing.T) {
	f := newAdminFixture(t)
	admin := f.client(t, adminEmail)
	worker := f.client(t, linkWorker)
	id := f.user(t, linkWorker).ID
	path := fmt.Sprintf("/admin/users/%d/password", id)

	res, body := f.post(t, admin, path, url.Values{"password": {"short"}})
	mustStatus(t, res, http.StatusBadRequest)
	mustContain(t, body, "Password must be 12 characters or more", `aria-describedby="password-hint password-error"`)

	res, _ = f.post(t, admin, path, url.Values{"password": {"a brand new passphrase"}})
	mustRedirect(t, res, fmt.Sprintf("/admin/users/%d?saved=password", id))
	res, _ = f.get(t, worker, "/")
	mustStatus(t, res, http.StatusSeeOther)
	res, _ = f.post(t, f.anon(), "/login", url.Values{"email": {linkWorker}, "password": {"a brand new passphrase"}})
	mustRedirect(t, res, "/")
	_, body = f.get(t, admin, fmt.Sprintf("/admin/audit?action=user.password&record=%d", id))
	mustContain(t, body, `<span class="app-code">user.password</span>`)
}

func TestOrganisationPages(t *testing.T) {
	f := newAdminFixture(t)
	admin, lead := f.client(t, adminEmail), f.client(t, leadEmail)

	res, body := f.post(t, admin, "/admin/organisations/new", url.Values{"type": {"gp_practice"}})
	mustStatus(t, res, http.StatusBadRequest)
	mustContain(t, body, "Enter the organisation&#39;s name", "Enter the ODS code: every GP practice has one",
		`<option value="gp_practice" selected>`)

	res, _ = f.post(t, admin, "/admin/organisations/new", url.Values{"name": {"Eastgate Surgery"}, "type": {"gp_practice"}, "ods_code": {"y90009"}})
	mustStatus(t, res, http.StatusSeeOther)
	org := f.org(t, "Y90009")
	mustRedirect(t, res, fmt.Sprintf("/admin/organisations/%d?saved=1", org.ID))
	_, body = f.get(t, admin, res.Header.Get("Location"))
	mustContain(t, body, "Organisation saved", "<h1>Eastgate Surgery</h1>", "Y90009")

	res, body = f.post(t, admin, "/admin/organisations/new", url.Values{"name": {"Copy"}, "type": {"gp_practice"}, "ods_code": {"Y90009"}})
	mustStatus(t, res, http.StatusConflict)
	mustContain(t, body, "An organisation with this name or ODS code already exists", `value="Copy"`)

	path := fmt.Sprintf("/admin/organisations/%d", f.pcn)
	pcn := f.org(t, demo.PCN)
	edit := url.Values{"name": {demo.PCN}, "type": {"pcn"}, "ods_code": {"U90001"}, "version": {fmt.Sprint(pcn.Version)}}
	res, _ = f.post(t, lead, path, edit)
	mustRedirect(t, res, path+"?saved=1")
	edit.Set("name", "Riverside PCN typed")
	res, body = f.post(t, admin, path, edit)
	mustStatus(t, res, http.StatusConflict)
	mustContain(t, body, "Someone else changed this organisation", `value="Riverside PCN typed"`)

	res, body = f.post(t, lead, path+"/teams", url.Values{"team_name": {"  "}})
	mustStatus(t, res, http.StatusBadRequest)
	mustContain(t, body, "Enter the team&#39;s name", `value="`+demo.PCN+`"`)
	res, _ = f.post(t, lead, path+"/teams", url.Values{"team_name": {"Frailty Team"}})
	mustRedirect(t, res, path+"?saved=team")
	_, body = f.get(t, lead, path+"?saved=team")
	mustContain(t, body, "Team added", "<li>Frailty Team</li>")
	res, body = f.post(t, lead, path+"/teams", url.Values{"team_name": {"Frailty Team"}})
	mustStatus(t, res, http.StatusConflict)
	mustContain(t, body, "This organisation already has a team with this name", `value="Frailty Team"`)

	_, body = f.get(t, admin, "/admin/audit?type=organisation")
	mustContain(t, body, `<span class="app-code">organisation.create</span>`, `<span class="app-code">organisation.update</span>`)
	_, body = f.get(t, admin, "/admin/audit?action=team.create&actor="+fmt.Sprint(f.user(t, leadEmail).ID))
	mustContain(t, body, "1 entry", "servicelead@linkwell.demo")
}

func TestAgreementPages(t *testing.T) {
	f := newAdminFixture(t)
	admin := f.client(t, adminEmail)
	form := url.Values{"title": {""}, "purpose": {""}, "starts-day": {"31"}, "starts-month": {"2"}, "starts-year": {"2026"},
		"parties": {fmt.Sprint(f.walking)}}
	res, body := f.post(t, admin, "/admin/agreements/new", form)
	mustStatus(t, res, http.StatusBadRequest)
	mustContain(t, body, "Enter a title for the agreement", "Enter the purpose of the agreement",
		"Start date must be a real date", "Select at least two organisations that share data",
		`name="starts-day" type="text" inputmode="numeric" value="31"`, `value="`+fmt.Sprint(f.walking)+`" checked`)

	form["parties"] = []string{"x"}
	res, body = f.post(t, admin, "/admin/agreements/new", form)
	mustStatus(t, res, http.StatusBadRequest)
	mustContain(t, body, "Select organisations from the list")

	form = url.Values{"title": {"Walking referrals"}, "purpose": {"Direct care"},
		"starts-day": {"1"}, "starts-month": {"4"}, "starts-year": {"2025"},
		"ends-day": {"31"}, "ends-month": {"3"}, "ends-year": {"2026"},
		"parties": {fmt.Sprint(f.walking), fmt.Sprint(f.connectors)}}
	res, _ = f.post(t, admin, "/admin/agreements/new", form)
	mustStatus(t, res, http.StatusSeeOther)
	loc := res.Header.Get("Location")
	_, body = f.get(t, admin, loc)
	mustContain(t, body, "Data-sharing agreement saved", "<h1>Walking referrals</h1>", "31 March 2026",
		demo.Connectors+", "+demo.WalkingGroup)

	path := strings.TrimSuffix(loc, "?saved=1")
	form.Set("version", "1")
	form.Set("ends-year", "2024")
	res, body = f.post(t, admin, path, form)
	mustStatus(t, res, http.StatusBadRequest)
	mustContain(t, body, "End date must be the same as or after the start date", `value="2024"`)

	_, body = f.get(t, admin, "/admin/audit?action=agreement.create")
	mustContain(t, body, "admin@linkwell.demo", "parties=")
}

func TestAuditLogPage(t *testing.T) {
	f := newAdminFixture(t)
	admin := f.client(t, adminEmail)
	for _, q := range []struct{ query, want string }{
		{"actor=abc", "User ID must be a number"},
		{"record=x", "Record ID must be a number"},
		{"from-day=40&from-month=1&from-year=2026", "Date from must be a real date"},
		{"from-day=2&from-month=1&from-year=2026&to-day=1&to-month=1&to-year=2026", "Date to must be the same as or after date from"},
	} {
		res, body := f.get(t, admin, "/admin/audit?"+q.query)
		mustStatus(t, res, http.StatusBadRequest)
		mustContain(t, body, "There is a problem", q.want, "<title>Error: Audit log")
		mustLack(t, body, "<table")
	}

	for i := range 60 {
		if _, err := f.Server.Orgs.AddTeam(t.Context(), audit.System, f.council, fmt.Sprintf("Team %02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	_, body := f.get(t, admin, "/admin/audit")
	mustContain(t, body, "<title>Audit log (page 1 of 2)", `aria-current="page">1</a>`, `href="/admin/audit?page=2"`)
	_, body = f.get(t, admin, "/admin/audit?action=team.create&page=2")
	mustContain(t, body, "<title>Audit log (page 2 of 2)", `href="/admin/audit?action=team.create&amp;page=1"`, `<option value="team.create" selected>`)
	res, _ := f.get(t, admin, "/admin/audit?page=9")
	mustStatus(t, res, http.StatusNotFound)

	_, body = f.get(t, admin, "/admin/audit?action=agreement.create")
	mustContain(t, body, "2 entries", "agreement 1", "system")
	mustLack(t, body, `<span class="app-code">team.create</span>`)
	_, body = f.get(t, admin, "/admin/audit?from-day=1&from-month=1&from-year=2200")
	mustContain(t, body, "No entries match")
}

func mustStatus(t *testing.T, res *http.Response, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d", res.Request.Method, res.Request.URL.Path, res.StatusCode, want)
	}
}

func mustRedirect(t *testing.T, res *http.Response, to string) {
	t.Helper()
	mustStatus(t, res, http.StatusSeeOther)
	if got := res.Header.Get("Location"); got != to {
		t.Fatalf("%s %s: redirected to %q, want %q", res.Request.Method, res.Request.URL.Path, got, to)
	}
}

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func mustLack(t *testing.T, body string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(body, u) {
			t.Errorf("page has %q", u)
		}
	}
}
