-- Two-factor sign-in: single-use recovery codes (only their SHA-256 hashes) and the last
-- TOTP time step each account used, so a code cannot be used twice. Neither table names
-- users in a foreign key: a later rebuild of users (as in 0009) must not cascade into them.

CREATE TABLE recovery_codes (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

CREATE TABLE totp_used_steps (
    user_id TEXT PRIMARY KEY,
    last_step BIGINT NOT NULL
);
