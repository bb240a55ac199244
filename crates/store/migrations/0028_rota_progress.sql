-- A solve's best rota so far, explained for the manager while it runs: hard rules broken
-- and sessions below the minimum and the ideal cover. Written by the worker's heartbeat
-- (at most once a second), cleared when a solve starts, removed with its rota.
CREATE TABLE rota_progress (
    rota_id TEXT PRIMARY KEY REFERENCES rotas (id) ON DELETE CASCADE,
    hard_problems BIGINT NOT NULL,
    below_minimum BIGINT NOT NULL,
    below_ideal BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
