package casework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/store"
)

// ContactType is how workers and the person were in touch, or how a failed attempt was made.
type ContactType string

const (
	ContactPhone       ContactType = "phone"
	ContactVideo       ContactType = "video"
	ContactFaceToFace  ContactType = "face_to_face"
	ContactHomeVisit   ContactType = "home_visit"
	ContactGroup       ContactType = "group"
	ContactAccompanied ContactType = "accompanied_visit"
	ContactMessage     ContactType = "message"
)

// ContactTypes lists every type in the order shown.
var ContactTypes = []ContactType{ContactPhone, ContactVideo, ContactFaceToFace, ContactHomeVisit, ContactGroup,
	ContactAccompanied, ContactMessage}

var contactTypeLabels = map[ContactType]string{
	ContactPhone: "Phone call", ContactVideo: "Video call", ContactFaceToFace: "Face to face",
	ContactHomeVisit: "Home visit", ContactGroup: "Group session", ContactAccompanied: "Accompanied visit",
	ContactMessage: "Message (text, email or letter)",
}

// Label names the type for people.
func (t ContactType) Label() string { return contactTypeLabels[t] }

// Valid reports whether t is a known type.
func (t ContactType) Valid() bool { _, ok := contactTypeLabels[t]; return ok }

// MaxContactMinutes is the longest contact that can be recorded: a ten-hour day.
const MaxContactMinutes = 600

// Contact is one contact with the person on a case, or a failed attempt at one.
type Contact struct {
	ID         int64
	CaseID     int64
	At         time.Time
	Type       ContactType // for a failed attempt, the method tried
	Minutes    int         // zero for a failed attempt
	Failed     bool
	Note       string
	Workers    []ContactWorker // everyone from the care team who took part; several on a joint contact
	RecordedBy int64
	CreatedAt  time.Time
}

// Joint reports whether more than one worker took part.
func (c Contact) Joint() bool { return len(c.Workers) > 1 }

// ContactWorker is a worker who took part in a contact.
type ContactWorker struct {
	UserID int64
	Name   string
}

// ContactInput is what recording a contact takes. Time is as typed, in UK time ("14:30" or
// "2:30pm"); Minutes is as typed, and is not asked for a failed attempt.
type ContactInput struct {
	Date      person.DateParts
	Time      string
	Type      ContactType
	Minutes   string
	Failed    bool
	Note      string
	WorkerIDs []int64
}

// validateContact explains every problem with a contact, checking that each worker is on the
// case's care team now.
func (s *Service) validateContact(in ContactInput, k Case) (Contact, error) {
	var errs apperr.Fields
	ct := Contact{CaseID: k.ID, Type: in.Type, Failed: in.Failed, Note: strings.TrimSpace(in.Note)}
	ct.At = s.contactTime(&errs, in)
	if !ct.Type.Valid() {
		if ct.Failed {
			errs.Add("type", "Select how you tried to contact them")
		} else {
			errs.Add("type", "Select the type of contact")
		}
	}
	if !ct.Failed {
		ct.Minutes = readMinutes(&errs, in.Minutes)
	}
	longText(&errs, "note", ct.Note, "Note")
	ct.Workers = contactWorkers(&errs, in.WorkerIDs, k)
	return ct, errs.Err()
}

// contactTime reads the date and time of a contact, which cannot be in the future.
func (s *Service) contactTime(errs *apperr.Fields, in ContactInput) time.Time {
	day, msg := s.readDate(in.Date, "Date of the contact", "Enter the date of the contact", notFuture)
	if msg != "" {
		errs.Add("date", msg)
	}
	clock, ok := parseClock(in.Time)
	switch {
	case strings.TrimSpace(in.Time) == "":
		errs.Add("time", "Enter the time of the contact, like 14:30")
		return time.Time{}
	case !ok:
		errs.Add("time", "Time must be a real time, like 14:30 or 2:30pm")
		return time.Time{}
	case msg != "":
		return time.Time{}
	}
	d, _ := time.Parse(dateLayout, day)
	at := time.Date(d.Year(), d.Month(), d.Day(), clock.Hour(), clock.Minute(), 0, 0, london).UTC()
	// A few minutes' grace, for a clock that runs fast or a contact recorded as it ends.
	if at.After(s.now().Add(5 * time.Minute)) {
		errs.Add("time", "Time of the contact must be in the past")
	}
	return at
}

// parseClock reads a time of day as people type it: 14:30, 14.30, 2:30pm, 2pm.
func parseClock(s string) (time.Time, bool) {
	s = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	s = strings.ReplaceAll(s, ".", ":")
	for _, layout := range []string{"15:04", "3:04pm", "3pm"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func readMinutes(errs *apperr.Fields, typed string) int {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		errs.Add("minutes", "Enter how long the contact took, in minutes")
		return 0
	}
	n, err := strconv.Atoi(typed)
	if err != nil {
		errs.Add("minutes", "Duration must be a whole number of minutes, like 30")
		return 0
	}
	if n < 0 || n > MaxContactMinutes {
		errs.Add("minutes", fmt.Sprintf("Duration must be between 0 and %d minutes", MaxContactMinutes))
	}
	return n
}

// contactWorkers checks the chosen workers against the care team, without repeats.
func contactWorkers(errs *apperr.Fields, ids []int64, k Case) []ContactWorker {
	var out []ContactWorker
	for _, id := range ids {
		if slices.ContainsFunc(out, func(w ContactWorker) bool { return w.UserID == id }) {
			continue
		}
		w, ok := k.currentMember(id)
		if !ok {
			errs.Add("workers", "Select who took part from the people on the care team")
			return nil
		}
		out = append(out, ContactWorker{UserID: w.UserID, Name: w.Name})
	}
	if len(out) == 0 {
		errs.Add("workers", "Select who took part")
	}
	return out
}

// Contacts lists a case's contacts and failed attempts, newest first. Callers audit the access
// with the person's record.
func (s *Service) Contacts(ctx context.Context, caseID int64) ([]Contact, error) {
	var out []Contact
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		if _, err := getCase(ctx, c, caseID); err != nil {
			return err
		}
		var err error
		out, err = listContacts(ctx, c, caseID)
		return err
	})
	return out, apperr.Wrap("contacts", err)
}

// RecordContact records a contact, or a failed attempt, on an open case.
func (s *Service) RecordContact(ctx context.Context, actor audit.Actor, caseID int64, in ContactInput) (Contact, error) {
	var ct Contact
	err := s.db.Tx(ctx, func(c store.Conn) error {
		k, err := lockOpenCase(ctx, c, caseID, "record contacts")
		if err != nil {
			return err
		}
		if ct, err = s.validateContact(in, k); err != nil {
			return err
		}
		if err := insertContact(ctx, c, &ct, actor.UserID); err != nil {
			return err
		}
		ids := make([]string, len(ct.Workers))
		for i, w := range ct.Workers {
			ids[i] = strconv.FormatInt(w.UserID, 10)
		}
		detail := fmt.Sprintf("contact=%d type=%s failed=%t workers=%s", ct.ID, ct.Type, ct.Failed, strings.Join(ids, ","))
		return audit.Record(ctx, c, actor, caseEvent("case.contact", caseID, detail))
	})
	if err != nil {
		return Contact{}, apperr.Wrap("record contact", err)
	}
	return ct, nil
}

// LastContact returns when someone last reached the person on a case; failed attempts do not
// count. It reports false when nobody has yet.
func (s *Service) LastContact(ctx context.Context, caseID int64) (time.Time, bool, error) {
	var last time.Time
	// Ordering rather than MAX keeps the column's type, which SQLite loses in an aggregate.
	err := s.db.Reader().QueryRow(ctx, `SELECT contact_at FROM case_contacts WHERE case_id = ? AND failed = ?
		ORDER BY contact_at DESC LIMIT 1`, caseID, false).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, apperr.Wrap("last contact", err)
	}
	return last, true, nil
}

// LastContacts returns, for each of the cases that has one, when someone last reached the
// person: one query for a page of a caseload. Failed attempts do not count.
func (s *Service) LastContacts(ctx context.Context, caseIDs []int64) (map[int64]time.Time, error) {
	out := make(map[int64]time.Time, len(caseIDs))
	if len(caseIDs) == 0 {
		return out, nil
	}
	args := []any{false}
	for _, id := range caseIDs {
		args = append(args, id)
	}
	rows, err := s.db.Reader().Query(ctx, `SELECT case_id, contact_at FROM case_contacts
		WHERE failed = ? AND case_id IN `+store.In(len(caseIDs)), args...)
	if err != nil {
		return nil, apperr.Wrap("last contacts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return nil, apperr.Wrap("last contacts", err)
		}
		if at.After(out[id]) {
			out[id] = at
		}
	}
	return out, apperr.Wrap("last contacts", rows.Err())
}

func insertContact(ctx context.Context, c store.Conn, ct *Contact, by int64) error {
	ct.RecordedBy, ct.CreatedAt = by, store.Now()
	err := c.QueryRow(ctx, `INSERT INTO case_contacts (case_id, contact_at, type, minutes, failed, note, recorded_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ct.CaseID, ct.At, ct.Type, ct.Minutes, ct.Failed, ct.Note, nullUser(by), ct.CreatedAt).Scan(&ct.ID)
	if err != nil {
		return fmt.Errorf("insert contact: %w", err)
	}
	for _, w := range ct.Workers {
		if _, err := c.Exec(ctx, `INSERT INTO case_contact_workers (contact_id, user_id) VALUES (?, ?)`, ct.ID, w.UserID); err != nil {
			return fmt.Errorf("insert contact worker: %w", err)
		}
	}
	return nil
}

func listContacts(ctx context.Context, c store.Conn, caseID int64) ([]Contact, error) {
	rows, err := c.Query(ctx, `SELECT id, case_id, contact_at, type, minutes, failed, note, COALESCE(recorded_by, 0), created_at
		FROM case_contacts WHERE case_id = ? ORDER BY contact_at DESC, id DESC`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	defer rows.Close()
	var out []Contact
	at := map[int64]int{}
	for rows.Next() {
		var ct Contact
		if err := rows.Scan(&ct.ID, &ct.CaseID, &ct.At, &ct.Type, &ct.Minutes, &ct.Failed, &ct.Note, &ct.RecordedBy, &ct.CreatedAt); err != nil {
			return nil, fmt.Errorf("list contacts: %w", err)
		}
		at[ct.ID] = len(out)
		out = append(out, ct)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	rows.Close()
	wrows, err := c.Query(ctx, `SELECT cw.contact_id, cw.user_id, u.name FROM case_contact_workers cw
		JOIN case_contacts ct ON ct.id = cw.contact_id JOIN users u ON u.id = cw.user_id
		WHERE ct.case_id = ? ORDER BY u.name, u.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list contact workers: %w", err)
	}
	defer wrows.Close()
	for wrows.Next() {
		var id int64
		var w ContactWorker
		if err := wrows.Scan(&id, &w.UserID, &w.Name); err != nil {
			return nil, fmt.Errorf("list contact workers: %w", err)
		}
		out[at[id]].Workers = append(out[at[id]].Workers, w)
	}
	return out, wrows.Err()
}
