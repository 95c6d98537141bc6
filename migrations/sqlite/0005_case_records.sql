-- The records kept on a case: "what matters to me", the personalised care and support plan
-- (goals, actions, reviews), contacts with the workers who took part, connections to
-- community activities with their history; and signposting, which needs no case.

-- One current "what matters to me" per case, edited under its version.
CREATE TABLE what_matters (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL UNIQUE REFERENCES cases (id),
    own_words   TEXT NOT NULL,
    strengths   TEXT NOT NULL,
    wants       TEXT NOT NULL,
    needs       TEXT NOT NULL,
    has_to_do   TEXT NOT NULL,
    barriers    TEXT NOT NULL,
    updated_by  INTEGER REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE plan_goals (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    goal        TEXT NOT NULL,
    target_on   TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_by  INTEGER REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX plan_goals_case ON plan_goals (case_id);

-- owner_kind is person, worker (owner_user_id) or other (owner_name).
CREATE TABLE plan_actions (
    id             INTEGER PRIMARY KEY,
    goal_id        INTEGER NOT NULL REFERENCES plan_goals (id),
    action         TEXT NOT NULL,
    owner_kind     TEXT NOT NULL,
    owner_user_id  INTEGER REFERENCES users (id),
    owner_name     TEXT NOT NULL DEFAULT '',
    due_on         TEXT NOT NULL,
    status         TEXT NOT NULL,
    created_by     INTEGER REFERENCES users (id),
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX plan_actions_goal ON plan_actions (goal_id);
CREATE INDEX plan_actions_owner ON plan_actions (owner_user_id, status, due_on);

CREATE TABLE plan_reviews (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES cases (id),
    reviewed_on    TEXT NOT NULL,
    note           TEXT NOT NULL,
    reviewed_with  TEXT NOT NULL DEFAULT '',
    reviewed_by    INTEGER NOT NULL REFERENCES users (id),
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX plan_reviews_case ON plan_reviews (case_id, reviewed_on);

-- A failed attempt has failed set, type as the method tried, and no minutes.
CREATE TABLE case_contacts (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    contact_at   TIMESTAMP NOT NULL,
    type         TEXT NOT NULL,
    minutes      INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    note         TEXT NOT NULL,
    recorded_by  INTEGER REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX case_contacts_case ON case_contacts (case_id, contact_at);

-- Everyone from the care team who took part: several on a joint contact.
CREATE TABLE case_contact_workers (
    contact_id  INTEGER NOT NULL REFERENCES case_contacts (id),
    user_id     INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (contact_id, user_id)
);
CREATE INDEX case_contact_workers_user ON case_contact_workers (user_id);

-- directory_service_id links a connection to the directory of community activities once that
-- exists; until then the activity is named as typed, and the column has no foreign key yet.
CREATE TABLE connections (
    id                    INTEGER PRIMARY KEY,
    case_id               INTEGER NOT NULL REFERENCES cases (id),
    directory_service_id  INTEGER,
    activity              TEXT NOT NULL,
    organisation          TEXT NOT NULL,
    status                TEXT NOT NULL,
    first_session_help    INTEGER NOT NULL DEFAULT 0,
    first_session_note    TEXT NOT NULL DEFAULT '',
    provider_feedback     TEXT NOT NULL DEFAULT '',
    barriers              TEXT NOT NULL DEFAULT '',
    created_by            INTEGER REFERENCES users (id),
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL,
    version               INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX connections_case ON connections (case_id);
CREATE INDEX connections_directory_service ON connections (directory_service_id, status);

-- Every status a connection has had; from_status is empty for the first.
CREATE TABLE connection_changes (
    id             INTEGER PRIMARY KEY,
    connection_id  INTEGER NOT NULL REFERENCES connections (id),
    from_status    TEXT NOT NULL,
    to_status      TEXT NOT NULL,
    note           TEXT NOT NULL,
    changed_by     INTEGER REFERENCES users (id),
    changed_at     TIMESTAMP NOT NULL
);
CREATE INDEX connection_changes_connection ON connection_changes (connection_id);

-- Signposting belongs to the person and the user who gave it, not to a case.
CREATE TABLE signposts (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people (id),
    given_on    TEXT NOT NULL,
    given_by    INTEGER NOT NULL REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX signposts_person ON signposts (person_id, given_on);
CREATE INDEX signposts_given_by ON signposts (given_by, given_on);

CREATE TABLE signpost_services (
    id              INTEGER PRIMARY KEY,
    signpost_id     INTEGER NOT NULL REFERENCES signposts (id),
    position        INTEGER NOT NULL,
    name            TEXT NOT NULL,
    organisation    TEXT NOT NULL,
    how_to_contact  TEXT NOT NULL,
    why             TEXT NOT NULL
);
CREATE INDEX signpost_services_signpost ON signpost_services (signpost_id, position);
