package casework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/store"
)

// Barrier is something that gets in the way of a person taking part (DESIGN §3.2), recorded in
// "what matters to me" and when a connection to an activity meets one.
type Barrier string

// Barriers lists every barrier in the order shown.
var Barriers = []Barrier{"physical", "cognitive", "emotional", "social", "environmental", "financial", "transport", "digital"}

var barrierLabels = map[Barrier]string{
	"physical": "Physical (mobility, pain, fatigue)", "cognitive": "Cognitive (memory, understanding)",
	"emotional": "Emotional (confidence, anxiety, low mood)", "social": "Social (no one to go with, caring duties)",
	"environmental": "Environmental (access to buildings, steps, noise)", "financial": "Financial (cost)",
	"transport": "Transport", "digital": "Digital (no device, internet or skills)",
}

// Label names the barrier for people.
func (b Barrier) Label() string {
	if l, ok := barrierLabels[b]; ok {
		return l
	}
	return string(b)
}

// Valid reports whether b is a known barrier.
func (b Barrier) Valid() bool { _, ok := barrierLabels[b]; return ok }

// ParseBarriers reads barrier codes from a form into the order of Barriers, without repeats,
// skipping blanks; an unknown code is a problem with the "barriers" field.
func ParseBarriers(codes []string) ([]Barrier, string) {
	chosen := make(map[Barrier]bool, len(codes))
	for _, c := range codes {
		b := Barrier(strings.TrimSpace(c))
		if b == "" {
			continue
		}
		if !b.Valid() {
			return nil, "Select barriers from the list"
		}
		chosen[b] = true
	}
	var out []Barrier
	for _, b := range Barriers {
		if chosen[b] {
			out = append(out, b)
		}
	}
	return out, ""
}

func barriersString(bs []Barrier) string {
	parts := make([]string, len(bs))
	for i, b := range bs {
		parts[i] = string(b)
	}
	return strings.Join(parts, ",")
}

// parseBarriersList reads barriers as stored, keeping a retired code rather than losing it.
func parseBarriersList(s string) []Barrier {
	var out []Barrier
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, Barrier(part))
		}
	}
	return out
}

// WhatMatters is the "what matters to me" conversation for a case (DESIGN F3), in the person's
// own words. A case has at most one; Version is zero until it is first recorded.
type WhatMatters struct {
	CaseID        int64
	OwnWords      string // what matters to them
	Strengths     string
	Wants         string // what they want to do
	Needs         string // what they need to do
	HasToDo       string // what they have to do
	Barriers      []Barrier
	UpdatedBy     int64
	UpdatedByName string
	UpdatedAt     time.Time
	Version       int64
}

// Recorded reports whether the conversation has been written down yet.
func (w WhatMatters) Recorded() bool { return w.Version > 0 }

// WhatMattersInput is what saving the conversation takes. Version is zero for the first save
// and the version read otherwise.
type WhatMattersInput struct {
	OwnWords  string
	Strengths string
	Wants     string
	Needs     string
	HasToDo   string
	Barriers  []string
	Version   int64
}

// Validate explains every problem with the input and returns the record it describes.
func (in WhatMattersInput) Validate() (WhatMatters, error) {
	var errs apperr.Fields
	w := WhatMatters{
		OwnWords: strings.TrimSpace(in.OwnWords), Strengths: strings.TrimSpace(in.Strengths),
		Wants: strings.TrimSpace(in.Wants), Needs: strings.TrimSpace(in.Needs), HasToDo: strings.TrimSpace(in.HasToDo),
		Version: in.Version,
	}
	if w.OwnWords == "" {
		errs.Add("own_words", "Enter what matters to them, in their own words")
	}
	longText(&errs, "own_words", w.OwnWords, "What matters to them")
	longText(&errs, "strengths", w.Strengths, "Strengths")
	longText(&errs, "wants", w.Wants, "What they want to do")
	longText(&errs, "needs", w.Needs, "What they need to do")
	longText(&errs, "has_to_do", w.HasToDo, "What they have to do")
	var msg string
	if w.Barriers, msg = ParseBarriers(in.Barriers); msg != "" {
		errs.Add("barriers", msg)
	}
	if in.Version < 0 {
		errs.Add("version", "Reload the page and make your changes again")
	}
	return w, errs.Err()
}

// WhatMatters returns a case's "what matters to me" record, or an unrecorded one (Version 0)
// when nobody has written it yet. Callers audit the access with the person's record.
func (s *Service) WhatMatters(ctx context.Context, caseID int64) (WhatMatters, error) {
	var w WhatMatters
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		if _, err := getCase(ctx, c, caseID); err != nil {
			return err
		}
		var err error
		w, err = getWhatMatters(ctx, c, caseID)
		return err
	})
	return w, apperr.Wrap("what matters", err)
}

// SaveWhatMatters records the conversation the first time (in.Version 0) or replaces it if
// in.Version is still current, so two workers cannot silently overwrite each other.
func (s *Service) SaveWhatMatters(ctx context.Context, actor audit.Actor, caseID int64, in WhatMattersInput) (WhatMatters, error) {
	w, err := in.Validate()
	if err != nil {
		return WhatMatters{}, err
	}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		if _, err := lockOpenCase(ctx, c, caseID, "change what matters to the person"); err != nil {
			return err
		}
		if err := putWhatMatters(ctx, c, caseID, actor.UserID, w); err != nil {
			return err
		}
		detail := fmt.Sprintf("version=%d barriers=%s", w.Version+1, barriersString(w.Barriers))
		if err := audit.Record(ctx, c, actor, caseEvent("case.what_matters", caseID, detail)); err != nil {
			return err
		}
		w, err = getWhatMatters(ctx, c, caseID)
		return err
	})
	if err != nil {
		return WhatMatters{}, apperr.Wrap("save what matters", err)
	}
	return w, nil
}

var errWhatMattersChanged = apperr.New(apperr.Conflict,
	"Someone else changed what matters to this person while you were editing it. Check their changes, then make yours again.")

func putWhatMatters(ctx context.Context, c store.Conn, caseID, by int64, w WhatMatters) error {
	now := store.Now()
	if w.Version == 0 {
		_, err := c.Exec(ctx, `INSERT INTO what_matters (case_id, own_words, strengths, wants, needs, has_to_do, barriers,
			updated_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			caseID, w.OwnWords, w.Strengths, w.Wants, w.Needs, w.HasToDo, barriersString(w.Barriers), nullUser(by), now, now)
		if store.IsUniqueViolation(err) {
			return errWhatMattersChanged
		}
		if err != nil {
			return fmt.Errorf("insert what matters: %w", err)
		}
		return nil
	}
	res, err := c.Exec(ctx, `UPDATE what_matters SET own_words = ?, strengths = ?, wants = ?, needs = ?, has_to_do = ?,
		barriers = ?, updated_by = ?, updated_at = ?, version = version + 1 WHERE case_id = ? AND version = ?`,
		w.OwnWords, w.Strengths, w.Wants, w.Needs, w.HasToDo, barriersString(w.Barriers), nullUser(by), now, caseID, w.Version)
	if err != nil {
		return fmt.Errorf("update what matters: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errWhatMattersChanged
	}
	return nil
}

func getWhatMatters(ctx context.Context, c store.Conn, caseID int64) (WhatMatters, error) {
	w := WhatMatters{CaseID: caseID}
	var barriers string
	err := c.QueryRow(ctx, `SELECT m.own_words, m.strengths, m.wants, m.needs, m.has_to_do, m.barriers,
		COALESCE(m.updated_by, 0), COALESCE(u.name, ''), m.updated_at, m.version
		FROM what_matters m LEFT JOIN users u ON u.id = m.updated_by WHERE m.case_id = ?`, caseID).Scan(
		&w.OwnWords, &w.Strengths, &w.Wants, &w.Needs, &w.HasToDo, &barriers, &w.UpdatedBy, &w.UpdatedByName, &w.UpdatedAt, &w.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return w, nil // not yet recorded: an empty conversation, not a missing case
	}
	if err != nil {
		return WhatMatters{}, fmt.Errorf("get what matters: %w", err)
	}
	w.Barriers = parseBarriersList(barriers)
	return w, nil
}

// lockOpenCase reads a case that is about to be written to, refusing a closed one. The no-op
// update takes the case row's lock on PostgreSQL, so a closure running at the same time waits
// for this change rather than slipping in between the check and the write; SQLite's single
// writer already serialises them.
func lockOpenCase(ctx context.Context, c store.Conn, caseID int64, doing string) (Case, error) {
	res, err := c.Exec(ctx, `UPDATE cases SET status = status WHERE id = ? AND status <> ?`, caseID, Closed)
	if err != nil {
		return Case{}, fmt.Errorf("lock case: %w", err)
	}
	k, err := getCase(ctx, c, caseID)
	if err != nil {
		return Case{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 || k.Status == Closed {
		return Case{}, apperr.New(apperr.Conflict, "This case is closed, so you cannot %s", doing)
	}
	return k, nil
}

// currentMember reports whether a user is on the case's care team now.
func (k Case) currentMember(userID int64) (Worker, bool) {
	for _, w := range k.Team {
		if w.UserID == userID && w.Current() {
			return w, true
		}
	}
	return Worker{}, false
}

func nullUser(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// maxText is the longest free text Linkwell keeps in one field of a case record.
const maxText = 4000

func longText(errs *apperr.Fields, field, v, label string) {
	limitText(errs, field, v, label, maxText)
}

func limitText(errs *apperr.Fields, field, v, label string, max int) {
	if len(v) > max {
		errs.Add(field, label+" must be "+strconv.Itoa(max)+" characters or fewer")
	}
}

// dateLayout is how case records store dates.
const dateLayout = "2006-01-02"

// london is the clock the people using Linkwell live by: "today" and the times they type are
// theirs, not UTC.
var london = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return time.UTC
	}
	return loc
}()

// localToday is the date in the UK at the service's current time.
func (s *Service) localToday() time.Time {
	y, m, d := s.now().In(london).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// dateRule says which side of today a date may fall.
type dateRule int

const (
	anyDate      dateRule = iota
	notPast               // today or later
	notFuture             // today or earlier
	todayIfBlank          // today or earlier, and today when left blank
)

// readDate reads a date typed into day, month and year boxes, returning it as YYYY-MM-DD or the
// problem in the NHS pattern. label names the date in messages ("Target date"); enter is the
// message for a blank date.
func (s *Service) readDate(d person.DateParts, label, enter string, rule dateRule) (string, string) {
	day, month, year := strings.TrimSpace(d.Day), strings.TrimSpace(d.Month), strings.TrimSpace(d.Year)
	today := s.localToday()
	switch {
	case day == "" && month == "" && year == "" && rule == todayIfBlank:
		return today.Format(dateLayout), ""
	case day == "" && month == "" && year == "":
		return "", enter
	case day == "" || month == "" || year == "":
		return "", label + " must include a day, month and year"
	}
	t, err := time.Parse("2-1-2006", day+"-"+month+"-"+year)
	if err != nil || len(year) != 4 {
		return "", label + " must be a real date"
	}
	if rule == notPast && t.Before(today) {
		return "", label + " must be today or in the future"
	}
	if (rule == notFuture || rule == todayIfBlank) && t.After(today) {
		return "", label + " must be today or in the past"
	}
	return t.Format(dateLayout), ""
}
