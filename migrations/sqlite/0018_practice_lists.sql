-- Each GP practice's registered list size, entered by a service lead, so that dashboards can
-- show the share of each practice's list referred. One figure per practice (its ODS code),
-- whoever entered it; every change is audited.
CREATE TABLE practice_lists (
    practice_ods  TEXT PRIMARY KEY,
    list_size     INTEGER NOT NULL CHECK (list_size > 0),
    updated_by    INTEGER REFERENCES users (id),
    updated_at    TIMESTAMP NOT NULL
);
