//! The one place SQL lives. See README.md.
//!
//! One code path serves SQLite and PostgreSQL through sqlx's `Any` driver: the schema in
//! `migrations/` is written in the subset both understand (text ids, ISO text dates,
//! BIGINT counts, DOUBLE PRECISION amounts, INTEGER flags) and every query uses `$n`
//! placeholders. Query functions take `&mut AnyConnection`, so the app layer decides what
//! runs inside one transaction (`Store::begin`) and what reads from the pool.

pub mod accounts;
pub mod audit;
pub mod backup;
mod constraint;
pub mod demand;
pub mod development;
pub mod estates;
pub mod evidence;
pub mod funding;
pub mod imports;
pub mod integrity;
pub mod leave;
pub mod notifications;
pub mod organisations;
pub mod register;
pub mod rota;
pub mod settings;
pub mod sites;
#[cfg(feature = "testing")]
pub mod testing;
pub mod training;
pub mod wellbeing;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyConnection, AnyPool, Connection, Executor, Transaction};
use std::str::FromStr;
use std::time::Duration;

pub use sqlx::AnyConnection as Conn;

/// A transaction on the store, from `Store::begin`.
pub type Tx = Transaction<'static, Any>;

/// What can go wrong in the store, sorted by what the caller should tell a person.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique or foreign-key rule refused the write (duplicate email, unknown practice...).
    #[error("{0}")]
    Conflict(String),
    /// A check or not-null rule refused a value (the words are for a person).
    #[error("{0}")]
    Invalid(String),
    /// A stored value no longer parses as a domain value.
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("database URL '{0}' is not supported: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        let refused = match &error {
            sqlx::Error::Database(db) => constraint::refused(db.as_ref()),
            _ => None,
        };
        match (refused, &error) {
            (Some(refused), _) => refused,
            (None, sqlx::Error::RowNotFound) => StoreError::NotFound,
            (None, _) => StoreError::Database(error),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(url.to_string()))
        }
    }
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A pool of connections to the one database of this deployment.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Opens the database named by `url` (`sqlite://path` creates the file when missing).
    /// SQLite gets WAL, foreign keys and a busy timeout on every connection.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") && !url.contains(":memory:") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 10,
            })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Store { pool, backend })
    }

    /// Applies every migration not yet applied.
    pub async fn migrate(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection for reads (and single-row writes).
    pub async fn conn(&self) -> Result<sqlx::pool::PoolConnection<Any>> {
        Ok(self.pool.acquire().await?)
    }

    /// Starts a transaction: every write spanning rows goes through one. On SQLite it takes
    /// the write lock at once (`BEGIN IMMEDIATE`), so two transactions that read and then
    /// write wait for each other (busy timeout) instead of one failing with "database is
    /// locked" when it tries to write on a snapshot the other has moved past.
    pub async fn begin(&self) -> Result<Transaction<'static, Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Rows changed by every statement on every pooled connection since it opened, whether
    /// later rolled back or not (SQLite's `total_changes()`); `None` on PostgreSQL. Tests
    /// use it to show that a refused request wrote nothing, not even a write undone by a
    /// rollback. It holds every pooled connection while counting: call it when idle.
    ///
    /// On PostgreSQL the count comes from the write probe a test installs
    /// (`testing::install_write_probe`): a sequence every row change advances, which a
    /// rollback does not undo. Without the probe it is `None`.
    pub async fn total_changes(&self) -> Result<Option<i64>> {
        if self.backend == Backend::Postgres {
            let mut conn = self.pool.acquire().await?;
            let installed: Option<String> =
                sqlx::query_scalar("SELECT CAST(to_regclass('gpteam_write_probe') AS TEXT)")
                    .fetch_one(&mut *conn)
                    .await?;
            if installed.is_none() {
                return Ok(None);
            }
            let count: i64 = sqlx::query_scalar(
                "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM gpteam_write_probe",
            )
            .fetch_one(&mut *conn)
            .await?;
            return Ok(Some(count));
        }
        let mut held = Vec::new();
        let mut total = 0;
        for _ in 0..self.pool.options().get_max_connections() {
            let mut conn = self.pool.acquire().await?;
            let row = sqlx::query("SELECT total_changes()")
                .fetch_one(&mut *conn)
                .await?;
            total += sqlx::Row::try_get::<i64, _>(&row, 0)?;
            held.push(conn);
        }
        Ok(Some(total))
    }

    /// Checks the database answers.
    pub async fn ping(&self) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        conn.ping().await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A new stored id: UUID v7, so ids sort by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The stored form of an instant: RFC 3339 in UTC to the second, which sorts as text.
pub fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub(crate) fn parse_date(text: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| StoreError::Corrupt(format!("date '{text}'")))
}

pub(crate) fn parse_optional_date(text: Option<String>) -> Result<Option<chrono::NaiveDate>> {
    text.filter(|t| !t.is_empty())
        .map(|t| parse_date(&t))
        .transpose()
}

pub(crate) fn corrupt(error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(error.to_string())
}

/// Makes `LIKE` patterns safe for user text.
pub(crate) fn like_pattern(text: &str) -> String {
    let escaped = text
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[allow(dead_code)]
pub(crate) type Db = AnyConnection;
