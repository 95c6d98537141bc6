package person

import (
	"context"
	"fmt"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// Service records people and their consents. Every read and change of a person's record goes
// to the audit log; deciding who may read is the access policy's job, before these calls.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// NewService returns a Service over db.
func NewService(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

func personEvent(action string, id int64, detail string) audit.Event {
	return audit.Event{Action: action, RecordType: "person", RecordID: audit.RecordID(id), Detail: detail}
}

// Create records a new person.
func (s *Service) Create(ctx context.Context, actor audit.Actor, in Input) (Person, error) {
	p, err := in.Validate(s.now())
	if err != nil {
		return Person{}, err
	}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		id, err := insertPerson(ctx, c, p)
		if err != nil {
			return err
		}
		detail := ""
		if p.NHSNumber == "" {
			detail = "nhs_number=missing"
		}
		if err := audit.Record(ctx, c, actor, personEvent("person.create", id, detail)); err != nil {
			return err
		}
		p, err = getPerson(ctx, c, id)
		return err
	})
	return p, apperr.Wrap("create person", err)
}

// CreateIn records a new person inside the caller's transaction, for flows such as a referral
// that create the person and more in one step.
func (s *Service) CreateIn(ctx context.Context, c store.Conn, actor audit.Actor, p Person) (int64, error) {
	id, err := insertPerson(ctx, c, p)
	if err != nil {
		return 0, err
	}
	return id, audit.Record(ctx, c, actor, personEvent("person.create", id, ""))
}

// Update changes a person's details if in.Version is still current.
func (s *Service) Update(ctx context.Context, actor audit.Actor, id int64, in Input) (Person, error) {
	p, err := in.Validate(s.now())
	if err != nil {
		return Person{}, err
	}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		if err := updatePerson(ctx, c, id, p); err != nil {
			return err
		}
		if err := audit.Record(ctx, c, actor, personEvent("person.update", id, "")); err != nil {
			return err
		}
		p, err = getPerson(ctx, c, id)
		return err
	})
	return p, apperr.Wrap("update person", err)
}

// View reads a person's record for someone, auditing the read with why they could see it.
func (s *Service) View(ctx context.Context, actor audit.Actor, id int64, basis string) (Person, error) {
	var p Person
	err := s.db.Tx(ctx, func(c store.Conn) error {
		var err error
		if p, err = getPerson(ctx, c, id); err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, personEvent("person.view", id, "basis="+basis))
	})
	return p, apperr.Wrap("view person", err)
}

// Get reads a person without auditing, for code that has already audited the access it serves
// (a page that shows several parts of one record audits the record once).
func (s *Service) Get(ctx context.Context, id int64) (Person, error) {
	p, err := getPerson(ctx, s.db.Reader(), id)
	return p, apperr.Wrap("get person", err)
}

// Find looks for people who match q, auditing the search without the terms searched for.
func (s *Service) Find(ctx context.Context, actor audit.Actor, q Query) ([]Match, error) {
	if q.DateOfBirth == "" || q.NHSNumber == "" && q.FamilyName == "" {
		return nil, apperr.New(apperr.Invalid, "Search with a date of birth and either an NHS number or a name")
	}
	cands, err := candidates(ctx, s.db.Reader(), q.DateOfBirth, q.NHSNumber)
	if err != nil {
		return nil, apperr.Wrap("find person", err)
	}
	found := matches(q, cands)
	if err := wholeRecords(ctx, s.db.Reader(), found); err != nil {
		return nil, apperr.Wrap("find person", err)
	}
	by := "name+dob"
	if q.NHSNumber != "" {
		by = "nhs_number+dob"
	}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		return audit.Record(ctx, c, actor, audit.Event{Action: "person.search", RecordType: "person",
			Detail: fmt.Sprintf("by=%s results=%d", by, len(found))})
	})
	return found, apperr.Wrap("find person", err)
}

// FindIn is Find inside the caller's transaction, without its own audit entry, for a
// duplicate check that is part of a larger audited change.
func (s *Service) FindIn(ctx context.Context, c store.Conn, q Query) ([]Match, error) {
	cands, err := candidates(ctx, c, q.DateOfBirth, q.NHSNumber)
	if err != nil {
		return nil, err
	}
	found := matches(q, cands)
	return found, wholeRecords(ctx, c, found)
}
