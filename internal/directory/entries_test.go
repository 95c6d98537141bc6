package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// checkEntries checks that every service the open feed lists has the list entry its stored
// record gives, and that no other service has one.
func checkEntries(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := t.Context()
	rows, err := db.Reader().Query(ctx, `SELECT s.name, s.internal_only, r.record, e.entry FROM dir_services s
		JOIN dir_service_records r ON r.service_pk = s.pk LEFT JOIN dir_service_entries e ON e.service_pk = s.pk`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, record string
		var internal bool
		var entry *string
		if err := rows.Scan(&name, &internal, &record, &entry); err != nil {
			t.Fatal(err)
		}
		s, err := decodeService(record)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case internal && entry != nil:
			t.Errorf("internal-only service %q has a list entry for the open feed: %s", name, *entry)
		case internal:
		case entry == nil:
			t.Errorf("service %q has no list entry", name)
		case *entry != string(listEntry(s)):
			t.Errorf("service %q has the entry %s, want %s", name, *entry, listEntry(s))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// feedPage is a page of the open feed as GET /oruk/services serves it (encoded, and kept while
// the directory stays as it was), decoded.
func feedPage(t *testing.T, d *Directory, f Filter, p Page) Results[Service] {
	t.Helper()
	type encoded struct {
		Total int
		Items []json.RawMessage
	}
	b, err := d.ServicesPage(t.Context(), f, p, func(res Results[json.RawMessage]) ([]byte, error) {
		return json.Marshal(encoded{Total: res.Total, Items: res.Items})
	})
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Total int
		Items []Service
	}
	if err := json.Unmarshal(b, &page); err != nil {
		t.Fatalf("the page %s: %v", b, err)
	}
	return Results[Service]{Total: page.Total, Items: page.Items, Page: p.normal()}
}

// checkFeedPages checks that the pages of the open feed built from the list entries are the
// pages ListServices builds from the records, for the whole feed and for a search.
func checkFeedPages(t *testing.T, db *store.DB, size int) {
	t.Helper()
	// Fresh directories: no page or list kept from before.
	entries, records := New(db), New(db)
	for _, f := range []Filter{{}, {Search: "walking"}, {OrganizationID: uid(900)}} {
		for number := 1; ; number++ {
			p := Page{Number: number, Size: size}
			want, err := records.ListServices(t.Context(), Public, f, p)
			if err != nil {
				t.Fatal(err)
			}
			got := feedPage(t, entries, f, p)
			wantJSON, _ := json.Marshal(want.Items)
			gotJSON, _ := json.Marshal(got.Items)
			if got.Total != want.Total || string(gotJSON) != string(wantJSON) {
				t.Errorf("%+v page %d: %d in all, %s; want %d, %s", f, number, got.Total, gotJSON, want.Total, wantJSON)
			}
			if number >= want.TotalPages() {
				break
			}
		}
	}
}

// The open feed's list entries are written with every service, say what the record says
// through imports, edits and a service becoming internal-only, and pages built from them are
// the pages built from the records.
func TestListEntriesFollowEveryWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		ctx := t.Context()
		for name, record := range exampleServices(t) {
			if r, err := d.Upsert(ctx, "oruk-examples", record); err != nil || r.Outcome == Rejected {
				t.Fatalf("%s: %s %v", name, r.Outcome, err)
			}
		}
		mustUpsert(t, d, feed, walk(), Created)
		var batch [][]byte
		for i := range 9 {
			name := fmt.Sprintf("Walking group %c", 'A'+i%4)
			if i%3 == 0 {
				name = fmt.Sprintf("Choir %d", i)
			}
			batch = append(batch, marshal(t, activity(i+20, name)))
		}
		if _, err := d.UpsertMany(ctx, feed, batch); err != nil {
			t.Fatal(err)
		}
		checkEntries(t, db)
		checkFeedPages(t, db, 3)

		l, err := d.Listing(ctx, uid(1))
		if err != nil {
			t.Fatal(err)
		}
		e := EditOf(l.Service)
		e.Name = "A walk by the river"
		if _, err := d.EditListing(ctx, grace, uid(1), l.Version, e); err != nil {
			t.Fatal(err)
		}
		mustUpsert(t, d, feed, activity(22, "Zumba", func(s *Service) { s.Description = "Dance fitness." }), Updated)
		mustUpsert(t, d, feed, activity(23, "Staff drop-in", func(s *Service) { s.InternalOnly = true }), Updated)
		checkEntries(t, db)
		checkFeedPages(t, db, 3)
		if got := feedPage(t, d, Filter{}, Page{Number: 1, Size: 3}); got.Items[1].Name != "A walk by the river" {
			t.Errorf("the feed's page 1 after the edit: %v, want the walk renamed in its place", names(got.Items))
		}
		for _, size := range []int{1, 4, 50} {
			checkFeedPages(t, db, size)
		}
	})
}

// A database whose services were stored before the entries were kept serves the same pages
// from their records, and FillListEntries then writes exactly the entries an import would.
func TestFillListEntriesWritesWhatAnImportWould(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		ctx := t.Context()
		for i := range 12 {
			mustUpsert(t, d, feed, activity(i+1, fmt.Sprintf("Walking group %02d", 12-i)), Created)
		}
		mustUpsert(t, d, feed, activity(40, "Staff drop-in", func(s *Service) { s.InternalOnly = true }), Created)
		written := map[int64]string{}
		rows, err := db.Reader().Query(ctx, `SELECT service_pk, entry FROM dir_service_entries`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var pk int64
			var entry string
			if err := rows.Scan(&pk, &entry); err != nil {
				t.Fatal(err)
			}
			written[pk] = entry
		}
		rows.Close()
		if len(written) != 12 {
			t.Fatalf("%d entries written for 12 public services", len(written))
		}

		// Some services lose their entries: in the middle of the feed's pages and at an edge.
		if _, err := db.Exec(ctx, `DELETE FROM dir_service_entries WHERE service_pk IN (SELECT pk FROM dir_services WHERE name IN (?, ?, ?))`,
			"Walking group 03", "Walking group 04", "Walking group 12"); err != nil {
			t.Fatal(err)
		}
		checkFeedPages(t, db, 4)
		checkFeedPages(t, db, 5)

		n, err := d.FillListEntries(ctx)
		if err != nil || n != 3 {
			t.Fatalf("FillListEntries wrote %d, %v; want the 3 missing", n, err)
		}
		for pk, want := range written {
			var got string
			if err := db.Reader().QueryRow(ctx, `SELECT entry FROM dir_service_entries WHERE service_pk = ?`, pk).Scan(&got); err != nil || got != want {
				t.Errorf("service %d's entry after filling: %s, %v; want %s", pk, got, err, want)
			}
		}
		checkEntries(t, db)
		if n, err := d.FillListEntries(ctx); err != nil || n != 0 {
			t.Errorf("a second fill wrote %d, %v; want none", n, err)
		}
	})
}

// A page of the whole feed is read as one range of the entries only when that range is the
// page: the pks it found are compared with the page's.
func TestFeedEntriesFallBackWhenTheRangeIsNotThePage(t *testing.T) {
	db := storetest.SQLite(t)
	d := New(db)
	for i := range 6 {
		mustUpsert(t, d, feed, activity(i+1, fmt.Sprintf("Walking group %d", i)), Created)
	}
	pks, err := queryColumn[int64](t.Context(), db.Reader(), `SELECT pk FROM dir_services ORDER BY pk`)
	if err != nil || len(pks) != 6 {
		t.Fatal(pks, err)
	}
	var buf []byte
	// Every other service: the range from the first is not these.
	page := []int64{pks[0], pks[2], pks[4]}
	var got []json.RawMessage
	err = db.ReadTx(t.Context(), func(c store.Conn) (err error) {
		got, err = feedEntries(t.Context(), c, page, &buf)
		return err
	})
	if err != nil || len(got) != 3 {
		t.Fatalf("%d entries, %v", len(got), err)
	}
	var serviceNames []string
	for _, entry := range got {
		var s Service
		if err := json.Unmarshal(entry, &s); err != nil {
			t.Fatal(err)
		}
		serviceNames = append(serviceNames, s.Name)
	}
	if want := []string{"Walking group 0", "Walking group 2", "Walking group 4"}; !slices.Equal(serviceNames, want) {
		t.Errorf("entries for every other service: %v, want %v", serviceNames, want)
	}
}

// On PostgreSQL a fill runs beside imports: it leaves a service an import is rewriting to the
// import, without waiting for it, and the import then writes its entry without a conflict.
func TestFillLeavesAServiceAnImportIsWritingToIt(t *testing.T) {
	db := storetest.Postgres(t)
	d := New(db)
	ctx := t.Context()
	for n := 1; n <= 3; n++ {
		mustUpsert(t, d, feed, activity(n, fmt.Sprintf("Group %d", n)), Created)
	}
	if _, err := db.Exec(ctx, `DELETE FROM dir_service_entries`); err != nil {
		t.Fatal(err)
	}
	holding, release, imported := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		imported <- d.write(ctx, func(c store.Conn) error {
			// What an import does when it rewrites a service: its row first, its entry after.
			if _, err := c.Exec(ctx, `UPDATE dir_services SET hash = hash WHERE id = ?`, uid(2)); err != nil {
				return err
			}
			close(holding)
			<-release
			_, err := c.Exec(ctx, `INSERT INTO dir_service_entries (service_pk, entry) SELECT pk, '{}' FROM dir_services WHERE id = ?`, uid(2))
			return err
		})
	}()
	<-holding
	fillCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	n, err := d.FillListEntries(fillCtx)
	close(release)
	if err != nil || n != 2 {
		t.Errorf("beside an import, the fill wrote %d entries, %v; want the 2 services the import is not writing, at once", n, err)
	}
	if err := <-imported; err != nil {
		t.Errorf("the import beside the fill: %v", err)
	}
}
