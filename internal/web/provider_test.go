package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/demo"
	"github.com/linkwell/linkwell/internal/directory"
	"github.com/linkwell/linkwell/internal/notify"
)

const cwProvider = "provider@linkwell.demo" // Grace Mensah, Northshire Walking for Health

// mailbox records the emails the server sends.
type mailbox struct {
	mu   sync.Mutex
	sent []notify.Email
}

func (m *mailbox) Send(_ context.Context, e notify.Email) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, e)
	return nil
}

func (m *mailbox) all() []notify.Email {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]notify.Email(nil), m.sent...)
}

// providerFixture is the directory fixture with the walking group keeping its demo listings,
// and Margaret Okonkwo's case referred by the OT to one of them (walk) and to a group with no
// account (noAccount), whose link goes to mail.
type providerFixture struct {
	caseworkFixture
	mail      *mailbox
	walk      directory.Service
	walkConn  casework.Connection
	noAccount casework.Connection
}

func newProviderFixture(t *testing.T) providerFixture {
	t.Helper()
	f := providerFixture{caseworkFixture: newDirectoryFixture(t), mail: &mailbox{}}
	f.Server.Mailer = f.mail
	group := f.org(t, demo.WalkingGroup)
	if err := f.Server.Providers.Link(t.Context(), audit.System, group.ID, demo.WalkingGroupDirectoryID); err != nil {
		t.Fatal(err)
	}
	listings, err := f.Server.Providers.Listings(t.Context(), group.ID)
	if err != nil || len(listings) == 0 {
		t.Fatalf("walking group listings: %d, %v", len(listings), err)
	}
	f.walk = listings[0]
	f.walkConn = f.referThroughTheWeb(t, f.walk.ID)
	f.noAccount = f.referThroughTheWeb(t, demo.NoAccountServiceID)
	return f
}

// referThroughTheWeb adds a service to the case from the directory and refers the person to
// it, as the OT does in the browser.
func (f providerFixture) referThroughTheWeb(t *testing.T, serviceID string) casework.Connection {
	t.Helper()
	c := f.client(t, cwOT)
	path := "/cases/" + itoa(f.caseID)
	if res, _ := f.post(t, c, path+"/directory", url.Values{"service": {serviceID}, "action": {"connect"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add %s: %d", serviceID, res.StatusCode)
	}
	conns, _ := f.Server.Cases.Connections(t.Context(), f.caseID)
	cn := conns[0]
	p := connPrefix(cn.ID)
	res, _ := f.post(t, c, path+"/connections/"+itoa(cn.ID)+"/status", url.Values{p + "status": {"referred"}, "version": {itoa(cn.Version)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("refer to %s: %d", serviceID, res.StatusCode)
	}
	cn.Version++
	return cn
}

func TestProviderRoutesRefuseWhoShouldNotReachThem(t *testing.T) {
	f := newProviderFixture(t)
	walkEdit, otherEdit := listingPath(f.walk.ID), listingPath(demo.NoAccountServiceID)
	group := itoa(f.org(t, demo.WalkingGroup).ID)
	for _, tc := range []struct {
		method, path string
		form         url.Values
		who          string
		want         int
	}{
		{"GET", "/provider", nil, cwProvider, 200},
		{"GET", "/provider", nil, cwOT, 403},
		{"GET", "/provider", nil, "servicelead@linkwell.demo", 403},
		{"GET", "/provider/connections", nil, cwProvider, 200},
		{"GET", "/provider/connections", nil, cwTeam, 403},
		{"POST", "/provider/connections/" + itoa(f.walkConn.ID), url.Values{"answer": {"accept"}}, cwOT, 403},
		{"POST", "/provider/connections/" + itoa(f.noAccount.ID), url.Values{"answer": {"accept"}, "version": {itoa(f.noAccount.Version)}}, cwProvider, 404},
		{"GET", walkEdit, nil, cwProvider, 200},
		{"GET", walkEdit, nil, "servicelead@linkwell.demo", 200},
		{"GET", walkEdit, nil, cwOT, 403},
		{"GET", otherEdit, nil, cwProvider, 403},
		{"POST", otherEdit, url.Values{"name": {"Taken over"}}, cwProvider, 403},
		{"POST", "/directory/services/" + f.walk.ID + "/verify", url.Values{}, cwOT, 403},
		{"POST", "/directory/reports/1/resolve", url.Values{"outcome": {"fixed"}}, cwProvider, 403},
		{"GET", "/admin/organisations/" + group + "/listings", nil, "admin@linkwell.demo", 200},
		{"GET", "/admin/organisations/" + group + "/listings", nil, "servicelead@linkwell.demo", 200},
		{"GET", "/admin/organisations/" + group + "/listings", nil, cwProvider, 403},
		{"POST", "/admin/organisations/" + group + "/listings/unlink", url.Values{"directory_organisation": {demo.WalkingGroupDirectoryID}}, cwOT, 403},
	} {
		c := f.client(t, tc.who)
		res, _ := f.do(t, c, tc.method, tc.path, tc.form)
		if res.StatusCode != tc.want {
			t.Errorf("%s %s as %s: %d, want %d", tc.method, tc.path, tc.who, res.StatusCode, tc.want)
		}
	}
	if res, _ := f.get(t, f.anon(), "/provider"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous /provider: %d, want a redirect to sign in", res.StatusCode)
	}
}

func TestAProviderAnswersItsConnections(t *testing.T) {
	f := newProviderFixture(t)
	c := f.client(t, cwProvider)
	res, body := f.get(t, c, "/provider")
	if res.StatusCode != 200 || !strings.Contains(body, f.walk.Name) || !strings.Contains(body, "1 connection is waiting for your answer") {
		t.Fatalf("provider home: %d", res.StatusCode)
	}
	_, body = f.get(t, c, "/provider/connections")
	for _, want := range []string{"Margaret O.", f.walk.Name, "Sarah Okafor", "Through the worker who referred them"} {
		if !strings.Contains(body, want) {
			t.Errorf("connections page lacks %q", want)
		}
	}
	for _, never := range []string{"Okonkwo", f.person.NHSNumber.String(), cwPhone, "1948"} {
		if strings.Contains(body, never) {
			t.Errorf("connections page shows %q", never)
		}
	}

	action := "/provider/connections/" + itoa(f.walkConn.ID)
	version := itoa(f.walkConn.Version)
	res, body = f.post(t, c, action, url.Values{"answer": {"decline"}, "version": {version}})
	reason := connPrefix(f.walkConn.ID) + "reason"
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `href="#`+reason+`"`) || !strings.Contains(body, `id="`+reason+`-error"`) {
		t.Errorf("a decline without a reason: %d, or no error summary linked to the field", res.StatusCode)
	}
	res, _ = f.post(t, c, action, url.Values{"answer": {"accept"}, "version": {version}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/provider/connections?saved=accept" {
		t.Fatalf("accept: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ = f.post(t, c, action, url.Values{"answer": {"accept"}, "version": {version}}); res.StatusCode != http.StatusConflict {
		t.Errorf("accepting again: %d, want 409", res.StatusCode)
	}
	res, _ = f.post(t, c, action, url.Values{"answer": {"attended"}, "version": {itoa(f.walkConn.Version + 1)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first session: %d", res.StatusCode)
	}
	conns, _ := f.Server.Cases.Connections(t.Context(), f.caseID)
	for _, cn := range conns {
		if cn.ID == f.walkConn.ID && cn.Status != casework.ConnFirstAttended {
			t.Errorf("the walk is %s, want first attended", cn.Status)
		}
	}
	unread, _ := f.Server.Inbox.Unread(t.Context(), f.ot.ID)
	if len(unread) < 2 || unread[0].Kind != casework.KindProviderAnswer {
		t.Errorf("the lead's notifications: %+v", unread)
	}
	var reads int
	f.DB.Reader().QueryRow(t.Context(), `SELECT COUNT(*) FROM audit_log WHERE action = 'person.view' AND detail LIKE 'basis=provider %'`).Scan(&reads)
	if reads < 3 {
		t.Errorf("%d audited reads by the provider, want one a page that showed the connection", reads)
	}
}

// orukService reads a service from the open feed, as anyone on the internet would.
func (f providerFixture) orukService(t *testing.T, id string) directory.Service {
	t.Helper()
	res, body := f.get(t, f.anon(), "/oruk/services/"+id)
	var sv directory.Service
	if res.StatusCode != 200 || json.Unmarshal([]byte(body), &sv) != nil {
		t.Fatalf("oruk service: %d", res.StatusCode)
	}
	return sv
}

var versionField = regexp.MustCompile(`name="version" value="([0-9a-f]{64})"`)

func TestAProviderEditsAndChecksItsListing(t *testing.T) {
	f := newProviderFixture(t)
	c := f.client(t, cwProvider)
	path := listingPath(f.walk.ID)
	_, body := f.get(t, c, path)
	m := versionField.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, `value="`+f.walk.Name+`"`) {
		t.Fatal("the edit form has no version or does not start from the listing")
	}
	form := url.Values(directory.EditOf(f.walk).Values())
	form.Set("version", m[1])
	form.Set("capacity", "full")
	form.Set("email", "not an email")
	res, body := f.post(t, c, path, form)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `href="#email"`) || !strings.Contains(body, `value="not an email"`) {
		t.Errorf("a bad email: %d, or the summary or typed value is missing", res.StatusCode)
	}
	form.Set("email", "walks@example.org")
	if res, _ = f.post(t, c, path, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	if sv := f.orukService(t, f.walk.ID); sv.Capacity != directory.CapacityFull || sv.Email != "walks@example.org" || sv.VerifiedBy != "" {
		t.Errorf("the open feed shows capacity %q, email %q, verified by %q", sv.Capacity, sv.Email, sv.VerifiedBy)
	}

	// The same form again names a version that has gone: the form comes back with the typed
	// values, the current version and the reason.
	form.Set("name", "Somebody else's edit")
	res, body = f.post(t, c, path, form)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Someone else changed this listing") ||
		!strings.Contains(body, "Somebody else&#39;s edit") || strings.Contains(body, `value="`+m[1]+`"`) {
		t.Errorf("a stale save: %d", res.StatusCode)
	}
	current := versionField.FindStringSubmatch(body)
	res, _ = f.post(t, c, "/directory/services/"+f.walk.ID+"/verify", url.Values{"version": {current[1]}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "/edit?saved=checked") {
		t.Errorf("still correct: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	full, _ := f.Server.Directory.GetService(t.Context(), directory.Practitioners, f.walk.ID)
	if full.VerifiedBy != "Grace Mensah, "+demo.WalkingGroup || full.Stale(time.Now()) || full.Name != f.walk.Name {
		t.Errorf("after checking: verified by %q, name %q", full.VerifiedBy, full.Name)
	}
}

func TestTheServiceLeadWorksThroughTheFreshnessQueue(t *testing.T) {
	f := newProviderFixture(t)
	worker := f.client(t, cwTeam)
	if res, _ := f.post(t, worker, "/directory/services/"+f.walk.ID+"/reports", url.Values{"reason": {"It moved to Thursdays"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("report: %d", res.StatusCode)
	}
	lead := f.client(t, "servicelead@linkwell.demo")
	if _, body := f.get(t, lead, "/directory/services/"+f.walk.ID); !strings.Contains(body, `href="`+listingPath(f.walk.ID)+`"`) {
		t.Errorf("the service lead is not offered the edit page from the listing")
	}
	if _, body := f.get(t, worker, "/directory/services/"+f.walk.ID); strings.Contains(body, "Check or edit this listing") {
		t.Errorf("a link worker is offered the edit page")
	}
	_, body := f.get(t, lead, "/directory/freshness")
	report := regexp.MustCompile(`action="/directory/reports/(\d+)/resolve"`).FindStringSubmatch(body)
	if report == nil || !strings.Contains(body, "It moved to Thursdays") {
		t.Fatal("the queue does not offer to resolve the report")
	}
	res, _ := f.post(t, lead, "/directory/reports/"+report[1]+"/resolve", url.Values{"outcome": {"fixed"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/directory/freshness?saved=resolved" {
		t.Fatalf("resolve: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = f.get(t, lead, "/directory/freshness?saved=resolved")
	if strings.Contains(body, "It moved to Thursdays") || !strings.Contains(body, "Report resolved") {
		t.Errorf("the resolved report is still in the queue, or no confirmation")
	}
	stale := regexp.MustCompile(`action="/directory/services/([0-9a-f-]{36})/verify"[^>]*>\s*<input type="hidden" name="version" value="([0-9a-f]{64})"`).FindStringSubmatch(body)
	if stale == nil {
		t.Fatal("the queue offers no listing to mark as checked")
	}
	res, _ = f.post(t, lead, "/directory/services/"+stale[1]+"/verify", url.Values{"version": {stale[2]}, "from": {"queue"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/directory/freshness?saved=checked" {
		t.Fatalf("mark as checked: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if _, body = f.get(t, lead, "/directory/freshness"); strings.Contains(body, stale[1]) {
		t.Errorf("the checked listing is still in the queue")
	}
	var audited int
	f.DB.Reader().QueryRow(t.Context(), `SELECT COUNT(*) FROM audit_log WHERE action IN ('directory.report_resolve', 'directory.verify')`).Scan(&audited)
	if audited != 2 {
		t.Errorf("%d audit entries for the resolution and the check, want 2", audited)
	}
}

var mailedLink = regexp.MustCompile(`/provider-link/([A-Za-z0-9_-]{43})`)

func TestASingleUseLinkShowsOneConnectionOnce(t *testing.T) {
	f := newProviderFixture(t)
	sent := f.mail.all()
	if len(sent) != 1 || sent[0].Kind != "provider.link" || strings.Contains(sent[0].Body, "Okonkwo") || strings.Contains(sent[0].Body, "Margaret") {
		t.Fatalf("emails after the referrals: %+v", sent)
	}
	token := mailedLink.FindStringSubmatch(sent[0].Body)[1]
	if !strings.Contains(sent[0].Body, f.URL+"/provider-link/") {
		t.Errorf("the link does not lead back to this server: %q", sent[0].Body)
	}
	anon := f.anon()
	path := "/provider-link/" + token
	res, body := f.get(t, anon, path)
	if res.StatusCode != 200 || !strings.Contains(body, "Margaret O.") || res.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("opening the link: %d, referrer policy %q", res.StatusCode, res.Header.Get("Referrer-Policy"))
	}
	for _, never := range []string{"Okonkwo", f.walk.Name, "Your services", `href="/caseload"`} {
		if strings.Contains(body, never) {
			t.Errorf("the link page shows %q", never)
		}
	}
	version := itoa(f.noAccount.Version)
	res, body = f.post(t, anon, path, url.Values{"answer": {"decline"}, "version": {version}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Enter why you cannot take them") {
		t.Errorf("decline without a reason: %d", res.StatusCode)
	}
	res, _ = f.post(t, anon, path, url.Values{"answer": {"accept"}, "version": {version}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/provider-link/answered?answer=accept" {
		t.Fatalf("accept: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, body = f.get(t, anon, res.Header.Get("Location")); res.StatusCode != 200 || !strings.Contains(body, "You have accepted the referral") {
		t.Errorf("thank-you page: %d", res.StatusCode)
	}
	for _, method := range []string{"GET", "POST"} {
		res, body = f.do(t, anon, method, path, url.Values{"answer": {"decline"}, "reason": {"x"}, "version": {version}})
		if res.StatusCode != http.StatusGone || !strings.Contains(body, "already been used") {
			t.Errorf("%s a used link: %d", method, res.StatusCode)
		}
	}

	// Accepting sent the next link, for the first session; once expired it says so.
	sent = f.mail.all()
	if len(sent) != 2 || !strings.Contains(sent[1].Body, "first session") {
		t.Fatalf("after accepting, emails: %+v", sent)
	}
	next := mailedLink.FindStringSubmatch(sent[1].Body)[1]
	if _, err := f.DB.Exec(t.Context(), `UPDATE provider_links SET expires_at = created_at`); err != nil {
		t.Fatal(err)
	}
	if res, body = f.get(t, anon, "/provider-link/"+next); res.StatusCode != http.StatusGone || !strings.Contains(body, "expired") {
		t.Errorf("an expired link: %d", res.StatusCode)
	}
	if res, body = f.get(t, anon, "/provider-link/"+strings.Repeat("x", 43)); res.StatusCode != http.StatusNotFound || !strings.Contains(body, "not right") {
		t.Errorf("an unknown link: %d", res.StatusCode)
	}
}

func TestGuessingLinksIsSlowedDown(t *testing.T) {
	f := newProviderFixture(t)
	anon := f.anon()
	last := 0
	for i := range linkFailuresAllowed + 1 {
		res, _ := f.get(t, anon, "/provider-link/guess-"+itoa(int64(i)))
		last = res.StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("after %d wrong links: %d, want 429", linkFailuresAllowed, last)
	}
	token := mailedLink.FindStringSubmatch(f.mail.all()[0].Body)[1]
	if res, _ := f.get(t, anon, "/provider-link/"+token); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a real link from a guessing address: %d, want 429", res.StatusCode)
	}
}

func TestAdministratorsChooseWhoKeepsListings(t *testing.T) {
	f := newProviderFixture(t)
	admin := f.client(t, "admin@linkwell.demo")
	group := f.org(t, demo.WalkingGroup)
	path := "/admin/organisations/" + itoa(group.ID) + "/listings"
	_, body := f.get(t, admin, path+"?q=arts")
	dirOrg := regexp.MustCompile(`name="directory_organisation" value="([0-9a-f-]{36})"`).FindAllStringSubmatch(body, -1)
	if len(dirOrg) < 2 || !strings.Contains(body, "Granite City Arts Collective") {
		t.Fatalf("search for arts: %d forms", len(dirOrg))
	}
	artsID := dirOrg[len(dirOrg)-1][1] // the first form is the walking group's own unlink
	res, _ := f.post(t, admin, path, url.Values{"directory_organisation": {artsID}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("link: %d", res.StatusCode)
	}
	// The provider now keeps the arts listings, and gets no emailed link for them.
	if res, _ := f.get(t, f.client(t, cwProvider), listingPath(demo.NoAccountServiceID)); res.StatusCode != 200 {
		t.Errorf("the provider editing a newly kept listing: %d", res.StatusCode)
	}
	pcn := f.org(t, demo.PCN)
	res, body = f.post(t, admin, "/admin/organisations/"+itoa(pcn.ID)+"/listings", url.Values{"directory_organisation": {artsID}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "already keeps these listings") {
		t.Errorf("a second keeper: %d", res.StatusCode)
	}
	if res, _ = f.post(t, admin, path+"/unlink", url.Values{"directory_organisation": {artsID}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("unlink: %d", res.StatusCode)
	}
}

func TestSignpostingListByEmail(t *testing.T) {
	f := newProviderFixture(t)
	c := f.client(t, cwOT)
	res, _ := f.post(t, c, "/cases/"+itoa(f.caseID)+"/directory", url.Values{"service": {f.walk.ID}, "action": {"signpost"}})
	printAt := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(printAt, "/signposting/print?signpost=") {
		t.Fatalf("signpost: %d to %q", res.StatusCode, printAt)
	}
	_, body := f.get(t, c, printAt)
	emailAt := regexp.MustCompile(`href="(/people/\d+/signposting/email\?signpost=\d+)"`).FindStringSubmatch(body)
	if emailAt == nil {
		t.Fatal("the printable list has no link to email it")
	}
	res, body = f.get(t, c, strings.ReplaceAll(emailAt[1], "&amp;", "&"))
	if res.StatusCode != 200 || strings.Contains(body, "on record") {
		t.Errorf("email form: %d; she has no email on record, so it must not be offered", res.StatusCode)
	}
	u, _ := url.Parse(emailAt[1])
	form := url.Values{"signpost": u.Query()["signpost"], "to": {"typed"}, "email": {"margaret at home"}}
	res, body = f.post(t, c, u.Path, form)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `href="#email"`) || !strings.Contains(body, `value="margaret at home"`) {
		t.Errorf("a bad address: %d", res.StatusCode)
	}
	before := len(f.mail.all())
	form.Set("email", "margaret@example.com")
	if res, _ = f.post(t, c, u.Path, form); res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "saved=emailed") {
		t.Fatalf("send: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	sent := f.mail.all()
	if len(sent) != before+1 || sent[before].To != "margaret@example.com" || !strings.Contains(sent[before].Body, f.walk.Name) {
		t.Errorf("emails: %+v", sent[before:])
	}
	if res, _ = f.post(t, f.client(t, cwOutsider), u.Path, form); res.StatusCode != http.StatusForbidden {
		t.Errorf("someone with no relationship emailing her list: %d", res.StatusCode)
	}
}
