package postcode

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

// Counts is what an import did with the file's rows.
type Counts struct {
	Rows       int         // data rows read
	Imported   int         // live postcodes with a location, now held
	Changed    int         // of those, new or different from what was held before
	Terminated int         // skipped because the directory marks them terminated (doterm set)
	NoLocation int         // skipped because the directory gives them no location
	Removed    int         // terminated or unlocated postcodes that an earlier import had held
	Rejected   int         // rows that could not be read
	Rejections []Rejection // the first MaxRejections of them
}

// Rejection says why one row was not imported.
type Rejection struct {
	Line     int // line of the file, counting the header as 1
	Postcode string
	Reason   string
}

// MaxRejections is how many rejections Counts keeps; the rest are only counted.
const MaxRejections = 20

// requiredColumns are the ONS Postcode Directory columns the import reads, by header name.
var requiredColumns = []string{"pcds", "doterm", "lat", "long", "ctry", "lsoa21", "icb", "imd"}

// noLocationLat is the latitude the directory gives postcodes it has no grid reference for.
const noLocationLat = 99.999999

const (
	batchRows = 500    // rows a statement writes (9 values each, far inside both engines' limits)
	txRows    = 20_000 // file rows a transaction covers, so memory and the WAL stay small
	maxLine   = 64 << 10
)

// Import loads an ONS Postcode Directory CSV in its published layout, streaming it in
// transactions of txRows rows: live postcodes with a location are inserted or updated, the
// rest skipped and removed if held. Re-importing the same file changes nothing. A file without
// the required columns is apperr.Invalid and nothing is written; one that stops being CSV part
// way is apperr.Invalid too, with the transactions before that point kept (importing the
// corrected file is safe). A row that cannot be read is counted as rejected and the import
// goes on. progress, if not nil, is called after each transaction commits. Outward code
// centres are rebuilt at the end.
func Import(ctx context.Context, db *store.DB, r io.Reader, progress func(Counts)) (Counts, error) {
	im, err := newImporter(r)
	if err != nil {
		return Counts{}, err
	}
	for !im.done {
		if err := db.Tx(ctx, func(c store.Conn) error { return im.transaction(ctx, c) }); err != nil {
			return im.counts, fmt.Errorf("import postcodes: %w", err)
		}
		if progress != nil {
			progress(im.counts)
		}
	}
	if err := db.Tx(ctx, func(c store.Conn) error { return rebuildCentres(ctx, c) }); err != nil {
		return im.counts, fmt.Errorf("import postcodes: %w", err)
	}
	return im.counts, nil
}

type importer struct {
	csv    *csv.Reader
	col    map[string]int // column index by header name
	counts Counts
	done   bool

	live    []row
	seen    map[string]int // index in live by postcode: a repeat replaces the earlier row
	gone    []string
	args    []any
	fullSQL string
}

func newImporter(r io.Reader) (*importer, error) {
	cr := csv.NewReader(&lineLimit{r: bufio.NewReaderSize(r, 1<<20), max: maxLine})
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, apperr.New(apperr.Invalid, "the file is empty: expected an ONS Postcode Directory CSV with a header row")
	}
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "the file is not a readable CSV: %v", err)
	}
	cr.FieldsPerRecord = len(header)
	col := map[string]int{}
	for i, name := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\uFEFF")))] = i
	}
	var missing []string
	for _, name := range requiredColumns {
		if _, ok := col[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, apperr.New(apperr.Invalid,
			"the file is not an ONS Postcode Directory CSV: its header has no %s column", strings.Join(missing, ", "))
	}
	return &importer{
		csv: cr, col: col,
		seen:    make(map[string]int, batchRows),
		args:    make([]any, 0, batchRows*rowColumns),
		fullSQL: upsertSQL(batchRows),
	}, nil
}

// transaction reads up to txRows rows, writing them as batches fill and the rest at the end.
func (im *importer) transaction(ctx context.Context, c store.Conn) error {
	for range txRows {
		rec, err := im.csv.Read()
		if errors.Is(err, io.EOF) {
			im.done = true
			break
		}
		if err != nil && !errors.Is(err, csv.ErrFieldCount) {
			return apperr.New(apperr.Invalid, "the file is not a readable CSV: %v", err)
		}
		im.counts.Rows++
		line, _ := im.csv.FieldPos(0)
		if err != nil {
			im.reject(line, "", fmt.Sprintf("it has %d fields where the header has %d", len(rec), im.csv.FieldsPerRecord))
			continue
		}
		im.take(line, rec)
		if len(im.live) == batchRows || len(im.gone) == batchRows {
			if err := im.flush(ctx, c); err != nil {
				return err
			}
		}
	}
	return im.flush(ctx, c)
}

// take sorts one row into live, gone, or rejected.
func (im *importer) take(line int, rec []string) {
	field := func(name string) string { return strings.TrimSpace(rec[im.col[name]]) }
	raw := field("pcds")
	pc, err := Normalise(raw)
	if err != nil {
		im.reject(line, raw, "it is not a UK postcode")
		return
	}
	if field("doterm") != "" {
		im.counts.Terminated++
		im.gone = append(im.gone, pc)
		return
	}
	r, reason, located := parseRow(pc, field)
	switch {
	case reason != "":
		im.reject(line, raw, reason)
	case !located:
		im.counts.NoLocation++
		im.gone = append(im.gone, pc)
	case im.replaces(r):
	default:
		im.seen[pc] = len(im.live)
		im.live = append(im.live, r)
	}
}

// replaces overwrites an earlier row for the same postcode in this batch and reports whether
// there was one: a statement may not upsert one key twice on PostgreSQL.
func (im *importer) replaces(r row) bool {
	i, ok := im.seen[r.postcode]
	if ok {
		im.live[i] = r
	}
	return ok
}

// parseRow reads a live row's values; reason says why it cannot be read, and located is false
// when the directory gives no location.
func parseRow(pc string, field func(string) string) (r row, reason string, located bool) {
	latText := field("lat")
	if latText == "" {
		return row{}, "", false
	}
	lat, err1 := strconv.ParseFloat(latText, 64)
	long, err2 := strconv.ParseFloat(field("long"), 64)
	if err1 == nil && lat == noLocationLat {
		return row{}, "", false
	}
	if err1 != nil || err2 != nil || lat < -90 || lat > 90 || long < -180 || long > 180 {
		return row{}, fmt.Sprintf("its latitude and longitude (%q, %q) are not a position", latText, field("long")), false
	}
	rank := 0
	if s := field("imd"); s != "" {
		if rank, err1 = strconv.Atoi(s); err1 != nil || rank < 0 {
			return row{}, fmt.Sprintf("its deprivation rank %q is not a whole number", s), false
		}
	}
	country := field("ctry")
	outward, _, _ := strings.Cut(pc, " ")
	return row{
		postcode: pc, outward: outward, lat: lat, long: long,
		country: onsCode(country), lsoa21: onsCode(field("lsoa21")), icb: onsCode(field("icb")),
		imdRank: nullIfZero(rank), imdDecile: nullIfZero(imdDecile(country, rank)),
	}, "", true
}

// onsCode returns a geography code, or nil for none: ONS fills a column that does not apply
// with a pseudo code ending 99999999 (S99999999 is "no ICB" for a Scottish postcode).
func onsCode(s string) any {
	if s == "" || strings.HasSuffix(s, "99999999") {
		return nil
	}
	return s
}

func nullIfZero(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func (im *importer) reject(line int, postcode, reason string) {
	im.counts.Rejected++
	if len(im.counts.Rejections) < MaxRejections {
		im.counts.Rejections = append(im.counts.Rejections, Rejection{Line: line, Postcode: postcode, Reason: reason})
	}
}

// flush writes the rows gathered so far.
func (im *importer) flush(ctx context.Context, c store.Conn) error {
	if len(im.gone) > 0 {
		n, err := remove(ctx, c, im.gone)
		if err != nil {
			return err
		}
		im.counts.Removed += int(n)
		im.gone = im.gone[:0]
	}
	if len(im.live) > 0 {
		query := im.fullSQL
		if len(im.live) != batchRows {
			query = upsertSQL(len(im.live))
		}
		n, err := upsert(ctx, c, query, im.live, im.args)
		if err != nil {
			return err
		}
		im.counts.Imported += len(im.live)
		im.counts.Changed += int(n)
		im.live = im.live[:0]
		clear(im.seen)
	}
	return nil
}

// lineLimit fails a read once a line runs past max bytes, so that a file that is not a CSV of
// short lines (a binary file, one with no line breaks) cannot make the reader buffer all of it.
type lineLimit struct {
	r       io.Reader
	max     int
	current int // bytes since the last line break
}

func (l *lineLimit) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if i := bytes.LastIndexByte(p[:n], '\n'); i >= 0 {
		l.current = n - i - 1
	} else {
		l.current += n
	}
	if l.current > l.max {
		return n, fmt.Errorf("a line is longer than %d bytes", l.max)
	}
	return n, err
}
