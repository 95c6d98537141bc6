package directory_test

import (
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/demo"
	"github.com/linkwell/linkwell/internal/directory"
	"github.com/linkwell/linkwell/internal/store"
)

// searchWords are what practitioners type: single words and pairs from the generated
// directory's activities, from common (walking) to rare (pottery).
var searchWords = []string{"walking", "choir", "garden", "befriending", "yoga", "debt", "benefits", "carers", "bereavement",
	"digital", "art", "football", "lunch club", "peer support", "housing advice", "pottery", "men's shed", "job club",
	"english conversation", "knit", "green gym", "chair exercise", "tablet", "budgeting", "young carers"}

// BenchmarkSearchNational times the practitioners' search by words and distance, as the
// server runs it, on a copy of a database holding the national directory, and reports the
// 50th, 90th and 99th percentiles of single searches. Each search is random words near a
// random one of the generated towns, within 5 miles, first page of 20:
//
//	linkwell migrate --db dir.db && linkwell demo --directory 150000 --db dir.db
//	LINKWELL_BENCH_DIRECTORY_DB=dir.db go test ./internal/directory -run '^$' -bench SearchNational -benchtime 3000x
func BenchmarkSearchNational(b *testing.B) {
	path := os.Getenv("LINKWELL_BENCH_DIRECTORY_DB")
	if path == "" {
		b.Skip("set LINKWELL_BENCH_DIRECTORY_DB to a database holding the generated national directory")
	}
	db, err := store.Open(b.Context(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	d := directory.New(db)
	centres := demo.NationalDirectoryCentres()
	const fiveMiles = 5 * 1609.344
	for _, bb := range []struct {
		name   string
		filter func(*rand.Rand) directory.Filter
		radius float64
	}{
		{"words and distance", func(r *rand.Rand) directory.Filter {
			return directory.Filter{Search: searchWords[r.IntN(len(searchWords))]}
		}, fiveMiles},
		{"distance only", func(*rand.Rand) directory.Filter { return directory.Filter{} }, fiveMiles},
		{"words and nearest, any distance", func(r *rand.Rand) directory.Filter {
			return directory.Filter{Search: searchWords[r.IntN(len(searchWords))]}
		}, 0},
		{"words, distance, day and free", func(r *rand.Rand) directory.Filter {
			return directory.Filter{Search: searchWords[r.IntN(len(searchWords))], Day: "WE", LowCost: true}
		}, fiveMiles},
	} {
		b.Run(bb.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(7, 7))
			var took []time.Duration
			found := 0
			for b.Loop() {
				c := centres[rng.IntN(len(centres))]
				near := &directory.Near{Latitude: c[0] + rng.NormFloat64()*0.03, Longitude: c[1] + rng.NormFloat64()*0.05, Radius: bb.radius}
				f := bb.filter(rng)
				start := time.Now()
				res, err := d.ListServiceAtLocations(b.Context(), directory.Practitioners, f, near, directory.Page{Size: 20})
				took = append(took, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
				found += res.Total
			}
			slices.Sort(took)
			at := func(q float64) float64 { return float64(took[int(q*float64(len(took)-1))].Microseconds()) / 1000 }
			b.ReportMetric(at(0.50), "p50-ms")
			b.ReportMetric(at(0.90), "p90-ms")
			b.ReportMetric(at(0.99), "p99-ms")
			b.ReportMetric(float64(found)/float64(len(took)), "found/op")
		})
	}
}
