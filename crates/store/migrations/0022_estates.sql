-- Estates: ad-hoc bookings of a free room for one session, whether a booked room-session
-- was used, and each PCN's utilisation threshold. Written once for SQLite and PostgreSQL
-- alike: text ids (UUID v7), ISO-8601 text dates, BIGINT counts, INTEGER 0/1 flags. Never
-- edit a released migration: add a new one.

-- One room, one day, one session: a visiting service, a training session. The rota does
-- not give a booked room to anyone for that session. Who booked is an account id, so no
-- name is copied here.
CREATE TABLE room_bookings (
    id TEXT PRIMARY KEY,
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    session TEXT NOT NULL CHECK (session IN ('am', 'pm', 'evening', 'saturday')),
    purpose TEXT NOT NULL,
    booked_by TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (room_id, day, session)
);
CREATE INDEX room_bookings_day ON room_bookings (day);

-- Whether a booked room-session was used (1) or booked and not used (0); no row: not
-- marked. Marked by the practice's managers, or by the person booked for their own session.
CREATE TABLE room_use_marks (
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    session TEXT NOT NULL CHECK (session IN ('am', 'pm', 'evening', 'saturday')),
    used INTEGER NOT NULL CHECK (used IN (0, 1)),
    marked_by TEXT,
    marked_at TEXT NOT NULL,
    PRIMARY KEY (room_id, day, session)
);
CREATE INDEX room_use_marks_day ON room_use_marks (day);

-- A PCN's own threshold under which a room is flagged (default 60 %).
CREATE TABLE estates_thresholds (
    pcn_code TEXT PRIMARY KEY REFERENCES pcns (code),
    percent BIGINT NOT NULL CHECK (percent BETWEEN 1 AND 100),
    updated_at TEXT NOT NULL
);
