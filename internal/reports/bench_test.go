package reports

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/store"
)

// BenchmarkCommissionerNational builds the commissioner dashboard on a national-scale
// database named by LINKWELL_BENCH_DB (see docs/performance.md), for the last twelve months
// to today and for the last twelve whole months, from the tallies; and, as the slowest a
// filtered dashboard can be, the same year read from every referral's facts, as a filter by
// team or practice reads them:
// LINKWELL_BENCH_DB=national.db go test ./internal/reports -run '^$' -bench CommissionerNational -benchtime 5x
func BenchmarkCommissionerNational(b *testing.B) {
	path := os.Getenv("LINKWELL_BENCH_DB")
	if path == "" {
		b.Skip("set LINKWELL_BENCH_DB to a database made by `linkwell demo --scale national`")
	}
	db, err := store.Open(b.Context(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	year := Filter{From: now.AddDate(-1, 0, 1), To: now}
	s := NewService(db)
	for _, bm := range []struct {
		name string
		f    Filter
	}{
		{"year_to_today", year},
		{"twelve_whole_months", Filter{From: month.AddDate(-1, 0, 0), To: month.AddDate(0, 0, -1)}},
		{"year_of_one_organisation", Filter{From: year.From, To: year.To, OrganisationID: busiest(b, db)}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			for b.Loop() {
				d, err := s.Build(b.Context(), bm.f, true)
				if err != nil {
					b.Fatal(err)
				}
				if len(d.Sections) == 0 || !strings.Contains(strings.Join(d.Headline, " "), "referrals were made") {
					b.Fatalf("headline %q", d.Headline)
				}
			}
		})
	}
}

// busiest is the organisation whose services were referred to most.
func busiest(b *testing.B, db *store.DB) int64 {
	var org int64
	if err := db.Reader().QueryRow(b.Context(), `SELECT s.organisation_id FROM referrals r JOIN services s ON s.id = r.service_id
		GROUP BY s.organisation_id ORDER BY COUNT(*) DESC LIMIT 1`).Scan(&org); err != nil {
		b.Fatal(err)
	}
	return org
}
