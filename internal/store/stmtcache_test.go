package store_test

import (
	"context"
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
