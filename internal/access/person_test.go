package access

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/casework"
)

// fixedRelationships answers from a table, or fails when err is set.
type fixedRelationships struct {
	rel       map[int64]casework.Relationship
	err       error
	overrides map[int64]bool
	overErr   error
}

func (f fixedRelationships) ActiveOverride(_ context.Context, _, personID int64, _ time.Time) (bool, error) {
	return f.overrides[personID], f.overErr
}

func (f fixedRelationships) RelationshipWith(_ context.Context, u account.User, personID int64) (casework.Relationship, error) {
	return f.rel[personID], f.err
}

func TestPersonAccess(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rels := fixedRelationships{rel: map[int64]casework.Relationship{1: casework.CareTeam, 2: casework.Referrer},
		overrides: map[int64]bool{4: true}}
	p := NewPolicy(log, rels)
	lw := user(1, account.LinkWorker)
	cases := []struct {
		name   string
		p      *Policy
		u      account.User
		person int64
		want   casework.Relationship
		ok     bool
	}{
		{"care team", p, lw, 1, casework.CareTeam, true},
		{"referrer", p, lw, 2, casework.Referrer, true},
		{"no relationship", p, lw, 3, casework.NoRelationship, false},
		{"commissioner never", p, user(1, account.Commissioner), 1, casework.NoRelationship, false},
		{"signed out", p, account.User{}, 1, casework.NoRelationship, false},
		{"lookup fails: no", NewPolicy(log, fixedRelationships{rel: rels.rel, err: errors.New("database gone")}), lw, 1, casework.NoRelationship, false},
		{"no lookup: no", NewPolicy(log, nil), lw, 1, casework.NoRelationship, false},
		{"emergency override", p, lw, 4, casework.EmergencyAccess, true},
		{"override lookup fails: no", NewPolicy(log, fixedRelationships{rel: rels.rel, overrides: rels.overrides, overErr: errors.New("gone")}), lw, 4, casework.NoRelationship, false},
	}
	for _, c := range cases {
		got, err := c.p.PersonAccess(context.Background(), c.u, c.person)
		if got != c.want || (err == nil) != c.ok {
			t.Errorf("%s: %q, %v; want %q, allowed %v", c.name, got, err, c.want, c.ok)
		}
		if err != nil && !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("%s: refusal %v is not Forbidden", c.name, err)
		}
	}
}

type fixedSupervision map[int64]bool

func (f fixedSupervision) SupervisesCareOf(_ context.Context, _, personID int64) (bool, error) {
	return f[personID], nil
}

// TestSupervisionRelationship lets a supervisor reach the person their supervisee supports,
// and nobody else, and only a holder of the supervisor role.
func TestSupervisionRelationship(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p := NewPolicy(log, fixedRelationships{rel: map[int64]casework.Relationship{1: casework.CareTeam}}).WithSupervision(fixedSupervision{2: true})
	sup := user(1, account.OccupationalTherapist, account.Supervisor)
	if rel, err := p.PersonAccess(context.Background(), sup, 2); err != nil || rel != casework.SupervisorOf {
		t.Errorf("a supervisee's person: %q, %v", rel, err)
	}
	if rel, err := p.PersonAccess(context.Background(), sup, 1); err != nil || rel != casework.CareTeam {
		t.Errorf("the care team relationship comes first: %q, %v", rel, err)
	}
	if _, err := p.PersonAccess(context.Background(), sup, 3); err == nil {
		t.Error("a supervisor reached someone no supervisee supports")
	}
	if _, err := p.PersonAccess(context.Background(), user(1, account.OccupationalTherapist), 2); err == nil {
		t.Error("someone without the supervisor role reached a person through supervision")
	}
}
