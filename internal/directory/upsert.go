package directory

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

// serviceSearch is the full-text index of services (migration 0011).
const serviceSearch = store.TextIndex("dir_service_search")

// Upsert stores one fully nested service record (ORUK /services/{id} JSON) published by source,
// in one transaction: the service and everything nested in it are written whole or not at all.
// A record with the same id and JSON as stored is Unchanged; a service another source
// publishes is refused as a conflict. A rejected record's reason is both returned and in
// Result.Err.
func (d *Directory) Upsert(ctx context.Context, source string, record []byte) (Result, error) {
	var r Result
	err := d.write(ctx, func(c store.Conn) error {
		w := newWriter(c, source)
		if r = w.service(ctx, parseRecord(source, record)); r.Err != nil {
			return r.Err
		}
		w.keep()
		return w.finish(ctx)
	})
	if err != nil && r.Err == nil { // the transaction itself failed
		r = Result{ID: r.ID, Outcome: Rejected, Err: apperr.Wrap("upsert service", err)}
	}
	return r, r.Err
}

// UpsertMany stores many service records from one source in one transaction, each whole or
// not at all: a bad record is rejected, with its reason in its Result, and the rest are
// stored. The error is for a failure of the whole batch, which then stores nothing.
// Records are parsed and checked on the other cores while earlier ones are written.
//
// A batch is first written straight through, in one transaction without savepoints: a
// savepoint per record cost a tenth of an import, and one savepoint around the batch far more
// (SQLite truncates the savepoint's growing journal after every statement). Only when a record
// fails as it is written is that transaction rolled back and the batch written again, in a new
// one, with a savepoint per record, so that the bad record alone is undone.
func (d *Directory) UpsertMany(ctx context.Context, source string, records [][]byte) ([]Result, error) {
	results := make([]Result, len(records))
	parsed := parseAhead(source, records)
	write := func(perRecord bool) error {
		return d.write(ctx, func(c store.Conn) error { return writeBatch(ctx, newWriter(c, source), parsed, results, perRecord) })
	}
	err := write(false)
	if errors.Is(err, errRecordFailed) {
		err = write(true)
	}
	if err != nil {
		return nil, apperr.Wrap("upsert services", err)
	}
	return results, nil
}

// errRecordFailed is a batch written straight through stopping at a record that failed.
var errRecordFailed = errors.New("a record failed as it was written")

// writeBatch writes the parsed records into results. Straight through (perRecord false) it
// stops at the first record that fails as it is written, with errRecordFailed; with a
// savepoint per record it rolls that record back and goes on.
func writeBatch(ctx context.Context, w *writer, parsed func(int) parsedRecord, results []Result, perRecord bool) error {
	for i := range results {
		if i%lookAhead == 0 {
			if err := w.rows.flush(ctx, w.c); err != nil {
				return errRecordFailed // a record whose rows would not write: find it with a savepoint each
			}
			if err := w.lookAhead(ctx, parsedIDs(parsed, i, min(i+lookAhead, len(results)))); err != nil {
				return err
			}
		}
		p := parsed(i)
		if !perRecord {
			if results[i] = w.service(ctx, p); results[i].Err != nil && p.err == nil {
				return errRecordFailed // rejected before anything was written (p.err) needs no undoing
			}
			w.keep()
			continue
		}
		err := w.c.Savepoint(ctx, func() error {
			if results[i] = w.service(ctx, p); results[i].Err == nil && p.err == nil {
				if err := w.rows.flush(ctx, w.c); err != nil {
					results[i] = Result{ID: p.s.ID, Outcome: Rejected, Err: apperr.Wrap("upsert service "+p.s.ID, err)}
				}
			}
			return results[i].Err
		})
		if err == nil {
			w.keep()
			continue
		}
		w.forget()
		if apperr.KindOf(err) == apperr.Internal {
			return err
		}
	}
	if err := w.rows.flush(ctx, w.c); err != nil {
		if !perRecord {
			return errRecordFailed
		}
		return err
	}
	return w.index(ctx)
}

// lookAhead is how many services a batch looks up in one query before writing them.
const lookAhead = 500

// parsedIDs is the ids of the parsed records from to to, leaving out those that are rejected
// already.
func parsedIDs(parsed func(int) parsedRecord, from, to int) []string {
	var ids []string
	for i := from; i < to; i++ {
		if p := parsed(i); p.err == nil {
			ids = append(ids, p.s.ID)
		}
	}
	return ids
}

// parsedRecord is a service record read, checked and hashed, ready to write.
type parsedRecord struct {
	s      Service
	shared map[claimKey]hashed // the hashes of the organisation, locations and terms it nests
	hash   string
	form   []byte // the record as Linkwell reads it, to store
	err    error  // why the record is rejected before anything is written
}

func parseRecord(source string, record []byte) parsedRecord {
	s, err := ParseService(record)
	if err == nil {
		err = checkSource(source)
	}
	if err != nil {
		return parsedRecord{s: s, err: err}
	}
	// What is stored is the record as Linkwell reads it: every read decodes it into a Service,
	// so fields Linkwell does not know are never served, and leaving them out means a change
	// to them alone, or to the layout or order of keys, leaves the service unchanged.
	// Re-encoding the parsed Service is also much cheaper than decoding the record a second
	// time to put its keys in order.
	hash, form := hashJSON(s)
	return parsedRecord{s: s, hash: hash, form: form, shared: hashShared(s)}
}

// hashed is the hash and JSON of a record that many services may nest.
type hashed struct {
	hash   string
	record []byte
}

// hashShared hashes the organisation, locations and taxonomy terms nested in s, as the writer
// will claim them, so that the work is done beside the writer rather than by it. A record that
// nests two different versions of one of them is left to the writer, which claims each in turn.
func hashShared(s Service) map[claimKey]hashed {
	out := map[claimKey]hashed{}
	twice := map[claimKey]bool{}
	put := func(table, id string, v any) {
		k := claimKey{table, id}
		if _, seen := out[k]; seen {
			twice[k] = true
		}
		h, b := hashJSON(v)
		out[k] = hashed{h, b}
	}
	if o := s.Organization; o != nil {
		org := *o
		org.Services = nil
		put("dir_organizations", org.ID, org)
	}
	for _, sl := range s.ServiceAtLocations {
		put("dir_locations", sl.Location.ID, *sl.Location)
	}
	for _, a := range s.Attributes {
		if a.TaxonomyTerm != nil {
			put("dir_taxonomy_terms", a.TaxonomyTerm.ID, *a.TaxonomyTerm)
		}
	}
	for k := range twice {
		delete(out, k)
	}
	return out
}

// parseAhead parses records on as many goroutines as there are cores and returns a function
// that waits for record i and returns it. Parsing is a quarter of an import's work, so it
// runs beside the writer rather than before it.
func parseAhead(source string, records [][]byte) func(i int) parsedRecord {
	out := make([]parsedRecord, len(records))
	ready := make([]chan struct{}, len(records))
	for i := range ready {
		ready[i] = make(chan struct{})
	}
	var next atomic.Int64
	for range min(runtime.GOMAXPROCS(0), len(records)) {
		go func() {
			for i := int(next.Add(1) - 1); i < len(records); i = int(next.Add(1) - 1) {
				out[i] = parseRecord(source, records[i])
				close(ready[i])
			}
		}()
	}
	return func(i int) parsedRecord {
		<-ready[i]
		return out[i]
	}
}

func checkSource(source string) error {
	if strings.TrimSpace(source) == "" || len(source) > 500 {
		return apperr.New(apperr.Invalid, "Name the source of the record in 500 characters or fewer")
	}
	return nil
}

// writer writes the records of one source in one transaction. It remembers the shared records
// (organisations, locations, taxonomy terms) it has claimed, so that the many services that
// nest one organisation claim it once, and it puts services in the search index at the end,
// all at once: FTS5 writes what it holds to disk whenever a savepoint ends, so indexing each
// record inside its own savepoint made a new index segment per record. What one record did is
// kept only once it has been stored (keep), and forgotten when it was rolled back (forget).
type writer struct {
	c      store.Conn
	source string
	claims map[claimKey]claimed // shared records as this transaction has left them
	texts  map[int64]int        // services to index: their place in order, by pk
	order  []searchText
	// What the record being written did, until it is kept or forgotten.
	recordClaims  map[claimKey]claimed
	recordText    *searchText
	recordService *storedService
	shared        map[claimKey]hashed // the hashes worked out for the record being written
	// services are the services looked up ahead, by id; a zero pk is one not stored.
	services map[string]storedService
	// rows are child rows written so far, not yet inserted. They are inserted before anything
	// is deleted or the transaction ends, and, with a savepoint per record, before it is
	// released.
	rows rowBuffer
}

// storedService is what the writer needs to know of a service already stored.
type storedService struct {
	id, source, hash string
	feedHash         string // what the source last sent, when the listing was changed in Linkwell since
	pk               int64  // 0 when none is stored
}

// storedService returns the stored service with id, from those looked up ahead when it was.
func (w *writer) storedService(ctx context.Context, id string) (storedService, error) {
	if st, ok := w.services[id]; ok {
		return st, nil
	}
	st := storedService{id: id}
	err := w.c.QueryRow(ctx, `SELECT s.pk, s.source, s.hash, COALESCE(e.feed_hash, '') FROM dir_services s
		LEFT JOIN dir_local_edits e ON e.service_pk = s.pk WHERE s.id = ?`, id).Scan(&st.pk, &st.source, &st.hash, &st.feedHash)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	return st, err
}

// lookAhead looks up in one query the stored services with the ids, so that writing each of
// them need not.
func (w *writer) lookAhead(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
		w.services[id] = storedService{id: id}
	}
	rows, err := w.c.Query(ctx, `SELECT s.id, s.pk, s.source, s.hash, COALESCE(e.feed_hash, '') FROM dir_services s
		LEFT JOIN dir_local_edits e ON e.service_pk = s.pk WHERE s.id IN `+store.In(len(args)), args...)
	if err != nil {
		return fmt.Errorf("look up services: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st storedService
		if err := rows.Scan(&st.id, &st.pk, &st.source, &st.hash, &st.feedHash); err != nil {
			return fmt.Errorf("look up services: %w", err)
		}
		w.services[st.id] = st
	}
	return rows.Err()
}

// hash returns the hash and JSON of v, a shared record stored in table, worked out already
// if it was.
func (w *writer) hash(table, id string, v any) (string, []byte) {
	if h, ok := w.shared[claimKey{table, id}]; ok {
		return h.hash, h.record
	}
	return hashJSON(v)
}

type claimKey struct{ table, id string }

// searchText is a service's texts for the search index, weighted from a to d.
type searchText struct {
	pk         int64
	created    bool
	a, b, c, d string
}

func newWriter(c store.Conn, source string) *writer {
	return &writer{c: c, source: source, claims: map[claimKey]claimed{}, texts: map[int64]int{},
		recordClaims: map[claimKey]claimed{}, services: map[string]storedService{}}
}

// keep makes what the last record did part of the transaction's memory.
func (w *writer) keep() {
	for k, cl := range w.recordClaims {
		w.claims[k] = cl
	}
	if t := w.recordText; t != nil {
		if i, ok := w.texts[t.pk]; ok {
			t.created = w.order[i].created
			w.order[i] = *t
		} else {
			w.texts[t.pk] = len(w.order)
			w.order = append(w.order, *t)
		}
	}
	if st := w.recordService; st != nil {
		w.services[st.id] = *st
	}
	w.endRecord()
}

// forget drops what the last record did, which its savepoint has undone, with any of its
// rows not yet inserted.
func (w *writer) forget() {
	w.endRecord()
	w.rows.clear()
}

func (w *writer) endRecord() {
	clear(w.recordClaims)
	w.recordText, w.recordService = nil, nil
}

// finish inserts the rows still buffered and indexes the services written.
func (w *writer) finish(ctx context.Context) error {
	if err := w.rows.flush(ctx, w.c); err != nil {
		return err
	}
	return w.index(ctx)
}

// index puts every service written in the search index, in the order they were written.
func (w *writer) index(ctx context.Context) error {
	for _, t := range w.order {
		put := serviceSearch.Put
		if t.created {
			put = serviceSearch.Add
		}
		if err := put(ctx, w.c, t.pk, t.a, t.b, t.c, t.d); err != nil {
			return err
		}
	}
	clear(w.texts)
	w.order = w.order[:0]
	return nil
}

// claim is claim remembered for the transaction: a shared record already claimed with the
// same hash, or published by another source, is not looked up again.
func (w *writer) claim(ctx context.Context, table, id, hash string, cols columns) (claimed, error) {
	k := claimKey{table, id}
	cl, ok := w.recordClaims[k]
	if !ok {
		cl, ok = w.claims[k]
	}
	switch {
	case ok && (cl.owner != w.source || cl.hash == hash):
		return claimed{pk: cl.pk, outcome: Unchanged, owner: cl.owner, hash: cl.hash}, nil
	case ok: // this source's, claimed in this transaction, and different now: no need to look it up
		if err := updateRow(ctx, w.c, table, cl.pk, cols.with("hash", hash)); err != nil {
			return claimed{}, err
		}
		cl = claimed{pk: cl.pk, outcome: Updated, owner: w.source, hash: hash}
		w.recordClaims[k] = cl
		return cl, nil
	}
	cl, err := claim(ctx, w.c, table, id, w.source, hash, cols)
	if err == nil {
		w.recordClaims[k] = cl
	}
	return cl, err
}

// service writes one parsed record. Errors that are not the record's fault are returned as
// Internal, so that a batch stops.
func (w *writer) service(ctx context.Context, p parsedRecord) Result {
	if p.err != nil {
		return Result{ID: p.s.ID, Outcome: Rejected, Err: p.err}
	}
	w.shared = p.shared
	outcome, err := w.upsertService(ctx, p.s, p.hash, p.form)
	if err != nil {
		return Result{ID: p.s.ID, Outcome: Rejected, Err: apperr.Wrap("upsert service "+p.s.ID, err)}
	}
	return Result{ID: p.s.ID, Outcome: outcome}
}

func (w *writer) upsertService(ctx context.Context, s Service, hash string, form []byte) (Outcome, error) {
	c := w.c
	stored, err := w.storedService(ctx, s.ID)
	pk, owner, oldHash, feedHash := stored.pk, stored.source, stored.hash, stored.feedHash
	switch {
	case err != nil:
		return "", fmt.Errorf("look up service: %w", err)
	case pk == 0:
	case owner != w.source:
		return "", apperr.New(apperr.Conflict, "Service %s is already published by another source (%s)", s.ID, owner)
	case oldHash == hash, feedHash == hash: // a change made in Linkwell stands until the source sends something new
		return Unchanged, nil
	}
	if feedHash != "" {
		if err := dropLocalChange(ctx, c, pk); err != nil {
			return "", err
		}
	}
	return w.writeService(ctx, pk, s, hash, form)
}

// writeService writes a service whose record is form with hash: a new one when pk is zero,
// otherwise over the one stored at pk, children and all.
func (w *writer) writeService(ctx context.Context, pk int64, s Service, hash string, form []byte) (Outcome, error) {
	c := w.c
	orgName, err := w.serviceOrganization(ctx, &s)
	if err != nil {
		return "", err
	}
	now := store.Now()
	row := serviceRow(s, hash, now)
	outcome := Created
	if pk == 0 {
		pk, err = insertRow(ctx, c, "dir_services", row.with("id", s.ID).with("source", w.source).with("created_at", now))
	} else {
		outcome = Updated
		err = updateRow(ctx, c, "dir_services", pk, row)
		if err == nil { // its children are deleted and written again: insert those buffered first
			err = w.rows.flush(ctx, c, serviceChildTables...)
		}
		if err == nil {
			err = deleteServiceChildren(ctx, c, pk)
		}
	}
	if err == nil {
		_, err = c.Exec(ctx, `INSERT INTO dir_service_records (service_pk, record) VALUES (?, ?)
			ON CONFLICT (service_pk) DO UPDATE SET record = excluded.record`, pk, string(form))
	}
	if err != nil {
		return "", fmt.Errorf("write service: %w", err)
	}
	if !s.InternalOnly {
		w.rows.add("dir_service_entries", columns{}.with("service_pk", pk).with("entry", string(listEntry(s))))
	}
	terms, err := w.serviceChildren(ctx, pk, s)
	if err != nil {
		return "", err
	}
	w.recordService = &storedService{id: s.ID, pk: pk, source: w.source, hash: hash}
	w.recordText = &searchText{pk: pk, created: outcome == Created, a: s.Name,
		b: strings.Join(append([]string{orgName}, terms...), " "), c: s.Description, d: placesText(s)}
	return outcome, nil
}

func hashOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// hashJSON hashes a value Linkwell built, whose JSON is already deterministic.
func hashJSON(v any) (string, []byte) {
	b, _ := json.Marshal(v) // the directory's types always marshal
	return hashOf(b), b
}

// serviceOrganization writes the nested organisation, fills in the service's
// organization_id from it, and returns the organisation's name for the search index.
func (w *writer) serviceOrganization(ctx context.Context, s *Service) (string, error) {
	if s.Organization == nil {
		var name string
		err := w.c.QueryRow(ctx, `SELECT name FROM dir_organizations WHERE id = ?`, s.OrganizationID).Scan(&name)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", fmt.Errorf("look up organization: %w", err)
		}
		return name, nil
	}
	s.OrganizationID = s.Organization.ID
	_, err := w.organization(ctx, *s.Organization)
	return s.Organization.Name, err
}

// organization claims an organisation and, when it was written, its identifiers.
func (w *writer) organization(ctx context.Context, o Organization) (Outcome, error) {
	o.Services = nil
	hash, record := w.hash("dir_organizations", o.ID, o)
	c := w.c
	cl, err := w.claim(ctx, "dir_organizations", o.ID, hash, columns{}.
		with("name", o.Name).with("record", string(record)).with("updated_at", store.Now()))
	if err != nil || !cl.wrote() {
		return cl.outcome, err
	}
	if cl.outcome == Updated {
		if err := w.rows.flush(ctx, c, "dir_organization_identifiers"); err != nil { // before those buffered are deleted
			return "", err
		}
		if _, err := c.Exec(ctx, `DELETE FROM dir_organization_identifiers WHERE organization_pk = ?`, cl.pk); err != nil {
			return "", fmt.Errorf("clear organization identifiers: %w", err)
		}
	}
	for _, id := range o.OrganizationIdentifiers {
		w.rows.add("dir_organization_identifiers", columns{}.with("organization_pk", cl.pk).
			with("id", id.ID).with("identifier_scheme", id.IdentifierScheme).with("identifier", id.Identifier))
	}
	return cl.outcome, nil
}

// serviceRow is the searchable columns of a service, besides its keys.
func serviceRow(s Service, hash string, now time.Time) columns {
	modified := now
	if t, err := time.Parse(time.RFC3339, s.LastModified); err == nil {
		modified = t.UTC().Truncate(time.Microsecond)
	}
	var verified any
	if t, err := time.Parse(time.RFC3339, s.LastVerifiedAt); err == nil {
		verified = t.UTC().Truncate(time.Microsecond)
	}
	return columns{}.
		with("organization_id", s.OrganizationID).with("name", s.Name).with("status", string(s.Status)).
		with("minimum_age", nullable(s.MinimumAge)).with("maximum_age", nullable(s.MaximumAge)).
		with("capacity", string(s.Capacity)).with("referral_route", string(s.ReferralRoute)).
		with("typical_wait_days", nullable(s.TypicalWaitDays)).
		with("first_session_support", s.FirstSessionSupport != "").
		with("last_verified_at", verified).with("verified_by", s.VerifiedBy).
		with("internal_only", s.InternalOnly).with("modified_at", modified).
		with("hash", hash).with("updated_at", now)
}

func nullable[T any](v *T) any {
	if v == nil {
		return nil
	}
	return *v
}

// serviceChildTables are the tables whose rows belong to one service and are replaced whole
// when it changes. Phones of contacts go with their contacts.
var serviceChildTables = []string{"dir_service_entries", "dir_positions", "dir_service_at_locations", "dir_contacts", "dir_phones", "dir_schedules",
	"dir_cost_options", "dir_service_areas", "dir_languages", "dir_funding", "dir_attributes"}

func deleteServiceChildren(ctx context.Context, c store.Conn, pk int64) error {
	for _, table := range serviceChildTables {
		if _, err := c.Exec(ctx, `DELETE FROM `+table+` WHERE service_pk = ?`, pk); err != nil {
			return fmt.Errorf("clear %s: %w", table, err)
		}
	}
	return nil
}

// serviceChildren writes what is nested in a service and returns the names of the
// taxonomy terms it is classified with, for the search index.
func (w *writer) serviceChildren(ctx context.Context, pk int64, s Service) ([]string, error) {
	if err := w.serviceAtLocations(ctx, pk, s.ServiceAtLocations); err != nil {
		return nil, err
	}
	if err := w.contacts(ctx, pk, s.Contacts); err != nil {
		return nil, err
	}
	w.phones("service_pk", pk, s.Phones)
	for _, sc := range s.Schedules {
		days, _ := parseByDay(sc.ByDay)
		w.child("dir_schedules", pk, sc.ID, columns{}.with("freq", sc.Freq).with("days", days).
			with("opens_at", clockKey(sc.OpensAt)).with("closes_at", clockKey(sc.ClosesAt)).
			with("valid_from", sc.ValidFrom).with("valid_to", sc.ValidTo))
	}
	for _, o := range s.CostOptions {
		w.child("dir_cost_options", pk, o.ID, columns{}.with("amount", nullable(o.Amount)))
	}
	for _, a := range s.ServiceAreas {
		w.child("dir_service_areas", pk, a.ID, columns{}.with("name", a.Name))
	}
	for _, l := range s.Languages {
		w.child("dir_languages", pk, l.ID, columns{}.with("code", l.Code))
	}
	for _, f := range s.Funding {
		w.child("dir_funding", pk, f.ID, columns{})
	}
	return w.attributes(ctx, pk, s.Attributes)
}

// child buffers a row of table that belongs to the service servicePK.
func (w *writer) child(table string, servicePK int64, id string, cols columns) {
	w.rows.add(table, cols.with("service_pk", servicePK).with("id", id))
}

func (w *writer) serviceAtLocations(ctx context.Context, pk int64, sals []ServiceAtLocation) error {
	for i, sl := range sals {
		locPK, at, err := w.location(ctx, *sl.Location)
		if err != nil {
			return err
		}
		salPK, err := insertRow(ctx, w.c, "dir_service_at_locations", columns{}.with("id", sl.ID).with("service_pk", pk).with("location_pk", locPK))
		if store.IsUniqueViolation(err) {
			return invalid(fmt.Sprintf("service_at_locations[%d].id", i), "belongs to another service: a service_at_location id must be unique")
		}
		if err == nil && at != nil {
			w.rows.add("dir_positions", columns{}.with("sal_pk", salPK).with("service_pk", pk).
				with("band", at.band()).with("latitude", at.lat).with("longitude", at.long))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// position is a point on the globe, in degrees.
type position struct{ lat, long float64 }

// band is the 0.05-degree band of latitude the point is in, counted from the South Pole, as
// dir_positions keeps it.
func (p position) band() int { return latitudeBand(p.lat) }

func latitudeBand(lat float64) int { return int((lat + 90) * bandsPerDegree) }

const bandsPerDegree = 20

// positionOf is where a location is, or nil when it has no position on the globe.
func positionOf(l Location) *position {
	if l.Latitude != nil && l.Longitude != nil && onGlobe(*l.Latitude, *l.Longitude) {
		return &position{*l.Latitude, *l.Longitude}
	}
	return nil
}

// location claims a location and, when it was written, its addresses, accessibility and
// phones, and returns its pk and where it is as stored. A position off the globe is kept in
// the record but not indexed for distance.
func (w *writer) location(ctx context.Context, l Location) (int64, *position, error) {
	c := w.c
	hash, _ := w.hash("dir_locations", l.ID, l)
	at := positionOf(l)
	var lat, long any
	if at != nil {
		lat, long = at.lat, at.long
	}
	cl, err := w.claim(ctx, "dir_locations", l.ID, hash, columns{}.
		with("location_type", string(l.LocationType)).with("name", l.Name).with("latitude", lat).with("longitude", long))
	switch {
	case err != nil:
		return 0, nil, err
	case cl.owner != w.source: // another source's location is where that source says
		at, err = storedPosition(ctx, c, cl.pk)
		return cl.pk, at, err
	case !cl.wrote():
		return cl.pk, at, nil
	case cl.outcome == Updated:
		// The positions of the services at it move, and its addresses, accessibility and phones
		// are written again: insert those buffered first.
		if err := w.rows.flush(ctx, c, "dir_positions", "dir_addresses", "dir_accessibility", "dir_phones"); err != nil {
			return 0, nil, err
		}
		if err := movePositions(ctx, c, cl.pk, at); err != nil {
			return 0, nil, err
		}
	}
	for _, table := range []string{"dir_addresses", "dir_accessibility", "dir_phones"} {
		if cl.outcome == Created {
			break // a new location has none yet
		}
		if _, err := c.Exec(ctx, `DELETE FROM `+table+` WHERE location_pk = ?`, cl.pk); err != nil {
			return 0, nil, fmt.Errorf("clear %s: %w", table, err)
		}
	}
	for _, a := range l.Addresses {
		w.rows.add("dir_addresses", columns{}.with("location_pk", cl.pk).with("id", a.ID).
			with("address_type", string(a.AddressType)).with("city", a.City).with("postal_code", a.PostalCode))
	}
	for _, a := range l.Accessibility {
		w.rows.add("dir_accessibility", columns{}.with("location_pk", cl.pk).with("id", a.ID).with("description", a.Description))
	}
	w.phones("location_pk", cl.pk, l.Phones)
	return cl.pk, at, nil
}

// storedPosition is where the location pk is as stored.
func storedPosition(ctx context.Context, c store.Conn, pk int64) (*position, error) {
	var lat, long sql.NullFloat64
	if err := c.QueryRow(ctx, `SELECT latitude, longitude FROM dir_locations WHERE pk = ?`, pk).Scan(&lat, &long); err != nil {
		return nil, fmt.Errorf("read location position: %w", err)
	}
	if !lat.Valid || !long.Valid {
		return nil, nil
	}
	return &position{lat.Float64, long.Float64}, nil
}

// movePositions moves every service at the location pk to where it now is (at), or takes
// them out of distance searches when it has no position any more.
func movePositions(ctx context.Context, c store.Conn, pk int64, at *position) error {
	_, err := c.Exec(ctx, `DELETE FROM dir_positions WHERE sal_pk IN (SELECT pk FROM dir_service_at_locations WHERE location_pk = ?)`, pk)
	if err == nil && at != nil {
		_, err = c.Exec(ctx, `INSERT INTO dir_positions (sal_pk, service_pk, band, latitude, longitude)
			SELECT pk, service_pk, ?, ?, ? FROM dir_service_at_locations WHERE location_pk = ?`, at.band(), at.lat, at.long, pk)
	}
	if err != nil {
		return fmt.Errorf("move services at location %d: %w", pk, err)
	}
	return nil
}

func onGlobe(lat, long float64) bool { return lat >= -90 && lat <= 90 && long >= -180 && long <= 180 }

func (w *writer) contacts(ctx context.Context, servicePK int64, contacts []Contact) error {
	for _, k := range contacts {
		pk, err := insertRow(ctx, w.c, "dir_contacts", columns{}.with("service_pk", servicePK).with("id", k.ID).
			with("name", k.Name).with("internal_only", k.InternalOnly))
		if err != nil {
			return err
		}
		w.phones("contact_pk", pk, k.Phones)
	}
	return nil
}

// phones buffers phones that belong to the row ownerPK of the table ownerColumn names.
func (w *writer) phones(ownerColumn string, ownerPK int64, phones []Phone) {
	for _, p := range phones {
		w.rows.add("dir_phones", columns{}.with(ownerColumn, ownerPK).with("id", p.ID).with("number", p.Number))
	}
}

// attributes writes a service's attributes with their taxonomy terms. A term given only
// by id must already be known, so that every category a service shows can be looked up.
func (w *writer) attributes(ctx context.Context, pk int64, attrs []Attribute) ([]string, error) {
	var names []string
	for i, a := range attrs {
		term, err := w.attributeTerm(ctx, a)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, invalid(fmt.Sprintf("attributes[%d].taxonomy_term_id", i), "is not a known taxonomy term: nest the term, or load its taxonomy first")
		}
		if err != nil {
			return nil, err
		}
		names = append(names, term.Name)
		w.child("dir_attributes", pk, a.ID, columns{}.with("taxonomy_term_id", term.ID).
			with("taxonomy_id", term.TaxonomyID).with("link_type", a.LinkType))
	}
	return names, nil
}

// attributeTerm writes the attribute's nested term, or reads the known term it names.
func (w *writer) attributeTerm(ctx context.Context, a Attribute) (TaxonomyTerm, error) {
	if a.TaxonomyTerm != nil {
		_, err := w.term(ctx, *a.TaxonomyTerm)
		return *a.TaxonomyTerm, err
	}
	var t TaxonomyTerm
	err := w.c.QueryRow(ctx, `SELECT id, name, taxonomy_id FROM dir_taxonomy_terms WHERE id = ?`, a.TaxonomyTermID).
		Scan(&t.ID, &t.Name, &t.TaxonomyID)
	return t, err
}

func (w *writer) term(ctx context.Context, t TaxonomyTerm) (Outcome, error) {
	hash, record := w.hash("dir_taxonomy_terms", t.ID, t)
	cl, err := w.claim(ctx, "dir_taxonomy_terms", t.ID, hash, columns{}.with("taxonomy_id", t.TaxonomyID).
		with("parent_id", t.ParentID).with("name", t.Name).with("record", string(record)))
	return cl.outcome, err
}

// placesText is where a service happens and how accessible it is, for the search index.
func placesText(s Service) string {
	var parts []string
	for _, sl := range s.ServiceAtLocations {
		parts = append(parts, sl.Location.Name)
		for _, a := range sl.Location.Addresses {
			parts = append(parts, a.Address1, a.City, a.PostalCode)
		}
		for _, a := range sl.Location.Accessibility {
			parts = append(parts, a.Description)
		}
	}
	return strings.Join(parts, " ")
}
