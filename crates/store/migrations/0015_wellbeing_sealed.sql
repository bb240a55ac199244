-- Wellbeing: answers of an open period are held sealed, apart from the "who answered"
-- marker, and become results only when the period closes. Same subset of SQL as 0001.
-- See docs/design/wellbeing-anonymity.md.
--
-- `wellbeing_pending` holds one row an answer while its period is open. The row is written
-- in its own transaction, after the marker's has committed, and names no person, no
-- practice, no staff group and no time finer than the period: practice, group, scores and
-- comment are one AES-256-GCM box (`sealed`, base64, the same length for every answer)
-- under a key kept outside the database. The id is random (128 bits), so neither id nor
-- key order follows the order of answering. When the period closes, the boxes are opened,
-- shuffled and written to `wellbeing_answers` in one transaction with fresh random ids,
-- and the pending rows are deleted.
--
-- Answers already in `wellbeing_answers` (earlier periods, and any of the period open at
-- upgrade) stay where they are: results of a period are shown only once it has closed,
-- so those of the open period wait for its end like the sealed ones.

CREATE TABLE wellbeing_pending (
    id TEXT PRIMARY KEY,
    questionnaire_id TEXT NOT NULL REFERENCES wellbeing_questionnaires (id),
    period_start TEXT NOT NULL,
    sealed TEXT NOT NULL
);
CREATE INDEX wellbeing_pending_period ON wellbeing_pending (questionnaire_id, period_start);
