package directory

import (
	"container/list"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

// write runs fn in a transaction that changes the directory, and counts a new generation of
// the directory in the same transaction (migration dir_generation), so that every list worked
// out from an older one is known to be stale. Every change to the directory goes through it.
func (d *Directory) write(ctx context.Context, fn func(c store.Conn) error) error {
	return d.db.Tx(ctx, func(c store.Conn) error {
		if err := fn(c); err != nil {
			return err
		}
		if _, err := c.Exec(ctx, `UPDATE dir_generation SET n = n + 1`); err != nil {
			return fmt.Errorf("count directory generation: %w", err)
		}
		return nil
	})
}

const generationQuery = `SELECT n FROM dir_generation`

// generation is the directory's generation as the transaction of c sees it.
func generation(ctx context.Context, c store.Conn) (int64, error) {
	var n int64
	if err := c.QueryRow(ctx, generationQuery).Scan(&n); err != nil {
		return 0, fmt.Errorf("read directory generation: %w", err)
	}
	return n, nil
}

// ListCachePKs is how many service pks the cache of lists holds at most, all lists together
// (8 bytes each: 4 MiB). A list longer than half of it is not kept: the open feed's list of
// all 150,000 national services fits, beside the lists of word searches.
const ListCachePKs = 1 << 19

// PageCacheBytes is how many bytes of encoded pages the cache of pages holds at most.
const PageCacheBytes = 8 << 20

// genCache keeps what was worked out from one generation of the directory, by key, and gives
// it only while the directory is still at that generation. It holds no more than max (as weigh
// counts), dropping the least recently used first; a value weighing more than half of max is
// not kept.
//
// The directory keeps two: the ordered pks of the services that match a search (the open
// feed's list of every service, or of a word search ranked by bm25), so that the next page of
// the same search reads only its own services, where ranking 10,000 matches took 17 ms for
// every page; and whole encoded pages of the open feed (see ServicesPage).
type genCache[V any] struct {
	mu    sync.Mutex
	max   int // weight in all, at most
	size  int // weight held now
	weigh func(V) int
	order *list.List
	items map[string]*list.Element
}

type cached[V any] struct {
	key        string
	generation int64
	v          V
	weight     int
}

func newGenCache[V any](max int, weigh func(V) int) *genCache[V] {
	return &genCache[V]{max: max, weigh: weigh, order: list.New(), items: map[string]*list.Element{}}
}

func newListCache(maxPKs int) *genCache[[]int64] {
	return newGenCache(maxPKs, func(pks []int64) int { return len(pks) })
}

// listKey names a search by who it is for and its filter.
func listKey(aud Audience, f Filter) string {
	b, _ := json.Marshal(f) // a Filter always marshals
	return fmt.Sprint(aud, string(b))
}

// get returns what is kept for key at generation, if anything is.
func (gc *genCache[V]) get(key string, generation int64) (V, bool) {
	gc.mu.Lock()
	defer gc.mu.Unlock()
	e, ok := gc.items[key]
	if !ok || e.Value.(*cached[V]).generation != generation {
		var none V
		return none, false
	}
	gc.order.MoveToFront(e)
	return e.Value.(*cached[V]).v, true
}

// fits says whether something of weight n may be kept.
func (gc *genCache[V]) fits(n int) bool { return n <= gc.max/2 }

// put keeps v for key at generation, in place of anything older, and drops the least
// recently used until the cache holds no more than its limit. What was worked out from an
// older generation than the one kept already is not kept.
func (gc *genCache[V]) put(key string, generation int64, v V) {
	weight := gc.weigh(v)
	if !gc.fits(weight) {
		return
	}
	gc.mu.Lock()
	defer gc.mu.Unlock()
	if e, ok := gc.items[key]; ok {
		if e.Value.(*cached[V]).generation > generation {
			return
		}
		gc.remove(e)
	}
	gc.items[key] = gc.order.PushFront(&cached[V]{key: key, generation: generation, v: v, weight: weight})
	gc.size += weight
	for gc.size > gc.max {
		gc.remove(gc.order.Back())
	}
}

func (gc *genCache[V]) remove(e *list.Element) {
	c := gc.order.Remove(e).(*cached[V])
	delete(gc.items, c.key)
	gc.size -= c.weight
}

// held is how many values the cache holds and their weight.
func (gc *genCache[V]) held() (values, weight int) {
	gc.mu.Lock()
	defer gc.mu.Unlock()
	return len(gc.items), gc.size
}

// entryBuffers hold a page's list entries while it is encoded, one buffer a page in flight,
// reused rather than made afresh for every page read.
var entryBuffers = sync.Pool{New: func() any { return new([]byte) }}

// ServicesPage returns a page of the open feed's services, as listServiceEntries reads them,
// encoded by encode, from the pages kept for the directory's generation when it is there. The
// page is read with the generation, in one statement or one transaction, so it is kept as
// exactly what the directory held at that generation.
//
// Pages not kept are read one per CPU at a time, the others waiting in the order they came
// (d.turns): with 50 clients asking at once, letting all 50 run made some wait behind many
// others that the scheduler let past them (p99 five times the median); taking turns keeps the
// slowest close to the median. A kept page needs no turn, so it is not held up behind a slow
// first read of a large search. encode must not keep the entries it is given: their memory is reused.
func (d *Directory) ServicesPage(ctx context.Context, f Filter, p Page, encode func(Results[json.RawMessage]) ([]byte, error)) ([]byte, error) {
	p = p.normal()
	key := fmt.Sprint(listKey(Public, f), p.Number, "/", p.Size)
	if b, ok, err := d.keptPage(ctx, key); err != nil || ok { // without waiting for a turn
		return b, apperr.Wrap("list services", err)
	}
	select {
	case d.turns <- struct{}{}:
		defer func() { <-d.turns }()
	case <-ctx.Done():
		return nil, apperr.Wrap("list services", ctx.Err())
	}
	buf := entryBuffers.Get().(*[]byte)
	defer entryBuffers.Put(buf)
	b, ok, err := d.pageInOneRead(ctx, key, f, p, buf, encode)
	if err != nil || ok {
		return b, apperr.Wrap("list services", err)
	}
	err = d.db.ReadTx(ctx, func(c store.Conn) error {
		gen, err := generation(ctx, c)
		if err != nil {
			return err
		}
		d.seen.Store(gen)
		var ok bool
		if b, ok = d.pages.get(key, gen); ok {
			return nil
		}
		res, err := d.listServiceEntries(ctx, c, gen, f, p, buf)
		if err != nil {
			return err
		}
		if b, err = encode(res); err != nil {
			return err
		}
		d.pages.put(key, gen, b)
		return nil
	})
	return b, apperr.Wrap("list services", err)
}

// keptPage is the page kept under key for the generation last seen, if the directory is
// still at it: one statement, the generation's.
func (d *Directory) keptPage(ctx context.Context, key string) (b []byte, ok bool, err error) {
	gen := d.seen.Load()
	if b, ok = d.pages.get(key, gen); !ok {
		return nil, false, nil
	}
	now, err := generation(ctx, d.db.Reader())
	if err != nil || now != gen {
		d.seen.CompareAndSwap(gen, now)
		return nil, false, err
	}
	return b, true, nil
}

// pageInOneRead is ServicesPage in one statement, when the directory is at the generation
// last seen and the page's list is kept for it: the statement that reads the page's entries
// reads the generation too, and the page stands only if that is still the one seen. On PostgreSQL that is one round trip for a page rather
// than four (BEGIN, the generation, the entries, COMMIT). ok is false when it cannot be done
// so: the directory has changed, the list is not kept, or an entry is missing.
func (d *Directory) pageInOneRead(ctx context.Context, key string, f Filter, p Page, buf *[]byte,
	encode func(Results[json.RawMessage]) ([]byte, error)) (b []byte, ok bool, err error) {
	gen, c := d.seen.Load(), d.db.Reader()
	all, ok := d.lists.get(listKey(Public, f), gen)
	pks := all[min(p.offset(), len(all)):min(p.offset()+p.Size, len(all))]
	if !ok || len(pks) == 0 {
		return nil, false, nil
	}
	var rows *sql.Rows
	if f == (Filter{}) {
		rows, err = c.Query(ctx, feedEntriesQuery, pks[0], len(pks))
	} else {
		rows, err = c.Query(ctx, listEntriesQuery(len(pks)), store.Args(pks)...)
	}
	if err != nil {
		return nil, false, fmt.Errorf("read list entries: %w", err)
	}
	read, found, entries, err := scanEntries(rows, len(pks), buf)
	if err != nil || read != gen {
		d.seen.CompareAndSwap(gen, read)
		return nil, false, err
	}
	if entries, ok = inOrder(pks, found, entries); !ok {
		return nil, false, nil
	}
	if b, err = encode(Results[json.RawMessage]{Items: entries, Total: len(all), Page: p}); err != nil {
		return nil, false, err
	}
	d.pages.put(key, gen, b)
	return b, true, nil
}
