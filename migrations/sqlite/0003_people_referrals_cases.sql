-- People, receiving services with their criteria, referrals, triage, and cases with care teams.

CREATE TABLE services (
    id                     INTEGER PRIMARY KEY,
    organisation_id        INTEGER NOT NULL REFERENCES organisations (id),
    team_id                INTEGER REFERENCES teams (id),
    name                   TEXT NOT NULL,
    description            TEXT NOT NULL,
    inclusion_criteria     TEXT NOT NULL,
    exclusion_criteria     TEXT NOT NULL,
    response_days          INTEGER NOT NULL,
    accepts_self_referral  INTEGER NOT NULL DEFAULT 0,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL,
    version                INTEGER NOT NULL DEFAULT 1,
    UNIQUE (organisation_id, name)
);

CREATE TABLE people (
    id                   INTEGER PRIMARY KEY,
    nhs_number           TEXT,
    given_name           TEXT NOT NULL,
    family_name          TEXT NOT NULL,
    date_of_birth        TEXT NOT NULL,
    sex                  TEXT NOT NULL,
    gender               TEXT NOT NULL,
    ethnic_category      TEXT NOT NULL,
    postcode             TEXT NOT NULL,
    address              TEXT NOT NULL,
    phone                TEXT NOT NULL,
    email                TEXT NOT NULL,
    contact_methods      TEXT NOT NULL,
    do_not_contact       INTEGER NOT NULL DEFAULT 0,
    preferred_language   TEXT NOT NULL,
    interpreter_needed   INTEGER NOT NULL DEFAULT 0,
    accessibility_needs  TEXT NOT NULL,
    practice_ods         TEXT NOT NULL,
    carer_status         TEXT NOT NULL,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    version              INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX people_nhs_number ON people (nhs_number);
CREATE INDEX people_birth_name ON people (date_of_birth, family_name);

CREATE TABLE consents (
    id           INTEGER PRIMARY KEY,
    person_id    INTEGER NOT NULL REFERENCES people (id),
    kind         TEXT NOT NULL,
    value        TEXT NOT NULL,
    recorded_by  INTEGER REFERENCES users (id),
    recorded_at  TIMESTAMP NOT NULL
);
CREATE INDEX consents_person ON consents (person_id, kind, recorded_at);

CREATE TABLE referrals (
    id                INTEGER PRIMARY KEY,
    person_id         INTEGER NOT NULL REFERENCES people (id),
    service_id        INTEGER NOT NULL REFERENCES services (id),
    source            TEXT NOT NULL,
    referrer_id       INTEGER REFERENCES users (id),
    referrer_name     TEXT NOT NULL,
    referrer_contact  TEXT NOT NULL,
    needs             TEXT NOT NULL,
    details           TEXT NOT NULL,
    urgency           TEXT NOT NULL,
    known_risks       TEXT NOT NULL,
    consent_given     INTEGER NOT NULL,
    criteria_met      TEXT NOT NULL,
    status            TEXT NOT NULL,
    reason_code       TEXT NOT NULL DEFAULT '',
    status_note       TEXT NOT NULL DEFAULT '',
    due_by            TIMESTAMP NOT NULL,
    escalated_at      TIMESTAMP,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX referrals_person ON referrals (person_id);
CREATE INDEX referrals_service_status ON referrals (service_id, status, due_by);
CREATE INDEX referrals_referrer ON referrals (referrer_id, created_at);

CREATE TABLE triages (
    id                 INTEGER PRIMARY KEY,
    referral_id        INTEGER NOT NULL REFERENCES referrals (id),
    answers            TEXT NOT NULL,
    suggested_tier     TEXT NOT NULL,
    suggested_pathway  TEXT NOT NULL,
    tier               TEXT NOT NULL,
    pathway            TEXT NOT NULL,
    rationale          TEXT NOT NULL,
    triaged_by         INTEGER NOT NULL REFERENCES users (id),
    triaged_at         TIMESTAMP NOT NULL
);
CREATE INDEX triages_referral ON triages (referral_id);

CREATE TABLE cases (
    id               INTEGER PRIMARY KEY,
    person_id        INTEGER NOT NULL REFERENCES people (id),
    referral_id      INTEGER NOT NULL UNIQUE REFERENCES referrals (id),
    service_id       INTEGER NOT NULL REFERENCES services (id),
    pathway          TEXT NOT NULL,
    tier             TEXT NOT NULL,
    engagement       TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    opened_at        TIMESTAMP NOT NULL,
    next_review_on   TEXT NOT NULL DEFAULT '',
    closed_at        TIMESTAMP,
    closure_reason   TEXT NOT NULL DEFAULT '',
    closure_summary  TEXT NOT NULL DEFAULT '',
    updated_at       TIMESTAMP NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cases_person ON cases (person_id);
CREATE INDEX cases_service_status ON cases (service_id, status);

CREATE TABLE case_workers (
    id        INTEGER PRIMARY KEY,
    case_id   INTEGER NOT NULL REFERENCES cases (id),
    user_id   INTEGER NOT NULL REFERENCES users (id),
    role      TEXT NOT NULL,
    is_lead   INTEGER NOT NULL DEFAULT 0,
    from_on   TEXT NOT NULL,
    to_on     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_workers_case ON case_workers (case_id);
CREATE INDEX case_workers_user ON case_workers (user_id, to_on);
-- Exactly one current lead per case: the database refuses a second.
CREATE UNIQUE INDEX case_workers_one_lead ON case_workers (case_id) WHERE is_lead = 1 AND to_on = '';
