package outcomes

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func lower(s string) string { return strings.ToLower(s[:1]) + s[1:] }

// notFound turns "no rows" into a NotFound error with msg, and wraps anything else.
func notFound(err error, msg string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.NotFound, "%s", msg)
	}
	return err
}

// responsesWhere lists responses matching where (over outcome_responses r) with their
// answers, oldest first, in two queries.
func responsesWhere(ctx context.Context, c store.Conn, where string, args ...any) ([]Response, error) {
	rows, err := c.Query(ctx, `SELECT r.id, r.case_id, r.instrument_code, r.instrument_version, r.timepoint, r.completed_by,
		COALESCE(r.recorded_by, 0), r.completed_at, r.raw_score, r.score FROM outcome_responses r WHERE `+where+
		` ORDER BY r.completed_at, r.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list responses: %w", err)
	}
	defer rows.Close()
	var out []Response
	byID := map[int64]int{}
	for rows.Next() {
		var r Response
		var raw sql.NullInt64
		var score sql.NullFloat64
		if err := rows.Scan(&r.ID, &r.CaseID, &r.Instrument, &r.Version, &r.Timepoint, &r.CompletedBy, &r.RecordedBy,
			&r.CompletedAt, &raw, &score); err != nil {
			return nil, fmt.Errorf("list responses: %w", err)
		}
		if raw.Valid {
			v := int(raw.Int64)
			r.Raw = &v
		}
		if score.Valid {
			r.Value = &score.Float64
		}
		byID[r.ID] = len(out)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	return out, fillAnswers(ctx, c, out, byID)
}

func fillAnswers(ctx context.Context, c store.Conn, rs []Response, byID map[int64]int) error {
	args := make([]any, len(rs))
	for i, r := range rs {
		args[i] = r.ID
	}
	rows, err := c.Query(ctx, `SELECT response_id, item_code, value, text FROM outcome_answers WHERE response_id IN `+
		store.In(len(args))+` ORDER BY response_id, item_code`, args...)
	if err != nil {
		return fmt.Errorf("list answers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var a Answer
		if err := rows.Scan(&id, &a.Item, &a.Value, &a.Text); err != nil {
			return fmt.Errorf("list answers: %w", err)
		}
		rs[byID[id]].Answers = append(rs[byID[id]].Answers, a)
	}
	return rows.Err()
}

// customInstrument reads a service lead's instrument; version 0 is the newest.
func customInstrument(ctx context.Context, c store.Conn, code string, version int) (Instrument, error) {
	var def string
	err := c.QueryRow(ctx, `SELECT definition FROM outcome_instruments WHERE code = ? AND (version = ? OR ? = 0)
		ORDER BY version DESC LIMIT 1`, code, version, version).Scan(&def)
	if err != nil {
		return Instrument{}, notFound(err, "No such measure was found")
	}
	var in Instrument
	if err := json.Unmarshal([]byte(def), &in); err != nil {
		return Instrument{}, fmt.Errorf("read instrument %s: %w", code, err)
	}
	return in, nil
}

// ServiceInstrument is an instrument a service may use, whether it does, and the licence it
// recorded holding.
type ServiceInstrument struct {
	Instrument  Instrument
	Enabled     bool
	LicenceNote string
}

// serviceInstruments lists the built-in instruments and the newest version of each of the
// service's organisation's own, with whether the service uses each.
func serviceInstruments(ctx context.Context, c store.Conn, serviceID int64) ([]ServiceInstrument, error) {
	settings := map[string]ServiceInstrument{}
	rows, err := c.Query(ctx, `SELECT instrument_code, enabled, licence_note FROM outcome_service_instruments WHERE service_id = ?`, serviceID)
	if err != nil {
		return nil, fmt.Errorf("service instruments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var si ServiceInstrument
		if err := rows.Scan(&code, &si.Enabled, &si.LicenceNote); err != nil {
			return nil, fmt.Errorf("service instruments: %w", err)
		}
		settings[code] = si
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []ServiceInstrument
	for _, code := range BuiltInCodes {
		si, set := settings[code]
		if !set {
			si.Enabled = onByDefault(code)
		}
		si.Instrument = builtIns[code]
		out = append(out, si)
	}
	own, err := ownInstruments(ctx, c, serviceID)
	for _, in := range own {
		si := settings[in.Code]
		si.Instrument = in
		out = append(out, si)
	}
	return out, err
}

// ownInstruments lists the newest version of each instrument of a service's organisation.
func ownInstruments(ctx context.Context, c store.Conn, serviceID int64) ([]Instrument, error) {
	rows, err := c.Query(ctx, `SELECT i.definition FROM outcome_instruments i JOIN services s ON s.organisation_id = i.organisation_id
		WHERE s.id = ? AND i.version = (SELECT MAX(version) FROM outcome_instruments WHERE code = i.code) ORDER BY i.name`, serviceID)
	if err != nil {
		return nil, fmt.Errorf("own instruments: %w", err)
	}
	defer rows.Close()
	var out []Instrument
	for rows.Next() {
		var def string
		var in Instrument
		if err := rows.Scan(&def); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(def), &in); err != nil {
			return nil, fmt.Errorf("read own instrument: %w", err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}
