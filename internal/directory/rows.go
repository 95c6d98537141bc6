package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/linkwell/linkwell/internal/store"
)

// columns is the column names and values of one row to write, in order.
type columns struct {
	names []string
	vals  []any
}

// with returns the columns and one more; the receiver is left as it was.
func (c columns) with(name string, v any) columns {
	return columns{names: append(c.names[:len(c.names):len(c.names)], name), vals: append(c.vals[:len(c.vals):len(c.vals)], v)}
}

// insertRow inserts a row into a directory table and returns its pk.
func insertRow(ctx context.Context, c store.Conn, table string, cols columns) (int64, error) {
	var pk int64
	err := c.QueryRow(ctx, `INSERT INTO `+table+` (`+strings.Join(cols.names, ", ")+`) VALUES `+store.In(len(cols.vals))+
		` RETURNING pk`, cols.vals...).Scan(&pk)
	if err != nil {
		return 0, fmt.Errorf("insert into %s: %w", table, err)
	}
	return pk, nil
}

// addRow inserts a row into a directory table whose pk nobody needs.
func addRow(ctx context.Context, c store.Conn, table string, cols columns) error {
	_, err := c.Exec(ctx, `INSERT INTO `+table+` (`+strings.Join(cols.names, ", ")+`) VALUES `+store.In(len(cols.vals)), cols.vals...)
	if err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	return nil
}

func updateRow(ctx context.Context, c store.Conn, table string, pk int64, cols columns) error {
	_, err := c.Exec(ctx, `UPDATE `+table+` SET `+strings.Join(cols.names, " = ?, ")+` = ? WHERE pk = ?`, append(cols.vals, pk)...)
	if err != nil {
		return fmt.Errorf("update %s: %w", table, err)
	}
	return nil
}

// claimed is what claim did with a shared record, and who publishes it.
type claimed struct {
	pk      int64
	outcome Outcome
	owner   string
	hash    string // the hash the record has now
}

func (cl claimed) wrote() bool { return cl.outcome == Created || cl.outcome == Updated }

// claim writes a record that many services may nest (an organisation, location or taxonomy
// term) to its table, keyed by id. A new record is inserted; one the same source published is
// updated when its hash differs; one another source publishes is left as it is, to be linked
// to, and comes back Unchanged with its owner.
func claim(ctx context.Context, c store.Conn, table, id, source, hash string, cols columns) (claimed, error) {
	row := cols.with("id", id).with("source", source).with("hash", hash)
	var pk int64
	// DO NOTHING rather than a failed insert, which would abort a PostgreSQL transaction.
	err := c.QueryRow(ctx, `INSERT INTO `+table+` (`+strings.Join(row.names, ", ")+`) VALUES `+store.In(len(row.vals))+
		` ON CONFLICT (id) DO NOTHING RETURNING pk`, row.vals...).Scan(&pk)
	if err == nil {
		return claimed{pk: pk, outcome: Created, owner: source, hash: hash}, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return claimed{}, fmt.Errorf("claim %s %s: %w", table, id, err)
	}
	var owner, old string
	if err := c.QueryRow(ctx, `SELECT pk, source, hash FROM `+table+` WHERE id = ?`, id).Scan(&pk, &owner, &old); err != nil {
		return claimed{}, fmt.Errorf("claim %s %s: %w", table, id, err)
	}
	if owner != source || old == hash {
		return claimed{pk: pk, outcome: Unchanged, owner: owner, hash: old}, nil
	}
	if err := updateRow(ctx, c, table, pk, cols.with("hash", hash)); err != nil {
		return claimed{}, err
	}
	return claimed{pk: pk, outcome: Updated, owner: owner, hash: hash}, nil
}
