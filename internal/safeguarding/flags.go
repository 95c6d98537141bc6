package safeguarding

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// FlagKind is a risk a person carries that everyone working with them must see.
type FlagKind string

const (
	Falls          FlagKind = "falls"
	SelfNeglect    FlagKind = "self_neglect"
	SuicideRisk    FlagKind = "suicide_risk"
	DomesticAbuse  FlagKind = "domestic_abuse"
	FinancialAbuse FlagKind = "financial_abuse"
	LoneWorkerRisk FlagKind = "lone_worker" // risk to lone workers on home visits
)

// FlagKinds lists the kinds in the order they are shown.
var FlagKinds = []FlagKind{Falls, SelfNeglect, SuicideRisk, DomesticAbuse, FinancialAbuse, LoneWorkerRisk}

var flagLabels = map[FlagKind]string{
	Falls: "Falls", SelfNeglect: "Self-neglect", SuicideRisk: "Suicide risk", DomesticAbuse: "Domestic abuse",
	FinancialAbuse: "Financial abuse", LoneWorkerRisk: "Risk to lone workers on home visits",
}

// Label names the kind for people.
func (k FlagKind) Label() string { return flagLabels[k] }

// Valid reports whether k is a known kind.
func (k FlagKind) Valid() bool { _, ok := flagLabels[k]; return ok }

// Flag is a risk flag on a person, current until it is removed.
type Flag struct {
	ID           int64
	PersonID     int64
	Kind         FlagKind
	Note         string
	RaisedBy     int64
	RaisedByName string
	RaisedAt     time.Time
	RemovedBy    int64
	RemovedAt    *time.Time
}

// Current reports whether the flag still stands.
func (f Flag) Current() bool { return f.RemovedAt == nil }

// Flags lists a person's current risk flags, for the banner on every page about them.
func (s *Service) Flags(ctx context.Context, personID int64) ([]Flag, error) {
	out, err := listFlags(ctx, s.db.Reader(), `f.person_id = ? AND f.removed_at IS NULL`, personID)
	return out, apperr.Wrap("risk flags", err)
}

// RaiseFlag puts a risk flag on a person, with a short note. A person carries each kind once.
func (s *Service) RaiseFlag(ctx context.Context, actor audit.Actor, personID int64, kind FlagKind, note string) (Flag, error) {
	var errs apperr.Fields
	if !kind.Valid() {
		errs.Add("kind", "Select the kind of risk")
	}
	note = text(&errs, "note", "Note", note, 500, "")
	if err := errs.Err(); err != nil {
		return Flag{}, err
	}
	var f Flag
	err := s.db.Tx(ctx, func(c store.Conn) error {
		var id int64
		err := c.QueryRow(ctx, `INSERT INTO risk_flags (person_id, kind, note, raised_by, raised_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			personID, kind, note, nullID(actor.UserID), store.Now()).Scan(&id)
		switch {
		case store.IsUniqueViolation(err):
			return apperr.Fields{{Field: "kind", Message: "This person already has a " + kind.Label() + " flag"}}.Err()
		case store.IsForeignKeyViolation(err):
			return apperr.New(apperr.NotFound, "No person was found")
		case err != nil:
			return fmt.Errorf("insert risk flag: %w", err)
		}
		if err := audit.Record(ctx, c, actor, personEvent("risk_flag.raise", personID, fmt.Sprintf("flag=%d kind=%s", id, kind))); err != nil {
			return err
		}
		f, err = getFlag(ctx, c, id)
		return err
	})
	return f, apperr.Wrap("raise risk flag", err)
}

// RemoveFlag takes a current flag off a person, recording who and when.
func (s *Service) RemoveFlag(ctx context.Context, actor audit.Actor, personID, flagID int64) error {
	err := s.db.Tx(ctx, func(c store.Conn) error {
		f, err := getFlag(ctx, c, flagID)
		if err != nil {
			return err
		}
		if f.PersonID != personID {
			return apperr.New(apperr.NotFound, "No risk flag was found")
		}
		res, err := c.Exec(ctx, `UPDATE risk_flags SET removed_by = ?, removed_at = ? WHERE id = ? AND removed_at IS NULL`,
			nullID(actor.UserID), store.Now(), flagID)
		if err != nil {
			return fmt.Errorf("remove risk flag: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "This flag has already been removed")
		}
		return audit.Record(ctx, c, actor, personEvent("risk_flag.remove", personID, fmt.Sprintf("flag=%d kind=%s", flagID, f.Kind)))
	})
	return apperr.Wrap("remove risk flag", err)
}

func personEvent(action string, id int64, detail string) audit.Event {
	return audit.Event{Action: action, RecordType: "person", RecordID: audit.RecordID(id), Detail: detail}
}

const flagSelect = `SELECT f.id, f.person_id, f.kind, f.note, COALESCE(f.raised_by, 0), COALESCE(u.name, ''), f.raised_at,
	COALESCE(f.removed_by, 0), f.removed_at FROM risk_flags f LEFT JOIN users u ON u.id = f.raised_by`

func getFlag(ctx context.Context, c store.Conn, id int64) (Flag, error) {
	fs, err := listFlags(ctx, c, `f.id = ?`, id)
	if err != nil {
		return Flag{}, err
	}
	if len(fs) == 0 {
		return Flag{}, apperr.New(apperr.NotFound, "No risk flag was found")
	}
	return fs[0], nil
}

func listFlags(ctx context.Context, c store.Conn, where string, args ...any) ([]Flag, error) {
	rows, err := c.Query(ctx, flagSelect+` WHERE `+where+` ORDER BY f.raised_at, f.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list risk flags: %w", err)
	}
	defer rows.Close()
	var out []Flag
	for rows.Next() {
		var f Flag
		var removed sql.NullTime
		if err := rows.Scan(&f.ID, &f.PersonID, &f.Kind, &f.Note, &f.RaisedBy, &f.RaisedByName, &f.RaisedAt,
			&f.RemovedBy, &removed); err != nil {
			return nil, fmt.Errorf("list risk flags: %w", err)
		}
		if removed.Valid {
			f.RemovedAt = &removed.Time
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// FlagsFor lists the current risk flags of several people at once, by person, for a caseload
// page.
func (s *Service) FlagsFor(ctx context.Context, personIDs []int64) (map[int64][]Flag, error) {
	out := map[int64][]Flag{}
	if len(personIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(personIDs))
	for i, id := range personIDs {
		args[i] = id
	}
	flags, err := listFlags(ctx, s.db.Reader(), `f.removed_at IS NULL AND f.person_id IN `+store.In(len(personIDs)), args...)
	if err != nil {
		return nil, apperr.Wrap("risk flags", err)
	}
	for _, f := range flags {
		out[f.PersonID] = append(out[f.PersonID], f)
	}
	return out, nil
}
