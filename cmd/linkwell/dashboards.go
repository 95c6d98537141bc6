package main

import (
	"context"
	"fmt"
	"time"

	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/config"
	"github.com/linkwell/linkwell/internal/reports"
)

const dashboardsUsage = "linkwell dashboards rebuild [--db ...]"

// runDashboards works the dashboards' pre-aggregated figures out again from the records: for
// repair after a restore, or after a bulk load made with the dashboard triggers paused.
func runDashboards(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || args[0] != "rebuild" {
		return fmt.Errorf("say `%s`", dashboardsUsage)
	}
	fs := config.NewFlagSet("dashboards rebuild")
	dsn := config.DBFlag(fs, e.getenv)
	if err := config.Parse(fs, args[1:], e.stdout); err != nil {
		return err
	}
	db, err := openCurrent(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if err := reports.NewService(db).RebuildTallies(ctx, audit.CommandLine); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "dashboard figures rebuilt in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}
