//! Backing up and restoring an SQLite database, and what a restore checks first.
//!
//! A backup is SQLite's `VACUUM INTO`: one consistent copy taken while the server keeps
//! running (it reads inside one transaction, WAL included). PostgreSQL has `pg_dump`, which
//! does the same better than gpteam could, so the command line points to it instead.
use crate::{Backend, Result, Store, StoreError};
use sqlx::{AnyConnection, Row};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// The file an `sqlite:` URL names (`sqlite://gpteam.db?mode=rwc` → `gpteam.db`).
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// Text SQLite reads as one string literal.
fn literal(path: &Path) -> String {
    format!("'{}'", path.to_string_lossy().replace('\'', "''"))
}

impl Store {
    /// Writes a consistent copy of this SQLite database to `out`, which must not exist yet.
    pub async fn backup_sqlite(&self, out: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::UnsupportedUrl(
                "backup through gpteam is for SQLite; use pg_dump for PostgreSQL".into(),
            ));
        }
        let mut conn = self.conn().await?;
        sqlx::query(&format!("VACUUM INTO {}", literal(out)))
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// How many accounts the database holds (0 when it has no schema yet).
    pub async fn account_count(&self) -> Result<i64> {
        let mut conn = self.conn().await?;
        if !table_names(&mut conn, self.backend)
            .await?
            .iter()
            .any(|t| t == "users")
        {
            return Ok(0);
        }
        let row = sqlx::query("SELECT COUNT(*) FROM users")
            .fetch_one(&mut *conn)
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Whether this database was made by gpteam: its migrations table holds gpteam's first
    /// migration with the checksum this build knows. Later migrations may be missing (an
    /// older backup); `migrate` brings them in.
    pub async fn is_gpteam_database(&self) -> Result<bool> {
        let mut conn = self.conn().await?;
        if !table_names(&mut conn, self.backend)
            .await?
            .iter()
            .any(|t| t == "_sqlx_migrations")
        {
            return Ok(false);
        }
        let Some(first) = crate::MIGRATOR.iter().next() else {
            return Ok(false);
        };
        let row = sqlx::query("SELECT checksum FROM _sqlx_migrations WHERE version = $1")
            .bind(first.version)
            .fetch_optional(&mut *conn)
            .await?;
        Ok(match row {
            Some(row) => row.try_get::<Vec<u8>, _>(0)? == first.checksum.as_ref(),
            None => false,
        })
    }
}

/// Every table of the database (gpteam's, sqlx's migrations and the session store's), by name.
pub async fn table_names(conn: &mut AnyConnection, backend: Backend) -> Result<Vec<String>> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        }
    };
    let rows = sqlx::query(sql).fetch_all(conn).await?;
    rows.iter()
        .map(|r| r.try_get::<String, _>(0).map_err(StoreError::from))
        .collect()
}

/// One table as a restore test compares it: its rows and a checksum of every value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSummary {
    pub name: String,
    pub rows: i64,
    pub checksum: u64,
}

/// Every table of an SQLite database with its row count and a checksum of its contents
/// (each row quoted by SQLite, in rowid order), so two copies can be compared exactly.
pub async fn sqlite_summary(conn: &mut AnyConnection) -> Result<Vec<TableSummary>> {
    let mut out = Vec::new();
    for name in table_names(conn, Backend::Sqlite).await? {
        let columns = sqlx::query("SELECT name FROM pragma_table_info($1) ORDER BY cid")
            .bind(&name)
            .fetch_all(&mut *conn)
            .await?;
        let quoted: Vec<String> = columns
            .iter()
            .map(|c| {
                c.try_get::<String, _>(0)
                    .map(|c| format!("quote(\"{}\")", c.replace('"', "\"\"")))
            })
            .collect::<std::result::Result<_, _>>()?;
        let table = name.replace('"', "\"\"");
        let rows = sqlx::query(&format!(
            "SELECT {} FROM \"{table}\" ORDER BY rowid",
            quoted.join(" || ',' || ")
        ))
        .fetch_all(&mut *conn)
        .await?;
        let mut hasher = std::hash::DefaultHasher::new();
        for row in &rows {
            row.try_get::<String, _>(0)?.hash(&mut hasher);
        }
        out.push(TableSummary {
            name,
            rows: rows.len() as i64,
            checksum: hasher.finish(),
        });
    }
    Ok(out)
}

/// Replaces the SQLite database at `target` with a consistent copy of `source` (a backup).
/// The caller has checked `source` is a gpteam database and that `target` may be replaced;
/// nothing may hold `target` open.
pub async fn restore_sqlite(source: &Store, target: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = target.as_os_str().to_owned();
        file.push(suffix);
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(StoreError::Conflict(format!(
                    "cannot replace {}: {e}",
                    Path::new(&file).display()
                )));
            }
        }
    }
    source.backup_sqlite(target).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_path("sqlite://gpteam.db?mode=rwc"),
            Some(PathBuf::from("gpteam.db"))
        );
        assert_eq!(
            sqlite_path("sqlite:///var/lib/gpteam/g.db"),
            Some(PathBuf::from("/var/lib/gpteam/g.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x@y/z"), None);
        assert_eq!(literal(Path::new("it's.db")), "'it''s.db'");
    }
}
