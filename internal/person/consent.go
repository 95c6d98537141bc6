package person

import (
	"context"
	"fmt"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// ConsentKind is what a consent is about.
type ConsentKind string

const (
	ConsentSocialPrescribing ConsentKind = "social_prescribing"
	ConsentGPSharing         ConsentKind = "gp_sharing"
	ConsentProviderContact   ConsentKind = "provider_contact"
)

// consentValues lists what each kind may be, in the order shown.
var consentValues = map[ConsentKind][]string{
	ConsentSocialPrescribing: {"given", "refused"},
	ConsentGPSharing:         {"full", "codes_only", "none"},
	ConsentProviderContact:   {"given", "refused"},
}

var consentLabels = map[string]string{
	"given": "Given", "refused": "Refused", "full": "Full summary", "codes_only": "Codes only", "none": "Nothing",
	string(ConsentSocialPrescribing): "Consent to social prescribing",
	string(ConsentGPSharing):         "Sharing with their GP",
	string(ConsentProviderContact):   "Contact by community providers",
}

// ConsentLabel names a consent kind or value for people.
func ConsentLabel(s string) string { return consentLabels[s] }

// ConsentKinds lists the kinds in the order shown.
var ConsentKinds = []ConsentKind{ConsentSocialPrescribing, ConsentGPSharing, ConsentProviderContact}

// Values lists what a consent of this kind may be.
func (k ConsentKind) Values() []string { return consentValues[k] }

// Consent is one recorded decision; the latest of each kind is in force.
type Consent struct {
	Kind       ConsentKind
	Value      string
	RecordedBy int64
	RecordedAt time.Time
}

// ValidateConsent explains what is wrong with a consent value, or returns "".
func ValidateConsent(kind ConsentKind, value string) string {
	vals, ok := consentValues[kind]
	if !ok {
		return "Select what the consent is about"
	}
	for _, v := range vals {
		if v == value {
			return ""
		}
	}
	return "Select what they decided"
}

// RecordConsentIn records a consent decision in the caller's transaction.
func RecordConsentIn(ctx context.Context, c store.Conn, actor audit.Actor, personID int64, kind ConsentKind, value string) error {
	if msg := ValidateConsent(kind, value); msg != "" {
		return apperr.Fields{{Field: "consent_" + string(kind), Message: msg}}.Err()
	}
	var by any
	if actor.UserID != 0 {
		by = actor.UserID
	}
	_, err := c.Exec(ctx, `INSERT INTO consents (person_id, kind, value, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?)`,
		personID, kind, value, by, store.Now())
	if err != nil {
		return fmt.Errorf("record consent: %w", err)
	}
	return audit.Record(ctx, c, actor, personEvent("consent.record", personID, string(kind)+"="+value))
}

// RecordConsent records a consent decision.
func (s *Service) RecordConsent(ctx context.Context, actor audit.Actor, personID int64, kind ConsentKind, value string) error {
	err := s.db.Tx(ctx, func(c store.Conn) error { return RecordConsentIn(ctx, c, actor, personID, kind, value) })
	return apperr.Wrap("record consent", err)
}

// Consents returns the consents in force, by kind, and every decision, newest first.
func (s *Service) Consents(ctx context.Context, personID int64) (map[ConsentKind]Consent, []Consent, error) {
	rows, err := s.db.Reader().Query(ctx, `SELECT kind, value, COALESCE(recorded_by, 0), recorded_at FROM consents
		WHERE person_id = ? ORDER BY recorded_at DESC, id DESC`, personID)
	if err != nil {
		return nil, nil, apperr.Wrap("list consents", err)
	}
	defer rows.Close()
	current := map[ConsentKind]Consent{}
	var all []Consent
	for rows.Next() {
		var c Consent
		if err := rows.Scan(&c.Kind, &c.Value, &c.RecordedBy, &c.RecordedAt); err != nil {
			return nil, nil, apperr.Wrap("list consents", err)
		}
		if _, seen := current[c.Kind]; !seen {
			current[c.Kind] = c
		}
		all = append(all, c)
	}
	return current, all, apperr.Wrap("list consents", rows.Err())
}
