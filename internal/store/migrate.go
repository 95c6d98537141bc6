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
	if err := db.ensureMigrationTable(ctx); err != nil {
		return 0, latest, err
	}
	err = db.Reader().QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current)
	if err != nil {
		return 0, latest, fmt.Errorf("read schema version: %w", err)
	}
	return current, latest, nil
}

func (db *DB) ensureMigrationTable(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
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
	current, _, err := db.SchemaStatus(ctx)
	if err != nil {
		return 0, err
	}
	ms, err := db.Migrations()
	if err != nil {
		return 0, err
	}
	applied := 0
	for _, m := range ms[current:] {
		err := db.Tx(ctx, func(c Conn) error {
			if _, err := c.q.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := c.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, Now().Format("2006-01-02T15:04:05.000000Z"))
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		applied++
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
