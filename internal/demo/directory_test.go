package demo

import (
	"bytes"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/directory"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestDemoDirectoryHasAboutThreeHundredServicesAroundTheDemoPostcodes(t *testing.T) {
	ctx := t.Context()
	db := storetest.SQLite(t)
	d := directory.New(db)
	if err := LoadDirectoryWithPostcodes(ctx, db, d); err != nil {
		t.Fatal(err)
	}
	all, err := d.ListServices(ctx, directory.Practitioners, directory.Filter{}, directory.Page{Size: 1})
	if err != nil || all.Total != DirectoryServiceCount {
		t.Fatalf("services = %d (%v), want %d", all.Total, err, DirectoryServiceCount)
	}
	for i, c := range categories {
		res, err := d.ListServices(ctx, directory.Practitioners, directory.Filter{TaxonomyTermID: demoUUID(kindTerm, i)}, directory.Page{Size: 1})
		if err != nil || res.Total < 15 {
			t.Errorf("%s has %d services (%v), want at least 15", c.name, res.Total, err)
		}
	}
	// Every service is within 10 km of the city centre, and some within 1 km.
	near := &directory.Near{Latitude: 57.1452, Longitude: -2.0990, Radius: 10_000}
	sals, err := d.ListServiceAtLocations(ctx, directory.Practitioners, directory.Filter{}, near, directory.Page{Size: 500})
	if err != nil || sals.Total != DirectoryServiceCount {
		t.Errorf("within 10 km: %d (%v)", sals.Total, err)
	}
	if len(sals.Items) == 0 || *sals.Items[0].Distance > 1000 {
		t.Errorf("nearest to the city centre is not within 1 km")
	}
	// A mix of freshness, costs and capacity.
	queue, err := d.FreshnessQueue(ctx, time.Now(), directory.Page{Size: 1})
	if err != nil || queue.Total < 30 || queue.Total > 150 {
		t.Errorf("stale listings = %d (%v), want a mix", queue.Total, err)
	}
	low, _ := d.ListServices(ctx, directory.Practitioners, directory.Filter{LowCost: true}, directory.Page{Size: 1})
	full, _ := d.ListServices(ctx, directory.Practitioners, directory.Filter{Capacity: directory.CapacityFull}, directory.Page{Size: 1})
	if low.Total == 0 || low.Total == all.Total || full.Total == 0 {
		t.Errorf("low cost %d, full %d of %d: want some of each and not all", low.Total, full.Total, all.Total)
	}
}

func TestDemoDirectoryIsTheSameEachTime(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a, err := DirectoryRecords(now)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := DirectoryRecords(now)
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			t.Fatalf("record %d differs between two runs", i)
		}
	}
}
