package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/config"
)

// cookieName is the session cookie. Over TLS the __Host- prefix makes the browser insist on
// Secure, path / and no Domain, so a sibling site cannot plant one.
func (s *Server) cookieName() string {
	if s.Config.TLS() {
		return "__Host-linkwell_session"
	}
	return "linkwell_session"
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(), Value: token, Path: "/",
		HttpOnly: true, Secure: s.Config.TLS(), SameSite: http.SameSiteLaxMode,
		MaxAge: int(account.AbsoluteTimeout / time.Second),
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.Config.TLS(), SameSite: http.SameSiteLaxMode,
	})
}

// loadSession finds the signed-in user and keeps everyone else out of everything but the
// open pages. A session that still owes its second factor, or a user who must enrol in
// two-step verification first, reaches only those pages.
func (s *Server) loadSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := state(r)
		expired := false
		if c, err := r.Cookie(s.cookieName()); err == nil && c.Value != "" {
			sess, u, err := s.Accounts.Authenticate(r.Context(), c.Value)
			switch {
			case err == nil:
				st.user, st.session = u, sess
				st.signed = sess.MFAPassed
				st.pending = !sess.MFAPassed
			case apperr.Is(err, apperr.Unauthorised):
				s.clearSessionCookie(w)
				expired = true
			default:
				s.fail(w, r, err)
				return
			}
		}
		path := r.URL.Path
		switch {
		case isOpen(path):
		case st.pending:
			if !strings.HasPrefix(path, "/login/") && path != "/logout" {
				http.Redirect(w, r, "/login/verify", http.StatusSeeOther)
				return
			}
		case !st.signed:
			s.refuseAnonymous(w, r, expired)
			return
		case s.mustEnrol(st.user) && !strings.HasPrefix(path, "/account/mfa") && path != "/logout" && path != "/session/keepalive":
			http.Redirect(w, r, "/account/mfa", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// mustEnrol reports whether the deployment requires two-step verification and the user has
// not set it up yet.
func (s *Server) mustEnrol(u account.User) bool {
	return s.Config.MFA == config.MFARequired && !u.MFAEnabled
}

func (s *Server) refuseAnonymous(w http.ResponseWriter, r *http.Request, expired bool) {
	if isAPI(r) {
		s.fail(w, r, apperr.New(apperr.Unauthorised, "Sign in first: this API needs a session or a bearer token"))
		return
	}
	if strings.HasPrefix(r.URL.Path, "/login/") {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	q := url.Values{}
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		q.Set("next", r.URL.RequestURI())
	}
	if expired {
		q.Set("expired", "1")
	}
	target := "/login"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
