package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/config"
	"github.com/linkwell/linkwell/internal/demo"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// testServer is the whole web server over a fresh SQLite database holding the demo data,
// listening on a random local port.
type testServer struct {
	URL    string
	DB     *store.DB
	Server *Server
}

// newTestServer builds the server as `linkwell serve --demo` does, with two-step verification
// optional so that demo users sign in with their password alone.
func newTestServer(t testing.TB) *testServer {
	t.Helper()
	db := storetest.SQLite(t)
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	deps := NewDeps(config.Serve{MFA: config.MFAOptional, MaxBodyBytes: 1 << 20, Demo: true}, db, log, "test")
	if err := demo.Load(t.Context(), deps.Accounts, deps.Orgs); err != nil {
		t.Fatalf("load demo data: %v", err)
	}
	srv, err := New(deps)
	if err != nil {
		t.Fatalf("new server: %v", err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &testServer{URL: hs.URL, DB: db, Server: srv}
}

// anon is a browser with no session: it keeps cookies and does not follow redirects.
func (ts *testServer) anon() *http.Client {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

// client is a browser signed in as the demo user with that email address.
func (ts *testServer) client(t *testing.T, email string) *http.Client {
	t.Helper()
	c := ts.anon()
	res, _ := ts.post(t, c, "/login", url.Values{"email": {email}, "password": {demo.Password}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("sign in as %s: got %d to %q, want 303 to /", email, res.StatusCode, res.Header.Get("Location"))
	}
	return c
}

// get fetches a path and returns the response with its body read.
func (ts *testServer) get(t *testing.T, c *http.Client, path string) (*http.Response, string) {
	t.Helper()
	return ts.do(t, c, http.MethodGet, path, nil)
}

// post submits a form as a browser on this site would.
func (ts *testServer) post(t *testing.T, c *http.Client, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	return ts.do(t, c, http.MethodPost, path, form)
}

func (ts *testServer) do(t *testing.T, c *http.Client, method, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return res, string(b)
}

// user returns the user with that email address as stored now.
func (ts *testServer) user(t *testing.T, email string) account.User {
	t.Helper()
	u, err := ts.Server.Accounts.UserByEmail(t.Context(), email)
	if err != nil {
		t.Fatalf("user %s: %v", email, err)
	}
	return u
}

// org returns the organisation with that name, ODS code or id.
func (ts *testServer) org(t *testing.T, ref string) organisation.Organisation {
	t.Helper()
	o, err := ts.Server.Orgs.Resolve(t.Context(), ref)
	if err != nil {
		t.Fatalf("organisation %s: %v", ref, err)
	}
	return o
}
