package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"rsc.io/qr"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/config"
)

// Two-step verification: the account page, setting up an authenticator app, recovery codes,
// and the second step of signing in.

func (s *Server) mfaRoutes() {
	m := s.mux
	m.HandleFunc("GET /account", s.handleAccount)
	m.HandleFunc("GET /account/mfa", s.handleMFASetup)
	m.HandleFunc("POST /account/mfa", s.handleMFAConfirm)
	m.HandleFunc("POST /account/mfa/recovery-codes", s.handleRecoveryCodes)
	m.HandleFunc("GET /login/verify", s.handleVerifyForm)
	m.HandleFunc("POST /login/verify", s.handleVerify)
}

type accountPage struct {
	MFARequired bool
	CodesLeft   int
}

func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request) {
	u := state(r).user
	p := accountPage{MFARequired: s.Config.MFA == config.MFARequired}
	if u.MFAEnabled {
		var err error
		if p.CodesLeft, err = s.Accounts.RecoveryCodesLeft(r.Context(), u.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "account", s.newView(r, "Your account", p))
}

type mfaSetupPage struct {
	Required bool
	Email    string
	Secret   string // grouped in fours, for typing into an app
	QR       template.HTML
}

func (s *Server) handleMFASetup(w http.ResponseWriter, r *http.Request) {
	if state(r).user.MFAEnabled {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return
	}
	s.showMFASetup(w, r, http.StatusOK, nil)
}

// showMFASetup renders the set-up page with the user's pending secret and any error in the
// code they typed.
func (s *Server) showMFASetup(w http.ResponseWriter, r *http.Request, status int, formErr error) {
	u := state(r).user
	secret, uri, err := s.Accounts.BeginEnrolment(r.Context(), actor(r), u.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	code, err := qrSVG(uri)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "Set up two-step verification", mfaSetupPage{
		Required: s.mustEnrol(u), Email: u.Email, Secret: groupInFours(secret), QR: code,
	})
	v.Form = newForm(nil, formErr)
	s.render(w, r, status, "mfa_setup", v)
}

func (s *Server) handleMFAConfirm(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	codes, err := s.Accounts.ConfirmEnrolment(r.Context(), actor(r), state(r).user.ID, r.PostForm.Get("code"))
	if apperr.Is(err, apperr.Invalid) {
		s.showMFASetup(w, r, statusOf(err), err)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.showRecoveryCodes(w, r, codes, false)
}

// handleRecoveryCodes replaces the signed-in user's recovery codes; the button is the
// confirmation, and the page it sits on says the old codes stop working.
func (s *Server) handleRecoveryCodes(w http.ResponseWriter, r *http.Request) {
	codes, err := s.Accounts.RegenerateRecoveryCodes(r.Context(), actor(r), state(r).user.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.showRecoveryCodes(w, r, codes, true)
}

type recoveryPage struct {
	Codes       []string
	Regenerated bool
}

// showRecoveryCodes shows new recovery codes, the only time they are ever shown.
func (s *Server) showRecoveryCodes(w http.ResponseWriter, r *http.Request, codes []string, regenerated bool) {
	s.render(w, r, http.StatusOK, "mfa_recovery", s.newView(r, "Save your recovery codes",
		recoveryPage{Codes: codes, Regenerated: regenerated}))
}

type verifyPage struct {
	Next string
}

func (s *Server) handleVerifyForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if !state(r).pending {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "mfa_verify", s.newView(r, "Two-step verification", verifyPage{Next: next}))
}

// handleVerify takes the second factor: a code from the authenticator app or a recovery code.
// Success swaps the session cookie for a new token, so the one issued after the password alone
// is no longer worth anything.
func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	st := state(r)
	next := safeNext(r.PostForm.Get("next"))
	if !st.pending {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	token, err := s.Accounts.VerifySecondFactor(r.Context(), st.session, r.PostForm.Get("code"), clientAddress(r))
	switch status := statusOf(err); {
	case err == nil:
		s.setSessionCookie(w, token)
		http.Redirect(w, r, next, http.StatusSeeOther)
	case status == http.StatusUnauthorized:
		s.clearSessionCookie(w)
		http.Redirect(w, r, "/login?expired=1", http.StatusSeeOther)
	case status < 500:
		v := s.newView(r, "Two-step verification", verifyPage{Next: next})
		v.Form = newForm(nil, err)
		s.render(w, r, status, "mfa_verify", v)
	default:
		s.fail(w, r, err)
	}
}

// groupInFours spaces a secret out as "ABCD EFGH ...", which is easier to read and type.
func groupInFours(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// qrSVG draws text as a QR code in SVG, with the four-module quiet zone the standard asks
// for. SVG stays sharp when people zoom in, and needs no image route.
func qrSVG(text string) (template.HTML, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return "", fmt.Errorf("draw QR code: %w", err)
	}
	const quiet, scale = 4, 5
	side := code.Size + 2*quiet
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="app-qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" `+
		`role="img" aria-labelledby="qr-title" shape-rendering="crispEdges">`+
		`<title id="qr-title">QR code for adding Linkwell to your authenticator app</title>`+
		`<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, side, side, side*scale, side*scale, side, side)
	for y := range code.Size {
		for x := 0; x < code.Size; x++ {
			if !code.Black(x, y) {
				continue
			}
			run := 1
			for code.Black(x+run, y) {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+quiet, y+quiet, run, run)
			x += run - 1
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil
}
