//! The database's own consistency checks, for the crash-safety soak and for an operator
//! after a crash: SQLite's `integrity_check` and `foreign_key_check`; on PostgreSQL the
//! `amcheck` extension's B-tree index and heap checks over every table and index of the
//! schema (the extension is created when missing; it ships with PostgreSQL's contrib).
//! Also the planner's statistics after a bulk load.
use crate::{Backend, Result, Store};
use sqlx::Row;

impl Store {
    /// Refreshes the query planner's statistics (`ANALYZE`), after a bulk load: until
    /// PostgreSQL's autovacuum gets to new tables their row estimates are wrong and the
    /// planner chooses sequential scans.
    pub async fn refresh_statistics(&self) -> Result<()> {
        let mut conn = self.conn().await?;
        sqlx::query("ANALYZE").execute(&mut *conn).await?;
        Ok(())
    }

    /// Every problem the checks find, in their words; empty when the database is sound.
    pub async fn integrity_problems(&self) -> Result<Vec<String>> {
        let mut conn = self.conn().await?;
        let mut problems = Vec::new();
        match self.backend() {
            Backend::Sqlite => {
                for row in sqlx::query("PRAGMA integrity_check")
                    .fetch_all(&mut *conn)
                    .await?
                {
                    let line: String = row.try_get(0)?;
                    if line != "ok" {
                        problems.push(format!("integrity_check: {line}"));
                    }
                }
                let orphans = sqlx::query("PRAGMA foreign_key_check")
                    .fetch_all(&mut *conn)
                    .await?;
                if !orphans.is_empty() {
                    problems.push(format!(
                        "foreign_key_check: {} rows point at nothing",
                        orphans.len()
                    ));
                }
            }
            Backend::Postgres => {
                let installed = sqlx::query("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'")
                    .fetch_optional(&mut *conn)
                    .await?;
                if installed.is_none() {
                    sqlx::query("CREATE EXTENSION IF NOT EXISTS amcheck")
                        .execute(&mut *conn)
                        .await?;
                }
                // A void result, read as text so every driver decodes it.
                sqlx::query(
                    "SELECT bt_index_check(c.oid::regclass, true)::text
                     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                     JOIN pg_am a ON a.oid = c.relam
                     WHERE a.amname = 'btree' AND c.relnamespace = 'public'::regnamespace",
                )
                .fetch_all(&mut *conn)
                .await?;
                for row in sqlx::query(
                    "SELECT c.relname::text, v.msg FROM pg_class c,
                         LATERAL verify_heapam(c.oid::regclass) v
                     WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace",
                )
                .fetch_all(&mut *conn)
                .await?
                {
                    let table: String = row.try_get(0)?;
                    let message: Option<String> = row.try_get(1)?;
                    problems.push(format!("{table}: {}", message.unwrap_or_default()));
                }
            }
        }
        Ok(problems)
    }
}
