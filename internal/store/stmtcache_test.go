package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// TestCachedStatementsUnderMixedLoad runs readers, read transactions and write transactions
// at once: preparing statements must never wait on a connection a transaction holds.
func TestCachedStatementsUnderMixedLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		count := `SELECT COUNT(*) FROM organisations WHERE type = ?`
		for g := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 20 {
					var n int
					var err error
					switch g % 3 {
					case 0:
						err = db.Reader().QueryRow(ctx, count, "vcse").Scan(&n)
					case 1:
						err = db.ReadTx(ctx, func(c store.Conn) error {
							return c.QueryRow(ctx, count, "vcse").Scan(&n)
						})
					default:
						err = db.Tx(ctx, func(c store.Conn) error {
							if err := c.QueryRow(ctx, count, "vcse").Scan(&n); err != nil {
								return err
							}
							_, err := c.Exec(ctx, `INSERT INTO organisations (name, type, created_at, updated_at) VALUES (?, 'vcse', ?, ?)`,
								"Org "+string(rune('A'+g))+string(rune('a'+i)), store.Now(), store.Now())
							return err
						})
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("under mixed load: %v", err)
		}
		var n int
		if err := db.Reader().QueryRow(t.Context(), count, "vcse").Scan(&n); err != nil || n != 4*20 {
			t.Errorf("rows after load: %d, %v; want 80", n, err)
		}
		if err := db.Reader().QueryRow(t.Context(), `SELECT nonsense FROM nowhere`).Scan(&n); err == nil {
			t.Error("a query that cannot be prepared reported no error")
		}
	})
}

// A write transaction prepares each statement once and reuses it: the same insert many times,
// then a schema change and a statement that cannot be prepared, which must still report why.
func TestWriteTransactionReusesStatements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		mustTx(t, db, func(c store.Conn) error {
			if _, err := c.Exec(ctx, `CREATE TABLE scratch (n INTEGER NOT NULL UNIQUE)`); err != nil {
				return err
			}
			for i := range 300 {
				if _, err := c.Exec(ctx, `INSERT INTO scratch (n) VALUES (?)`, i); err != nil {
					return err
				}
			}
			err := c.Savepoint(ctx, func() error {
				_, err := c.Exec(ctx, `INSERT INTO scratch (n) VALUES (?)`, 7)
				return err
			})
			if !store.IsUniqueViolation(err) {
				t.Errorf("a repeated value through a reused statement: %v, want a unique violation", err)
			}
			return nil
		})
		err := db.Tx(ctx, func(c store.Conn) error {
			var sum int
			if err := c.QueryRow(ctx, `SELECT SUM(n) FROM scratch`).Scan(&sum); err != nil || sum != 299*300/2 {
				t.Errorf("sum after 300 inserts: %d, %v", sum, err)
			}
			if _, err := c.Exec(ctx, `DROP TABLE scratch`); err != nil {
				t.Errorf("drop a table a cached statement read: %v", err)
			}
			_, err := c.Exec(ctx, `SELECT n FROM scratch`)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "scratch") {
			t.Errorf("a statement on a dropped table: %v, want an error naming it", err)
		}
	})
}
