-- Caseload oversight reads, for each open case a supervisee holds, its tier, review date and
-- opening, and when it was last reached. The first index holds those columns for open cases
-- only, so the figures come from a small index rather than from visiting each case's row in
-- the cases table; the second finds a case's last successful contact in one seek.
CREATE INDEX cases_open_figures ON cases (id, status, tier, next_review_on, opened_at) WHERE status <> 'closed';
CREATE INDEX case_contacts_last ON case_contacts (case_id, failed, contact_at);
