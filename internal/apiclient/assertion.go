package apiclient

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

// AssertionType is the client_assertion_type of a signed JWT client assertion (RFC 7523).
const AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

const (
	// maxAssertionLife is the longest an assertion may be valid for, as NHS England asks of
	// signed JWT authentication: five minutes.
	maxAssertionLife = 5 * time.Minute
	// assertionLeeway allows for clocks a little apart.
	assertionLeeway = 30 * time.Second
)

type assertionHeader struct {
	Alg string `json:"alg"`
	Typ string `json:"typ"`
}

type assertionClaims struct {
	Iss string   `json:"iss"`
	Sub string   `json:"sub"`
	Aud audience `json:"aud"`
	Exp *int64   `json:"exp"`
	Nbf *int64   `json:"nbf"`
	Jti string   `json:"jti"`
}

// audience is a JWT aud claim: one string or a list of them.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("aud must be a string or a list of strings")
	}
	*a = many
	return nil
}

// assertion is a compact JWS split into what is checked.
type assertion struct {
	header       assertionHeader
	claims       assertionClaims
	signingInput string
	signature    []byte
}

func parseAssertion(jwt string) (assertion, error) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return assertion{}, errors.New("the assertion is not a signed JWT (three dot-separated parts)")
	}
	var a assertion
	if err := decodeSegment(parts[0], &a.header); err != nil {
		return assertion{}, fmt.Errorf("the assertion's header: %w", err)
	}
	if err := decodeSegment(parts[1], &a.claims); err != nil {
		return assertion{}, fmt.Errorf("the assertion's claims: %w", err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return assertion{}, errors.New("the assertion's signature is not base64url")
	}
	a.signingInput, a.signature = parts[0]+"."+parts[1], sig
	return a, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return errors.New("not base64url")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("not the JSON expected: %w", err)
	}
	return nil
}

// verify checks the signature with the client's key; the algorithm must fit the key, so that
// a token cannot choose a weaker check than the one registered.
func (a assertion) verify(key any) error {
	digest := sha256.Sum256([]byte(a.signingInput))
	switch k := key.(type) {
	case *rsa.PublicKey:
		if a.header.Alg != "RS256" {
			return fmt.Errorf("the client's RSA key signs with RS256, not %q", a.header.Alg)
		}
		if rsa.VerifyPKCS1v15(k, crypto.SHA256, digest[:], a.signature) != nil {
			return errors.New("the assertion's signature does not verify")
		}
	case *ecdsa.PublicKey:
		if a.header.Alg != "ES256" {
			return fmt.Errorf("the client's P-256 key signs with ES256, not %q", a.header.Alg)
		}
		// JWS carries an ECDSA signature as r and s, 32 bytes each (RFC 7518 §3.4).
		if len(a.signature) != 64 {
			return errors.New("the assertion's ES256 signature is not 64 bytes")
		}
		r, s := new(big.Int).SetBytes(a.signature[:32]), new(big.Int).SetBytes(a.signature[32:])
		if !ecdsa.Verify(k, digest[:], r, s) {
			return errors.New("the assertion's signature does not verify")
		}
	default:
		return errors.New("the client has no key to check the assertion with")
	}
	return nil
}

// checkClaims applies RFC 7523 §3: issued by the client about itself, for this token
// endpoint, current, short-lived and with an id to stop replay.
func (a assertion) checkClaims(clientID, tokenURL string, now time.Time) error {
	c := a.claims
	switch {
	case c.Iss != clientID || c.Sub != clientID:
		return errors.New("iss and sub must both be the client_id")
	case !slices.Contains(c.Aud, tokenURL):
		return fmt.Errorf("aud must be this token endpoint, %s", tokenURL)
	case c.Exp == nil:
		return errors.New("exp is required")
	case c.Jti == "" || len(c.Jti) > 255:
		return errors.New("jti is required, up to 255 characters")
	}
	exp := time.Unix(*c.Exp, 0)
	switch {
	case !now.Before(exp.Add(assertionLeeway)):
		return errors.New("the assertion has expired")
	case exp.After(now.Add(maxAssertionLife + assertionLeeway)):
		return errors.New("exp must be no more than 5 minutes ahead")
	case c.Nbf != nil && time.Unix(*c.Nbf, 0).After(now.Add(assertionLeeway)):
		return errors.New("the assertion is not valid yet (nbf)")
	}
	return nil
}

// usedAssertion is an assertion's id, recorded with the token it buys.
type usedAssertion struct {
	jti     string
	expires time.Time
}

func (u *usedAssertion) record(ctx context.Context, c store.Conn, clientID int64) error {
	_, err := c.Exec(ctx, `INSERT INTO api_assertions (client_id, jti, expires_at) VALUES (?, ?, ?)`, clientID, u.jti, u.expires.UTC())
	if store.IsUniqueViolation(err) {
		return &TokenError{Code: "invalid_client", Description: "this assertion has been used already: sign a new one with a new jti"}
	}
	if err != nil {
		return fmt.Errorf("record assertion: %w", err)
	}
	return nil
}

// IssueForAssertion issues a token to a client that proves itself with a JWT signed by the
// private key matching its registered public key (private_key_jwt). tokenURL is this token
// endpoint's address, which the assertion must name as its audience.
func (s *Service) IssueForAssertion(ctx context.Context, jwt, tokenURL, scope, address string) (Token, error) {
	a, err := parseAssertion(jwt)
	if err != nil {
		return Token{}, &TokenError{Code: "invalid_client", Description: err.Error()}
	}
	cl, err := getClient(ctx, s.db.Reader(), `client_id = ?`, a.claims.Iss)
	if apperr.Is(err, apperr.NotFound) {
		return Token{}, errBadClient
	}
	if err != nil {
		return Token{}, apperr.Wrap("issue token", err)
	}
	key, err := parsePublicKey(cl.PublicKey)
	if err != nil {
		return Token{}, &TokenError{Code: "invalid_client", Description: "the client has no public key registered: use its secret, or register a key"}
	}
	if err := a.verify(key); err != nil {
		return Token{}, &TokenError{Code: "invalid_client", Description: err.Error()}
	}
	now := s.now()
	if err := a.checkClaims(cl.ClientID, tokenURL, now); err != nil {
		return Token{}, &TokenError{Code: "invalid_client", Description: err.Error()}
	}
	used := &usedAssertion{jti: a.claims.Jti, expires: time.Unix(*a.claims.Exp, 0)}
	return s.issue(ctx, cl, scope, address, "private_key_jwt", used)
}
