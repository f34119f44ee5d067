-- Issue 13: a guided flow in progress may hold a whole new text (/revise) or a reason. It
-- expires a day after its last input, and a purge removes every flow about the letter, so
-- the letter a flow is about is a column of its own (revise, decline, comment: the letter
-- named in its state; a reply: the letter of the comment answered).
ALTER TABLE flows ADD COLUMN letter_id INTEGER;

UPDATE flows SET letter_id = json_extract(state, '$.letter_id')
WHERE json_valid(state) AND json_type(state, '$.letter_id') = 'integer';

UPDATE flows SET letter_id = (
    SELECT letter_id FROM comments WHERE id = json_extract(flows.state, '$.comment_id'))
WHERE letter_id IS NULL AND json_valid(state)
    AND json_type(state, '$.comment_id') = 'integer';

CREATE INDEX flows_letter ON flows (letter_id) WHERE letter_id IS NOT NULL;
CREATE INDEX flows_updated ON flows (updated_at);
