package workforce

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/casework"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/store"
)

// Standing is where a worker stands on one competence today.
type Standing string

const (
	Missing  Standing = "missing"
	Signed   Standing = "signed"
	Expiring Standing = "expiring" // signed, with the review date within ExpiringWithin
	Expired  Standing = "expired"  // the review date has passed: not competent
)

var standingLabels = map[Standing]string{Missing: "Not signed off", Signed: "Signed off", Expiring: "Review due soon", Expired: "Sign-off expired"}

// Label names the standing for people.
func (s Standing) Label() string { return standingLabels[s] }

// Competent reports whether the standing lets someone be given work that needs it.
func (s Standing) Competent() bool { return s == Signed || s == Expiring }

// ExpiringWithin is how far ahead a review date counts as due soon.
const ExpiringWithin = 60 // days

// MaxReview is how far ahead a sign-off's review date may be.
const MaxReview = 3 // years

// SignOff is one supervisor's sign-off of a competence, as it was given.
type SignOff struct {
	ID               int64
	UserID           int64
	Code             string
	Name             string // the competence's name when it was signed off
	FrameworkName    string
	FrameworkVersion int
	SignedBy         int64
	SignedByName     string
	SignedAt         time.Time
	ReviewOn         string
	Note             string
}

// Evidence is something a worker has done that shows a competence.
type Evidence struct {
	ID             int64
	Code           string
	Description    string
	RecordedByName string
	RecordedAt     time.Time
}

// CompetenceRow is one competence of a worker's framework with where they stand on it.
type CompetenceRow struct {
	Competence
	Standing Standing
	Latest   *SignOff // the sign-off that counts, if any
	Evidence []Evidence
}

// CompetenceRecord is a worker's competences against their framework, with every sign-off ever
// given to them, newest first.
type CompetenceRecord struct {
	UserID    int64
	Framework Framework
	Rows      []CompetenceRow
	History   []SignOff
}

// Gaps counts the competences the worker does not hold today.
func (r CompetenceRecord) Gaps() int {
	n := 0
	for _, row := range r.Rows {
		if !row.Standing.Competent() {
			n++
		}
	}
	return n
}

// Expiring counts the sign-offs whose review date is close.
func (r CompetenceRecord) Expiring() int {
	n := 0
	for _, row := range r.Rows {
		if row.Standing == Expiring {
			n++
		}
	}
	return n
}

// standing reads a sign-off's review date against today.
func standing(latest *SignOff, today string) Standing {
	switch {
	case latest == nil:
		return Missing
	case latest.ReviewOn < today:
		return Expired
	case latest.ReviewOn <= addDays(today, ExpiringWithin):
		return Expiring
	}
	return Signed
}

// Competences returns a worker's competence record against the framework for their
// organisation.
func (s *Service) Competences(ctx context.Context, userID int64) (CompetenceRecord, error) {
	return read(ctx, s.db, "competences", func(c store.Conn) (CompetenceRecord, error) { return s.competenceRecord(ctx, c, userID) })
}

func (s *Service) competenceRecord(ctx context.Context, c store.Conn, userID int64) (CompetenceRecord, error) {
	u, err := getStaff(ctx, c, userID)
	if err != nil {
		return CompetenceRecord{}, err
	}
	rec := CompetenceRecord{UserID: userID}
	if rec.Framework, err = frameworkFor(ctx, c, u.OrganisationID); err != nil {
		return rec, err
	}
	if rec.History, err = listSignOffs(ctx, c, userID); err != nil {
		return rec, err
	}
	evidence, err := listEvidence(ctx, c, userID)
	if err != nil {
		return rec, err
	}
	latest := map[string]*SignOff{}
	for i := range rec.History {
		if _, seen := latest[rec.History[i].Code]; !seen {
			latest[rec.History[i].Code] = &rec.History[i]
		}
	}
	today := s.today()
	for _, k := range rec.Framework.Competences {
		row := CompetenceRow{Competence: k, Latest: latest[k.Code], Evidence: evidence[k.Code]}
		row.Standing = standing(row.Latest, today)
		rec.Rows = append(rec.Rows, row)
	}
	return rec, nil
}

func listSignOffs(ctx context.Context, c store.Conn, userID int64) ([]SignOff, error) {
	rows, err := c.Query(ctx, `SELECT s.id, s.user_id, s.code, s.name, f.name, f.version, s.signed_by, u.name, s.signed_at, s.review_on, s.note
		FROM competence_signoffs s JOIN competence_frameworks f ON f.id = s.framework_id JOIN users u ON u.id = s.signed_by
		WHERE s.user_id = ? ORDER BY s.signed_at DESC, s.id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("list sign-offs: %w", err)
	}
	defer rows.Close()
	var out []SignOff
	for rows.Next() {
		var so SignOff
		if err := rows.Scan(&so.ID, &so.UserID, &so.Code, &so.Name, &so.FrameworkName, &so.FrameworkVersion, &so.SignedBy,
			&so.SignedByName, &so.SignedAt, &so.ReviewOn, &so.Note); err != nil {
			return nil, fmt.Errorf("list sign-offs: %w", err)
		}
		out = append(out, so)
	}
	return out, rows.Err()
}

func listEvidence(ctx context.Context, c store.Conn, userID int64) (map[string][]Evidence, error) {
	rows, err := c.Query(ctx, `SELECT e.id, e.code, e.description, u.name, e.recorded_at FROM competence_evidence e
		JOIN users u ON u.id = e.recorded_by WHERE e.user_id = ? ORDER BY e.recorded_at DESC, e.id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("list evidence: %w", err)
	}
	defer rows.Close()
	out := map[string][]Evidence{}
	for rows.Next() {
		var e Evidence
		if err := rows.Scan(&e.ID, &e.Code, &e.Description, &e.RecordedByName, &e.RecordedAt); err != nil {
			return nil, fmt.Errorf("list evidence: %w", err)
		}
		out[e.Code] = append(out[e.Code], e)
	}
	return out, rows.Err()
}

// competenceIn finds a competence by code in the framework that applies to a worker.
func competenceIn(ctx context.Context, c store.Conn, u staff, code string) (Framework, Competence, error) {
	f, err := frameworkFor(ctx, c, u.OrganisationID)
	if err != nil {
		return f, Competence{}, err
	}
	for _, k := range f.Competences {
		if k.Code == code {
			return f, k, nil
		}
	}
	return f, Competence{}, apperr.Fields{{Field: "competence", Message: "Select a competence from " + u.Name + "'s framework"}}.Err()
}

// RecordEvidence records what a worker did that shows a competence; the worker or their
// supervisor may.
func (s *Service) RecordEvidence(ctx context.Context, actor audit.Actor, by account.User, userID int64, code, description string) error {
	description, ok := trimLimit(description, 4000)
	switch {
	case description == "":
		return apperr.Fields{{Field: "evidence", Message: "Enter what they did that shows the competence"}}.Err()
	case !ok:
		return apperr.Fields{{Field: "evidence", Message: "Evidence must be 4000 characters or fewer"}}.Err()
	}
	err := s.db.Tx(ctx, func(c store.Conn) error {
		u, err := getStaff(ctx, c, userID)
		if err != nil {
			return err
		}
		if by.ID != userID {
			if sup, err := s.Supervises(ctx, c, by.ID, userID); err != nil || !sup {
				return orMissing(err, apperr.New(apperr.Forbidden, "Only the worker or their supervisor can record evidence of their competence"))
			}
		}
		if _, _, err := competenceIn(ctx, c, u, code); err != nil {
			return err
		}
		if _, err := c.Exec(ctx, `INSERT INTO competence_evidence (user_id, code, description, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?)`,
			userID, code, description, by.ID, store.Now()); err != nil {
			return fmt.Errorf("insert evidence: %w", err)
		}
		return audit.Record(ctx, c, actor, userEvent("workforce.evidence", userID, "code="+code))
	})
	return apperr.Wrap("record evidence", err)
}

// KindSignOff is the notification kind for a competence signed off.
const KindSignOff notify.Kind = "workforce.signoff"

// SignOffInput is what signing off a competence takes.
type SignOffInput struct {
	Code     string
	ReviewOn string // YYYY-MM-DD
	Note     string
}

func (in *SignOffInput) validate(today string) error {
	var errs apperr.Fields
	if in.Code = strings.TrimSpace(in.Code); in.Code == "" {
		errs.Add("competence", "Select the competence you are signing off")
	}
	in.ReviewOn = strings.TrimSpace(in.ReviewOn)
	switch {
	case in.ReviewOn == "":
		errs.Add("review_on", "Enter the date the competence must be reviewed by")
	case !validDate(in.ReviewOn):
		errs.Add("review_on", "Review date must be a real date")
	case in.ReviewOn <= today:
		errs.Add("review_on", "Review date must be in the future")
	case in.ReviewOn > addDays(today, 366*MaxReview):
		errs.Add("review_on", fmt.Sprintf("Review date must be within %d years", MaxReview))
	}
	var ok bool
	if in.Note, ok = trimLimit(in.Note, 2000); !ok {
		errs.Add("note", "Note must be 2000 characters or fewer")
	}
	return errs.Err()
}

// SignOff records a supervisor's sign-off of a worker's competence until a review date,
// keeping the competence's name and framework version as they are today, notifies the
// worker, and audits it.
func (s *Service) SignOff(ctx context.Context, actor audit.Actor, by account.User, userID int64, in SignOffInput) error {
	if err := in.validate(s.today()); err != nil {
		return err
	}
	err := s.db.Tx(ctx, func(c store.Conn) error {
		u, err := getStaff(ctx, c, userID)
		if err != nil {
			return err
		}
		if sup, err := s.Supervises(ctx, c, by.ID, userID); err != nil || !sup || !by.Has(account.Supervisor) {
			return orMissing(err, apperr.New(apperr.Forbidden, "Only %s's supervisor can sign off their competences", u.Name))
		}
		f, k, err := competenceIn(ctx, c, u, in.Code)
		if err != nil {
			return err
		}
		_, err = c.Exec(ctx, `INSERT INTO competence_signoffs (user_id, code, name, framework_id, signed_by, signed_at, review_on, note)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, userID, k.Code, k.Name, f.ID, by.ID, s.now().UTC().Truncate(time.Microsecond), in.ReviewOn, in.Note)
		if err != nil {
			return fmt.Errorf("insert sign-off: %w", err)
		}
		if err := notify.Notify(ctx, c, userID, KindSignOff, "A competence of yours has been signed off", fmt.Sprintf("/workforce/staff/%d", userID)); err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, userEvent("workforce.signoff", userID,
			fmt.Sprintf("code=%s framework=%d version=%d review=%s", k.Code, f.ID, f.Version, in.ReviewOn)))
	})
	return apperr.Wrap("sign off competence", err)
}

// Gaps lists the competences a worker needs for a task type and does not hold today, with
// their supervisors' names: casework's CompetenceChecker.
func (s *Service) Gaps(ctx context.Context, c store.Conn, userID, taskTypeID int64) (casework.CompetenceGaps, error) {
	rec, err := s.competenceRecord(ctx, c, userID)
	if err != nil {
		return casework.CompetenceGaps{}, err
	}
	var name string
	if err := c.QueryRow(ctx, `SELECT name FROM task_types WHERE id = ?`, taskTypeID).Scan(&name); err != nil {
		return casework.CompetenceGaps{}, fmt.Errorf("task type: %w", err)
	}
	var out casework.CompetenceGaps
	for _, row := range rec.Rows {
		if row.Standing.Competent() || !slices.Contains(row.TaskTypes, name) {
			continue
		}
		m := casework.MissingCompetence{Code: row.Code, Name: row.Name}
		if row.Latest != nil {
			m.ExpiredOn = row.Latest.ReviewOn
		}
		out.Missing = append(out.Missing, m)
	}
	if len(out.Missing) == 0 {
		return out, nil
	}
	links, err := listLinks(ctx, c, `l.supervisee_id = ?`, userID)
	for _, l := range links {
		out.Signatories = append(out.Signatories, l.SupervisorName)
	}
	return out, err
}
