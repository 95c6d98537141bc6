-- Workers' reports that a directory listing is wrong, for the service lead's freshness queue.
-- reporter is the reporting user's name as it was, so that the directory needs no join to
-- users; resolved_at is set when someone has checked the listing since.
CREATE TABLE dir_accuracy_reports (
    pk           INTEGER PRIMARY KEY,
    service_pk   INTEGER NOT NULL REFERENCES dir_services (pk) ON DELETE CASCADE,
    reason       TEXT NOT NULL,
    reported_by  INTEGER NOT NULL,
    reporter     TEXT NOT NULL,
    reported_at  TIMESTAMP NOT NULL,
    resolved_at  TIMESTAMP
);
CREATE INDEX dir_accuracy_reports_open ON dir_accuracy_reports (resolved_at, service_pk);
