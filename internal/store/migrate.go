package store

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/linkwell/linkwell/migrations"
)

// Migration is one forward-only schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the embedded migrations for the database's dialect, oldest first.
func (db *DB) Migrations() ([]Migration, error) {
	dir := string(db.Dialect)
	entries, err := fs.ReadDir(migrations.FS, dir)
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", name)
		}
		body, err := fs.ReadFile(migrations.FS, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		out = append(out, Migration{Version: v, Name: rest, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migrations: expected version %d, found %d", i+1, m.Version)
		}
	}
	return out, nil
}

// SchemaStatus reports the version the database is at and the version this binary expects.
func (db *DB) SchemaStatus(ctx context.Context) (current, latest int, err error) {
	ms, err := db.Migrations()
	if err != nil {
		return 0, 0, err
	}
	latest = len(ms)
	current, err = schemaVersion(ctx, db.Reader())
	return current, latest, err
}

// schemaVersion reads the applied version without writing, so that it works for a read-only
// role; a database with no migrations table is at version 0.
func schemaVersion(ctx context.Context, c Conn) (int, error) {
	exists, err := tableExists(ctx, c, "schema_migrations")
	if err != nil || !exists {
		return 0, err
	}
	var v int
	if err := c.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// tableExists asks the engine's catalogue whether a table exists.
func tableExists(ctx context.Context, c Conn, name string) (bool, error) {
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	if c.dialect == Postgres {
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?`
	}
	var n int
	if err := c.QueryRow(ctx, q, name).Scan(&n); err != nil {
		return false, fmt.Errorf("look for table %s: %w", name, err)
	}
	return n > 0, nil
}

// lockMigrations makes concurrent `linkwell migrate` runs on PostgreSQL take turns; on SQLite
// the single writer transaction already does.
func lockMigrations(ctx context.Context, c Conn) error {
	if c.dialect != Postgres {
		return nil
	}
	_, err := c.Exec(ctx, `SELECT pg_advisory_xact_lock(7316048501)`)
	return err
}

func ensureMigrationTable(ctx context.Context, c Conn) error {
	_, err := c.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at TEXT NOT NULL)`)
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	return nil
}

// Migrate applies every migration the database has not had, each in its own transaction, and
// returns how many it applied.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	ms, err := db.Migrations()
	if err != nil {
		return 0, err
	}
	applied := 0
	for _, m := range ms {
		done := false
		err := db.Tx(ctx, func(c Conn) error {
			if err := lockMigrations(ctx, c); err != nil {
				return err
			}
			if err := ensureMigrationTable(ctx, c); err != nil {
				return err
			}
			// Re-read inside the lock: another process may have applied it meanwhile.
			current, err := schemaVersion(ctx, c)
			if err != nil || current >= m.Version {
				done = true
				return err
			}
			if _, err := c.q.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err = c.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, Now().Format("2006-01-02T15:04:05.000000Z"))
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if !done {
			applied++
		}
	}
	return applied, nil
}

// ErrSchemaBehind is returned by CheckSchema when migrations are pending.
type ErrSchemaBehind struct{ Current, Latest int }

func (e ErrSchemaBehind) Error() string {
	return fmt.Sprintf("the database schema is at version %d but this Linkwell needs version %d: run `linkwell migrate` with the same --db", e.Current, e.Latest)
}

// CheckSchema fails with ErrSchemaBehind unless the database is at the latest version.
func (db *DB) CheckSchema(ctx context.Context) error {
	current, latest, err := db.SchemaStatus(ctx)
	if err != nil {
		return err
	}
	if current < latest {
		return ErrSchemaBehind{Current: current, Latest: latest}
	}
	if current > latest {
		return fmt.Errorf("the database schema is at version %d, newer than this Linkwell (version %d): upgrade Linkwell", current, latest)
	}
	return nil
}
