-- The dashboards' tally takes each change as a new row in a log instead of updating its own
-- rows (docs/dashboards.md): an append costs the writer less than an upsert, and on PostgreSQL
-- holds no lock on the rows that every referral made today adds to, so concurrent writers no
-- longer queue behind each other until commit. A reader adds the log to the tally
-- (dash_tally_now); the server folds the log into the tally every few seconds
-- (reports.FoldTallies), in one transaction, so the sum never changes.
CREATE TABLE dash_tally_log (
    id       INTEGER PRIMARY KEY,
    kind     TEXT NOT NULL,
    grain    TEXT NOT NULL,
    period   TEXT NOT NULL,
    source   TEXT NOT NULL,
    pathway  TEXT NOT NULL,
    k1       TEXT NOT NULL,
    k2       TEXT NOT NULL,
    k3       TEXT NOT NULL,
    v        INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    s1       INTEGER NOT NULL,
    s2       INTEGER NOT NULL
);

CREATE VIEW dash_tally_now AS
SELECT kind, grain, period, source, pathway, k1, k2, k3, v, n, s1, s2 FROM dash_tally
UNION ALL
SELECT kind, grain, period, source, pathway, k1, k2, k3, v, n, s1, s2 FROM dash_tally_log;

DROP TRIGGER referral_facts_tally_insert;
DROP TRIGGER referral_facts_tally_update_out;
DROP TRIGGER referral_facts_tally_update_in;
DROP TRIGGER referral_facts_tally_delete;

CREATE TRIGGER referral_facts_tally_insert AFTER INSERT ON referral_facts WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO dash_tally_log (kind, grain, period, source, pathway, k1, k2, k3, v, n, s1, s2)
        SELECT kind, 'd', day, source, pathway, k1, k2, k3, v, n, s1, s2 FROM dash_tally_rows WHERE referral_id = NEW.referral_id
        UNION ALL SELECT kind, 'm', substr(day, 1, 7), source, pathway, k1, k2, k3, v, n, s1, s2 FROM dash_tally_rows WHERE referral_id = NEW.referral_id;
END;

CREATE TRIGGER referral_facts_tally_update_out BEFORE UPDATE ON referral_facts WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO dash_tally_log (kind, grain, period, source, pathway, k1, k2, k3, v, n, s1, s2)
        SELECT kind, 'd', day, source, pathway, k1, k2, k3, v, -n, -s1, -s2 FROM dash_tally_rows WHERE referral_id = OLD.referral_id
        UNION ALL SELECT kind, 'm', substr(day, 1, 7), source, pathway, k1, k2, k3, v, -n, -s1, -s2 FROM dash_tally_rows WHERE referral_id = OLD.referral_id;
END;

CREATE TRIGGER referral_facts_tally_update_in AFTER UPDATE ON referral_facts WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO dash_tally_log (kind, grain, period, source, pathway, k1, k2, k3, v, n, s1, s2)
        SELECT kind, 'd', day, source, pathway, k1, k2, k3, v, n, s1, s2 FROM dash_tally_rows WHERE referral_id = NEW.referral_id
        UNION ALL SELECT kind, 'm', substr(day, 1, 7), source, pathway, k1, k2, k3, v, n, s1, s2 FROM dash_tally_rows WHERE referral_id = NEW.referral_id;
END;

CREATE TRIGGER referral_facts_tally_delete BEFORE DELETE ON referral_facts WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO dash_tally_log (kind, grain, period, source, pathway, k1, k2, k3, v, n, s1, s2)
        SELECT kind, 'd', day, source, pathway, k1, k2, k3, v, -n, -s1, -s2 FROM dash_tally_rows WHERE referral_id = OLD.referral_id
        UNION ALL SELECT kind, 'm', substr(day, 1, 7), source, pathway, k1, k2, k3, v, -n, -s1, -s2 FROM dash_tally_rows WHERE referral_id = OLD.referral_id;
END;
