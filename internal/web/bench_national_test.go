package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/linkwell/linkwell/internal/config"
	"github.com/linkwell/linkwell/internal/store"
)

// BenchmarkCaseloadNational measures the caseload page's server time on a generated
// national-scale database named by LINKWELL_BENCH_DB (see `linkwell demo --scale national`):
// LINKWELL_BENCH_DB=national.db go test ./internal/web -run '^$' -bench CaseloadNational
func BenchmarkCaseloadNational(b *testing.B) {
	path := os.Getenv("LINKWELL_BENCH_DB")
	if path == "" {
		b.Skip("set LINKWELL_BENCH_DB to a database made by `linkwell demo --scale national`")
	}
	db, err := store.Open(b.Context(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := New(NewDeps(config.Serve{MFA: config.MFAOptional, MaxBodyBytes: 1 << 20}, db, log, "bench"))
	if err != nil {
		b.Fatal(err)
	}
	ts := &testServer{Server: srv, DB: db}
	var reqs []*http.Request
	for i := range 20 {
		reqs = append(reqs, benchRequest(b, ts, "lw-"+pad3(i*7)+"-0@generated.linkwell", "/caseload"))
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			rec := httptest.NewRecorder()
			req := reqs[i%len(reqs)]
			srv.ServeHTTP(rec, req.Clone(req.Context()))
			if rec.Code != http.StatusOK {
				b.Errorf("status %d", rec.Code)
				return
			}
			i++
		}
	})
}

func pad3(n int) string {
	s := "00" + itoa(int64(n))
	return s[len(s)-3:]
}
