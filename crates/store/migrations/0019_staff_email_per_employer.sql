-- A person's email is unique within their employer (a practice or a PCN), no longer across
-- all of gpteam: a manager adding someone must not learn that the address is already used
-- in another PCN, and one person may really work for two PCNs. Neither engine can drop the
-- old column-level UNIQUE constraint in the same SQL (SQLite would need the staff table made
-- again, and dropping it cascades into every table that references staff), so the column
-- is renamed out of the way, emptied (NULLs never clash), and a new email column takes its
-- place with an index per employer.

ALTER TABLE staff RENAME COLUMN email TO email_unique_until_0019;
ALTER TABLE staff ADD COLUMN email TEXT;
UPDATE staff SET email = email_unique_until_0019, email_unique_until_0019 = NULL;
CREATE UNIQUE INDEX staff_employer_email ON staff (employer_kind, employer_code, email);
CREATE INDEX staff_email ON staff (email);
