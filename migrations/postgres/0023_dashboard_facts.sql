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
    referral_id         BIGINT PRIMARY KEY,
    created_at          TIMESTAMPTZ NOT NULL,
    created_on          TEXT NOT NULL,        -- the day in UTC, YYYY-MM-DD
    service_id          BIGINT NOT NULL,     -- the service referred to
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
    case_service_id     BIGINT,              -- the service holding the case
    closed_at           TIMESTAMPTZ,            -- when the case closed, while it is closed
    closed_on           TEXT,
    case_days           BIGINT,              -- whole days from opening to closing
    contacts            BIGINT NOT NULL,     -- contacts that reached the person
    made                BIGINT NOT NULL,     -- connections to activities
    attended            BIGINT NOT NULL,     -- connections the person went to at least once
    first_contact_days  BIGINT,              -- whole days from referral to first contact
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
    to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS created_on,
    r.service_id AS service_id,
    r.source AS source,
    r.status AS status,
    r.needs AS needs,
    COALESCE(k.pathway, '') AS pathway,
    p.practice_ods AS practice,
    (CASE WHEN length(p.date_of_birth) = 10 THEN CAST(substr(to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 1, 4) AS INTEGER) - CAST(substr(p.date_of_birth, 1, 4) AS INTEGER)
        - CASE WHEN substr(to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), 6, 5) < substr(p.date_of_birth, 6, 5) THEN 1 ELSE 0 END ELSE -1 END) AS age,
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
    (CASE WHEN k.status = 'closed' THEN to_char(k.closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') END) AS closed_on,
    (CASE WHEN k.status = 'closed' THEN CAST(FLOOR(EXTRACT(EPOCH FROM (k.closed_at - k.opened_at)) / 86400.0) AS BIGINT) END) AS case_days,
    (SELECT COUNT(*) FROM case_contacts cc WHERE cc.case_id = k.id AND cc.failed = FALSE) AS contacts,
    (SELECT COUNT(*) FROM connections cn WHERE cn.case_id = k.id) AS made,
    (SELECT COUNT(*) FROM connections cn WHERE cn.case_id = k.id AND cn.status IN ('first_attended', 'attending', 'completed')) AS attended,
    (SELECT CAST(FLOOR(EXTRACT(EPOCH FROM (MIN(cc.contact_at) - r.created_at)) / 86400.0) AS BIGINT) FROM case_contacts cc
        WHERE cc.case_id = k.id AND cc.failed = FALSE) AS first_contact_days,
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
    v        BIGINT NOT NULL,
    n        BIGINT NOT NULL,
    s1       BIGINT NOT NULL,
    s2       BIGINT NOT NULL,
    PRIMARY KEY (kind, grain, period, source, pathway, k1, k2, k3, v)
);

-- A bulk load (reports.LoadInBulk) pauses the triggers below (each has a WHEN condition on
-- the setting) for its own transaction with SET LOCAL linkwell.facts_paused = 'on', writes the facts, tally and spans of what it loaded
-- in a few set-based statements, and sets it back before committing.

-- What is there already, added up in one pass.
INSERT INTO referral_facts SELECT * FROM referral_facts_source;
INSERT INTO dash_tally (kind, grain, period, source, pathway, k1, k2, k3, v, n, s1, s2)
    SELECT kind, 'd', day, source, pathway, k1, k2, k3, v, SUM(n), SUM(s1), SUM(s2) FROM dash_tally_rows
        GROUP BY kind, day, source, pathway, k1, k2, k3, v
    UNION ALL
    SELECT kind, 'm', substr(day, 1, 7), source, pathway, k1, k2, k3, v, SUM(n), SUM(s1), SUM(s2) FROM dash_tally_rows
        GROUP BY kind, substr(day, 1, 7), source, pathway, k1, k2, k3, v;

-- A referral's rows leave the tally before its facts change or go, and join it after they are
-- written; sign is 1 to add them and -1 to take them away.
CREATE FUNCTION dash_tally_add(id BIGINT, sign BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO dash_tally AS t (kind, grain, period, source, pathway, k1, k2, k3, v, n, s1, s2)
        SELECT kind, 'd', day, source, pathway, k1, k2, k3, v, sign * n, sign * s1, sign * s2 FROM dash_tally_rows WHERE referral_id = id
        UNION ALL
        SELECT kind, 'm', substr(day, 1, 7), source, pathway, k1, k2, k3, v, sign * n, sign * s1, sign * s2 FROM dash_tally_rows WHERE referral_id = id
    ON CONFLICT (kind, grain, period, source, pathway, k1, k2, k3, v)
        DO UPDATE SET n = t.n + EXCLUDED.n, s1 = t.s1 + EXCLUDED.s1, s2 = t.s2 + EXCLUDED.s2;
$$;

CREATE FUNCTION referral_facts_tally_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dash_tally_add(OLD.referral_id, -1);
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER referral_facts_tally_out BEFORE UPDATE OR DELETE ON referral_facts
    FOR EACH ROW WHEN (current_setting('linkwell.facts_paused', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION referral_facts_tally_out();

CREATE FUNCTION referral_facts_tally_in() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dash_tally_add(NEW.referral_id, 1);
    RETURN NULL;
END;
$$;
CREATE TRIGGER referral_facts_tally_in AFTER INSERT OR UPDATE ON referral_facts
    FOR EACH ROW WHEN (current_setting('linkwell.facts_paused', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION referral_facts_tally_in();

-- Working the given referrals' facts out again from referral_facts_source, or removing them
-- when the referral has gone. An unchanged row is not rewritten, so the tally moves only when
-- a figure does.
CREATE FUNCTION referral_facts_refresh(ids BIGINT[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO referral_facts AS f SELECT * FROM referral_facts_source WHERE referral_id = ANY (ids)
        ON CONFLICT (referral_id) DO UPDATE SET created_at = EXCLUDED.created_at, created_on = EXCLUDED.created_on, service_id = EXCLUDED.service_id,
            source = EXCLUDED.source, status = EXCLUDED.status, needs = EXCLUDED.needs, pathway = EXCLUDED.pathway, practice = EXCLUDED.practice,
            age = EXCLUDED.age, sex = EXCLUDED.sex, ethnic = EXCLUDED.ethnic, decile = EXCLUDED.decile, area = EXCLUDED.area, ended = EXCLUDED.ended,
            unmet = EXCLUDED.unmet, case_service_id = EXCLUDED.case_service_id, closed_at = EXCLUDED.closed_at, closed_on = EXCLUDED.closed_on,
            case_days = EXCLUDED.case_days, contacts = EXCLUDED.contacts, made = EXCLUDED.made, attended = EXCLUDED.attended,
            first_contact_days = EXCLUDED.first_contact_days, d_satisfied = EXCLUDED.d_satisfied, d_worthwhile = EXCLUDED.d_worthwhile,
            d_happy = EXCLUDED.d_happy, d_anxious = EXCLUDED.d_anxious
        WHERE (f.created_at, f.service_id, f.source, f.status, f.needs, f.pathway, f.practice, f.age, f.sex, f.ethnic, f.decile, f.area, f.ended,
            f.unmet, f.case_service_id, f.closed_at, f.case_days, f.contacts, f.made, f.attended, f.first_contact_days, f.d_satisfied,
            f.d_worthwhile, f.d_happy, f.d_anxious)
        IS DISTINCT FROM (EXCLUDED.created_at, EXCLUDED.service_id, EXCLUDED.source, EXCLUDED.status, EXCLUDED.needs, EXCLUDED.pathway,
            EXCLUDED.practice, EXCLUDED.age, EXCLUDED.sex, EXCLUDED.ethnic, EXCLUDED.decile, EXCLUDED.area, EXCLUDED.ended, EXCLUDED.unmet,
            EXCLUDED.case_service_id, EXCLUDED.closed_at, EXCLUDED.case_days, EXCLUDED.contacts, EXCLUDED.made, EXCLUDED.attended,
            EXCLUDED.first_contact_days, EXCLUDED.d_satisfied, EXCLUDED.d_worthwhile, EXCLUDED.d_happy, EXCLUDED.d_anxious);
    DELETE FROM referral_facts f WHERE f.referral_id = ANY (ids) AND NOT EXISTS (SELECT 1 FROM referrals WHERE id = f.referral_id);
END;
$$;

-- What moves a referral's facts: the referral itself, its case, the case's contacts,
-- connections and ONS4 pairs, the person's details and their postcode's deprivation. OLD is
-- null on an insert and NEW on a delete.
CREATE FUNCTION referral_facts_referral_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM referral_facts_refresh(ARRAY[OLD.id, NEW.id]);
    RETURN NULL;
END;
$$;
CREATE TRIGGER referral_facts_referral AFTER INSERT OR UPDATE OR DELETE ON referrals
    FOR EACH ROW WHEN (current_setting('linkwell.facts_paused', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION referral_facts_referral_changed();

CREATE FUNCTION referral_facts_case_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM referral_facts_refresh(ARRAY[OLD.referral_id, NEW.referral_id]);
    RETURN NULL;
END;
$$;
CREATE TRIGGER referral_facts_case AFTER INSERT OR UPDATE OR DELETE ON cases
    FOR EACH ROW WHEN (current_setting('linkwell.facts_paused', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION referral_facts_case_changed();

CREATE FUNCTION referral_facts_case_record_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM referral_facts_refresh(ARRAY(SELECT referral_id FROM cases WHERE id IN (OLD.case_id, NEW.case_id)));
    RETURN NULL;
END;
$$;
CREATE TRIGGER referral_facts_contact AFTER INSERT OR DELETE OR UPDATE OF case_id, failed, contact_at ON case_contacts
    FOR EACH ROW WHEN (current_setting('linkwell.facts_paused', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION referral_facts_case_record_changed();
CREATE TRIGGER referral_facts_connection AFTER INSERT OR DELETE OR UPDATE OF case_id, status ON connections
    FOR EACH ROW WHEN (current_setting('linkwell.facts_paused', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION referral_facts_case_record_changed();
CREATE TRIGGER referral_facts_pair AFTER INSERT OR UPDATE OR DELETE ON ons4_pairs
    FOR EACH ROW WHEN (current_setting('linkwell.facts_paused', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION referral_facts_case_record_changed();

CREATE FUNCTION referral_facts_person_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM referral_facts_refresh(ARRAY(SELECT id FROM referrals WHERE person_id = NEW.id));
    RETURN NULL;
END;
$$;
CREATE TRIGGER referral_facts_person AFTER UPDATE OF date_of_birth, sex, ethnic_category, postcode, practice_ods ON people
    FOR EACH ROW WHEN (current_setting('linkwell.facts_paused', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION referral_facts_person_changed();

CREATE INDEX people_postcode ON people (postcode);
CREATE FUNCTION referral_facts_postcode_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM referral_facts_refresh(ARRAY(SELECT r.id FROM people p JOIN referrals r ON r.person_id = p.id
        WHERE p.postcode IN (OLD.postcode, NEW.postcode)));
    RETURN NULL;
END;
$$;
CREATE TRIGGER referral_facts_postcode_added AFTER INSERT OR DELETE ON postcodes
    FOR EACH ROW WHEN (current_setting('linkwell.facts_paused', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION referral_facts_postcode_changed();
CREATE TRIGGER referral_facts_postcode_changed AFTER UPDATE OF postcode, imd_decile ON postcodes
    FOR EACH ROW WHEN (current_setting('linkwell.facts_paused', true) IS DISTINCT FROM 'on' AND (OLD.imd_decile IS DISTINCT FROM NEW.imd_decile OR OLD.postcode <> NEW.postcode))
    EXECUTE FUNCTION referral_facts_postcode_changed();

-- Each worker's time on each case's care team, while the case was open, for caseloads: the
-- later of joining and opening, and the earlier of leaving and closing ('9999-12-31' while
-- neither has happened).
CREATE TABLE caseload_spans (
    care_worker_id  BIGINT PRIMARY KEY,
    user_id         BIGINT NOT NULL,
    case_id         BIGINT NOT NULL,
    referral_id     BIGINT NOT NULL,
    service_id      BIGINT NOT NULL,      -- the case's service
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
    GREATEST(w.from_on, to_char(k.opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')) COLLATE "C" AS start_on,
    LEAST(CASE WHEN w.to_on = '' THEN '9999-12-31' ELSE w.to_on END,
        COALESCE(to_char(k.closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), '9999-12-31')) COLLATE "C" AS end_on
FROM case_workers w JOIN cases k ON k.id = w.case_id;

CREATE FUNCTION caseload_spans_refresh(workers BIGINT[], cases BIGINT[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM caseload_spans WHERE care_worker_id = ANY (workers) OR case_id = ANY (cases);
    INSERT INTO caseload_spans SELECT * FROM caseload_spans_source WHERE care_worker_id = ANY (workers) OR case_id = ANY (cases);
END;
$$;

CREATE FUNCTION caseload_spans_worker_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM caseload_spans_refresh(ARRAY[OLD.id, NEW.id], ARRAY[]::BIGINT[]);
    RETURN NULL;
END;
$$;
CREATE TRIGGER caseload_spans_worker AFTER INSERT OR UPDATE OR DELETE ON case_workers
    FOR EACH ROW WHEN (current_setting('linkwell.facts_paused', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION caseload_spans_worker_changed();

CREATE FUNCTION caseload_spans_case_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM caseload_spans_refresh(ARRAY[]::BIGINT[], ARRAY[OLD.id, NEW.id]);
    RETURN NULL;
END;
$$;
CREATE TRIGGER caseload_spans_case AFTER UPDATE OF opened_at, closed_at, referral_id, service_id, pathway ON cases
    FOR EACH ROW WHEN (current_setting('linkwell.facts_paused', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION caseload_spans_case_changed();

INSERT INTO caseload_spans SELECT * FROM caseload_spans_source;
