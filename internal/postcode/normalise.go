package postcode

import (
	"github.com/linkwell/linkwell/internal/apperr"
)

// The messages follow the NHS service manual's pattern for a postcode field.
const (
	msgEmpty   = "Enter a postcode"
	msgInvalid = "Enter a real postcode, like AB10 1AA"
	msgPartial = "Enter the full postcode, like AB10 1AA"
)

// Normalise returns a full UK postcode in the form the ONS and Royal Mail print it: capitals,
// the outward code, one space, the inward code ("ab101aa" gives "AB10 1AA"). Anything that is
// not shaped like a full postcode is apperr.Invalid with a message that can be shown as it is.
func Normalise(s string) (string, error) {
	if isCanonical(s) {
		return s, nil
	}
	outward, inward, err := split(s)
	if err != nil {
		return "", err
	}
	if inward == "" {
		return "", apperr.New(apperr.Invalid, msgPartial)
	}
	return outward + " " + inward, nil
}

// split reads a full postcode or an outward code on its own, ignoring case and white space,
// and returns its parts in capitals; inward is "" for an outward code alone.
func split(s string) (outward, inward string, err error) {
	// A postcode has at most 7 characters besides spaces; more is junk, read no further.
	var buf [7]byte
	n := 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r':
			continue
		case n == len(buf):
			return "", "", apperr.New(apperr.Invalid, msgInvalid)
		case 'a' <= ch && ch <= 'z':
			ch -= 'a' - 'A'
		}
		buf[n] = ch
		n++
	}
	c := string(buf[:n])
	switch {
	case n == 0:
		return "", "", apperr.New(apperr.Invalid, msgEmpty)
	case n >= 5 && isInward(c[n-3:]) && isOutward(c[:n-3]):
		return c[:n-3], c[n-3:], nil
	case isOutward(c):
		return c, "", nil
	}
	return "", "", apperr.New(apperr.Invalid, msgInvalid)
}

// isCanonical reports whether s is already a normalised full postcode, as every row of the
// ONS file is, so the importer need not copy it.
func isCanonical(s string) bool {
	n := len(s)
	return n >= 6 && n <= 8 && s[n-4] == ' ' && isInward(s[n-3:]) && isOutward(s[:n-4])
}

// isOutward reports whether b is an outward code: A9, A99, AA9, AA99, A9A or AA9A, or GIR
// (the one non-standard postcode, GIR 0AA).
func isOutward(b string) bool {
	if b == "GIR" {
		return true
	}
	i := 0
	for i < len(b) && i < 2 && isLetter(b[i]) {
		i++
	}
	if i == 0 || i == len(b) || !isDigit(b[i]) {
		return false
	}
	rest := b[i+1:]
	return len(rest) == 0 || (len(rest) == 1 && (isDigit(rest[0]) || isLetter(rest[0])))
}

// isInward reports whether b is an inward code: a digit then two letters.
func isInward(b string) bool {
	return len(b) == 3 && isDigit(b[0]) && isLetter(b[1]) && isLetter(b[2])
}

func isLetter(ch byte) bool { return 'A' <= ch && ch <= 'Z' }
func isDigit(ch byte) bool  { return '0' <= ch && ch <= '9' }
