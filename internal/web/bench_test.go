package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// benchRequest signs in once and returns a request for path carrying the session cookie.
func benchRequest(b *testing.B, ts *testServer, email, path string) *http.Request {
	b.Helper()
	form := url.Values{"email": {email}, "password": {"Linkwell-demo-2026"}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	ts.Server.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		b.Fatalf("sign in: %d", rec.Code)
	}
	out := httptest.NewRequest(http.MethodGet, path, nil)
	for _, c := range rec.Result().Cookies() {
		out.AddCookie(c)
	}
	return out
}

// BenchmarkPages measures the server's own time for the pages the foundation's performance
// bar names, without network or client: run with
// go test ./internal/web -run '^$' -bench Pages -benchtime 5s
func BenchmarkPages(b *testing.B) {
	ts := newTestServer(b)
	for _, c := range []struct{ name, email, path string }{
		{"home_signed_in", "ot@linkwell.demo", "/"},
		{"login_page", "", "/login"},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, c.path, nil)
			if c.email != "" {
				req = benchRequest(b, ts, c.email, c.path)
			}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					rec := httptest.NewRecorder()
					ts.Server.ServeHTTP(rec, req.Clone(req.Context()))
					if rec.Code != http.StatusOK {
						b.Errorf("status %d", rec.Code)
						return
					}
				}
			})
		})
	}
}
