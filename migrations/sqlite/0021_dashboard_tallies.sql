-- Pre-aggregated figures for the dashboards, kept right by triggers in the same transaction as
-- every change that moves them, whichever package makes the change.

-- ons4_pairs is each case's paired change in each ONS4 item: the follow-up answer minus the
-- baseline answer, present only when the case has both. The dashboard sums these instead of
-- joining four tables of responses and answers.
CREATE TABLE ons4_pairs (
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    item_code  TEXT NOT NULL,
    diff       INTEGER NOT NULL,
    PRIMARY KEY (case_id, item_code)
);

-- The rows of one case, worked out again from its responses (rebuilding all of them is the
-- same statement without the case condition; see reports.RebuildTallies).
CREATE TRIGGER ons4_pairs_answer_insert AFTER INSERT ON outcome_answers BEGIN
    DELETE FROM ons4_pairs WHERE case_id = (SELECT case_id FROM outcome_responses WHERE id = NEW.response_id);
    INSERT INTO ons4_pairs (case_id, item_code, diff)
        SELECT rb.case_id, b.item_code, a.value - b.value
        FROM outcome_responses rb
        JOIN outcome_responses rf ON rf.case_id = rb.case_id AND rf.instrument_code = 'ons4' AND rf.timepoint = 'follow_up'
        JOIN outcome_answers b ON b.response_id = rb.id
        JOIN outcome_answers a ON a.response_id = rf.id AND a.item_code = b.item_code
        WHERE rb.instrument_code = 'ons4' AND rb.timepoint = 'baseline'
          AND rb.case_id = (SELECT case_id FROM outcome_responses WHERE id = NEW.response_id);
END;

CREATE TRIGGER ons4_pairs_answer_update AFTER UPDATE ON outcome_answers BEGIN
    DELETE FROM ons4_pairs WHERE case_id IN (SELECT case_id FROM outcome_responses WHERE id IN (OLD.response_id, NEW.response_id));
    INSERT INTO ons4_pairs (case_id, item_code, diff)
        SELECT rb.case_id, b.item_code, a.value - b.value
        FROM outcome_responses rb
        JOIN outcome_responses rf ON rf.case_id = rb.case_id AND rf.instrument_code = 'ons4' AND rf.timepoint = 'follow_up'
        JOIN outcome_answers b ON b.response_id = rb.id
        JOIN outcome_answers a ON a.response_id = rf.id AND a.item_code = b.item_code
        WHERE rb.instrument_code = 'ons4' AND rb.timepoint = 'baseline'
          AND rb.case_id IN (SELECT case_id FROM outcome_responses WHERE id IN (OLD.response_id, NEW.response_id));
END;

CREATE TRIGGER ons4_pairs_answer_delete AFTER DELETE ON outcome_answers BEGIN
    DELETE FROM ons4_pairs WHERE case_id = (SELECT case_id FROM outcome_responses WHERE id = OLD.response_id);
    INSERT INTO ons4_pairs (case_id, item_code, diff)
        SELECT rb.case_id, b.item_code, a.value - b.value
        FROM outcome_responses rb
        JOIN outcome_responses rf ON rf.case_id = rb.case_id AND rf.instrument_code = 'ons4' AND rf.timepoint = 'follow_up'
        JOIN outcome_answers b ON b.response_id = rb.id
        JOIN outcome_answers a ON a.response_id = rf.id AND a.item_code = b.item_code
        WHERE rb.instrument_code = 'ons4' AND rb.timepoint = 'baseline'
          AND rb.case_id = (SELECT case_id FROM outcome_responses WHERE id = OLD.response_id);
END;

-- A response moved to another case, timepoint or instrument changes the pairs of both cases.
CREATE TRIGGER ons4_pairs_response_update AFTER UPDATE OF case_id, instrument_code, timepoint ON outcome_responses BEGIN
    DELETE FROM ons4_pairs WHERE case_id IN (OLD.case_id, NEW.case_id);
    INSERT INTO ons4_pairs (case_id, item_code, diff)
        SELECT rb.case_id, b.item_code, a.value - b.value
        FROM outcome_responses rb
        JOIN outcome_responses rf ON rf.case_id = rb.case_id AND rf.instrument_code = 'ons4' AND rf.timepoint = 'follow_up'
        JOIN outcome_answers b ON b.response_id = rb.id
        JOIN outcome_answers a ON a.response_id = rf.id AND a.item_code = b.item_code
        WHERE rb.instrument_code = 'ons4' AND rb.timepoint = 'baseline' AND rb.case_id IN (OLD.case_id, NEW.case_id);
END;

-- Existing measures.
INSERT INTO ons4_pairs (case_id, item_code, diff)
    SELECT rb.case_id, b.item_code, a.value - b.value
    FROM outcome_responses rb
    JOIN outcome_responses rf ON rf.case_id = rb.case_id AND rf.instrument_code = 'ons4' AND rf.timepoint = 'follow_up'
    JOIN outcome_answers b ON b.response_id = rb.id
    JOIN outcome_answers a ON a.response_id = rf.id AND a.item_code = b.item_code
    WHERE rb.instrument_code = 'ons4' AND rb.timepoint = 'baseline';
