//! Two-factor sign-in: an account's TOTP secret and whether it is on (columns of `users`),
//! the last time step used (so a code works once) and the hashes of its recovery codes.
use crate::{Result, new_id};
use sqlx::{AnyConnection, Row};

/// An account's TOTP set-up as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TotpState {
    /// Base32; `None` until two-factor sign-in is set up.
    pub secret: Option<String>,
    pub enabled: bool,
}

/// The account's TOTP state; `None` for an unknown account.
pub async fn get(conn: &mut AnyConnection, user_id: &str) -> Result<Option<TotpState>> {
    let row = sqlx::query("SELECT totp_secret, totp_enabled FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(conn)
        .await?;
    row.map(|row| {
        Ok(TotpState {
            secret: row.try_get(0)?,
            enabled: row.try_get::<i64, _>(1)? != 0,
        })
    })
    .transpose()
}

/// Turns two-factor sign-in on with `secret`, or off (`None`, which also forgets the
/// secret, the recovery codes and the last step used).
pub async fn set(conn: &mut AnyConnection, user_id: &str, secret: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE users SET totp_secret = $2, totp_enabled = $3 WHERE id = $1")
        .bind(user_id)
        .bind(secret)
        .bind(i64::from(secret.is_some()))
        .execute(&mut *conn)
        .await?;
    if secret.is_none() {
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM totp_used_steps WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Records that the account used the code of time step `step`. False (and nothing
/// changes) when that step or a later one was used already: a code works once, and two
/// requests racing with the same code cannot both win.
pub async fn use_step(conn: &mut AnyConnection, user_id: &str, step: i64) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO totp_used_steps (user_id, last_step) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET last_step = excluded.last_step
         WHERE totp_used_steps.last_step < excluded.last_step",
    )
    .bind(user_id)
    .bind(step)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces the account's recovery codes with these hashes.
pub async fn replace_recovery_codes(
    conn: &mut AnyConnection,
    user_id: &str,
    hashes: &[String],
    now: &str,
) -> Result<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for hash in hashes {
        sqlx::query(
            "INSERT INTO recovery_codes (id, user_id, code_hash, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(new_id())
        .bind(user_id)
        .bind(hash)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Uses the unused recovery code with this hash: false when there is none (wrong, or used
/// already). Only one of two requests racing with the same code wins.
pub async fn use_recovery_code(
    conn: &mut AnyConnection,
    user_id: &str,
    hash: &str,
    now: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE recovery_codes SET used_at = $3
         WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
    )
    .bind(user_id)
    .bind(hash)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// How many of the account's recovery codes are still unused.
pub async fn unused_recovery_codes(conn: &mut AnyConnection, user_id: &str) -> Result<i64> {
    let row =
        sqlx::query("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
            .bind(user_id)
            .fetch_one(conn)
            .await?;
    Ok(row.try_get(0)?)
}
