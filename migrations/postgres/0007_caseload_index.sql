-- The caseload reads a worker's current case ids straight from the index.
DROP INDEX case_workers_user;
CREATE INDEX case_workers_user ON case_workers (user_id, to_on, case_id);
