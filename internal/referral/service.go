package referral

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/notify"
	"github.com/linkwell/linkwell/internal/person"
	"github.com/linkwell/linkwell/internal/store"
)

// Service takes referrals in and moves them through their states.
type Service struct {
	db     *store.DB
	people *person.Service
	now    func() time.Time
}

// NewService returns a Service over db.
func NewService(db *store.DB, people *person.Service) *Service {
	return &Service{db: db, people: people, now: time.Now}
}

func referralEvent(action string, id int64, detail string) audit.Event {
	return audit.Event{Action: action, RecordType: "referral", RecordID: audit.RecordID(id), Detail: detail}
}

// Services lists the services that take referrals.
func (s *Service) Services(ctx context.Context) ([]ReceivingService, error) {
	out, err := listServices(ctx, s.db.Reader())
	return out, apperr.Wrap("list services", err)
}

// ReceivingService returns one service.
func (s *Service) ReceivingService(ctx context.Context, id int64) (ReceivingService, error) {
	out, err := getService(ctx, s.db.Reader(), id)
	return out, apperr.Wrap("get service", err)
}

// CreateService sets up a receiving service with its criteria and response time.
func (s *Service) CreateService(ctx context.Context, actor audit.Actor, in ServiceInput) (ReceivingService, error) {
	if err := in.Validate(); err != nil {
		return ReceivingService{}, err
	}
	var out ReceivingService
	err := s.db.Tx(ctx, func(c store.Conn) error {
		id, err := insertService(ctx, c, in)
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, c, actor, audit.Event{Action: "service.create", RecordType: "service", RecordID: audit.RecordID(id)}); err != nil {
			return err
		}
		out, err = getService(ctx, c, id)
		return err
	})
	return out, apperr.Wrap("create service", err)
}

// DuplicatesFound stops a referral for someone who may already be known, so that the referrer
// can add to what exists rather than start again.
type DuplicatesFound struct {
	Matches []person.Match
}

func (d *DuplicatesFound) Error() string {
	return fmt.Sprintf("this person may already be known: %d possible matches", len(d.Matches))
}

// Unwrap makes a duplicate stop a conflict wherever errors are mapped to answers.
func (d *DuplicatesFound) Unwrap() error {
	return apperr.New(apperr.Conflict, "This person may already be known: check the possible matches before you refer them")
}

// Referrer is who makes a referral: a signed-in user, or nobody for a self-referral.
type Referrer struct {
	UserID int64
	Name   string
}

// Submit validates a referral, checks whether the person is already known, and records the
// person (if new), their consent and the referral, all or nothing.
func (s *Service) Submit(ctx context.Context, actor audit.Actor, by Referrer, in Input) (Referral, error) {
	needs, p, err := s.validateSubmission(&in)
	if err != nil {
		return Referral{}, err
	}
	var r Referral
	err = s.db.Tx(ctx, func(c store.Conn) error {
		r, err = s.submitValidated(ctx, c, actor, by, in, needs, p)
		return err
	})
	if err != nil {
		return Referral{}, apperr.Wrap("submit referral", err)
	}
	return s.get(ctx, r.ID)
}

// SubmitIn is Submit inside the caller's transaction, for a referral that arrives with more
// to record alongside it (such as one sent over FHIR): it returns the referral as stored.
func (s *Service) SubmitIn(ctx context.Context, c store.Conn, actor audit.Actor, by Referrer, in Input) (Referral, error) {
	needs, p, err := s.validateSubmission(&in)
	if err != nil {
		return Referral{}, err
	}
	r, err := s.submitValidated(ctx, c, actor, by, in, needs, p)
	if err != nil {
		return Referral{}, err
	}
	return getReferral(ctx, c, r.ID)
}

// validateSubmission checks the referral and, for someone new, the person, returning every
// problem at once.
func (s *Service) validateSubmission(in *Input) ([]Need, person.Person, error) {
	var errs apperr.Fields
	needs := in.validate(&errs)
	var p person.Person
	if in.ExistingPersonID == 0 {
		var perr error
		p, perr = in.Person.Validate(s.now())
		if ae, ok := apperr.As(perr); ok {
			errs = append(errs, ae.Fields...)
		}
	}
	return needs, p, errs.Err()
}

func (s *Service) submitValidated(ctx context.Context, c store.Conn, actor audit.Actor, by Referrer, in Input, needs []Need, p person.Person) (Referral, error) {
	svc, err := getService(ctx, c, in.ServiceID)
	if err != nil {
		return Referral{}, apperr.Fields{{Field: "service", Message: "Select a service from the list"}}.Err()
	}
	personID, err := s.resolvePerson(ctx, c, actor, in, p)
	if err != nil {
		return Referral{}, err
	}
	var lead int64
	if in.AddsToCaseID != 0 {
		if svc, lead, err = openCaseFor(ctx, c, in.AddsToCaseID, personID); err != nil {
			return Referral{}, err
		}
	}
	now := store.Now()
	r := Referral{PersonID: personID, ServiceID: svc.ID, Source: in.Source, ReferrerID: by.UserID, AddsToCaseID: in.AddsToCaseID,
		ReferrerName: by.Name, ReferrerContact: in.ReferrerContact, Needs: needs, Details: in.Details,
		Urgency: in.Urgency, KnownRisks: in.KnownRisks, ConsentGiven: in.ConsentGiven, CriteriaMet: in.CriteriaMet,
		Status: StatusRequested, DueBy: AddWorkingDays(now, svc.ResponseDays), CreatedAt: now}
	if by.UserID == 0 {
		r.ReferrerName = in.ReferrerName
	}
	if r.ID, err = insertReferral(ctx, c, r); err != nil {
		return Referral{}, err
	}
	if lead != 0 {
		err := notify.Notify(ctx, c, lead, "referral.adds_to_case", "A new referral has been added to a case you lead",
			fmt.Sprintf("/referrals/%d", r.ID))
		if err != nil {
			return Referral{}, err
		}
	}
	if err := person.RecordConsentIn(ctx, c, actor, personID, person.ConsentSocialPrescribing, "given"); err != nil {
		return Referral{}, err
	}
	if in.GPSharing != "" {
		if err := person.RecordConsentIn(ctx, c, actor, personID, person.ConsentGPSharing, in.GPSharing); err != nil {
			return Referral{}, err
		}
	}
	return r, audit.Record(ctx, c, actor, referralEvent("referral.create", r.ID,
		fmt.Sprintf("snomed=%s source=%s service=%d", SNOMEDReferralToSocialPrescribing, r.Source, r.ServiceID)))
}

// openCaseFor checks that a case a referral is being added to is open and is the person's,
// and returns the service that runs it (where the referral then goes) and the case's lead.
func openCaseFor(ctx context.Context, c store.Conn, caseID, personID int64) (ReceivingService, int64, error) {
	var owner, serviceID, lead int64
	var status string
	err := c.QueryRow(ctx, `SELECT k.person_id, k.service_id, k.status, COALESCE(
			(SELECT w.user_id FROM case_workers w WHERE w.case_id = k.id AND w.is_lead = ? AND w.to_on = ''), 0)
		FROM cases k WHERE k.id = ?`, true, caseID).Scan(&owner, &serviceID, &status, &lead)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != personID) {
		return ReceivingService{}, 0, apperr.New(apperr.Invalid, "The case you chose is not this person's. Check the possible matches and try again.")
	}
	if err != nil {
		return ReceivingService{}, 0, fmt.Errorf("find the case to add to: %w", err)
	}
	if status == "closed" {
		return ReceivingService{}, 0, apperr.New(apperr.Conflict, "That case has closed since you looked. Send the referral to the service instead.")
	}
	svc, err := getService(ctx, c, serviceID)
	return svc, lead, err
}

// resolvePerson returns the existing person, or records the new one once the duplicate check
// has passed or the referrer has said the matches are someone else.
func (s *Service) resolvePerson(ctx context.Context, c store.Conn, actor audit.Actor, in Input, p person.Person) (int64, error) {
	if in.ExistingPersonID != 0 {
		if _, err := s.people.Get(ctx, in.ExistingPersonID); err != nil {
			return 0, err
		}
		return in.ExistingPersonID, nil
	}
	if !in.NotADuplicate {
		found, err := s.people.FindIn(ctx, c, person.Query{NHSNumber: p.NHSNumber, GivenName: p.GivenName,
			FamilyName: p.FamilyName, DateOfBirth: p.DateOfBirth})
		if err != nil {
			return 0, err
		}
		if len(found) > 0 {
			return 0, &DuplicatesFound{Matches: found}
		}
	}
	return s.people.CreateIn(ctx, c, actor, p)
}

func (s *Service) get(ctx context.Context, id int64) (Referral, error) {
	r, err := getReferral(ctx, s.db.Reader(), id)
	return r, apperr.Wrap("get referral", err)
}

// Get returns one referral. Callers audit the access along with the person's record.
func (s *Service) Get(ctx context.Context, id int64) (Referral, error) { return s.get(ctx, id) }

// List returns referrals that match f.
func (s *Service) List(ctx context.Context, f Filter) ([]Referral, error) {
	out, err := listReferrals(ctx, s.db.Reader(), f)
	return out, apperr.Wrap("list referrals", err)
}

// Decide moves a referral to a new state if the move is allowed and nobody has changed it
// since version (always checked); declining needs a reason.
func (s *Service) Decide(ctx context.Context, actor audit.Actor, id, version int64, to Status, reason RejectReason, note string) (Referral, error) {
	err := s.db.Tx(ctx, func(c store.Conn) error { return s.DecideIn(ctx, c, actor, id, version, to, reason, note) })
	if err != nil {
		return Referral{}, apperr.Wrap("decide referral", err)
	}
	return s.get(ctx, id)
}

// DecideIn is Decide inside the caller's transaction, for acceptance that opens a case too.
func (s *Service) DecideIn(ctx context.Context, c store.Conn, actor audit.Actor, id, version int64, to Status, reason RejectReason, note string) error {
	r, err := getReferral(ctx, c, id)
	if err != nil {
		return err
	}
	// Every decision names the version it was made on; zero, which no referral has, is what a
	// form without its version sends, and is refused like any stale one.
	if r.Version != version {
		return apperr.New(apperr.Conflict, "Someone else changed this referral while you were looking at it. Check what they did, then try again.")
	}
	if err := CheckTransition(r.Status, to); err != nil {
		return err
	}
	if to == StatusRejected && !reason.Valid() {
		return apperr.Fields{{Field: "reason", Message: "Select why the referral is declined"}}.Err()
	}
	if err := setStatus(ctx, c, r, to, string(reason), note); err != nil {
		return err
	}
	detail := "status=" + string(to)
	if code := reason.SNOMED(); to == StatusRejected && code != "" {
		detail += " snomed=" + code
	}
	if err := audit.Record(ctx, c, actor, referralEvent("referral.status", id, detail)); err != nil {
		return err
	}
	if to == StatusRejected {
		r.Status, r.ReasonCode = to, string(reason)
		return SendMessageIn(ctx, c, r, Outcome{Kind: MessageDeclined, Reason: reason.Label()})
	}
	return nil
}

// AddWorkingDays adds n working days (Monday to Friday) to t.
func AddWorkingDays(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}

// GetIn reads a referral inside the caller's transaction.
func (s *Service) GetIn(ctx context.Context, c store.Conn, id int64) (Referral, error) {
	return getReferral(ctx, c, id)
}
