-- Postcodes from the ONS Postcode Directory, for distance from a person's postcode and for
-- deprivation. Loaded by `linkwell postcodes import`; live postcodes with a location only.
-- Columns the ONS file leaves empty, or fills with a pseudo code (…99999999), are NULL.
-- WITHOUT ROWID: the postcode is the key, so the table is its own index and a national import
-- writes one b-tree rather than two.
CREATE TABLE postcodes (
    postcode    TEXT PRIMARY KEY,  -- normalised: outward code, one space, inward code
    outward     TEXT NOT NULL,     -- the part before the space
    latitude    REAL NOT NULL,     -- WGS84
    longitude   REAL NOT NULL,
    country     TEXT,              -- ONS country code, e.g. E92000001 for England
    lsoa21      TEXT,              -- 2021 lower layer super output area (England and Wales)
    icb         TEXT,              -- integrated care board (England)
    imd_rank    INTEGER,           -- deprivation rank within the country, 1 = most deprived
    imd_decile  INTEGER            -- 1 (most deprived tenth) to 10, derived from the rank
) WITHOUT ROWID;

-- The approximate centre of each outward code: the mean of its postcodes' points, rebuilt at
-- the end of every import.
CREATE TABLE postcode_outward_centres (
    outward    TEXT PRIMARY KEY,
    latitude   REAL NOT NULL,
    longitude  REAL NOT NULL,
    postcodes  INTEGER NOT NULL
) WITHOUT ROWID;
