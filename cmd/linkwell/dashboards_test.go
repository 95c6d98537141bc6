package main

import (
	"context"
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestDashboardsRebuildRestoresTheFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mustRun(t, "", "demo", "--people", "300", "--db", db.DSN)
		tally := func() (rows, total int) {
			if err := db.Reader().QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(n), 0) FROM dash_tally WHERE n <> 0`).Scan(&rows, &total); err != nil {
				t.Fatal(err)
			}
			return rows, total
		}
		rows, total := tally()
		if rows == 0 || total == 0 {
			t.Fatal("the generated referrals are not in the dashboard tally")
		}
		// A restore or a load that bypassed the triggers leaves the figures wrong.
		if err := db.Tx(ctx, func(c store.Conn) error {
			_, err := c.Exec(ctx, `DELETE FROM dash_tally WHERE kind = 'referrals'`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if r, _ := tally(); r == rows {
			t.Fatal("deleting tally rows changed nothing")
		}
		out := mustRun(t, "", "dashboards", "rebuild", "--db", db.DSN)
		if !strings.Contains(out, "dashboard figures rebuilt in") {
			t.Errorf("rebuild printed %q", out)
		}
		if r, n := tally(); r != rows || n != total {
			t.Errorf("after rebuild %d rows adding to %d; before %d adding to %d", r, n, rows, total)
		}
		var audited int
		if err := db.Reader().QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'dashboards.rebuild'`).Scan(&audited); err != nil || audited != 1 {
			t.Errorf("the rebuild is in the audit log %d times (%v), want once", audited, err)
		}
		if r := linkwell(t, "", "dashboards"); r.code == 0 || !strings.Contains(r.stderr, dashboardsUsage) {
			t.Errorf("no verb: exit %d, stderr %q", r.code, r.stderr)
		}
	})
}
