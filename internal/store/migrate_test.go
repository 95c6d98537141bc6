package store_test

import (
	"errors"
	"io/fs"
	"strings"
	"sync"
	"testing"

	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
	"github.com/linkwell/linkwell/migrations"
)

// migrationFiles counts the embedded SQL files for db's dialect, independently of store.
func migrationFiles(t *testing.T, db *store.DB) int {
	t.Helper()
	files, err := fs.Glob(migrations.FS, string(db.Dialect)+"/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no %s migrations embedded (err %v)", db.Dialect, err)
	}
	return len(files)
}

func TestCheckSchemaReportsAFreshDatabaseAsBehind(t *testing.T) {
	storetest.EachEmpty(t, func(t *testing.T, db *store.DB) {
		err := db.CheckSchema(t.Context())
		var behind store.ErrSchemaBehind
		if !errors.As(err, &behind) {
			t.Fatalf("CheckSchema on a fresh database = %v, want ErrSchemaBehind", err)
		}
		want := store.ErrSchemaBehind{Current: 0, Latest: migrationFiles(t, db)}
		if behind != want {
			t.Errorf("CheckSchema on a fresh database = %+v, want %+v", behind, want)
		}
	})
}

func TestMigrateAppliesEveryMigrationOnce(t *testing.T) {
	storetest.EachEmpty(t, func(t *testing.T, db *store.DB) {
		applied, err := db.Migrate(t.Context())
		if err != nil {
			t.Fatalf("first Migrate: %v", err)
		}
		if want := migrationFiles(t, db); applied != want {
			t.Errorf("first Migrate applied %d migrations, want %d", applied, want)
		}
		if err := db.CheckSchema(t.Context()); err != nil {
			t.Errorf("CheckSchema after Migrate: %v", err)
		}
		again, err := db.Migrate(t.Context())
		if err != nil || again != 0 {
			t.Errorf("second Migrate applied %d migrations (err %v), want 0", again, err)
		}
		if n := countOrganisations(t, db); n != 0 {
			t.Errorf("a migrated database holds %d organisations, want 0", n)
		}
	})
}

func TestCheckSchemaRejectsANewerDatabase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mustTx(t, db, func(c store.Conn) error {
			_, err := c.Exec(t.Context(), `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from_the_future', '')`,
				migrationFiles(t, db)+1)
			return err
		})
		err := db.CheckSchema(t.Context())
		if err == nil || errors.As(err, new(store.ErrSchemaBehind)) {
			t.Fatalf("CheckSchema on a database newer than the binary = %v, want an upgrade error", err)
		}
		if !strings.Contains(err.Error(), "upgrade Linkwell") {
			t.Errorf("CheckSchema error %q does not tell the operator to upgrade", err)
		}
	})
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mustTx(t, db, func(c store.Conn) error {
			_, err := c.Exec(t.Context(), `INSERT INTO audit_log
				(seq, at, actor_id, actor, action, record_type, record_id, address, reason, detail, prev_hash, hash)
				VALUES (1, ?, NULL, 'system', 'create', 'organisation', '1', '127.0.0.1', 'test', '{}', '', 'h1')`,
				store.Now())
			return err
		})
		for _, stmt := range []string{
			`UPDATE audit_log SET reason = 'rewritten' WHERE seq = 1`,
			`DELETE FROM audit_log WHERE seq = 1`,
		} {
			err := db.Tx(t.Context(), func(c store.Conn) error {
				_, err := c.Exec(t.Context(), stmt)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: error %v, want the append-only trigger to refuse it", stmt, err)
			}
		}
		var reason string
		if err := db.Reader().QueryRow(t.Context(), `SELECT reason FROM audit_log WHERE seq = 1`).Scan(&reason); err != nil || reason != "test" {
			t.Errorf("audit entry after the refused changes: reason %q, err %v; want it unchanged", reason, err)
		}
	})
}

func TestConcurrentMigrationsTakeTurns(t *testing.T) {
	storetest.EachEmpty(t, func(t *testing.T, db *store.DB) {
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		applied := make(chan int, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := db.Migrate(t.Context())
				errs <- err
				applied <- n
			}()
		}
		wg.Wait()
		close(errs)
		close(applied)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent migrate: %v", err)
			}
		}
		total := 0
		for n := range applied {
			total += n
		}
		ms, _ := db.Migrations()
		if total != len(ms) {
			t.Errorf("migrations applied %d times in all, want each of %d once", total, len(ms))
		}
		if err := db.CheckSchema(t.Context()); err != nil {
			t.Errorf("after concurrent migrations: %v", err)
		}
	})
}
