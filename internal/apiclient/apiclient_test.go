package apiclient

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/organisation"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const tokenURL = "https://linkwell.example/oauth/token"

func newOrg(t *testing.T, db *store.DB, name, ods string) organisation.Organisation {
	t.Helper()
	o, err := organisation.NewService(db).Create(context.Background(), audit.System,
		organisation.Input{Name: name, Type: organisation.GPPractice, ODSCode: ods})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func newClient(t *testing.T, s *Service, in Input) (Client, string) {
	t.Helper()
	cl, secret, err := s.Create(context.Background(), audit.CommandLine, in)
	if err != nil {
		t.Fatalf("create client: %v", err)
	}
	return cl, secret
}

func tokenCode(err error) string {
	var te *TokenError
	if errors.As(err, &te) {
		return te.Code
	}
	return ""
}

func TestCreateValidates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := NewService(db)
		org := newOrg(t, db, "Riverside Medical Centre", "Y90001")
		cases := []struct {
			name  string
			in    Input
			field string
		}{
			{"no name", Input{OrganisationID: org.ID, Scopes: []string{"referral.write"}}, "name"},
			{"no organisation", Input{Name: "EMIS", Scopes: []string{"referral.write"}}, "organisation"},
			{"unknown organisation", Input{Name: "EMIS", OrganisationID: org.ID + 99, Scopes: []string{"referral.write"}}, "organisation"},
			{"no scopes", Input{Name: "EMIS", OrganisationID: org.ID}, "scopes"},
			{"unknown scope", Input{Name: "EMIS", OrganisationID: org.ID, Scopes: []string{"everything"}}, "scopes"},
			{"bad key", Input{Name: "EMIS", OrganisationID: org.ID, Scopes: []string{"task.read"}, PublicKey: "not a key"}, "public_key"},
		}
		for _, c := range cases {
			_, _, err := s.Create(context.Background(), audit.CommandLine, c.in)
			if apperr.FieldMessage(err, c.field) == "" {
				t.Errorf("%s: got %v, want an error on %s", c.name, err, c.field)
			}
		}
		if list, _ := s.List(context.Background(), 0); len(list) != 0 {
			t.Errorf("refused clients were stored: %v", list)
		}
	})
}

func TestSecretGetsScopedShortLivedToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := NewService(db)
		org := newOrg(t, db, "Riverside Medical Centre", "Y90001")
		cl, secret := newClient(t, s, Input{Name: "GP system", OrganisationID: org.ID, Scopes: []string{"referral.write task.read"}})
		if len(secret) < 40 || !strings.HasPrefix(cl.ClientID, "lw-") {
			t.Fatalf("client id %q and secret %q look weak", cl.ClientID, secret)
		}
		var stored string
		if err := db.Reader().QueryRow(ctx, `SELECT secret_hash FROM api_clients WHERE id = ?`, cl.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored, secret) {
			t.Fatal("the secret itself is stored")
		}

		tok, err := s.IssueForSecret(ctx, cl.ClientID, secret, "", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if tok.ExpiresIn != TokenLifetime || ScopeString(tok.Scopes) != "referral.write task.read" {
			t.Errorf("token %+v: want all the client's scopes for %v", tok, TokenLifetime)
		}
		p, err := s.Authenticate(ctx, tok.AccessToken)
		if err != nil || p.Client.ID != cl.ID || !p.Allows(TaskRead) || p.Allows(TaskWrite) {
			t.Fatalf("authenticate: %+v, %v", p, err)
		}

		narrow, err := s.IssueForSecret(ctx, cl.ClientID, secret, "task.read", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := s.Authenticate(ctx, narrow.AccessToken); p.Allows(ReferralWrite) || !p.Allows(TaskRead) {
			t.Errorf("a token asked for task.read only allows %v", p.Scopes)
		}
		if _, err := s.IssueForSecret(ctx, cl.ClientID, secret, "task.write", "10.0.0.1"); tokenCode(err) != "invalid_scope" {
			t.Errorf("a scope the client lacks: got %v, want invalid_scope", err)
		}
		if _, err := s.IssueForSecret(ctx, cl.ClientID, secret+"x", "", "10.0.0.1"); tokenCode(err) != "invalid_client" {
			t.Errorf("wrong secret: got %v, want invalid_client", err)
		}
		if _, err := s.IssueForSecret(ctx, "lw-nobody", secret, "", "10.0.0.1"); tokenCode(err) != "invalid_client" {
			t.Errorf("unknown client: got %v, want invalid_client", err)
		}

		// The token stops working when it expires.
		s.now = func() time.Time { return time.Now().Add(TokenLifetime + time.Second) }
		if _, err := s.Authenticate(ctx, tok.AccessToken); !apperr.Is(err, apperr.Unauthorised) {
			t.Errorf("expired token: got %v, want unauthorised", err)
		}
		if n, err := s.PurgeExpired(ctx); err != nil || n != 2 {
			t.Errorf("purge: %d, %v; want the 2 tokens issued", n, err)
		}
		s.now = time.Now

		entries, err := audit.List(ctx, db, audit.Filter{Action: "api_client.token"})
		if err != nil {
			t.Fatal(err)
		}
		if entries.Total != 2 || !strings.Contains(entries.Entries[0].Actor, cl.ClientID) ||
			!strings.Contains(entries.Entries[0].Actor, "organisation") {
			t.Errorf("token audit: %+v", entries)
		}
	})
}

func TestDisableRevokes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := NewService(db)
		org := newOrg(t, db, "Riverside Medical Centre", "Y90001")
		cl, secret := newClient(t, s, Input{Name: "GP system", OrganisationID: org.ID, Scopes: []string{"task.read"}})
		tok, err := s.IssueForSecret(ctx, cl.ClientID, secret, "", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Disable(ctx, audit.CommandLine, cl.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, tok.AccessToken); !apperr.Is(err, apperr.Unauthorised) {
			t.Errorf("token of a disabled client: got %v", err)
		}
		if _, err := s.IssueForSecret(ctx, cl.ClientID, secret, "", "10.0.0.1"); tokenCode(err) != "invalid_client" {
			t.Errorf("disabled client asking for a token: got %v", err)
		}
		if err := s.Disable(ctx, audit.CommandLine, cl.ID); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("disabling twice: got %v, want conflict", err)
		}
	})
}

// signer makes client assertions as a client system would.
type signer struct {
	alg  string
	key  crypto.Signer
	pemK string
}

func newSigner(t *testing.T, alg string) signer {
	t.Helper()
	var k crypto.Signer
	var err error
	if alg == "RS256" {
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return signer{alg: alg, key: k, pemK: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))}
}

func (sg signer) sign(t *testing.T, header, claims map[string]any) string {
	t.Helper()
	seg := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := seg(header) + "." + seg(claims)
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	switch k := sg.key.(type) {
	case *rsa.PrivateKey:
		sig, _ = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, digest[:])
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func claimsFor(clientID, jti string) map[string]any {
	return map[string]any{"iss": clientID, "sub": clientID, "aud": tokenURL, "jti": jti,
		"exp": time.Now().Add(4 * time.Minute).Unix()}
}

func TestSignedAssertion(t *testing.T) {
	signers := map[string]signer{}
	for _, alg := range []string{"RS256", "ES256"} {
		signers[alg] = newSigner(t, alg)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := NewService(db)
		org := newOrg(t, db, "Riverside Medical Centre", "Y90001")
		for alg, sg := range signers {
			cl, _ := newClient(t, s, Input{Name: "GP system " + alg, OrganisationID: org.ID, Scopes: []string{"task.read"}, PublicKey: sg.pemK})
			hdr := map[string]any{"alg": alg, "typ": "JWT"}
			jwt := sg.sign(t, hdr, claimsFor(cl.ClientID, "one-"+alg))
			tok, err := s.IssueForAssertion(ctx, jwt, tokenURL, "", "10.0.0.2")
			if err != nil {
				t.Fatalf("%s: %v", alg, err)
			}
			if p, err := s.Authenticate(ctx, tok.AccessToken); err != nil || p.Client.ID != cl.ID {
				t.Errorf("%s: authenticate: %v", alg, err)
			}
			if _, err := s.IssueForAssertion(ctx, jwt, tokenURL, "", "10.0.0.2"); tokenCode(err) != "invalid_client" {
				t.Errorf("%s: a replayed assertion got %v", alg, err)
			}
			refused := map[string]string{}
			with := func(name string, edit func(map[string]any)) {
				c := claimsFor(cl.ClientID, name+alg)
				edit(c)
				refused[name] = sg.sign(t, hdr, c)
			}
			with("wrong audience", func(c map[string]any) { c["aud"] = "https://elsewhere.example/token" })
			with("expired", func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() })
			with("too long", func(c map[string]any) { c["exp"] = time.Now().Add(time.Hour).Unix() })
			with("no jti", func(c map[string]any) { delete(c, "jti") })
			with("sub differs", func(c map[string]any) { c["sub"] = "someone-else" })
			with("not yet", func(c map[string]any) { c["nbf"] = time.Now().Add(time.Hour).Unix() })
			refused["tampered"] = jwt[:len(jwt)-4] + "AAAA"
			other := "RS256"
			if alg == "RS256" {
				other = "ES256"
			}
			refused["other key"] = signers[other].sign(t, map[string]any{"alg": other}, claimsFor(cl.ClientID, "other"+alg))
			refused["alg none"] = strings.SplitN(sg.sign(t, map[string]any{"alg": "none"}, claimsFor(cl.ClientID, "none"+alg)), ".", 3)[0] + "." +
				strings.SplitN(jwt, ".", 3)[1] + "."
			for name, a := range refused {
				if _, err := s.IssueForAssertion(ctx, a, tokenURL, "", "10.0.0.2"); tokenCode(err) != "invalid_client" {
					t.Errorf("%s %s: got %v, want invalid_client", alg, name, err)
				}
			}
		}
		// A client registered without a key cannot use an assertion.
		plain, _ := newClient(t, s, Input{Name: "No key", OrganisationID: org.ID, Scopes: []string{"task.read"}})
		jwt := signers["ES256"].sign(t, map[string]any{"alg": "ES256"}, claimsFor(plain.ClientID, "nokey"))
		if _, err := s.IssueForAssertion(ctx, jwt, tokenURL, "", "10.0.0.2"); tokenCode(err) != "invalid_client" {
			t.Errorf("keyless client: got %v", err)
		}
	})
}
