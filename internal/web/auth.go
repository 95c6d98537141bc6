package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
)

type loginPage struct {
	Next      string
	Expired   bool
	SignedOut bool
	Demo      bool
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if state(r).signed {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	q := r.URL.Query()
	s.render(w, r, http.StatusOK, "login", s.newView(r, "Sign in", loginPage{
		Next: safeNext(q.Get("next")), Expired: q.Get("expired") == "1",
		SignedOut: q.Get("signedout") == "1", Demo: s.Config.Demo,
	}))
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	email, password := r.PostForm.Get("email"), r.PostForm.Get("password")
	next := safeNext(r.PostForm.Get("next"))
	var fields apperr.Fields
	if email == "" {
		fields.Add("email", "Enter your email address")
	}
	if password == "" {
		fields.Add("password", "Enter your password")
	}
	err := fields.Err()
	var res signInOutcome
	if err == nil {
		res, err = s.signIn(r, email, password)
	}
	if err != nil {
		status := statusOf(err)
		if apperr.Is(err, apperr.Unauthorised) {
			// The summary links to the email field, as the service manual's sign-in pattern does.
			err = apperr.Fields{{Field: "email", Message: err.(*apperr.Error).Message}}.Err()
			status = http.StatusUnauthorized
		} else if status >= 500 {
			s.fail(w, r, err)
			return
		}
		v := s.newView(r, "Sign in", loginPage{Next: next, Demo: s.Config.Demo})
		v.Form = newForm(values{"email": {email}}, err)
		s.render(w, r, status, "login", v)
		return
	}
	s.setSessionCookie(w, res.token)
	switch {
	case res.needsMFA:
		http.Redirect(w, r, "/login/verify?next="+url.QueryEscape(next), http.StatusSeeOther)
	default:
		http.Redirect(w, r, next, http.StatusSeeOther)
	}
}

type signInOutcome struct {
	token    string
	needsMFA bool
}

func (s *Server) signIn(r *http.Request, email, password string) (signInOutcome, error) {
	res, err := s.Accounts.SignIn(r.Context(), email, password, clientAddress(r))
	if err != nil {
		return signInOutcome{}, err
	}
	// A session cookie from before sign-in is simply replaced: the new token was minted now,
	// which renews the session identifier at every sign-in.
	return signInOutcome{token: res.Token, needsMFA: res.NeedsMFA}, nil
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	if st.session.TokenHash != "" {
		if err := s.Accounts.SignOut(r.Context(), actor(r), st.session); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/login?signedout=1", http.StatusSeeOther)
}

// handleKeepAlive is the "Stay signed in" button: the session middleware has already checked
// the session, so recording activity is all that is left.
func (s *Server) handleKeepAlive(w http.ResponseWriter, r *http.Request) {
	expires, err := s.Accounts.KeepAlive(r.Context(), state(r).session)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.Header.Get("Accept") == "application/json" {
		// Seconds remaining rather than a time, so that a browser whose clock is wrong still
		// warns at the right moment.
		writeJSON(w, http.StatusOK, map[string]any{"expires_in": int(time.Until(expires) / time.Second)})
		return
	}
	back := r.Referer()
	if u, err := url.Parse(back); err != nil || u.Host != r.Host {
		back = "/"
	} else {
		back = safeNext(u.RequestURI())
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// parseForm reads a form body, answering a clear error when it is too large or malformed.
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if asMaxBytes(err, &tooLarge) {
			s.fail(w, r, errTooLarge)
		} else {
			s.fail(w, r, apperr.New(apperr.Invalid, "The form could not be read. Go back and try again."))
		}
		return false
	}
	return true
}
