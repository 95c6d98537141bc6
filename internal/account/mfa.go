package account

import (
	"context"
	"crypto/rand"
	"fmt"
	"math"
	"math/big"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// Recovery codes are for a lost phone: ten of them, each used once, twelve characters from an
// alphabet without look-alikes (no 0 or o, 1, i or l), shown as xxxx-xxxx-xxxx. The database
// keeps only their SHA-256 hashes.
const (
	recoveryCodeCount  = 10
	recoveryCodeLength = 12
	recoveryAlphabet   = "23456789abcdefghjkmnpqrstuvwxyz"
)

// The messages for the code field, in the NHS service manual's words.
const (
	msgEnterCode = "Enter the 6-digit code from your authenticator app"
	msgWrongCode = "The code is not correct. Check your authenticator app and try again"
	msgUsedCode  = "This code has already been used. Wait for your authenticator app to show a new code, then try again"
)

func codeError(msg string) error { return apperr.Fields{{Field: "code", Message: msg}}.Err() }

var errAlreadyEnrolled = apperr.New(apperr.Conflict, "Two-step verification is already set up for this account")

// tidyCode removes the spaces and hyphens people type or paste with a code.
func tidyCode(s string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, s))
}

func isTOTPCode(code string) bool {
	return len(code) == totpDigits && strings.Trim(code, "0123456789") == ""
}

func isRecoveryCode(code string) bool {
	return len(code) == recoveryCodeLength && strings.Trim(code, recoveryAlphabet) == ""
}

// BeginEnrolment gives a user a secret to add to their authenticator app, kept as pending
// until ConfirmEnrolment sees a code from it. Asking again returns the same pending secret, so
// reloading the page does not invalidate a QR code already scanned.
func (s *Service) BeginEnrolment(ctx context.Context, actor audit.Actor, userID int64) (secret, uri string, err error) {
	var u User
	err = s.db.Tx(ctx, func(c store.Conn) error {
		if u, err = getUser(ctx, c, "id = ?", userID); err != nil {
			return err
		}
		if u.MFAEnabled {
			return errAlreadyEnrolled
		}
		if secret, err = pendingSecret(ctx, c, userID); err != nil || secret != "" {
			return err
		}
		if secret, err = newTOTPSecret(); err != nil {
			return err
		}
		if err := setPendingSecret(ctx, c, userID, secret); err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, userEvent("mfa.enrol_start", userID, ""))
	})
	if err != nil {
		return "", "", apperr.Wrap("begin MFA enrolment", err)
	}
	return secret, TOTPURI(secret, u.Email), nil
}

// ConfirmEnrolment turns two-step verification on when code comes from the pending secret,
// and returns the user's new recovery codes, which are never shown again.
func (s *Service) ConfirmEnrolment(ctx context.Context, actor audit.Actor, userID int64, code string) ([]string, error) {
	code = tidyCode(code)
	if !isTOTPCode(code) {
		return nil, codeError(msgEnterCode)
	}
	codes, err := newRecoveryCodes()
	if err != nil {
		return nil, apperr.Wrap("confirm MFA enrolment", err)
	}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		u, err := getUser(ctx, c, "id = ?", userID)
		if err != nil {
			return err
		}
		if u.MFAEnabled {
			return errAlreadyEnrolled
		}
		secret, err := pendingSecret(ctx, c, userID)
		if err != nil {
			return err
		}
		if secret == "" {
			return apperr.New(apperr.Conflict, "Start setting up two-step verification again")
		}
		key, err := decodeTOTPSecret(secret)
		if err != nil {
			return err
		}
		step, res := matchTOTP(key, code, s.now(), 0)
		if res != totpAccepted {
			return codeError(msgWrongCode)
		}
		if err := enableTOTP(ctx, c, userID, secret, step); err != nil {
			return err
		}
		if err := storeRecoveryCodes(ctx, c, userID, codes); err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, userEvent("mfa.enrol", userID, ""))
	})
	if err != nil {
		return nil, apperr.Wrap("confirm MFA enrolment", err)
	}
	return codes, nil
}

// VerifySecondFactor completes a sign-in whose password has passed, with a code from the
// authenticator app or an unused recovery code. On success it replaces the session with a new
// one that has passed both factors and returns its token for the cookie. Wrong codes are
// throttled like wrong passwords, but counted apart so that a right password does not clear
// them.
func (s *Service) VerifySecondFactor(ctx context.Context, sess Session, code, address string) (string, error) {
	u, err := getUser(ctx, s.db.Reader(), "id = ?", sess.UserID)
	if err != nil {
		return "", apperr.Wrap("verify second factor", err)
	}
	if !u.MFAEnabled || u.Disabled() {
		return "", errNoSession
	}
	key := "mfa:" + u.Email
	if wait := s.throttle.Wait(key, address); wait > 0 {
		return "", tooManyAttempts(wait)
	}
	code = tidyCode(code)
	if !isTOTPCode(code) && !isRecoveryCode(code) {
		return "", codeError(msgEnterCode)
	}
	var token string
	err = s.db.Tx(ctx, func(c store.Conn) error {
		action, detail, err := s.checkSecondFactor(ctx, c, u, code)
		if err != nil {
			return err
		}
		if token, err = renewSession(ctx, c, sess.TokenHash, u.ID); err != nil {
			return err
		}
		return audit.Record(ctx, c, Actor(u, address), userEvent(action, u.ID, detail))
	})
	if apperr.Is(err, apperr.Invalid) {
		s.throttle.Fail(key, address)
		return "", s.recordSecondFactorFailure(ctx, u, address, err)
	}
	if err != nil {
		return "", apperr.Wrap("verify second factor", err)
	}
	s.throttle.Succeed(key, address)
	return token, nil
}

// checkSecondFactor uses up a TOTP step or a recovery code, and names the audit entry.
func (s *Service) checkSecondFactor(ctx context.Context, c store.Conn, u User, code string) (action, detail string, err error) {
	if isRecoveryCode(code) {
		left, err := useRecoveryCode(ctx, c, u.ID, code)
		if err != nil {
			return "", "", err
		}
		return "signin.recovery_code", fmt.Sprintf("remaining=%d", left), nil
	}
	key, err := decodeTOTPSecret(u.totpSecret)
	if err != nil {
		return "", "", err
	}
	last, err := lastTOTPStep(ctx, c, u.ID)
	if err != nil {
		return "", "", err
	}
	step, res := matchTOTP(key, code, s.now(), last)
	switch {
	case res == totpReplayed:
		return "", "", codeError(msgUsedCode)
	case res != totpAccepted:
		return "", "", codeError(msgWrongCode)
	}
	if err := advanceTOTPStep(ctx, c, u.ID, step); err != nil {
		return "", "", err
	}
	return "signin.mfa", "method=totp", nil
}

func (s *Service) recordSecondFactorFailure(ctx context.Context, u User, address string, cause error) error {
	err := s.db.Tx(ctx, func(c store.Conn) error {
		return audit.Record(ctx, c, Actor(u, address), userEvent("signin.mfa_failed", u.ID, ""))
	})
	if err != nil {
		return apperr.Wrap("verify second factor", err)
	}
	return cause
}

func tooManyAttempts(wait time.Duration) error {
	secs := int(math.Ceil(wait.Seconds()))
	return apperr.New(apperr.TooMany, "There have been too many attempts to sign in. Wait %d seconds, then try again.", secs)
}

// RegenerateRecoveryCodes replaces a user's recovery codes, used or not, with ten new ones.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, actor audit.Actor, userID int64) ([]string, error) {
	codes, err := newRecoveryCodes()
	if err != nil {
		return nil, apperr.Wrap("regenerate recovery codes", err)
	}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		u, err := getUser(ctx, c, "id = ?", userID)
		if err != nil {
			return err
		}
		if !u.MFAEnabled {
			return apperr.New(apperr.Conflict, "Set up two-step verification before getting recovery codes")
		}
		if err := storeRecoveryCodes(ctx, c, userID, codes); err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, userEvent("mfa.recovery_codes", userID, ""))
	})
	if err != nil {
		return nil, apperr.Wrap("regenerate recovery codes", err)
	}
	return codes, nil
}

// RecoveryCodesLeft counts a user's unused recovery codes.
func (s *Service) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	n, err := countRecoveryCodes(ctx, s.db.Reader(), userID)
	return n, apperr.Wrap("count recovery codes", err)
}

// DisableMFA removes a user's two-step verification, for an administrator resetting it after
// a lost phone. It ends the user's sessions; where the deployment requires two-step
// verification they must set it up again when they next sign in.
func (s *Service) DisableMFA(ctx context.Context, actor audit.Actor, userID int64) error {
	err := s.db.Tx(ctx, func(c store.Conn) error {
		if _, err := getUser(ctx, c, "id = ?", userID); err != nil {
			return err
		}
		if err := clearTOTP(ctx, c, userID); err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, userEvent("mfa.disable", userID, ""))
	})
	return apperr.Wrap("disable MFA", err)
}

func newRecoveryCodes() ([]string, error) {
	codes := make([]string, recoveryCodeCount)
	limit := big.NewInt(int64(len(recoveryAlphabet)))
	for i := range codes {
		b := make([]byte, recoveryCodeLength)
		for j := range b {
			n, err := rand.Int(rand.Reader, limit)
			if err != nil {
				return nil, fmt.Errorf("new recovery code: %w", err)
			}
			b[j] = recoveryAlphabet[n.Int64()]
		}
		codes[i] = string(b[:4]) + "-" + string(b[4:8]) + "-" + string(b[8:])
	}
	return codes, nil
}

// hashRecoveryCode hashes a code as typed or as shown: both tidy to the same string.
func hashRecoveryCode(code string) string { return hashToken(tidyCode(code)) }

// The SQL for two-step verification.

func pendingSecret(ctx context.Context, c store.Conn, userID int64) (string, error) {
	var secret string
	err := c.QueryRow(ctx, `SELECT COALESCE(totp_pending_secret, '') FROM users WHERE id = ?`, userID).Scan(&secret)
	if err != nil {
		return "", fmt.Errorf("get pending TOTP secret: %w", err)
	}
	return secret, nil
}

func setPendingSecret(ctx context.Context, c store.Conn, userID int64, secret string) error {
	_, err := c.Exec(ctx, `UPDATE users SET totp_pending_secret = ? WHERE id = ?`, secret, userID)
	if err != nil {
		return fmt.Errorf("set pending TOTP secret: %w", err)
	}
	return nil
}

// enableTOTP makes the pending secret the user's, and remembers the step just used so that
// the code typed to confirm cannot also be used to sign in.
func enableTOTP(ctx context.Context, c store.Conn, userID int64, secret string, step int64) error {
	now := store.Now()
	res, err := c.Exec(ctx, `UPDATE users SET totp_secret = ?, totp_pending_secret = NULL, totp_enabled_at = ?,
		totp_last_step = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND totp_pending_secret = ? AND totp_enabled_at IS NULL`, secret, now, step, now, userID, secret)
	if err != nil {
		return fmt.Errorf("enable TOTP: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errAlreadyEnrolled
	}
	return nil
}

func clearTOTP(ctx context.Context, c store.Conn, userID int64) error {
	_, err := c.Exec(ctx, `UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_enabled_at = NULL,
		totp_last_step = NULL, updated_at = ?, version = version + 1 WHERE id = ?`, store.Now(), userID)
	if err != nil {
		return fmt.Errorf("clear TOTP: %w", err)
	}
	if _, err := c.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("delete recovery codes: %w", err)
	}
	if _, err := c.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("end user sessions: %w", err)
	}
	return nil
}

func lastTOTPStep(ctx context.Context, c store.Conn, userID int64) (int64, error) {
	var step int64
	err := c.QueryRow(ctx, `SELECT COALESCE(totp_last_step, 0) FROM users WHERE id = ?`, userID).Scan(&step)
	if err != nil {
		return 0, fmt.Errorf("get last TOTP step: %w", err)
	}
	return step, nil
}

// advanceTOTPStep records step as used. The condition makes two requests racing with the same
// code agree: only one of them moves the step on.
func advanceTOTPStep(ctx context.Context, c store.Conn, userID, step int64) error {
	res, err := c.Exec(ctx, `UPDATE users SET totp_last_step = ?
		WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)`, step, userID, step)
	if err != nil {
		return fmt.Errorf("advance TOTP step: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return codeError(msgUsedCode)
	}
	return nil
}

func storeRecoveryCodes(ctx context.Context, c store.Conn, userID int64, codes []string) error {
	if _, err := c.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("delete recovery codes: %w", err)
	}
	for _, code := range codes {
		_, err := c.Exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)`, userID, hashRecoveryCode(code))
		if err != nil {
			return fmt.Errorf("store recovery code: %w", err)
		}
	}
	return nil
}

// useRecoveryCode marks a code used and reports how many are left; a wrong or used code is a
// wrong code.
func useRecoveryCode(ctx context.Context, c store.Conn, userID int64, code string) (int, error) {
	res, err := c.Exec(ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`,
		store.Now(), userID, hashRecoveryCode(code))
	if err != nil {
		return 0, fmt.Errorf("use recovery code: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, codeError(msgWrongCode)
	}
	return countRecoveryCodes(ctx, c, userID)
}

func countRecoveryCodes(ctx context.Context, c store.Conn, userID int64) (int, error) {
	var n int
	err := c.QueryRow(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count recovery codes: %w", err)
	}
	return n, nil
}

// renewSession swaps a session that owed its second factor for a new one that has passed it,
// so that a token seen before the second factor is worth nothing after it.
func renewSession(ctx context.Context, c store.Conn, oldHash string, userID int64) (string, error) {
	res, err := c.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ? AND user_id = ?`, oldHash, userID)
	if err != nil {
		return "", fmt.Errorf("end session: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return "", errNoSession
	}
	return insertSession(ctx, c, userID, true)
}
