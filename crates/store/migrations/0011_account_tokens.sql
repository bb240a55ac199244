-- One-time links for accounts people run themselves: the first-run set-up link, invitations
-- and password resets. Only a hash (SHA-256, hex) of each token is kept, so a copy of the
-- database cannot be used to take over an account. A token is spent by setting used_at.
CREATE TABLE account_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    purpose TEXT NOT NULL CHECK (purpose IN ('setup', 'invitation', 'password_reset')),
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    org_code TEXT NOT NULL,
    staff_id TEXT,
    user_id TEXT,
    created_by TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

CREATE INDEX account_tokens_email ON account_tokens (purpose, email, created_at);
