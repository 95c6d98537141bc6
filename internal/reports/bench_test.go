package reports

import (
	"os"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/store"
)

// BenchmarkCommissionerNational builds the commissioner dashboard for the last full year on a
// national-scale database named by LINKWELL_BENCH_DB (see docs/performance.md):
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
	f := Filter{From: now.AddDate(-1, 0, 1), To: now}
	s := NewService(db)
	for b.Loop() {
		d, err := s.Build(b.Context(), f, true)
		if err != nil {
			b.Fatal(err)
		}
		if len(d.Sections) == 0 {
			b.Fatal("no sections")
		}
	}
}
