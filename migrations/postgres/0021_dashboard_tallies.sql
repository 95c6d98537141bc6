-- Pre-aggregated figures for the dashboards, kept right by triggers in the same transaction as
-- every change that moves them, whichever package makes the change.

-- ons4_pairs is each case's paired change in each ONS4 item: the follow-up answer minus the
-- baseline answer, present only when the case has both. The dashboard sums these instead of
-- joining four tables of responses and answers.
CREATE TABLE ons4_pairs (
    case_id    BIGINT NOT NULL REFERENCES cases (id),
    item_code  TEXT NOT NULL,
    diff       INTEGER NOT NULL,
    PRIMARY KEY (case_id, item_code)
);

-- The rows of the given cases, worked out again from their responses (rebuilding all of them
-- is the same statement without the case condition; see reports.RebuildTallies).
CREATE FUNCTION ons4_pairs_refresh(cases BIGINT[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM ons4_pairs WHERE case_id = ANY (cases);
    INSERT INTO ons4_pairs (case_id, item_code, diff)
        SELECT rb.case_id, b.item_code, a.value - b.value
        FROM outcome_responses rb
        JOIN outcome_responses rf ON rf.case_id = rb.case_id AND rf.instrument_code = 'ons4' AND rf.timepoint = 'follow_up'
        JOIN outcome_answers b ON b.response_id = rb.id
        JOIN outcome_answers a ON a.response_id = rf.id AND a.item_code = b.item_code
        WHERE rb.instrument_code = 'ons4' AND rb.timepoint = 'baseline' AND rb.case_id = ANY (cases);
END;
$$;

CREATE FUNCTION ons4_pairs_answer_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    responses BIGINT[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        responses := ARRAY[NEW.response_id];
    ELSIF TG_OP = 'DELETE' THEN
        responses := ARRAY[OLD.response_id];
    ELSE
        responses := ARRAY[OLD.response_id, NEW.response_id];
    END IF;
    PERFORM ons4_pairs_refresh(ARRAY(SELECT case_id FROM outcome_responses WHERE id = ANY (responses)));
    RETURN NULL;
END;
$$;
CREATE TRIGGER ons4_pairs_answer AFTER INSERT OR UPDATE OR DELETE ON outcome_answers
    FOR EACH ROW EXECUTE FUNCTION ons4_pairs_answer_changed();

-- A response moved to another case, timepoint or instrument changes the pairs of both cases.
CREATE FUNCTION ons4_pairs_response_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ons4_pairs_refresh(ARRAY[OLD.case_id, NEW.case_id]);
    RETURN NULL;
END;
$$;
CREATE TRIGGER ons4_pairs_response AFTER UPDATE OF case_id, instrument_code, timepoint ON outcome_responses
    FOR EACH ROW EXECUTE FUNCTION ons4_pairs_response_changed();

-- Existing measures.
INSERT INTO ons4_pairs (case_id, item_code, diff)
    SELECT rb.case_id, b.item_code, a.value - b.value
    FROM outcome_responses rb
    JOIN outcome_responses rf ON rf.case_id = rb.case_id AND rf.instrument_code = 'ons4' AND rf.timepoint = 'follow_up'
    JOIN outcome_answers b ON b.response_id = rb.id
    JOIN outcome_answers a ON a.response_id = rf.id AND a.item_code = b.item_code
    WHERE rb.instrument_code = 'ons4' AND rb.timepoint = 'baseline';
