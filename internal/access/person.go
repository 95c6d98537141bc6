package access

import (
	"context"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/casework"
)

// Relationships finds a user's legitimate relationship with a person (DESIGN §4).
type Relationships interface {
	RelationshipWith(ctx context.Context, u account.User, personID int64) (casework.Relationship, error)
	ActiveOverride(ctx context.Context, userID, personID int64, now time.Time) (bool, error)
}

// Supervision answers whether a supervisor supervises someone on a person's care team.
type Supervision interface {
	SupervisesCareOf(ctx context.Context, supervisorID, personID int64) (bool, error)
}

// WithSupervision lets supervisors reach the records of the people their supervisees support
// (DESIGN §4), and returns the policy.
func (p *Policy) WithSupervision(s Supervision) *Policy {
	p.supervision = s
	return p
}

var errNoRelationship = apperr.New(apperr.Forbidden,
	"You can only see the record of someone your team is supporting, someone you supervise the care of, or someone you referred")

// PersonAccess decides whether u may see a person's record and on what basis: the care team
// and the teams holding a case or referral see the record; a referrer sees status and
// feedback only. Commissioners never see a person. If the lookup fails, the answer is no.
func (p *Policy) PersonAccess(ctx context.Context, u account.User, personID int64) (casework.Relationship, error) {
	if u.ID == 0 || u.Disabled() || p.relationships == nil {
		return casework.NoRelationship, errNoRelationship
	}
	if len(u.Roles) == 1 && u.Has(account.Commissioner) {
		return casework.NoRelationship, apperr.New(apperr.Forbidden, "Commissioners see totals only, never a person's record")
	}
	rel, err := p.relationships.RelationshipWith(ctx, u, personID)
	if err != nil {
		p.log.ErrorContext(ctx, "relationship lookup failed, refusing", "user_id", u.ID, "err", err)
		return casework.NoRelationship, errForbidden
	}
	if rel != casework.NoRelationship {
		return rel, nil
	}
	if p.supervision != nil && u.Has(account.Supervisor) {
		ok, err := p.supervision.SupervisesCareOf(ctx, u.ID, personID)
		if err != nil {
			p.log.ErrorContext(ctx, "supervision lookup failed, refusing", "user_id", u.ID, "err", err)
			return casework.NoRelationship, errForbidden
		}
		if ok {
			return casework.SupervisorOf, nil
		}
	}
	override, err := p.relationships.ActiveOverride(ctx, u.ID, personID, time.Now())
	if err != nil {
		p.log.ErrorContext(ctx, "override lookup failed, refusing", "user_id", u.ID, "err", err)
		return casework.NoRelationship, errForbidden
	}
	if override {
		return casework.EmergencyAccess, nil
	}
	return casework.NoRelationship, errNoRelationship
}
