package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/audit"
)

// TestCoreRoutes is the scenario table for the routes every user meets: sign-in, home, the
// operational endpoints, the API's refusals, assets and error pages.
func TestCoreRoutes(t *testing.T) {
	ts := newTestServer(t)
	clients := map[string]*http.Client{"": ts.anon()}
	clientFor := func(who string) *http.Client {
		if c, ok := clients[who]; ok {
			return c
		}
		clients[who] = ts.client(t, who)
		return clients[who]
	}
	cases := []struct {
		method, path, who string
		status            int
		want              string // in the body, or the Location header for redirects
	}{
		{"GET", "/login", "", 200, "Sign in to Linkwell"},
		{"GET", "/", "", 303, "/login"},
		{"GET", "/admin/users?role=referrer", "", 303, "/login?next=%2Fadmin%2Fusers%3Frole%3Dreferrer"},
		{"GET", "/account", "", 303, "/login?next=%2Faccount"},
		{"GET", "/no-such-page", "", 303, "/login?next=%2Fno-such-page"},
		{"POST", "/logout", "", 303, "/login"},
		{"GET", "/api/v1/me", "", 401, `"code": "unauthorised"`},
		{"GET", "/api/v1/organisations", "", 401, `"status": 401`},
		{"GET", "/healthz", "", 200, "ok"},
		{"GET", "/readyz", "", 200, "ready"},
		{"GET", "/metrics", "", 200, "go_goroutines"},
		{"GET", "/accessibility", "", 200, "Accessibility statement"},
		{"GET", "/privacy", "", 200, "Privacy notice"},
		{"GET", "/assets/dist/nhsuk-frontend.min.css", "", 200, "nhsuk"},
		{"GET", "/assets/images/favicon.svg", "", 200, "<svg"},
		{"GET", "/assets/app.js", "", 200, "initAll"},
		{"GET", "/assets/no-such-file.js", "", 404, ""},
		{"GET", "/login", "ot@linkwell.demo", 303, "/"},
		{"GET", "/", "admin@linkwell.demo", 200, "Alex Morgan"},
		{"GET", "/", "gp@linkwell.demo", 200, "Dr Priya Shah <span class=\"app-header__role\">(Referrer)</span>"},
		{"GET", "/", "ot@linkwell.demo", 200, "Occupational therapist"},
		{"GET", "/", "linkworker@linkwell.demo", 200, "Riverside Community Connectors"},
		{"GET", "/", "supervisor@linkwell.demo", 200, "Occupational therapist, Supervisor"},
		{"GET", "/", "safeguarding@linkwell.demo", 200, "Safeguarding lead"},
		{"GET", "/", "servicelead@linkwell.demo", 200, `href="/admin/users"`},
		{"GET", "/", "commissioner@linkwell.demo", 200, "Commissioner"},
		{"GET", "/", "provider@linkwell.demo", 200, "Community provider"},
		{"GET", "/no-such-page", "ot@linkwell.demo", 404, "Page not found"},
		{"DELETE", "/", "ot@linkwell.demo", 405, "This page cannot do that"},
		{"GET", "/api/v1/me", "ot@linkwell.demo", 200, `"email": "ot@linkwell.demo"`},
		{"GET", "/api/v1/organisations", "ot@linkwell.demo", 403, `"code": "forbidden"`},
		{"GET", "/api/v1/organisations", "servicelead@linkwell.demo", 200, "Riverside Medical Centre"},
		{"GET", "/api/v1/no-such-thing", "ot@linkwell.demo", 404, `"code": "not found"`},
	}
	for _, c := range cases {
		t.Run(c.method+" "+c.path+" as "+c.who, func(t *testing.T) {
			res, body := ts.do(t, clientFor(c.who), c.method, c.path, nil)
			if res.StatusCode != c.status {
				t.Fatalf("status %d, want %d; body %.500s", res.StatusCode, c.status, body)
			}
			if c.status == http.StatusSeeOther {
				if got := res.Header.Get("Location"); got != c.want {
					t.Errorf("redirect to %q, want %q", got, c.want)
				}
				return
			}
			if !strings.Contains(body, c.want) {
				t.Errorf("body lacks %q: %.1000s", c.want, body)
			}
			if c.status == http.StatusMethodNotAllowed && !strings.Contains(res.Header.Get("Allow"), "GET") {
				t.Errorf("405 without an Allow header naming GET: %q", res.Header.Get("Allow"))
			}
		})
	}
}

var scriptTag = regexp.MustCompile(`<script[^>]*>`)

func TestEveryResponseCarriesSecurityHeaders(t *testing.T) {
	ts := newTestServer(t)
	c := ts.client(t, "ot@linkwell.demo")
	for _, path := range []string{"/", "/no-such-page", "/account"} {
		res, body := ts.get(t, c, path)
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self' 'nonce-", "frame-ancestors 'none'", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		nonce := regexp.MustCompile(`'nonce-([^']+)'`).FindStringSubmatch(csp)
		for _, tag := range scriptTag.FindAllString(body, -1) {
			if !strings.Contains(tag, `src="`) && (nonce == nil || !strings.Contains(tag, `nonce="`+nonce[1]+`"`)) {
				t.Errorf("%s: inline script without this response's nonce: %s", path, tag)
			}
		}
		for header, want := range map[string]string{
			"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
			"Referrer-Policy": "same-origin", "Cache-Control": "no-store",
		} {
			if got := h.Get(header); got != want {
				t.Errorf("%s: %s = %q, want %q", path, header, got, want)
			}
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS sent over plain HTTP", path)
		}
		if h.Get("X-Request-Id") == "" {
			t.Errorf("%s: no request ID", path)
		}
	}
}

func TestSessionCookieAndSignInLifecycle(t *testing.T) {
	ts := newTestServer(t)
	u, _ := url.Parse(ts.URL)
	c := ts.anon()
	// A session identifier planted before sign-in must not survive it.
	c.Jar.SetCookies(u, []*http.Cookie{{Name: "linkwell_session", Value: "planted-by-an-attacker"}})
	res, _ := ts.post(t, c, "/login", url.Values{"email": {"linkworker@linkwell.demo"}, "password": {"Linkwell-demo-2026"}, "next": {"/account"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account" {
		t.Fatalf("sign in: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	set := res.Header.Get("Set-Cookie")
	for _, want := range []string{"linkwell_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(set, want) {
			t.Errorf("Set-Cookie %q lacks %s", set, want)
		}
	}
	if strings.Contains(set, "planted-by-an-attacker") || strings.Contains(set, "Secure") {
		t.Errorf("Set-Cookie %q keeps the planted value or is Secure over HTTP", set)
	}
	token := c.Jar.Cookies(u)[0].Value

	res, body := ts.do(t, c, http.MethodPost, "/session/keepalive", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("keep-alive without JavaScript: %d %s", res.StatusCode, body)
	}

	if res, _ := ts.post(t, c, "/logout", url.Values{}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?signedout=1" {
		t.Fatalf("log out: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	// The old token is dead on the server, not just forgotten by the browser.
	replay := ts.anon()
	replay.Jar.SetCookies(u, []*http.Cookie{{Name: "linkwell_session", Value: token}})
	res, _ = ts.get(t, replay, "/")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?expired=1" {
		t.Errorf("replayed token after log out: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	page, err := audit.List(t.Context(), ts.DB, audit.Filter{ActorID: ts.user(t, "linkworker@linkwell.demo").ID})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range page.Entries {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, ",") != "signout,signin" {
		t.Errorf("audit entries by the user, newest first: %v", actions)
	}
}

func TestBadInputGetsAClearAnswer(t *testing.T) {
	ts := newTestServer(t)
	u, _ := url.Parse(ts.URL)

	t.Run("wrong password", func(t *testing.T) {
		res, body := ts.post(t, ts.anon(), "/login", url.Values{"email": {"ot@linkwell.demo"}, "password": {"not-the-password"}})
		wantPage(t, res, body, http.StatusUnauthorized, "<title>Error: Sign in – Linkwell</title>", `<a href="#email">Enter a correct email address and password</a>`, `value="ot@linkwell.demo"`)
		if strings.Contains(body, "not-the-password") {
			t.Error("the page repeats the password")
		}
	})
	t.Run("unknown account looks the same", func(t *testing.T) {
		res, body := ts.post(t, ts.anon(), "/login", url.Values{"email": {"nobody@linkwell.demo"}, "password": {"not-the-password"}})
		wantPage(t, res, body, http.StatusUnauthorized, "Enter a correct email address and password")
	})
	t.Run("empty form", func(t *testing.T) {
		res, body := ts.post(t, ts.anon(), "/login", url.Values{})
		wantPage(t, res, body, http.StatusBadRequest, "<title>Error: Sign in", `href="#email">Enter your email address`, `href="#password">Enter your password`)
	})
	t.Run("malformed form", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/login", strings.NewReader("email=%zz"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := ts.anon().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("status %d, want 400", res.StatusCode)
		}
	})
	t.Run("oversized body", func(t *testing.T) {
		res, body := ts.post(t, ts.anon(), "/login", url.Values{"email": {strings.Repeat("a", 2<<20)}})
		wantPage(t, res, body, http.StatusRequestEntityTooLarge, "too large")
	})
	t.Run("forged session cookie", func(t *testing.T) {
		c := ts.anon()
		c.Jar.SetCookies(u, []*http.Cookie{{Name: "linkwell_session", Value: "forged"}})
		res, _ := ts.get(t, c, "/admin/users")
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?expired=1&next=%2Fadmin%2Fusers" {
			t.Errorf("forged cookie: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		if !strings.Contains(res.Header.Get("Set-Cookie"), "Max-Age=0") {
			t.Errorf("the forged cookie was not cleared: %q", res.Header.Get("Set-Cookie"))
		}
	})
	t.Run("cross-site POST", func(t *testing.T) {
		c := ts.client(t, "admin@linkwell.demo")
		for name, header := range map[string][2]string{
			"fetch metadata": {"Sec-Fetch-Site", "cross-site"},
			"origin":         {"Origin", "https://evil.example"},
		} {
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/logout", strings.NewReader(""))
			req.Header.Set(header[0], header[1])
			res, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s: cross-site log out got %d, want 403", name, res.StatusCode)
			}
		}
		if res, _ := ts.get(t, c, "/"); res.StatusCode != http.StatusOK {
			t.Errorf("the refused cross-site POST still ended the session: %d", res.StatusCode)
		}
	})
	t.Run("throttled after repeated failures", func(t *testing.T) {
		c := ts.anon()
		var res *http.Response
		var body string
		for range 7 {
			res, body = ts.post(t, c, "/login", url.Values{"email": {"supervisor@linkwell.demo"}, "password": {"guess-guess-guess"}})
		}
		wantPage(t, res, body, http.StatusTooManyRequests, "too many attempts to sign in. Wait")
		// Even the right password waits: the throttle does not reveal what it guards.
		res, _ = ts.post(t, c, "/login", url.Values{"email": {"supervisor@linkwell.demo"}, "password": {"Linkwell-demo-2026"}})
		if res.StatusCode != http.StatusTooManyRequests {
			t.Errorf("right password while throttled: %d, want 429", res.StatusCode)
		}
	})
	t.Run("open redirect refused", func(t *testing.T) {
		res, _ := ts.post(t, ts.anon(), "/login", url.Values{"email": {"gp@linkwell.demo"}, "password": {"Linkwell-demo-2026"}, "next": {"//evil.example/x"}})
		if res.Header.Get("Location") != "/" {
			t.Errorf("next=//evil.example redirected to %q", res.Header.Get("Location"))
		}
	})
}

func wantPage(t *testing.T, res *http.Response, body string, status int, wants ...string) {
	t.Helper()
	if res.StatusCode != status {
		t.Errorf("status %d, want %d", res.StatusCode, status)
	}
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q: %.1500s", w, body)
		}
	}
}
