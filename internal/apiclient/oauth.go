package apiclient

import (
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
)

// TokenEndpoint answers POST /oauth/token: the OAuth 2.0 client credentials grant (RFC 6749
// §4.4), with the client proving itself by its secret (HTTP Basic or in the body) or by a
// signed JWT assertion (RFC 7523).
type TokenEndpoint struct {
	Clients *Service
	Log     *slog.Logger
	// URL is this endpoint's own address as a client reaches it, the audience of assertions.
	URL func(*http.Request) string
	// Address is the caller's address for the audit log.
	Address func(*http.Request) string
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

type tokenErrorResponse struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func (e TokenEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok, basic, err := e.token(r)
	if err != nil {
		e.refuse(w, r, err, basic)
		return
	}
	writeNoStore(w, http.StatusOK, tokenResponse{AccessToken: tok.AccessToken, TokenType: "Bearer",
		ExpiresIn: int(tok.ExpiresIn.Seconds()), Scope: ScopeString(tok.Scopes)})
}

func invalidRequest(desc string) error {
	return &TokenError{Code: "invalid_request", Description: desc}
}

// token reads the request and asks for a token; basic reports whether the client used HTTP
// Basic, which changes how a refusal is answered.
func (e TokenEndpoint) token(r *http.Request) (Token, bool, error) {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		return Token{}, false, invalidRequest("send the request form-encoded (application/x-www-form-urlencoded)")
	}
	if err := r.ParseForm(); err != nil {
		return Token{}, false, invalidRequest("the form could not be read")
	}
	f := r.PostForm
	if gt := f.Get("grant_type"); gt != "client_credentials" {
		if gt == "" {
			return Token{}, false, invalidRequest("grant_type is required: client_credentials")
		}
		return Token{}, false, &TokenError{Code: "unsupported_grant_type", Description: "only client_credentials is supported"}
	}
	user, pass, basic := r.BasicAuth()
	methods := 0
	for _, used := range []bool{basic, f.Has("client_secret"), f.Has("client_assertion")} {
		if used {
			methods++
		}
	}
	if methods != 1 {
		return Token{}, basic, invalidRequest("authenticate the client one way: HTTP Basic, client_secret, or client_assertion")
	}
	scope, addr := f.Get("scope"), e.Address(r)
	switch {
	case basic:
		// RFC 6749 §2.3.1: the id and secret are form-encoded before Basic encoding.
		id, err1 := url.QueryUnescape(user)
		secret, err2 := url.QueryUnescape(pass)
		if err1 != nil || err2 != nil {
			return Token{}, true, errBadClient
		}
		tok, err := e.Clients.IssueForSecret(r.Context(), id, secret, scope, addr)
		return tok, true, err
	case f.Has("client_secret"):
		tok, err := e.Clients.IssueForSecret(r.Context(), f.Get("client_id"), f.Get("client_secret"), scope, addr)
		return tok, false, err
	}
	if f.Get("client_assertion_type") != AssertionType {
		return Token{}, false, invalidRequest("client_assertion_type must be " + AssertionType)
	}
	tok, err := e.Clients.IssueForAssertion(r.Context(), f.Get("client_assertion"), e.URL(r), scope, addr)
	return tok, false, err
}

func (e TokenEndpoint) refuse(w http.ResponseWriter, r *http.Request, err error, basic bool) {
	var te *TokenError
	if !errors.As(err, &te) {
		e.Log.Error("token request failed", "err", err)
		writeNoStore(w, http.StatusInternalServerError, tokenErrorResponse{Error: "server_error"})
		return
	}
	status := http.StatusBadRequest
	if te.Code == "invalid_client" {
		status = http.StatusUnauthorized
		if basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="linkwell"`)
		}
	}
	writeNoStore(w, status, tokenErrorResponse{Error: te.Code, Description: te.Description})
}

// writeNoStore writes a token endpoint reply, which must never be cached (RFC 6749 §5.1).
func writeNoStore(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
