package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

// UpsertTaxonomy stores a taxonomy published by source with the terms nested in it, in one
// transaction. It is Unchanged when neither it nor any term changed; a taxonomy another source
// publishes is refused as a conflict. Terms that another source already publishes are left
// as they are.
func (d *Directory) UpsertTaxonomy(ctx context.Context, source string, t Taxonomy) (Outcome, error) {
	if err := t.Validate(); err != nil {
		return Rejected, err
	}
	if err := checkSource(source); err != nil {
		return Rejected, err
	}
	outcome := Rejected
	err := d.write(ctx, func(c store.Conn) error {
		terms := t.TaxonomyTerms
		t.TaxonomyTerms = nil
		hash, record := hashJSON(t)
		w := newWriter(c, source)
		cl, err := w.claim(ctx, "dir_taxonomies", t.ID, hash, columns{}.with("name", t.Name).with("record", string(record)))
		if err != nil {
			return err
		}
		if cl.owner != source {
			return apperr.New(apperr.Conflict, "Taxonomy %s is already published by another source (%s)", t.ID, cl.owner)
		}
		outcome = cl.outcome
		for _, term := range terms {
			term.TaxonomyID = t.ID
			termOutcome, err := w.term(ctx, term)
			if err != nil {
				return err
			}
			if outcome == Unchanged && termOutcome != Unchanged {
				outcome = Updated
			}
		}
		return nil
	})
	if err != nil {
		return Rejected, apperr.Wrap("upsert taxonomy", err)
	}
	return outcome, nil
}

// ListTaxonomies returns a page of taxonomies in order of name, without their terms.
func (d *Directory) ListTaxonomies(ctx context.Context, p Page) (Results[Taxonomy], error) {
	res, err := listRecords[Taxonomy](ctx, d.db, `dir_taxonomies`, ``, nil, p)
	return res, apperr.Wrap("list taxonomies", err)
}

// GetTaxonomy returns a taxonomy with its terms in order of name.
func (d *Directory) GetTaxonomy(ctx context.Context, id string) (Taxonomy, error) {
	var t Taxonomy
	err := d.db.ReadTx(ctx, func(c store.Conn) error {
		if err := getRecord(ctx, c, "dir_taxonomies", "taxonomy", id, &t); err != nil {
			return err
		}
		rows, err := c.Query(ctx, `SELECT record FROM dir_taxonomy_terms WHERE taxonomy_id = ? ORDER BY name, pk`, id)
		if err != nil {
			return err
		}
		t.TaxonomyTerms, err = scanRecords[TaxonomyTerm](rows)
		return err
	})
	return t, apperr.Wrap("get taxonomy", err)
}

// ListTaxonomyTerms returns a page of taxonomy terms in order of name: those of one taxonomy,
// or all when taxonomyID is empty.
func (d *Directory) ListTaxonomyTerms(ctx context.Context, taxonomyID string, p Page) (Results[TaxonomyTerm], error) {
	where, args := ``, []any(nil)
	if taxonomyID != "" {
		where, args = ` WHERE taxonomy_id = ?`, []any{taxonomyID}
	}
	res, err := listRecords[TaxonomyTerm](ctx, d.db, `dir_taxonomy_terms`, where, args, p)
	return res, apperr.Wrap("list taxonomy terms", err)
}

// GetTaxonomyTerm returns one taxonomy term.
func (d *Directory) GetTaxonomyTerm(ctx context.Context, id string) (TaxonomyTerm, error) {
	var t TaxonomyTerm
	err := getRecord(ctx, d.db.Reader(), "dir_taxonomy_terms", "taxonomy term", id, &t)
	return t, apperr.Wrap("get taxonomy term", err)
}

// getRecord decodes the record of the row of table with id into v.
func getRecord(ctx context.Context, c store.Conn, table, noun, id string, v any) error {
	var record string
	err := c.QueryRow(ctx, `SELECT record FROM `+table+` WHERE id = ?`, id).Scan(&record)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.NotFound, "No %s has the id %s", noun, id)
	}
	if err != nil {
		return fmt.Errorf("get %s: %w", noun, err)
	}
	return json.Unmarshal([]byte(record), v)
}

// listRecords returns a page of the records of table that match where, in order of name.
func listRecords[T any](ctx context.Context, db *store.DB, table, where string, args []any, p Page) (Results[T], error) {
	p = p.normal()
	res := Results[T]{Page: p}
	err := db.ReadTx(ctx, func(c store.Conn) error {
		if err := c.QueryRow(ctx, `SELECT COUNT(*) FROM `+table+where, args...).Scan(&res.Total); err != nil {
			return fmt.Errorf("count %s: %w", table, err)
		}
		rows, err := c.Query(ctx, `SELECT record FROM `+table+where+` ORDER BY name, pk LIMIT ? OFFSET ?`,
			append(args, p.Size, p.offset())...)
		if err != nil {
			return fmt.Errorf("list %s: %w", table, err)
		}
		res.Items, err = scanRecords[T](rows)
		return err
	})
	return res, err
}

// scanRecords decodes every row of a query whose only column is a record, and closes rows.
func scanRecords[T any](rows *sql.Rows) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		var record string
		if err := rows.Scan(&record); err != nil {
			return nil, err
		}
		var v T
		if err := json.Unmarshal([]byte(record), &v); err != nil {
			return nil, fmt.Errorf("decode stored record: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
