package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

// Session lifetimes: signed out after 30 minutes without activity, and after 12 hours whatever
// happens, as NHS services commonly require.
const (
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
	// touchEvery limits how often a busy session writes its last-seen time.
	touchEvery = time.Minute
)

// Session is a signed-in browser. The token itself is only ever in the cookie; the database
// holds its SHA-256 hash, so a copy of the database cannot be used to sign in.
type Session struct {
	TokenHash  string
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	MFAPassed  bool
}

// ExpiresAt is when the session ends if nothing more happens.
func (s Session) ExpiresAt() time.Time {
	idle := s.LastSeenAt.Add(IdleTimeout)
	abs := s.CreatedAt.Add(AbsoluteTimeout)
	if abs.Before(idle) {
		return abs
	}
	return idle
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new session token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func insertSession(ctx context.Context, c store.Conn, userID int64, mfaPassed bool) (string, error) {
	token, err := newToken()
	if err != nil {
		return "", err
	}
	now := store.Now()
	_, err = c.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, mfa_passed) VALUES (?, ?, ?, ?, ?)`,
		hashToken(token), userID, now, now, mfaPassed)
	if err != nil {
		return "", fmt.Errorf("insert session: %w", err)
	}
	return token, nil
}

// errNoSession is what every unusable token gives: unknown, expired or for a disabled user.
var errNoSession = apperr.New(apperr.Unauthorised, "Your session has ended. Sign in again.")

func getSession(ctx context.Context, c store.Conn, token string) (Session, error) {
	s := Session{TokenHash: hashToken(token)}
	err := c.QueryRow(ctx, `SELECT user_id, created_at, last_seen_at, mfa_passed FROM sessions WHERE token_hash = ?`,
		s.TokenHash).Scan(&s.UserID, &s.CreatedAt, &s.LastSeenAt, &s.MFAPassed)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, errNoSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("get session: %w", err)
	}
	return s, nil
}

// getSessionUser reads a session and its user together, the query every request makes.
func getSessionUser(ctx context.Context, c store.Conn, token string) (Session, User, error) {
	s := Session{TokenHash: hashToken(token)}
	row := c.QueryRow(ctx, `SELECT s.user_id, s.created_at, s.last_seen_at, s.mfa_passed, `+userColumns+`
		FROM sessions s JOIN users ON users.id = s.user_id WHERE s.token_hash = ?`, s.TokenHash)
	u, err := scanUser(row, &s.UserID, &s.CreatedAt, &s.LastSeenAt, &s.MFAPassed)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, User{}, errNoSession
	}
	if err != nil {
		return Session{}, User{}, fmt.Errorf("get session: %w", err)
	}
	return s, u, loadMemberships(ctx, c, &u)
}
