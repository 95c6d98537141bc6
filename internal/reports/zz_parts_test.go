package reports

import (
	"os"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/store"
)

func TestZZParts(t *testing.T) {
	path := os.Getenv("LINKWELL_BENCH_DB")
	if path == "" {
		t.Skip()
	}
	db, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UTC()
	f := Filter{From: now.AddDate(-1, 0, 1), To: now}
	ctx := t.Context()
	db.ReadTx(ctx, func(c store.Conn) error {
		step := func(name string, fn func() error) {
			t0 := time.Now()
			err := fn()
			t.Logf("%s %v %v", name, time.Since(t0), err)
		}
		step("referrals", func() error { _, err := referralCounts(ctx, c, f); return err })
		step("waiting", func() error { _, err := waitingDays(ctx, c, f); return err })
		step("pairs", func() error { _, err := outcomePairs(ctx, c, f); return err })
		step("activity", func() error { _, err := caseActivity(ctx, c, f); return err })
		step("equality", func() error { _, err := equalityCounts(ctx, c, f); return err })
		step("caseloads", func() error { _, err := caseloads(ctx, c, f); return err })
		step("areas", func() error { _, err := areaCounts(ctx, c, f); return err })
		step("practices", func() error { _, _, err := practiceReferrals(ctx, c, f); return err })
		return nil
	})
}
