-- The foundation schema. Written once for SQLite and PostgreSQL alike: text ids (UUID v7),
-- ISO-8601 text for dates and times, BIGINT for counts, DOUBLE PRECISION for WTE and money,
-- INTEGER 0/1 for flags. Never edit a released migration: add a new one.

CREATE TABLE ics (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE pcns (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    ics_code TEXT REFERENCES ics (code)
);

CREATE TABLE practices (
    ods_code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    pcn_code TEXT REFERENCES pcns (code),
    address TEXT NOT NULL DEFAULT '',
    postcode TEXT NOT NULL DEFAULT '',
    commissioner TEXT NOT NULL DEFAULT '',
    phone TEXT,
    open_date TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX practices_pcn ON practices (pcn_code);

CREATE TABLE list_sizes (
    ods_code TEXT NOT NULL REFERENCES practices (ods_code),
    extract_date TEXT NOT NULL,
    patients BIGINT NOT NULL,
    PRIMARY KEY (ods_code, extract_date)
);

CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    practice_ods TEXT NOT NULL REFERENCES practices (ods_code),
    name TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    UNIQUE (practice_ods, name)
);

CREATE TABLE rooms (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    capabilities TEXT NOT NULL,
    UNIQUE (site_id, name)
);

CREATE TABLE staff (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT UNIQUE,
    phone TEXT,
    role TEXT NOT NULL,
    staff_group TEXT NOT NULL,
    employer_kind TEXT NOT NULL CHECK (employer_kind IN ('practice', 'pcn')),
    employer_code TEXT NOT NULL,
    wte DOUBLE PRECISION NOT NULL CHECK (wte > 0 AND wte <= 1.5),
    sessions_per_week DOUBLE PRECISION NOT NULL,
    skills TEXT NOT NULL DEFAULT '',
    start_date TEXT NOT NULL,
    end_date TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX staff_employer ON staff (employer_kind, employer_code);

CREATE TABLE staff_practices (
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    ods_code TEXT NOT NULL REFERENCES practices (ods_code),
    PRIMARY KEY (staff_id, ods_code)
);
CREATE INDEX staff_practices_ods ON staff_practices (ods_code);

CREATE TABLE staff_sites (
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    PRIMARY KEY (staff_id, site_id)
);

CREATE TABLE vacancies (
    id TEXT PRIMARY KEY,
    employer_kind TEXT NOT NULL CHECK (employer_kind IN ('practice', 'pcn')),
    employer_code TEXT NOT NULL,
    role TEXT NOT NULL,
    staff_group TEXT NOT NULL,
    wte DOUBLE PRECISION NOT NULL,
    opened_on TEXT,
    monthly_cost_gbp DOUBLE PRECISION NOT NULL DEFAULT 0,
    notes TEXT,
    status TEXT NOT NULL DEFAULT 'open',
    created_at TEXT NOT NULL
);

CREATE TABLE leave_requests (
    id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    note TEXT,
    status TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    CHECK (end_date >= start_date)
);
CREATE INDEX leave_requests_staff ON leave_requests (staff_id);
CREATE INDEX leave_requests_dates ON leave_requests (start_date, end_date);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('pcn_manager', 'practice_manager', 'staff', 'ics_viewer')),
    org_code TEXT NOT NULL,
    staff_id TEXT REFERENCES staff (id) ON DELETE SET NULL,
    display_name TEXT NOT NULL,
    demo INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE login_attempts (
    id TEXT PRIMARY KEY,
    client TEXT NOT NULL,
    at TEXT NOT NULL,
    succeeded INTEGER NOT NULL
);
CREATE INDEX login_attempts_client ON login_attempts (client, at);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    user_id TEXT,
    user_email TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    tenant TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_tenant ON audit_log (tenant, at);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
