-- Demand and capacity: appointment counts as published (GPAD), capacity settings per
-- practice and what-if scenarios. Same subset of SQL as 0001.

CREATE TABLE appointment_areas (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Summed over booking lead time. `period_start` is the day (daily files) or the first of
-- the month (monthly files); `month` (YYYY-MM) is what an import replaces.
CREATE TABLE appointment_counts (
    area_code TEXT NOT NULL,
    period_start TEXT NOT NULL,
    month TEXT NOT NULL,
    daily INTEGER NOT NULL,
    hcp_type TEXT NOT NULL,
    appt_mode TEXT NOT NULL,
    appt_status TEXT NOT NULL,
    appointments BIGINT NOT NULL CHECK (appointments >= 0),
    PRIMARY KEY (area_code, period_start, hcp_type, appt_mode, appt_status)
);
CREATE INDEX appointment_counts_month ON appointment_counts (area_code, month);

CREATE TABLE appointment_imports (
    id TEXT PRIMARY KEY,
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_stored BIGINT NOT NULL,
    first_month TEXT NOT NULL,
    last_month TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT
);

-- Appointments a 4 h 10 min session gives, by staff group, where a practice differs from
-- the defaults (BMA safe-working guidance).
CREATE TABLE capacity_settings (
    ods_code TEXT NOT NULL REFERENCES practices (ods_code),
    staff_group TEXT NOT NULL,
    appointments_per_session DOUBLE PRECISION NOT NULL CHECK (appointments_per_session >= 0),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (ods_code, staff_group)
);

CREATE TABLE scenarios (
    id TEXT PRIMARY KEY,
    tenant_kind TEXT NOT NULL CHECK (tenant_kind IN ('practice', 'pcn')),
    tenant_code TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT
);
CREATE INDEX scenarios_tenant ON scenarios (tenant_kind, tenant_code);

CREATE TABLE scenario_posts (
    id TEXT PRIMARY KEY,
    scenario_id TEXT NOT NULL REFERENCES scenarios (id) ON DELETE CASCADE,
    change TEXT NOT NULL CHECK (change IN ('add', 'remove')),
    role TEXT NOT NULL,
    wte DOUBLE PRECISION NOT NULL CHECK (wte > 0 AND wte <= 1.5),
    start_month TEXT NOT NULL,
    yearly_cost_per_wte DOUBLE PRECISION CHECK (yearly_cost_per_wte >= 0)
);
