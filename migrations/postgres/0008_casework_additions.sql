-- A referral for someone who already has an open case can be added to that case rather than
-- opening another; accepting it then attaches it to the case.
ALTER TABLE referrals ADD COLUMN adds_to_case_id BIGINT REFERENCES cases (id);
CREATE INDEX referrals_adds_to_case ON referrals (adds_to_case_id) WHERE adds_to_case_id IS NOT NULL;

-- A case can be put on hold, with the reason, and resumed.
ALTER TABLE cases ADD COLUMN hold_reason TEXT NOT NULL DEFAULT '';
