-- The directory of community activities: the Open Referral UK 3.0 / HSDS 3.0 entities, named
-- dir_* apart from Linkwell's own organisations and receiving services.
--
-- Every row has an integer pk for joins and the record's UUID as id, which is what the ORUK
-- API shows. A service, organisation, location, taxonomy or taxonomy term belongs to the
-- source that first published it (a feed URL, a file, or 'linkwell'). A service keeps the JSON
-- it arrived as in dir_service_records, which is what reads return; the other tables hold the
-- columns that filters, joins and the other ORUK endpoints need. hash is the SHA-256 of the canonical JSON,
-- so that an unchanged record is not rewritten.
--
-- Owned children (schedules, contacts, phones, cost options, service areas, languages,
-- funding, attributes, services at locations) are replaced whole when their service changes.
-- Their ids are unique only within their service, because feeds reuse them.

CREATE TABLE dir_organizations (
    pk          INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    source      TEXT NOT NULL,
    name        TEXT NOT NULL,
    record      TEXT NOT NULL,
    hash        TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX dir_organizations_name ON dir_organizations (name, pk);

CREATE TABLE dir_organization_identifiers (
    pk                INTEGER PRIMARY KEY,
    organization_pk   INTEGER NOT NULL REFERENCES dir_organizations (pk) ON DELETE CASCADE,
    id                TEXT NOT NULL,
    identifier_scheme TEXT NOT NULL,
    identifier        TEXT NOT NULL
);
CREATE INDEX dir_organization_identifiers_org ON dir_organization_identifiers (organization_pk);
CREATE INDEX dir_organization_identifiers_value ON dir_organization_identifiers (identifier_scheme, identifier);

-- capacity, referral_route, typical_wait_days, first_session_support, last_verified_at,
-- verified_by and internal_only are the social prescribing extension (x_linkwell_* in JSON).
-- internal_only services never appear in the open feed. organization_id is the organisation
-- as the service names it, which may not have been loaded. modified_at is the record's
-- last_modified, or when Linkwell last saw it change when the record has none.
CREATE TABLE dir_services (
    pk                     INTEGER PRIMARY KEY,
    id                     TEXT NOT NULL UNIQUE,
    source                 TEXT NOT NULL,
    organization_id        TEXT NOT NULL,
    name                   TEXT NOT NULL,
    status                 TEXT NOT NULL,
    minimum_age            REAL,
    maximum_age            REAL,
    capacity               TEXT NOT NULL,
    referral_route         TEXT NOT NULL,
    typical_wait_days      INTEGER,
    first_session_support  INTEGER NOT NULL DEFAULT 0,
    last_verified_at       TIMESTAMP,
    verified_by            TEXT NOT NULL,
    internal_only          INTEGER NOT NULL DEFAULT 0,
    modified_at            TIMESTAMP NOT NULL,
    hash                   TEXT NOT NULL,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);
CREATE INDEX dir_services_source ON dir_services (source, id);
CREATE INDEX dir_services_name ON dir_services (name, pk);
-- The open feed's lists and counts read this index alone.
CREATE INDEX dir_services_open ON dir_services (internal_only, name, pk);
CREATE INDEX dir_services_organization ON dir_services (organization_id, name);
CREATE INDEX dir_services_minimum_age ON dir_services (minimum_age);
CREATE INDEX dir_services_maximum_age ON dir_services (maximum_age);
CREATE INDEX dir_services_modified ON dir_services (modified_at);
CREATE INDEX dir_services_verified ON dir_services (last_verified_at);

-- The record a service arrived as, apart from dir_services so that scans and counts of
-- services read narrow rows.
CREATE TABLE dir_service_records (
    service_pk  INTEGER PRIMARY KEY REFERENCES dir_services (pk) ON DELETE CASCADE,
    record      TEXT NOT NULL
);

-- latitude and longitude are NULL when the record has none or they are off the globe, so that
-- distance searches skip what they cannot place.
CREATE TABLE dir_locations (
    pk             INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    source         TEXT NOT NULL,
    location_type  TEXT NOT NULL,
    name           TEXT NOT NULL,
    latitude       REAL,
    longitude      REAL,
    hash           TEXT NOT NULL
);
CREATE INDEX dir_locations_position ON dir_locations (latitude, longitude);

CREATE TABLE dir_addresses (
    pk            INTEGER PRIMARY KEY,
    location_pk   INTEGER NOT NULL REFERENCES dir_locations (pk) ON DELETE CASCADE,
    id            TEXT NOT NULL,
    address_type  TEXT NOT NULL,
    city          TEXT NOT NULL,
    postal_code   TEXT NOT NULL
);
CREATE INDEX dir_addresses_location ON dir_addresses (location_pk);
CREATE INDEX dir_addresses_postal_code ON dir_addresses (postal_code);

CREATE TABLE dir_accessibility (
    pk           INTEGER PRIMARY KEY,
    location_pk  INTEGER NOT NULL REFERENCES dir_locations (pk) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    description  TEXT NOT NULL
);
CREATE INDEX dir_accessibility_location ON dir_accessibility (location_pk);

CREATE TABLE dir_service_at_locations (
    pk           INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    service_pk   INTEGER NOT NULL REFERENCES dir_services (pk) ON DELETE CASCADE,
    location_pk  INTEGER NOT NULL REFERENCES dir_locations (pk)
);
CREATE INDEX dir_service_at_locations_service ON dir_service_at_locations (service_pk);
CREATE INDEX dir_service_at_locations_location ON dir_service_at_locations (location_pk, service_pk);

-- internal_only contacts are staff contacts for practitioners; the open feed leaves them out.
CREATE TABLE dir_contacts (
    pk             INTEGER PRIMARY KEY,
    service_pk     INTEGER NOT NULL REFERENCES dir_services (pk) ON DELETE CASCADE,
    id             TEXT NOT NULL,
    name           TEXT NOT NULL,
    internal_only  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX dir_contacts_service ON dir_contacts (service_pk);

-- A phone belongs to a service, one of its contacts, or a location.
CREATE TABLE dir_phones (
    pk           INTEGER PRIMARY KEY,
    service_pk   INTEGER REFERENCES dir_services (pk) ON DELETE CASCADE,
    contact_pk   INTEGER REFERENCES dir_contacts (pk) ON DELETE CASCADE,
    location_pk  INTEGER REFERENCES dir_locations (pk) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    number       TEXT NOT NULL
);
CREATE INDEX dir_phones_service ON dir_phones (service_pk);
CREATE INDEX dir_phones_contact ON dir_phones (contact_pk);
CREATE INDEX dir_phones_location ON dir_phones (location_pk);

-- days is a bit set of the weekdays the schedule names (Monday 1, Tuesday 2, ... Sunday 64);
-- opens_at and closes_at are HH:MM:SS, so that they compare as text.
CREATE TABLE dir_schedules (
    pk          INTEGER PRIMARY KEY,
    service_pk  INTEGER NOT NULL REFERENCES dir_services (pk) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    freq        TEXT NOT NULL,
    days        INTEGER NOT NULL,
    opens_at    TEXT NOT NULL,
    closes_at   TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    valid_to    TEXT NOT NULL
);
CREATE INDEX dir_schedules_service ON dir_schedules (service_pk);

CREATE TABLE dir_cost_options (
    pk          INTEGER PRIMARY KEY,
    service_pk  INTEGER NOT NULL REFERENCES dir_services (pk) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    amount      REAL
);
CREATE INDEX dir_cost_options_service ON dir_cost_options (service_pk);

CREATE TABLE dir_service_areas (
    pk          INTEGER PRIMARY KEY,
    service_pk  INTEGER NOT NULL REFERENCES dir_services (pk) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL
);
CREATE INDEX dir_service_areas_service ON dir_service_areas (service_pk);

CREATE TABLE dir_languages (
    pk          INTEGER PRIMARY KEY,
    service_pk  INTEGER NOT NULL REFERENCES dir_services (pk) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    code        TEXT NOT NULL
);
CREATE INDEX dir_languages_service ON dir_languages (service_pk);
CREATE INDEX dir_languages_code ON dir_languages (code, service_pk);

CREATE TABLE dir_funding (
    pk          INTEGER PRIMARY KEY,
    service_pk  INTEGER NOT NULL REFERENCES dir_services (pk) ON DELETE CASCADE,
    id          TEXT NOT NULL
);
CREATE INDEX dir_funding_service ON dir_funding (service_pk);

CREATE TABLE dir_taxonomies (
    pk      INTEGER PRIMARY KEY,
    id      TEXT NOT NULL UNIQUE,
    source  TEXT NOT NULL,
    name    TEXT NOT NULL,
    record  TEXT NOT NULL,
    hash    TEXT NOT NULL
);
CREATE INDEX dir_taxonomies_name ON dir_taxonomies (name, pk);

-- taxonomy_id is the term's taxonomy as the term names it: the taxonomy may arrive later.
CREATE TABLE dir_taxonomy_terms (
    pk           INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    source       TEXT NOT NULL,
    taxonomy_id  TEXT NOT NULL,
    parent_id    TEXT NOT NULL,
    name         TEXT NOT NULL,
    record       TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX dir_taxonomy_terms_taxonomy ON dir_taxonomy_terms (taxonomy_id, name, pk);
CREATE INDEX dir_taxonomy_terms_name ON dir_taxonomy_terms (name, pk);

-- A service's attributes: the taxonomy terms that classify it. taxonomy_id is copied from the
-- term so that both ORUK filters are one index lookup.
CREATE TABLE dir_attributes (
    pk                INTEGER PRIMARY KEY,
    service_pk        INTEGER NOT NULL REFERENCES dir_services (pk) ON DELETE CASCADE,
    id                TEXT NOT NULL,
    taxonomy_term_id  TEXT NOT NULL,
    taxonomy_id       TEXT NOT NULL,
    link_type         TEXT NOT NULL
);
CREATE INDEX dir_attributes_service ON dir_attributes (service_pk);
CREATE INDEX dir_attributes_term ON dir_attributes (taxonomy_term_id, service_pk);
CREATE INDEX dir_attributes_taxonomy ON dir_attributes (taxonomy_id, service_pk);

-- Ranked full-text search over services, rowid = dir_services.pk: a is the name, b the
-- organisation and categories, c the description, d where it happens and its accessibility.
-- Porter stemming so that "walking" finds "walk", as PostgreSQL's english configuration does.
CREATE VIRTUAL TABLE dir_service_search USING fts5 (a, b, c, d, tokenize = 'porter unicode61');
