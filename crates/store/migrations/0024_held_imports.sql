-- Imports run on the web page, held for an hour after they ran: the result (a summary or
-- every problem) so the result page is an address a reload can show, and, for a team
-- register file with problems, its rows as read, so the manager can correct a cell on the
-- page and check the file again without choosing it again. Only the account that ran the
-- import sees it; housekeeping deletes it once expired.
CREATE TABLE held_imports (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    rows_json TEXT NOT NULL,
    outcome_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE INDEX held_imports_user ON held_imports (user_id, kind);
CREATE INDEX held_imports_expiry ON held_imports (expires_at);
