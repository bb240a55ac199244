-- Rotas: the inputs a manager sets (session times per site, cover needed, each person's
-- rules), the optimiser's jobs and their results (assignments, locked person-days), swap
-- requests, and the private calendar links staff subscribe to. Written once for SQLite and
-- PostgreSQL alike: text ids (UUID v7), ISO-8601 text for dates and times, BIGINT for counts,
-- DOUBLE PRECISION for fractions, INTEGER 0/1 for flags. Never edit a released migration:
-- add a new one.

-- Overrides of the default session times per site; no row means the default.
CREATE TABLE site_sessions (
    site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    session TEXT NOT NULL CHECK (session IN ('am', 'pm', 'evening', 'saturday')),
    starts TEXT NOT NULL, -- HH:MM
    ends TEXT NOT NULL,
    open INTEGER NOT NULL,
    PRIMARY KEY (site_id, session)
);

CREATE TABLE cover_requirements (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    weekday BIGINT NOT NULL CHECK (weekday BETWEEN 0 AND 5), -- 0 Monday .. 5 Saturday
    session TEXT NOT NULL CHECK (session IN ('am', 'pm', 'evening', 'saturday')),
    need TEXT NOT NULL, -- e.g. 'group:gp', 'role:practice_nurse', 'skill:minor surgery'
    minimum BIGINT NOT NULL,
    ideal BIGINT NOT NULL,
    UNIQUE (site_id, weekday, session, need)
);

CREATE TABLE staff_rota_rules (
    staff_id TEXT PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    fixed_sessions TEXT NOT NULL DEFAULT '', -- 'mon:am;tue:pm'
    days_never TEXT NOT NULL DEFAULT '', -- 'wed;fri'
    max_evenings_month BIGINT,
    max_saturdays_month BIGINT,
    appointments_per_session BIGINT,
    appointment_minutes BIGINT,
    updated_at TEXT NOT NULL
);

-- One optimiser job and, once done, its result. Web processes claim queued jobs (and
-- running ones whose worker stopped sending heartbeats) with a conditional UPDATE.
CREATE TABLE rotas (
    id TEXT PRIMARY KEY,
    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('practice', 'pcn')),
    scope_code TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    weeks BIGINT NOT NULL,
    time_limit_seconds BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    progress DOUBLE PRECISION NOT NULL DEFAULT 0,
    hard_violations BIGINT,
    soft_penalty BIGINT,
    problems_json TEXT,
    error TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    worker TEXT,
    heartbeat_at TEXT,
    created_by TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    published_at TEXT,
    published_by TEXT
);
CREATE INDEX rotas_scope ON rotas (scope_kind, scope_code, created_at);
CREATE INDEX rotas_status ON rotas (status);

CREATE TABLE rota_assignments (
    rota_id TEXT NOT NULL REFERENCES rotas (id) ON DELETE CASCADE,
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    session TEXT NOT NULL CHECK (session IN ('am', 'pm', 'evening', 'saturday')),
    site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    room_id TEXT REFERENCES rooms (id) ON DELETE SET NULL,
    PRIMARY KEY (rota_id, staff_id, day, session)
);
CREATE INDEX rota_assignments_staff ON rota_assignments (staff_id, day);

-- A locked person-day: the optimiser keeps whatever it holds, including a day off.
CREATE TABLE rota_locks (
    rota_id TEXT NOT NULL REFERENCES rotas (id) ON DELETE CASCADE,
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    PRIMARY KEY (rota_id, staff_id, day)
);

CREATE TABLE calendar_tokens (
    staff_id TEXT PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    token TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE rota_swaps (
    id TEXT PRIMARY KEY,
    rota_id TEXT NOT NULL REFERENCES rotas (id) ON DELETE CASCADE,
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE, -- who asks
    day TEXT NOT NULL,
    session TEXT NOT NULL CHECK (session IN ('am', 'pm', 'evening', 'saturday')),
    with_staff_id TEXT REFERENCES staff (id) ON DELETE SET NULL, -- who would cover; NULL = anyone
    note TEXT,
    status TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'declined')),
    requested_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT
);
CREATE INDEX rota_swaps_rota ON rota_swaps (rota_id, requested_at);
