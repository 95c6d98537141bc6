-- Safety: in-app notifications, risk flags, safeguarding concerns and each service's local
-- procedure, tasks and delegation, "needs clinical input" flags, step-down handovers and the
-- emergency access override.

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    link        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    read_at     TIMESTAMP
);
CREATE INDEX notifications_unread ON notifications (user_id, created_at) WHERE read_at IS NULL;

CREATE TABLE risk_flags (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people (id),
    kind        TEXT NOT NULL,
    note        TEXT NOT NULL,
    raised_by   INTEGER REFERENCES users (id),
    raised_at   TIMESTAMP NOT NULL,
    removed_by  INTEGER REFERENCES users (id),
    removed_at  TIMESTAMP
);
-- One current flag of each kind per person: raising it again is refused, not duplicated.
CREATE UNIQUE INDEX risk_flags_current ON risk_flags (person_id, kind) WHERE removed_at IS NULL;

CREATE TABLE safeguarding_procedures (
    service_id  INTEGER PRIMARY KEY REFERENCES services (id),
    body        TEXT NOT NULL,
    updated_by  INTEGER REFERENCES users (id),
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE safeguarding_concerns (
    id                INTEGER PRIMARY KEY,
    case_id           INTEGER NOT NULL REFERENCES cases (id),
    person_id         INTEGER NOT NULL REFERENCES people (id),
    service_id        INTEGER NOT NULL REFERENCES services (id),
    subject           TEXT NOT NULL,
    type              TEXT NOT NULL,
    immediate_action  TEXT NOT NULL,
    who_told          TEXT NOT NULL,
    status            TEXT NOT NULL,
    outcome           TEXT NOT NULL DEFAULT '',
    raised_by         INTEGER REFERENCES users (id),
    raised_at         TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX safeguarding_concerns_case ON safeguarding_concerns (case_id);
CREATE INDEX safeguarding_concerns_service_status ON safeguarding_concerns (service_id, status, raised_at);

CREATE TABLE task_types (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    clinical     INTEGER NOT NULL DEFAULT 0,
    competences  TEXT NOT NULL DEFAULT ''
);
INSERT INTO task_types (name, clinical, competences) VALUES
    ('Accompany to a first session', 0, 'SP-CONNECT'),
    ('Support a benefits check', 0, 'SP-ADVICE-BENEFITS'),
    ('Home environment check for non-clinical needs', 0, 'SP-HOME-VISIT,SP-LONE-WORKING'),
    ('Falls risk assessment', 1, 'OT-FALLS'),
    ('Functional assessment', 1, 'OT-FUNCTIONAL'),
    ('Equipment or adaptations assessment', 1, 'OT-EQUIPMENT');

CREATE TABLE tasks (
    id            INTEGER PRIMARY KEY,
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    type_id       INTEGER NOT NULL REFERENCES task_types (id),
    delegated_by  INTEGER NOT NULL REFERENCES users (id),
    delegated_to  INTEGER NOT NULL REFERENCES users (id),
    guidance      TEXT NOT NULL,
    due_on        TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL,
    outcome       TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    version       INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX tasks_case ON tasks (case_id);
CREATE INDEX tasks_delegate ON tasks (delegated_to, status, due_on);

CREATE TABLE clinical_input_flags (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    reason       TEXT NOT NULL,
    raised_by    INTEGER NOT NULL REFERENCES users (id),
    raised_at    TIMESTAMP NOT NULL,
    resolved_by  INTEGER REFERENCES users (id),
    resolved_at  TIMESTAMP,
    resolution   TEXT NOT NULL DEFAULT ''
);
-- One open flag per case: the OTs' queue shows each case once.
CREATE UNIQUE INDEX clinical_input_flags_open ON clinical_input_flags (case_id) WHERE resolved_at IS NULL;

CREATE TABLE step_downs (
    id                  INTEGER PRIMARY KEY,
    case_id             INTEGER NOT NULL REFERENCES cases (id),
    from_user           INTEGER NOT NULL REFERENCES users (id),
    to_user             INTEGER NOT NULL REFERENCES users (id),
    needs_addressed     TEXT NOT NULL,
    goals_remaining     TEXT NOT NULL,
    risks_escalation    TEXT NOT NULL,
    agreed_with_person  INTEGER NOT NULL,
    oversight_until     TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL,
    decline_reason      TEXT NOT NULL DEFAULT '',
    offered_at          TIMESTAMP NOT NULL,
    decided_at          TIMESTAMP
);
CREATE INDEX step_downs_case ON step_downs (case_id);
CREATE INDEX step_downs_oversight ON step_downs (from_user, oversight_until);
-- One handover waiting for an answer per case.
CREATE UNIQUE INDEX step_downs_one_offered ON step_downs (case_id) WHERE status = 'offered';

CREATE TABLE access_overrides (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    person_id    INTEGER NOT NULL REFERENCES people (id),
    reason       TEXT NOT NULL,
    starts_at    TIMESTAMP NOT NULL,
    ends_at      TIMESTAMP NOT NULL
);
CREATE INDEX access_overrides_user_person ON access_overrides (user_id, person_id, ends_at);
CREATE INDEX access_overrides_starts ON access_overrides (starts_at);
