package referral

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/store"
)

// MessageKind is the moment a message back is written.
type MessageKind string

const (
	MessageAccepted MessageKind = "accepted"
	MessageDeclined MessageKind = "declined"
	MessageClosed   MessageKind = "closed"
)

// Code is a SNOMED CT concept in a message.
type Code struct {
	Code, Display string
}

// Message is what goes back to the GP and the referrer. What it holds depends on the person's
// consent to share with their GP: a full summary, codes only, or nothing but the fact.
type Message struct {
	ID         int64
	ReferralID int64
	PersonID   int64
	Kind       MessageKind
	Recipient  string // "gp_and_referrer", or "referrer" when the person shares nothing with their GP
	Sharing    string // full, codes_only or none
	Codes      []Code
	Body       string
	CreatedAt  time.Time
}

// Outcome is what a message reports.
type Outcome struct {
	Kind    MessageKind
	Service string
	Reason  string // a decline or closure reason, in words
	Summary string // free text: included only when the person shares a full summary
}

// ComposeMessage writes the message for an outcome under a sharing consent. With codes only, no
// free text about the person leaves Linkwell; with none, only the referrer hears, and only
// the outcome.
func ComposeMessage(o Outcome, sharing string, declinedByPerson bool) Message {
	m := Message{Kind: o.Kind, Sharing: sharing, Recipient: "gp_and_referrer",
		Codes: []Code{{SNOMEDReferralToSocialPrescribing, SNOMEDReferralToSocialPrescribingDisplay}}}
	if o.Kind == MessageDeclined && declinedByPerson {
		m.Codes = append(m.Codes, Code{SNOMEDSocialPrescribingDeclined, SNOMEDSocialPrescribingDeclinedDisplay})
	}
	var lines []string
	switch o.Kind {
	case MessageAccepted:
		lines = append(lines, "The referral to "+o.Service+" has been accepted and support has started.")
	case MessageDeclined:
		lines = append(lines, "The referral to "+o.Service+" was not taken forward. Reason: "+o.Reason+".")
	case MessageClosed:
		lines = append(lines, "Support from "+o.Service+" has ended. Reason: "+o.Reason+".")
	}
	switch sharing {
	case "full":
		if o.Summary != "" {
			lines = append(lines, "", "Summary:", o.Summary)
		}
	case "codes_only":
		lines = append(lines, "", "The person asked that only coded information is shared with their GP.")
	default:
		m.Sharing, m.Recipient = "none", "referrer"
		m.Codes = nil
		lines = append(lines, "", "The person has not agreed to share information with their GP: this message goes to the referrer only.")
	}
	m.Body = strings.Join(lines, "\n")
	return m
}

func codesString(cs []Code) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Code + "|" + c.Display
	}
	return strings.Join(parts, ";")
}

func parseCodes(s string) []Code {
	var out []Code
	for _, p := range strings.Split(s, ";") {
		if code, display, ok := strings.Cut(p, "|"); ok {
			out = append(out, Code{code, display})
		}
	}
	return out
}

// RecordMessageIn stores a message for a referral in the caller's transaction.
func RecordMessageIn(ctx context.Context, c store.Conn, r Referral, m Message) error {
	_, err := c.Exec(ctx, `INSERT INTO messages (referral_id, person_id, kind, recipient, sharing, codes, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, r.PersonID, m.Kind, m.Recipient, m.Sharing, codesString(m.Codes), m.Body, store.Now())
	if err != nil {
		return fmt.Errorf("record message: %w", err)
	}
	return nil
}

// Messages lists the messages sent back about a referral, oldest first.
func (s *Service) Messages(ctx context.Context, referralID int64) ([]Message, error) {
	rows, err := s.db.Reader().Query(ctx, `SELECT id, referral_id, person_id, kind, recipient, sharing, codes, body, created_at
		FROM messages WHERE referral_id = ? ORDER BY id`, referralID)
	if err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		var codes string
		if err := rows.Scan(&m.ID, &m.ReferralID, &m.PersonID, &m.Kind, &m.Recipient, &m.Sharing, &codes, &m.Body, &m.CreatedAt); err != nil {
			return nil, fmt.Errorf("list messages: %w", err)
		}
		m.Codes = parseCodes(codes)
		out = append(out, m)
	}
	return out, rows.Err()
}

// gpSharing reads the person's consent to share with their GP in force, "none" if never asked.
func gpSharing(ctx context.Context, c store.Conn, personID int64) (string, error) {
	var v string
	err := c.QueryRow(ctx, `SELECT value FROM consents WHERE person_id = ? AND kind = 'gp_sharing'
		ORDER BY recorded_at DESC, id DESC LIMIT 1`, personID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "none", nil // never asked: nothing is shared
	}
	if err != nil {
		return "", fmt.Errorf("read sharing consent: %w", err)
	}
	return v, nil
}

// SendMessageIn composes and stores the message for an outcome of r, honouring the person's
// sharing consent, in the caller's transaction.
func SendMessageIn(ctx context.Context, c store.Conn, r Referral, o Outcome) error {
	sharing, err := gpSharing(ctx, c, r.PersonID)
	if err != nil {
		return err
	}
	svc, err := getService(ctx, c, r.ServiceID)
	if err != nil {
		return err
	}
	o.Service = svc.Name
	return RecordMessageIn(ctx, c, r, ComposeMessage(o, sharing, r.ReasonCode == string(RejectPersonDeclined)))
}
