package directory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// A page of a search read from a kept list is what the database says now: a change to the
// directory between two requests shows in the next page, whichever writer made it.
func TestAWriteBetweenTwoPagesChangesTheNextAnswer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		ctx := t.Context()
		for i, name := range []string{"Walking group", "Walking football", "Nordic walking"} {
			mustUpsert(t, d, feed, activity(i+2, name), Created)
		}
		page := func(f Filter, number int) Results[Service] {
			t.Helper()
			res, err := d.ListServices(ctx, Public, f, Page{Number: number, Size: 2})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		walking := Filter{Search: "walking"}
		if res := page(walking, 1); res.Total != 3 || len(res.Items) != 2 {
			t.Fatalf("first page: %d of %d, want 2 of 3", len(res.Items), res.Total)
		}
		if lists, _ := d.lists.held(); lists != 1 {
			t.Fatalf("the cache holds %d lists after one search, want 1", lists)
		}

		netball := walk() // a listing a provider may edit
		netball.Name = "Walking netball"
		netball.ServiceAtLocations[0].Location.Name = "Riverside hall"
		mustUpsert(t, d, feed, netball, Created) // an import
		res := page(walking, 2)
		if res.Total != 4 || len(res.Items) != 2 {
			t.Errorf("page 2 after a new walking service: %v of %d, want 2 of 4", names(res.Items), res.Total)
		}

		l, err := d.Listing(ctx, uid(1))
		if err != nil {
			t.Fatal(err)
		}
		e := EditOf(l.Service)
		e.Name = "Netball for all"
		if _, err := d.EditListing(ctx, grace, uid(1), l.Version, e); err != nil { // a provider's edit
			t.Fatal(err)
		}
		// The open feed is in the order services were stored: the rename shows where it was.
		if res := page(Filter{}, 2); res.Total != 4 || strings.Join(names(res.Items), ",") != "Nordic walking,Netball for all" {
			t.Errorf("page 2 of the feed after the rename: %v of %d, want the new name in its place", names(res.Items), res.Total)
		}
		if res := page(walking, 2); res.Total != 3 || len(res.Items) != 1 {
			t.Errorf("page 2 of walking after the rename: %v of %d, want 1 of 3", names(res.Items), res.Total)
		}
	})
}

// Every change to the directory counts a new generation, so that no kept list outlives it.
func TestEveryDirectoryWriteCountsANewGeneration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		ctx := t.Context()
		last := int64(-1)
		step := func(what string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			var n int64
			if err := db.ReadTx(ctx, func(c store.Conn) error { n, err = generation(ctx, c); return err }); err != nil {
				t.Fatal(err)
			}
			if n <= last {
				t.Errorf("after %s the generation is %d, want more than %d", what, n, last)
			}
			last = n
		}
		step("nothing", nil)
		_, err := d.Upsert(ctx, feed, marshal(t, activity(1, "Walking group")))
		step("Upsert", err)
		_, err = d.UpsertMany(ctx, feed, [][]byte{marshal(t, activity(2, "Choir")), []byte(`{"id":`)})
		step("UpsertMany", err)
		_, err = d.UpsertTaxonomy(ctx, feed, Taxonomy{ID: uid(40), Name: "Activities", Description: "What people do."})
		step("UpsertTaxonomy", err)
		l, err := d.Listing(ctx, uid(1))
		if err != nil {
			t.Fatal(err)
		}
		_, err = d.Verify(ctx, grace, uid(1), l.Version)
		step("Verify", err)
		step("ReportInaccuracy", d.ReportInaccuracy(ctx, uid(2), Reporter{Actor: audit.System, Name: "Tom Bennett"}, "It moved"))
		reports, err := d.Reports(ctx, uid(2))
		if err != nil || len(reports) != 1 {
			t.Fatalf("reports: %v, %v", reports, err)
		}
		step("ResolveReport", d.ResolveReport(ctx, grace, reports[0].ID, ReportFixed))
	})
}

// Pages read from a kept list are the pages the database gives for the same search.
func TestKeptListsGiveTheSamePagesAsTheDatabase(t *testing.T) {
	db := storetest.SQLite(t)
	d := New(db)
	uncached := &Directory{db: db, lists: newListCache(0)}
	for i := range 23 {
		mustUpsert(t, d, feed, activity(i+1, fmt.Sprintf("Walking group %c", 'A'+i%7)), Created)
	}
	for _, f := range []Filter{{}, {Search: "walking"}, {Search: "group"}} {
		for number := 1; number <= 6; number++ {
			p := Page{Number: number, Size: 5}
			want, err := uncached.ListServices(t.Context(), Public, f, p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := d.ListServices(t.Context(), Public, f, p)
			if err != nil {
				t.Fatal(err)
			}
			if got.Total != want.Total || !slices.Equal(ids(got.Items), ids(want.Items)) {
				t.Errorf("%+v page %d: %v of %d from the kept list, want %v of %d", f, number, ids(got.Items), got.Total, ids(want.Items), want.Total)
			}
		}
	}
	if lists, _ := uncached.lists.held(); lists != 0 {
		t.Errorf("a cache of no pks holds %d lists", lists)
	}
}

func ids(items []Service) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = s.ID
	}
	return out
}

// The cache holds no more pks than its limit, dropping the least recently used lists first,
// refuses a list longer than half of it, and gives nothing for an older generation.
func TestTheListCacheIsBounded(t *testing.T) {
	lc := newListCache(12)
	three := []int64{1, 2, 3}
	lc.put("a", 1, three)
	lc.put("b", 1, three)
	lc.put("c", 1, three)
	if _, ok := lc.get("a", 1); !ok { // a is now the most recently used
		t.Fatal("a is not kept")
	}
	lc.put("d", 1, three)
	lc.put("e", 1, three) // over 12: b, the least recently used, goes
	if lists, pks := lc.held(); lists != 4 || pks != 12 {
		t.Errorf("the cache holds %d lists of %d pks, want 4 of 12", lists, pks)
	}
	if _, ok := lc.get("b", 1); ok {
		t.Error("b, the least recently used, is still kept")
	}
	if _, ok := lc.get("a", 1); !ok {
		t.Error("a, used since, was dropped")
	}
	lc.put("big", 1, []int64{1, 2, 3, 4, 5, 6, 7})
	if _, ok := lc.get("big", 1); ok {
		t.Error("a list longer than half of the cache was kept")
	}
	if _, ok := lc.get("a", 2); ok {
		t.Error("a list of generation 1 was given for generation 2")
	}
	lc.put("a", 2, []int64{9})
	lc.put("a", 1, three) // a slow reader's older list does not replace a newer one
	if got, ok := lc.get("a", 2); !ok || !slices.Equal(got, []int64{9}) {
		t.Errorf("a at generation 2: %v, %v; want [9]", got, ok)
	}
	if lists, pks := lc.held(); lists != 4 || pks != 10 {
		t.Errorf("after replacing a the cache holds %d lists of %d pks, want 4 of 10", lists, pks)
	}
}

// A page of the open feed is encoded once while the directory stays as it was, and encoded
// afresh after any change.
func TestServicesPageIsKeptUntilTheDirectoryChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		mustUpsert(t, d, feed, activity(1, "Walking group"), Created)
		encoded := 0
		page := func() string {
			t.Helper()
			b, err := d.ServicesPage(t.Context(), Filter{}, Page{Number: 1, Size: 10}, func(res Results[json.RawMessage]) ([]byte, error) {
				encoded++
				var names []string
				for _, entry := range res.Items {
					var s Service
					if err := json.Unmarshal(entry, &s); err != nil {
						return nil, err
					}
					names = append(names, s.Name)
				}
				return []byte(strings.Join(names, ",")), nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		if got := page() + "|" + page(); got != "Walking group|Walking group" || encoded != 1 {
			t.Errorf("two reads gave %q and encoded %d times, want the same page encoded once", got, encoded)
		}
		mustUpsert(t, d, feed, activity(2, "Choir"), Created)
		if got := page(); got != "Walking group,Choir" || encoded != 2 {
			t.Errorf("after a new service the page is %q (encoded %d times), want it read again with the choir", got, encoded)
		}
	})
}

// Pages of the open feed are read one per CPU at a time; the rest wait their turn, and one
// whose request ends while it waits gives up without reading.
func TestServicesPagesWaitTheirTurn(t *testing.T) {
	db := storetest.SQLite(t)
	d := New(db)
	mustUpsert(t, d, feed, activity(1, "Walking group"), Created)
	encode := func(res Results[json.RawMessage]) ([]byte, error) { return []byte(fmt.Sprint(res.Total)), nil }
	for range cap(d.turns) { // every turn taken, as by pages being read
		d.turns <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if b, err := d.ServicesPage(ctx, Filter{}, Page{}, encode); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("with every turn taken a page came back: %q, %v; want it to wait until its request ended", b, err)
	}
	done := make(chan string)
	go func() {
		b, err := d.ServicesPage(t.Context(), Filter{}, Page{}, encode)
		done <- fmt.Sprint(string(b), err)
	}()
	select {
	case got := <-done:
		t.Fatalf("a page was read with every turn taken: %s", got)
	case <-time.After(20 * time.Millisecond):
	}
	<-d.turns // one page finishes
	if got := <-done; got != "1<nil>" {
		t.Errorf("the waiting page: %s, want the one service", got)
	}
	// That page is now kept: it is served with every turn taken.
	d.turns <- struct{}{}
	ctx, cancel = context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if b, err := d.ServicesPage(ctx, Filter{}, Page{}, encode); string(b) != "1" || err != nil {
		t.Errorf("the kept page with every turn taken: %q, %v; want it at once", b, err)
	}
}

// A page of the open feed read in one statement, from a kept list or a kept page, stands only
// if the directory is still at the generation it was kept for: a change by another process
// (another Directory over the same database) shows in the next page, whichever was kept.
func TestAPageReadInOneStatementSeesAnotherProcessesChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d, other := New(db), New(db)
		ctx := t.Context()
		group := func(n int, opts ...func(*Service)) Service {
			return activity(n, fmt.Sprintf("Group %d", n), append(opts, func(s *Service) {
				s.Capacity, s.ReferralRoute = CapacityAccepting, RouteDropIn // what an edit must say
			})...)
		}
		for n := 1; n <= 6; n++ {
			mustUpsert(t, d, feed, group(n), Created)
		}
		page := func(number, size int) string {
			t.Helper()
			return strings.Join(names(feedPage(t, d, Filter{}, Page{Number: number, Size: size}).Items), ",")
		}
		rename := func(n int, name string) {
			t.Helper()
			l, err := other.Listing(ctx, uid(n))
			if err != nil {
				t.Fatal(err)
			}
			e := EditOf(l.Service)
			e.Name = name
			if _, err := other.EditListing(ctx, grace, uid(n), l.Version, e); err != nil {
				t.Fatal(err)
			}
		}
		for _, step := range []struct {
			rename, hide int // the services another process renames, or makes internal-only, first
			page, size   int
			want         string
		}{
			{0, 0, 1, 2, "Group 1,Group 2"}, // the list and the page are kept
			{0, 0, 2, 2, "Group 3,Group 4"}, // from the kept list
			{5, 0, 3, 2, "Renamed 5,Group 6"},
			{3, 0, 2, 2, "Renamed 3,Group 4"},
			{0, 0, 2, 2, "Renamed 3,Group 4"}, // the kept page
			{4, 0, 2, 2, "Renamed 3,Renamed 4"},
			{0, 0, 3, 2, "Renamed 5,Group 6"},
			{0, 2, 2, 3, "Renamed 5,Group 6"}, // the list kept is no longer the feed's
		} {
			if step.rename > 0 {
				rename(step.rename, fmt.Sprintf("Renamed %d", step.rename))
			}
			if step.hide > 0 {
				mustUpsert(t, other, feed, group(step.hide, func(s *Service) { s.InternalOnly = true }), Updated)
			}
			if got := page(step.page, step.size); got != step.want {
				t.Errorf("after step %+v, page %d of %d: %s, want %s", step, step.page, step.size, got, step.want)
			}
		}
	})
}
