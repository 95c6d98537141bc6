package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

// GetService returns a service fully nested, as aud may see it.
func (d *Directory) GetService(ctx context.Context, aud Audience, id string) (Service, error) {
	var record string
	err := d.db.Reader().QueryRow(ctx, `SELECT r.record FROM dir_services s JOIN dir_service_records r ON r.service_pk = s.pk
		WHERE s.id = ?`+audienceClause(aud, "s.internal_only"),
		append([]any{id}, audienceArgs(aud)...)...).Scan(&record)
	if errors.Is(err, sql.ErrNoRows) {
		return Service{}, apperr.New(apperr.NotFound, "No service has the id %s", id)
	}
	if err != nil {
		return Service{}, apperr.Wrap("get service", err)
	}
	s, err := decodeService(record)
	return s.forAudience(aud), apperr.Wrap("get service", err)
}

// GetServices returns the services with the ids, fully nested, in one query, keyed by id.
// An id that names no service the audience may see is missing from the map.
func (d *Directory) GetServices(ctx context.Context, aud Audience, ids []string) (map[string]Service, error) {
	out := make(map[string]Service, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(ids)+1)
	for _, id := range ids {
		args = append(args, id)
	}
	list, err := queryRecords(ctx, d.db.Reader(), `SELECT r.record FROM dir_services s JOIN dir_service_records r ON r.service_pk = s.pk
		WHERE s.id IN `+store.In(len(ids))+audienceClause(aud, "s.internal_only"), append(args, audienceArgs(aud)...)...)
	if err != nil {
		return nil, apperr.Wrap("get services", err)
	}
	for _, s := range list {
		out[s.ID] = s.forAudience(aud)
	}
	return out, nil
}

// ListServices returns a page of the services that match f, with only their one-to-one fields
// and organisation, as ORUK's /services lists them. With words to search for, the best matches
// come first. Otherwise practitioners see them in order of name, and the open feed in the
// order they were first stored: a harvester walking its pages then misses nothing and sees
// nothing twice when services are added or renamed meanwhile (new ones come last), and a page
// of the whole feed is one range of dir_service_entries.
func (d *Directory) ListServices(ctx context.Context, aud Audience, f Filter, p Page) (Results[Service], error) {
	p = p.normal()
	res := Results[Service]{Page: p}
	err := d.db.ReadTx(ctx, func(c store.Conn) error {
		gen, err := generation(ctx, c)
		if err != nil {
			return err
		}
		pks, total, err := d.pageOfServices(ctx, c, gen, aud, f, p)
		res.Total = total
		if err != nil || len(pks) == 0 {
			return err
		}
		services, err := servicesByPK(ctx, c, pks)
		for _, pk := range pks {
			res.Items = append(res.Items, services[pk].forAudience(aud).summary())
		}
		return err
	})
	return res, apperr.Wrap("list services", err)
}

// pageOfServices finds the pks of the services on page p of those that match f, in order,
// and how many match in all, with the directory at generation gen.
func (d *Directory) pageOfServices(ctx context.Context, c store.Conn, gen int64, aud Audience, f Filter, p Page) (pks []int64, total int, err error) {
	q, key := buildServiceQuery(c, aud, f, false), listKey(aud, f)
	all, cached := d.lists.get(key, gen)
	if !cached {
		if total, err = countServices(ctx, c, aud, f); err != nil {
			return nil, 0, err
		}
		// The whole list is worked out once and kept for the pages after this one, while
		// the directory stays at this generation.
		if cached = d.lists.fits(total); cached {
			if all, err = queryPKs(ctx, c, `SELECT `+q.key+` FROM `+q.from+q.where()+` ORDER BY `+q.order, q.args...); err != nil {
				return nil, 0, err
			}
			d.lists.put(key, gen, all)
		}
	}
	if cached {
		return all[min(p.offset(), len(all)):min(p.offset()+p.Size, len(all))], len(all), nil
	}
	// The page's services are found first, from the indexes alone, and only then are their
	// records read: joining the records in the same query read every record the OFFSET
	// skipped (over 400 ms for a page half way through 150,000 services).
	pks, err = queryPKs(ctx, c, `SELECT `+q.key+` FROM `+q.from+q.where()+` ORDER BY `+q.order+` LIMIT ? OFFSET ?`,
		append(q.args, p.Size, p.offset())...)
	return pks, total, err
}

// listServiceEntries is the public's ListServices with each service as the open feed lists
// it, already encoded (dir_service_entries), with the directory at generation gen. The
// entries are read into buf, so they are good only until buf is used again.
func (d *Directory) listServiceEntries(ctx context.Context, c store.Conn, gen int64, f Filter, p Page, buf *[]byte) (Results[json.RawMessage], error) {
	res := Results[json.RawMessage]{Page: p}
	pks, total, err := d.pageOfServices(ctx, c, gen, Public, f, p)
	res.Total = total
	if err != nil || len(pks) == 0 {
		return res, err
	}
	if f == (Filter{}) { // the whole feed, in the entries' own order
		res.Items, err = feedEntries(ctx, c, pks, buf)
	} else {
		res.Items, err = listEntries(ctx, c, pks, buf)
	}
	return res, err
}

// listEntry is s as the open feed lists it, encoded.
func listEntry(s Service) []byte {
	b, _ := json.Marshal(s.forAudience(Public).summary()) // the directory's types always marshal
	return b
}

// The queries of list entries read the directory's generation too, in the same statement and
// so from the same snapshot (see pageInOneRead).
const feedEntriesQuery = `SELECT (SELECT n FROM dir_generation), service_pk, entry FROM dir_service_entries
	WHERE service_pk >= ? ORDER BY service_pk LIMIT ?`

func listEntriesQuery(n int) string {
	return `SELECT (SELECT n FROM dir_generation), service_pk, entry FROM dir_service_entries WHERE service_pk IN ` + store.In(n)
}

// feedEntries reads the list entries of pks, a run of the whole open feed in its order, as
// one range of dir_service_entries from the first. If the range is not exactly pks (a service
// not yet given its entry), they are read one by one instead.
func feedEntries(ctx context.Context, c store.Conn, pks []int64, buf *[]byte) ([]json.RawMessage, error) {
	rows, err := c.Query(ctx, feedEntriesQuery, pks[0], len(pks))
	if err != nil {
		return nil, fmt.Errorf("read list entries: %w", err)
	}
	_, found, entries, err := scanEntries(rows, len(pks), buf)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(found, pks) {
		return listEntries(ctx, c, pks, buf)
	}
	return entries, nil
}

// listEntries reads the list entries of the services pks, in the order of pks. A service
// stored before entries were kept has its entry made from its record.
func listEntries(ctx context.Context, c store.Conn, pks []int64, buf *[]byte) ([]json.RawMessage, error) {
	rows, err := c.Query(ctx, listEntriesQuery(len(pks)), store.Args(pks)...)
	if err != nil {
		return nil, fmt.Errorf("read list entries: %w", err)
	}
	_, found, list, err := scanEntries(rows, len(pks), buf)
	if err != nil {
		return nil, err
	}
	if entries, ok := inOrder(pks, found, list); ok {
		return entries, nil
	}
	entries := make(map[int64]json.RawMessage, len(pks))
	for i, pk := range found {
		entries[pk] = list[i]
	}
	var missing []int64
	for _, pk := range pks {
		if entries[pk] == nil {
			missing = append(missing, pk)
		}
	}
	if len(missing) > 0 {
		services, err := servicesByPK(ctx, c, missing)
		if err != nil {
			return nil, err
		}
		for pk, s := range services {
			entries[pk] = listEntry(s)
		}
	}
	out := make([]json.RawMessage, 0, len(pks))
	for _, pk := range pks {
		if e := entries[pk]; e != nil {
			out = append(out, e)
		}
	}
	return out, nil
}

// inOrder puts the entries found (for the pks found) in the order of pks, if there is one for
// every pk.
func inOrder(pks, found []int64, entries []json.RawMessage) ([]json.RawMessage, bool) {
	if slices.Equal(found, pks) {
		return entries, true
	}
	if len(found) != len(pks) {
		return nil, false
	}
	at := make(map[int64]int, len(found))
	for i, pk := range found {
		at[pk] = i
	}
	out := make([]json.RawMessage, len(pks))
	for i, pk := range pks {
		j, ok := at[pk]
		if !ok {
			return nil, false
		}
		out[i] = entries[j]
	}
	return out, true
}

// scanEntries reads rows of (generation, service_pk, entry), copying the entries into buf,
// emptied first, rather than one allocation each, and closes rows. gen is the generation the
// rows were read at, or 0 when there were none.
func scanEntries(rows *sql.Rows, n int, buf *[]byte) (gen int64, pks []int64, entries []json.RawMessage, err error) {
	defer rows.Close()
	pks, entries = make([]int64, 0, n), make([]json.RawMessage, 0, n)
	ends := make([]int, 0, n)
	b := (*buf)[:0]
	for rows.Next() {
		var pk int64
		var entry sql.RawBytes
		if err := rows.Scan(&gen, &pk, &entry); err != nil {
			return 0, nil, nil, fmt.Errorf("read list entries: %w", err)
		}
		b = append(b, entry...)
		pks, ends = append(pks, pk), append(ends, len(b))
	}
	*buf = b
	if err := rows.Err(); err != nil {
		return 0, nil, nil, fmt.Errorf("read list entries: %w", err)
	}
	start := 0
	for _, end := range ends {
		entries = append(entries, b[start:end:end])
		start = end
	}
	return gen, pks, entries, nil
}

// countServices counts the services that match f that aud may see.
func countServices(ctx context.Context, c store.Conn, aud Audience, f Filter) (int, error) {
	cq := buildServiceQuery(c, aud, f, true)
	count, args := `SELECT COUNT(*) FROM `+cq.from+cq.where(), cq.args
	switch {
	// Every service, less the internal-only ones for the open feed: SQLite counts a whole
	// table from its smallest index without visiting each row, where counting the public
	// ones took 5 ms of every page of the feed.
	case f == (Filter{}) && aud == Practitioners:
		count, args = `SELECT COUNT(*) FROM dir_services`, nil
	case f == (Filter{}):
		count, args = `SELECT (SELECT COUNT(*) FROM dir_services) - (SELECT COUNT(*) FROM dir_services WHERE internal_only = ?)`, []any{true}
	}
	var n int
	if err := c.QueryRow(ctx, count, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count services: %w", err)
	}
	return n, nil
}

// serviceQuery is the FROM, WHERE and ORDER BY of a search of services, aliased s.
type serviceQuery struct {
	from  string
	conds []string
	args  []any
	order string
	key   string // the column that holds each service's pk: s.pk, or m.rowid (see buildServiceQuery)
}

func (q serviceQuery) where() string {
	if len(q.conds) == 0 {
		return ""
	}
	return ` WHERE ` + strings.Join(q.conds, ` AND `)
}

func (q *serviceQuery) and(cond string, args ...any) {
	q.conds = append(q.conds, cond)
	q.args = append(q.args, args...)
}

// buildServiceQuery turns a filter into SQL, to list the services that match (ordered) or to
// count them (counting). Words to search for drive a list, which ranks every match (CROSS JOIN
// keeps SQLite from reading every service and looking each up in the index, which took
// seconds); a count only asks whether a service matches. With nothing but words, the services
// are not read at all: the open feed leaves out the few internal-only ones by their pks, where
// reading each matching service took most of the 40 ms of a page of a common word. The
// filters on categories and schedules look the matching services up in their own indexes (see
// filter). Ties in rank go by pk.
func buildServiceQuery(c store.Conn, aud Audience, f Filter, counting bool) serviceQuery {
	q := serviceQuery{from: `dir_services s`, order: `s.name, s.pk`, key: `s.pk`}
	if aud == Public {
		q.order = `s.pk`
	}
	match, args, ok := serviceSearch.Match(c, f.Search)
	switch {
	case !ok:
	case f == (Filter{Search: f.Search}):
		q = serviceQuery{from: `(` + match + `) m`, args: args, order: `m.rank, m.rowid`, key: `m.rowid`}
		if aud != Practitioners {
			q.and(`m.rowid NOT IN (SELECT pk FROM dir_services WHERE internal_only = ?)`, true)
		}
		return q
	case counting:
		q.and(`s.pk IN (SELECT rowid FROM (`+match+`) m)`, args...)
	default:
		q.from = `(` + match + `) m CROSS JOIN dir_services s`
		q.args = args
		q.and(`s.pk = m.rowid`)
		q.order = `m.rank, s.pk`
	}
	q.filter(aud, f, false)
	return q
}

// filter adds the conditions of f, and of what aud may see, on the services aliased s. The
// conditions on categories, schedules, costs and accessibility look the matching services up
// in their own indexes, with IN, so that a rare category or day drives the query; with
// correlated, they are checked service by service instead, for a query that something else
// drives (a box around a point), where building the whole list each time costs more than the
// few services in the box.
func (q *serviceQuery) filter(aud Audience, f Filter, correlated bool) {
	// among is the condition that s is one of the services a subquery on table, aliased x,
	// finds: "s.pk IN (SELECT x.service_pk ...)" or "EXISTS (... AND x.service_pk = s.pk)".
	among := func(table, where string, args ...any) {
		if correlated {
			q.and(`EXISTS (SELECT 1 FROM `+table+` x WHERE x.service_pk = s.pk AND `+where+`)`, args...)
		} else {
			q.and(`s.pk IN (SELECT x.service_pk FROM `+table+` x WHERE `+where+`)`, args...)
		}
	}
	if aud != Practitioners {
		q.and(`s.internal_only = ?`, false)
	}
	if f.TaxonomyTermID != "" {
		among(`dir_attributes`, `x.taxonomy_term_id = ?`, f.TaxonomyTermID)
	}
	if f.TaxonomyID != "" {
		among(`dir_attributes`, `x.taxonomy_id = ?`, f.TaxonomyID)
	}
	if f.OrganizationID != "" {
		q.and(`s.organization_id = ?`, f.OrganizationID)
	}
	// No minimum counts as 0 and no maximum as unlimited, so a NULL fails both comparisons
	// except a minimum_age filter of 0, which every service passes.
	if f.MinimumAge != nil && *f.MinimumAge > 0 {
		q.and(`s.minimum_age >= ?`, *f.MinimumAge)
	}
	if f.MaximumAge != nil {
		q.and(`s.maximum_age <= ?`, *f.MaximumAge)
	}
	if f.Age != nil {
		q.and(`(s.minimum_age IS NULL OR s.minimum_age <= ?) AND (s.maximum_age IS NULL OR s.maximum_age >= ?)`, *f.Age, *f.Age)
	}
	if sched, args := scheduleConds(f); sched != "" {
		among(`dir_schedules`, sched, args...)
	}
	if !f.ModifiedAfter.IsZero() {
		q.and(`s.modified_at >= ?`, f.ModifiedAfter.UTC())
	}
	if f.Capacity != "" {
		q.and(`s.capacity = ?`, string(f.Capacity))
	}
	if f.ReferralRoute != "" {
		q.and(`s.referral_route = ?`, string(f.ReferralRoute))
	}
	if f.LowCost {
		if correlated {
			q.and(`NOT EXISTS (SELECT 1 FROM dir_cost_options x WHERE x.service_pk = s.pk AND x.amount > ?)`, LowCostLimit)
		} else {
			q.and(`s.pk NOT IN (SELECT service_pk FROM dir_cost_options WHERE amount > ?)`, LowCostLimit)
		}
	}
	if f.Accessible {
		among(`dir_service_at_locations`, `EXISTS (SELECT 1 FROM dir_accessibility a WHERE a.location_pk = x.location_pk)`)
	}
}

// scheduleConds is the conditions one schedule must meet for the day and times asked for.
func scheduleConds(f Filter) (string, []any) {
	var conds []string
	var args []any
	if bit := f.Day.bit(); bit != 0 {
		conds = append(conds, `(days & ?) <> 0`)
		args = append(args, bit)
	}
	if f.StartTime != "" {
		conds = append(conds, `opens_at <> '' AND opens_at >= ?`)
		args = append(args, clockKey(f.StartTime))
	}
	if f.EndTime != "" {
		conds = append(conds, `closes_at <> '' AND closes_at <= ?`)
		args = append(args, clockKey(f.EndTime))
	}
	return strings.Join(conds, ` AND `), args
}

func audienceClause(aud Audience, column string) string {
	if aud == Practitioners {
		return ""
	}
	return ` AND ` + column + ` = ?`
}

func audienceArgs(aud Audience) []any {
	if aud == Practitioners {
		return nil
	}
	return []any{false}
}

// queryPKs runs a query whose only column is a service's pk.
func queryPKs(ctx context.Context, c store.Conn, query string, args ...any) ([]int64, error) {
	return queryColumn[int64](ctx, c, query, args...)
}

// queryRecords runs a query whose only column is a service's record and decodes each.
func queryRecords(ctx context.Context, c store.Conn, query string, args ...any) ([]Service, error) {
	records, err := queryColumn[string](ctx, c, query, args...)
	if err != nil {
		return nil, err
	}
	out := make([]Service, 0, len(records))
	for _, record := range records {
		s, err := decodeService(record)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// queryColumn runs a query of services that returns one column, and reads it.
func queryColumn[T any](ctx context.Context, c store.Conn, query string, args ...any) ([]T, error) {
	rows, err := c.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query services: %w", err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read service: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// decodeService reads a stored record, which was valid when it was written.
func decodeService(record string) (Service, error) {
	var s Service
	if err := json.Unmarshal([]byte(record), &s); err != nil {
		return Service{}, fmt.Errorf("decode stored service: %w", err)
	}
	if s.Organization != nil {
		s.OrganizationID = s.Organization.ID
	}
	return s, nil
}

// forAudience returns s as aud may see it. Callers have already left out the services aud may
// not see at all.
func (s Service) forAudience(aud Audience) Service {
	if aud == Practitioners {
		return s
	}
	s.VerifiedBy = ""
	var open []Contact
	for _, k := range s.Contacts {
		if !k.InternalOnly {
			open = append(open, k)
		}
	}
	s.Contacts = open
	return s
}

// summary is s with only its one-to-one fields and its organisation's, as ORUK lists them.
func (s Service) summary() Service {
	out := Service{
		ID: s.ID, OrganizationID: s.OrganizationID, Name: s.Name, Description: s.Description, URL: s.URL,
		Email: s.Email, Status: s.Status, Fees: s.Fees, Accreditations: s.Accreditations,
		MinimumAge: s.MinimumAge, MaximumAge: s.MaximumAge, AssuredDate: s.AssuredDate, AssurerEmail: s.AssurerEmail,
		Alert: s.Alert, LastModified: s.LastModified, SocialPrescribing: s.SocialPrescribing,
	}
	if s.Organization != nil {
		o := s.Organization.summary()
		out.Organization = &o
	}
	return out
}

func (o Organization) summary() Organization {
	return Organization{ID: o.ID, Name: o.Name, Description: o.Description, Email: o.Email, Website: o.Website,
		Logo: o.Logo, URI: o.URI, ParentOrganizationID: o.ParentOrganizationID}
}

// FillListEntries writes the list entry of every service stored without one, before the
// entries were kept, a batch of 500 services to a transaction, and says how many it wrote.
// Pages read the entries a service lacks from its record in the meantime, so what the feed
// serves is the same before, during and after.
//
// On PostgreSQL an import may write a service while this runs. The services filled are
// locked first, and one an import has locked is left to it, so that an import never finds a
// fill's entry where it inserts its own; an entry that an import committed after this
// transaction's snapshot is left as the import wrote it.
func (d *Directory) FillListEntries(ctx context.Context) (int, error) {
	lock := ""
	if d.db.Dialect == store.Postgres {
		lock = ` FOR UPDATE OF s SKIP LOCKED`
	}
	filled := 0
	for after := int64(0); ; {
		var n int
		var last int64
		err := d.db.Tx(ctx, func(c store.Conn) error {
			rows, err := c.Query(ctx, `SELECT s.pk, r.record FROM dir_services s JOIN dir_service_records r ON r.service_pk = s.pk
				WHERE s.pk > ? AND s.internal_only = ? AND NOT EXISTS (SELECT 1 FROM dir_service_entries e WHERE e.service_pk = s.pk)
				ORDER BY s.pk LIMIT 500`+lock, after, false)
			if err != nil {
				return fmt.Errorf("find services without list entries: %w", err)
			}
			type fill struct {
				pk    int64
				entry string
			}
			var fills []fill
			for rows.Next() {
				var f fill
				var record string
				if err := rows.Scan(&f.pk, &record); err != nil {
					rows.Close()
					return fmt.Errorf("find services without list entries: %w", err)
				}
				s, err := decodeService(record)
				if err != nil {
					rows.Close()
					return err
				}
				f.entry = string(listEntry(s))
				fills = append(fills, f)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("find services without list entries: %w", err)
			}
			for _, f := range fills {
				if _, err := c.Exec(ctx, `INSERT INTO dir_service_entries (service_pk, entry) VALUES (?, ?)
					ON CONFLICT (service_pk) DO NOTHING`, f.pk, f.entry); err != nil {
					return fmt.Errorf("fill list entry: %w", err)
				}
				last = f.pk
			}
			n = len(fills)
			return nil
		})
		if err != nil {
			return filled, apperr.Wrap("fill list entries", err)
		}
		filled, after = filled+n, last
		if n == 0 {
			return filled, nil
		}
	}
}
