// Package directory is Linkwell's directory of community activities, in the shape of Open
// Referral UK 3.0 (HSDS 3.0) with a few fields social prescribing needs on top. It stores
// services as their publishers send them, keyed by source and id, and answers the searches
// the ORUK API and practitioners' search make: by words, category, organisation, age, day and
// time, and distance.
//
// Every read takes an Audience. The Public one is the open feed: it never shows a service
// marked internal-only, a staff contact, or who verified a listing.
package directory

import (
	"context"
	"github.com/linkwell/linkwell/internal/store"
	"runtime"
	"sync/atomic"
)

// Directory reads and writes the directory.
type Directory struct {
	db    *store.DB
	lists *genCache[[]int64] // ordered lists of the services that match a search, by generation
	pages *genCache[[]byte]  // encoded pages of the open feed, by generation
	// turns admits pages of the open feed to be read one per CPU at a time, the rest waiting
	// in the order they came (see ServicesPage).
	turns chan struct{}
	seen  atomic.Int64 // the directory's generation as a page of the open feed last read it
}

// New returns a Directory over db.
func New(db *store.DB) *Directory {
	// The open feed's pages are read in transactions, which compile any statement not kept.
	db.KeepReads(context.Background(), generationQuery, feedEntriesQuery, listEntriesQuery(DefaultPageSize))
	return &Directory{db: db, lists: newListCache(ListCachePKs),
		pages: newGenCache(PageCacheBytes, func(b []byte) int { return len(b) }),
		turns: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// Audience says who a read is for, and so what it may show.
type Audience int

const (
	// Public is anyone, through the open ORUK feed: internal-only services, internal-only
	// contacts and x_linkwell_verified_by are left out.
	Public Audience = iota
	// Practitioners are signed-in Linkwell users, who see everything.
	Practitioners
)

// Outcome is what became of one record given to an upsert.
type Outcome string

const (
	Created   Outcome = "created"
	Updated   Outcome = "updated"
	Unchanged Outcome = "unchanged" // the same JSON as stored, so nothing was written
	Rejected  Outcome = "rejected"  // not valid, or in conflict: nothing was written
)

// Result is what became of one service record.
type Result struct {
	ID      string // the record's id, when it could be read, even from a rejected record
	Outcome Outcome
	Err     error // why it was rejected: an *apperr.Error whose Fields name each problem by path
}

// Page is a 1-based page of a list. The zero value is the first page of DefaultPageSize.
type Page struct {
	Number int
	Size   int
}

const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// Validate says what is wrong with a page asked for, naming the ORUK query parameters.
func (p Page) Validate() error {
	c := newChecker()
	if p.Number < 0 {
		c.add("page", "must be 1 or more")
	}
	if p.Size < 0 || p.Size > MaxPageSize {
		c.add("per_page", "must be from 1 to 500")
	}
	return c.err()
}

func (p Page) normal() Page {
	if p.Number < 1 {
		p.Number = 1
	}
	if p.Size < 1 {
		p.Size = DefaultPageSize
	}
	p.Size = min(p.Size, MaxPageSize)
	return p
}

func (p Page) offset() int { return (p.Number - 1) * p.Size }

// Results is one page of a list and how many items the whole list has.
type Results[T any] struct {
	Items []T
	Total int
	Page  Page // the page given, with defaults filled in
}

// TotalPages is how many pages of Page.Size the whole list fills; an empty list has none.
func (r Results[T]) TotalPages() int {
	if r.Page.Size == 0 {
		return 0
	}
	return (r.Total + r.Page.Size - 1) / r.Page.Size
}
