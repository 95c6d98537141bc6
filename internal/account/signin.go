package account

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// ErrBadCredentials is the one answer to a wrong address, a wrong password or a disabled
// account, so that the page never reveals whether an account exists.
var ErrBadCredentials = apperr.New(apperr.Unauthorised, "Enter a correct email address and password")

// SignInResult is a new session: Token goes in the cookie. When NeedsMFA is set the session
// may only be used to complete the second factor.
type SignInResult struct {
	Token    string
	User     User
	NeedsMFA bool
}

// SignIn checks an email address and password from an address and opens a session.
func (s *Service) SignIn(ctx context.Context, email, password, address string) (SignInResult, error) {
	email = NormaliseEmail(email)
	if wait := s.throttle.Wait(email, address); wait > 0 {
		secs := int(math.Ceil(wait.Seconds()))
		return SignInResult{}, apperr.New(apperr.TooMany,
			"There have been too many attempts to sign in. Wait %d seconds, then try again.", secs)
	}
	u, lookupErr := getUser(ctx, s.db.Reader(), "email = ?", email)
	if lookupErr != nil && !apperr.Is(lookupErr, apperr.NotFound) {
		return SignInResult{}, apperr.Wrap("sign in", lookupErr)
	}
	hash := dummyHash
	if lookupErr == nil {
		hash = u.passwordHash
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return SignInResult{}, apperr.Wrap("sign in", err)
	}
	if !ok || lookupErr != nil || u.Disabled() {
		s.throttle.Fail(email, address)
		return SignInResult{}, s.recordFailure(ctx, u.ID, address)
	}
	s.throttle.Succeed(email, address)
	res := SignInResult{User: u, NeedsMFA: u.MFAEnabled}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		var err error
		if res.Token, err = insertSession(ctx, c, u.ID, !u.MFAEnabled); err != nil {
			return err
		}
		action := "signin"
		if u.MFAEnabled {
			action = "signin.password"
		}
		return audit.Record(ctx, c, Actor(u, address), userEvent(action, u.ID, ""))
	})
	if err != nil {
		return SignInResult{}, apperr.Wrap("sign in", err)
	}
	return res, nil
}

func (s *Service) recordFailure(ctx context.Context, userID int64, address string) error {
	err := s.db.Tx(ctx, func(c store.Conn) error {
		ev := audit.Event{Action: "signin.failed", RecordType: "user"}
		if userID != 0 {
			ev.RecordID = audit.RecordID(userID)
		}
		return audit.Record(ctx, c, audit.Actor{Label: "anonymous", Address: address}, ev)
	})
	if err != nil {
		return apperr.Wrap("sign in", err)
	}
	return ErrBadCredentials
}

// Actor describes a user as the audit log records them.
func Actor(u User, address string) audit.Actor {
	return audit.Actor{UserID: u.ID, Label: fmt.Sprintf("%s (user %d)", u.Email, u.ID), Address: address}
}

// Authenticate returns the session and user behind a token, ending it if it has expired or its
// user is disabled. It records activity at most once a minute.
func (s *Service) Authenticate(ctx context.Context, token string) (Session, User, error) {
	if token == "" {
		return Session{}, User{}, errNoSession
	}
	sess, u, err := getSessionUser(ctx, s.db.Reader(), token)
	if err != nil {
		return Session{}, User{}, err
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt()) || u.Disabled() {
		s.endSession(ctx, sess.TokenHash)
		return Session{}, User{}, errNoSession
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		sess.LastSeenAt = store.Now()
		_, err := s.db.Exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, sess.LastSeenAt, sess.TokenHash)
		if err != nil {
			return Session{}, User{}, apperr.Wrap("touch session", err)
		}
	}
	return sess, u, nil
}

// KeepAlive records activity now, for the "stay signed in" button.
func (s *Service) KeepAlive(ctx context.Context, sess Session) (time.Time, error) {
	sess.LastSeenAt = store.Now()
	_, err := s.db.Exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, sess.LastSeenAt, sess.TokenHash)
	if err != nil {
		return time.Time{}, apperr.Wrap("keep session alive", err)
	}
	return sess.ExpiresAt(), nil
}

func (s *Service) endSession(ctx context.Context, tokenHash string) {
	// Best effort: an expired session that survives here is refused again next time.
	_, _ = s.db.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
}

// SignOut ends a session.
func (s *Service) SignOut(ctx context.Context, actor audit.Actor, sess Session) error {
	err := s.db.Tx(ctx, func(c store.Conn) error {
		if _, err := c.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, sess.TokenHash); err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, userEvent("signout", sess.UserID, ""))
	})
	return apperr.Wrap("sign out", err)
}

// PurgeSessions deletes sessions that can no longer be used.
func (s *Service) PurgeSessions(ctx context.Context) (int64, error) {
	now := s.now().UTC()
	res, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?`,
		now.Add(-IdleTimeout), now.Add(-AbsoluteTimeout))
	if err != nil {
		return 0, apperr.Wrap("purge sessions", err)
	}
	return res, nil
}
