package directory

import (
	"context"
	"fmt"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// Record is one service record an import source read: its JSON, or why it could not be read.
type Record struct {
	ID    string // the record's id when known, to report a rejection by
	Where string // where it came from (a file, a page of a feed), for a rejection without an id
	JSON  []byte
	Err   error // why the record could not be read; it is then rejected without being parsed
}

// Receiver takes what an import source reads.
type Receiver interface {
	// Expect says how many records the source will send in all, once it knows.
	Expect(total int)
	// Receive takes one record; an error stops the source.
	Receive(ctx context.Context, r Record) error
}

// Source is somewhere service records are imported from: saved ORUK files, an HSDS tabular
// package, or a live ORUK feed.
type Source interface {
	// Read sends every record to r and returns an error only when the source as a whole
	// failed (a feed's list could not be walked), not for one bad record.
	Read(ctx context.Context, r Receiver) error
}

// Summary is what an import did.
type Summary struct {
	Source     string
	Total      int // records the source said it would send; 0 until it knows
	Done       int // records stored or rejected so far
	Created    int
	Updated    int
	Unchanged  int
	Rejected   int
	Rejections []Rejection // the first MaxRejections, in the order met
}

// Rejection is one record an import skipped, and why.
type Rejection struct {
	ID     string // empty when the record had no readable id
	Where  string
	Reason string
}

func (r Rejection) String() string {
	who := r.ID
	if who == "" {
		who = r.Where
	}
	return who + ": " + r.Reason
}

// MaxRejections is how many rejections a Summary keeps; the count goes on past it.
const MaxRejections = 100

// ImportBatch is how many records an import stores per transaction at most. Bigger batches
// write the pages they share (index pages above all) fewer times: 8,000 imported 150,000
// services half as fast again as 1,000.
const ImportBatch = 8000

// ImportFlushEvery is how long an import holds records before it stores them, however few: a
// slow source (a live feed) still shows progress and keeps what it has read.
const ImportFlushEvery = 2 * time.Second

// ImportOptions are the choices of one import run.
type ImportOptions struct {
	Actor    audit.Actor   // who ran it, for the audit log
	Progress func(Summary) // called after every batch, if set
	// Now is the clock that says when to store a batch early (see ImportFlushEvery); nil for
	// time.Now.
	Now func() time.Time
}

// Import stores every record src sends under the source name, in batches of ImportBatch, each
// record whole or not at all. A bad record is rejected with its reason and the rest go on.
// One audit entry records the run. The error is for a failure of the import itself, after
// which the batches already committed stay.
func (d *Directory) Import(ctx context.Context, source string, src Source, opts ImportOptions) (Summary, error) {
	if err := checkSource(source); err != nil {
		return Summary{}, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	im := &importer{d: d, opts: opts, sum: Summary{Source: source}, flushed: opts.Now()}
	err := src.Read(ctx, im)
	if err == nil {
		err = im.flush(ctx)
	}
	if aerr := d.auditImport(ctx, opts.Actor, im.sum, err); aerr != nil && err == nil {
		err = aerr
	}
	if err != nil {
		return im.sum, fmt.Errorf("import %s: %w", source, err)
	}
	return im.sum, nil
}

func (d *Directory) auditImport(ctx context.Context, actor audit.Actor, s Summary, failed error) error {
	detail := fmt.Sprintf("created=%d updated=%d unchanged=%d rejected=%d", s.Created, s.Updated, s.Unchanged, s.Rejected)
	if failed != nil {
		detail += " failed=true"
	}
	return d.db.Tx(ctx, func(c store.Conn) error {
		return audit.Record(ctx, c, actor, audit.Event{Action: "directory.import", RecordType: "directory_source",
			RecordID: s.Source, Detail: detail})
	})
}

// importer gathers records into batches for UpsertMany and counts what became of them.
type importer struct {
	d       *Directory
	opts    ImportOptions
	sum     Summary
	batch   [][]byte
	flushed time.Time // when the last batch was stored
}

func (im *importer) Expect(total int) {
	im.sum.Total = total
	if im.opts.Progress != nil {
		im.opts.Progress(im.sum)
	}
}

func (im *importer) Receive(ctx context.Context, r Record) error {
	switch {
	case r.Err != nil:
		im.reject(Rejection{ID: r.ID, Where: r.Where, Reason: r.Err.Error()})
	case len(r.JSON) > MaxRecordBytes:
		im.reject(Rejection{ID: r.ID, Where: r.Where,
			Reason: fmt.Sprintf("record is %d bytes; a service may be at most %d", len(r.JSON), MaxRecordBytes)})
	default:
		im.batch = append(im.batch, r.JSON)
	}
	if len(im.batch) >= ImportBatch || len(im.batch) > 0 && im.opts.Now().Sub(im.flushed) >= ImportFlushEvery {
		return im.flush(ctx)
	}
	return nil
}

func (im *importer) reject(r Rejection) {
	im.sum.Done++
	im.sum.Rejected++
	if len(im.sum.Rejections) < MaxRejections {
		im.sum.Rejections = append(im.sum.Rejections, r)
	}
}

func (im *importer) flush(ctx context.Context) error {
	if len(im.batch) == 0 {
		return nil
	}
	results, err := im.d.UpsertMany(ctx, im.sum.Source, im.batch)
	if err != nil {
		return err
	}
	im.flushed = im.opts.Now()
	im.batch = im.batch[:0]
	for _, r := range results {
		switch r.Outcome {
		case Created:
			im.sum.Created++
		case Updated:
			im.sum.Updated++
		case Unchanged:
			im.sum.Unchanged++
		default:
			im.reject(Rejection{ID: r.ID, Reason: reason(r.Err)})
			continue
		}
		im.sum.Done++
	}
	if im.opts.Progress != nil {
		im.opts.Progress(im.sum)
	}
	return nil
}

// reason is the message of a rejection, safe to show.
func reason(err error) string {
	if ae, ok := apperr.As(err); ok && ae.Kind != apperr.Internal {
		return ae.Message
	}
	if err == nil {
		return "rejected"
	}
	return err.Error()
}
