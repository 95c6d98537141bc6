package outcomes

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// LinkLifetime is how long a single-use link stays open.
const LinkLifetime = 14 * 24 * time.Hour

// Link is a single-use link for the person to complete a measure alone.
type Link struct {
	ID         int64
	CaseID     int64
	Instrument Instrument
	Timepoint  Timepoint
	ExpiresAt  time.Time
	Goals      map[string]string // goal attainment: the goals set at the baseline
}

var errLinkGone = apperr.New(apperr.NotFound, "This link has expired or has already been used. Ask the person who sent it for a new one.")

// hashToken is what is stored of a token: its SHA-256, so the database alone cannot be used
// to answer for someone.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateLink makes a single-use link for a measure on an open case and returns its token,
// which is shown once and never stored.
func (s *Service) CreateLink(ctx context.Context, actor audit.Actor, userID, caseID int64, code string, tp Timepoint) (string, time.Time, error) {
	b := make([]byte, 32)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	expires := store.Now().Add(LinkLifetime)
	err := s.db.Tx(ctx, func(c store.Conn) error {
		k, err := caseFacts(ctx, c, caseID)
		if err != nil {
			return err
		}
		if k.closed {
			return apperr.New(apperr.Conflict, "This case is closed, so no new measure can be sent")
		}
		inst, err := s.usable(ctx, c, k.serviceID, code, tp)
		if err != nil {
			return err
		}
		if _, err := s.checkTimepoint(ctx, c, caseID, inst, tp); err != nil {
			return err
		}
		var id int64
		err = c.QueryRow(ctx, `INSERT INTO outcome_links (token_hash, case_id, instrument_code, instrument_version, timepoint,
			created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			hashToken(token), caseID, inst.Code, inst.Version, tp, userID, store.Now(), expires).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert link: %w", err)
		}
		return audit.Record(ctx, c, actor, audit.Event{Action: "outcome.link_create", RecordType: "case", RecordID: audit.RecordID(caseID),
			Detail: fmt.Sprintf("link=%d instrument=%s timepoint=%s", id, inst.Code, tp)})
	})
	if err != nil {
		return "", time.Time{}, apperr.Wrap("create measure link", err)
	}
	return token, expires, nil
}

// OpenLink returns the measure a link asks for, or NotFound when the link is unknown, used or
// expired.
func (s *Service) OpenLink(ctx context.Context, token string) (Link, error) {
	var l Link
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		var err error
		l, err = s.openLink(ctx, c, token)
		return err
	})
	return l, apperr.Wrap("open measure link", err)
}

func (s *Service) openLink(ctx context.Context, c store.Conn, token string) (Link, error) {
	var l Link
	var code string
	var version int
	err := c.QueryRow(ctx, `SELECT id, case_id, instrument_code, instrument_version, timepoint, expires_at FROM outcome_links
		WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`, hashToken(token), s.now().UTC()).
		Scan(&l.ID, &l.CaseID, &code, &version, &l.Timepoint, &l.ExpiresAt)
	if err != nil {
		return Link{}, notFound(err, errLinkGone.Message)
	}
	if l.Instrument, err = s.instrumentIn(ctx, c, code, version); err != nil {
		return Link{}, err
	}
	if l.Instrument.Scoring.Method == Goals && l.Timepoint != Baseline {
		l.Goals, err = baselineGoals(ctx, c, l.CaseID)
	}
	return l, err
}

func (s *Service) instrumentIn(ctx context.Context, c store.Conn, code string, version int) (Instrument, error) {
	if in, ok := BuiltIn(code); ok && in.Version == version {
		return in, nil
	}
	return customInstrument(ctx, c, code, version)
}

// BaselineGoals returns the goals, in the person's words, set at a case's goal attainment
// baseline, by item; none when there is no baseline.
func (s *Service) BaselineGoals(ctx context.Context, caseID int64) (map[string]string, error) {
	var out map[string]string
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		var err error
		out, err = baselineGoals(ctx, c, caseID)
		return err
	})
	return out, apperr.Wrap("baseline goals", err)
}

func baselineGoals(ctx context.Context, c store.Conn, caseID int64) (map[string]string, error) {
	rs, err := responsesWhere(ctx, c, `r.case_id = ? AND r.instrument_code = ? AND r.timepoint = ?`, caseID, "goals", Baseline)
	if err != nil || len(rs) == 0 {
		return map[string]string{}, err
	}
	goals := map[string]string{}
	for _, a := range rs[0].Answers {
		goals[a.Item] = a.Text
	}
	return goals, nil
}

// AnswerLink stores the person's answers through a link and uses the link up, in one
// transaction: answers that fail the checks leave the link open to try again.
func (s *Service) AnswerLink(ctx context.Context, actor audit.Actor, token string, form map[string]string) error {
	err := s.db.Tx(ctx, func(c store.Conn) error {
		l, err := s.openLink(ctx, c, token)
		if err != nil {
			return err
		}
		answers, err := l.Instrument.ReadAnswers(form, l.Goals)
		if err != nil {
			return err
		}
		now := store.Now()
		// The condition on used_at makes a second submission of the same link find nothing.
		res, err := c.Exec(ctx, `UPDATE outcome_links SET used_at = ? WHERE id = ? AND used_at IS NULL`, now, l.ID)
		if err != nil {
			return fmt.Errorf("use link: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errLinkGone
		}
		r := Response{CaseID: l.CaseID, Instrument: l.Instrument.Code, Version: l.Instrument.Version, Timepoint: l.Timepoint,
			CompletedBy: ByPerson, CompletedAt: now, Score: l.Instrument.Score(answers), Answers: answers}
		if err := insertResponse(ctx, c, actor, &r); err != nil {
			return err
		}
		_, err = c.Exec(ctx, `UPDATE outcome_links SET response_id = ? WHERE id = ?`, r.ID, l.ID)
		return err
	})
	return apperr.Wrap("answer measure link", err)
}
