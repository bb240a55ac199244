-- Wellbeing: pulse check-ins and the support services staff are pointed to. Same subset of
-- SQL as 0001.
--
-- Anonymity, by construction: `wellbeing_answers` has no column naming a person or an
-- account and no time finer than the period's first day; its ids are random (UUID v4),
-- and the rows of a practice's period are rewritten in id order on every answer, so
-- neither ids nor storage order follow the order people answered in.
-- `wellbeing_answered` records only that a person has answered in a period (to refuse a
-- second answer) and holds nothing of the answer.

CREATE TABLE wellbeing_questionnaires (
    id TEXT PRIMARY KEY,
    -- The PCN code, or the practice's ODS code for a practice outside any PCN.
    tenant_code TEXT NOT NULL,
    questions_json TEXT NOT NULL,
    period_weeks BIGINT NOT NULL CHECK (period_weeks IN (2, 4)),
    threshold BIGINT NOT NULL CHECK (threshold >= 5),
    active INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX wellbeing_questionnaires_tenant ON wellbeing_questionnaires (tenant_code, active);

CREATE TABLE wellbeing_answers (
    id TEXT PRIMARY KEY,
    questionnaire_id TEXT NOT NULL REFERENCES wellbeing_questionnaires (id),
    period_start TEXT NOT NULL,
    practice_ods TEXT NOT NULL,
    staff_group TEXT NOT NULL,
    q1 BIGINT CHECK (q1 BETWEEN 1 AND 5),
    q2 BIGINT CHECK (q2 BETWEEN 1 AND 5),
    q3 BIGINT CHECK (q3 BETWEEN 1 AND 5),
    q4 BIGINT CHECK (q4 BETWEEN 1 AND 5),
    q5 BIGINT CHECK (q5 BETWEEN 1 AND 5),
    q6 BIGINT CHECK (q6 BETWEEN 1 AND 5),
    q7 BIGINT CHECK (q7 BETWEEN 1 AND 5),
    q8 BIGINT CHECK (q8 BETWEEN 1 AND 5),
    q9 BIGINT CHECK (q9 BETWEEN 1 AND 5),
    q10 BIGINT CHECK (q10 BETWEEN 1 AND 5),
    comment TEXT
);
CREATE INDEX wellbeing_answers_period ON wellbeing_answers (questionnaire_id, practice_ods, period_start);

CREATE TABLE wellbeing_answered (
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    period_start TEXT NOT NULL,
    PRIMARY KEY (staff_id, period_start)
);

CREATE TABLE support_services (
    id TEXT PRIMARY KEY,
    tenant_code TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    contact TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX support_services_tenant ON support_services (tenant_code);
