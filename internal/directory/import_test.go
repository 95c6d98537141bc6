package directory

import (
	"context"
	"errors"
	"fmt"
	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// writeFiles writes files named in the map under a new folder and returns the folder.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "oruk-3.0", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestImportSavedFeedPrefersFullRecordsAndIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		dir := writeFiles(t, map[string]string{
			"a-page-1.json":  fixture(t, "service_list.json"),
			"b-service.json": fixture(t, "service_full.json"),
			"c-list.json":    "[" + string(marshal(t, activity(1, "Walking group"))) + "]",
		})
		sum, err := d.Import(t.Context(), "saved-feed", Files{dir}, ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Total != 2 || sum.Created != 2 || sum.Rejected != 0 {
			t.Fatalf("first import %+v, want 2 created", sum)
		}
		full, err := d.GetService(t.Context(), Practitioners, "ac148810-d857-441c-9679-408f346de14b")
		if err != nil || len(full.ServiceAtLocations) == 0 {
			t.Fatalf("the listed service was stored without the full record's nesting: %+v %v", full, err)
		}
		sum, err = d.Import(t.Context(), "saved-feed", Files{dir}, ImportOptions{})
		if err != nil || sum.Unchanged != 2 || sum.Created+sum.Updated+sum.Rejected != 0 {
			t.Fatalf("second import %+v %v, want all unchanged", sum, err)
		}
		var entries int
		db.Reader().QueryRow(t.Context(), `SELECT COUNT(*) FROM audit_log WHERE action = 'directory.import' AND record_id = 'saved-feed'`).Scan(&entries)
		if entries != 2 {
			t.Errorf("%d audit entries for two runs, want 2", entries)
		}
	})
}

func TestImportRejectsBadRecordsAndKeepsTheRest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		good := activity(1, "Walking group")
		wrongType := strings.Replace(string(marshal(t, activity(2, "Choir"))), `"name":"Choir"`, `"name":42`, 1)
		badUUID := activity(3, "Yoga")
		badUUID.ID = "not-a-uuid"
		unknownTerm := activity(4, "Art club", func(s *Service) {
			s.Attributes = []Attribute{{ID: uid(40), TaxonomyTermID: uid(41)}}
		})
		huge := activity(5, "Gardening", func(s *Service) { s.Description = strings.Repeat("x", MaxRecordBytes) })
		dir := writeFiles(t, map[string]string{
			"1.json": string(marshal(t, good)),
			"2.json": wrongType,
			"3.json": string(marshal(t, badUUID)),
			"4.json": string(marshal(t, unknownTerm)),
			"5.json": string(marshal(t, huge)),
			"6.json": `{"id": "` + uid(6) + `", "name": "Cut sh`,
		})
		before := rowCounts(t, db)
		sum, err := d.Import(t.Context(), "saved-feed", Files{dir}, ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Created != 1 || sum.Rejected != 5 || sum.Done != 6 {
			t.Fatalf("summary %+v, want 1 created and 5 rejected", sum)
		}
		want := []string{
			uid(2) + ": There is a problem: name must be text, not number",
			"not-a-uuid: There is a problem: id ",
			uid(4) + ": There is a problem: attributes[0].taxonomy_term_id is not a known taxonomy term",
			uid(5) + ": record is ",
			"6.json: record is cut short",
		}
		var got []string
		for _, r := range sum.Rejections {
			got = append(got, r.String())
		}
		for _, w := range want {
			if !strings.Contains(strings.Join(got, "\n"), w) {
				t.Errorf("rejections %q, want one saying %q", got, w)
			}
		}
		after := rowCounts(t, db)
		if after["dir_services"] != before["dir_services"]+1 || after["dir_attributes"] != before["dir_attributes"] {
			t.Errorf("rows before %v, after %v: want only the good service written", before, after)
		}
	})
}

func TestImportTabularPackageNestsEachService(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		d := New(db)
		pkg := Package(filepath.Join("testdata", "hsds-package"))
		sum, err := d.Import(t.Context(), "hsds-package", pkg, ImportOptions{})
		if err != nil || sum.Created != 2 || sum.Rejected != 0 {
			t.Fatalf("import %+v %v, want 2 created", sum, err)
		}
		s, err := d.GetService(t.Context(), Practitioners, "ac148810-d857-441c-9679-408f346de14b")
		if err != nil {
			t.Fatal(err)
		}
		want, _ := ParseService([]byte(fixture(t, "service_full.json")))
		if s.Organization == nil || s.Organization.Name != want.Organization.Name || len(s.Schedules) != 1 ||
			len(s.ServiceAtLocations) != 1 || len(s.ServiceAtLocations[0].Location.Addresses) != 1 ||
			len(s.Attributes) != 1 || s.Attributes[0].TaxonomyTerm == nil || *s.MinimumAge != 12 ||
			len(s.CostOptions) != 1 || *s.CostOptions[0].Amount != 35 || len(s.Contacts) != 1 {
			t.Errorf("assembled service %+v, want it nested as the ORUK example", s)
		}
		if sum, err := d.Import(t.Context(), "hsds-package", pkg, ImportOptions{}); err != nil || sum.Unchanged != 2 {
			t.Errorf("second import %+v %v, want both unchanged", sum, err)
		}
	})
}

func TestJobsRunInTheBackgroundAndKeepTheirProgress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		jobs := NewJobs(t.Context(), New(db))
		bad := activity(2, "Choir")
		bad.ID = "not-a-uuid"
		dir := writeFiles(t, map[string]string{"1.json": string(marshal(t, activity(1, "Walking group"))), "2.json": string(marshal(t, bad))})
		id, err := jobs.Start(t.Context(), audit.System, "saved-feed", func(context.Context) (Source, error) { return Files{dir}, nil })
		if err != nil {
			t.Fatal(err)
		}
		failed, err := jobs.Start(t.Context(), audit.System, "elsewhere", func(context.Context) (Source, error) {
			return nil, errors.New("no such feed")
		})
		if err != nil {
			t.Fatal(err)
		}
		jobs.Wait()
		job, err := jobs.Progress(t.Context(), id)
		if err != nil || job.State != JobDone || job.Summary.Total != 2 || job.Summary.Done != 2 || job.Summary.Created != 1 ||
			job.Summary.Rejected != 1 || job.Summary.Rejections[0].ID != "not-a-uuid" || job.FinishedAt == nil {
			t.Errorf("job %+v %v, want done with 1 created and 1 rejected", job, err)
		}
		if job, err := jobs.Progress(t.Context(), failed); err != nil || job.State != JobFailed || job.Failure != "no such feed" {
			t.Errorf("failed job %+v %v", job, err)
		}
		if _, err := jobs.Progress(t.Context(), 999); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("unknown job: %v, want not found", err)
		}
	})
}

// slowSource sends its records one at a time, moving the clock on between them as a live
// feed that answers slowly would.
type slowSource struct {
	records [][]byte
	clock   *time.Time
}

func (s slowSource) Read(ctx context.Context, r Receiver) error {
	r.Expect(len(s.records))
	for _, b := range s.records {
		*s.clock = s.clock.Add(ImportFlushEvery)
		if err := r.Receive(ctx, Record{JSON: b}); err != nil {
			return err
		}
	}
	return nil
}

// A slow source's records are stored as they come, a few seconds apart, not held back for a
// whole batch, so that its progress shows and what it has read is kept.
func TestASlowImportStoresWhatItHasEveryFewSeconds(t *testing.T) {
	db := storetest.SQLite(t)
	clock := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	src := slowSource{records: [][]byte{marshal(t, activity(1, "Walking group")), marshal(t, activity(2, "Choir")),
		marshal(t, activity(3, "Art club"))}, clock: &clock}
	var seen []int
	_, err := New(db).Import(t.Context(), feed, src, ImportOptions{Now: func() time.Time { return clock },
		Progress: func(s Summary) { seen = append(seen, s.Done) }})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(seen) != "[0 1 2 3]" {
		t.Errorf("progress after each record of a slow source: %v, want [0 1 2 3]", seen)
	}
}
