package directory_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/demo"
	"github.com/linkwell/linkwell/internal/directory"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// records sends generated records held in memory, to time the import alone.
type records [][]byte

func (m records) Read(ctx context.Context, r directory.Receiver) error {
	r.Expect(len(m))
	for _, b := range m {
		if err := r.Receive(ctx, directory.Record{JSON: b}); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkImportNational times Import of LINKWELL_DIRECTORY_SERVICES services from the
// national directory generator (default 20,000; DESIGN §6 is 150,000) into an empty SQLite
// directory, then the same again unchanged, and reports services a second:
//
//	LINKWELL_DIRECTORY_SERVICES=150000 go test -run '^$' -bench ImportNational -benchtime 1x ./internal/directory/
func BenchmarkImportNational(b *testing.B) {
	n := 20_000
	if v, err := strconv.Atoi(os.Getenv("LINKWELL_DIRECTORY_SERVICES")); err == nil && v > 0 {
		n = v
	}
	var recs records
	if err := demo.NationalDirectory(b.Context(), n, time.Now(), func(r []byte) error { recs = append(recs, r); return nil }); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		d := directory.New(storetest.SQLite(b))
		for _, pass := range []string{"new", "unchanged"} {
			start := time.Now()
			sum, err := d.Import(b.Context(), demo.NationalDirectorySource, recs, directory.ImportOptions{})
			took := time.Since(start)
			if err != nil || sum.Rejected > 0 {
				b.Fatalf("import: %v, %+v", err, sum.Rejections)
			}
			b.ReportMetric(float64(n)/took.Seconds(), pass+"-services/s")
			b.Logf("%s: %d services in %v (%.0f a second)", pass, n, took.Round(time.Millisecond), float64(n)/took.Seconds())
		}
	}
}
