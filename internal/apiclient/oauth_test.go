package apiclient

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestTokenEndpoint(t *testing.T) {
	sg := newSigner(t, "ES256")
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := NewService(db)
		org := newOrg(t, db, "Riverside Medical Centre", "Y90001")
		cl, secret := newClient(t, s, Input{Name: "GP system", OrganisationID: org.ID, Scopes: []string{"referral.write", "task.read"}, PublicKey: sg.pemK})
		srv := httptest.NewServer(TokenEndpoint{Clients: s, Log: slog.New(slog.DiscardHandler),
			URL:     func(*http.Request) string { return tokenURL },
			Address: func(r *http.Request) string { return r.RemoteAddr }})
		defer srv.Close()

		post := func(form url.Values, edit func(*http.Request)) (int, map[string]any, http.Header) {
			t.Helper()
			req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if edit != nil {
				edit(req)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body map[string]any
			if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if res.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("token replies must not be cached: Cache-Control %q", res.Header.Get("Cache-Control"))
			}
			return res.StatusCode, body, res.Header
		}
		grant := url.Values{"grant_type": {"client_credentials"}}
		basic := func(id, sec string) func(*http.Request) {
			return func(r *http.Request) { r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(sec)) }
		}
		with := func(kv ...string) url.Values {
			v := url.Values{"grant_type": {"client_credentials"}}
			for i := 0; i < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}

		status, body, _ := post(with("scope", "task.read"), basic(cl.ClientID, secret))
		if status != 200 || body["token_type"] != "Bearer" || body["scope"] != "task.read" || body["expires_in"] != float64(900) {
			t.Errorf("basic: %d %v", status, body)
		}
		if p, err := s.Authenticate(t.Context(), body["access_token"].(string)); err != nil || p.Client.ID != cl.ID {
			t.Errorf("the issued token does not authenticate: %v", err)
		}
		status, body, _ = post(with("client_id", cl.ClientID, "client_secret", secret), nil)
		if status != 200 || body["scope"] != "referral.write task.read" {
			t.Errorf("secret in body: %d %v", status, body)
		}
		jwt := sg.sign(t, map[string]any{"alg": "ES256"}, claimsFor(cl.ClientID, "endpoint"))
		status, body, _ = post(with("client_assertion_type", AssertionType, "client_assertion", jwt), nil)
		if status != 200 || body["access_token"] == "" {
			t.Errorf("assertion: %d %v", status, body)
		}

		refusals := []struct {
			name   string
			form   url.Values
			edit   func(*http.Request)
			status int
			code   string
		}{
			{"wrong secret by Basic", grant, basic(cl.ClientID, "nope"), 401, "invalid_client"},
			{"wrong secret in body", with("client_id", cl.ClientID, "client_secret", "nope"), nil, 401, "invalid_client"},
			{"two ways at once", with("client_id", cl.ClientID, "client_secret", secret), basic(cl.ClientID, secret), 400, "invalid_request"},
			{"no credentials", grant, nil, 400, "invalid_request"},
			{"no grant type", url.Values{}, basic(cl.ClientID, secret), 400, "invalid_request"},
			{"password grant", with("grant_type", "password"), basic(cl.ClientID, secret), 400, "unsupported_grant_type"},
			{"scope not registered", with("scope", "task.write"), basic(cl.ClientID, secret), 400, "invalid_scope"},
			{"unknown scope", with("scope", "everything"), basic(cl.ClientID, secret), 400, "invalid_scope"},
			{"assertion type missing", with("client_assertion", jwt), nil, 400, "invalid_request"},
			{"JSON body", grant, func(r *http.Request) { r.Header.Set("Content-Type", "application/json") }, 400, "invalid_request"},
		}
		for _, c := range refusals {
			status, body, h := post(c.form, c.edit)
			if status != c.status || body["error"] != c.code {
				t.Errorf("%s: got %d %v, want %d %s", c.name, status, body, c.status, c.code)
			}
			if c.name == "wrong secret by Basic" && h.Get("WWW-Authenticate") == "" {
				t.Errorf("%s: no WWW-Authenticate challenge", c.name)
			}
		}
	})
}
