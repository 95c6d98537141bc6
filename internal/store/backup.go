package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
)

// ErrUsePgDump explains how PostgreSQL deployments back up and restore: with PostgreSQL's own
// tools, which take consistent online copies and restore them.
var ErrUsePgDump = errors.New("on PostgreSQL, back up with `pg_dump --format=custom --file=FILE \"$LINKWELL_DB\"` " +
	"and restore into an empty database with `pg_restore --no-owner --dbname=\"$TARGET_URL\" FILE`")

// Backup writes a consistent copy of a live SQLite database to path, which must not exist.
// VACUUM INTO reads one snapshot, so writers carry on while it runs.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.Dialect != SQLite {
		return ErrUsePgDump
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s already exists; choose a new file", path)
	}
	return vacuumInto(ctx, db.DSN, path)
}

// vacuumInto copies the SQLite database at src to dst through a connection of its own: the
// readers are query-only, which VACUUM INTO refuses, and the writer must stay free for writes.
func vacuumInto(ctx context.Context, src, dst string) error {
	conn, err := sql.Open("sqlite", sqliteDSN(src, false))
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return syncFile(dst)
}

// syncFile flushes a file to stable storage: VACUUM INTO does not sync what it writes.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}

// Restore copies the SQLite backup at from into a new database at to, after checking that the
// backup is intact and is a Linkwell database, and that the target is empty.
func Restore(ctx context.Context, from, to string) error {
	if IsPostgresURL(to) || IsPostgresURL(from) {
		return ErrUsePgDump
	}
	if info, err := os.Stat(to); err == nil && info.Size() > 0 {
		return fmt.Errorf("restore: %s is not empty; restore only into a new database", to)
	}
	if _, err := os.Stat(from); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	src, err := openSQLite(from)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := checkBackup(ctx, src); err != nil {
		return fmt.Errorf("restore: %s: %w", from, err)
	}
	os.Remove(to) // an empty file left by a failed attempt
	if err := vacuumInto(ctx, from, to); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}

func checkBackup(ctx context.Context, src *DB) error {
	var result string
	if err := src.read.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&result); err != nil {
		return fmt.Errorf("not a readable SQLite database: %w", err)
	}
	if result != "ok" {
		return fmt.Errorf("the backup is damaged: %s", result)
	}
	var n int
	err := src.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n)
	if err != nil || n == 0 {
		return errors.New("not a Linkwell database (no schema_migrations table)")
	}
	return nil
}
