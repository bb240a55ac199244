-- Staff's requests about single sessions: to work one ("I'd like Tuesday PM on 3 March") or
-- to have one off ("not Friday AM"). The optimiser weighs them as preferences; one request
-- per person, day and session (a new one replaces the old). Valid on SQLite and PostgreSQL.
CREATE TABLE session_requests (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    session TEXT NOT NULL CHECK (session IN ('am', 'pm', 'evening', 'saturday')),
    wish TEXT NOT NULL CHECK (wish IN ('work', 'off')),
    note TEXT,
    created_by TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (staff_id, day, session)
);
CREATE INDEX session_requests_day ON session_requests (day);
