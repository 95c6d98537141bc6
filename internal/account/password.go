package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's minimum recommendation is 19 MiB, 2 passes, 1 lane; we use
// 19 MiB and 3 passes, which costs about 40 ms on this project's 2-core machines.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 3
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16
)

// MinPasswordLength follows NCSC guidance: length over composition rules.
const MinPasswordLength = 12

// HashPassword returns an Argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime,
		argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var b64 = base64.RawStdEncoding

var errBadHash = errors.New("password hash is not a known Argon2id string")

// CheckPassword reports whether password matches the PHC-format hash, in constant time.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var mem, iters uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iters, &threads); err != nil {
		return false, errBadHash
	}
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, iters, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when no account matches, so that a sign-in for an unknown
// address takes as long as one for a known address.
var dummyHash, _ = HashPassword("no account has this password")

// ValidatePassword explains what is wrong with a new password, or returns "".
func ValidatePassword(p string) string {
	switch {
	case p == "":
		return "Enter a password"
	case len([]rune(p)) < MinPasswordLength:
		return fmt.Sprintf("Password must be %d characters or more", MinPasswordLength)
	case len(p) > 256:
		return "Password must be 256 characters or fewer"
	}
	return ""
}
