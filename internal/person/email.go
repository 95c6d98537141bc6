package person

import "net/mail"

// ValidEmail reports whether v is one plain email address, such as name@example.com.
func ValidEmail(v string) bool {
	a, err := mail.ParseAddress(v)
	return err == nil && a.Address == v
}
