package notify

import (
	"context"
	"log/slog"
)

// Email is one message to a member of staff. UserID and Kind say who and what for the log;
// To, Subject and Body are what a real mailer sends.
type Email struct {
	UserID  int64
	Kind    Kind
	To      string
	Subject string
	Body    string
}

// Mailer sends email. Implementations must not log the address, subject or body.
type Mailer interface {
	Send(ctx context.Context, m Email) error
}

// LogMailer is the default Mailer: it sends nothing and logs only that a message of a kind
// went to a user id.
type LogMailer struct {
	Log *slog.Logger
}

// Send logs the kind and the user id, never the address, subject or body.
func (l LogMailer) Send(ctx context.Context, m Email) error {
	log := l.Log
	if log == nil {
		log = slog.Default()
	}
	log.InfoContext(ctx, "email sent", "kind", string(m.Kind), "user_id", m.UserID)
	return nil
}

// Outbox collects emails during a transaction so that they are sent only after it commits:
// an email must never announce a change that was rolled back.
type Outbox struct {
	mails []Email
}

// Add queues an email.
func (o *Outbox) Add(m Email) { o.mails = append(o.mails, m) }

// Len reports how many emails are queued.
func (o *Outbox) Len() int { return len(o.mails) }

// Send hands every queued email to the mailer and empties the outbox. A failed send is logged
// and the rest still go: the change they announce has already been made, and the in-app
// notification already stands.
func (o *Outbox) Send(ctx context.Context, mailer Mailer, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	for _, m := range o.mails {
		if err := mailer.Send(ctx, m); err != nil {
			log.WarnContext(ctx, "email not sent", "kind", string(m.Kind), "user_id", m.UserID, "err", err)
		}
	}
	o.mails = nil
}
