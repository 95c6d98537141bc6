-- The dashboards' figures, pre-aggregated and kept exactly right by triggers in the same
-- transaction as every change that moves them (docs/dashboards.md, "How the figures stay right").
--
-- Two layers:
--   referral_facts  one row per referral: everything a dashboard counts it by, worked out from
--                   the referral, its person, their postcode, its case, the case's contacts,
--                   connections and ONS4 pairs (the view referral_facts_source says how);
--   dash_tally      those rows added up by day and by month, for each figure (the view
--                   dash_tally_rows says which rows a referral adds to which figure).
-- A dashboard reads whole months and days from dash_tally, and reads dash_tally_rows (over
-- referral_facts) when it is narrowed to a team, organisation or practice.

CREATE TABLE referral_facts (
    referral_id         INTEGER PRIMARY KEY,
    created_at          TIMESTAMP NOT NULL,
    created_on          TEXT NOT NULL,        -- the day in UTC, YYYY-MM-DD
    service_id          INTEGER NOT NULL,     -- the service referred to
    source              TEXT NOT NULL,
    status              TEXT NOT NULL,
    needs               TEXT NOT NULL,
    pathway             TEXT NOT NULL,        -- the case's; empty without a case
    practice            TEXT NOT NULL,        -- the person's GP practice, ODS code
    age                 INTEGER NOT NULL,     -- on the day of referral; -1 when not known
    sex                 TEXT NOT NULL,
    ethnic              TEXT NOT NULL,
    decile              INTEGER NOT NULL,     -- deprivation decile of the postcode; 0 not known
    area                TEXT NOT NULL,        -- outward code of the postcode
    ended               INTEGER NOT NULL,     -- 0 other, 1 declined, 2 completed
    unmet               INTEGER NOT NULL,     -- declined, or closed without reaching an activity
    case_service_id     INTEGER,              -- the service holding the case
    closed_at           TIMESTAMP,            -- when the case closed, while it is closed
    closed_on           TEXT,
    case_days           INTEGER,              -- whole days from opening to closing
    contacts            INTEGER NOT NULL,     -- contacts that reached the person
    made                INTEGER NOT NULL,     -- connections to activities
    attended            INTEGER NOT NULL,     -- connections the person went to at least once
    first_contact_days  INTEGER,              -- whole days from referral to first contact
    d_satisfied         INTEGER,              -- ONS4 follow-up minus baseline, when both exist
    d_worthwhile        INTEGER,
    d_happy             INTEGER,
    d_anxious           INTEGER
);
CREATE INDEX referral_facts_created ON referral_facts (created_at);
CREATE INDEX referral_facts_closed ON referral_facts (closed_at) WHERE closed_at IS NOT NULL;
-- A dashboard narrowed to a team, an organisation or a practice reads the facts of its own
-- services or practice only.
CREATE INDEX referral_facts_service ON referral_facts (service_id, created_at);
CREATE INDEX referral_facts_case_service ON referral_facts (case_service_id, closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX referral_facts_practice ON referral_facts (practice, created_at);

CREATE VIEW referral_facts_source AS
SELECT r.id AS referral_id,
    r.created_at AS created_at,
    substr(r.created_at, 1, 10) AS created_on,
    r.service_id AS service_id,
    r.source AS source,
    r.status AS status,
    r.needs AS needs,
    COALESCE(k.pathway, '') AS pathway,
    p.practice_ods AS practice,
    (CASE WHEN length(p.date_of_birth) = 10 THEN CAST(substr(r.created_at, 1, 4) AS INTEGER) - CAST(substr(p.date_of_birth, 1, 4) AS INTEGER)
        - CASE WHEN substr(r.created_at, 6, 5) < substr(p.date_of_birth, 6, 5) THEN 1 ELSE 0 END ELSE -1 END) AS age,
    p.sex AS sex,
    p.ethnic_category AS ethnic,
    COALESCE(pc.imd_decile, 0) AS decile,
    (CASE WHEN length(p.postcode) > 4 THEN substr(p.postcode, 1, length(p.postcode) - 4) ELSE '' END) AS area,
    (CASE WHEN r.status = 'rejected' THEN 1
        WHEN k.status = 'closed' AND k.closure_reason IN ('goals_met', 'stepped_down') THEN 2 ELSE 0 END) AS ended,
    (CASE WHEN r.status = 'rejected' OR (k.status = 'closed' AND NOT EXISTS (
        SELECT 1 FROM connections cn WHERE cn.case_id = k.id AND cn.status IN ('first_attended', 'attending', 'completed'))) THEN 1 ELSE 0 END) AS unmet,
    k.service_id AS case_service_id,
    (CASE WHEN k.status = 'closed' THEN k.closed_at END) AS closed_at,
    (CASE WHEN k.status = 'closed' THEN substr(k.closed_at, 1, 10) END) AS closed_on,
    (CASE WHEN k.status = 'closed' THEN CAST(julianday(k.closed_at) - julianday(k.opened_at) AS INTEGER) END) AS case_days,
    (SELECT COUNT(*) FROM case_contacts cc WHERE cc.case_id = k.id AND cc.failed = 0) AS contacts,
    (SELECT COUNT(*) FROM connections cn WHERE cn.case_id = k.id) AS made,
    (SELECT COUNT(*) FROM connections cn WHERE cn.case_id = k.id AND cn.status IN ('first_attended', 'attending', 'completed')) AS attended,
    (SELECT CAST(julianday(MIN(cc.contact_at)) - julianday(r.created_at) AS INTEGER) FROM case_contacts cc
        WHERE cc.case_id = k.id AND cc.failed = 0) AS first_contact_days,
    (SELECT diff FROM ons4_pairs d WHERE d.case_id = k.id AND d.item_code = 'satisfied') AS d_satisfied,
    (SELECT diff FROM ons4_pairs d WHERE d.case_id = k.id AND d.item_code = 'worthwhile') AS d_worthwhile,
    (SELECT diff FROM ons4_pairs d WHERE d.case_id = k.id AND d.item_code = 'happy') AS d_happy,
    (SELECT diff FROM ons4_pairs d WHERE d.case_id = k.id AND d.item_code = 'anxious') AS d_anxious
FROM referrals r
JOIN people p ON p.id = r.person_id
LEFT JOIN postcodes pc ON pc.postcode = p.postcode
LEFT JOIN cases k ON k.referral_id = r.id;

-- What each referral adds to each figure. kind names the figure; at and day say when it is
-- counted (the referral, or the case's closing); service_id is the service it is counted
-- against (the referral's, or the case's); k1..k3 and v are what it is counted by (for the
-- equality figures v is how the referral ended); n is the count and s1, s2 sums beside it.
CREATE VIEW dash_tally_rows AS
SELECT referral_id, 'referrals' AS kind, created_at AS at, created_on AS day, service_id, practice, source, pathway,
    status AS k1, needs AS k2, substr(created_on, 1, 7) AS k3, 0 AS v, 1 AS n, 0 AS s1, 0 AS s2 FROM referral_facts
UNION ALL SELECT referral_id, 'age', created_at, created_on, service_id, practice, source, pathway,
    CAST(CASE WHEN age < 0 THEN -1 WHEN age < 18 THEN 0 WHEN age < 25 THEN 18 WHEN age >= 85 THEN 85 ELSE (age + 5) / 10 * 10 - 5 END AS TEXT),
    '', '', ended, 1, 0, 0 FROM referral_facts
UNION ALL SELECT referral_id, 'sex', created_at, created_on, service_id, practice, source, pathway, sex, '', '', ended, 1, 0, 0 FROM referral_facts
UNION ALL SELECT referral_id, 'ethnic', created_at, created_on, service_id, practice, source, pathway, ethnic, '', '', ended, 1, 0, 0 FROM referral_facts
UNION ALL SELECT referral_id, 'decile', created_at, created_on, service_id, practice, source, pathway, CAST(decile AS TEXT), '', '', ended, 1, 0, 0 FROM referral_facts
UNION ALL SELECT referral_id, 'area', created_at, created_on, service_id, practice, source, pathway,
    area, CASE WHEN unmet = 1 THEN needs ELSE '' END, '', unmet, 1, 0, 0 FROM referral_facts
UNION ALL SELECT referral_id, 'practice', created_at, created_on, service_id, practice, source, pathway, practice, '', '', 0, 1, 0, 0 FROM referral_facts
UNION ALL SELECT referral_id, 'waiting', created_at, created_on, service_id, practice, source, pathway, '', '', '', first_contact_days, 1, 0, 0
    FROM referral_facts WHERE first_contact_days IS NOT NULL
UNION ALL SELECT referral_id, 'closed', closed_at, closed_on, case_service_id, practice, source, pathway, '', '', '', case_days, 1, made, attended
    FROM referral_facts WHERE closed_at IS NOT NULL
UNION ALL SELECT referral_id, 'contacts', closed_at, closed_on, case_service_id, practice, source, pathway, '', '', '', contacts, 1, 0, 0
    FROM referral_facts WHERE closed_at IS NOT NULL
UNION ALL SELECT referral_id, 'ons4', closed_at, closed_on, case_service_id, practice, source, pathway, 'satisfied', '', '', 0, 1, d_satisfied, d_satisfied * d_satisfied
    FROM referral_facts WHERE closed_at IS NOT NULL AND d_satisfied IS NOT NULL
UNION ALL SELECT referral_id, 'ons4', closed_at, closed_on, case_service_id, practice, source, pathway, 'worthwhile', '', '', 0, 1, d_worthwhile, d_worthwhile * d_worthwhile
    FROM referral_facts WHERE closed_at IS NOT NULL AND d_worthwhile IS NOT NULL
UNION ALL SELECT referral_id, 'ons4', closed_at, closed_on, case_service_id, practice, source, pathway, 'happy', '', '', 0, 1, d_happy, d_happy * d_happy
    FROM referral_facts WHERE closed_at IS NOT NULL AND d_happy IS NOT NULL
UNION ALL SELECT referral_id, 'ons4', closed_at, closed_on, case_service_id, practice, source, pathway, 'anxious', '', '', 0, 1, d_anxious, d_anxious * d_anxious
    FROM referral_facts WHERE closed_at IS NOT NULL AND d_anxious IS NOT NULL;

-- grain is 'd' for a day (period YYYY-MM-DD) or 'm' for a month (period YYYY-MM).
CREATE TABLE dash_tally (
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
    s2       INTEGER NOT NULL,
    PRIMARY KEY (kind, grain, period, source, pathway, k1, k2, k3, v)
) WITHOUT ROWID;

-- A bulk load (reports.LoadInBulk) pauses the triggers below inside its own transaction by
-- putting a row here, writes the facts, tally and spans of what it loaded in a few set-based
-- statements, and takes the row away before committing, so no other transaction ever sees the
-- triggers paused.
CREATE TABLE dash_facts_paused (paused INTEGER NOT NULL);

-- What is there already, added up in one pass.
INSERT INTO referral_facts SELECT * FROM referral_facts_source;
INSERT INTO dash_tally (kind, grain, period, source, pathway, k1, k2, k3, v, n, s1, s2)
    SELECT kind, 'd', day, source, pathway, k1, k2, k3, v, SUM(n), SUM(s1), SUM(s2) FROM dash_tally_rows
        GROUP BY kind, day, source, pathway, k1, k2, k3, v
    UNION ALL
    SELECT kind, 'm', substr(day, 1, 7), source, pathway, k1, k2, k3, v, SUM(n), SUM(s1), SUM(s2) FROM dash_tally_rows
        GROUP BY kind, substr(day, 1, 7), source, pathway, k1, k2, k3, v;

-- A referral's rows leave the tally before its facts change or go, and join it after they are
-- written.
CREATE TRIGGER referral_facts_tally_insert AFTER INSERT ON referral_facts WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO dash_tally (kind, grain, period, source, pathway, k1, k2, k3, v, n, s1, s2)
        SELECT * FROM (SELECT kind, 'd', day, source, pathway, k1, k2, k3, v, n, s1, s2 FROM dash_tally_rows WHERE referral_id = NEW.referral_id
            UNION ALL SELECT kind, 'm', substr(day, 1, 7), source, pathway, k1, k2, k3, v, n, s1, s2 FROM dash_tally_rows WHERE referral_id = NEW.referral_id) WHERE true
        ON CONFLICT DO UPDATE SET n = n + excluded.n, s1 = s1 + excluded.s1, s2 = s2 + excluded.s2;
END;

CREATE TRIGGER referral_facts_tally_update_out BEFORE UPDATE ON referral_facts WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO dash_tally (kind, grain, period, source, pathway, k1, k2, k3, v, n, s1, s2)
        SELECT * FROM (SELECT kind, 'd', day, source, pathway, k1, k2, k3, v, -n, -s1, -s2 FROM dash_tally_rows WHERE referral_id = OLD.referral_id
            UNION ALL SELECT kind, 'm', substr(day, 1, 7), source, pathway, k1, k2, k3, v, -n, -s1, -s2 FROM dash_tally_rows WHERE referral_id = OLD.referral_id) WHERE true
        ON CONFLICT DO UPDATE SET n = n + excluded.n, s1 = s1 + excluded.s1, s2 = s2 + excluded.s2;
END;

CREATE TRIGGER referral_facts_tally_update_in AFTER UPDATE ON referral_facts WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO dash_tally (kind, grain, period, source, pathway, k1, k2, k3, v, n, s1, s2)
        SELECT * FROM (SELECT kind, 'd', day, source, pathway, k1, k2, k3, v, n, s1, s2 FROM dash_tally_rows WHERE referral_id = NEW.referral_id
            UNION ALL SELECT kind, 'm', substr(day, 1, 7), source, pathway, k1, k2, k3, v, n, s1, s2 FROM dash_tally_rows WHERE referral_id = NEW.referral_id) WHERE true
        ON CONFLICT DO UPDATE SET n = n + excluded.n, s1 = s1 + excluded.s1, s2 = s2 + excluded.s2;
END;

CREATE TRIGGER referral_facts_tally_delete BEFORE DELETE ON referral_facts WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO dash_tally (kind, grain, period, source, pathway, k1, k2, k3, v, n, s1, s2)
        SELECT * FROM (SELECT kind, 'd', day, source, pathway, k1, k2, k3, v, -n, -s1, -s2 FROM dash_tally_rows WHERE referral_id = OLD.referral_id
            UNION ALL SELECT kind, 'm', substr(day, 1, 7), source, pathway, k1, k2, k3, v, -n, -s1, -s2 FROM dash_tally_rows WHERE referral_id = OLD.referral_id) WHERE true
        ON CONFLICT DO UPDATE SET n = n + excluded.n, s1 = s1 + excluded.s1, s2 = s2 + excluded.s2;
END;

-- Working a referral's facts out again: a trigger that concerns some referrals queues their
-- ids here, and this trigger writes each one's row from referral_facts_source (or removes it
-- when the referral has gone) and takes it off the queue, so the queue is empty between
-- statements. An unchanged row is not rewritten, so the tally moves only when a figure does.
CREATE TABLE referral_facts_queue (referral_id INTEGER NOT NULL);

CREATE TRIGGER referral_facts_queue_work AFTER INSERT ON referral_facts_queue WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts SELECT * FROM referral_facts_source WHERE referral_id = NEW.referral_id
        ON CONFLICT (referral_id) DO UPDATE SET created_at = excluded.created_at, created_on = excluded.created_on, service_id = excluded.service_id,
            source = excluded.source, status = excluded.status, needs = excluded.needs, pathway = excluded.pathway, practice = excluded.practice,
            age = excluded.age, sex = excluded.sex, ethnic = excluded.ethnic, decile = excluded.decile, area = excluded.area, ended = excluded.ended,
            unmet = excluded.unmet, case_service_id = excluded.case_service_id, closed_at = excluded.closed_at, closed_on = excluded.closed_on,
            case_days = excluded.case_days, contacts = excluded.contacts, made = excluded.made, attended = excluded.attended,
            first_contact_days = excluded.first_contact_days, d_satisfied = excluded.d_satisfied, d_worthwhile = excluded.d_worthwhile,
            d_happy = excluded.d_happy, d_anxious = excluded.d_anxious
        WHERE (referral_facts.created_at, referral_facts.service_id, referral_facts.source, referral_facts.status, referral_facts.needs,
            referral_facts.pathway, referral_facts.practice, referral_facts.age, referral_facts.sex, referral_facts.ethnic, referral_facts.decile,
            referral_facts.area, referral_facts.ended, referral_facts.unmet, referral_facts.case_service_id, referral_facts.closed_at,
            referral_facts.case_days, referral_facts.contacts, referral_facts.made, referral_facts.attended, referral_facts.first_contact_days,
            referral_facts.d_satisfied, referral_facts.d_worthwhile, referral_facts.d_happy, referral_facts.d_anxious)
        IS NOT (excluded.created_at, excluded.service_id, excluded.source, excluded.status, excluded.needs, excluded.pathway, excluded.practice,
            excluded.age, excluded.sex, excluded.ethnic, excluded.decile, excluded.area, excluded.ended, excluded.unmet, excluded.case_service_id,
            excluded.closed_at, excluded.case_days, excluded.contacts, excluded.made, excluded.attended, excluded.first_contact_days,
            excluded.d_satisfied, excluded.d_worthwhile, excluded.d_happy, excluded.d_anxious);
    DELETE FROM referral_facts WHERE referral_id = NEW.referral_id AND NOT EXISTS (SELECT 1 FROM referrals WHERE id = NEW.referral_id);
    DELETE FROM referral_facts_queue WHERE rowid = NEW.rowid;
END;

-- What moves a referral's facts: the referral itself, its case, the case's contacts,
-- connections and ONS4 pairs, the person's details and their postcode's deprivation.
CREATE TRIGGER referral_facts_referral_insert AFTER INSERT ON referrals WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue VALUES (NEW.id);
END;
CREATE TRIGGER referral_facts_referral_update AFTER UPDATE ON referrals WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue SELECT DISTINCT id FROM (SELECT OLD.id AS id UNION ALL SELECT NEW.id);
END;
CREATE TRIGGER referral_facts_referral_delete AFTER DELETE ON referrals WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue VALUES (OLD.id);
END;

CREATE TRIGGER referral_facts_case_insert AFTER INSERT ON cases WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue VALUES (NEW.referral_id);
END;
CREATE TRIGGER referral_facts_case_update AFTER UPDATE ON cases WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue SELECT DISTINCT id FROM (SELECT OLD.referral_id AS id UNION ALL SELECT NEW.referral_id);
END;
CREATE TRIGGER referral_facts_case_delete AFTER DELETE ON cases WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue VALUES (OLD.referral_id);
END;

CREATE TRIGGER referral_facts_contact_insert AFTER INSERT ON case_contacts WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue SELECT referral_id FROM cases WHERE id = NEW.case_id;
END;
CREATE TRIGGER referral_facts_contact_update AFTER UPDATE OF case_id, failed, contact_at ON case_contacts WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue SELECT referral_id FROM cases WHERE id IN (OLD.case_id, NEW.case_id);
END;
CREATE TRIGGER referral_facts_contact_delete AFTER DELETE ON case_contacts WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue SELECT referral_id FROM cases WHERE id = OLD.case_id;
END;

CREATE TRIGGER referral_facts_connection_insert AFTER INSERT ON connections WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue SELECT referral_id FROM cases WHERE id = NEW.case_id;
END;
CREATE TRIGGER referral_facts_connection_update AFTER UPDATE OF case_id, status ON connections WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue SELECT referral_id FROM cases WHERE id IN (OLD.case_id, NEW.case_id);
END;
CREATE TRIGGER referral_facts_connection_delete AFTER DELETE ON connections WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue SELECT referral_id FROM cases WHERE id = OLD.case_id;
END;

CREATE TRIGGER referral_facts_pair_insert AFTER INSERT ON ons4_pairs WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue SELECT referral_id FROM cases WHERE id = NEW.case_id;
END;
CREATE TRIGGER referral_facts_pair_update AFTER UPDATE ON ons4_pairs WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue SELECT referral_id FROM cases WHERE id IN (OLD.case_id, NEW.case_id);
END;
CREATE TRIGGER referral_facts_pair_delete AFTER DELETE ON ons4_pairs WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue SELECT referral_id FROM cases WHERE id = OLD.case_id;
END;

CREATE TRIGGER referral_facts_person_update AFTER UPDATE OF date_of_birth, sex, ethnic_category, postcode, practice_ods ON people WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue SELECT id FROM referrals WHERE person_id = NEW.id;
END;

CREATE INDEX people_postcode ON people (postcode);
CREATE TRIGGER referral_facts_postcode_insert AFTER INSERT ON postcodes WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue SELECT r.id FROM people p JOIN referrals r ON r.person_id = p.id WHERE p.postcode = NEW.postcode;
END;
CREATE TRIGGER referral_facts_postcode_update AFTER UPDATE OF postcode, imd_decile ON postcodes WHEN (OLD.imd_decile IS NOT NEW.imd_decile OR OLD.postcode <> NEW.postcode) AND NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue SELECT r.id FROM people p JOIN referrals r ON r.person_id = p.id WHERE p.postcode IN (OLD.postcode, NEW.postcode);
END;
CREATE TRIGGER referral_facts_postcode_delete AFTER DELETE ON postcodes WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue SELECT r.id FROM people p JOIN referrals r ON r.person_id = p.id WHERE p.postcode = OLD.postcode;
END;

-- Each worker's time on each case's care team, while the case was open, for caseloads: the
-- later of joining and opening, and the earlier of leaving and closing ('9999-12-31' while
-- neither has happened).
CREATE TABLE caseload_spans (
    care_worker_id  INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL,
    case_id         INTEGER NOT NULL,
    referral_id     INTEGER NOT NULL,
    service_id      INTEGER NOT NULL,      -- the case's service
    pathway         TEXT NOT NULL,
    start_on        TEXT NOT NULL,
    end_on          TEXT NOT NULL
);
CREATE INDEX caseload_spans_user ON caseload_spans (user_id, end_on, start_on, case_id);
CREATE INDEX caseload_spans_case ON caseload_spans (case_id);
CREATE INDEX caseload_spans_service ON caseload_spans (service_id, end_on, start_on, user_id, case_id);

CREATE VIEW caseload_spans_source AS
SELECT w.id AS care_worker_id, w.user_id AS user_id, w.case_id AS case_id, k.referral_id AS referral_id,
    k.service_id AS service_id, k.pathway AS pathway,
    max(w.from_on, substr(k.opened_at, 1, 10)) AS start_on,
    min(CASE WHEN w.to_on = '' THEN '9999-12-31' ELSE w.to_on END, COALESCE(substr(k.closed_at, 1, 10), '9999-12-31')) AS end_on
FROM case_workers w JOIN cases k ON k.id = w.case_id;

CREATE TRIGGER caseload_spans_worker_insert AFTER INSERT ON case_workers WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO caseload_spans SELECT * FROM caseload_spans_source WHERE care_worker_id = NEW.id;
END;
CREATE TRIGGER caseload_spans_worker_update AFTER UPDATE ON case_workers WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    DELETE FROM caseload_spans WHERE care_worker_id IN (OLD.id, NEW.id);
    INSERT INTO caseload_spans SELECT * FROM caseload_spans_source WHERE care_worker_id = NEW.id;
END;
CREATE TRIGGER caseload_spans_worker_delete AFTER DELETE ON case_workers WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    DELETE FROM caseload_spans WHERE care_worker_id = OLD.id;
END;
CREATE TRIGGER caseload_spans_case_update AFTER UPDATE OF opened_at, closed_at, referral_id, service_id, pathway ON cases WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    DELETE FROM caseload_spans WHERE case_id IN (OLD.id, NEW.id);
    INSERT INTO caseload_spans SELECT * FROM caseload_spans_source WHERE case_id IN (OLD.id, NEW.id);
END;

INSERT INTO caseload_spans SELECT * FROM caseload_spans_source;
