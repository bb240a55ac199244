-- The ARRS ledger: maximum reimbursable rates (versioned, each with its source), the
-- national £ per weighted patient by year, each PCN's weighted population and area by year,
-- the posts it claims for, and its monthly claims with their lines. Same subset of SQL as
-- 0001. Rates are never updated in place: a change is a new version (a new row), so a
-- submitted claim's lines keep the figures they were made with.

CREATE TABLE arrs_rates (
    id TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    band TEXT NOT NULL DEFAULT '',
    area TEXT NOT NULL CHECK (area IN ('national', 'outer_london', 'inner_london')),
    annual_max_gbp DOUBLE PRECISION NOT NULL CHECK (annual_max_gbp > 0),
    funding_share DOUBLE PRECISION NOT NULL CHECK (funding_share > 0 AND funding_share <= 1),
    effective_from TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source <> ''),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX arrs_rates_role ON arrs_rates (role, area, effective_from);

CREATE TABLE arrs_sum_rates (
    financial_year TEXT PRIMARY KEY, -- 2025-26
    gbp_per_weighted_patient DOUBLE PRECISION NOT NULL CHECK (gbp_per_weighted_patient > 0),
    source TEXT NOT NULL CHECK (source <> ''),
    updated_at TEXT NOT NULL
);

CREATE TABLE arrs_pcn_years (
    pcn_code TEXT NOT NULL REFERENCES pcns (code),
    financial_year TEXT NOT NULL,
    weighted_population DOUBLE PRECISION CHECK (weighted_population > 0),
    area TEXT NOT NULL DEFAULT 'national' CHECK (area IN ('national', 'outer_london', 'inner_london')),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (pcn_code, financial_year)
);

CREATE TABLE arrs_posts (
    staff_id TEXT PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    pcn_code TEXT NOT NULL REFERENCES pcns (code),
    band TEXT NOT NULL DEFAULT '',
    wte DOUBLE PRECISION NOT NULL CHECK (wte > 0 AND wte <= 1.5),
    engagement TEXT NOT NULL CHECK (engagement IN ('employed', 'subcontracted', 'mental_health_trust')),
    monthly_salary_gbp DOUBLE PRECISION NOT NULL CHECK (monthly_salary_gbp > 0),
    employer_ni_gbp DOUBLE PRECISION NOT NULL CHECK (employer_ni_gbp >= 0),
    employer_pension_gbp DOUBLE PRECISION NOT NULL CHECK (employer_pension_gbp >= 0),
    previous_post_ended TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX arrs_posts_pcn ON arrs_posts (pcn_code);

CREATE TABLE arrs_claims (
    pcn_code TEXT NOT NULL REFERENCES pcns (code),
    month TEXT NOT NULL, -- 2025-07
    financial_year TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'checked', 'submitted')),
    total_gbp DOUBLE PRECISION NOT NULL,
    drafted_at TEXT NOT NULL,
    drafted_by TEXT NOT NULL,
    checked_at TEXT,
    checked_by TEXT,
    submitted_at TEXT,
    submitted_by TEXT,
    PRIMARY KEY (pcn_code, month)
);

-- One line a post (and one more for each earlier submitted month a later rate raised).
-- The staff record is referenced, never copied: the name is read from the register.
CREATE TABLE arrs_claim_lines (
    id TEXT PRIMARY KEY,
    pcn_code TEXT NOT NULL,
    month TEXT NOT NULL,
    line_no BIGINT NOT NULL,
    staff_id TEXT NOT NULL REFERENCES staff (id),
    for_month TEXT NOT NULL,
    backdated INTEGER NOT NULL,
    role TEXT NOT NULL,
    band TEXT NOT NULL,
    wte DOUBLE PRECISION NOT NULL,
    engagement TEXT NOT NULL,
    employer TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT,
    days_in_post BIGINT NOT NULL,
    days_in_month BIGINT NOT NULL,
    monthly_salary_gbp DOUBLE PRECISION NOT NULL,
    employer_ni_gbp DOUBLE PRECISION NOT NULL,
    employer_pension_gbp DOUBLE PRECISION NOT NULL,
    actual_cost_gbp DOUBLE PRECISION NOT NULL,
    annual_max_gbp DOUBLE PRECISION NOT NULL,
    maximum_gbp DOUBLE PRECISION NOT NULL,
    funding_share DOUBLE PRECISION NOT NULL,
    claim_gbp DOUBLE PRECISION NOT NULL,
    rate_id TEXT NOT NULL,
    rate_source TEXT NOT NULL,
    FOREIGN KEY (pcn_code, month) REFERENCES arrs_claims (pcn_code, month) ON DELETE CASCADE
);
CREATE INDEX arrs_claim_lines_claim ON arrs_claim_lines (pcn_code, month, line_no);
CREATE INDEX arrs_claim_lines_staff ON arrs_claim_lines (staff_id, for_month);

-- Seeded from ../shared/research/funding-estates-evidence.md §1.2 and §1.4 and
-- ../shared/data/nhs/arrs (every year with figures; missing years stay missing).
INSERT INTO arrs_sum_rates VALUES
    ('2023-24', 22.671, 'NEL ICB ARRS update 2023/24 (primary); population at 1 January 2023', '2026-12-03T00:00:00Z'),
    ('2024-25', 22.894, 'Pulse PCN, "PCNs can claim more for ARRS staff but funding remains flat" (Sept 2024); The Pharmacist. The GP top-up of £1.303 for 1 Oct 2024–31 Mar 2025 is separate', '2026-12-03T00:00:00Z'),
    ('2025-26', 26.631, 'NCL Training Hub quoting Network Contract DES 2025/26 §10.5.4; The Pharmacist; Pulse PCN', '2026-12-03T00:00:00Z');

INSERT INTO arrs_rates (id, role, band, area, annual_max_gbp, funding_share, effective_from, source, created_at, created_by) VALUES
    ('seed-2324-cp-a', 'clinical_pharmacist', '', 'national', 59312, 1, '2023-04-01', 'NHS England via The Pharmacist, "No new funding for ARRS pay increases": before the 1 July 2023 uplift', '2023-04-01T00:00:00Z', 'seed'),
    ('seed-2324-cp-b', 'clinical_pharmacist', '', 'national', 62340, 1, '2023-07-01', 'NHS England via The Pharmacist, "No new funding for ARRS pay increases": from 1 July 2023', '2023-07-01T00:00:00Z', 'seed'),
    ('seed-2324-cc-a', 'care_coordinator', '', 'national', 31746, 1, '2023-04-01', 'NHS England via The Pharmacist, "No new funding for ARRS pay increases": before the 1 July 2023 uplift', '2023-04-01T00:00:00Z', 'seed'),
    ('seed-2324-cc-b', 'care_coordinator', '', 'national', 33396, 1, '2023-07-01', 'NHS England via The Pharmacist, "No new funding for ARRS pay increases": from 1 July 2023', '2023-07-01T00:00:00Z', 'seed'),
    ('seed-2324-spl-a', 'social_prescribing_link_worker', '', 'national', 38187, 1, '2023-04-01', 'NHS England via The Pharmacist, "No new funding for ARRS pay increases": before the 1 July 2023 uplift', '2023-04-01T00:00:00Z', 'seed'),
    ('seed-2324-spl-b', 'social_prescribing_link_worker', '', 'national', 40159, 1, '2023-07-01', 'NHS England via The Pharmacist, "No new funding for ARRS pay increases": from 1 July 2023', '2023-07-01T00:00:00Z', 'seed'),
    ('seed-2324-pt-a', 'pharmacy_technician', '', 'national', 38187, 1, '2023-04-01', 'NHS England via The Pharmacist, "No new funding for ARRS pay increases": before the 1 July 2023 uplift', '2023-04-01T00:00:00Z', 'seed'),
    ('seed-2324-pt-b', 'pharmacy_technician', '', 'national', 40159, 1, '2023-07-01', 'NHS England via The Pharmacist, "No new funding for ARRS pay increases": from 1 July 2023', '2023-07-01T00:00:00Z', 'seed'),
    ('seed-2324-fcp-a', 'first_contact_physiotherapist', '', 'national', 59312, 1, '2023-04-01', 'NHS England via The Pharmacist, "No new funding for ARRS pay increases": before the 1 July 2023 uplift', '2023-04-01T00:00:00Z', 'seed'),
    ('seed-2324-fcp-b', 'first_contact_physiotherapist', '', 'national', 62340, 1, '2023-07-01', 'NHS England via The Pharmacist, "No new funding for ARRS pay increases": from 1 July 2023', '2023-07-01T00:00:00Z', 'seed'),
    ('seed-2425-cp-n', 'clinical_pharmacist', '7–8a', 'national', 65838, 1, '2024-10-01', 'The Pharmacist (Oct 2024); Pharmaceutical Journal: from 1 October 2024', '2024-10-01T00:00:00Z', 'seed'),
    ('seed-2425-cp-o', 'clinical_pharmacist', '7–8a', 'outer_london', 73189, 1, '2024-10-01', 'The Pharmacist (Oct 2024); Pharmaceutical Journal: from 1 October 2024', '2024-10-01T00:00:00Z', 'seed'),
    ('seed-2425-cp-i', 'clinical_pharmacist', '7–8a', 'inner_london', 76313, 1, '2024-10-01', 'The Pharmacist (Oct 2024); Pharmaceutical Journal: from 1 October 2024', '2024-10-01T00:00:00Z', 'seed'),
    ('seed-2425-ap-n', 'advanced_practitioner', '8a', 'national', 72141, 1, '2024-10-01', 'The Pharmacist (Oct 2024); Pharmaceutical Journal: from 1 October 2024', '2024-10-01T00:00:00Z', 'seed'),
    ('seed-2425-ap-o', 'advanced_practitioner', '8a', 'outer_london', 79492, 1, '2024-10-01', 'The Pharmacist (Oct 2024); Pharmaceutical Journal: from 1 October 2024', '2024-10-01T00:00:00Z', 'seed'),
    ('seed-2425-ap-i', 'advanced_practitioner', '8a', 'inner_london', 82616, 1, '2024-10-01', 'The Pharmacist (Oct 2024); Pharmaceutical Journal: from 1 October 2024', '2024-10-01T00:00:00Z', 'seed'),
    ('seed-2425-pt-n', 'pharmacy_technician', '5', 'national', 42437, 1, '2024-10-01', 'The Pharmacist (Oct 2024); Pharmaceutical Journal: from 1 October 2024', '2024-10-01T00:00:00Z', 'seed'),
    ('seed-2425-pt-o', 'pharmacy_technician', '5', 'outer_london', 48991, 1, '2024-10-01', 'The Pharmacist (Oct 2024); Pharmaceutical Journal: from 1 October 2024', '2024-10-01T00:00:00Z', 'seed'),
    ('seed-2425-pt-i', 'pharmacy_technician', '5', 'inner_london', 51176, 1, '2024-10-01', 'The Pharmacist (Oct 2024); Pharmaceutical Journal: from 1 October 2024', '2024-10-01T00:00:00Z', 'seed'),
    ('seed-2425-gp-n', 'salaried_gp', '', 'national', 92462, 1, '2024-10-01', 'Pulse PCN (Sept 2024); NHSE London FAQ slides: GPs in ARRS from 1 October 2024, England', '2024-10-01T00:00:00Z', 'seed'),
    ('seed-2425-gp-o', 'salaried_gp', '', 'outer_london', 95233, 1, '2024-10-01', 'Pulse PCN (Sept 2024); NHSE London FAQ slides: one London figure, no inner/outer split', '2024-10-01T00:00:00Z', 'seed'),
    ('seed-2425-gp-i', 'salaried_gp', '', 'inner_london', 95233, 1, '2024-10-01', 'Pulse PCN (Sept 2024); NHSE London FAQ slides: one London figure, no inner/outer split', '2024-10-01T00:00:00Z', 'seed'),
    ('seed-2526-cp-n', 'clinical_pharmacist', '7–8a', 'national', 66972, 1, '2025-04-01', 'The Pharmacist (Apr 2025); Pharmaceutical Journal (1 Apr 2025): before the August 2025 backdated uplift', '2025-04-01T00:00:00Z', 'seed'),
    ('seed-2526-cp-o', 'clinical_pharmacist', '7–8a', 'outer_london', 74392, 1, '2025-04-01', 'The Pharmacist (Apr 2025); Pharmaceutical Journal (1 Apr 2025): before the August 2025 backdated uplift', '2025-04-01T00:00:00Z', 'seed'),
    ('seed-2526-cp-i', 'clinical_pharmacist', '7–8a', 'inner_london', 77545, 1, '2025-04-01', 'The Pharmacist (Apr 2025); Pharmaceutical Journal (1 Apr 2025): before the August 2025 backdated uplift', '2025-04-01T00:00:00Z', 'seed'),
    ('seed-2526-ap-n', 'advanced_practitioner', '8a', 'national', 73334, 1, '2025-04-01', 'The Pharmacist (Apr 2025); Pharmaceutical Journal (1 Apr 2025): before the August 2025 backdated uplift', '2025-04-01T00:00:00Z', 'seed'),
    ('seed-2526-ap-o', 'advanced_practitioner', '8a', 'outer_london', 80754, 1, '2025-04-01', 'The Pharmacist (Apr 2025); Pharmaceutical Journal (1 Apr 2025): before the August 2025 backdated uplift', '2025-04-01T00:00:00Z', 'seed'),
    ('seed-2526-ap-i', 'advanced_practitioner', '8a', 'inner_london', 83907, 1, '2025-04-01', 'The Pharmacist (Apr 2025); Pharmaceutical Journal (1 Apr 2025): before the August 2025 backdated uplift', '2025-04-01T00:00:00Z', 'seed'),
    ('seed-2526-pt-n', 'pharmacy_technician', '5', 'national', 43352, 1, '2025-04-01', 'The Pharmacist (Apr 2025); Pharmaceutical Journal (1 Apr 2025): before the August 2025 backdated uplift', '2025-04-01T00:00:00Z', 'seed'),
    ('seed-2526-pt-o', 'pharmacy_technician', '5', 'outer_london', 49967, 1, '2025-04-01', 'The Pharmacist (Apr 2025); Pharmaceutical Journal (1 Apr 2025): before the August 2025 backdated uplift', '2025-04-01T00:00:00Z', 'seed'),
    ('seed-2526-pt-i', 'pharmacy_technician', '5', 'inner_london', 52172, 1, '2025-04-01', 'The Pharmacist (Apr 2025); Pharmaceutical Journal (1 Apr 2025): before the August 2025 backdated uplift', '2025-04-01T00:00:00Z', 'seed'),
    ('seed-2526-ngpn-n', 'practice_nurse', '5', 'national', 43352, 1, '2025-04-01', 'Pulse PCN / Management in Practice, "Consultant nurses added to ARRS" (2025): new-to-general-practice nurse, band 5', '2025-04-01T00:00:00Z', 'seed'),
    ('seed-2526-egpn-n', 'practice_nurse', '6', 'national', 53319, 1, '2025-04-01', 'Pulse PCN / Management in Practice, "Consultant nurses added to ARRS" (2025): experienced general practice nurse, band 6', '2025-04-01T00:00:00Z', 'seed'),
    ('seed-2526-cn-n', 'practice_nurse', '8c', 'national', 102683, 1, '2025-04-01', 'Pulse PCN / Management in Practice, "Consultant nurses added to ARRS" (2025): registered nurse, consultant level, band 8c', '2025-04-01T00:00:00Z', 'seed'),
    ('seed-2526-hcsw-n', 'healthcare_assistant', '3', 'national', 32159, 1, '2025-04-01', 'Pulse PCN / Management in Practice, "Consultant nurses added to ARRS" (2025): healthcare support worker, band 3', '2025-04-01T00:00:00Z', 'seed'),
    ('seed-2526-gp-n', 'salaried_gp', '', 'national', 105882, 1, '2025-04-01', 'Humberside LMC, "Network Contract DES 2025/26": GP maximum (salary element £82,418); London figure not found', '2025-04-01T00:00:00Z', 'seed');
