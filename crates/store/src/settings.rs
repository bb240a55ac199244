//! Deployment-wide settings kept in the database (for example whether it holds the demo).
use crate::Result;
use sqlx::{AnyConnection, Row};

pub async fn get(conn: &mut AnyConnection, key: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.get::<String, _>(0)))
}

pub async fn set(conn: &mut AnyConnection, key: &str, value: &str) -> Result<()> {
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(key)
        .bind(value)
        .execute(conn)
        .await?;
    Ok(())
}

/// Sets a value only if the key has none yet; returns whether it was written.
pub async fn insert_if_absent(conn: &mut AnyConnection, key: &str, value: &str) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
    )
    .bind(key)
    .bind(value)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
