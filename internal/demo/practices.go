package demo

import (
	"context"
	"fmt"

	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/reports"
)

// practiceLists are the demo practices' ODS codes and registered list sizes, which the demo's
// people are registered with in turn.
var practiceLists = [][2]string{{"Y90001", "8,240"}, {"Y90002", "5,610"}, {"Y90003", "11,930"}}

// LoadPracticeLists enters the demo practices' list sizes, as a service lead would, so that
// the dashboards show the share of each list referred.
func LoadPracticeLists(ctx context.Context, r *reports.Service) error {
	for _, p := range practiceLists {
		if _, err := r.SetPracticeList(ctx, audit.System, p[0], p[1]); err != nil {
			return fmt.Errorf("practice list %s: %w", p[0], err)
		}
	}
	return nil
}
