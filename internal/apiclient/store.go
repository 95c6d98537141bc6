package apiclient

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

const clientColumns = `id, client_id, name, organisation_id, scopes, public_key, created_at, disabled_at`

func scanClient(row interface{ Scan(...any) error }) (Client, string, error) {
	var c Client
	var scopes string
	var disabled sql.NullTime
	err := row.Scan(&c.ID, &c.ClientID, &c.Name, &c.OrganisationID, &scopes, &c.PublicKey, &c.CreatedAt, &disabled)
	if err != nil {
		return Client{}, "", err
	}
	c.Scopes = splitScopes(scopes)
	if disabled.Valid {
		t := disabled.Time
		c.DisabledAt = &t
	}
	return c, scopes, nil
}

// splitScopes reads scopes as stored, keeping only those this version knows.
func splitScopes(s string) []Scope {
	var out []Scope
	for f := range strings.FieldsSeq(s) {
		if sc := Scope(f); sc.Valid() {
			out = append(out, sc)
		}
	}
	return out
}

var errNoClient = apperr.New(apperr.NotFound, "No such API client")

func getClient(ctx context.Context, c store.Conn, where string, arg any) (Client, error) {
	cl, _, err := scanClient(c.QueryRow(ctx, `SELECT `+clientColumns+` FROM api_clients WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Client{}, errNoClient
	}
	if err != nil {
		return Client{}, fmt.Errorf("get api client: %w", err)
	}
	return cl, nil
}

// secretHash reads a client's secret hash, for checking the secret it presents.
func secretHash(ctx context.Context, c store.Conn, id int64) (string, error) {
	var h string
	if err := c.QueryRow(ctx, `SELECT secret_hash FROM api_clients WHERE id = ?`, id).Scan(&h); err != nil {
		return "", fmt.Errorf("read client secret: %w", err)
	}
	return h, nil
}

func insertClient(ctx context.Context, c store.Conn, cl Client, secretHash string) (int64, error) {
	var id int64
	err := c.QueryRow(ctx, `INSERT INTO api_clients (client_id, name, organisation_id, scopes, secret_hash, public_key, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, cl.ClientID, cl.Name, cl.OrganisationID, ScopeString(cl.Scopes),
		secretHash, cl.PublicKey, store.Now()).Scan(&id)
	if store.IsForeignKeyViolation(err) {
		return 0, apperr.Fields{{Field: "organisation", Message: "Select an organisation from the list"}}.Err()
	}
	if err != nil {
		return 0, fmt.Errorf("insert api client: %w", err)
	}
	return id, nil
}

func listClients(ctx context.Context, c store.Conn, orgID int64) ([]Client, error) {
	q, args := `SELECT `+clientColumns+` FROM api_clients`, []any{}
	if orgID != 0 {
		q += ` WHERE organisation_id = ?`
		args = append(args, orgID)
	}
	rows, err := c.Query(ctx, q+` ORDER BY disabled_at IS NOT NULL, lower(name), id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list api clients: %w", err)
	}
	defer rows.Close()
	var out []Client
	for rows.Next() {
		cl, _, err := scanClient(rows)
		if err != nil {
			return nil, fmt.Errorf("list api clients: %w", err)
		}
		out = append(out, cl)
	}
	return out, rows.Err()
}

func insertToken(ctx context.Context, c store.Conn, hash string, clientID int64, scopes []Scope, expires time.Time) error {
	_, err := c.Exec(ctx, `INSERT INTO api_tokens (token_hash, client_id, scopes, expires_at) VALUES (?, ?, ?, ?)`,
		hash, clientID, ScopeString(scopes), expires)
	if err != nil {
		return fmt.Errorf("insert token: %w", err)
	}
	return nil
}

// tokenPrincipal finds the client and scopes behind a token's hash, with the token's expiry.
func tokenPrincipal(ctx context.Context, c store.Conn, hash string) (Principal, time.Time, error) {
	var p Principal
	var scopes, clientScopes string
	var expires time.Time
	var disabled sql.NullTime
	err := c.QueryRow(ctx, `SELECT t.scopes, t.expires_at, c.id, c.client_id, c.name, c.organisation_id, c.scopes,
		c.public_key, c.created_at, c.disabled_at FROM api_tokens t JOIN api_clients c ON c.id = t.client_id
		WHERE t.token_hash = ?`, hash).Scan(&scopes, &expires, &p.Client.ID, &p.Client.ClientID, &p.Client.Name,
		&p.Client.OrganisationID, &clientScopes, &p.Client.PublicKey, &p.Client.CreatedAt, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, time.Time{}, errBadToken
	}
	if err != nil {
		return Principal{}, time.Time{}, fmt.Errorf("find token: %w", err)
	}
	if disabled.Valid {
		return Principal{}, time.Time{}, errBadToken
	}
	p.Client.Scopes = splitScopes(clientScopes)
	// A scope taken from the client since the token was issued is not granted.
	for _, s := range splitScopes(scopes) {
		if p.Client.Has(s) {
			p.Scopes = append(p.Scopes, s)
		}
	}
	return p, expires, nil
}
