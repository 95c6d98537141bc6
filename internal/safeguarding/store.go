package safeguarding

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

const concernSelect = `SELECT k.id, k.case_id, k.person_id, k.service_id, k.subject, k.type, k.immediate_action, k.who_told,
	k.status, k.outcome, COALESCE(k.raised_by, 0), COALESCE(u.name, ''), k.raised_at, k.updated_at, k.version
	FROM safeguarding_concerns k LEFT JOIN users u ON u.id = k.raised_by`

func getConcern(ctx context.Context, c store.Conn, id int64) (Concern, error) {
	ks, err := listConcerns(ctx, c, `k.id = ?`, []any{id}, `k.id`)
	if err != nil {
		return Concern{}, err
	}
	if len(ks) == 0 {
		return Concern{}, apperr.New(apperr.NotFound, "No safeguarding concern was found")
	}
	k := ks[0]
	k.Procedure, err = getProcedure(ctx, c, k.ServiceID)
	return k, err
}

func listConcerns(ctx context.Context, c store.Conn, where string, args []any, order string) ([]Concern, error) {
	rows, err := c.Query(ctx, concernSelect+` WHERE `+where+` ORDER BY `+order, args...)
	if err != nil {
		return nil, fmt.Errorf("list concerns: %w", err)
	}
	defer rows.Close()
	var out []Concern
	for rows.Next() {
		var k Concern
		if err := rows.Scan(&k.ID, &k.CaseID, &k.PersonID, &k.ServiceID, &k.Subject, &k.Type, &k.ImmediateAction, &k.WhoTold,
			&k.Status, &k.Outcome, &k.RaisedBy, &k.RaisedByName, &k.RaisedAt, &k.UpdatedAt, &k.Version); err != nil {
			return nil, fmt.Errorf("list concerns: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
