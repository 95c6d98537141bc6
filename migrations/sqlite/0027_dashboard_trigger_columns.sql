-- A referral's facts are worked out again only when a column they are read from changes, not
-- whenever a referral or case is touched (casework moves a case's version and updated_at on
-- nearly every action).
DROP TRIGGER referral_facts_referral_update;
CREATE TRIGGER referral_facts_referral_update AFTER UPDATE OF id, created_at, service_id, source, status, needs, person_id ON referrals
WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue SELECT DISTINCT id FROM (SELECT OLD.id AS id UNION ALL SELECT NEW.id);
END;

DROP TRIGGER referral_facts_case_update;
CREATE TRIGGER referral_facts_case_update AFTER UPDATE OF referral_id, service_id, pathway, status, opened_at, closed_at, closure_reason ON cases
WHEN NOT EXISTS (SELECT 1 FROM dash_facts_paused) BEGIN
    INSERT INTO referral_facts_queue SELECT DISTINCT id FROM (SELECT OLD.referral_id AS id UNION ALL SELECT NEW.referral_id);
END;
