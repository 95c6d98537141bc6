-- The dashboards' tally takes each change as a new row in a log instead of updating its own
-- rows (docs/dashboards.md): an append costs the writer less than an upsert, and holds no lock
-- on the rows that every referral made today adds to, so concurrent writers no longer queue
-- behind each other until commit. A reader adds the log to the tally (dash_tally_now); the
-- server folds the log into the tally every few seconds (reports.FoldTallies), in one
-- transaction, so the sum never changes.
CREATE TABLE dash_tally_log (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind     TEXT NOT NULL,
    grain    TEXT NOT NULL,
    period   TEXT NOT NULL,
    source   TEXT NOT NULL,
    pathway  TEXT NOT NULL,
    k1       TEXT NOT NULL,
    k2       TEXT NOT NULL,
    k3       TEXT NOT NULL,
    v        BIGINT NOT NULL,
    n        BIGINT NOT NULL,
    s1       BIGINT NOT NULL,
    s2       BIGINT NOT NULL
);

CREATE VIEW dash_tally_now AS
SELECT kind, grain, period, source, pathway, k1, k2, k3, v, n, s1, s2 FROM dash_tally
UNION ALL
SELECT kind, grain, period, source, pathway, k1, k2, k3, v, n, s1, s2 FROM dash_tally_log;

-- PL/pgSQL, not SQL, so that the plan of the fourteen-part view is kept for the session
-- rather than made again at every call.
CREATE OR REPLACE FUNCTION dash_tally_add(id BIGINT, sign BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO dash_tally_log (kind, grain, period, source, pathway, k1, k2, k3, v, n, s1, s2)
        SELECT kind, 'd', day, source, pathway, k1, k2, k3, v, sign * n, sign * s1, sign * s2 FROM dash_tally_rows WHERE referral_id = id
        UNION ALL
        SELECT kind, 'm', substr(day, 1, 7), source, pathway, k1, k2, k3, v, sign * n, sign * s1, sign * s2 FROM dash_tally_rows WHERE referral_id = id;
END;
$$;
