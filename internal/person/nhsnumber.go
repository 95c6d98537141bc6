// Package person holds the people Linkwell supports: identity and demographics, contact
// preferences, accessibility needs, and consent records.
package person

import (
	"strings"
)

// NHSNumber is a 10-digit NHS number, stored without spaces.
type NHSNumber string

// ParseNHSNumber accepts an NHS number typed with spaces or dashes, and checks its length and
// its modulus 11 check digit. It returns a message safe to show when the number is wrong.
func ParseNHSNumber(s string) (NHSNumber, string) {
	digits := strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return r
		case r == ' ' || r == '-':
			return -1
		}
		return 'x'
	}, strings.TrimSpace(s))
	switch {
	case digits == "":
		return "", "Enter the NHS number"
	case strings.ContainsRune(digits, 'x'):
		return "", "NHS number must only include numbers, spaces and dashes"
	case len(digits) != 10:
		return "", "NHS number must be 10 digits"
	case !checkDigitOK(digits):
		return "", "Enter a valid NHS number: check it against a letter or the NHS App"
	}
	return NHSNumber(digits), ""
}

// checkDigitOK applies the modulus 11 rule: weight the first nine digits 10 down to 2, take
// 11 minus the remainder of their sum by 11 (11 counts as 0); 10 is never valid.
func checkDigitOK(d string) bool {
	sum := 0
	for i := range 9 {
		sum += int(d[i]-'0') * (10 - i)
	}
	check := 11 - sum%11
	if check == 11 {
		check = 0
	}
	return check != 10 && check == int(d[9]-'0')
}

// String shows the number as NHS services do: 999 123 4567.
func (n NHSNumber) String() string {
	if len(n) != 10 {
		return string(n)
	}
	return string(n[:3]) + " " + string(n[3:6]) + " " + string(n[6:])
}
