package workforce

import (
	"context"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

// SupervisesCareOf reports whether supervisorID supervises, now, someone on the current care
// team of an open case for the person; across organisations only while a data-sharing
// agreement between them is in force. The access policy treats it as a relationship (DESIGN §4).
func (s *Service) SupervisesCareOf(ctx context.Context, supervisorID, personID int64) (bool, error) {
	day := s.now().In(london).Format(time.DateOnly)
	var n int
	err := s.db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM supervisor_links l
		JOIN case_workers w ON w.user_id = l.supervisee_id AND w.to_on = ''
		JOIN cases k ON k.id = w.case_id AND k.status <> 'closed'
		WHERE l.supervisor_id = ? AND k.person_id = ? AND `+liveSupervision, supervisorID, personID, day, day).Scan(&n)
	if err != nil {
		return false, apperr.Wrap("supervision relationship", err)
	}
	return n > 0, nil
}

// liveSupervision is the condition on a supervisor_links row l that it lasts, its supervisor
// holds the role and is enabled, and its two people work for the same organisation or for two
// that share data under an agreement in force on the day given twice as arguments.
const liveSupervision = `l.ended_on = '' AND l.supervisor_id IN (SELECT u.id FROM users u JOIN user_roles r ON r.user_id = u.id
	AND r.role = 'supervisor' WHERE u.disabled_at IS NULL)
	AND ((SELECT organisation_id FROM users WHERE id = l.supervisor_id) = (SELECT organisation_id FROM users WHERE id = l.supervisee_id)
	OR EXISTS (SELECT 1 FROM data_sharing_agreements d
		JOIN agreement_parties pa ON pa.agreement_id = d.id AND pa.organisation_id = (SELECT organisation_id FROM users WHERE id = l.supervisor_id)
		JOIN agreement_parties pb ON pb.agreement_id = d.id AND pb.organisation_id = (SELECT organisation_id FROM users WHERE id = l.supervisee_id)
		WHERE d.starts_on <= ? AND (d.ends_on IS NULL OR d.ends_on >= ?)))`

// supervisesLive reports whether supervisorID supervises userID now under liveSupervision.
func (s *Service) supervisesLive(ctx context.Context, c store.Conn, supervisorID, userID int64) (bool, error) {
	day := s.now().In(london).Format(time.DateOnly)
	var n int
	err := c.QueryRow(ctx, `SELECT COUNT(*) FROM supervisor_links l WHERE l.supervisor_id = ? AND l.supervisee_id = ? AND `+liveSupervision,
		supervisorID, userID, day, day).Scan(&n)
	return n > 0, err
}
