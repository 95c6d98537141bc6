package web

import (
	"context"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/demo"
	"github.com/linkwell/linkwell/internal/store"
)

// TestServerFoldsTheDashboardLog checks that the server's background step folds the
// dashboards' log of changes into their tally, leaving every figure as it was.
func TestServerFoldsTheDashboardLog(t *testing.T) {
	ts := newTestServer(t)
	ctx := t.Context()
	sums := func() (logged, n, s1 int64) {
		err := ts.DB.Reader().QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM dash_tally_log),
			COALESCE((SELECT SUM(n) FROM dash_tally_now), 0), COALESCE((SELECT SUM(s1) FROM dash_tally_now), 0)`).Scan(&logged, &n, &s1)
		if err != nil {
			t.Fatal(err)
		}
		return logged, n, s1
	}
	if err := demo.Generate(ctx, ts.DB, demo.Scale{People: 200, PCNs: 1, OTsPerPCN: 1, LWsPerPCN: 2}, func(string) {}); err != nil {
		t.Fatal(err)
	}
	// Changes to referrals go through the triggers into the log.
	if err := ts.DB.Tx(ctx, func(c store.Conn) error {
		_, err := c.Exec(ctx, `UPDATE referrals SET source = 'pharmacist' WHERE id % 3 = 0`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	logged, n, s1 := sums()
	if logged == 0 || n == 0 {
		t.Fatalf("log %d, tally total %d: the changes did not reach the dashboards", logged, n)
	}
	bg, cancel := context.WithCancel(ctx)
	defer cancel()
	go ts.Server.FoldTallies(bg, 10*time.Millisecond)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if l, _, _ := sums(); l == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the server did not fold the log within 10 seconds")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, n2, s12 := sums(); n2 != n || s12 != s1 {
		t.Errorf("folding changed the figures: total %d then %d, sums %d then %d", n, n2, s1, s12)
	}
	// A change made after folding is logged again and folded in turn.
	if err := ts.DB.Tx(ctx, func(c store.Conn) error {
		_, err := c.Exec(ctx, `UPDATE referrals SET status = 'rejected' WHERE id = (SELECT MIN(id) FROM referrals WHERE status <> 'rejected')`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for deadline = time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if l, _, _ := sums(); l == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a later change was not folded")
		}
	}
}
