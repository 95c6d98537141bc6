-- Two-step verification: a secret waiting for its first code while a user enrols, and the
-- last time step a code was accepted for, so that no code can be used twice.

ALTER TABLE users ADD COLUMN totp_pending_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
