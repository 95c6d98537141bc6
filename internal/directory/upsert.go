package directory

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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
	err := d.db.Tx(ctx, func(c store.Conn) error {
		r = upsertRecord(ctx, c, source, record)
		return r.Err
	})
	if err != nil && r.Err == nil { // the transaction itself failed
		r = Result{ID: r.ID, Outcome: Rejected, Err: apperr.Wrap("upsert service", err)}
	}
	return r, r.Err
}

// UpsertMany stores many service records from one source in one transaction, each in a
// savepoint of its own: a bad record is rejected, with its reason in its Result, and the rest
// are stored. The error is for a failure of the whole batch, which then stores nothing.
func (d *Directory) UpsertMany(ctx context.Context, source string, records [][]byte) ([]Result, error) {
	results := make([]Result, len(records))
	err := d.db.Tx(ctx, func(c store.Conn) error {
		for i, record := range records {
			err := c.Savepoint(ctx, func() error {
				results[i] = upsertRecord(ctx, c, source, record)
				return results[i].Err
			})
			if err != nil && apperr.KindOf(err) == apperr.Internal {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, apperr.Wrap("upsert services", err)
	}
	return results, nil
}

// upsertRecord validates and writes one record in c. Errors that are not the record's fault
// are returned as Internal, so that a batch stops.
func upsertRecord(ctx context.Context, c store.Conn, source string, record []byte) Result {
	s, err := ParseService(record)
	if err == nil {
		err = checkSource(source)
	}
	if err != nil {
		return Result{ID: s.ID, Outcome: Rejected, Err: err}
	}
	outcome, err := upsertService(ctx, c, source, s, record)
	if err != nil {
		return Result{ID: s.ID, Outcome: Rejected, Err: apperr.Wrap("upsert service "+s.ID, err)}
	}
	return Result{ID: s.ID, Outcome: outcome}
}

func checkSource(source string) error {
	if strings.TrimSpace(source) == "" || len(source) > 500 {
		return apperr.New(apperr.Invalid, "Name the source of the record in 500 characters or fewer")
	}
	return nil
}

func upsertService(ctx context.Context, c store.Conn, source string, s Service, record []byte) (Outcome, error) {
	hash, compact, err := canonical(record)
	if err != nil {
		return "", err
	}
	var pk int64
	var owner, oldHash, feedHash string
	err = c.QueryRow(ctx, `SELECT s.pk, s.source, s.hash, COALESCE(e.feed_hash, '') FROM dir_services s
		LEFT JOIN dir_local_edits e ON e.service_pk = s.pk WHERE s.id = ?`, s.ID).Scan(&pk, &owner, &oldHash, &feedHash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return "", fmt.Errorf("look up service: %w", err)
	case owner != source:
		return "", apperr.New(apperr.Conflict, "Service %s is already published by another source (%s)", s.ID, owner)
	case oldHash == hash, feedHash == hash: // a change made in Linkwell stands until the source sends something new
		return Unchanged, nil
	}
	if feedHash != "" {
		if err := dropLocalChange(ctx, c, pk); err != nil {
			return "", err
		}
	}
	return writeService(ctx, c, source, pk, s, hash, compact)
}

// writeService writes a service whose record is compact with hash: a new one when pk is zero,
// otherwise over the one stored at pk, children and all.
func writeService(ctx context.Context, c store.Conn, source string, pk int64, s Service, hash string, compact []byte) (Outcome, error) {
	orgName, err := writeServiceOrganization(ctx, c, source, &s)
	if err != nil {
		return "", err
	}
	now := store.Now()
	row := serviceRow(s, hash, now)
	outcome := Created
	if pk == 0 {
		pk, err = insertRow(ctx, c, "dir_services", row.with("id", s.ID).with("source", source).with("created_at", now))
	} else {
		outcome = Updated
		err = updateRow(ctx, c, "dir_services", pk, row)
		if err == nil {
			err = deleteServiceChildren(ctx, c, pk)
		}
	}
	if err == nil {
		_, err = c.Exec(ctx, `INSERT INTO dir_service_records (service_pk, record) VALUES (?, ?)
			ON CONFLICT (service_pk) DO UPDATE SET record = excluded.record`, pk, string(compact))
	}
	if err != nil {
		return "", fmt.Errorf("write service: %w", err)
	}
	terms, err := writeServiceChildren(ctx, c, source, pk, s)
	if err != nil {
		return "", err
	}
	return outcome, serviceSearch.Put(ctx, c, pk, s.Name, strings.Join(append([]string{orgName}, terms...), " "),
		s.Description, placesText(s))
}

// canonical returns the SHA-256 of record's canonical form (keys sorted, no spaces), so that
// the same JSON laid out differently is the same record, and record compacted for storing.
func canonical(record []byte) (hash string, compact []byte, err error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(record))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", nil, fmt.Errorf("canonical form: %w", err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", nil, fmt.Errorf("canonical form: %w", err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, record); err != nil {
		return "", nil, fmt.Errorf("compact record: %w", err)
	}
	return hashOf(b), buf.Bytes(), nil
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

// writeServiceOrganization writes the nested organisation, fills in the service's
// organization_id from it, and returns the organisation's name for the search index.
func writeServiceOrganization(ctx context.Context, c store.Conn, source string, s *Service) (string, error) {
	if s.Organization == nil {
		var name string
		err := c.QueryRow(ctx, `SELECT name FROM dir_organizations WHERE id = ?`, s.OrganizationID).Scan(&name)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", fmt.Errorf("look up organization: %w", err)
		}
		return name, nil
	}
	s.OrganizationID = s.Organization.ID
	_, err := writeOrganization(ctx, c, source, *s.Organization)
	return s.Organization.Name, err
}

// writeOrganization claims an organisation and, when it was written, its identifiers.
func writeOrganization(ctx context.Context, c store.Conn, source string, o Organization) (Outcome, error) {
	o.Services = nil
	hash, record := hashJSON(o)
	cl, err := claim(ctx, c, "dir_organizations", o.ID, source, hash, columns{}.
		with("name", o.Name).with("record", string(record)).with("updated_at", store.Now()))
	if err != nil || !cl.wrote() {
		return cl.outcome, err
	}
	if _, err := c.Exec(ctx, `DELETE FROM dir_organization_identifiers WHERE organization_pk = ?`, cl.pk); err != nil {
		return "", fmt.Errorf("clear organization identifiers: %w", err)
	}
	for _, id := range o.OrganizationIdentifiers {
		if _, err := insertRow(ctx, c, "dir_organization_identifiers", columns{}.with("organization_pk", cl.pk).
			with("id", id.ID).with("identifier_scheme", id.IdentifierScheme).with("identifier", id.Identifier)); err != nil {
			return "", err
		}
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
var serviceChildTables = []string{"dir_service_at_locations", "dir_contacts", "dir_phones", "dir_schedules",
	"dir_cost_options", "dir_service_areas", "dir_languages", "dir_funding", "dir_attributes"}

func deleteServiceChildren(ctx context.Context, c store.Conn, pk int64) error {
	for _, table := range serviceChildTables {
		if _, err := c.Exec(ctx, `DELETE FROM `+table+` WHERE service_pk = ?`, pk); err != nil {
			return fmt.Errorf("clear %s: %w", table, err)
		}
	}
	return nil
}

// writeServiceChildren writes what is nested in a service and returns the names of the
// taxonomy terms it is classified with, for the search index.
func writeServiceChildren(ctx context.Context, c store.Conn, source string, pk int64, s Service) ([]string, error) {
	if err := writeServiceAtLocations(ctx, c, source, pk, s.ServiceAtLocations); err != nil {
		return nil, err
	}
	if err := writeContacts(ctx, c, pk, s.Contacts); err != nil {
		return nil, err
	}
	if err := writePhones(ctx, c, "service_pk", pk, s.Phones); err != nil {
		return nil, err
	}
	for _, sc := range s.Schedules {
		days, _ := parseByDay(sc.ByDay)
		if err := insertChild(ctx, c, "dir_schedules", pk, sc.ID, columns{}.with("freq", sc.Freq).with("days", days).
			with("opens_at", clockKey(sc.OpensAt)).with("closes_at", clockKey(sc.ClosesAt)).
			with("valid_from", sc.ValidFrom).with("valid_to", sc.ValidTo)); err != nil {
			return nil, err
		}
	}
	for _, o := range s.CostOptions {
		if err := insertChild(ctx, c, "dir_cost_options", pk, o.ID, columns{}.with("amount", nullable(o.Amount))); err != nil {
			return nil, err
		}
	}
	for _, a := range s.ServiceAreas {
		if err := insertChild(ctx, c, "dir_service_areas", pk, a.ID, columns{}.with("name", a.Name)); err != nil {
			return nil, err
		}
	}
	for _, l := range s.Languages {
		if err := insertChild(ctx, c, "dir_languages", pk, l.ID, columns{}.with("code", l.Code)); err != nil {
			return nil, err
		}
	}
	for _, f := range s.Funding {
		if err := insertChild(ctx, c, "dir_funding", pk, f.ID, columns{}); err != nil {
			return nil, err
		}
	}
	return writeAttributes(ctx, c, source, pk, s.Attributes)
}

func insertChild(ctx context.Context, c store.Conn, table string, servicePK int64, id string, cols columns) error {
	_, err := insertRow(ctx, c, table, cols.with("service_pk", servicePK).with("id", id))
	return err
}

func writeServiceAtLocations(ctx context.Context, c store.Conn, source string, pk int64, sals []ServiceAtLocation) error {
	for i, sl := range sals {
		locPK, err := writeLocation(ctx, c, source, *sl.Location)
		if err != nil {
			return err
		}
		_, err = insertRow(ctx, c, "dir_service_at_locations", columns{}.with("id", sl.ID).with("service_pk", pk).with("location_pk", locPK))
		if store.IsUniqueViolation(err) {
			return invalid(fmt.Sprintf("service_at_locations[%d].id", i), "belongs to another service: a service_at_location id must be unique")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// writeLocation claims a location and, when it was written, its addresses, accessibility and
// phones. A position off the globe is kept in the record but not indexed for distance.
func writeLocation(ctx context.Context, c store.Conn, source string, l Location) (int64, error) {
	hash, _ := hashJSON(l)
	var lat, long any
	if l.Latitude != nil && l.Longitude != nil && onGlobe(*l.Latitude, *l.Longitude) {
		lat, long = *l.Latitude, *l.Longitude
	}
	cl, err := claim(ctx, c, "dir_locations", l.ID, source, hash, columns{}.
		with("location_type", string(l.LocationType)).with("name", l.Name).with("latitude", lat).with("longitude", long))
	if err != nil || !cl.wrote() {
		return cl.pk, err
	}
	for _, table := range []string{"dir_addresses", "dir_accessibility", "dir_phones"} {
		if _, err := c.Exec(ctx, `DELETE FROM `+table+` WHERE location_pk = ?`, cl.pk); err != nil {
			return 0, fmt.Errorf("clear %s: %w", table, err)
		}
	}
	for _, a := range l.Addresses {
		if _, err := insertRow(ctx, c, "dir_addresses", columns{}.with("location_pk", cl.pk).with("id", a.ID).
			with("address_type", string(a.AddressType)).with("city", a.City).with("postal_code", a.PostalCode)); err != nil {
			return 0, err
		}
	}
	for _, a := range l.Accessibility {
		if _, err := insertRow(ctx, c, "dir_accessibility", columns{}.with("location_pk", cl.pk).with("id", a.ID).
			with("description", a.Description)); err != nil {
			return 0, err
		}
	}
	return cl.pk, writePhones(ctx, c, "location_pk", cl.pk, l.Phones)
}

func onGlobe(lat, long float64) bool { return lat >= -90 && lat <= 90 && long >= -180 && long <= 180 }

func writeContacts(ctx context.Context, c store.Conn, servicePK int64, contacts []Contact) error {
	for _, k := range contacts {
		pk, err := insertRow(ctx, c, "dir_contacts", columns{}.with("service_pk", servicePK).with("id", k.ID).
			with("name", k.Name).with("internal_only", k.InternalOnly))
		if err != nil {
			return err
		}
		if err := writePhones(ctx, c, "contact_pk", pk, k.Phones); err != nil {
			return err
		}
	}
	return nil
}

// writePhones writes phones that belong to the row ownerPK of the table ownerColumn names.
func writePhones(ctx context.Context, c store.Conn, ownerColumn string, ownerPK int64, phones []Phone) error {
	for _, p := range phones {
		if _, err := insertRow(ctx, c, "dir_phones", columns{}.with(ownerColumn, ownerPK).with("id", p.ID).with("number", p.Number)); err != nil {
			return err
		}
	}
	return nil
}

// writeAttributes writes a service's attributes with their taxonomy terms. A term given only
// by id must already be known, so that every category a service shows can be looked up.
func writeAttributes(ctx context.Context, c store.Conn, source string, pk int64, attrs []Attribute) ([]string, error) {
	var names []string
	for i, a := range attrs {
		term, err := attributeTerm(ctx, c, source, a)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, invalid(fmt.Sprintf("attributes[%d].taxonomy_term_id", i), "is not a known taxonomy term: nest the term, or load its taxonomy first")
		}
		if err != nil {
			return nil, err
		}
		names = append(names, term.Name)
		if err := insertChild(ctx, c, "dir_attributes", pk, a.ID, columns{}.with("taxonomy_term_id", term.ID).
			with("taxonomy_id", term.TaxonomyID).with("link_type", a.LinkType)); err != nil {
			return nil, err
		}
	}
	return names, nil
}

// attributeTerm writes the attribute's nested term, or reads the known term it names.
func attributeTerm(ctx context.Context, c store.Conn, source string, a Attribute) (TaxonomyTerm, error) {
	if a.TaxonomyTerm != nil {
		_, err := writeTerm(ctx, c, source, *a.TaxonomyTerm)
		return *a.TaxonomyTerm, err
	}
	var t TaxonomyTerm
	err := c.QueryRow(ctx, `SELECT id, name, taxonomy_id FROM dir_taxonomy_terms WHERE id = ?`, a.TaxonomyTermID).
		Scan(&t.ID, &t.Name, &t.TaxonomyID)
	return t, err
}

func writeTerm(ctx context.Context, c store.Conn, source string, t TaxonomyTerm) (Outcome, error) {
	hash, record := hashJSON(t)
	cl, err := claim(ctx, c, "dir_taxonomy_terms", t.ID, source, hash, columns{}.with("taxonomy_id", t.TaxonomyID).
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
