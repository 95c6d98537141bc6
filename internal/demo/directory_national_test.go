package demo

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/directory"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// The national directory generator makes the same valid services every time, spread over its
// towns in every category, each importing on its own.
func TestNationalDirectoryIsRepeatableAndImportsWhole(t *testing.T) {
	const n = 400
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	var first, second [][]byte
	for _, into := range []*[][]byte{&first, &second} {
		if err := NationalDirectory(t.Context(), n, now, func(b []byte) error { *into = append(*into, b); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if len(first) != n || !bytes.Equal(bytes.Join(first, nil), bytes.Join(second, nil)) {
		t.Fatalf("%d services, the same both times: %v", len(first), bytes.Equal(bytes.Join(first, nil), bytes.Join(second, nil)))
	}
	db := storetest.SQLite(t)
	d := directory.New(db)
	results, err := d.UpsertMany(t.Context(), NationalDirectorySource, first)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Outcome != directory.Created {
			t.Fatalf("generated service %s: %s %v", r.ID, r.Outcome, r.Err)
		}
	}
	for i, c := range categories {
		res, err := d.ListServices(t.Context(), directory.Public, directory.Filter{TaxonomyTermID: demoUUID(kindTerm, i)}, directory.Page{Size: 1})
		if err != nil || res.Total < n/len(categories)/3 {
			t.Errorf("%s has %d services (%v)", c.name, res.Total, err)
		}
	}
	for _, at := range NationalDirectoryCentres() {
		res, err := d.ListServiceAtLocations(t.Context(), directory.Public, directory.Filter{}, &directory.Near{Latitude: at[0], Longitude: at[1], Radius: 30_000}, directory.Page{Size: 1})
		if err != nil || res.Total < n/len(towns)/2 {
			t.Errorf("near %v: %d services (%v), want most of the town's %d", at, res.Total, err, n/len(towns))
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := NationalDirectory(ctx, 5000, now, func([]byte) error { return nil }); err == nil {
		t.Error("a cancelled generation carried on")
	}
}
