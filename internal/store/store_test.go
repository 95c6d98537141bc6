package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestTxCommitsWhenFnReturnsNil(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mustTx(t, db, func(c store.Conn) error {
			return insertOrganisation(t.Context(), c, "Riverside Surgery", "A81001")
		})
		if n := countOrganisations(t, db); n != 1 {
			t.Errorf("after a committed insert there are %d organisations, want 1", n)
		}
	})
}

func TestTxRollsBackWhenFnFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		errAbandon := errors.New("abandon")
		err := db.Tx(t.Context(), func(c store.Conn) error {
			if err := insertOrganisation(t.Context(), c, "Riverside Surgery", "A81001"); err != nil {
				return err
			}
			return errAbandon
		})
		if !errors.Is(err, errAbandon) {
			t.Errorf("Tx returned %v, want fn's error", err)
		}
		if n := countOrganisations(t, db); n != 0 {
			t.Errorf("after a failed transaction there are %d organisations, want 0", n)
		}
	})
}

func TestTxRollsBackWhenFnPanics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("Tx swallowed fn's panic")
				}
			}()
			db.Tx(t.Context(), func(c store.Conn) error {
				if err := insertOrganisation(t.Context(), c, "Riverside Surgery", "A81001"); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		if n := countOrganisations(t, db); n != 0 {
			t.Errorf("after a panicking transaction there are %d organisations, want 0", n)
		}
		// The writer must be usable again: on SQLite a leaked transaction would hold it for good.
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		err := db.Tx(ctx, func(c store.Conn) error {
			return insertOrganisation(ctx, c, "Hillside Practice", "A81002")
		})
		if err != nil {
			t.Errorf("write after a panicking transaction: %v", err)
		}
	})
}

func TestReadTxCannotWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		err := db.ReadTx(t.Context(), func(c store.Conn) error {
			return insertOrganisation(t.Context(), c, "Riverside Surgery", "A81001")
		})
		if err == nil {
			t.Error("an insert inside ReadTx succeeded, want it refused")
		}
		if n := countOrganisations(t, db); n != 0 {
			t.Errorf("after a refused write there are %d organisations, want 0", n)
		}
	})
}

// Every query of a read transaction sees the database as it was at the first: a write
// committed in between does not show, on PostgreSQL as on SQLite.
func TestReadTxSeesOneSnapshot(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		count := func(c store.Conn) int {
			var n int
			if err := c.QueryRow(t.Context(), `SELECT COUNT(*) FROM organisations`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		var before, after int
		err := db.ReadTx(t.Context(), func(c store.Conn) error {
			before = count(c)
			mustTx(t, db, func(w store.Conn) error {
				return insertOrganisation(t.Context(), w, "Riverside Surgery", "A81001")
			})
			after = count(c)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if before != 0 || after != 0 {
			t.Errorf("a read transaction counted %d organisations, then %d after another committed one; want 0 both times", before, after)
		}
		if n := countOrganisations(t, db); n != 1 {
			t.Errorf("after the read transaction %d organisations, want the 1 committed", n)
		}
	})
}

func TestPlaceholdersOutsideStringLiteralsAreRebound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mustTx(t, db, func(c store.Conn) error {
			now := store.Now()
			_, err := c.Exec(t.Context(), `INSERT INTO organisations (name, type, ods_code, created_at, updated_at)
				VALUES ('Who? Cares Trust', ?, ?, ?, ?)`, "charity", "X1", now, now)
			return err
		})
		// A '?' inside a literal, including one after an escaped quote, must stay a character.
		var name string
		err := db.Reader().QueryRow(t.Context(), `SELECT name FROM organisations
			WHERE name <> 'it''s ?' AND name LIKE '%?%' AND ods_code IN `+store.In(2)+` AND type = ?`,
			"X1", "X2", "charity").Scan(&name)
		if err != nil || name != "Who? Cares Trust" {
			t.Errorf("query with literal question marks: name %q, err %v; want %q", name, err, "Who? Cares Trust")
		}
		// Apostrophes and question marks in comments and quoted identifiers must not hide
		// the placeholders after them.
		var n int
		err = db.Reader().QueryRow(t.Context(), "SELECT COUNT(*) AS \"who's?\" FROM organisations -- the practice's row?\n"+
			"/* don't ? */ WHERE ods_code = ? AND type = ?", "X1", "charity").Scan(&n)
		if err != nil || n != 1 {
			t.Errorf("query with comments: n %d, err %v; want 1", n, err)
		}
	})
}

func TestIsUniqueViolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		mustTx(t, db, func(c store.Conn) error {
			return insertOrganisation(t.Context(), c, "Riverside Surgery", "A81001")
		})
		tests := []struct {
			name string
			fn   func(store.Conn) error
			want bool
		}{
			{"duplicate ODS code", func(c store.Conn) error {
				return insertOrganisation(t.Context(), c, "Hillside Practice", "A81001")
			}, true},
			{"name differing only in case", func(c store.Conn) error {
				return insertOrganisation(t.Context(), c, "RIVERSIDE SURGERY", "A81002")
			}, true},
			{"missing required column", func(c store.Conn) error {
				_, err := c.Exec(t.Context(), `INSERT INTO organisations (type, created_at, updated_at) VALUES ('gp', ?, ?)`, store.Now(), store.Now())
				return err
			}, false},
			{"syntax error", func(c store.Conn) error {
				_, err := c.Exec(t.Context(), `SELEKT 1`)
				return err
			}, false},
		}
		for _, tt := range tests {
			err := db.Tx(t.Context(), tt.fn)
			if err == nil {
				t.Errorf("%s: no error", tt.name)
				continue
			}
			if got := store.IsUniqueViolation(fmt.Errorf("wrapped: %w", err)); got != tt.want {
				t.Errorf("%s: IsUniqueViolation(%v) = %v, want %v", tt.name, err, got, tt.want)
			}
		}
		if store.IsUniqueViolation(nil) || store.IsUniqueViolation(errors.New("ods_code UNIQUE")) {
			t.Error("IsUniqueViolation is true for an error that did not come from the database")
		}
	})
}

func TestIsForeignKeyViolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		err := db.Tx(t.Context(), func(c store.Conn) error {
			_, err := c.Exec(t.Context(), `INSERT INTO teams (organisation_id, name, created_at) VALUES (?, 'Link workers', ?)`,
				999, store.Now())
			return err
		})
		if err == nil {
			t.Fatal("a team for a missing organisation was accepted")
		}
		if !store.IsForeignKeyViolation(fmt.Errorf("wrapped: %w", err)) {
			t.Errorf("IsForeignKeyViolation(%v) = false, want true", err)
		}
		if store.IsUniqueViolation(err) {
			t.Errorf("IsUniqueViolation(%v) = true for a foreign key violation", err)
		}
		dup := db.Tx(t.Context(), func(c store.Conn) error {
			if err := insertOrganisation(t.Context(), c, "Riverside Surgery", "A81001"); err != nil {
				return err
			}
			return insertOrganisation(t.Context(), c, "Hillside Practice", "A81001")
		})
		if dup == nil || store.IsForeignKeyViolation(dup) {
			t.Errorf("IsForeignKeyViolation(%v) is true for a unique violation", dup)
		}
	})
}

func TestTimestampsRoundTripExactly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		times := map[string]time.Time{
			"now":               store.Now(),
			"whole second":      time.Date(2025, 1, 31, 23, 59, 59, 0, time.UTC),
			"every microsecond": time.Date(2025, 3, 30, 1, 30, 0, 123456000, time.UTC),
			"trailing zero µs":  time.Date(2025, 10, 26, 1, 0, 0, 100000000, time.UTC),
			"one microsecond":   time.Date(2024, 2, 29, 12, 0, 0, 1000, time.UTC),
		}
		for name, want := range times {
			mustTx(t, db, func(c store.Conn) error {
				return insertOrganisationAt(t, c, name, want)
			})
			var got time.Time
			err := db.Reader().QueryRow(t.Context(), `SELECT created_at FROM organisations WHERE name = ?`, name).Scan(&got)
			if err != nil {
				t.Fatalf("%s: read back: %v", name, err)
			}
			if !got.Equal(want) {
				t.Errorf("%s: wrote %s, read back %s (location %q)", name, want.Format(time.RFC3339Nano), got.Format(time.RFC3339Nano), got.Location())
			}
		}
	})
}

func insertOrganisationAt(t *testing.T, c store.Conn, name string, at time.Time) error {
	t.Helper()
	_, err := c.Exec(t.Context(), `INSERT INTO organisations (name, type, created_at, updated_at) VALUES (?, 'gp_practice', ?, ?)`,
		name, at, at)
	return err
}

func TestConcurrentTransactionsAllCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const writers = 50
		errs := make([]error, writers)
		var wg sync.WaitGroup
		for i := range writers {
			wg.Go(func() {
				errs[i] = db.Tx(t.Context(), func(c store.Conn) error {
					return insertOrganisation(t.Context(), c, fmt.Sprintf("Practice %d", i), fmt.Sprintf("P%05d", i))
				})
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Errorf("concurrent transactions failed: %v", err)
		}
		if n := countOrganisations(t, db); n != writers {
			t.Errorf("after %d concurrent inserts there are %d organisations", writers, n)
		}
	})
}

func TestSavepointUndoesOnlyWhatFailed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		mustTx(t, db, func(c store.Conn) error {
			if err := c.Savepoint(ctx, func() error { return insertOrganisation(ctx, c, "Riverside Surgery", "A81001") }); err != nil {
				return err
			}
			err := c.Savepoint(ctx, func() error {
				if err := insertOrganisation(ctx, c, "Hillside Practice", "A81002"); err != nil {
					return err
				}
				return insertOrganisation(ctx, c, "Riverside Surgery", "A81001") // a duplicate: fails
			})
			if !store.IsUniqueViolation(err) {
				t.Errorf("the failing savepoint returned %v, want its unique violation", err)
			}
			return insertOrganisation(ctx, c, "Lakeside Practice", "A81003") // the transaction carries on
		})
		if n := countOrganisations(t, db); n != 2 {
			t.Errorf("after one failed savepoint there are %d organisations, want 2 (the failed one's first insert undone)", n)
		}
	})
}
