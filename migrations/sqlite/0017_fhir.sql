-- FHIR R4 referral exchange: system clients with their tokens, and what FHIR adds to a
-- referral (who sent it over the API, its business identifier, the Task's own notes and
-- questionnaire answers), with retried requests remembered by their idempotency key.

CREATE TABLE api_clients (
    id               INTEGER PRIMARY KEY,
    client_id        TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    scopes           TEXT NOT NULL,
    secret_hash      TEXT NOT NULL,
    public_key       TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    disabled_at      TIMESTAMP
);
CREATE INDEX api_clients_organisation ON api_clients (organisation_id);

-- Bearer tokens by the SHA-256 of the token: the token itself is never stored.
CREATE TABLE api_tokens (
    token_hash  TEXT PRIMARY KEY,
    client_id   INTEGER NOT NULL REFERENCES api_clients (id),
    scopes      TEXT NOT NULL,
    expires_at  TIMESTAMP NOT NULL
);
CREATE INDEX api_tokens_expires ON api_tokens (expires_at);

-- Signed JWT client assertions already used, kept until they expire so none is used twice.
CREATE TABLE api_assertions (
    client_id   INTEGER NOT NULL REFERENCES api_clients (id),
    jti         TEXT NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (client_id, jti)
);

-- The key that seals internal ids into the opaque UUIDs FHIR resources carry.
CREATE TABLE fhir_keys (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    id_key  TEXT NOT NULL
);
INSERT INTO fhir_keys (id, id_key) VALUES (1, lower(hex(randomblob(16))));

-- Referrals that arrived over FHIR: the client and organisation that sent them, the requester
-- as sent, and the sender's identifier for the ServiceRequest (for conditional create).
CREATE TABLE fhir_referrals (
    referral_id        INTEGER PRIMARY KEY REFERENCES referrals (id),
    client_id          INTEGER NOT NULL REFERENCES api_clients (id),
    requester_org_id   INTEGER NOT NULL REFERENCES organisations (id),
    requester          TEXT NOT NULL,
    identifier_system  TEXT NOT NULL DEFAULT '',
    identifier_value   TEXT NOT NULL DEFAULT '',
    authored_on        TEXT NOT NULL,
    created_at         TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX fhir_referrals_identifier ON fhir_referrals (requester_org_id, identifier_system, identifier_value)
    WHERE identifier_value <> '';
CREATE INDEX fhir_referrals_requester ON fhir_referrals (requester_org_id, referral_id);

-- What a Task holds beyond its referral and case: notes and business status set over FHIR,
-- and when the performer said work started. version counts these changes.
CREATE TABLE fhir_tasks (
    referral_id      INTEGER PRIMARY KEY REFERENCES referrals (id),
    business_status  TEXT NOT NULL DEFAULT '',
    notes            TEXT NOT NULL DEFAULT '[]',
    started_at       TIMESTAMP,
    version          INTEGER NOT NULL DEFAULT 0,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX fhir_tasks_updated ON fhir_tasks (updated_at);

-- QuestionnaireResponses sent with a referral, kept as sent.
CREATE TABLE fhir_questionnaire_responses (
    id           INTEGER PRIMARY KEY,
    referral_id  INTEGER NOT NULL REFERENCES referrals (id),
    body         TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX fhir_questionnaire_responses_referral ON fhir_questionnaire_responses (referral_id);

-- The first answer to each idempotency key, replayed to retries of the same request.
CREATE TABLE fhir_idempotency (
    client_id     INTEGER NOT NULL REFERENCES api_clients (id),
    idem_key      TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        INTEGER NOT NULL,
    location      TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (client_id, idem_key)
);

-- Polling Tasks by _lastUpdated reads what changed since a time: referrals, cases, and the
-- contacts that start work on a case.
CREATE INDEX referrals_updated ON referrals (updated_at);
CREATE INDEX cases_updated ON cases (updated_at);
CREATE INDEX case_contacts_created ON case_contacts (created_at);
