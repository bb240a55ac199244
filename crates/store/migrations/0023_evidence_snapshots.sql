-- Evidence packs: the figures of each pack produced, kept so the same pack (PDF and XLSX)
-- can be made again from them byte for byte (`?snapshot=ID`). Aggregates only, no names.
-- `scope_kind` is practice, pcn or ics; `figures_json` is the pack's figures as JSON.
CREATE TABLE evidence_snapshots (
    id TEXT PRIMARY KEY,
    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('practice', 'pcn', 'ics')),
    scope_code TEXT NOT NULL,
    taken_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT,
    figures_json TEXT NOT NULL
);
CREATE INDEX evidence_snapshots_scope ON evidence_snapshots (scope_kind, scope_code);
