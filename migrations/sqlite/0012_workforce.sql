-- Workforce (DESIGN §3.3, F5, F9): staff profiles and who supervises whom; competence
-- frameworks held as data with versions; evidence and sign-offs; delegation overrides;
-- supervision sessions with their cases, actions and private reflective notes; advice requests;
-- the training record; and each service's supervision and advice settings.

CREATE TABLE staff_profiles (
    user_id       INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    profession    TEXT NOT NULL,
    registration  TEXT NOT NULL DEFAULT '',
    band          TEXT NOT NULL DEFAULT '',
    capacity      INTEGER NOT NULL DEFAULT 0,
    updated_at    TIMESTAMP NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);

-- Who supervises whom, from and until a date; ended_on is '' while it lasts.
CREATE TABLE supervisor_links (
    id             INTEGER PRIMARY KEY,
    supervisee_id  INTEGER NOT NULL REFERENCES users (id),
    supervisor_id  INTEGER NOT NULL REFERENCES users (id),
    from_on        TEXT NOT NULL,
    ended_on       TEXT NOT NULL DEFAULT '',
    created_by     INTEGER REFERENCES users (id),
    created_at     TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX supervisor_links_current ON supervisor_links (supervisee_id, supervisor_id) WHERE ended_on = '';
CREATE INDEX supervisor_links_supervisor ON supervisor_links (supervisor_id, ended_on);

-- A framework version: the shipped default has no organisation; a service lead's own belongs
-- to their organisation. Loading a framework adds a version and never changes an old one.
CREATE TABLE competence_frameworks (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER REFERENCES organisations (id),
    name             TEXT NOT NULL,
    version          INTEGER NOT NULL,
    loaded_by        INTEGER REFERENCES users (id),
    loaded_at        TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX competence_frameworks_version ON competence_frameworks (COALESCE(organisation_id, 0), version);

CREATE TABLE competences (
    id            INTEGER PRIMARY KEY,
    framework_id  INTEGER NOT NULL REFERENCES competence_frameworks (id),
    position      INTEGER NOT NULL,
    area          TEXT NOT NULL,
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL,
    UNIQUE (framework_id, code)
);

-- Which task types a competence unlocks: a delegate needs every competence that unlocks a type.
CREATE TABLE competence_task_types (
    competence_id  INTEGER NOT NULL REFERENCES competences (id),
    task_type_id   INTEGER NOT NULL REFERENCES task_types (id),
    PRIMARY KEY (competence_id, task_type_id)
);

CREATE TABLE competence_evidence (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    code         TEXT NOT NULL,
    description  TEXT NOT NULL,
    recorded_by  INTEGER NOT NULL REFERENCES users (id),
    recorded_at  TIMESTAMP NOT NULL
);
CREATE INDEX competence_evidence_user ON competence_evidence (user_id, code);

-- A sign-off keeps the competence's name and the framework version as they were when it was
-- signed, so that a later framework never rewrites it. The latest for a code counts; it lapses
-- after review_on.
CREATE TABLE competence_signoffs (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    framework_id  INTEGER NOT NULL REFERENCES competence_frameworks (id),
    signed_by     INTEGER NOT NULL REFERENCES users (id),
    signed_at     TIMESTAMP NOT NULL,
    review_on     TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX competence_signoffs_user ON competence_signoffs (user_id, code, signed_at);

-- A delegation a supervisor let through despite missing competences, with the reason.
ALTER TABLE tasks ADD COLUMN override_by INTEGER REFERENCES users (id);
ALTER TABLE tasks ADD COLUMN override_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN override_missing TEXT NOT NULL DEFAULT '';

INSERT INTO task_types (name, clinical, competences) VALUES ('Falls-awareness screening', 0, 'SP-FALLS-AWARENESS,PC-LTC');
UPDATE task_types SET competences = 'SP-CONNECT,SF-LONE-WORKING' WHERE name = 'Accompany to a first session';
UPDATE task_types SET competences = 'SP-HOME-VISIT,SF-LONE-WORKING,SF-SAFEGUARDING' WHERE name = 'Home environment check for non-clinical needs';

CREATE TABLE service_workforce_settings (
    service_id          INTEGER PRIMARY KEY REFERENCES services (id),
    supervision_days    INTEGER NOT NULL,
    urgent_minutes      INTEGER NOT NULL,
    routine_days        INTEGER NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE supervision_sessions (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL,
    supervisor_id  INTEGER NOT NULL REFERENCES users (id),
    held_on        TEXT NOT NULL,
    next_on        TEXT NOT NULL DEFAULT '',
    summary        TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX supervision_sessions_supervisor ON supervision_sessions (supervisor_id, held_on);

-- The supervisees (or, in peer supervision, the peers) at a session, each with their own
-- reflective note, which only they and the session's supervisor may read.
CREATE TABLE supervision_attendees (
    session_id  INTEGER NOT NULL REFERENCES supervision_sessions (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    reflection  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX supervision_attendees_user ON supervision_attendees (user_id);

CREATE TABLE supervision_cases (
    session_id  INTEGER NOT NULL REFERENCES supervision_sessions (id),
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    PRIMARY KEY (session_id, case_id)
);
CREATE INDEX supervision_cases_case ON supervision_cases (case_id);

CREATE TABLE supervision_actions (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES supervision_sessions (id),
    owner_id    INTEGER NOT NULL REFERENCES users (id),
    action      TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    done_at     TIMESTAMP
);
CREATE INDEX supervision_actions_owner ON supervision_actions (owner_id, done_at);

-- Overdue supervision is flagged once per supervisee and due date.
CREATE TABLE supervision_overdue (
    supervisee_id  INTEGER NOT NULL REFERENCES users (id),
    due_on         TEXT NOT NULL,
    notified_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (supervisee_id, due_on)
);

CREATE TABLE advice_requests (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    asked_by     INTEGER NOT NULL REFERENCES users (id),
    asked_of     INTEGER NOT NULL REFERENCES users (id),
    urgency      TEXT NOT NULL,
    question     TEXT NOT NULL,
    asked_at     TIMESTAMP NOT NULL,
    due_at       TIMESTAMP NOT NULL,
    answered_by  INTEGER REFERENCES users (id),
    answered_at  TIMESTAMP,
    answer       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX advice_requests_case ON advice_requests (case_id, asked_at);
CREATE INDEX advice_requests_open ON advice_requests (asked_of, due_at) WHERE answered_at IS NULL;

CREATE TABLE training_records (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id),
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL,
    provider      TEXT NOT NULL DEFAULT '',
    completed_on  TEXT NOT NULL,
    minutes       INTEGER NOT NULL,
    notes         TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX training_records_user ON training_records (user_id, completed_on);

-- The default framework for link workers and OT assistants, version 1. Service leads load
-- their own as CSV (docs/competence-framework.md); this one stays for everyone else.
INSERT INTO competence_frameworks (organisation_id, name, version, loaded_at)
    VALUES (NULL, 'Linkwell default framework for link workers and OT assistants', 1, CURRENT_TIMESTAMP);
INSERT INTO competences (framework_id, position, area, code, name, description)
SELECT f.id, c.position, c.area, c.code, c.name, c.description
FROM competence_frameworks f, (
    SELECT 1 AS position, 'Personalised care' AS area, 'PC-WHAT-MATTERS' AS code, 'Personalised care and "what matters" conversations' AS name, 'Holds a "what matters to me" conversation, records it in the person''s own words and builds a personalised care and support plan from it.' AS description
    UNION ALL SELECT 2, 'Personalised care', 'PC-LTC', 'Supporting people with long-term conditions', 'Understands common long-term conditions and frailty, supports self-management and knows when a change needs clinical input.'
    UNION ALL SELECT 3, 'Personalised care', 'PC-MENTAL-HEALTH', 'Mental health awareness', 'Recognises signs of low mood, anxiety and crisis, responds safely and knows the local routes to mental health support.'
    UNION ALL SELECT 4, 'Personalised care', 'PC-OUTCOMES', 'Outcome measurement', 'Completes ONS4 and goal attainment measures with the person at the start and end of support and explains what they are for.'
    UNION ALL SELECT 5, 'Community resources', 'CR-KNOWLEDGE', 'Knowledge of community resources', 'Knows the local groups, activities and advice services, their criteria and how to refer, and keeps the directory accurate.'
    UNION ALL SELECT 6, 'Community resources', 'CR-DIGITAL', 'Digital inclusion', 'Helps people get online safely and use digital services, and finds non-digital routes for those who cannot.'
    UNION ALL SELECT 7, 'Safety', 'SF-SAFEGUARDING', 'Safeguarding adults and children', 'Recognises abuse and neglect, raises a concern the same day and follows the local safeguarding procedure (level 2 training).'
    UNION ALL SELECT 8, 'Safety', 'SF-LONE-WORKING', 'Risk and lone working', 'Assesses risk before a visit, follows the lone working policy and uses the check-in system every time.'
    UNION ALL SELECT 9, 'Safety', 'SF-BOUNDARIES', 'Boundaries and when to escalate', 'Keeps to the non-clinical role, recognises what is beyond it and escalates to an OT or supervisor in time.'
    UNION ALL SELECT 10, 'Practice', 'PR-RECORDS', 'Record keeping', 'Keeps accurate, timely, factual records that the person could read, and shares only under consent and agreement.'
    UNION ALL SELECT 11, 'Tasks', 'SP-CONNECT', 'Accompanying someone to a first session', 'Plans and supports a first visit to a group or activity, including travel and introductions, and follows up afterwards.'
    UNION ALL SELECT 12, 'Tasks', 'SP-ADVICE-BENEFITS', 'Supporting a benefits check', 'Uses an approved benefits calculator with the person and refers on to welfare rights advice for anything beyond a check.'
    UNION ALL SELECT 13, 'Tasks', 'SP-HOME-VISIT', 'Observing the home environment for non-clinical needs', 'Notices non-clinical needs at home (heating, food, clutter, isolation) and reports anything clinical to the OT.'
    UNION ALL SELECT 14, 'Tasks', 'SP-FALLS-AWARENESS', 'Falls-awareness screening', 'Asks the agreed falls screening questions, gives falls prevention information and refers positive screens to the OT.'
) c
WHERE f.organisation_id IS NULL AND f.version = 1;
INSERT INTO competence_task_types (competence_id, task_type_id)
SELECT c.id, t.id FROM competences c JOIN competence_frameworks f ON f.id = c.framework_id, task_types t, (
    SELECT 'SP-CONNECT' AS code, 'Accompany to a first session' AS task
    UNION ALL SELECT 'SF-LONE-WORKING', 'Accompany to a first session'
    UNION ALL SELECT 'SP-ADVICE-BENEFITS', 'Support a benefits check'
    UNION ALL SELECT 'SP-HOME-VISIT', 'Home environment check for non-clinical needs'
    UNION ALL SELECT 'SF-LONE-WORKING', 'Home environment check for non-clinical needs'
    UNION ALL SELECT 'SF-SAFEGUARDING', 'Home environment check for non-clinical needs'
    UNION ALL SELECT 'SP-FALLS-AWARENESS', 'Falls-awareness screening'
    UNION ALL SELECT 'PC-LTC', 'Falls-awareness screening'
) m
WHERE f.organisation_id IS NULL AND f.version = 1 AND c.code = m.code AND t.name = m.task;
