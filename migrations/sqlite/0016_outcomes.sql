-- Outcomes and evidence (DESIGN §3.5, F11, F12): questionnaire instruments held as data, which
-- of them each service uses (with the licence it records holding), responses stored with the
-- instrument version they answered, single-use links for a person to answer alone, why a case
-- closed without a follow-up, and the keys the research extract's pseudonyms are made with.

-- A service lead's own instrument, one row a version; the built-in ones ship in the binary.
-- definition is the instrument file as loaded, so an old version scores as it always did.
CREATE TABLE outcome_instruments (
    id               INTEGER PRIMARY KEY,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    code             TEXT NOT NULL,
    version          INTEGER NOT NULL,
    name             TEXT NOT NULL,
    definition       TEXT NOT NULL,
    loaded_by        INTEGER REFERENCES users (id),
    loaded_at        TIMESTAMP NOT NULL,
    UNIQUE (code, version)
);

-- Which instruments a service uses. A built-in with no row takes its default; an instrument
-- that needs a licence can be switched on only once licence_note records the licence held.
CREATE TABLE outcome_service_instruments (
    service_id       INTEGER NOT NULL REFERENCES services (id),
    instrument_code  TEXT NOT NULL,
    enabled          INTEGER NOT NULL,
    licence_note     TEXT NOT NULL DEFAULT '',
    updated_by       INTEGER REFERENCES users (id),
    updated_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (service_id, instrument_code)
);

-- One completed questionnaire. timepoint is baseline, interim or follow_up; a case has at
-- most one baseline and one follow-up of each instrument.
CREATE TABLE outcome_responses (
    id                  INTEGER PRIMARY KEY,
    case_id             INTEGER NOT NULL REFERENCES cases (id),
    instrument_code     TEXT NOT NULL,
    instrument_version  INTEGER NOT NULL,
    timepoint           TEXT NOT NULL,
    completed_by        TEXT NOT NULL,
    recorded_by         INTEGER REFERENCES users (id),
    completed_at        TIMESTAMP NOT NULL,
    raw_score           INTEGER,
    score               REAL
);
CREATE UNIQUE INDEX outcome_responses_once ON outcome_responses (case_id, instrument_code, timepoint) WHERE timepoint <> 'interim';
CREATE INDEX outcome_responses_instrument ON outcome_responses (instrument_code, timepoint, case_id);

-- One answer; text holds a goal in the person's own words, for goal attainment only.
CREATE TABLE outcome_answers (
    response_id  INTEGER NOT NULL REFERENCES outcome_responses (id),
    item_code    TEXT NOT NULL,
    value        INTEGER NOT NULL,
    text         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (response_id, item_code)
);

-- A single-use link for the person to answer alone. Only the SHA-256 of the token is kept.
CREATE TABLE outcome_links (
    id                  INTEGER PRIMARY KEY,
    token_hash          TEXT NOT NULL UNIQUE,
    case_id             INTEGER NOT NULL REFERENCES cases (id),
    instrument_code     TEXT NOT NULL,
    instrument_version  INTEGER NOT NULL,
    timepoint           TEXT NOT NULL,
    created_by          INTEGER NOT NULL REFERENCES users (id),
    created_at          TIMESTAMP NOT NULL,
    expires_at          TIMESTAMP NOT NULL,
    used_at             TIMESTAMP,
    response_id         INTEGER REFERENCES outcome_responses (id)
);
CREATE INDEX outcome_links_case ON outcome_links (case_id);

-- Why a case closed without a follow-up: declined, unreachable or other.
CREATE TABLE outcome_missing_followups (
    case_id      INTEGER PRIMARY KEY REFERENCES cases (id),
    reason       TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    recorded_by  INTEGER REFERENCES users (id),
    recorded_at  TIMESTAMP NOT NULL
);

-- Keys a deployment makes for itself and never shows, such as the one that turns NHS numbers
-- into the research extract's pseudonyms: the same person gets the same pseudonym in every
-- extract from this deployment, and no other deployment can link them.
CREATE TABLE report_secrets (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
