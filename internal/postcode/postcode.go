// Package postcode turns what people type as a UK postcode into a place: a point for distance,
// and the small-area geography (LSOA, ICB, deprivation) from the ONS Postcode Directory, which
// this package also imports.
package postcode

import (
	"context"
	"math"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

// Point is a WGS84 position in decimal degrees.
type Point struct {
	Lat, Long float64
}

// Place is where a postcode, or an outward code on its own, is.
type Place struct {
	// Postcode is the normalised postcode ("AB10 1AA"), or the outward code ("AB10") when
	// Approximate.
	Postcode string
	Outward  string
	Point
	// Approximate is true when only an outward code was given: Point is then the mean of its
	// postcodes' points, and the small-area fields below are empty.
	Approximate bool
	Country     string // ONS country code, e.g. E92000001; "" when not known
	LSOA21      string // 2021 lower layer super output area; "" outside England and Wales
	ICB         string // integrated care board; "" outside England
	IMDRank     int    // deprivation rank within the country, 1 = most deprived; 0 when not known
	IMDDecile   int    // 1 (most deprived tenth of the country's areas) to 10; 0 when not known
}

// Lookup finds the place for a full postcode, or the approximate centre of an outward code.
// Input it cannot read is apperr.Invalid; a postcode it does not hold is apperr.NotFound, with
// a message that can be shown as it is.
func Lookup(ctx context.Context, c store.Conn, input string) (Place, error) {
	const op = "look up postcode"
	outward, inward, err := split(input)
	if err != nil {
		return Place{}, err
	}
	if inward == "" {
		p, err := outwardCentre(ctx, c, outward)
		if err != nil {
			return Place{}, apperr.Wrap(op, err)
		}
		return p, nil
	}
	p, err := findPostcode(ctx, c, outward+" "+inward)
	if err != nil {
		return Place{}, apperr.Wrap(op, err)
	}
	return p, nil
}

// earthRadius is the IUGG mean radius of the Earth in metres.
const earthRadius = 6_371_008.8

// Distance is the great-circle distance between two points in metres, by the haversine
// formula on a spherical Earth (within about 0.5% of the true distance on the ellipsoid).
func Distance(a, b Point) float64 {
	rad := func(deg float64) float64 { return deg * math.Pi / 180 }
	dLat := rad(b.Lat - a.Lat)
	dLong := rad(b.Long - a.Long)
	h := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(rad(a.Lat))*math.Cos(rad(b.Lat))*math.Sin(dLong/2)*math.Sin(dLong/2)
	return 2 * earthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}
