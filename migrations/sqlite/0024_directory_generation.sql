-- The directory's generation: one row whose count every transaction that changes the directory
-- (an import batch, an edit or verification of a listing, a report of an inaccuracy and its
-- resolution, a taxonomy) adds one to. A reader that reads it in the same transaction as the
-- directory knows which version of the directory it saw, so lists worked out from an earlier
-- version (the open feed's cached word searches) are known to be stale, whichever process
-- changed the directory.
CREATE TABLE dir_generation (
    n INTEGER NOT NULL
);
INSERT INTO dir_generation (n) VALUES (0);
