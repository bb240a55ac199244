//! The private calendar tokens staff subscribe with.
use crate::{Result, corrupt};
use sqlx::{AnyConnection, Row};

/// A person's calendar token, if they have one.
pub async fn calendar_token(conn: &mut AnyConnection, staff_id: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query("SELECT token FROM calendar_tokens WHERE staff_id = $1")
            .bind(staff_id)
            .fetch_optional(conn)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?,
    )
}

/// Gives a person `token` unless they already have one, and returns theirs with whether it
/// is the one given. Safe when two requests race: the insert does nothing for the second
/// (on PostgreSQL it waits for the first to commit), which then reads the first's token.
/// Its first statement is the write, so on SQLite it never upgrades a stale read.
pub async fn ensure_calendar_token(
    conn: &mut AnyConnection,
    staff_id: &str,
    token: &str,
    now: &str,
) -> Result<(String, bool)> {
    let inserted = sqlx::query(
        "INSERT INTO calendar_tokens (staff_id, token, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (staff_id) DO NOTHING",
    )
    .bind(staff_id)
    .bind(token)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let theirs = calendar_token(conn, staff_id)
        .await?
        .ok_or_else(|| corrupt(format!("calendar token of {staff_id} vanished")))?;
    Ok((theirs, inserted.rows_affected() == 1))
}

/// Gives a person a new token in place of any old one (so the old calendar link stops
/// working); returns whether they had one. Two at once both succeed, the later winning.
pub async fn replace_calendar_token(
    conn: &mut AnyConnection,
    staff_id: &str,
    token: &str,
    now: &str,
) -> Result<bool> {
    let had = sqlx::query("DELETE FROM calendar_tokens WHERE staff_id = $1")
        .bind(staff_id)
        .execute(&mut *conn)
        .await?
        .rows_affected()
        > 0;
    // A racing replacement may have inserted since the delete: take its place.
    sqlx::query(
        "INSERT INTO calendar_tokens (staff_id, token, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (staff_id) DO UPDATE SET token = excluded.token, created_at = excluded.created_at",
    )
    .bind(staff_id)
    .bind(token)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(had)
}

/// Whose calendar a token opens.
pub async fn staff_for_calendar_token(
    conn: &mut AnyConnection,
    token: &str,
) -> Result<Option<String>> {
    Ok(
        sqlx::query("SELECT staff_id FROM calendar_tokens WHERE token = $1")
            .bind(token)
            .fetch_optional(conn)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?,
    )
}
