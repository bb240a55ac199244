-- A published rota a later change broke (leave approved, a starter, a leaver's end date, a
-- contract, a room or site closed): one row a rota while it is marked. `problems` is a JSON
-- list of the problems the changes brought, as keys only (rule, people's ids, day, session,
-- site; no names, so erasing a person leaves nothing here), matched against the rota's
-- live check when shown. `changes` counts the changes that broke it since publishing.
-- `repair` is the last proposed repair (JSON list of assignments), made from the rota at
-- `repair_version`; publishing it is refused once the rota has moved on. Valid on SQLite
-- and PostgreSQL.
CREATE TABLE rota_stale (
    rota_id TEXT PRIMARY KEY REFERENCES rotas (id) ON DELETE CASCADE,
    since TEXT NOT NULL,
    changes BIGINT NOT NULL DEFAULT 1,
    problems TEXT NOT NULL,
    repair TEXT,
    repair_version BIGINT,
    repair_made_at TEXT
);

-- A new notification kind, `rota_changed` (a published rota broken by a change, for its
-- managers): the kind's CHECK is widened by rebuilding the table, which both engines do
-- the same way.
CREATE TABLE notifications_next (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('leave', 'swap', 'rota', 'training', 'arrs_claim', 'rota_changed')),
    text TEXT NOT NULL,
    link TEXT NOT NULL,
    about_staff_id TEXT REFERENCES staff (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    read_at TEXT,
    email_state TEXT NOT NULL CHECK (email_state IN ('none', 'due', 'sending', 'sent', 'failed')),
    email_attempts BIGINT NOT NULL DEFAULT 0,
    email_claimed_at TEXT,
    email_error TEXT
);
INSERT INTO notifications_next (id, user_id, kind, text, link, about_staff_id, created_at,
    read_at, email_state, email_attempts, email_claimed_at, email_error)
SELECT id, user_id, kind, text, link, about_staff_id, created_at, read_at, email_state,
    email_attempts, email_claimed_at, email_error
FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_next RENAME TO notifications;
CREATE INDEX notifications_inbox ON notifications (user_id, created_at);
CREATE INDEX notifications_email ON notifications (email_state);
CREATE INDEX notifications_about ON notifications (about_staff_id);
