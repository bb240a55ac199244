-- Decisions on what staff ask of a published rota. A declined swap or cover request keeps
-- the manager's reason, which the person reads on My rota. A request for a session off that
-- falls on a published session is approved (the session is taken out of the rota) or
-- declined with a reason; one decision per request, removed with it, and cleared when the
-- person changes the request.
ALTER TABLE rota_swaps ADD COLUMN decision_reason TEXT;

CREATE TABLE session_request_decisions (
    request_id TEXT PRIMARY KEY REFERENCES session_requests (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('approved', 'declined')),
    -- The published rota the approval changed (none for a decline).
    rota_id TEXT REFERENCES rotas (id) ON DELETE SET NULL,
    reason TEXT,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
