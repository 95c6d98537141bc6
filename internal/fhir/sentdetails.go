package fhir

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/person"
)

// SentDetail is a contact detail a referrer's system sent for a person Linkwell already knew,
// which differs from their record. As in the web interface, referring someone already known
// never rewrites their record: the triager sees what was sent and checks it with the person.
type SentDetail struct {
	Field string `json:"field"`
	Label string `json:"label"`
	Value string `json:"value"`
}

// sentDetails compares the Patient as sent with the matched person's record. Empty elements
// say nothing, so they never count as a difference.
func (in *intake) sentDetails(known person.Person, now time.Time) []SentDetail {
	sent := in.personInput()
	if p, err := sent.Validate(now); err == nil {
		sent.Postcode, sent.Phone, sent.Email, sent.Address, sent.PracticeODS = p.Postcode, p.Phone, p.Email, p.Address, p.PracticeODS
	}
	var out []SentDetail
	for _, d := range []struct{ field, label, sent, have string }{
		{"phone", "Phone", sent.Phone, known.Phone},
		{"email", "Email", sent.Email, known.Email},
		{"address", "Address", sent.Address, known.Address},
		{"postcode", "Postcode", sent.Postcode, known.Postcode},
		{"practice_ods", "GP practice (ODS code)", sent.PracticeODS, known.PracticeODS},
	} {
		if v := strings.TrimSpace(d.sent); v != "" && !strings.EqualFold(v, strings.TrimSpace(d.have)) {
			out = append(out, SentDetail{Field: d.field, Label: d.label, Value: v})
		}
	}
	return out
}

func encodeSentDetails(ds []SentDetail) string {
	if len(ds) == 0 {
		return ""
	}
	b, _ := json.Marshal(ds)
	return string(b)
}

// SentDetails returns what the referrer's system sent that differs from the person's record,
// for a referral that arrived over FHIR; none for any other. The caller has authorised the
// reader to see the referral in full and audits it with the person's record.
func (s *Service) SentDetails(ctx context.Context, referralID int64) ([]SentDetail, error) {
	var raw string
	err := s.db.Reader().QueryRow(ctx, `SELECT sent_details FROM fhir_referrals WHERE referral_id = ?`, referralID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) || err == nil && raw == "" {
		return nil, nil
	}
	if err != nil {
		return nil, apperr.Wrap("sent details", fmt.Errorf("read: %w", err))
	}
	var out []SentDetail
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return nil, apperr.Wrap("sent details", err)
	}
	return out, nil
}
