package audit_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// TestBatcherCommitsEveryEntryInOneChain: many readers recording at once each get their entry
// committed before Record returns, and the chain stays whole.
func TestBatcherCommitsEveryEntryInOneChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		b := audit.NewBatcher(db)
		const n = 60
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- b.Record(audit.Actor{UserID: int64(i + 1), Label: "u", Address: "10.0.0.1"},
					audit.Event{Action: "fhir.search", RecordType: "referral", Detail: fmt.Sprintf("poll=%d", i)})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		got, err := audit.Verify(context.Background(), db)
		if err != nil || got != n {
			t.Errorf("Verify = %d, %v; want %d entries intact", got, err, n)
		}
		page, err := audit.List(context.Background(), db, audit.Filter{Action: "fhir.search"})
		if err != nil || page.Total != n {
			t.Errorf("listed %d entries (%v), want %d", page.Total, err, n)
		}
	})
}
