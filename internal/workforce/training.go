package workforce

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// TrainingKind is a course or continuing professional development.
type TrainingKind string

const (
	Course TrainingKind = "course"
	CPD    TrainingKind = "cpd"
)

// Label names the kind for people.
func (k TrainingKind) Label() string {
	if k == Course {
		return "Course"
	}
	return "CPD"
}

// Training is one entry in a training record.
type Training struct {
	ID          int64
	Kind        TrainingKind
	Title       string
	Provider    string
	CompletedOn string
	Minutes     int
	Notes       string
}

// Hours is the time spent, in hours to one decimal place.
func (t Training) Hours() string { return strconv.FormatFloat(float64(t.Minutes)/60, 'f', 1, 64) }

// TrainingInput is what adding an entry takes, as typed.
type TrainingInput struct {
	Kind        TrainingKind
	Title       string
	Provider    string
	CompletedOn string
	Hours       string
	Notes       string
}

func (in TrainingInput) validate(today string) (Training, error) {
	var errs apperr.Fields
	t := Training{Kind: in.Kind, CompletedOn: strings.TrimSpace(in.CompletedOn)}
	if in.Kind != Course && in.Kind != CPD {
		errs.Add("kind", "Select a course or CPD")
	}
	var ok bool
	switch t.Title, ok = trimLimit(in.Title, 200); {
	case t.Title == "":
		errs.Add("title", "Enter the title")
	case !ok:
		errs.Add("title", "Title must be 200 characters or fewer")
	}
	if t.Provider, ok = trimLimit(in.Provider, 200); !ok {
		errs.Add("provider", "Provider must be 200 characters or fewer")
	}
	pastDate(&errs, "completed_on", t.CompletedOn, today, "Enter the date it was completed", "Date completed")
	h, err := strconv.ParseFloat(strings.TrimSpace(in.Hours), 64)
	switch {
	case strings.TrimSpace(in.Hours) == "":
		errs.Add("hours", "Enter the hours spent")
	case err != nil || math.IsNaN(h):
		errs.Add("hours", "Hours must be a number, like 1.5")
	case h <= 0 || h > 200:
		errs.Add("hours", "Hours must be more than 0 and no more than 200")
	}
	t.Minutes = int(math.Round(h * 60))
	if t.Notes, ok = trimLimit(in.Notes, 2000); !ok {
		errs.Add("notes", "Notes must be 2000 characters or fewer")
	}
	return t, errs.Err()
}

// mayReadTraining reports whether by may see or add to userID's training record: the worker,
// their supervisor, or a service lead in their organisation.
func (s *Service) mayReadTraining(ctx context.Context, c store.Conn, by account.User, userID int64) error {
	if by.ID == userID {
		return nil
	}
	u, err := getStaff(ctx, c, userID)
	if err != nil {
		return err
	}
	if mayManage(by, u.OrganisationID) && !by.Has(account.Administrator) {
		return nil
	}
	if sup, err := s.Supervises(ctx, c, by.ID, userID); err != nil || sup {
		return err
	}
	return apperr.New(apperr.Forbidden, "Only the worker, their supervisor and their service lead can see their training record")
}

// AddTraining adds an entry to a training record.
func (s *Service) AddTraining(ctx context.Context, actor audit.Actor, by account.User, userID int64, in TrainingInput) error {
	t, err := in.validate(s.today())
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		if err := s.mayReadTraining(ctx, c, by, userID); err != nil {
			return err
		}
		if _, err := c.Exec(ctx, `INSERT INTO training_records (user_id, kind, title, provider, completed_on, minutes, notes, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, userID, t.Kind, t.Title, t.Provider, t.CompletedOn, t.Minutes, t.Notes, store.Now()); err != nil {
			return fmt.Errorf("insert training: %w", err)
		}
		return audit.Record(ctx, c, actor, userEvent("workforce.training_add", userID, "kind="+string(t.Kind)))
	})
	return apperr.Wrap("add training", err)
}

// TrainingRecord lists a worker's training, most recent first, for those who may see it.
func (s *Service) TrainingRecord(ctx context.Context, by account.User, userID int64) ([]Training, error) {
	return read(ctx, s.db, "training record", func(c store.Conn) ([]Training, error) {
		if err := s.mayReadTraining(ctx, c, by, userID); err != nil {
			return nil, err
		}
		rows, err := c.Query(ctx, `SELECT id, kind, title, provider, completed_on, minutes, notes FROM training_records
			WHERE user_id = ? ORDER BY completed_on DESC, id DESC`, userID)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []Training
		for rows.Next() {
			var t Training
			if err := rows.Scan(&t.ID, &t.Kind, &t.Title, &t.Provider, &t.CompletedOn, &t.Minutes, &t.Notes); err != nil {
				return nil, err
			}
			out = append(out, t)
		}
		return out, rows.Err()
	})
}

// WriteTrainingCSV writes a training record for appraisal: one line an entry with a header.
func WriteTrainingCSV(w io.Writer, entries []Training) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"completed_on", "kind", "title", "provider", "hours", "notes"})
	for _, t := range entries {
		cw.Write([]string{t.CompletedOn, t.Kind.Label(), safeCell(t.Title), safeCell(t.Provider), t.Hours(), safeCell(t.Notes)})
	}
	cw.Flush()
	return cw.Error()
}

// safeCell stops a spreadsheet reading typed text as a formula.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
