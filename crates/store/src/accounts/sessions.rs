//! Server-side sessions in the same database, through `tower-sessions-sqlx-store`.
//!
//! That crate needs a typed pool, so this module opens a small one of its own on the same
//! URL and hides which engine it is behind one `SessionStore`.
use crate::{Backend, Result, StoreError};
use async_trait::async_trait;
use std::str::FromStr;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

#[derive(Debug, Clone)]
pub enum SessionBackend {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl SessionBackend {
    /// Opens the session table on the database named by `url`, creating it when missing.
    pub async fn connect(url: &str) -> Result<SessionBackend> {
        let backend = match Backend::of_url(url)? {
            Backend::Sqlite => {
                let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                    .busy_timeout(std::time::Duration::from_secs(10));
                let pool = sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(2)
                    .connect_with(options)
                    .await?;
                let store = SqliteStore::new(pool);
                store.migrate().await?;
                SessionBackend::Sqlite(store)
            }
            Backend::Postgres => {
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(4)
                    .connect(url)
                    .await?;
                let store = PostgresStore::new(pool);
                store.migrate().await.map_err(StoreError::from)?;
                SessionBackend::Postgres(store)
            }
        };
        Ok(backend)
    }
}

#[async_trait]
impl SessionStore for SessionBackend {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            SessionBackend::Sqlite(s) => s.create(record).await,
            SessionBackend::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            SessionBackend::Sqlite(s) => s.save(record).await,
            SessionBackend::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            SessionBackend::Sqlite(s) => s.load(id).await,
            SessionBackend::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            SessionBackend::Sqlite(s) => s.delete(id).await,
            SessionBackend::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for SessionBackend {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            SessionBackend::Sqlite(s) => s.delete_expired().await,
            SessionBackend::Postgres(s) => s.delete_expired().await,
        }
    }
}

/// Deletes every session past its expiry (the server's housekeeping).
pub async fn purge_expired(sessions: &SessionBackend) -> Result<()> {
    sessions
        .delete_expired()
        .await
        .map_err(|e| StoreError::Database(sqlx::Error::Protocol(e.to_string())))
}

/// How many sessions are stored, expired or not (for tests of the housekeeping).
pub async fn count(conn: &mut sqlx::AnyConnection) -> Result<i64> {
    let table = if conn.backend_name().eq_ignore_ascii_case("postgresql") {
        "tower_sessions.session"
    } else {
        "tower_sessions"
    };
    let row = sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(conn)
        .await?;
    Ok(sqlx::Row::try_get(&row, 0)?)
}
