-- Notifications: each person's inbox in gpteam, and the emails that copy it.
-- A row is one notice to one account; `text` says what happened in plain words without
-- health details, `link` is a path inside gpteam. `about_staff_id` names the person the
-- notice is about (a swap asked by them, a reminder to them), so erasing that person
-- removes it from every inbox. `email_state`: `none` (inbox only: email off on the
-- server, or the person chose not to have this kind by email), `due` (waiting for the
-- sender), `sending` (claimed by a sender at `email_claimed_at`), `sent`, `failed`
-- (given up after several attempts; `email_error` says why, for the administrator).
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('leave', 'swap', 'rota', 'training', 'arrs_claim')),
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
CREATE INDEX notifications_inbox ON notifications (user_id, created_at);
CREATE INDEX notifications_email ON notifications (email_state);
CREATE INDEX notifications_about ON notifications (about_staff_id);

-- Which kinds a person wants by email too. No row: yes (when the server can send email).
CREATE TABLE notification_email_choices (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    email INTEGER NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- Training reminders a manager sent from the training matrix: one row a person and topic,
-- rows of one send sharing `batch_id`. `owner_code` is the practice or PCN whose matrix it
-- was sent from; `status` the topic's standing then (`expiring` or `expired`).
CREATE TABLE training_reminders (
    id TEXT PRIMARY KEY,
    batch_id TEXT NOT NULL,
    owner_code TEXT NOT NULL,
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    topic_id TEXT NOT NULL REFERENCES training_topics (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('expiring', 'expired')),
    expires_on TEXT,
    sent_at TEXT NOT NULL,
    sent_by TEXT NOT NULL REFERENCES users (id),
    emailed INTEGER NOT NULL
);
CREATE INDEX training_reminders_person ON training_reminders (staff_id, topic_id, sent_at);
CREATE INDEX training_reminders_owner ON training_reminders (owner_code, sent_at);
