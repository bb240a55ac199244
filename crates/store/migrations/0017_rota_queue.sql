-- The fair rota queue: how many times a job has been claimed (a job whose worker keeps
-- dying is marked failed after a few claims instead of being run for ever), and indexes
-- for the claimer's questions (what is waiting, what each organisation has running and
-- when it was last served, what one manager has waiting).
ALTER TABLE rotas ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
CREATE INDEX rotas_status_created ON rotas (status, created_at);
CREATE INDEX rotas_scope_started ON rotas (scope_kind, scope_code, started_at);
CREATE INDEX rotas_created_by ON rotas (created_by, status);
