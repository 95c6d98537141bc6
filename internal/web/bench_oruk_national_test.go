package web

import (
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/config"
	"github.com/linkwell/linkwell/internal/store"
)

// BenchmarkORUKServicesNational measures GET /oruk/services in the server, without a
// network, on a database holding the generated national directory named by
// LINKWELL_BENCH_DIRECTORY_DB (see `linkwell demo --directory 150000`), and reports the
// percentiles of single requests: random pages of 50 across the whole feed, the first pages,
// and random pages of the services matching a common word.
//
//	LINKWELL_BENCH_DIRECTORY_DB=dir.db go test ./internal/web -run '^$' -bench ORUKServicesNational -benchtime 2000x
func BenchmarkORUKServicesNational(b *testing.B) {
	path := os.Getenv("LINKWELL_BENCH_DIRECTORY_DB")
	if path == "" {
		b.Skip("set LINKWELL_BENCH_DIRECTORY_DB to a database holding the generated national directory")
	}
	db, err := store.Open(b.Context(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	srv, err := New(NewDeps(config.Serve{MFA: config.MFAOptional, MaxBodyBytes: 1 << 20}, db, slog.New(slog.NewTextHandler(io.Discard, nil)), "bench"))
	if err != nil {
		b.Fatal(err)
	}
	for _, bb := range []struct {
		name, query string
		pages       int
	}{{"random pages", "", 3000}, {"first pages", "", 10}, {"random pages of a word", "&search=walking", 200}} {
		b.Run(bb.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(3, 3))
			var took []time.Duration
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, "/oruk/services?per_page=50&page="+strconv.Itoa(1+rng.IntN(bb.pages))+bb.query, nil)
				rec := httptest.NewRecorder()
				start := time.Now()
				srv.ServeHTTP(rec, req)
				took = append(took, time.Since(start))
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
			slices.Sort(took)
			at := func(q float64) float64 { return float64(took[int(q*float64(len(took)-1))].Microseconds()) / 1000 }
			b.ReportMetric(at(0.50), "p50-ms")
			b.ReportMetric(at(0.99), "p99-ms")
		})
	}
}
