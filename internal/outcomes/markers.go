package outcomes

import (
	"context"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

// When measures fall due: a baseline in the first two weeks of a case, a follow-up from 12
// weeks on (or at closure, whichever is first), overdue four weeks later.
const (
	baselineDue     = 14 * 24 * time.Hour
	followUpDue     = 84 * 24 * time.Hour
	followUpOverdue = 112 * 24 * time.Hour
)

// Marker says whether a case's measures are due or overdue; an empty Label means neither.
type Marker struct {
	Label   string
	Overdue bool
}

// Markers works out the marker of each open case given, in one query for them all.
func (s *Service) Markers(ctx context.Context, caseIDs []int64) (map[int64]Marker, error) {
	out := map[int64]Marker{}
	if len(caseIDs) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(caseIDs)+2)
	args = append(args, Baseline, FollowUp)
	for _, id := range caseIDs {
		args = append(args, id)
	}
	rows, err := s.db.Reader().Query(ctx, `SELECT c.id, c.opened_at,
		(SELECT COUNT(*) FROM outcome_responses r WHERE r.case_id = c.id AND r.timepoint = ?),
		(SELECT COUNT(*) FROM outcome_responses r WHERE r.case_id = c.id AND r.timepoint = ?)
		FROM cases c WHERE c.id IN `+store.In(len(caseIDs)), args...)
	if err != nil {
		return nil, apperr.Wrap("measure markers", err)
	}
	defer rows.Close()
	now := s.now()
	for rows.Next() {
		var id int64
		var opened time.Time
		var baselines, followUps int
		if err := rows.Scan(&id, &opened, &baselines, &followUps); err != nil {
			return nil, apperr.Wrap("measure markers", err)
		}
		out[id] = markerFor(now.Sub(opened), baselines > 0, followUps > 0)
	}
	return out, apperr.Wrap("measure markers", rows.Err())
}

// markerFor is the marker of an open case of a given age.
func markerFor(age time.Duration, baseline, followUp bool) Marker {
	switch {
	case !baseline && age >= baselineDue:
		return Marker{Label: "Baseline overdue", Overdue: true}
	case !baseline:
		return Marker{Label: "Baseline due"}
	case followUp:
		return Marker{}
	case age >= followUpOverdue:
		return Marker{Label: "Follow-up overdue", Overdue: true}
	case age >= followUpDue:
		return Marker{Label: "Follow-up due"}
	}
	return Marker{}
}
