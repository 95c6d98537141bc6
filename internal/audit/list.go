package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/store"
)

// Filter narrows a listing of the log. Zero values match everything.
type Filter struct {
	ActorID    int64
	Action     string
	RecordType string
	RecordID   string
	From, To   time.Time // To is exclusive
	Page       int       // from 1
	PerPage    int
}

// Page is one page of entries, newest first, with the total that match.
type Page struct {
	Entries []Entry
	Total   int
	Page    int
	Pages   int
}

// List returns the entries that match f, newest first.
func List(ctx context.Context, db *store.DB, f Filter) (Page, error) {
	where, args := f.where()
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 50
	}
	if f.Page < 1 {
		f.Page = 1
	}
	p := Page{Page: f.Page}
	err := db.ReadTx(ctx, func(c store.Conn) error {
		if err := c.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log`+where, args...).Scan(&p.Total); err != nil {
			return err
		}
		rows, err := c.Query(ctx, `SELECT `+entryColumns+` FROM audit_log`+where+` ORDER BY seq DESC LIMIT ? OFFSET ?`,
			append(args, f.PerPage, (f.Page-1)*f.PerPage)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEntry(rows)
			if err != nil {
				return err
			}
			p.Entries = append(p.Entries, e)
		}
		return rows.Err()
	})
	if err != nil {
		return Page{}, fmt.Errorf("list audit entries: %w", err)
	}
	p.Pages = max(1, (p.Total+f.PerPage-1)/f.PerPage)
	return p, nil
}

func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		conds = append(conds, cond)
		args = append(args, v)
	}
	if f.ActorID != 0 {
		add("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.RecordType != "" {
		add("record_type = ?", f.RecordType)
	}
	if f.RecordID != "" {
		add("record_id = ?", f.RecordID)
	}
	if !f.From.IsZero() {
		add("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		add("at < ?", f.To.UTC())
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// Actions lists the distinct actions recorded, for the filter form.
func Actions(ctx context.Context, db *store.DB) ([]string, error) {
	rows, err := db.Reader().Query(ctx, `SELECT DISTINCT action FROM audit_log ORDER BY action`)
	if err != nil {
		return nil, fmt.Errorf("list audit actions: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, fmt.Errorf("list audit actions: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
