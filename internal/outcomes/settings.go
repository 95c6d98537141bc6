package outcomes

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// ServiceInstruments lists the measures a service may use and whether it does.
func (s *Service) ServiceInstruments(ctx context.Context, serviceID int64) ([]ServiceInstrument, error) {
	var out []ServiceInstrument
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		var err error
		out, err = serviceInstruments(ctx, c, serviceID)
		return err
	})
	return out, apperr.Wrap("service measures", err)
}

// SetUse switches a measure on or off for a service. One that needs a licence is switched
// on only with a note of the licence the service holds.
func (s *Service) SetUse(ctx context.Context, actor audit.Actor, userID, serviceID int64, code string, enabled bool, licenceNote string) error {
	licenceNote = strings.TrimSpace(licenceNote)
	err := s.db.Tx(ctx, func(c store.Conn) error {
		uses, err := serviceInstruments(ctx, c, serviceID)
		if err != nil {
			return err
		}
		var inst *Instrument
		for i := range uses {
			if uses[i].Instrument.Code == code {
				inst = &uses[i].Instrument
			}
		}
		if inst == nil {
			return apperr.New(apperr.NotFound, "This service cannot use that measure")
		}
		if enabled && inst.Licence.Required && licenceNote == "" {
			return apperr.Fields{{Field: "licence_note", Message: "Enter the licence your service holds for " + inst.Name + " before switching it on"}}.Err()
		}
		if len(licenceNote) > 500 {
			return apperr.Fields{{Field: "licence_note", Message: "Licence details must be 500 characters or fewer"}}.Err()
		}
		now := store.Now()
		if _, err := c.Exec(ctx, `INSERT INTO outcome_service_instruments (service_id, instrument_code, enabled, licence_note, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (service_id, instrument_code) DO UPDATE
			SET enabled = excluded.enabled, licence_note = excluded.licence_note, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			serviceID, code, enabled, licenceNote, nullID(userID), now); err != nil {
			return fmt.Errorf("set measure use: %w", err)
		}
		return audit.Record(ctx, c, actor, audit.Event{Action: "outcome.instrument_use", RecordType: "service", RecordID: audit.RecordID(serviceID),
			Detail: fmt.Sprintf("instrument=%s enabled=%t licence_recorded=%t", code, enabled, licenceNote != "")})
	})
	return apperr.Wrap("set measure use", err)
}

// LoadInstrument adds a service lead's own instrument, or a new version of one, from a file.
// A problem with the file is an Invalid error whose message lists each line and field.
func (s *Service) LoadInstrument(ctx context.Context, actor audit.Actor, userID, orgID int64, file []byte) (Instrument, error) {
	in, err := ParseInstrument(file)
	if err != nil {
		fe, _ := errors.AsType[FileErrors](err)
		return Instrument{}, fileProblem(fe)
	}
	if _, builtIn := BuiltIn(in.Code); builtIn {
		return Instrument{}, fileProblem(FileErrors{{Field: "code", Message: fmt.Sprintf("%q is a built-in measure: give your own a code of its own", in.Code)}})
	}
	def, err := json.Marshal(in)
	if err != nil {
		return Instrument{}, apperr.Wrap("load instrument", err)
	}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		var owner sql.NullInt64
		var latest int
		err := c.QueryRow(ctx, `SELECT MAX(organisation_id), COALESCE(MAX(version), 0) FROM outcome_instruments WHERE code = ?`, in.Code).Scan(&owner, &latest)
		if err != nil {
			return fmt.Errorf("read versions: %w", err)
		}
		if owner.Valid && owner.Int64 != orgID {
			return fileProblem(FileErrors{{Field: "code", Message: fmt.Sprintf("%q is used by another organisation's measure: choose another code", in.Code)}})
		}
		if in.Version <= latest {
			return fileProblem(FileErrors{{Field: "version", Message: fmt.Sprintf("version %d of %q is already loaded: give version %d or higher", latest, in.Code, latest+1)}})
		}
		if _, err := c.Exec(ctx, `INSERT INTO outcome_instruments (organisation_id, code, version, name, definition, loaded_by, loaded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, orgID, in.Code, in.Version, in.Name, string(def), nullID(userID), store.Now()); err != nil {
			return fmt.Errorf("insert instrument: %w", err)
		}
		return audit.Record(ctx, c, actor, audit.Event{Action: "outcome.instrument_load", RecordType: "organisation", RecordID: audit.RecordID(orgID),
			Detail: fmt.Sprintf("instrument=%s version=%d items=%d", in.Code, in.Version, len(in.Items))})
	})
	if err != nil {
		return Instrument{}, apperr.Wrap("load instrument", err)
	}
	return in, nil
}

// fileProblem is an Invalid error on the form's file field that lists each problem.
func fileProblem(fe FileErrors) error {
	msgs := make([]string, len(fe))
	for i, e := range fe {
		msgs[i] = e.String()
	}
	return &apperr.Error{Kind: apperr.Invalid, Message: "There is a problem",
		Fields: []apperr.FieldError{{Field: "file", Message: "The file has problems: " + strings.Join(msgs, "; ")}}}
}
