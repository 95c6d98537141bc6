package web

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
)

// middleware wraps the router: request IDs, recovery, logging and metrics, security headers,
// body limits, cross-origin protection, and the session.
func (s *Server) middleware(mux *http.ServeMux) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, apperr.New(apperr.Forbidden, "This request came from another website, so it was refused. Go back, reload the page and try again."))
	}))
	var h http.Handler = http.HandlerFunc(s.dispatch)
	h = s.loadSession(h)
	h = cop.Handler(h)
	h = s.limitBody(h)
	h = s.securityHeaders(h)
	h = allowAnyOrigin(h)
	h = s.observe(h)
	return h
}

// dispatch finds the route, so that unknown paths and wrong methods get Linkwell's own pages.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	// The mux serves matched routes itself: only ServeHTTP fills in r.PathValue.
	if _, pattern := s.mux.Handler(r); pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	if allowed := s.allowedMethods(r); len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		s.fail(w, r, &apperr.Error{Kind: apperr.Invalid, Message: "This page does not accept that kind of request", Op: "method"})
		return
	}
	s.fail(w, r, apperr.New(apperr.NotFound, "Page not found"))
}

func (s *Server) allowedMethods(r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		r2 := r.Clone(r.Context())
		r2.Method = m
		if _, p := s.mux.Handler(r2); p != "" {
			out = append(out, m)
		}
	}
	return out
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe gives each request an ID, recovers panics, and logs and counts the request by its
// route pattern. Nothing about the person whose record was used is logged: the path is left
// out because it can carry identifiers, the pattern is logged instead.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		st := &reqState{id: newID(), nonce: newNonce()}
		if _, p := s.mux.Handler(r); p != "" {
			st.route = p
		} else {
			st.route = "unmatched"
		}
		r = withState(r, st)
		sw := &statusWriter{ResponseWriter: w}
		sw.Header().Set("X-Request-Id", st.id)
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.Log.Error("panic", "request_id", st.id, "route", st.route, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if !sw.wrote {
					s.fail(sw, r, errors.New("panic"))
				}
			}
			d := time.Since(start)
			s.Metrics.Observe(r.Method, st.route, sw.status, d)
			if !strings.HasPrefix(st.route, "GET /assets/") && st.route != "GET /healthz" && st.route != "GET /metrics" {
				s.Log.Info("request", "request_id", st.id, "method", r.Method, "route", st.route,
					"status", sw.status, "duration_ms", float64(d.Microseconds())/1000, "user_id", st.user.ID)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func newNonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b) // CSP accepts base64url, and it needs no escaping in HTML
}

// securityHeaders sets the headers every response carries. Scripts run only from our own
// origin or with this response's nonce.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'nonce-"+state(r).nonce+"'; "+
			"style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "+
			"frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if s.Config.TLS() {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if !strings.HasPrefix(r.URL.Path, "/assets/") {
			// Pages can hold personal data: no shared or back-button caches.
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody refuses request bodies over the configured size. The route that takes directory
// uploads has a limit of its own, and explains it on its form.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := s.Config.MaxBodyBytes
		if state(r).route == importUploadRoute {
			limit = maxImportUploadBytes
		} else if r.ContentLength > limit {
			s.fail(w, r, errTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

var errTooLarge = &apperr.Error{Kind: apperr.Invalid, Op: "body", Message: "What you sent is too large. Send less, or split it into smaller parts."}

// isAPI reports whether a request is for the JSON API, which answers errors in JSON and 401s
// rather than redirecting to the sign-in page.
func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || isORUK(r.URL.Path) || r.URL.Path == "/oauth/token"
}

// openPaths need no session, nor does the open directory feed under /oruk, nor a provider's
// single-use link.
var openPaths = []string{"/login", "/healthz", "/readyz", "/metrics", "/accessibility", "/privacy",
	"/self-referral", "/self-referral/sent", "/oauth/token"}

func isOpen(path string) bool {
	return slices.Contains(openPaths, path) || strings.HasPrefix(path, "/assets/") || isORUK(path) || isProviderLink(path) || isMeasureLink(path) || isFHIR(path)
}
