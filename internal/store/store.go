// Package store opens Linkwell's database, SQLite or PostgreSQL, applies migrations and runs
// transactions. It is the only package that knows one dialect from the other: the per-area
// SQL in the domain packages is written once with ? placeholders and these helpers.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the database engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open Linkwell database: a writer and a pool of readers. On SQLite the writer is a
// single connection, so writes queue in Go rather than fail with SQLITE_BUSY; on PostgreSQL
// both are the same pool.
type DB struct {
	Dialect   Dialect
	DSN       string
	write     *sql.DB
	read      *sql.DB
	readStmts *stmtCache // nil on PostgreSQL
	// writeStmts keeps, on SQLite's one writer connection, the statements write transactions
	// have run, so that the next transaction does not compile them again: a statement that
	// fires the dashboards' triggers compiles them all with it (0.8 ms for a new referral).
	writeStmts *stmtCache
}

// Open connects to dsn: a postgres:// URL selects PostgreSQL, anything else is a SQLite path.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		return nil, errors.New("open database: no database given")
	}
	var db *DB
	var err error
	if IsPostgresURL(dsn) {
		db, err = openPostgres(dsn)
	} else {
		db, err = openSQLite(dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// IsPostgresURL reports whether dsn names a PostgreSQL server rather than a SQLite file.
func IsPostgresURL(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func openPostgres(dsn string) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pool.SetMaxOpenConns(max(8, 4*runtime.GOMAXPROCS(0)))
	pool.SetMaxIdleConns(max(8, 4*runtime.GOMAXPROCS(0)))
	pool.SetConnMaxIdleTime(5 * time.Minute)
	return &DB{Dialect: Postgres, DSN: dsn, write: pool, read: pool}, nil
}

// sqlitePragmas are applied to every SQLite connection.
//   - journal_mode=WAL lets readers run alongside the single writer.
//   - synchronous=FULL syncs the WAL on every commit, so an acknowledged write survives power
//     loss as well as a crash (NORMAL would only survive a crash).
//   - foreign_keys=ON because SQLite leaves them off by default.
//   - busy_timeout covers the moments a checkpoint or a backup holds a lock.
var sqlitePragmas = []string{
	"journal_mode(WAL)",
	"synchronous(FULL)",
	"foreign_keys(ON)",
	"busy_timeout(10000)",
}

func sqliteDSN(path string, readOnly bool) string {
	var b strings.Builder
	b.WriteString("file:")
	b.WriteString(path)
	// _time_format=sqlite writes times in a form that sorts and that SQLite's date functions read.
	b.WriteString("?_time_format=sqlite&_txlock=immediate")
	for _, p := range sqlitePragmas {
		b.WriteString("&_pragma=")
		b.WriteString(p)
	}
	if readOnly {
		b.WriteString("&_pragma=query_only(ON)")
	} else {
		// The writer keeps its temporary files in memory: above all the sub-journal of a
		// savepoint, which otherwise spills to a file once it passes 64 KiB and then costs a
		// write system call for every page a savepoint first touches (a tenth of a directory
		// import's time). Readers keep the default, so a big sort may still use disk.
		b.WriteString("&_pragma=temp_store(MEMORY)")
		// And a 64 MiB page cache rather than 2 MiB, so that a transaction writing thousands of
		// rows keeps its changed pages in memory until it commits instead of spilling them to
		// the WAL part way.
		b.WriteString("&_pragma=cache_size(-65536)")
	}
	return b.String()
}

func openSQLite(path string) (*DB, error) {
	w, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	readers := max(4, 2*runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	r.SetConnMaxIdleTime(0)
	return &DB{Dialect: SQLite, DSN: path, write: w, read: r, readStmts: newStmtCache(r), writeStmts: newStmtCache(w)}, nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", db.Dialect, err)
	}
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", db.Dialect, err)
	}
	return nil
}

// Close closes every connection.
func (db *DB) Close() error {
	if db.readStmts != nil {
		db.readStmts.close()
		db.writeStmts.close()
	}
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Stats reports the connection pools' figures for metrics: the writer and the readers.
func (db *DB) Stats() (write, read sql.DBStats) {
	return db.write.Stats(), db.read.Stats()
}

// Conn runs queries written with ? placeholders against a database, a transaction or a reader.
type Conn struct {
	q       querier
	dialect Dialect
	stmts   *stmtCache // prepared statements for the pool q draws on, if any
	tx      *sql.Tx    // set when q is a transaction, to bind cached statements to it
	own     *txStmts   // statements a SQLite write transaction prepared for itself
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Dialect reports which engine the connection talks to.
func (c Conn) Dialect() Dialect { return c.dialect }

// Exec runs a statement.
func (c Conn) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := c.prepared(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return c.q.ExecContext(ctx, c.rebind(query), args...)
}

// Query runs a query returning rows.
func (c Conn) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.q.QueryContext(ctx, c.rebind(query), args...)
}

// QueryRow runs a query returning at most one row.
func (c Conn) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.q.QueryRowContext(ctx, c.rebind(query), args...)
}

// prepared returns the cached statement for query, or nil to run the query unprepared (no
// cache, cache full, or it would not prepare: running it directly then reports the error).
// A SQLite write transaction prepares statements on its own connection and keeps them until
// it ends. A read transaction only reuses statements already cached for the reader pool,
// bound to the transaction: preparing a new one there would need a second connection.
func (c Conn) prepared(ctx context.Context, query string) *sql.Stmt {
	if c.own != nil {
		if st := c.stmts.peek(query); st != nil {
			return c.tx.StmtContext(ctx, st)
		}
		return c.own.get(ctx, query)
	}
	if c.stmts == nil {
		return nil
	}
	if c.tx != nil {
		if st := c.stmts.peek(query); st != nil {
			return c.tx.StmtContext(ctx, st)
		}
		return nil
	}
	st, err := c.stmts.get(ctx, query)
	if err != nil {
		return nil
	}
	return st
}

// rebind turns ? placeholders into PostgreSQL's $1, $2, ... It copies string literals,
// quoted identifiers and comments through untouched, so a ? or an apostrophe in them does not
// confuse it.
func (c Conn) rebind(query string) string {
	if c.dialect != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		ch := query[i]
		switch {
		case ch == '\'' || ch == '"':
			end := skipPast(query, i+1, string(ch))
			b.WriteString(query[i:end])
			i = end - 1
		case ch == '-' && strings.HasPrefix(query[i:], "--"):
			end := skipPast(query, i+2, "\n")
			b.WriteString(query[i:end])
			i = end - 1
		case ch == '/' && strings.HasPrefix(query[i:], "/*"):
			end := skipPast(query, i+2, "*/")
			b.WriteString(query[i:end])
			i = end - 1
		case ch == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// skipPast returns the index just after the first closer at or after from, or the end of s.
// A quote doubled inside a literal (the SQL escape) reads as two literals side by side, which
// copies through the same.
func skipPast(s string, from int, closer string) int {
	if k := strings.Index(s[from:], closer); k >= 0 {
		return from + k + len(closer)
	}
	return len(s)
}

// Reader returns a connection from the reader pool, for queries outside a transaction.
// KeepReads prepares statements for the reader pool and keeps them, so that read transactions,
// which run only statements already kept, run these without compiling them each time. One
// that will not prepare (its tables not made yet) is left out. PostgreSQL needs none.
func (db *DB) KeepReads(ctx context.Context, queries ...string) {
	if db.readStmts != nil {
		db.readStmts.keep(ctx, queries)
	}
}

func (db *DB) Reader() Conn { return Conn{q: db.read, dialect: db.Dialect, stmts: db.readStmts} }

// Tx runs fn in a write transaction and commits it if fn returns nil. On SQLite the single
// writer connection serialises writers; on PostgreSQL the transaction is READ COMMITTED and
// writers that must be serialised lock the rows they depend on.
func (db *DB) Tx(ctx context.Context, fn func(Conn) error) (err error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	c := Conn{q: tx, dialect: db.Dialect}
	if db.Dialect == SQLite {
		c.own, c.stmts, c.tx = newTxStmts(tx), db.writeStmts, tx
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
		// Once the writer is free again, the statements this transaction had to prepare for
		// itself are prepared on it for the transactions after.
		if c.own != nil {
			db.writeStmts.keep(context.WithoutCancel(ctx), c.own.prepared())
		}
	}()
	if err = fn(c); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

// ReadTx runs fn in a read-only transaction on the reader pool, so that several queries see
// one snapshot. On PostgreSQL that needs REPEATABLE READ: at its default, READ COMMITTED, each
// statement sees what was committed before it began. A read-only transaction there is never
// refused for a conflict. SQLite's WAL readers keep one snapshot from the first read.
func (db *DB) ReadTx(ctx context.Context, fn func(Conn) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Dialect == Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin read transaction: %w", err)
	}
	defer tx.Rollback()
	return fn(Conn{q: tx, dialect: db.Dialect, stmts: db.readStmts, tx: tx})
}

// Savepoint runs fn inside a savepoint of c, which must be a write transaction's connection:
// when fn fails, what it wrote is undone and the transaction carries on, so that a batch can
// skip a bad item without losing the others.
func (c Conn) Savepoint(ctx context.Context, fn func() error) error {
	if _, err := c.Exec(ctx, `SAVEPOINT item`); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	if err := fn(); err != nil {
		if _, rbErr := c.Exec(ctx, `ROLLBACK TO SAVEPOINT item`); rbErr != nil {
			return errors.Join(err, fmt.Errorf("roll back to savepoint: %w", rbErr))
		}
		_, relErr := c.Exec(ctx, `RELEASE SAVEPOINT item`)
		return errors.Join(err, relErr)
	}
	if _, err := c.Exec(ctx, `RELEASE SAVEPOINT item`); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// IsUniqueViolation reports whether err came from a UNIQUE constraint.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsForeignKeyViolation reports whether err came from a FOREIGN KEY constraint.
func IsForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23503"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// Now is the time the database layer stores: UTC, to the microsecond, which both engines keep
// exactly (PostgreSQL's timestamptz holds microseconds).
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// In builds "(?, ?, ?)" for n values.
func In(n int) string {
	if n <= 0 {
		return "(NULL)"
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// Args is vs as the arguments of a query, such as the values of an In list.
func Args[T any](vs []T) []any {
	args := make([]any, len(vs))
	for i, v := range vs {
		args[i] = v
	}
	return args
}

// Exec runs one statement in its own write transaction and returns the rows it affected.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := db.Tx(ctx, func(c Conn) error {
		res, err := c.Exec(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
