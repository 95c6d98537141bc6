package web

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestOverTLS checks what changes when Linkwell serves HTTPS: a Secure, __Host- cookie and HSTS.
func TestOverTLS(t *testing.T) {
	ts := newTestServer(t)
	ts.Server.Config.TLSCert, ts.Server.Config.TLSKey = "cert.pem", "key.pem"
	hs := httptest.NewTLSServer(ts.Server)
	defer hs.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(hs.URL+"/login", url.Values{"email": {"ot@linkwell.demo"}, "password": {"Linkwell-demo-2026"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	set := res.Header.Get("Set-Cookie")
	for _, want := range []string{"__Host-linkwell_session=", "Secure", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(set, want) {
			t.Errorf("Set-Cookie %q lacks %s", set, want)
		}
	}
	if hsts := res.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=") {
		t.Errorf("no HSTS over TLS: %q", hsts)
	}
	res, err = c.Get(hs.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("signed-in page over TLS: %d", res.StatusCode)
	}
}

// TestDatabaseFailure checks that a broken database gives the 500 page and not-ready, never
// a half-rendered page or access that should have been refused.
func TestDatabaseFailure(t *testing.T) {
	ts := newTestServer(t)
	c := ts.client(t, "admin@linkwell.demo")
	if res, _ := ts.get(t, c, "/readyz"); res.StatusCode != http.StatusOK {
		t.Fatalf("readyz before: %d", res.StatusCode)
	}
	ts.DB.Close()
	res, body := ts.get(t, c, "/admin/users")
	wantPage(t, res, body, http.StatusInternalServerError, "Sorry, there is a problem with the service", "</html>")
	if strings.Contains(body, "sql:") || strings.Contains(body, "database is closed") {
		t.Errorf("the 500 page shows the internal cause: %.500s", body)
	}
	res, body = ts.get(t, ts.anon(), "/readyz")
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "not ready") {
		t.Errorf("readyz with the database gone: %d %q", res.StatusCode, body)
	}
	if res, _ := ts.get(t, ts.anon(), "/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("healthz should not depend on the database: %d", res.StatusCode)
	}
	res, body = ts.get(t, c, "/api/v1/me")
	if res.StatusCode != http.StatusInternalServerError || !strings.Contains(body, `"code": "internal"`) {
		t.Errorf("API with the database gone: %d %s", res.StatusCode, body)
	}
}

func TestReadyzDuringShutdown(t *testing.T) {
	ts := newTestServer(t)
	ts.Server.SetReady(false)
	if res, body := ts.get(t, ts.anon(), "/readyz"); res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "shutting down") {
		t.Errorf("readyz while shutting down: %d %q", res.StatusCode, body)
	}
}

func TestKeepAliveReportsSecondsLeft(t *testing.T) {
	ts := newTestServer(t)
	c := ts.client(t, "ot@linkwell.demo")
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/session/keepalive", nil)
	req.Header.Set("Accept", "application/json")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		ExpiresIn int `json:"expires_in"`
	}
	err = json.NewDecoder(res.Body).Decode(&body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK || body.ExpiresIn < 1790 || body.ExpiresIn > 1800 {
		t.Errorf("keep-alive: %d, %+v, %v; want about 1800 seconds left", res.StatusCode, body, err)
	}
}
