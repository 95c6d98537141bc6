-- Community providers keeping their own listings current and answering the connections made to
-- their services (issue 4, item 6); service leads resolving reports of wrong listings.

-- Which Linkwell organisation keeps which directory organisation's listings, by the directory
-- organisation's source and id, which survive every re-import. Its community provider users
-- edit and re-verify those services and answer the connections made to them. An administrator
-- or a service lead sets the link; one directory organisation is kept by one Linkwell
-- organisation, which may keep several.
CREATE TABLE org_directory_links (
    dir_source           TEXT NOT NULL,
    dir_organization_id  TEXT NOT NULL,
    organisation_id      INTEGER NOT NULL REFERENCES organisations (id),
    linked_by            INTEGER REFERENCES users (id),
    linked_at            TIMESTAMP NOT NULL,
    PRIMARY KEY (dir_source, dir_organization_id)
);
CREATE INDEX org_directory_links_organisation ON org_directory_links (organisation_id);

-- A listing changed in Linkwell (edited or re-verified) since its source last sent it.
-- feed_hash is the hash of the record the source last sent: re-importing that same record
-- keeps the local change; a different record from the source replaces it and deletes this row.
-- editor is the editing user's name as it was, for the listing's history line.
CREATE TABLE dir_local_edits (
    service_pk  INTEGER PRIMARY KEY REFERENCES dir_services (pk) ON DELETE CASCADE,
    feed_hash   TEXT NOT NULL,
    edited_by   INTEGER REFERENCES users (id),
    editor      TEXT NOT NULL,
    edited_at   TIMESTAMP NOT NULL
);

-- How a report was resolved: fixed, or no_change (the listing was right); '' while open.
ALTER TABLE dir_accuracy_reports ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE dir_accuracy_reports ADD COLUMN resolved_by INTEGER REFERENCES users (id);

-- Single-use links emailed to a provider with no Linkwell account, each for one step of one
-- connection: change_id is the connection's move it answers, into referred (accept or decline)
-- or accepted (confirm the first session). A link works only while that move is still the
-- connection's latest. Only the SHA-256 of the token is kept. sent_to is the service's own
-- published address, never a person's.
CREATE TABLE provider_links (
    id             INTEGER PRIMARY KEY,
    token_hash     TEXT NOT NULL UNIQUE,
    connection_id  INTEGER NOT NULL REFERENCES connections (id),
    change_id      INTEGER NOT NULL UNIQUE REFERENCES connection_changes (id),
    sent_to        TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    expires_at     TIMESTAMP NOT NULL,
    used_at        TIMESTAMP
);
CREATE INDEX provider_links_connection ON provider_links (connection_id);

-- The links to send are found among the connections waiting for a provider; a provider's
-- recent connections are found by service and time.
CREATE INDEX connections_status ON connections (status, id);
CREATE INDEX connections_service_updated ON connections (directory_service_id, updated_at);
