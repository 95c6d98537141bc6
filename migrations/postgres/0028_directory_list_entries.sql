-- Each service the open feed lists, as GET /oruk/services lists it (its one-to-one fields and
-- its organisation's, as the public may see them), encoded as JSON when the service is
-- written, so that a page of the feed is read and joined, not 50 whole records decoded and
-- encoded again. Internal-only services have none.
--
-- The open feed lists services in the order they were first stored (pk), so a page of the
-- whole feed is one range of this table, and a harvester walking the pages is not thrown off by
-- a service added or renamed meanwhile. A page of a search reads its entries by pk.
--
-- A service stored before this table was made has no entry until the server fills it in
-- (directory.FillListEntries, at housekeeping); until then its page is built from its record.
CREATE TABLE dir_service_entries (
    service_pk  BIGINT PRIMARY KEY REFERENCES dir_services (pk) ON DELETE CASCADE,
    entry       TEXT NOT NULL
);
