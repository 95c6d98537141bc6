package audit

import (
	"context"
	"sync"

	"github.com/linkwell/linkwell/internal/store"
)

// Batcher records entries that stand alone (the audit of a read, which changes nothing else)
// with group commit: entries that arrive while one transaction commits go together in the
// next, so concurrent readers share one sync to disk. Record returns only once its entry is
// committed, so a read is never answered before its audit entry is durable.
type Batcher struct {
	db      *store.DB
	mu      sync.Mutex
	pending []*batched
	busy    bool // a caller is committing a batch
}

type batched struct {
	actor Actor
	ev    Event
	done  chan error
	lead  chan struct{} // told to commit the next batch
}

// NewBatcher returns a Batcher writing to db.
func NewBatcher(db *store.DB) *Batcher { return &Batcher{db: db} }

// Record appends one entry, in a transaction shared with any others waiting.
func (b *Batcher) Record(actor Actor, ev Event) error {
	it := &batched{actor: actor, ev: ev, done: make(chan error, 1), lead: make(chan struct{}, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, it)
	if !b.busy {
		b.busy = true
		it.lead <- struct{}{}
	}
	b.mu.Unlock()
	for {
		select {
		case err := <-it.done:
			return err
		case <-it.lead:
			b.commit()
		}
	}
}

// commit writes every entry waiting, then hands the next batch to the first caller waiting
// for it, so that no one caller commits for the others forever.
func (b *Batcher) commit() {
	b.mu.Lock()
	batch := b.pending
	b.pending = nil
	b.mu.Unlock()
	// Not the caller's context: the batch holds other callers' entries too.
	ctx := context.Background()
	err := b.db.Tx(ctx, func(c store.Conn) error {
		for _, it := range batch {
			if err := Record(ctx, c, it.actor, it.ev); err != nil {
				return err
			}
		}
		return nil
	})
	for _, it := range batch {
		it.done <- err
	}
	b.mu.Lock()
	if len(b.pending) > 0 {
		b.pending[0].lead <- struct{}{}
	} else {
		b.busy = false
	}
	b.mu.Unlock()
}
