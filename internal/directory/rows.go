package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
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

// rowsPerInsert is how many buffered rows one multi-row INSERT writes: few enough that the
// widest child table stays far under SQLite's and PostgreSQL's limits on parameters.
const rowsPerInsert = 100

// pendingRows is rows for one table and list of columns, waiting to be written together.
type pendingRows struct {
	table string
	names []string
	vals  []any // every row's values, one row after another
}

// rowBuffer holds rows whose pk nobody needs (a service's schedules, phones, attributes, a
// location's address...) and writes them with multi-row INSERTs, a fraction of the statements
// one INSERT a row costs. Rows are written in the order their tables were first added to.
type rowBuffer struct {
	byKey map[string]*pendingRows
	order []*pendingRows
}

// add buffers a row for table.
func (b *rowBuffer) add(table string, cols columns) {
	key := table + "(" + strings.Join(cols.names, ",") + ")"
	p := b.byKey[key]
	if p == nil {
		if b.byKey == nil {
			b.byKey = map[string]*pendingRows{}
		}
		p = &pendingRows{table: table, names: cols.names}
		b.byKey[key] = p
		b.order = append(b.order, p)
	}
	p.vals = append(p.vals, cols.vals...)
}

// flush writes the buffered rows of the tables named, or of every table when none is, and
// drops them from the buffer, also when a write fails (the caller then undoes the transaction
// or savepoint the rows were for).
func (b *rowBuffer) flush(ctx context.Context, c store.Conn, tables ...string) error {
	for _, p := range b.order {
		if len(p.vals) == 0 || len(tables) > 0 && !slices.Contains(tables, p.table) {
			continue
		}
		err := p.write(ctx, c)
		p.vals = p.vals[:0]
		if err != nil {
			return err
		}
	}
	return nil
}

// write inserts the rows, rowsPerInsert to a statement.
func (p *pendingRows) write(ctx context.Context, c store.Conn) error {
	width := len(p.names)
	head := `INSERT INTO ` + p.table + ` (` + strings.Join(p.names, ", ") + `) VALUES `
	row := store.In(width)
	for vals := p.vals; len(vals) > 0; vals = vals[min(len(vals), rowsPerInsert*width):] {
		n := min(len(vals)/width, rowsPerInsert)
		if _, err := c.Exec(ctx, head+strings.TrimSuffix(strings.Repeat(row+", ", n), ", "), vals[:n*width]...); err != nil {
			return fmt.Errorf("insert into %s: %w", p.table, err)
		}
	}
	return nil
}

// clear drops every buffered row, keeping the buffer's memory for the next rows.
func (b *rowBuffer) clear() {
	for _, p := range b.order {
		p.vals = p.vals[:0]
	}
}
