-- Where each service at a location is, for distance searches, kept by the directory's writer
-- beside dir_service_at_locations: one row for each service at a location whose location has
-- a position. band is the 0.05-degree band of latitude (about 5.6 km) the point lies in,
-- counted from the South Pole: CAST((latitude + 90) * 20 AS INTEGER). A search near a point
-- reads the few bands its box covers, each between two longitudes, from dir_positions_box
-- alone, without joining services at locations or locations (what took a search of 150,000
-- services over 15 ms). Any change to a location's position or to services at locations must
-- go through the directory's writer, which keeps this table in step.
CREATE TABLE dir_positions (
    sal_pk      INTEGER PRIMARY KEY REFERENCES dir_service_at_locations (pk) ON DELETE CASCADE,
    service_pk  INTEGER NOT NULL,
    band        INTEGER NOT NULL,
    latitude    REAL NOT NULL,
    longitude   REAL NOT NULL
);
CREATE INDEX dir_positions_box ON dir_positions (band, longitude, latitude, service_pk);
CREATE INDEX dir_positions_service ON dir_positions (service_pk);

INSERT INTO dir_positions (sal_pk, service_pk, band, latitude, longitude)
SELECT sal.pk, sal.service_pk, CAST((l.latitude + 90) * 20 AS INTEGER), l.latitude, l.longitude
FROM dir_service_at_locations sal JOIN dir_locations l ON l.pk = sal.location_pk
WHERE l.latitude IS NOT NULL AND l.longitude IS NOT NULL;

-- The open feed counts its services (every public one) for the total of each page it serves;
-- this narrow index holds that count in a sixth of the pages dir_services_open takes.
CREATE INDEX dir_services_internal ON dir_services (internal_only);

-- Distance searches read dir_positions_box now; the index on the locations' own positions only
-- cost every import a write.
DROP INDEX dir_locations_position;
