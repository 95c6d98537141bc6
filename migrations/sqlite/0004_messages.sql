-- Messages back to the GP and the referrer at acceptance, decline and closure.

CREATE TABLE messages (
    id            INTEGER PRIMARY KEY,
    referral_id   INTEGER NOT NULL REFERENCES referrals (id),
    person_id     INTEGER NOT NULL REFERENCES people (id),
    kind          TEXT NOT NULL,
    recipient     TEXT NOT NULL,
    sharing       TEXT NOT NULL,
    codes         TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX messages_referral ON messages (referral_id, created_at);
