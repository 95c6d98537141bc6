package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/config"
	"github.com/linkwell/linkwell/internal/demo"
	"github.com/linkwell/linkwell/internal/store/storetest"
	"github.com/linkwell/linkwell/internal/web"
)

// newMFAServer runs the real server, wired as `linkwell serve` wires it, on the demo data.
func newMFAServer(t *testing.T, mfa config.MFA) *httptest.Server {
	t.Helper()
	db := storetest.SQLite(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	deps := web.NewDeps(config.Serve{MFA: mfa, MaxBodyBytes: 1 << 20}, db, log, "test")
	if err := demo.Load(t.Context(), deps.Accounts, deps.Orgs); err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

// mfaBrowser is a client with its own cookies that follows redirects, as a browser does.
type mfaBrowser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newMFABrowser(t *testing.T, ts *httptest.Server) *mfaBrowser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &mfaBrowser{t: t, base: ts.URL, c: &http.Client{Jar: jar}}
}

// mfaPage is where a request ended up after redirects.
type mfaPage struct {
	status int
	path   string
	body   string
}

func (b *mfaBrowser) do(req *http.Request, err error) mfaPage {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return mfaPage{status: resp.StatusCode, path: resp.Request.URL.Path, body: string(body)}
}

func (b *mfaBrowser) get(path string) mfaPage {
	b.t.Helper()
	return b.do(http.NewRequest(http.MethodGet, b.base+path, nil))
}

func (b *mfaBrowser) post(path string, form url.Values) mfaPage {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if req != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return b.do(req, err)
}

func (b *mfaBrowser) signIn(email string) mfaPage {
	b.t.Helper()
	return b.post("/login", url.Values{"email": {email}, "password": {demo.Password}})
}

func (b *mfaBrowser) sessionCookie() string {
	u, _ := url.Parse(b.base)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "linkwell_session" {
			return c.Value
		}
	}
	return ""
}

func (p mfaPage) want(t *testing.T, status int, path, text string) {
	t.Helper()
	if p.status != status || p.path != path || !strings.Contains(p.body, text) {
		t.Fatalf("got %d at %s, want %d at %s showing %q; page:\n%s", p.status, p.path, status, path, text, p.body)
	}
}

// wantCodeError checks the NHS error pattern: title prefixed, summary linking to the field,
// and the message on the field.
func (p mfaPage) wantCodeError(t *testing.T, status int, msg string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("got status %d, want %d", p.status, status)
	}
	for _, want := range []string{"<title>Error: ", `<a href="#code">` + msg + `</a>`,
		`id="code-error"><span class="nhsuk-u-visually-hidden">Error:</span> ` + msg} {
		if !strings.Contains(p.body, want) {
			t.Fatalf("page does not show %q; page:\n%s", want, p.body)
		}
	}
}

var (
	mfaSecretPattern   = regexp.MustCompile(`id="totp-secret">([A-Z2-7 ]+)</code>`)
	mfaRecoveryPattern = regexp.MustCompile(`<code class="app-code">([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</code>`)
)

// mfaEnrol sets up two-step verification from the set-up page, as a person would with an app,
// and returns the secret and the recovery codes shown.
func mfaEnrol(t *testing.T, b *mfaBrowser) (string, []string) {
	t.Helper()
	setup := b.get("/account/mfa")
	setup.want(t, http.StatusOK, "/account/mfa", "Enter the 6-digit code from your authenticator app")
	for _, want := range []string{`<svg class="app-qr"`, `role="img"`, "QR code for adding Linkwell to your authenticator app"} {
		if !strings.Contains(setup.body, want) {
			t.Fatalf("set-up page has no %q", want)
		}
	}
	m := mfaSecretPattern.FindStringSubmatch(setup.body)
	if m == nil {
		t.Fatalf("set-up page shows no secret as text; page:\n%s", setup.body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	if len(secret) != 32 || !strings.Contains(m[1], " ") {
		t.Fatalf("secret %q is not 32 characters grouped for reading", m[1])
	}

	b.post("/account/mfa", url.Values{"code": {""}}).wantCodeError(t, http.StatusBadRequest,
		"Enter the 6-digit code from your authenticator app")
	b.post("/account/mfa", url.Values{"code": {mfaWrongCode(t, secret)}}).wantCodeError(t, http.StatusBadRequest,
		"The code is not correct. Check your authenticator app and try again")

	done := b.post("/account/mfa", url.Values{"code": {mfaCode(t, secret, 0)}})
	done.want(t, http.StatusOK, "/account/mfa", "Save your recovery codes")
	var codes []string
	for _, m := range mfaRecoveryPattern.FindAllStringSubmatch(done.body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != 10 {
		t.Fatalf("got %d recovery codes on the page, want 10", len(codes))
	}
	return secret, codes
}

// mfaCode is the app's code for now plus steps time steps.
func mfaCode(t *testing.T, secret string, steps int) string {
	t.Helper()
	code, err := account.TOTPCode(secret, time.Now().Add(time.Duration(steps)*30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// mfaWrongCode is a 6-digit code that no step near now gives.
func mfaWrongCode(t *testing.T, secret string) string {
	t.Helper()
	near := map[string]bool{}
	for d := -2; d <= 2; d++ {
		near[mfaCode(t, secret, d)] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333", "444444", "555555"} {
		if !near[c] {
			return c
		}
	}
	t.Fatal("no wrong code found")
	return ""
}

func TestMFAJourney(t *testing.T) {
	ts := newMFAServer(t, config.MFAOptional)
	b := newMFABrowser(t, ts)
	b.signIn("ot@linkwell.demo").want(t, http.StatusOK, "/", "Welcome, Sarah Okafor")
	b.get("/account").want(t, http.StatusOK, "/account", "Not set up")

	secret, codes := mfaEnrol(t, b)
	b.get("/account").want(t, http.StatusOK, "/account", "10 of 10 unused")
	b.get("/account/mfa").want(t, http.StatusOK, "/account", "Get new recovery codes")

	b.post("/logout", nil).want(t, http.StatusOK, "/login", "You have logged out")
	b.signIn("ot@linkwell.demo").want(t, http.StatusOK, "/login/verify", "Two-step verification")
	b.get("/").want(t, http.StatusOK, "/login/verify", "Enter the 6-digit code from your authenticator app")
	b.get("/account").want(t, http.StatusOK, "/login/verify", "recovery codes")

	b.post("/login/verify", url.Values{"code": {mfaWrongCode(t, secret)}}).wantCodeError(t, http.StatusBadRequest,
		"The code is not correct. Check your authenticator app and try again")
	pending := b.sessionCookie()
	// Enrolment used the current step's code; the next step's is within the allowed drift and
	// not yet used, so the test need not wait for the clock.
	b.post("/login/verify", url.Values{"code": {mfaCode(t, secret, 1)}, "next": {"/account"}}).
		want(t, http.StatusOK, "/account", "Your account")
	if got := b.sessionCookie(); got == "" || got == pending {
		t.Error("the session cookie was not replaced after the second factor")
	}

	b.post("/logout", nil)
	b.signIn("ot@linkwell.demo")
	b.post("/login/verify", url.Values{"code": {strings.ToUpper(codes[0])}}).want(t, http.StatusOK, "/", "Welcome, Sarah Okafor")
	b.get("/account").want(t, http.StatusOK, "/account", "9 of 10 unused")

	b.post("/logout", nil)
	b.signIn("ot@linkwell.demo")
	b.post("/login/verify", url.Values{"code": {codes[0]}}).wantCodeError(t, http.StatusBadRequest,
		"The code is not correct. Check your authenticator app and try again")
	b.post("/login/verify", url.Values{"code": {codes[1]}}).want(t, http.StatusOK, "/", "Welcome, Sarah Okafor")

	fresh := b.post("/account/mfa/recovery-codes", nil)
	fresh.want(t, http.StatusOK, "/account/mfa/recovery-codes", "Your old recovery codes no longer work")
	if n := len(mfaRecoveryPattern.FindAllString(fresh.body, -1)); n != 10 {
		t.Errorf("regenerating showed %d codes, want 10", n)
	}
	b.get("/account").want(t, http.StatusOK, "/account", "10 of 10 unused")
}

func TestMFARequiredForcesEnrolment(t *testing.T) {
	ts := newMFAServer(t, config.MFARequired)
	b := newMFABrowser(t, ts)
	b.signIn("gp@linkwell.demo").want(t, http.StatusOK, "/account/mfa",
		"You need to set up two-step verification before you can use Linkwell")
	for _, path := range []string{"/", "/account", "/admin/users"} {
		b.get(path).want(t, http.StatusOK, "/account/mfa", "Set up two-step verification")
	}
	mfaEnrol(t, b)
	b.get("/").want(t, http.StatusOK, "/", "Welcome, Dr Priya Shah")
	b.get("/account").want(t, http.StatusOK, "/account", "10 of 10 unused")
}

func TestMFARoutesForOthers(t *testing.T) {
	ts := newMFAServer(t, config.MFAOptional)
	tests := []struct {
		name, user, method, path string
		wantStatus               int
		wantPath, wantText       string
	}{
		{"anonymous account page", "", "GET", "/account", 200, "/login", "Sign in to Linkwell"},
		{"anonymous verify page", "", "GET", "/login/verify", 200, "/login", "Sign in to Linkwell"},
		{"anonymous verify", "", "POST", "/login/verify", 200, "/login", "Sign in to Linkwell"},
		{"signed in, verify page", "ot@linkwell.demo", "GET", "/login/verify", 200, "/", "Welcome, Sarah Okafor"},
		{"recovery codes before enrolling", "ot@linkwell.demo", "POST", "/account/mfa/recovery-codes", 409,
			"/account/mfa/recovery-codes", "Set up two-step verification before getting recovery codes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newMFABrowser(t, ts)
			if tt.user != "" {
				b.signIn(tt.user)
			}
			var p mfaPage
			if tt.method == "POST" {
				p = b.post(tt.path, url.Values{"code": {"123456"}})
			} else {
				p = b.get(tt.path)
			}
			p.want(t, tt.wantStatus, tt.wantPath, tt.wantText)
		})
	}
}

func TestAdministratorResetsLostTwoStepVerification(t *testing.T) {
	ts := newMFAServer(t, config.MFARequired)
	user := newMFABrowser(t, ts)
	user.signIn("linkworker@linkwell.demo")
	mfaEnrol(t, user)
	user.get("/").want(t, http.StatusOK, "/", "Welcome, Tom Bennett")

	admin := newMFABrowser(t, ts)
	admin.signIn("admin@linkwell.demo")
	mfaEnrol(t, admin)
	page := admin.get("/admin/users?q=tom")
	id := regexp.MustCompile(`href="/admin/users/(\d+)"`).FindStringSubmatch(page.body)
	if id == nil {
		t.Fatalf("no link to the user in %s", page.body)
	}
	admin.get("/admin/users/"+id[1]).want(t, http.StatusOK, "/admin/users/"+id[1], "Reset two-step verification")
	admin.post("/admin/users/"+id[1]+"/mfa/reset", nil).want(t, http.StatusOK, "/admin/users/"+id[1], "Two-step verification reset")

	// The reset ended their session; at the next sign-in they must enrol again, with no code asked.
	user.get("/").want(t, http.StatusOK, "/login", "Sign in")
	user.signIn("linkworker@linkwell.demo").want(t, http.StatusOK, "/account/mfa", "Set up two-step verification")

	// Only those who manage the user may reset it.
	other := newMFABrowser(t, ts)
	other.signIn("ot@linkwell.demo")
	mfaEnrol(t, other)
	if p := other.post("/admin/users/"+id[1]+"/mfa/reset", nil); p.status != http.StatusForbidden {
		t.Errorf("an OT reset someone's two-step verification: %d", p.status)
	}
}
