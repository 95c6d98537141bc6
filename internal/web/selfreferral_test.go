package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/demo"
	"github.com/linkwell/linkwell/internal/referral"
)

// selfReferralWorld is a server with one service that takes self-referrals and one that does
// not, and a clock the test moves on so that forms are not sent back impossibly fast.
type selfReferralWorld struct {
	*testServer
	open, closed referral.ReceivingService
	skew         *atomic.Int64
}

func newSelfReferralWorld(t *testing.T) selfReferralWorld {
	t.Helper()
	ts := newTestServer(t)
	pcn := ts.org(t, demo.PCN)
	mk := func(name string, self bool) referral.ReceivingService {
		svc, err := ts.Server.Referrals.CreateService(t.Context(), audit.System, referral.ServiceInput{
			OrganisationID: pcn.ID, Name: name, Inclusion: "Adults living in Riverside", ResponseDays: 3, AcceptsSelfReferral: self})
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	w := selfReferralWorld{testServer: ts, open: mk("Riverside social prescribing", true), closed: mk("Falls clinic", false),
		skew: new(atomic.Int64)}
	ts.Server.selfReferral.now = func() time.Time { return time.Now().Add(time.Duration(w.skew.Load())) }
	return w
}

var tokenPattern = regexp.MustCompile(`name="token" value="([^"]+)"`)

// form fetches the public page as c and returns a complete, valid request, with the clock
// then moved on as if the person took a minute to fill it in.
func (w selfReferralWorld) form(t *testing.T, c *http.Client) url.Values {
	t.Helper()
	res, body := w.get(t, c, "/self-referral")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /self-referral without signing in: %d", res.StatusCode)
	}
	m := tokenPattern.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the self-referral form has no token")
	}
	w.skew.Add(int64(time.Minute))
	return url.Values{"token": {m[1]}, "service": {itoa(w.open.ID)}, "given_name": {"Iris"}, "family_name": {"Murdoch"},
		"dob-day": {"15"}, "dob-month": {"7"}, "dob-year": {"1958"}, "postcode": {"ls6 2aa"}, "phone": {"07700 900456"},
		"needs": {"loneliness", "physical_activity"}, "details": {"I have not been out much since my husband died"},
		"consent": {"yes"}, "gp_sharing": {"codes_only"}}
}

func (w selfReferralWorld) referrals(t *testing.T) int {
	t.Helper()
	var n int
	if err := w.DB.Reader().QueryRow(t.Context(), `SELECT COUNT(*) FROM referrals`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSelfReferral: a member of the public, with no account, sends a request that lands as a
// self-referral needing triage, with no NHS number, and is told what happens next.
func TestSelfReferral(t *testing.T) {
	w := newSelfReferralWorld(t)
	c := w.anon()
	_, body := w.get(t, c, "/self-referral")
	if !strings.Contains(body, w.open.Name) || strings.Contains(body, w.closed.Name) {
		t.Errorf("the public page should offer only services that take self-referrals")
	}
	res, _ := w.post(t, c, "/self-referral", w.form(t, c))
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/self-referral/sent?") {
		t.Fatalf("sending the request: %d to %q", res.StatusCode, loc)
	}
	list, err := w.Server.Referrals.List(t.Context(), referral.Filter{ServiceIDs: []int64{w.open.ID}})
	if err != nil || len(list) != 1 {
		t.Fatalf("referrals after a self-referral: %d (%v), want 1", len(list), err)
	}
	r := list[0]
	if r.Source != referral.SourceSelf || r.Status != referral.StatusRequested || r.ReferrerID != 0 || r.ReferrerName != "" {
		t.Errorf("the self-referral landed as %+v", r)
	}
	p, err := w.Server.People.Get(t.Context(), r.PersonID)
	if err != nil || p.Name() != "Iris Murdoch" || p.NHSNumber != "" || p.Postcode != "LS6 2AA" {
		t.Errorf("the person from a self-referral: %+v (%v)", p, err)
	}
	_, body = w.get(t, c, loc)
	if !strings.Contains(body, "LW-"+itoa(r.ID)) || !strings.Contains(body, "within 3 working days") {
		t.Errorf("the confirmation lacks the reference or the response time")
	}
}

// TestSelfReferralRefusals: each way a request can be wrong gets a clear message with the
// answers kept, and nothing is saved.
func TestSelfReferralRefusals(t *testing.T) {
	w := newSelfReferralWorld(t)
	cases := []struct {
		name   string
		change func(url.Values)
		status int
		want   string
	}{
		{"no way to contact them", func(v url.Values) { v.Del("phone") }, http.StatusBadRequest, "Enter a phone number or an email address"},
		{"no consent", func(v url.Values) { v.Del("consent") }, http.StatusBadRequest, "Confirm you are happy for us to contact you"},
		{"no needs", func(v url.Values) { v.Del("needs") }, http.StatusBadRequest, "Select at least one thing you would like help with"},
		{"bad NHS number", func(v url.Values) { v.Set("nhs_number", "943 476 5910") }, http.StatusBadRequest, "NHS number"},
		{"no name", func(v url.Values) { v.Del("given_name") }, http.StatusBadRequest, "Enter your first name"},
		{"impossible date", func(v url.Values) { v.Set("dob-month", "13") }, http.StatusBadRequest, "Date of birth"},
		{"a service that does not take self-referrals", func(v url.Values) { v.Set("service", itoa(w.closed.ID)) }, http.StatusBadRequest, "Select a service from the list"},
		{"forged token", func(v url.Values) { v.Set("token", "1700000000000.forged") }, http.StatusBadRequest, "This form has expired"},
		{"no token", func(v url.Values) { v.Del("token") }, http.StatusBadRequest, "This form has expired"},
		{"too long", func(v url.Values) { v.Set("details", strings.Repeat("x", 5000)) }, http.StatusBadRequest, "4000 characters or fewer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := w.anon()
			v := w.form(t, c)
			tc.change(v)
			res, body := w.post(t, c, "/self-referral", v)
			if res.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("got %d, want %d with %q", res.StatusCode, tc.status, tc.want)
			}
			if !strings.Contains(body, `value="Murdoch"`) {
				t.Errorf("the refused form lost what was typed")
			}
			if n := w.referrals(t); n != 0 {
				t.Errorf("a refused request saved %d referrals", n)
			}
		})
	}
}

// TestSelfReferralFloodAndBots: a form sent back faster than anyone could fill it in is
// refused, a filled-in honeypot is thanked and dropped, and one address is limited.
func TestSelfReferralFloodAndBots(t *testing.T) {
	w := newSelfReferralWorld(t)
	c := w.anon()
	v := w.form(t, c)
	w.skew.Add(-int64(time.Minute) + int64(time.Second))
	if res, body := w.post(t, c, "/self-referral", v); res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "check your answers") {
		t.Errorf("a form sent back after one second: %d", res.StatusCode)
	}
	v = w.form(t, c)
	v.Set("website", "http://spam.example")
	if res, _ := w.post(t, c, "/self-referral", v); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a bot filling the honeypot should be thanked: %d", res.StatusCode)
	}
	if n := w.referrals(t); n != 0 {
		t.Fatalf("the honeypot post or the hasty one saved %d referrals", n)
	}
	for i := range 3 {
		v := w.form(t, c)
		v.Set("given_name", "Flood"+string(rune('a'+i)))
		if res, _ := w.post(t, c, "/self-referral", v); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("request %d from one address: %d, want 303", i+1, res.StatusCode)
		}
	}
	res, body := w.post(t, c, "/self-referral", w.form(t, c))
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "a lot of requests from here") {
		t.Errorf("the fourth request in ten minutes from one address: %d, want 429", res.StatusCode)
	}
	if n := w.referrals(t); n != 3 {
		t.Errorf("%d referrals saved, want the 3 within the limit", n)
	}
	w.skew.Add(int64(11 * time.Minute))
	if res, _ := w.post(t, c, "/self-referral", w.form(t, c)); res.StatusCode != http.StatusSeeOther {
		t.Errorf("after ten minutes the address may send again: %d", res.StatusCode)
	}
}

// TestSelfReferralForSomeoneKnown: a self-referral by someone already known never joins their
// record (the public must not learn who is known); the triager is warned instead.
func TestSelfReferralForSomeoneKnown(t *testing.T) {
	w := newSelfReferralWorld(t)
	c := w.anon()
	for range 2 {
		if res, _ := w.post(t, c, "/self-referral", w.form(t, c)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("self-referral: %d", res.StatusCode)
		}
	}
	list, err := w.Server.Referrals.List(t.Context(), referral.Filter{ServiceIDs: []int64{w.open.ID}})
	if err != nil || len(list) != 2 || list[0].PersonID == list[1].PersonID {
		t.Fatalf("two self-referrals with the same details: %+v (%v), want two people", list, err)
	}
	lead := w.client(t, "servicelead@linkwell.demo")
	_, body := w.get(t, lead, referralPath(list[1].ID))
	if !strings.Contains(body, "This person may already be known") || !strings.Contains(body, "1 other record has the same name") {
		t.Errorf("the triager is not warned of the possible duplicate")
	}
}
