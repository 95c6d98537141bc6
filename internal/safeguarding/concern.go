package safeguarding

import (
	"context"
	"fmt"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/store"
)

// Subject says whether the concern is about an adult or a child.
type Subject string

const (
	Adult Subject = "adult"
	Child Subject = "child"
)

// Valid reports whether s is adult or child.
func (s Subject) Valid() bool { return s == Adult || s == Child }

// Label names the subject for people.
func (s Subject) Label() string { return map[Subject]string{Adult: "An adult", Child: "A child"}[s] }

// ConcernType is the kind of abuse or neglect, as the Care Act 2014 statutory guidance names
// them.
type ConcernType string

// ConcernTypes lists the types in the order they are shown.
var ConcernTypes = []ConcernType{"physical", "emotional", "sexual", "neglect", "financial", "discriminatory",
	"organisational", "domestic_abuse", "modern_slavery", "self_neglect"}

var concernTypeLabels = map[ConcernType]string{
	"physical": "Physical abuse", "emotional": "Emotional or psychological abuse", "sexual": "Sexual abuse",
	"neglect": "Neglect or acts of omission", "financial": "Financial or material abuse", "discriminatory": "Discriminatory abuse",
	"organisational": "Organisational abuse", "domestic_abuse": "Domestic abuse", "modern_slavery": "Modern slavery",
	"self_neglect": "Self-neglect",
}

// Label names the type for people.
func (t ConcernType) Label() string { return concernTypeLabels[t] }

// Valid reports whether t is a known type.
func (t ConcernType) Valid() bool { _, ok := concernTypeLabels[t]; return ok }

// ConcernStatus is where a concern is.
type ConcernStatus string

const (
	ConcernOpen     ConcernStatus = "open"
	ConcernReferred ConcernStatus = "referred" // referred to the local authority
	ConcernClosed   ConcernStatus = "closed"
)

var concernStatusLabels = map[ConcernStatus]string{
	ConcernOpen: "Open", ConcernReferred: "Referred to the local authority", ConcernClosed: "Closed",
}

// Label names the status for people.
func (s ConcernStatus) Label() string { return concernStatusLabels[s] }

// concernMoves lists the legal moves: a concern is referred or closed, and a referred one closed.
var concernMoves = map[ConcernStatus][]ConcernStatus{
	ConcernOpen:     {ConcernReferred, ConcernClosed},
	ConcernReferred: {ConcernClosed},
}

// CanMove reports whether a concern may go from one status to another.
func CanMove(from, to ConcernStatus) bool {
	for _, s := range concernMoves[from] {
		if s == to {
			return true
		}
	}
	return false
}

// ConcernInput is what raising a concern takes.
type ConcernInput struct {
	Subject         Subject
	Type            ConcernType
	ImmediateAction string
	WhoTold         string
}

// Validate explains every problem with the input.
func (in *ConcernInput) Validate() error {
	var errs apperr.Fields
	if !in.Subject.Valid() {
		errs.Add("subject", "Select whether the concern is about an adult or a child")
	}
	if !in.Type.Valid() {
		errs.Add("type", "Select the type of concern")
	}
	in.ImmediateAction = text(&errs, "immediate_action", "Immediate action", in.ImmediateAction, 2000,
		"Enter what you have done to keep the person safe, or that no immediate action was needed")
	in.WhoTold = text(&errs, "who_told", "Who you told", in.WhoTold, 1000, "")
	return errs.Err()
}

// Concern is a safeguarding concern raised from a case, with the receiving service's local
// procedure for the page to show beside it.
type Concern struct {
	ID              int64
	CaseID          int64
	PersonID        int64
	ServiceID       int64
	Subject         Subject
	Type            ConcernType
	ImmediateAction string
	WhoTold         string
	Status          ConcernStatus
	Outcome         string
	RaisedBy        int64
	RaisedByName    string
	RaisedAt        time.Time
	UpdatedAt       time.Time
	Version         int64
	Procedure       Procedure
}

// Recipient is someone a concern was sent to, and in which role.
type Recipient struct {
	UserID int64
	Name   string
	Role   account.Role // SafeguardingLead or Supervisor
	email  string
}

// Raised is a newly raised concern and who was told about it. No recipients means nobody is
// set up to receive it: the page must say so and point at the local procedure.
type Raised struct {
	Concern  Concern
	Notified []Recipient
}

// KindConcern is the notification kind for a new safeguarding concern.
const KindConcern notify.Kind = "safeguarding.concern"

// RaiseConcern records a concern on a case, audits it and notifies, in one transaction, every
// safeguarding lead in the organisation that runs the case's service and the raiser's
// supervisors; emails follow once it has committed, and one that fails does not undo it.
//
// Supervision is not modelled yet (DESIGN §3.3), so "the raiser's supervisors" are the users
// with the supervisor role who share a team with the raiser.
func (s *Service) RaiseConcern(ctx context.Context, actor audit.Actor, caseID int64, in ConcernInput) (Raised, error) {
	if actor.UserID == 0 {
		return Raised{}, apperr.New(apperr.Forbidden, "Sign in to raise a safeguarding concern")
	}
	if err := in.Validate(); err != nil {
		return Raised{}, err
	}
	var out Raised
	var mail notify.Outbox
	err := s.db.Tx(ctx, func(c store.Conn) error {
		var personID, serviceID, orgID int64
		err := c.QueryRow(ctx, `SELECT c.person_id, c.service_id, s.organisation_id FROM cases c JOIN services s ON s.id = c.service_id
			WHERE c.id = ?`, caseID).Scan(&personID, &serviceID, &orgID)
		if isNoRows(err) {
			return apperr.New(apperr.NotFound, "No case was found")
		}
		if err != nil {
			return fmt.Errorf("find case: %w", err)
		}
		now := store.Now()
		var id int64
		err = c.QueryRow(ctx, `INSERT INTO safeguarding_concerns (case_id, person_id, service_id, subject, type, immediate_action,
			who_told, status, raised_by, raised_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			caseID, personID, serviceID, in.Subject, in.Type, in.ImmediateAction, in.WhoTold, ConcernOpen, actor.UserID, now, now).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert concern: %w", err)
		}
		out.Notified, err = concernRecipients(ctx, c, orgID, actor.UserID)
		if err != nil {
			return err
		}
		link := fmt.Sprintf("/safeguarding/concerns/%d", id)
		for _, r := range out.Notified {
			if err := notify.Notify(ctx, c, r.UserID, KindConcern, "A safeguarding concern has been raised", link); err != nil {
				return err
			}
			mail.Add(concernEmail(r, link))
		}
		err = audit.Record(ctx, c, actor, concernEvent("safeguarding.raise", id,
			fmt.Sprintf("case=%d subject=%s type=%s notified=%d", caseID, in.Subject, in.Type, len(out.Notified))))
		if err != nil {
			return err
		}
		out.Concern, err = getConcern(ctx, c, id)
		return err
	})
	if err != nil {
		return Raised{}, apperr.Wrap("raise safeguarding concern", err)
	}
	mail.Send(ctx, s.mailer, s.log)
	return out, nil
}

// concernEmail tells a recipient to sign in; the concern itself stays in Linkwell.
func concernEmail(r Recipient, link string) notify.Email {
	return notify.Email{UserID: r.UserID, Kind: KindConcern, To: r.email,
		Subject: "Linkwell: a safeguarding concern needs your attention",
		Body: "A safeguarding concern has been raised that you need to know about, as " + r.Role.Label() + ".\n\n" +
			"Sign in to Linkwell to read it: " + link + "\n\nThis email holds no details about the person, by design."}
}

// concernRecipients finds the organisation's safeguarding leads, then the raiser's supervisors
// (supervisor role, sharing a team with the raiser), each once, never the raiser, never a
// disabled account.
func concernRecipients(ctx context.Context, c store.Conn, orgID, raiserID int64) ([]Recipient, error) {
	leads, err := listRecipients(ctx, c, account.SafeguardingLead, `u.organisation_id = ?`, orgID)
	if err != nil {
		return nil, err
	}
	sups, err := listRecipients(ctx, c, account.Supervisor, `u.id IN (SELECT tm.user_id FROM team_members tm
		JOIN team_members mine ON mine.team_id = tm.team_id WHERE mine.user_id = ?)`, raiserID)
	if err != nil {
		return nil, err
	}
	out := []Recipient{}
	seen := map[int64]bool{raiserID: true}
	for _, r := range append(leads, sups...) {
		if !seen[r.UserID] {
			seen[r.UserID] = true
			out = append(out, r)
		}
	}
	return out, nil
}

func listRecipients(ctx context.Context, c store.Conn, role account.Role, where string, args ...any) ([]Recipient, error) {
	rows, err := c.Query(ctx, `SELECT u.id, u.name, u.email FROM users u
		WHERE u.disabled_at IS NULL AND u.id IN (SELECT user_id FROM user_roles WHERE role = ?) AND `+where+` ORDER BY u.name, u.id`,
		append([]any{role}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", role, err)
	}
	defer rows.Close()
	var out []Recipient
	for rows.Next() {
		r := Recipient{Role: role}
		if err := rows.Scan(&r.UserID, &r.Name, &r.email); err != nil {
			return nil, fmt.Errorf("find %s: %w", role, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Concern returns a concern with its service's local procedure. Callers audit the access with
// the person's record.
func (s *Service) Concern(ctx context.Context, id int64) (Concern, error) {
	var k Concern
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		var err error
		k, err = getConcern(ctx, c, id)
		return err
	})
	return k, apperr.Wrap("safeguarding concern", err)
}

// CaseConcerns lists the concerns raised on a case, newest first, without the procedure.
func (s *Service) CaseConcerns(ctx context.Context, caseID int64) ([]Concern, error) {
	out, err := listConcerns(ctx, s.db.Reader(), `k.case_id = ?`, []any{caseID}, `k.raised_at DESC, k.id DESC`)
	return out, apperr.Wrap("case concerns", err)
}

// OpenConcerns is a safeguarding lead's queue: concerns not yet closed on the services their
// organisation runs, oldest first.
func (s *Service) OpenConcerns(ctx context.Context, lead account.User) ([]Concern, error) {
	if !lead.Has(account.SafeguardingLead) || lead.OrganisationID == 0 {
		return nil, apperr.New(apperr.Forbidden, "Only a safeguarding lead has a queue of concerns")
	}
	out, err := listConcerns(ctx, s.db.Reader(), `k.status <> ? AND k.service_id IN (SELECT id FROM services WHERE organisation_id = ?)`,
		[]any{ConcernClosed, lead.OrganisationID}, `k.raised_at, k.id`)
	return out, apperr.Wrap("open concerns", err)
}

// MoveConcern refers a concern to the local authority or closes it; closing needs the outcome.
// A stale version or an illegal move is a conflict.
func (s *Service) MoveConcern(ctx context.Context, actor audit.Actor, id, version int64, to ConcernStatus, outcome string) error {
	var errs apperr.Fields
	missing := ""
	if to == ConcernClosed {
		missing = "Enter the outcome: what was done, and by whom"
	}
	outcome = text(&errs, "outcome", "Outcome", outcome, 4000, missing)
	if err := errs.Err(); err != nil {
		return err
	}
	err := s.db.Tx(ctx, func(c store.Conn) error {
		k, err := getConcern(ctx, c, id)
		if err != nil {
			return err
		}
		if !CanMove(k.Status, to) {
			return apperr.New(apperr.Conflict, "This concern cannot go from “%s” to “%s”", k.Status.Label(), to.Label())
		}
		res, err := c.Exec(ctx, `UPDATE safeguarding_concerns SET status = ?, outcome = ?, updated_at = ?, version = version + 1
			WHERE id = ? AND version = ?`, to, outcome, store.Now(), id, version)
		if err != nil {
			return fmt.Errorf("move concern: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.Conflict, "Someone else changed this concern while you were working on it. Check what they did, then try again.")
		}
		return audit.Record(ctx, c, actor, concernEvent("safeguarding.move", id, fmt.Sprintf("from=%s to=%s", k.Status, to)))
	})
	return apperr.Wrap("move safeguarding concern", err)
}

func concernEvent(action string, id int64, detail string) audit.Event {
	return audit.Event{Action: action, RecordType: "safeguarding_concern", RecordID: audit.RecordID(id), Detail: detail}
}
