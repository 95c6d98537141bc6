package account

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP follows RFC 6238 with the parameters every authenticator app supports: HMAC-SHA1,
// 30-second steps and 6 digits.
const (
	totpPeriod      = 30
	totpDigits      = 6
	totpSecretBytes = 20 // 160 bits, the length RFC 4226 recommends for HMAC-SHA1
	totpDrift       = 1  // steps either side of now accepted, for a phone's clock being a little out
	totpIssuer      = "Linkwell"
)

var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newTOTPSecret returns a fresh random secret in base32, as authenticator apps expect it.
func newTOTPSecret() (string, error) {
	b := make([]byte, totpSecretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new TOTP secret: %w", err)
	}
	return totpEncoding.EncodeToString(b), nil
}

// decodeTOTPSecret reads a base32 secret, forgiving the spaces, lower case and padding that
// people add when they copy one.
func decodeTOTPSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.ReplaceAll(secret, " ", ""))
	key, err := totpEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("TOTP secret is not base32")
	}
	return key, nil
}

// hotp is RFC 4226's one-time password for a counter, zero-padded to digits.
func hotp(key []byte, counter uint64, digits int) string {
	mac := hmac.New(sha1.New, key)
	binary.Write(mac, binary.BigEndian, counter)
	sum := mac.Sum(nil)
	offset := sum[len(sum)-1] & 0x0f
	value := binary.BigEndian.Uint32(sum[offset:offset+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, value%mod)
}

// totpStep is the number of the 30-second step that t falls in.
func totpStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// TOTPCode is the 6-digit code an authenticator app shows for a base32 secret at time t.
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := decodeTOTPSecret(secret)
	if err != nil {
		return "", err
	}
	return hotp(key, uint64(totpStep(t)), totpDigits), nil
}

// TOTPURI is the otpauth:// address that an authenticator app reads from the QR code.
func TOTPURI(secret, email string) string {
	return fmt.Sprintf("otpauth://totp/%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&period=%d",
		url.PathEscape(totpIssuer+":"+email), url.QueryEscape(secret), url.QueryEscape(totpIssuer), totpDigits, totpPeriod)
}

// totpResult is what checking a typed code against a secret found.
type totpResult int

const (
	totpWrong    totpResult = iota
	totpReplayed            // right code, but for a step already used
	totpAccepted
)

// matchTOTP checks code against the steps around now. A code is accepted only for a step
// later than lastStep, the last step accepted for this user (0 for none), so that a code seen
// over someone's shoulder cannot be used again.
func matchTOTP(key []byte, code string, now time.Time, lastStep int64) (int64, totpResult) {
	current := totpStep(now)
	result := totpWrong
	for step := current - totpDrift; step <= current+totpDrift; step++ {
		want := hotp(key, uint64(step), totpDigits)
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
			continue
		}
		if step <= lastStep {
			result = totpReplayed
			continue
		}
		return step, totpAccepted
	}
	return 0, result
}
