package directory

import (
	"container/list"
	"context"
	"encoding/json"
	"fmt"
	"sync"

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

// generation is the directory's generation as the transaction of c sees it.
func generation(ctx context.Context, c store.Conn) (int64, error) {
	var n int64
	if err := c.QueryRow(ctx, `SELECT n FROM dir_generation`).Scan(&n); err != nil {
		return 0, fmt.Errorf("read directory generation: %w", err)
	}
	return n, nil
}

// ListCachePKs is how many service pks the cache of lists holds at most, all lists together
// (8 bytes each: 4 MiB). A list longer than half of it is not kept: the open feed's list of
// all 150,000 national services fits, beside the lists of word searches.
const ListCachePKs = 1 << 19

// listCache keeps the ordered pks of the services that match a search (the open feed's list
// of every service, or of a word search ranked by bm25), so that the next page of the same
// search reads only its own services: ranking 10,000 matches took 17 ms for every page. Each
// list belongs to the generation of the directory it was worked out from and is used only
// while the directory is still at that generation. The least recently used lists go first
// when the cache is full.
type listCache struct {
	mu    sync.Mutex
	max   int // pks in all, at most
	size  int // pks held now
	order *list.List
	lists map[string]*list.Element
}

type cachedList struct {
	key        string
	generation int64
	pks        []int64
}

func newListCache(maxPKs int) *listCache {
	return &listCache{max: maxPKs, order: list.New(), lists: map[string]*list.Element{}}
}

// listKey names a search by who it is for and its filter.
func listKey(aud Audience, f Filter) string {
	b, _ := json.Marshal(f) // a Filter always marshals
	return fmt.Sprint(aud, string(b))
}

// get returns the list kept for key at generation, if there is one.
func (lc *listCache) get(key string, generation int64) ([]int64, bool) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	e, ok := lc.lists[key]
	if !ok {
		return nil, false
	}
	cl := e.Value.(*cachedList)
	if cl.generation != generation {
		return nil, false
	}
	lc.order.MoveToFront(e)
	return cl.pks, true
}

// fits says whether a list of n pks may be kept.
func (lc *listCache) fits(n int) bool { return n <= lc.max/2 }

// put keeps the list for key at generation, in place of any older one, and drops the least
// recently used lists until the cache holds no more than its limit. A list from an older
// generation than the one kept already is not kept.
func (lc *listCache) put(key string, generation int64, pks []int64) {
	if !lc.fits(len(pks)) {
		return
	}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if e, ok := lc.lists[key]; ok {
		old := e.Value.(*cachedList)
		if old.generation > generation {
			return
		}
		lc.remove(e)
	}
	lc.lists[key] = lc.order.PushFront(&cachedList{key: key, generation: generation, pks: pks})
	lc.size += len(pks)
	for lc.size > lc.max {
		lc.remove(lc.order.Back())
	}
}

func (lc *listCache) remove(e *list.Element) {
	cl := lc.order.Remove(e).(*cachedList)
	delete(lc.lists, cl.key)
	lc.size -= len(cl.pks)
}

// held is how many lists and pks the cache holds.
func (lc *listCache) held() (lists, pks int) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return len(lc.lists), lc.size
}
