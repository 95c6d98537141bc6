package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/linkwell/linkwell/internal/account"
	"github.com/linkwell/linkwell/internal/store"
)

// Scale is the size of a generated dataset for performance measurement.
type Scale struct {
	People    int // referrals are half as many again
	PCNs      int
	OTsPerPCN int
	LWsPerPCN int
}

// NationalScale is DESIGN §6's dataset: 1,000,000 people and 1,500,000 referrals, spread over
// Primary Care Networks whose link workers carry about 250 people a year.
var NationalScale = Scale{People: 1_000_000, PCNs: 400, OTsPerPCN: 1, LWsPerPCN: 4}

// Generate fills a migrated database that already holds the demo network with a dataset of
// the given scale, in bulk. It is for measuring performance: generated rows have no audit
// entries of their own (one entry records the generation), and every generated user shares the
// demo password. It reports progress to progress.
func Generate(ctx context.Context, db *store.DB, sc Scale, progress func(string)) error {
	hash, err := account.HashPassword(Password)
	if err != nil {
		return err
	}
	g := &generator{db: db, sc: sc, rng: rand.New(rand.NewPCG(6, 1)), hash: hash, now: store.Now()}
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"organisations, teams, services and workers", g.network},
		{"people", g.people},
		{"referrals, cases and care teams", g.referrals},
	}
	for _, s := range steps {
		start := time.Now()
		if err := s.fn(ctx); err != nil {
			return fmt.Errorf("generate %s: %w", s.name, err)
		}
		progress(fmt.Sprintf("%s: %s", s.name, time.Since(start).Round(time.Millisecond)))
	}
	return recordGeneration(ctx, db, sc)
}

type generator struct {
	db        *store.DB
	sc        Scale
	rng       *rand.Rand
	hash      string
	now       time.Time
	services  []int64   // one per PCN
	ots, lws  [][]int64 // workers per PCN
	personIDs []int64
}

// batches runs fn over [0, n) in transactions of size rows each.
func (g *generator) batches(ctx context.Context, n, size int, fn func(c store.Conn, from, to int) error) error {
	for from := 0; from < n; from += size {
		to := min(n, from+size)
		if err := g.db.Tx(ctx, func(c store.Conn) error { return fn(c, from, to) }); err != nil {
			return err
		}
	}
	return nil
}
