-- Development: the training catalogue of each PCN or practice, training records with
-- their evidence, and the reminders already sent (so no process sends one twice).
CREATE TABLE training_topics (
    id TEXT PRIMARY KEY,
    -- The PCN code, or the practice ODS code for a practice's own topics.
    owner_code TEXT NOT NULL,
    -- The key of the sourced default the topic was seeded from; NULL for a practice's own.
    default_key TEXT,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    -- Role codes separated by ';'; empty when everyone needs it.
    roles TEXT NOT NULL,
    -- NULL when it never expires.
    renewal_months BIGINT,
    evidence_required INTEGER NOT NULL,
    source TEXT NOT NULL,
    retired INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX training_topics_default ON training_topics (owner_code, default_key);

CREATE TABLE evidence_files (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    content_base64 TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);

CREATE TABLE training_records (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    topic_id TEXT NOT NULL REFERENCES training_topics (id),
    completed_on TEXT NOT NULL,
    provider TEXT NOT NULL,
    hours DOUBLE PRECISION NOT NULL,
    -- The expiry the certificate states; NULL to compute it from the topic's renewal.
    expires_on TEXT,
    evidence_id TEXT REFERENCES evidence_files (id),
    -- The user who added it (the person themselves or a manager).
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL,
    verified_by TEXT,
    verified_at TEXT
);
CREATE INDEX training_records_staff ON training_records (staff_id);

CREATE TABLE reminders_sent (
    -- 'training_expiry' or 'training_digest'.
    kind TEXT NOT NULL,
    -- A staff id or a user id.
    recipient TEXT NOT NULL,
    -- What it was about: a record and its expiry date, or an ISO week.
    about TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (kind, recipient, about)
);
