package directory

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/store/storetest"
)

// BenchmarkSearch loads a generated directory into SQLite and times the searches the ORUK API
// and practitioners make. LINKWELL_DIRECTORY_SERVICES sets its size (default 20,000; the
// national figure is 150,000):
//
//	LINKWELL_DIRECTORY_SERVICES=150000 go test -run '^$' -bench Search -benchtime 2000x ./internal/directory/
func BenchmarkSearch(b *testing.B) {
	n := 20_000
	if v, err := strconv.Atoi(os.Getenv("LINKWELL_DIRECTORY_SERVICES")); err == nil && v > 0 {
		n = v
	}
	d := New(storetest.SQLite(b))
	start := time.Now()
	loadGenerated(b, d, n)
	b.Logf("loaded %d services in %v (%.0f a second)", n, time.Since(start).Round(time.Millisecond), float64(n)/time.Since(start).Seconds())
	near := &Near{Latitude: 53.48, Longitude: -2.24, Radius: 5_000} // Manchester
	for _, bb := range []struct {
		name string
		run  func() error
	}{
		{"words", func() error {
			_, err := d.ListServices(b.Context(), Public, Filter{Search: "walking group"}, Page{})
			return err
		}},
		{"words and distance", func() error {
			_, err := d.ListServiceAtLocations(b.Context(), Public, Filter{Search: "walking"}, near, Page{Size: 20})
			return err
		}},
		{"distance, any radius", func() error {
			_, err := d.ListServiceAtLocations(b.Context(), Public, Filter{}, &Near{Latitude: 53.48, Longitude: -2.24}, Page{Size: 20})
			return err
		}},
		{"page of services", func() error { _, err := d.ListServices(b.Context(), Public, Filter{}, Page{Number: 40}); return err }},
		{"category and day", func() error {
			_, err := d.ListServices(b.Context(), Public, Filter{TaxonomyTermID: uid(3), Day: "WE"}, Page{})
			return err
		}},
	} {
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				if err := bb.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

var generatedWords = []string{"walking", "group", "gardening", "choir", "befriending", "art", "yoga", "money", "advice",
	"carers", "peer", "support", "coffee", "morning", "digital", "skills", "bereavement", "football", "swimming", "craft"}

// loadGenerated stores n generated services, in batches.
func loadGenerated(b *testing.B, d *Directory, n int) {
	b.Helper()
	var batch [][]byte
	store := func() {
		results, err := d.UpsertMany(b.Context(), feed, batch)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range results {
			if r.Err != nil {
				b.Fatalf("generated service %s: %v", r.ID, r.Err)
			}
		}
		batch = batch[:0]
	}
	generate(b, n, func(rec []byte) {
		if batch = append(batch, rec); len(batch) == 500 {
			store()
		}
	})
	if len(batch) > 0 {
		store()
	}
}

// generate makes n services spread around ten English cities and passes each record to put.
func generate(b *testing.B, n int, put func([]byte)) {
	b.Helper()
	cities := [][2]float64{{51.51, -0.13}, {53.48, -2.24}, {52.49, -1.89}, {53.80, -1.55}, {51.45, -2.59},
		{54.97, -1.61}, {53.38, -1.47}, {52.95, -1.15}, {50.72, -1.88}, {52.63, 1.30}}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range n {
		city := cities[i%len(cities)]
		w := func() string { return generatedWords[rng.IntN(len(generatedWords))] }
		term := 1 + rng.IntN(15)
		s := activity(10_000+i*10, fmt.Sprintf("%s %s %d", w(), w(), i),
			at(city[0]+rng.NormFloat64()*0.1, city[1]+rng.NormFloat64()*0.15),
			ages(ptr(float64(rng.IntN(3)*16)), nil),
			runs(10_000+i*10+1, string(weekdays[rng.IntN(7)]), "10:00", "12:00"),
			classified(10_000+i*10+2, term, 100+term%3, "Category "+strconv.Itoa(term)),
			func(s *Service) {
				s.Description = fmt.Sprintf("A %s %s for %s people near %s.", w(), w(), w(), w())
				s.ServiceAtLocations[0].Location.Addresses[0].ID = uid(10_000 + i*10 + 3)
			})
		s.ServiceAtLocations[0].ID, s.ServiceAtLocations[0].Location.ID = uid(10_000+i*10+4), uid(10_000+i*10+5)
		put(marshal(b, s))
	}
}
