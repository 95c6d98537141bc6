package casework

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
)

// HandoverStatus is where a step-down handover is.
type HandoverStatus string

const (
	HandoverOffered   HandoverStatus = "offered"
	HandoverAccepted  HandoverStatus = "accepted"
	HandoverDeclined  HandoverStatus = "declined"
	HandoverWithdrawn HandoverStatus = "withdrawn"
)

var handoverLabels = map[HandoverStatus]string{HandoverOffered: "Waiting for an answer", HandoverAccepted: "Accepted",
	HandoverDeclined: "Declined", HandoverWithdrawn: "Withdrawn"}

// Label names the status for people.
func (s HandoverStatus) Label() string { return handoverLabels[s] }

// MaxOversight is the longest an occupational therapist may keep oversight after stepping down.
const MaxOversight = 6 // months

// Handover is an occupational therapist's step-down of a case to a link worker (DESIGN F5):
// a structured summary that the link worker accepts or declines.
type Handover struct {
	ID               int64
	CaseID           int64
	FromUserID       int64
	FromName         string
	ToUserID         int64
	ToName           string
	NeedsAddressed   string
	GoalsRemaining   string
	RisksEscalation  string // the risks, and when to escalate back to an OT
	AgreedWithPerson bool
	OversightUntil   string // YYYY-MM-DD; empty when the OT leaves the care team on acceptance
	Status           HandoverStatus
	DeclineReason    string
	OfferedAt        time.Time
	DecidedAt        *time.Time
}

// HandoverInput is what stepping a case down takes.
type HandoverInput struct {
	NeedsAddressed   string
	GoalsRemaining   string
	RisksEscalation  string
	AgreedWithPerson bool
	OversightUntil   string // optional: keep oversight of the case until this date
}

func (in *HandoverInput) validate(today time.Time) error {
	var errs apperr.Fields
	for _, f := range []struct {
		field, label, missing string
		value                 *string
	}{
		{"needs_addressed", "Needs addressed", "Enter the needs that have been addressed", &in.NeedsAddressed},
		{"goals_remaining", "Goals remaining", "Enter the goals that remain, in the person's words", &in.GoalsRemaining},
		{"risks_escalation", "Risks", "Enter the risks, and when the link worker should escalate back to an occupational therapist", &in.RisksEscalation},
	} {
		*f.value = strings.TrimSpace(*f.value)
		switch {
		case *f.value == "":
			errs.Add(f.field, f.missing)
		case len(*f.value) > 4000:
			errs.Add(f.field, f.label+" must be 4000 characters or fewer")
		}
	}
	if !in.AgreedWithPerson {
		errs.Add("agreed_with_person", "Agree the handover with the person before stepping their case down")
	}
	in.OversightUntil = strings.TrimSpace(in.OversightUntil)
	if in.OversightUntil != "" {
		d, err := time.Parse(time.DateOnly, in.OversightUntil)
		switch {
		case err != nil:
			errs.Add("oversight_until", "Oversight end date must be a real date")
		case !d.After(today.Truncate(24 * time.Hour)):
			errs.Add("oversight_until", "Oversight end date must be in the future")
		case d.After(today.AddDate(0, MaxOversight, 0)):
			errs.Add("oversight_until", fmt.Sprintf("Oversight can last up to %d months", MaxOversight))
		}
	}
	return errs.Err()
}

// KindHandover is the notification kind for step-down handovers and answers to them.
const KindHandover notify.Kind = "case.handover"

// OfferStepDown hands a case from its lead occupational therapist to a link worker, who must
// accept it before anything changes. A case has at most one handover waiting.
func (s *Service) OfferStepDown(ctx context.Context, actor audit.Actor, from account.User, caseID int64, to account.User, in HandoverInput) (Handover, error) {
	if !from.Has(account.OccupationalTherapist) {
		return Handover{}, apperr.New(apperr.Forbidden, "Only an occupational therapist can step a case down")
	}
	errs := apperr.Fields{}
	if err := in.validate(s.now().UTC()); err != nil {
		e, _ := apperr.As(err)
		errs = e.Fields
	}
	if !to.Has(account.LinkWorker) || to.ID == from.ID {
		errs.Add("to", "Select a link worker to hand the case to")
	}
	if err := errs.Err(); err != nil {
		return Handover{}, err
	}
	var h Handover
	err := s.db.Tx(ctx, func(c store.Conn) error {
		k, err := lockOpenCase(ctx, c, caseID, "step it down")
		if err != nil {
			return err
		}
		if lead, ok := k.Lead(); !ok || lead.UserID != from.ID {
			return apperr.New(apperr.Forbidden, "Only the occupational therapist who leads this case can step it down")
		}
		var id int64
		err = c.QueryRow(ctx, `INSERT INTO step_downs (case_id, from_user, to_user, needs_addressed, goals_remaining, risks_escalation,
			agreed_with_person, oversight_until, status, offered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			caseID, from.ID, to.ID, in.NeedsAddressed, in.GoalsRemaining, in.RisksEscalation, in.AgreedWithPerson,
			in.OversightUntil, HandoverOffered, store.Now()).Scan(&id)
		if store.IsUniqueViolation(err) {
			return apperr.New(apperr.Conflict, "A handover of this case is already waiting for an answer")
		}
		if err != nil {
			return fmt.Errorf("insert handover: %w", err)
		}
		if err := notify.Notify(ctx, c, to.ID, KindHandover, "A case is being handed over to you", caseLink(caseID)); err != nil {
			return err
		}
		err = audit.Record(ctx, c, actor, caseEvent("case.stepdown_offer", caseID,
			fmt.Sprintf("handover=%d to=%d oversight_until=%s", id, to.ID, in.OversightUntil)))
		if err != nil {
			return err
		}
		h, err = getHandover(ctx, c, id)
		return err
	})
	return h, apperr.Wrap("offer step-down", err)
}

// AcceptStepDown is the receiving link worker taking the case on, in one transaction: they
// join the care team if they are not on it and become its lead, the pathway becomes
// link-worker-led, and the occupational therapist leaves the care team unless the handover
// keeps their oversight, in which case they stay on it until EndLapsedOversight.
func (s *Service) AcceptStepDown(ctx context.Context, actor audit.Actor, by account.User, handoverID int64) error {
	if !by.Has(account.LinkWorker) {
		return apperr.New(apperr.Forbidden, "Only a link worker can take on a stepped-down case")
	}
	err := s.db.Tx(ctx, func(c store.Conn) error {
		h, err := s.decideHandover(ctx, c, by, handoverID, HandoverAccepted, "")
		if err != nil {
			return err
		}
		k, err := lockOpenCase(ctx, c, h.CaseID, "take it on")
		if err != nil {
			return err
		}
		if err := s.makeLead(ctx, c, k, by.ID, account.LinkWorker); err != nil {
			return err
		}
		if h.OversightUntil == "" {
			if _, err := c.Exec(ctx, `UPDATE case_workers SET to_on = ? WHERE case_id = ? AND user_id = ? AND to_on = ''`,
				s.today(), k.ID, h.FromUserID); err != nil {
				return fmt.Errorf("end OT on care team: %w", err)
			}
		}
		if _, err := c.Exec(ctx, `UPDATE cases SET pathway = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
			referral.PathwayLinkWorkerLed, store.Now(), k.ID); err != nil {
			return fmt.Errorf("change pathway: %w", err)
		}
		if err := notify.Notify(ctx, c, h.FromUserID, KindHandover, "Your step-down handover was accepted", caseLink(k.ID)); err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, caseEvent("case.stepdown_accept", k.ID,
			fmt.Sprintf("handover=%d from=%d to=%d oversight_until=%s", h.ID, h.FromUserID, by.ID, h.OversightUntil)))
	})
	return apperr.Wrap("accept step-down", err)
}

// makeLead moves the lead flag to userID, adding them to the care team if they are not on it.
func (s *Service) makeLead(ctx context.Context, c store.Conn, k Case, userID int64, role account.Role) error {
	if _, err := c.Exec(ctx, `UPDATE case_workers SET is_lead = ? WHERE case_id = ? AND to_on = ''`, false, k.ID); err != nil {
		return fmt.Errorf("end lead: %w", err)
	}
	if w, ok := k.currentMember(userID); ok {
		if _, err := c.Exec(ctx, `UPDATE case_workers SET is_lead = ? WHERE id = ?`, true, w.ID); err != nil {
			return fmt.Errorf("set lead: %w", err)
		}
		return nil
	}
	_, err := insertWorker(ctx, c, Worker{CaseID: k.ID, UserID: userID, Role: role, Lead: true, From: s.today()})
	return err
}

// DeclineStepDown is the receiving link worker turning a handover down, with the reason.
func (s *Service) DeclineStepDown(ctx context.Context, actor audit.Actor, by account.User, handoverID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return apperr.Fields{{Field: "decline_reason", Message: "Enter why you cannot take this case on"}}.Err()
	case len(reason) > 2000:
		return apperr.Fields{{Field: "decline_reason", Message: "Reason must be 2000 characters or fewer"}}.Err()
	}
	err := s.db.Tx(ctx, func(c store.Conn) error {
		h, err := s.decideHandover(ctx, c, by, handoverID, HandoverDeclined, reason)
		if err != nil {
			return err
		}
		if err := notify.Notify(ctx, c, h.FromUserID, KindHandover, "Your step-down handover was declined", caseLink(h.CaseID)); err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, caseEvent("case.stepdown_decline", h.CaseID, fmt.Sprintf("handover=%d", h.ID)))
	})
	return apperr.Wrap("decline step-down", err)
}

// WithdrawStepDown is the occupational therapist taking back a handover nobody has answered.
func (s *Service) WithdrawStepDown(ctx context.Context, actor audit.Actor, by account.User, handoverID int64) error {
	err := s.db.Tx(ctx, func(c store.Conn) error {
		h, err := s.decideHandover(ctx, c, by, handoverID, HandoverWithdrawn, "")
		if err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, caseEvent("case.stepdown_withdraw", h.CaseID, fmt.Sprintf("handover=%d", h.ID)))
	})
	return apperr.Wrap("withdraw step-down", err)
}

// decideHandover moves a waiting handover to its answer. Only the receiver answers, and only
// the offering OT withdraws; a handover already answered is a conflict.
func (s *Service) decideHandover(ctx context.Context, c store.Conn, by account.User, id int64, to HandoverStatus, reason string) (Handover, error) {
	h, err := getHandover(ctx, c, id)
	if err != nil {
		return Handover{}, err
	}
	who := h.ToUserID
	if to == HandoverWithdrawn {
		who = h.FromUserID
	}
	if by.ID != who {
		return Handover{}, apperr.New(apperr.Forbidden, "This handover is not yours to answer")
	}
	res, err := c.Exec(ctx, `UPDATE step_downs SET status = ?, decline_reason = ?, decided_at = ? WHERE id = ? AND status = ?`,
		to, reason, store.Now(), id, HandoverOffered)
	if err != nil {
		return Handover{}, fmt.Errorf("answer handover: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Handover{}, apperr.New(apperr.Conflict, "This handover has already been %s", strings.ToLower(h.Status.Label()))
	}
	return h, nil
}

// Handovers lists a case's step-down handovers, newest first.
func (s *Service) Handovers(ctx context.Context, caseID int64) ([]Handover, error) {
	out, err := listHandovers(ctx, s.db.Reader(), `h.case_id = ? ORDER BY h.offered_at DESC, h.id DESC`, caseID)
	return out, apperr.Wrap("handovers", err)
}

// HandoversFor lists the handovers waiting for a link worker's answer, oldest first.
func (s *Service) HandoversFor(ctx context.Context, userID int64) ([]Handover, error) {
	out, err := listHandovers(ctx, s.db.Reader(), `h.to_user = ? AND h.status = ? ORDER BY h.offered_at, h.id`, userID, HandoverOffered)
	return out, apperr.Wrap("handovers", err)
}

// OversightCase is a case an occupational therapist stepped down and still oversees.
type OversightCase struct {
	CaseloadRow
	HandoverID     int64
	OversightUntil string
}

// OversightCases lists the open cases an occupational therapist stepped down with oversight
// that lasts until today or later, soonest ending first.
func (s *Service) OversightCases(ctx context.Context, otUserID int64, today time.Time) ([]OversightCase, error) {
	rows, err := s.db.Reader().Query(ctx, `SELECT h.id, h.oversight_until, c.id, p.id, p.given_name || ' ' || p.family_name,
		COALESCE(p.nhs_number, ''), p.date_of_birth, c.pathway, c.tier, c.status, c.next_review_on, c.opened_at, u.name
		FROM step_downs h JOIN cases c ON c.id = h.case_id JOIN people p ON p.id = c.person_id JOIN users u ON u.id = h.to_user
		WHERE h.from_user = ? AND h.status = ? AND h.oversight_until >= ? AND c.status <> ?
		ORDER BY h.oversight_until, c.id`, otUserID, HandoverAccepted, today.Format(time.DateOnly), Closed)
	if err != nil {
		return nil, apperr.Wrap("oversight cases", err)
	}
	defer rows.Close()
	var out []OversightCase
	for rows.Next() {
		var o OversightCase
		r := &o.CaseloadRow
		if err := rows.Scan(&o.HandoverID, &o.OversightUntil, &r.CaseID, &r.PersonID, &r.Name, &r.NHSNumber, &r.DateOfBirth,
			&r.Pathway, &r.Tier, &r.Status, &r.NextReviewOn, &r.OpenedAt, &r.Lead); err != nil {
			return nil, apperr.Wrap("oversight cases", err)
		}
		out = append(out, o)
	}
	return out, apperr.Wrap("oversight cases", rows.Err())
}

// EndLapsedOversight takes occupational therapists whose oversight ended before today off the
// care teams of the cases they stepped down, and returns how many it ended. Run it daily.
func (s *Service) EndLapsedOversight(ctx context.Context, actor audit.Actor, today time.Time) (int, error) {
	n := 0
	err := s.db.Tx(ctx, func(c store.Conn) error {
		rows, err := c.Query(ctx, `SELECT w.id, w.case_id, w.user_id FROM case_workers w
			JOIN step_downs h ON h.case_id = w.case_id AND h.from_user = w.user_id
			WHERE h.status = ? AND h.oversight_until <> '' AND h.oversight_until < ? AND w.to_on = '' AND w.is_lead = ?`,
			HandoverAccepted, today.Format(time.DateOnly), false)
		if err != nil {
			return fmt.Errorf("find lapsed oversight: %w", err)
		}
		var ended []Worker
		for rows.Next() {
			var w Worker
			if err := rows.Scan(&w.ID, &w.CaseID, &w.UserID); err != nil {
				rows.Close()
				return fmt.Errorf("find lapsed oversight: %w", err)
			}
			ended = append(ended, w)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("find lapsed oversight: %w", err)
		}
		for _, w := range ended {
			if _, err := c.Exec(ctx, `UPDATE case_workers SET to_on = ? WHERE id = ? AND to_on = ''`, today.Format(time.DateOnly), w.ID); err != nil {
				return fmt.Errorf("end oversight: %w", err)
			}
			if err := audit.Record(ctx, c, actor, caseEvent("case.oversight_end", w.CaseID, fmt.Sprintf("user=%d", w.UserID))); err != nil {
				return err
			}
		}
		n = len(ended)
		return nil
	})
	return n, apperr.Wrap("end lapsed oversight", err)
}

const handoverSelect = `SELECT h.id, h.case_id, h.from_user, uf.name, h.to_user, ut.name, h.needs_addressed, h.goals_remaining,
	h.risks_escalation, h.agreed_with_person, h.oversight_until, h.status, h.decline_reason, h.offered_at, h.decided_at
	FROM step_downs h JOIN users uf ON uf.id = h.from_user JOIN users ut ON ut.id = h.to_user`

func getHandover(ctx context.Context, c store.Conn, id int64) (Handover, error) {
	hs, err := listHandovers(ctx, c, `h.id = ?`, id)
	if err != nil || len(hs) == 0 {
		return Handover{}, orMissing(err, apperr.New(apperr.NotFound, "No handover was found"))
	}
	return hs[0], nil
}

func listHandovers(ctx context.Context, c store.Conn, whereOrder string, args ...any) ([]Handover, error) {
	rows, err := c.Query(ctx, handoverSelect+` WHERE `+whereOrder, args...)
	if err != nil {
		return nil, fmt.Errorf("list handovers: %w", err)
	}
	defer rows.Close()
	var out []Handover
	for rows.Next() {
		var h Handover
		var decided sql.NullTime
		if err := rows.Scan(&h.ID, &h.CaseID, &h.FromUserID, &h.FromName, &h.ToUserID, &h.ToName, &h.NeedsAddressed,
			&h.GoalsRemaining, &h.RisksEscalation, &h.AgreedWithPerson, &h.OversightUntil, &h.Status, &h.DeclineReason,
			&h.OfferedAt, &decided); err != nil {
			return nil, fmt.Errorf("list handovers: %w", err)
		}
		if decided.Valid {
			h.DecidedAt = &decided.Time
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
