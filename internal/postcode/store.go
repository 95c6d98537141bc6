package postcode

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/store"
)

// findPostcode reads one normalised postcode.
func findPostcode(ctx context.Context, c store.Conn, postcode string) (Place, error) {
	p := Place{Postcode: postcode}
	err := c.QueryRow(ctx, `
		SELECT outward, latitude, longitude, COALESCE(country, ''), COALESCE(lsoa21, ''),
		       COALESCE(icb, ''), COALESCE(imd_rank, 0), COALESCE(imd_decile, 0)
		FROM postcodes WHERE postcode = ?`, postcode).
		Scan(&p.Outward, &p.Lat, &p.Long, &p.Country, &p.LSOA21, &p.ICB, &p.IMDRank, &p.IMDDecile)
	if errors.Is(err, sql.ErrNoRows) {
		outward, _, _ := strings.Cut(postcode, " ")
		return Place{}, apperr.New(apperr.NotFound,
			"We could not find the postcode %s. Check it is right, or enter just the first part, like %s, for an approximate location",
			postcode, outward)
	}
	if err != nil {
		return Place{}, fmt.Errorf("read postcode: %w", err)
	}
	return p, nil
}

// outwardCentre reads the approximate centre of an outward code.
func outwardCentre(ctx context.Context, c store.Conn, outward string) (Place, error) {
	p := Place{Postcode: outward, Outward: outward, Approximate: true}
	err := c.QueryRow(ctx, `SELECT latitude, longitude FROM postcode_outward_centres WHERE outward = ?`, outward).
		Scan(&p.Lat, &p.Long)
	if errors.Is(err, sql.ErrNoRows) {
		return Place{}, apperr.New(apperr.NotFound,
			"We could not find any postcodes starting %s. Check it is right, or enter the full postcode", outward)
	}
	if err != nil {
		return Place{}, fmt.Errorf("read outward code centre: %w", err)
	}
	return p, nil
}

// row is one live postcode ready to write; nullable columns hold nil for NULL.
type row struct {
	postcode, outward    string
	lat, long            float64
	country, lsoa21, icb any
	imdRank, imdDecile   any
}

// rowColumns is how many values a row binds.
const rowColumns = 9

// upsertSQL writes n rows, changing an existing postcode only where a value differs, so that
// re-importing the same file writes nothing (and leaves PostgreSQL no dead rows to vacuum).
func upsertSQL(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO postcodes
		(postcode, outward, latitude, longitude, country, lsoa21, icb, imd_rank, imd_decile) VALUES `)
	placeholders := store.In(rowColumns)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(placeholders)
	}
	b.WriteString(` ON CONFLICT (postcode) DO UPDATE SET
		outward = excluded.outward, latitude = excluded.latitude, longitude = excluded.longitude,
		country = excluded.country, lsoa21 = excluded.lsoa21, icb = excluded.icb,
		imd_rank = excluded.imd_rank, imd_decile = excluded.imd_decile
	WHERE postcodes.latitude IS DISTINCT FROM excluded.latitude
		OR postcodes.longitude IS DISTINCT FROM excluded.longitude
		OR postcodes.country IS DISTINCT FROM excluded.country
		OR postcodes.lsoa21 IS DISTINCT FROM excluded.lsoa21
		OR postcodes.icb IS DISTINCT FROM excluded.icb
		OR postcodes.imd_rank IS DISTINCT FROM excluded.imd_rank
		OR postcodes.imd_decile IS DISTINCT FROM excluded.imd_decile`)
	return b.String()
}

// upsert writes rows and returns how many were new or changed.
func upsert(ctx context.Context, c store.Conn, query string, rows []row, args []any) (int64, error) {
	args = args[:0]
	for _, r := range rows {
		args = append(args, r.postcode, r.outward, r.lat, r.long, r.country, r.lsoa21, r.icb, r.imdRank, r.imdDecile)
	}
	res, err := c.Exec(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("write postcodes: %w", err)
	}
	return res.RowsAffected()
}

// remove deletes postcodes that an earlier import loaded and the directory now marks as
// terminated, and returns how many there were.
func remove(ctx context.Context, c store.Conn, postcodes []string) (int64, error) {
	args := make([]any, len(postcodes))
	for i, p := range postcodes {
		args[i] = p
	}
	res, err := c.Exec(ctx, `DELETE FROM postcodes WHERE postcode IN `+store.In(len(args)), args...)
	if err != nil {
		return 0, fmt.Errorf("remove terminated postcodes: %w", err)
	}
	return res.RowsAffected()
}

// rebuildCentres recomputes every outward code's centre from the postcodes now held.
func rebuildCentres(ctx context.Context, c store.Conn) error {
	if _, err := c.Exec(ctx, `DELETE FROM postcode_outward_centres`); err != nil {
		return fmt.Errorf("clear outward code centres: %w", err)
	}
	_, err := c.Exec(ctx, `
		INSERT INTO postcode_outward_centres (outward, latitude, longitude, postcodes)
		SELECT outward, AVG(latitude), AVG(longitude), COUNT(*) FROM postcodes GROUP BY outward`)
	if err != nil {
		return fmt.Errorf("compute outward code centres: %w", err)
	}
	return nil
}
