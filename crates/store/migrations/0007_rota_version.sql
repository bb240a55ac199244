-- A rota's version: bumped by every change to its assignments (a manager's day edit or lock,
-- an approved swap, a solve's result) and by queueing it to be solved again. Each such
-- change is a conditional UPDATE on the version the manager's form was shown, so two
-- managers editing the same rota at once cannot together break a rule each checked alone:
-- the second finds the version moved and is refused. Valid on SQLite and PostgreSQL.
ALTER TABLE rotas ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
