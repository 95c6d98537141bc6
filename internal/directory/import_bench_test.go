package directory

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/store/storetest"
)

// memorySource sends records held in memory, to time the import alone.
type memorySource [][]byte

func (m memorySource) Read(ctx context.Context, r Receiver) error {
	r.Expect(len(m))
	for _, b := range m {
		if err := r.Receive(ctx, Record{JSON: b}); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkImport times Import of LINKWELL_DIRECTORY_SERVICES generated services (default
// 20,000) into an empty SQLite directory, then again unchanged:
//
//	LINKWELL_DIRECTORY_SERVICES=150000 go test -run '^$' -bench Import -benchtime 1x ./internal/directory/
func BenchmarkImport(b *testing.B) {
	n := 20_000
	if v, err := strconv.Atoi(os.Getenv("LINKWELL_DIRECTORY_SERVICES")); err == nil && v > 0 {
		n = v
	}
	var records memorySource
	generate(b, n, func(rec []byte) { records = append(records, rec) })
	for b.Loop() {
		d := New(storetest.SQLite(b))
		for _, pass := range []string{"new", "unchanged"} {
			start := time.Now()
			sum, err := d.Import(b.Context(), feed, records, ImportOptions{})
			if err != nil || sum.Rejected > 0 {
				b.Fatalf("import: %v, %+v", err, sum.Rejections)
			}
			b.Logf("%s: %d services in %v (%.0f a second)", pass, n, time.Since(start).Round(time.Millisecond), float64(n)/time.Since(start).Seconds())
		}
	}
}
