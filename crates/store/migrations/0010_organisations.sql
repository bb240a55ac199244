-- Practice-to-PCN membership with history. Each row is one spell of a practice in a PCN,
-- from a day to a day inclusive (`until_date` NULL while it lasts). `practices.pcn_code`
-- stays as the membership today, recomputed from these rows after each change and daily,
-- so every query that reads it keeps working.

CREATE TABLE pcn_memberships (
    ods_code TEXT NOT NULL REFERENCES practices (ods_code),
    pcn_code TEXT NOT NULL REFERENCES pcns (code),
    from_date TEXT NOT NULL,
    until_date TEXT,
    PRIMARY KEY (ods_code, from_date),
    CHECK (until_date IS NULL OR until_date >= from_date)
);
CREATE INDEX pcn_memberships_pcn ON pcn_memberships (pcn_code, from_date);

-- Each practice's current PCN becomes a membership open since the practice opened (or
-- since PCNs began, 1 July 2019, for a practice with no open date).
INSERT INTO pcn_memberships (ods_code, pcn_code, from_date, until_date)
SELECT ods_code, pcn_code, COALESCE(open_date, '2019-07-01'), NULL
FROM practices
WHERE pcn_code IS NOT NULL;
