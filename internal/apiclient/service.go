package apiclient

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// TokenLifetime is how long a bearer token lasts: short, so that a disabled client or a
// leaked token is soon of no use.
const TokenLifetime = 15 * time.Minute

// Service registers clients and issues and checks their tokens.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// NewService returns a Service over db.
func NewService(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

func clientEvent(action string, id int64, detail string) audit.Event {
	return audit.Event{Action: action, RecordType: "api_client", RecordID: audit.RecordID(id), Detail: detail}
}

// Create registers a client and returns it with its secret, which is shown this once: only
// its hash is kept.
func (s *Service) Create(ctx context.Context, actor audit.Actor, in Input) (Client, string, error) {
	return s.create(ctx, actor, in, "lw-"+randomHex(10), randomToken())
}

// CreateDemo registers a client with the credentials given, which the demo's README
// publishes so that its guide's examples can be tried straight away. Only the demo loader
// calls it: every real client gets random credentials from Create.
func (s *Service) CreateDemo(ctx context.Context, in Input, clientID, secret string) (Client, error) {
	cl, _, err := s.create(ctx, audit.System, in, clientID, secret)
	return cl, err
}

func (s *Service) create(ctx context.Context, actor audit.Actor, in Input, clientID, secret string) (Client, string, error) {
	scopes, err := in.Validate()
	if err != nil {
		return Client{}, "", err
	}
	cl := Client{ClientID: clientID, Name: in.Name, OrganisationID: in.OrganisationID,
		Scopes: scopes, PublicKey: in.PublicKey}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		id, err := insertClient(ctx, c, cl, hashOf(secret))
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, c, actor, clientEvent("api_client.create", id,
			fmt.Sprintf("organisation=%d scopes=%s key=%t", cl.OrganisationID, ScopeString(scopes), cl.PublicKey != ""))); err != nil {
			return err
		}
		cl, err = getClient(ctx, c, `id = ?`, id)
		return err
	})
	if err != nil {
		return Client{}, "", apperr.Wrap("create api client", err)
	}
	return cl, secret, nil
}

// Get returns one client.
func (s *Service) Get(ctx context.Context, id int64) (Client, error) {
	cl, err := getClient(ctx, s.db.Reader(), `id = ?`, id)
	return cl, apperr.Wrap("get api client", err)
}

// ByClientID returns the client with a client_id.
func (s *Service) ByClientID(ctx context.Context, clientID string) (Client, error) {
	cl, err := getClient(ctx, s.db.Reader(), `client_id = ?`, clientID)
	return cl, apperr.Wrap("get api client", err)
}

// List returns the clients of one organisation, or of all when orgID is zero; disabled ones
// last.
func (s *Service) List(ctx context.Context, orgID int64) ([]Client, error) {
	out, err := listClients(ctx, s.db.Reader(), orgID)
	return out, apperr.Wrap("list api clients", err)
}

// Disable stops a client: it gets no more tokens, and the tokens it holds stop working.
func (s *Service) Disable(ctx context.Context, actor audit.Actor, id int64) error {
	err := s.db.Tx(ctx, func(c store.Conn) error {
		res, err := c.Exec(ctx, `UPDATE api_clients SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL`, store.Now(), id)
		if err != nil {
			return fmt.Errorf("disable api client: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := getClient(ctx, c, `id = ?`, id); err != nil {
				return err
			}
			return apperr.New(apperr.Conflict, "This client is already disabled")
		}
		if _, err := c.Exec(ctx, `DELETE FROM api_tokens WHERE client_id = ?`, id); err != nil {
			return fmt.Errorf("revoke tokens: %w", err)
		}
		return audit.Record(ctx, c, actor, clientEvent("api_client.disable", id, ""))
	})
	return apperr.Wrap("disable api client", err)
}

// Token is a bearer token as issued.
type Token struct {
	AccessToken string
	ExpiresIn   time.Duration
	Scopes      []Scope
}

// TokenError is a refusal to issue a token, with its OAuth 2.0 error code (RFC 6749 §5.2).
type TokenError struct {
	Code        string // invalid_request, invalid_client, invalid_scope, unsupported_grant_type
	Description string
}

func (e *TokenError) Error() string { return e.Code + ": " + e.Description }

var errBadClient = &TokenError{Code: "invalid_client", Description: "The client is unknown, disabled, or did not prove who it is"}

// IssueForSecret issues a token to a client that presents its id and secret. scope asks for
// some of the client's scopes (space-separated); empty asks for all of them.
func (s *Service) IssueForSecret(ctx context.Context, clientID, secret, scope, address string) (Token, error) {
	cl, err := getClient(ctx, s.db.Reader(), `client_id = ?`, clientID)
	if apperr.Is(err, apperr.NotFound) {
		return Token{}, errBadClient
	}
	if err != nil {
		return Token{}, apperr.Wrap("issue token", err)
	}
	want, err := secretHash(ctx, s.db.Reader(), cl.ID)
	if err != nil {
		return Token{}, apperr.Wrap("issue token", err)
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(hashOf(secret))) != 1 {
		return Token{}, errBadClient
	}
	return s.issue(ctx, cl, scope, address, "secret", nil)
}

// issue checks the client may have a token for scope and records one, with the assertion's
// jti when it came from one, so that the assertion cannot be used again.
func (s *Service) issue(ctx context.Context, cl Client, scope, address, method string, used *usedAssertion) (Token, error) {
	if cl.Disabled() {
		return Token{}, errBadClient
	}
	scopes, err := ParseScopes([]string{scope})
	if err != nil {
		return Token{}, &TokenError{Code: "invalid_scope", Description: err.Error()}
	}
	if len(scopes) == 0 {
		scopes = cl.Scopes
	}
	for _, sc := range scopes {
		if !cl.Has(sc) {
			return Token{}, &TokenError{Code: "invalid_scope", Description: fmt.Sprintf("the client is not registered for %s", sc)}
		}
	}
	tok := Token{AccessToken: randomToken(), ExpiresIn: TokenLifetime, Scopes: scopes}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		if used != nil {
			if err := used.record(ctx, c, cl.ID); err != nil {
				return err
			}
		}
		if err := insertToken(ctx, c, hashOf(tok.AccessToken), cl.ID, scopes, s.now().UTC().Add(TokenLifetime)); err != nil {
			return err
		}
		return audit.Record(ctx, c, cl.Actor(address), clientEvent("api_client.token", cl.ID,
			fmt.Sprintf("method=%s scopes=%s", method, ScopeString(scopes))))
	})
	if err != nil {
		return Token{}, apperr.Wrap("issue token", err)
	}
	return tok, nil
}

// Principal is a client as its bearer token speaks for it: the scopes granted to this token.
type Principal struct {
	Client Client
	Scopes []Scope
}

// Allows reports whether the token was granted the scope.
func (p Principal) Allows(s Scope) bool { return slices.Contains(p.Scopes, s) }

var errBadToken = apperr.New(apperr.Unauthorised, "The bearer token is missing, unknown or expired: get a new one from /oauth/token")

// Authenticate finds the client behind a bearer token that is current and whose client is
// still enabled.
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, errBadToken
	}
	p, expires, err := tokenPrincipal(ctx, s.db.Reader(), hashOf(token))
	if err != nil {
		return Principal{}, apperr.Wrap("authenticate client", err)
	}
	if !s.now().Before(expires) {
		return Principal{}, errBadToken
	}
	return p, nil
}

// PurgeExpired deletes expired tokens and the assertions no longer needed to stop a replay,
// and returns how many tokens went.
func (s *Service) PurgeExpired(ctx context.Context) (int64, error) {
	now := s.now().UTC()
	var n int64
	err := s.db.Tx(ctx, func(c store.Conn) error {
		res, err := c.Exec(ctx, `DELETE FROM api_tokens WHERE expires_at <= ?`, now)
		if err != nil {
			return fmt.Errorf("purge tokens: %w", err)
		}
		n, _ = res.RowsAffected()
		if _, err := c.Exec(ctx, `DELETE FROM api_assertions WHERE expires_at <= ?`, now.Add(-assertionLeeway)); err != nil {
			return fmt.Errorf("purge assertions: %w", err)
		}
		return nil
	})
	return n, apperr.Wrap("purge api tokens", err)
}

// hashOf is how secrets and tokens are kept: they are long and random, so a plain SHA-256
// is enough (a slow password hash defends guessable secrets, which these are not).
func hashOf(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
