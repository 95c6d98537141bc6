package directory

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

const (
	earthRadius = 6371008.8 // metres: the mean radius, as the haversine distance uses
	maxRadius   = 1_000_000 // metres: the widest proximity a search may ask for
	// firstReach is how far a search from a point without a radius looks first; it looks
	// four times as far each time it has not found enough.
	firstReach = 5_000
)

// ListServiceAtLocations returns a page of the services at locations whose services match f.
// Each item has its location fully nested and its service with one-to-one fields only.
//
// With near, only locations with a known position are listed, nearest first, each with its
// Distance in metres; near.Radius, when set, leaves out those further away. Without near they
// are in the order ListServices gives their services.
func (d *Directory) ListServiceAtLocations(ctx context.Context, aud Audience, f Filter, near *Near, p Page) (Results[ServiceAtLocation], error) {
	p = p.normal()
	res := Results[ServiceAtLocation]{Page: p}
	err := d.db.ReadTx(ctx, func(c store.Conn) error {
		var hits []salHit
		var err error
		if near == nil {
			hits, res.Total, err = salsInOrder(ctx, c, aud, f, p)
		} else {
			hits, res.Total, err = salsNearest(ctx, c, aud, f, *near, p)
		}
		if err != nil {
			return err
		}
		res.Items, err = loadSALs(ctx, c, aud, hits)
		return err
	})
	return res, apperr.Wrap("list services at locations", err)
}

// salHit is a service at a location found by a search, before its record is read.
type salHit struct {
	pk        int64 // known from a search near a point, which reads ids only for its page
	id        string
	servicePK int64
	distance  *float64
}

// salFrom joins the services at locations of the services a query finds.
func salFrom(q serviceQuery) string {
	return ` JOIN dir_service_at_locations sal ON sal.service_pk = ` + q.key
}

func salsInOrder(ctx context.Context, c store.Conn, aud Audience, f Filter, p Page) ([]salHit, int, error) {
	q, cq := buildServiceQuery(c, aud, f, false), buildServiceQuery(c, aud, f, true)
	var total int
	if err := c.QueryRow(ctx, `SELECT COUNT(*) FROM `+cq.from+salFrom(cq)+cq.where(), cq.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count services at locations: %w", err)
	}
	rows, err := c.Query(ctx, `SELECT sal.id, `+q.key+` FROM `+q.from+salFrom(q)+q.where()+` ORDER BY `+q.order+`, sal.pk LIMIT ? OFFSET ?`,
		append(q.args, p.Size, p.offset())...)
	if err != nil {
		return nil, 0, fmt.Errorf("list services at locations: %w", err)
	}
	defer rows.Close()
	var hits []salHit
	for rows.Next() {
		var h salHit
		if err := rows.Scan(&h.id, &h.servicePK); err != nil {
			return nil, 0, fmt.Errorf("list services at locations: %w", err)
		}
		hits = append(hits, h)
	}
	return hits, total, rows.Err()
}

// salsNearest finds the page of nearest services at locations. The database narrows them to a
// box of latitude and longitude around the point, which its index on position answers; the
// exact distance is then worked out here. Without a radius the box grows until it holds every
// item up to the end of the page, or the whole world.
func salsNearest(ctx context.Context, c store.Conn, aud Audience, f Filter, near Near, p Page) ([]salHit, int, error) {
	want := p.offset() + p.Size
	reach := near.Radius
	if reach == 0 {
		reach = firstReach
	}
	for {
		everywhere := near.Radius == 0 && reach >= maxRadius
		hits, err := salsWithin(ctx, c, aud, f, near, reach, everywhere)
		if err != nil {
			return nil, 0, err
		}
		if near.Radius > 0 || len(hits) >= want || everywhere {
			total := len(hits)
			if near.Radius == 0 {
				if total, err = countPositioned(ctx, c, aud, f); err != nil {
					return nil, 0, err
				}
			}
			page := hits[min(p.offset(), len(hits)):min(want, len(hits))]
			return page, total, salIDs(ctx, c, page)
		}
		reach *= 4
	}
}

// salsWithin returns the services at locations within reach metres of near (or, everywhere,
// all with a position), nearest first.
func salsWithin(ctx context.Context, c store.Conn, aud Audience, f Filter, near Near, reach float64, everywhere bool) ([]salHit, error) {
	q := positionedQuery(c, aud, f, !everywhere)
	if !everywhere {
		box := boxAround(near.Latitude, near.Longitude, reach)
		// Each band of latitude is read between the box's longitudes: with the bands as a list,
		// SQLite and PostgreSQL seek each band's range in dir_positions_box; past
		// maxListedBands, a range of bands reads them whole.
		lo, hi := latitudeBand(box.south), latitudeBand(box.north)
		if hi-lo < maxListedBands {
			bands := make([]any, 0, hi-lo+1)
			for b := lo; b <= hi; b++ {
				bands = append(bands, b)
			}
			q.and(`p.band IN `+store.In(len(bands)), bands...)
		} else {
			q.and(`p.band BETWEEN ? AND ?`, lo, hi)
		}
		q.and(`p.latitude BETWEEN ? AND ?`, box.south, box.north)
		if box.west < box.east { // a box across the 180th meridian is narrowed by latitude alone
			q.and(`p.longitude BETWEEN ? AND ?`, box.west, box.east)
		}
	}
	rows, err := c.Query(ctx, `SELECT p.sal_pk, p.service_pk, p.latitude, p.longitude FROM `+q.from+q.where(), q.args...)
	if err != nil {
		return nil, fmt.Errorf("find services near a point: %w", err)
	}
	defer rows.Close()
	var hits []salHit
	for rows.Next() {
		var h salHit
		var lat, long float64
		if err := rows.Scan(&h.pk, &h.servicePK, &lat, &long); err != nil {
			return nil, fmt.Errorf("find services near a point: %w", err)
		}
		if dist := Distance(near.Latitude, near.Longitude, lat, long); everywhere || dist <= reach {
			h.distance = &dist
			hits = append(hits, h)
		}
	}
	slices.SortFunc(hits, func(a, b salHit) int { return cmp.Or(cmp.Compare(*a.distance, *b.distance), cmp.Compare(a.pk, b.pk)) })
	return hits, rows.Err()
}

// maxListedBands is how many bands of latitude a search lists one by one (2 degrees, about
// 220 km); a wider search reads a range of them.
const maxListedBands = 2 * bandsPerDegree

// salIDs fills in the ids of the hits, which a search near a point found by pk.
func salIDs(ctx context.Context, c store.Conn, hits []salHit) error {
	if len(hits) == 0 {
		return nil
	}
	pks := make([]any, len(hits))
	for i, h := range hits {
		pks[i] = h.pk
	}
	rows, err := c.Query(ctx, `SELECT pk, id FROM dir_service_at_locations WHERE pk IN `+store.In(len(pks)), pks...)
	if err != nil {
		return fmt.Errorf("read services at locations: %w", err)
	}
	defer rows.Close()
	ids := make(map[int64]string, len(hits))
	for rows.Next() {
		var pk int64
		var id string
		if err := rows.Scan(&pk, &id); err != nil {
			return fmt.Errorf("read services at locations: %w", err)
		}
		ids[pk] = id
	}
	for i := range hits {
		hits[i].id = ids[hits[i].pk]
	}
	return rows.Err()
}

// positionedQuery is the services at locations with a position whose services match f, from
// dir_positions aliased p, and the services aliased s when a condition needs them. Searches
// narrow p to a box that its index answers; CROSS JOIN keeps SQLite's planner from starting at
// the services instead, and means an inner join to PostgreSQL.
//
// A search in a box reads the box and checks each point against the words (inBox); a count
// of every match anywhere looks the words' services up in dir_positions_service instead.
func positionedQuery(c store.Conn, aud Audience, f Filter, inBox bool) serviceQuery {
	q := serviceQuery{from: `dir_positions p`}
	if match, args, ok := serviceSearch.Match(c, f.Search); ok {
		// service_pk + 0 hides the column from SQLite's planner, which would otherwise look
		// the matches up one by one rather than read the box.
		column := `p.service_pk`
		if inBox {
			column += ` + 0`
		}
		q.and(column+` IN (SELECT rowid FROM (`+match+`) m)`, args...)
	}
	if aud == Practitioners && f == (Filter{Search: f.Search}) {
		return q // nothing else to check, so the services need not be read
	}
	q.from += ` CROSS JOIN dir_services s`
	q.and(`s.pk = p.service_pk`)
	q.filter(aud, f, true)
	return q
}

func countPositioned(ctx context.Context, c store.Conn, aud Audience, f Filter) (int, error) {
	q := positionedQuery(c, aud, f, false)
	var n int
	err := c.QueryRow(ctx, `SELECT COUNT(*) FROM `+q.from+q.where(), q.args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count services at locations: %w", err)
	}
	return n, nil
}

// box is a range of latitude and longitude in degrees.
type box struct{ south, north, west, east float64 }

// boxAround returns a box that holds every point within reach metres of (lat, long). Its
// longitude range is wrapped (west > east) when it crosses the 180th meridian, and spans the
// globe near the poles.
func boxAround(lat, long, reach float64) box {
	dLat := reach / earthRadius * 180 / math.Pi
	b := box{south: math.Max(lat-dLat, -90), north: math.Min(lat+dLat, 90), west: -180, east: 180}
	widest := math.Max(math.Abs(b.south), math.Abs(b.north))
	if widest >= 89.9 {
		return b
	}
	dLong := dLat / math.Cos(widest*math.Pi/180)
	if dLong >= 180 {
		return b
	}
	b.west, b.east = long-dLong, long+dLong
	if b.west < -180 {
		b.west += 360
	}
	if b.east > 180 {
		b.east -= 360
	}
	return b
}

// Distance is the great-circle distance in metres between two points given in degrees, by
// the haversine formula on a sphere of the Earth's mean radius.
func Distance(lat1, long1, lat2, long2 float64) float64 {
	φ1, φ2 := lat1*math.Pi/180, lat2*math.Pi/180
	dφ, dλ := φ2-φ1, (long2-long1)*math.Pi/180
	h := math.Sin(dφ/2)*math.Sin(dφ/2) + math.Cos(φ1)*math.Cos(φ2)*math.Sin(dλ/2)*math.Sin(dλ/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

// loadSALs reads the services of the hits and builds the list items in the hits' order.
func loadSALs(ctx context.Context, c store.Conn, aud Audience, hits []salHit) ([]ServiceAtLocation, error) {
	if len(hits) == 0 {
		return nil, nil
	}
	pks := make([]int64, len(hits))
	for i, h := range hits {
		pks[i] = h.servicePK
	}
	services, err := servicesByPK(ctx, c, pks)
	if err != nil {
		return nil, err
	}
	out := make([]ServiceAtLocation, 0, len(hits))
	for _, h := range hits {
		s := services[h.servicePK].forAudience(aud)
		sl := s.serviceAtLocation(h.id, s.summary())
		sl.Distance = h.distance
		out = append(out, sl)
	}
	return out, nil
}

// servicesByPK reads the stored records of the services pks, in one query.
func servicesByPK(ctx context.Context, c store.Conn, pks []int64) (map[int64]Service, error) {
	args := store.Args(pks)
	rows, err := c.Query(ctx, `SELECT service_pk, record FROM dir_service_records WHERE service_pk IN `+store.In(len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("read services: %w", err)
	}
	defer rows.Close()
	services := make(map[int64]Service, len(pks))
	for rows.Next() {
		var pk int64
		var record string
		if err := rows.Scan(&pk, &record); err != nil {
			return nil, fmt.Errorf("read services: %w", err)
		}
		if services[pk], err = decodeService(record); err != nil {
			return nil, err
		}
	}
	return services, rows.Err()
}

// serviceAtLocation returns s's service at a location with id, carrying service as its
// service.
func (s Service) serviceAtLocation(id string, service Service) ServiceAtLocation {
	for _, sl := range s.ServiceAtLocations {
		if sl.ID == id {
			sl.ServiceID, sl.Service = s.ID, &service
			sl.LocationID = sl.Location.ID
			return sl
		}
	}
	return ServiceAtLocation{ID: id, ServiceID: s.ID, Service: &service}
}

// GetServiceAtLocation returns a service at a location with its location and its service
// fully nested, as aud may see them.
func (d *Directory) GetServiceAtLocation(ctx context.Context, aud Audience, id string) (ServiceAtLocation, error) {
	var record string
	err := d.db.Reader().QueryRow(ctx, `SELECT r.record FROM dir_service_at_locations sal JOIN dir_services s ON s.pk = sal.service_pk
		JOIN dir_service_records r ON r.service_pk = s.pk WHERE sal.id = ?`+audienceClause(aud, "s.internal_only"), append([]any{id}, audienceArgs(aud)...)...).Scan(&record)
	if errors.Is(err, sql.ErrNoRows) {
		return ServiceAtLocation{}, apperr.New(apperr.NotFound, "No service at a location has the id %s", id)
	}
	if err != nil {
		return ServiceAtLocation{}, apperr.Wrap("get service at location", err)
	}
	s, err := decodeService(record)
	if err != nil {
		return ServiceAtLocation{}, apperr.Wrap("get service at location", err)
	}
	s = s.forAudience(aud)
	full := s
	full.ServiceAtLocations = nil // the location is given beside it
	return s.serviceAtLocation(id, full), nil
}
