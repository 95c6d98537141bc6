-- A referral's facts are worked out again only when a column they are read from changes, not
-- whenever a referral or case is touched (casework moves a case's version and updated_at on
-- nearly every action).
DROP TRIGGER referral_facts_referral ON referrals;
CREATE TRIGGER referral_facts_referral AFTER INSERT OR DELETE OR UPDATE OF id, created_at, service_id, source, status, needs, person_id ON referrals
    FOR EACH ROW WHEN (current_setting('linkwell.facts_paused', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION referral_facts_referral_changed();

DROP TRIGGER referral_facts_case ON cases;
CREATE TRIGGER referral_facts_case AFTER INSERT OR DELETE OR UPDATE OF referral_id, service_id, pathway, status, opened_at, closed_at, closure_reason ON cases
    FOR EACH ROW WHEN (current_setting('linkwell.facts_paused', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION referral_facts_case_changed();
