-- Each service the open feed lists, as GET /oruk/services lists it (its one-to-one fields and
-- its organisation's, as the public may see them), encoded as JSON when the service is
-- written, so that a page of the feed is read and joined, not 50 whole records decoded and
-- encoded again. Internal-only services have none.
--
-- The key is the feed's own order, name then pk, so that on SQLite a page of the whole feed is
-- one short range of the table (about a dozen pages of the file, not 50 scattered ones); a page
-- of a search reads its entries by service_pk.
--
-- A service stored before this table was made has no entry until the server fills it in
-- (directory.FillListEntries, at housekeeping); until then its page is built from its record.
CREATE TABLE dir_service_entries (
    name        TEXT NOT NULL,
    service_pk  INTEGER NOT NULL REFERENCES dir_services (pk) ON DELETE CASCADE,
    entry       TEXT NOT NULL,
    PRIMARY KEY (name, service_pk)
) WITHOUT ROWID;
CREATE UNIQUE INDEX dir_service_entries_service ON dir_service_entries (service_pk);
