package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/config"
	"github.com/linkwell/linkwell/internal/store"
)

// BenchmarkCommissionerPageNational measures the whole commissioner dashboard page, HTML with
// its charts, for the default period (the twelve months to today), signed in as the demo
// commissioner, on the national-scale database named by LINKWELL_BENCH_DB: a copy of a SQLite
// file, or a PostgreSQL database used as it is (signing in adds a session and audit rows):
// LINKWELL_BENCH_DB=national.db go test ./internal/web -run '^$' -bench CommissionerPageNational -benchtime 20x
// It reports the server's own time per page at the 50th and 99th percentiles.
func BenchmarkCommissionerPageNational(b *testing.B) {
	path := os.Getenv("LINKWELL_BENCH_DB")
	if path == "" {
		b.Skip("set LINKWELL_BENCH_DB to a database made by `linkwell demo --scale national`")
	}
	var db *store.DB
	if strings.HasPrefix(path, "postgres") {
		var err error
		if db, err = store.Open(context.Background(), path); err != nil {
			b.Fatal(err)
		}
		defer db.Close()
	} else {
		db = copyDatabase(b, path)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := New(NewDeps(config.Serve{MFA: config.MFAOptional, MaxBodyBytes: 1 << 20}, db, log, "bench"))
	if err != nil {
		b.Fatal(err)
	}
	req := benchRequest(b, &testServer{Server: srv, DB: db}, "commissioner@linkwell.demo", "/reports/commissioner")
	var took []time.Duration
	for b.Loop() {
		rec := httptest.NewRecorder()
		start := time.Now()
		srv.ServeHTTP(rec, req.Clone(req.Context()))
		took = append(took, time.Since(start))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "referrals were made in the period") {
			b.Fatalf("status %d, or no headline", rec.Code)
		}
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99_ms")
}
