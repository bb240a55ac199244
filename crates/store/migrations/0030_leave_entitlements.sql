-- Leave entitlements. `leave_policies` holds the leave rules of an employer (a practice's
-- ODS code or a PCN's code): the month its leave year starts, the full-time annual leave
-- days (bank holidays not included), the full-time days that may be carried over (pro rata
-- to WTE) and whether pages show leave in days or hours. No row: the NHS defaults (April,
-- 27 days, 5 days, days).
CREATE TABLE leave_policies (
    owner_code TEXT PRIMARY KEY,
    year_start_month BIGINT NOT NULL CHECK (year_start_month BETWEEN 1 AND 12),
    full_time_days DOUBLE PRECISION NOT NULL CHECK (full_time_days >= 0),
    carry_over_days DOUBLE PRECISION NOT NULL CHECK (carry_over_days >= 0),
    unit TEXT NOT NULL CHECK (unit IN ('days', 'hours')),
    updated_at TEXT NOT NULL
);

-- A person's own entitlement for the leave year starting `year_start`: their full-time
-- days (NULL: the employer's, or their latest earlier year's) and the hours carried in from
-- the year before (NULL: worked out from that year's balance, up to the cap).
CREATE TABLE leave_entitlements (
    staff_id TEXT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    year_start TEXT NOT NULL,
    full_time_days DOUBLE PRECISION CHECK (full_time_days >= 0),
    carried_over_hours DOUBLE PRECISION CHECK (carried_over_hours >= 0),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (staff_id, year_start)
);
