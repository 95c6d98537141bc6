// Package storetest gives tests fresh Linkwell databases: a SQLite file in a temporary
// directory, or a database in a throwaway PostgreSQL cluster that the test process starts
// itself with initdb and pg_ctl and stops when its tests end.
//
// A package that uses it calls Main from its TestMain. Without PostgreSQL binaries the
// PostgreSQL tests skip, loudly; with CI=true in the environment they fail instead.
package storetest

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/linkwell/linkwell/internal/store"
)

// defaultPGBin is where Debian and Ubuntu install PostgreSQL 15; LINKWELL_PG_BIN overrides it.
const defaultPGBin = "/usr/lib/postgresql/15/bin"

// shared is the one cluster a test process starts, on first use.
var shared struct {
	mainCalled bool
	once       sync.Once
	cluster    *cluster
	err        error
	databases  atomic.Int64
}

// Main runs the tests, stops the PostgreSQL cluster if they started one, and exits.
func Main(m *testing.M) {
	shared.mainCalled = true
	code := m.Run()
	if shared.cluster != nil {
		if err := shared.cluster.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "storetest: %v\n", err)
			code = max(code, 1)
		}
	}
	os.Exit(code)
}

// Each runs fn as the subtests "sqlite" and "postgres", each on a fresh migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// EachEmpty runs fn as the subtests "sqlite" and "postgres", each on a fresh database that
// has had no migrations.
func EachEmpty(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLiteEmpty(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, PostgresEmpty(t)) })
}

// SQLite returns a fresh migrated SQLite database, closed when the test ends.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	db := SQLiteEmpty(t)
	migrate(t, db)
	return db
}

// SQLiteEmpty returns a fresh SQLite database with no migrations applied.
func SQLiteEmpty(t testing.TB) *store.DB {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "linkwell.db"))
}

// Postgres returns a fresh migrated PostgreSQL database, dropped when the test ends.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	db := PostgresEmpty(t)
	migrate(t, db)
	return db
}

// PostgresEmpty returns a fresh PostgreSQL database with no migrations applied.
func PostgresEmpty(t testing.TB) *store.DB {
	t.Helper()
	c := sharedCluster(t)
	name := fmt.Sprintf("linkwell_test_%d", shared.databases.Add(1))
	if _, err := c.admin.ExecContext(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	// Registered before open's Close, so it runs after it: cleanups run last first.
	t.Cleanup(func() {
		if _, err := c.admin.Exec("DROP DATABASE " + name + " WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return open(t, c.url(name))
}

// sharedCluster returns the process's cluster, starting it on first use, or skips or fails
// the test when PostgreSQL is not installed.
func sharedCluster(t testing.TB) *cluster {
	t.Helper()
	if !shared.mainCalled {
		t.Fatal("storetest: call storetest.Main(m) from TestMain, so that the PostgreSQL cluster is stopped after the tests")
	}
	bin := os.Getenv("LINKWELL_PG_BIN")
	if bin == "" {
		bin = defaultPGBin
	}
	if err := findBinaries(bin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("POSTGRES TESTS CANNOT RUN, AND CI=true REQUIRES THEM: %v", err)
		}
		t.Skipf("POSTGRES TESTS SKIPPED: %v (install PostgreSQL 15 or set LINKWELL_PG_BIN; CI=true makes this a failure)", err)
	}
	shared.once.Do(func() { shared.cluster, shared.err = startCluster(bin) })
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.cluster
}

// findBinaries checks that bin holds the programs the cluster needs.
func findBinaries(bin string) error {
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		if _, err := os.Stat(filepath.Join(bin, name)); err != nil {
			return fmt.Errorf("no PostgreSQL binaries: %w", err)
		}
	}
	return nil
}

func open(t testing.TB, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close test database: %v", err)
		}
	})
	return db
}

func migrate(t testing.TB, db *store.DB) {
	t.Helper()
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
}
