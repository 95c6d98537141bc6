// Package apiclient holds the systems that call Linkwell's APIs on an organisation's behalf
// (GP systems, partners' case management systems): their registration, the secrets and keys
// they prove themselves with, and the short-lived, scoped bearer tokens they are given under
// OAuth 2.0 client credentials.
package apiclient

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
)

// Scope is one kind of access a client may be given.
type Scope string

const (
	ReferralRead  Scope = "referral.read"
	ReferralWrite Scope = "referral.write"
	TaskRead      Scope = "task.read"
	TaskWrite     Scope = "task.write"
	DirectoryRead Scope = "directory.read"
)

// Scopes lists every scope in the order shown.
var Scopes = []Scope{ReferralWrite, ReferralRead, TaskRead, TaskWrite, DirectoryRead}

var scopeLabels = map[Scope]string{
	ReferralWrite: "Send referrals (transactions and referral messages)",
	ReferralRead:  "Read its referrals, the people in them and the messages back",
	TaskRead:      "Follow referrals' progress (Task)",
	TaskWrite:     "Update referrals' progress (Task status)",
	DirectoryRead: "Find the services that take referrals",
}

// Label describes the scope for people.
func (s Scope) Label() string { return scopeLabels[s] }

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { _, ok := scopeLabels[s]; return ok }

// Client is a registered system, acting for one organisation.
type Client struct {
	ID             int64
	ClientID       string
	Name           string
	OrganisationID int64
	Scopes         []Scope
	PublicKey      string // PEM; empty when the client proves itself with its secret only
	CreatedAt      time.Time
	DisabledAt     *time.Time
}

// Disabled reports whether the client may no longer get tokens.
func (c Client) Disabled() bool { return c.DisabledAt != nil }

// Has reports whether the client was registered with the scope.
func (c Client) Has(s Scope) bool { return slices.Contains(c.Scopes, s) }

// Actor is the client as the audit log records it: the client and its organisation.
func (c Client) Actor(address string) audit.Actor {
	return audit.Actor{Label: fmt.Sprintf("api client %s (client %d, organisation %d)", c.ClientID, c.ID, c.OrganisationID), Address: address}
}

// Input is what registering a client takes.
type Input struct {
	Name           string
	OrganisationID int64
	Scopes         []string
	PublicKey      string
}

// Validate explains every problem with the input and returns the scopes it names.
func (in *Input) Validate() ([]Scope, error) {
	var errs apperr.Fields
	in.Name, in.PublicKey = strings.TrimSpace(in.Name), strings.TrimSpace(in.PublicKey)
	switch {
	case in.Name == "":
		errs.Add("name", "Enter the client's name")
	case len(in.Name) > 120:
		errs.Add("name", "Client name must be 120 characters or fewer")
	}
	if in.OrganisationID == 0 {
		errs.Add("organisation", "Select the organisation the client acts for")
	}
	scopes, err := ParseScopes(in.Scopes)
	switch {
	case err != nil:
		errs.Add("scopes", "Select scopes from the list")
	case len(scopes) == 0:
		errs.Add("scopes", "Select at least one scope")
	}
	if in.PublicKey != "" {
		if _, err := parsePublicKey(in.PublicKey); err != nil {
			errs.Add("public_key", "Enter an RSA (2048 bits or more) or P-256 public key in PEM form, starting -----BEGIN PUBLIC KEY-----")
		}
	}
	return scopes, errs.Err()
}

// ParseScopes reads scope names, in the order of Scopes and without repeats; an unknown name
// is an error.
func ParseScopes(names []string) ([]Scope, error) {
	chosen := map[Scope]bool{}
	for _, n := range names {
		for f := range strings.FieldsSeq(strings.ReplaceAll(n, ",", " ")) {
			s := Scope(f)
			if !s.Valid() {
				return nil, fmt.Errorf("unknown scope %q", f)
			}
			chosen[s] = true
		}
	}
	var out []Scope
	for _, s := range Scopes {
		if chosen[s] {
			out = append(out, s)
		}
	}
	return out, nil
}

// ScopeString joins scopes with spaces, as OAuth writes them.
func ScopeString(scopes []Scope) string {
	parts := make([]string, len(scopes))
	for i, s := range scopes {
		parts[i] = string(s)
	}
	return strings.Join(parts, " ")
}

// parsePublicKey reads a PEM public key a client signs its assertions with: RSA of at least
// 2048 bits (RS256) or ECDSA on P-256 (ES256).
func parsePublicKey(p string) (any, error) {
	block, _ := pem.Decode([]byte(p))
	if block == nil {
		return nil, fmt.Errorf("no PEM block")
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	switch k := key.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return nil, fmt.Errorf("RSA key of %d bits is too short", k.N.BitLen())
		}
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("only P-256 ECDSA keys are accepted")
		}
	default:
		return nil, fmt.Errorf("unsupported key type %T", key)
	}
	return key, nil
}
