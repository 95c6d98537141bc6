package audit_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func record(t *testing.T, db *store.DB, actor audit.Actor, ev audit.Event) {
	t.Helper()
	if err := db.Tx(t.Context(), func(c store.Conn) error { return audit.Record(t.Context(), c, actor, ev) }); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentAppendsFormOneChain: writers on many connections (PostgreSQL) must still
// produce one unbroken line of entries.
func TestConcurrentAppendsFormOneChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.Tx(context.Background(), func(c store.Conn) error {
					return audit.Record(context.Background(), c, audit.Actor{UserID: int64(i + 1), Label: "u", Address: "10.0.0.1"},
						audit.Event{Action: "user.update", RecordType: "user", RecordID: fmt.Sprint(i)})
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		n, err := audit.Verify(t.Context(), db)
		if err != nil || n != 40 {
			t.Errorf("Verify = %d, %v; want 40 entries intact", n, err)
		}
	})
}

// TestAuditEntryRollsBackWithItsChange: an entry in a failed transaction leaves no trace, and
// the chain stays whole.
func TestAuditEntryRollsBackWithItsChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		record(t, db, audit.System, audit.Event{Action: "organisation.create", RecordType: "organisation", RecordID: "1"})
		boom := errors.New("the change failed")
		err := db.Tx(t.Context(), func(c store.Conn) error {
			if err := audit.Record(t.Context(), c, audit.System, audit.Event{Action: "organisation.update", RecordType: "organisation", RecordID: "1"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx = %v", err)
		}
		record(t, db, audit.System, audit.Event{Action: "organisation.update", RecordType: "organisation", RecordID: "1"})
		if n, err := audit.Verify(t.Context(), db); err != nil || n != 2 {
			t.Errorf("Verify = %d, %v; want 2 entries intact", n, err)
		}
	})
}

func TestListFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		alice := audit.Actor{UserID: 1, Label: "alice", Address: "10.0.0.1"}
		bob := audit.Actor{UserID: 2, Label: "bob", Address: "10.0.0.2"}
		before := time.Now().Add(-time.Second)
		for i := range 5 {
			record(t, db, alice, audit.Event{Action: "signin", RecordType: "user", RecordID: "1"})
			record(t, db, bob, audit.Event{Action: "user.update", RecordType: "user", RecordID: fmt.Sprint(10 + i), Detail: "roles=link_worker"})
		}
		cases := []struct {
			name string
			f    audit.Filter
			want int
		}{
			{"everything", audit.Filter{}, 10},
			{"by actor", audit.Filter{ActorID: 2}, 5},
			{"by action", audit.Filter{Action: "signin"}, 5},
			{"by record", audit.Filter{RecordType: "user", RecordID: "12"}, 1},
			{"from before", audit.Filter{From: before}, 10},
			{"until before", audit.Filter{To: before}, 0},
		}
		for _, c := range cases {
			p, err := audit.List(t.Context(), db, c.f)
			if err != nil || p.Total != c.want || len(p.Entries) != c.want {
				t.Errorf("%s: total %d, %d entries, %v; want %d", c.name, p.Total, len(p.Entries), err, c.want)
			}
		}
		p, err := audit.List(t.Context(), db, audit.Filter{PerPage: 3, Page: 2})
		if err != nil || p.Pages != 4 || len(p.Entries) != 3 || p.Entries[0].Seq != 7 {
			t.Errorf("page 2 of 3 per page: %+v, %v; want entries 7, 6, 5 of 4 pages", p, err)
		}
		actions, err := audit.Actions(t.Context(), db)
		if err != nil || len(actions) != 2 || actions[0] != "signin" {
			t.Errorf("Actions = %v, %v", actions, err)
		}
	})
}
