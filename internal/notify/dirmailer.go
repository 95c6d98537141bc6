package notify

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"
)

// DirMailer writes each email as a file in Dir instead of sending it, for demonstrations and
// tests: one message a file, named by when it was written and its kind, in the plain form of
// an email (headers, a blank line, the body) that any mail program opens.
type DirMailer struct {
	Dir string
}

// Send writes the email to a new file in the directory, making the directory if need be.
func (m DirMailer) Send(_ context.Context, e Email) error {
	if err := os.MkdirAll(m.Dir, 0o700); err != nil {
		return fmt.Errorf("mail directory: %w", err)
	}
	prefix := time.Now().UTC().Format("20060102T150405.000000") + "-" + strings.ReplaceAll(string(e.Kind), ".", "-") + "-"
	f, err := os.CreateTemp(m.Dir, prefix+"*.eml")
	if err != nil {
		return fmt.Errorf("write email: %w", err)
	}
	header := strings.NewReplacer("\r", " ", "\n", " ")
	_, err = fmt.Fprintf(f, "To: %s\r\nSubject: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		header.Replace(e.To), header.Replace(e.Subject), e.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write email: %w", err)
	}
	return nil
}
