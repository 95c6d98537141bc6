package casework

import (
	"context"
	"fmt"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// HoldReason is why a case is paused: it stays open, with its care team, but nobody is
// expected to be in touch until it resumes.
type HoldReason string

// HoldReasons lists the reasons in order.
var HoldReasons = []HoldReason{"unwell_or_in_hospital", "away", "asked_to_pause", "waiting_for_another_service", "other"}

var holdLabels = map[HoldReason]string{
	"unwell_or_in_hospital":       "The person is unwell or in hospital",
	"away":                        "The person is away",
	"asked_to_pause":              "The person asked to pause",
	"waiting_for_another_service": "Waiting for another service",
	"other":                       "Another reason",
}

// Label names the reason for people.
func (h HoldReason) Label() string { return holdLabels[h] }

// Valid reports whether h is one of HoldReasons.
func (h HoldReason) Valid() bool { _, ok := holdLabels[h]; return ok }

// Hold puts an active case on hold for a reason.
func (s *Service) Hold(ctx context.Context, actor audit.Actor, caseID, version int64, reason HoldReason) error {
	err := s.db.Tx(ctx, func(c store.Conn) error { return s.HoldIn(ctx, c, actor, caseID, version, reason) })
	return apperr.Wrap("change case status", err)
}

// Resume makes a case on hold active again.
func (s *Service) Resume(ctx context.Context, actor audit.Actor, caseID, version int64) error {
	err := s.db.Tx(ctx, func(c store.Conn) error { return s.ResumeIn(ctx, c, actor, caseID, version) })
	return apperr.Wrap("change case status", err)
}

// HoldIn is Hold inside the caller's transaction.
func (s *Service) HoldIn(ctx context.Context, c store.Conn, actor audit.Actor, caseID, version int64, reason HoldReason) error {
	if !reason.Valid() {
		return apperr.Fields{{Field: "hold_reason", Message: "Select why the case is going on hold"}}.Err()
	}
	return setHoldIn(ctx, c, actor, caseID, version, Active, OnHold, reason)
}

// ResumeIn is Resume inside the caller's transaction.
func (s *Service) ResumeIn(ctx context.Context, c store.Conn, actor audit.Actor, caseID, version int64) error {
	return setHoldIn(ctx, c, actor, caseID, version, OnHold, Active, "")
}

func setHoldIn(ctx context.Context, c store.Conn, actor audit.Actor, caseID, version int64, from, to Status, reason HoldReason) error {
	k, err := getCase(ctx, c, caseID)
	if err != nil {
		return err
	}
	if k.Status != from {
		if to == OnHold {
			return apperr.New(apperr.Conflict, "Only an active case can be put on hold: this one is %s", strings.ToLower(statusLabels[k.Status]))
		}
		return apperr.New(apperr.Conflict, "Only a case on hold can be resumed: this one is %s", strings.ToLower(statusLabels[k.Status]))
	}
	res, err := c.Exec(ctx, `UPDATE cases SET status = ?, hold_reason = ?, updated_at = ?, version = version + 1
			WHERE id = ? AND version = ?`, to, reason, store.Now(), caseID, version)
	if err != nil {
		return fmt.Errorf("set case status: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.Conflict, "Someone else changed this case while you were looking at it. Check what they did, then try again.")
	}
	detail := "status=" + string(to)
	if reason != "" {
		detail += " reason=" + string(reason)
	}
	return audit.Record(ctx, c, actor, caseEvent("case.status", caseID, detail))
}
