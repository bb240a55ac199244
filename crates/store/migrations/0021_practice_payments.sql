-- NHS Payments to General Practice (NHS Digital, annual, practice level): per practice and
-- financial year, the patient counts and every money column by its published name. Amounts
-- are whole pence, so the lines add up to the published totals exactly. Same subset of SQL
-- as 0001.

-- `year_start` is the calendar year the financial year starts in (2022 for 2022/23).
-- `published_code` and `published_name` are the practice as the file names it: the demo
-- shows a real practice's payments for a demo practice, and says whose they are.
CREATE TABLE payment_years (
    ods_code TEXT NOT NULL REFERENCES practices (ods_code),
    year_start BIGINT NOT NULL CHECK (year_start BETWEEN 1990 AND 2099),
    published_code TEXT NOT NULL,
    published_name TEXT NOT NULL,
    registered_patients DOUBLE PRECISION CHECK (registered_patients >= 0),
    weighted_patients DOUBLE PRECISION CHECK (weighted_patients >= 0),
    total_pence BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (ods_code, year_start)
);
CREATE INDEX payment_years_year ON payment_years (year_start);

-- One money column of one practice's year. `kind`: `line` (part of "Total NHS Payments to
-- General Practice"), `outside` (deductions, PCN and COVID-19 payments), `total` (the
-- publisher's totals). `position` is the column's place among the file's money columns.
CREATE TABLE payment_lines (
    ods_code TEXT NOT NULL,
    year_start BIGINT NOT NULL,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('line', 'outside', 'total')),
    amount_pence BIGINT NOT NULL,
    PRIMARY KEY (ods_code, year_start, name),
    FOREIGN KEY (ods_code, year_start) REFERENCES payment_years (ods_code, year_start) ON DELETE CASCADE
);
