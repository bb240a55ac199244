-- Log-in throttling per account as well as per client address, and housekeeping by age.
-- `account` is the email typed (lower case), so unknown emails are limited too; '' for
-- attempts recorded before this migration. `succeeded`: 0 failed (or still being checked),
-- 1 signed in, 2 password right with a two-factor code still to come.
ALTER TABLE login_attempts ADD COLUMN account TEXT NOT NULL DEFAULT '';
CREATE INDEX login_attempts_account ON login_attempts (account, at);
CREATE INDEX login_attempts_at ON login_attempts (at);
