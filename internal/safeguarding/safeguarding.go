// Package safeguarding keeps people safe while they are supported: risk flags shown at the top
// of every page about a person, and safeguarding concerns raised from a case that reach the
// organisation's safeguarding leads and the worker's supervisors at once, with the receiving
// service's local procedure beside them (DESIGN F10, §3.2).
package safeguarding

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/store"
)

// Service raises and removes risk flags, and raises and follows safeguarding concerns.
type Service struct {
	db     *store.DB
	mailer notify.Mailer
	log    *slog.Logger
}

// NewService returns a Service over db that emails through mailer; a nil mailer only logs.
func NewService(db *store.DB, mailer notify.Mailer, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	if mailer == nil {
		mailer = notify.LogMailer{Log: log}
	}
	return &Service{db: db, mailer: mailer, log: log}
}

// text trims a free-text answer and adds a field error if it is missing (when missing says
// what to enter) or longer than limit.
func text(errs *apperr.Fields, field, label, s string, limit int, missing string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && missing != "":
		errs.Add(field, missing)
	case len(s) > limit:
		errs.Add(field, fmt.Sprintf("%s must be %d characters or fewer", label, limit))
	}
	return s
}
