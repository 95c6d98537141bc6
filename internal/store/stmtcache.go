package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps prepared statements for a SQLite pool, keyed by their text. database/sql
// prepares each statement once per connection and reuses it, which saves SQLite compiling the
// same SQL on every query (a quarter of a page's CPU before the cache). PostgreSQL needs none:
// pgx caches statements itself.
type stmtCache struct {
	db *sql.DB
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

// maxCachedStatements bounds the cache: queries built from filters vary, and past this they
// are simply prepared each time.
const maxCachedStatements = 512

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}}
}

// peek returns the cached statement for query, or nil.
func (c *stmtCache) peek(query string) *sql.Stmt {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[query]
}

// get returns the prepared statement for query, preparing and caching it on first use, or nil
// when the cache is full. It prepares without holding the lock, because preparing waits for a
// free connection and a holder of one may need the lock.
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if st := c.peek(query); st != nil {
		return st, nil
	}
	c.mu.RLock()
	full := len(c.m) >= maxCachedStatements
	c.mu.RUnlock()
	if full {
		return nil, nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if have := c.m[query]; have != nil {
		st.Close()
		return have, nil
	}
	c.m[query] = st
	return st, nil
}

// keep prepares and caches the statements given; one that will not prepare is left out, and
// running it reports why. It is for SQLite's writer, whose one connection must be free, and
// for statements the readers run in transactions (DB.KeepReads).
func (c *stmtCache) keep(ctx context.Context, queries []string) {
	for _, q := range queries {
		c.get(ctx, q)
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	clear(c.m)
}

// txStmts keeps the statements one SQLite write transaction prepared, keyed by their text, so
// that a statement it runs many times (an import writes the same dozen for every record) is
// compiled once. database/sql closes them when the transaction ends. PostgreSQL needs none:
// pgx caches statements on each connection.
type txStmts struct {
	tx *sql.Tx
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

func newTxStmts(tx *sql.Tx) *txStmts { return &txStmts{tx: tx, m: map[string]*sql.Stmt{}} }

// prepared is the text of every statement the transaction prepared.
func (c *txStmts) prepared() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.m))
	for q := range c.m {
		out = append(out, q)
	}
	return out
}

// get returns the statement for query, preparing it on first use, or nil when it would not
// prepare (running it directly then reports why) or the transaction holds maxCachedStatements.
func (c *txStmts) get(ctx context.Context, query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.m[query]; st != nil {
		return st
	}
	if len(c.m) >= maxCachedStatements {
		return nil
	}
	st, err := c.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.m[query] = st
	return st
}
