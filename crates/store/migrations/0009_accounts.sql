-- Accounts for a real deployment: the system administrator role, disabled accounts, the
-- last log-in, a session epoch (raised to end every session of an account) and optional
-- TOTP two-factor sign-in. SQLite cannot change a CHECK constraint, so the table is made
-- again (no other table references users).

CREATE TABLE users_new (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('system_admin', 'pcn_manager', 'practice_manager', 'staff', 'ics_viewer')),
    org_code TEXT NOT NULL,
    staff_id TEXT REFERENCES staff (id) ON DELETE SET NULL,
    display_name TEXT NOT NULL,
    demo INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    last_login_at TEXT,
    session_epoch BIGINT NOT NULL DEFAULT 0,
    totp_secret TEXT,
    totp_enabled INTEGER NOT NULL DEFAULT 0
);

INSERT INTO users_new (id, email, password_hash, role, org_code, staff_id, display_name, demo, created_at)
SELECT id, email, password_hash, role, org_code, staff_id, display_name, demo, created_at FROM users;

DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_org ON users (org_code);
CREATE INDEX users_staff ON users (staff_id);
