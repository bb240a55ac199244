-- Development, continued: CPD logs, appraisal and revalidation dates, coaching programmes
-- with their enrolments, sessions and the coachee's private notes, and managers'
-- development plans.
CREATE TABLE cpd_entries (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    done_on TEXT NOT NULL,
    activity TEXT NOT NULL,
    hours DOUBLE PRECISION NOT NULL,
    reflection TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE INDEX cpd_entries_staff ON cpd_entries (staff_id);

-- One row per person; a date is NULL until someone sets it.
CREATE TABLE professional_dates (
    staff_id TEXT PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    appraisal_due TEXT,
    revalidation_due TEXT,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE coaching_programmes (
    id TEXT PRIMARY KEY,
    pcn_code TEXT NOT NULL REFERENCES pcns (code),
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    sessions BIGINT NOT NULL,
    minutes_per_session BIGINT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE coaching_enrolments (
    id TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES coaching_programmes (id) ON DELETE CASCADE,
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    enrolled_by TEXT NOT NULL,
    enrolled_at TEXT NOT NULL,
    UNIQUE (programme_id, staff_id)
);
CREATE INDEX coaching_enrolments_staff ON coaching_enrolments (staff_id);

CREATE TABLE coaching_sessions (
    id TEXT PRIMARY KEY,
    enrolment_id TEXT NOT NULL REFERENCES coaching_enrolments (id) ON DELETE CASCADE,
    session_date TEXT NOT NULL,
    -- HH:MM, local time.
    start_time TEXT NOT NULL,
    -- A room and address, or a video link.
    place TEXT NOT NULL,
    coach TEXT NOT NULL,
    -- NULL until recorded; then 'attended' or 'did_not_attend'.
    attendance TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX coaching_sessions_enrolment ON coaching_sessions (enrolment_id);

-- The coachee's notes, kept apart from the sessions so that no query a manager's page
-- runs can reach them.
CREATE TABLE coaching_notes (
    session_id TEXT PRIMARY KEY REFERENCES coaching_sessions (id) ON DELETE CASCADE,
    note TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE development_goals (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    target_date TEXT,
    -- 'not_started', 'in_progress' or 'done'.
    status TEXT NOT NULL,
    progress TEXT NOT NULL,
    -- Training topic ids separated by ';'.
    topic_ids TEXT NOT NULL,
    enrolment_id TEXT REFERENCES coaching_enrolments (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX development_goals_staff ON development_goals (staff_id);
