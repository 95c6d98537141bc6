package casework

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
)

// Service opens and runs cases.
type Service struct {
	db         *store.DB
	referrals  *referral.Service
	competence CompetenceChecker // nil: delegation checks the clinical rule only
	now        func() time.Time
}

// NewService returns a Service over db.
func NewService(db *store.DB, referrals *referral.Service) *Service {
	return &Service{db: db, referrals: referrals, now: time.Now}
}

func caseEvent(action string, id int64, detail string) audit.Event {
	return audit.Event{Action: action, RecordType: "case", RecordID: audit.RecordID(id), Detail: detail}
}

func (s *Service) today() string { return s.now().UTC().Format("2006-01-02") }

// OpenInput is what accepting a referral takes. Tier and pathway default to the triage.
type OpenInput struct {
	ReferralVersion int64
	Lead            account.User
	Tier            referral.Tier
	Pathway         referral.Pathway
	Engagement      Engagement
}

// Open accepts a referral and opens its case with the accepting worker as lead, in one
// transaction: the referral is never accepted without its case, nor the other way round.
func (s *Service) Open(ctx context.Context, actor audit.Actor, referralID int64, in OpenInput) (Case, error) {
	var id int64
	err := s.db.Tx(ctx, func(c store.Conn) error {
		var err error
		id, err = s.OpenIn(ctx, c, actor, referralID, in)
		return err
	})
	if err != nil {
		return Case{}, apperr.Wrap("open case", err)
	}
	return s.Get(ctx, id)
}

// OpenIn is Open within the caller's transaction, for a referral accepted over another
// channel (FHIR); it returns the case's id.
func (s *Service) OpenIn(ctx context.Context, c store.Conn, actor audit.Actor, referralID int64, in OpenInput) (int64, error) {
	role, ok := leadRole(in.Lead)
	if !ok {
		return 0, apperr.New(apperr.Forbidden, "Only an occupational therapist or a link worker can take a case on as its lead")
	}
	if !in.Engagement.Valid() {
		return 0, apperr.Fields{{Field: "engagement", Message: "Select how you are engaging"}}.Err()
	}
	var id int64
	err := func() error {
		r, err := s.referrals.GetIn(ctx, c, referralID)
		if err != nil {
			return err
		}
		if err := s.referrals.DecideIn(ctx, c, actor, referralID, in.ReferralVersion, referral.StatusAccepted, "", ""); err != nil {
			return err
		}
		if r.AddsToCaseID != 0 {
			k, err := getCase(ctx, c, r.AddsToCaseID)
			if err != nil {
				return err
			}
			if k.Status != Closed {
				id = k.ID
				return s.attach(ctx, c, actor, r, k)
			}
		}
		tier, pathway := in.Tier, in.Pathway
		if t, err := referral.LatestTriageIn(ctx, c, referralID); err == nil {
			tier, pathway = or(tier, t.Decision.Tier), or(pathway, t.Decision.Pathway)
		}
		if !tier.Valid() || !pathway.Valid() {
			return apperr.Fields{{Field: "tier", Message: "Triage the referral, or choose a tier and pathway, before accepting it"}}.Err()
		}
		now := store.Now()
		err = c.QueryRow(ctx, `INSERT INTO cases (person_id, referral_id, service_id, pathway, tier, engagement, status,
			opened_at, next_review_on, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.PersonID, r.ID, r.ServiceID, pathway, tier, in.Engagement, Active, now,
			now.AddDate(0, 0, 28).Format("2006-01-02"), now).Scan(&id)
		if err != nil {
			return fmt.Errorf("insert case: %w", err)
		}
		if _, err := insertWorker(ctx, c, Worker{CaseID: id, UserID: in.Lead.ID, Role: role, Lead: true, From: s.today()}); err != nil {
			return err
		}
		if err := referral.SendMessageIn(ctx, c, r, referral.Outcome{Kind: referral.MessageAccepted}); err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, caseEvent("case.open", id, fmt.Sprintf("referral=%d tier=%s pathway=%s", referralID, tier, pathway)))
	}()
	return id, err
}

// attach accepts a referral into the open case it was added to: the care team goes on with
// the case they have, and the referrer hears that it was accepted.
func (s *Service) attach(ctx context.Context, c store.Conn, actor audit.Actor, r referral.Referral, k Case) error {
	if _, err := c.Exec(ctx, `UPDATE cases SET updated_at = ?, version = version + 1 WHERE id = ?`, store.Now(), k.ID); err != nil {
		return fmt.Errorf("attach referral to case: %w", err)
	}
	if err := referral.SendMessageIn(ctx, c, r, referral.Outcome{Kind: referral.MessageAccepted}); err != nil {
		return err
	}
	return audit.Record(ctx, c, actor, caseEvent("case.referral_added", k.ID, fmt.Sprintf("referral=%d", r.ID)))
}

func or[T ~string](a, b T) T {
	if a != "" {
		return a
	}
	return b
}

// leadRole is the role a user holds a case in: occupational therapist or a link worker role.
func leadRole(u account.User) (account.Role, bool) {
	for _, r := range []account.Role{account.OccupationalTherapist, account.LinkWorker} {
		if u.Has(r) {
			return r, true
		}
	}
	return "", false
}

// Get returns a case with its care team. Callers audit the access with the person's record.
func (s *Service) Get(ctx context.Context, id int64) (Case, error) {
	var k Case
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		var err error
		k, err = getCase(ctx, c, id)
		return err
	})
	return k, apperr.Wrap("get case", err)
}

// AddWorker puts a worker on a case's care team. Making them lead ends the previous lead's
// lead flag in the same transaction, so a case always has exactly one.
func (s *Service) AddWorker(ctx context.Context, actor audit.Actor, caseID int64, u account.User, lead bool) error {
	role, ok := leadRole(u)
	if !ok {
		return apperr.Fields{{Field: "worker", Message: "Only occupational therapists and link workers join a care team"}}.Err()
	}
	err := s.db.Tx(ctx, func(c store.Conn) error {
		k, err := getCase(ctx, c, caseID)
		if err != nil {
			return err
		}
		if k.Status == Closed {
			return apperr.New(apperr.Conflict, "This case is closed: reopen it before changing the care team")
		}
		for _, w := range k.Team {
			if w.UserID == u.ID && w.Current() {
				return apperr.Fields{{Field: "worker", Message: u.Name + " is already on the care team"}}.Err()
			}
		}
		if lead {
			if _, err := c.Exec(ctx, `UPDATE case_workers SET is_lead = ? WHERE case_id = ? AND is_lead = ? AND to_on = ''`, false, caseID, true); err != nil {
				return fmt.Errorf("end lead: %w", err)
			}
		}
		if _, err := insertWorker(ctx, c, Worker{CaseID: caseID, UserID: u.ID, Role: role, Lead: lead, From: s.today()}); err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, caseEvent("case.worker_add", caseID, fmt.Sprintf("user=%d lead=%t", u.ID, lead)))
	})
	return apperr.Wrap("add worker", err)
}

// MakeLead moves the lead flag to a current member of the care team.
func (s *Service) MakeLead(ctx context.Context, actor audit.Actor, caseID, workerID int64) error {
	err := s.db.Tx(ctx, func(c store.Conn) error {
		k, err := getCase(ctx, c, caseID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(k.Team, func(w Worker) bool { return w.ID == workerID && w.Current() })
		if i < 0 {
			return apperr.New(apperr.NotFound, "That worker is not on this case's care team")
		}
		if _, err := c.Exec(ctx, `UPDATE case_workers SET is_lead = ? WHERE case_id = ? AND to_on = ''`, false, caseID); err != nil {
			return fmt.Errorf("end lead: %w", err)
		}
		if _, err := c.Exec(ctx, `UPDATE case_workers SET is_lead = ? WHERE id = ?`, true, workerID); err != nil {
			return fmt.Errorf("set lead: %w", err)
		}
		return audit.Record(ctx, c, actor, caseEvent("case.lead", caseID, fmt.Sprintf("user=%d", k.Team[i].UserID)))
	})
	return apperr.Wrap("make lead", err)
}

// EndWorker takes a worker off the care team from today. The lead cannot leave until someone
// else leads.
func (s *Service) EndWorker(ctx context.Context, actor audit.Actor, caseID, workerID int64) error {
	err := s.db.Tx(ctx, func(c store.Conn) error {
		k, err := getCase(ctx, c, caseID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(k.Team, func(w Worker) bool { return w.ID == workerID && w.Current() })
		if i < 0 {
			return apperr.New(apperr.NotFound, "That worker is not on this case's care team")
		}
		if k.Team[i].Lead {
			return apperr.New(apperr.Conflict, "%s leads this case: make someone else the lead first", k.Team[i].Name)
		}
		if _, err := c.Exec(ctx, `UPDATE case_workers SET to_on = ? WHERE id = ?`, s.today(), workerID); err != nil {
			return fmt.Errorf("end worker: %w", err)
		}
		return audit.Record(ctx, c, actor, caseEvent("case.worker_end", caseID, fmt.Sprintf("user=%d", k.Team[i].UserID)))
	})
	return apperr.Wrap("end worker", err)
}
