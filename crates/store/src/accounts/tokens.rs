//! One-time links for accounts: the first-run set-up link, invitations and password resets.
//! Only the hash of a token is stored; a token is spent once, by a conditional update.
use crate::{Result, corrupt};
use sqlx::{AnyConnection, Row, any::AnyRow};

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Creates the first system administrator of an empty deployment.
    Setup,
    /// Creates an account for the invited address.
    Invitation,
    /// Sets a new password on an existing account.
    PasswordReset,
}

impl Purpose {
    pub fn code(self) -> &'static str {
        match self {
            Purpose::Setup => "setup",
            Purpose::Invitation => "invitation",
            Purpose::PasswordReset => "password_reset",
        }
    }

    fn parse(text: &str) -> Option<Purpose> {
        [Purpose::Setup, Purpose::Invitation, Purpose::PasswordReset]
            .into_iter()
            .find(|p| p.code() == text)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TokenRow {
    pub id: String,
    /// SHA-256 of the token, in hex.
    pub token_hash: String,
    pub purpose: Purpose,
    /// The address invited, or the account's address for a reset.
    pub email: String,
    /// The role an invitation grants (`system_admin` for the set-up link; the account's
    /// role for a reset).
    pub role: String,
    pub org_code: String,
    /// The person's staff record an invitation links the account to.
    pub staff_id: Option<String>,
    /// The account a reset is for.
    pub user_id: Option<String>,
    /// The account that sent an invitation.
    pub created_by: Option<String>,
    pub created_at: String,
    pub expires_at: String,
    pub used_at: Option<String>,
}

pub async fn insert(conn: &mut AnyConnection, row: &TokenRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO account_tokens (id, token_hash, purpose, email, role, org_code, staff_id,
         user_id, created_by, created_at, expires_at, used_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&row.id)
    .bind(&row.token_hash)
    .bind(row.purpose.code())
    .bind(&row.email)
    .bind(&row.role)
    .bind(&row.org_code)
    .bind(&row.staff_id)
    .bind(&row.user_id)
    .bind(&row.created_by)
    .bind(&row.created_at)
    .bind(&row.expires_at)
    .bind(&row.used_at)
    .execute(conn)
    .await?;
    Ok(())
}

fn from_row(row: AnyRow) -> Result<TokenRow> {
    let purpose: String = row.try_get(2)?;
    Ok(TokenRow {
        id: row.try_get(0)?,
        token_hash: row.try_get(1)?,
        purpose: Purpose::parse(&purpose)
            .ok_or_else(|| corrupt(format!("token purpose '{purpose}'")))?,
        email: row.try_get(3)?,
        role: row.try_get(4)?,
        org_code: row.try_get(5)?,
        staff_id: row.try_get(6)?,
        user_id: row.try_get(7)?,
        created_by: row.try_get(8)?,
        created_at: row.try_get(9)?,
        expires_at: row.try_get(10)?,
        used_at: row.try_get(11)?,
    })
}

/// The token with this hash and purpose, used or not, expired or not.
pub async fn find(
    conn: &mut AnyConnection,
    purpose: Purpose,
    token_hash: &str,
) -> Result<Option<TokenRow>> {
    let row = sqlx::query(
        "SELECT id, token_hash, purpose, email, role, org_code, staff_id, user_id, created_by,
         created_at, expires_at, used_at FROM account_tokens WHERE token_hash = $1 AND purpose = $2",
    )
    .bind(token_hash)
    .bind(purpose.code())
    .fetch_optional(conn)
    .await?;
    row.map(from_row).transpose()
}

/// Spends a token: true when this call spent it, false when it was already used (so two
/// requests with one link cannot both succeed).
pub async fn mark_used(conn: &mut AnyConnection, id: &str, at: &str) -> Result<bool> {
    let done =
        sqlx::query("UPDATE account_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL")
            .bind(id)
            .bind(at)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Tokens of a purpose made for an address at or after `since` (to limit reset requests).
pub async fn count_since(
    conn: &mut AnyConnection,
    purpose: Purpose,
    email: &str,
    since: &str,
) -> Result<i64> {
    let row = sqlx::query(
        "SELECT COUNT(*) FROM account_tokens WHERE purpose = $1 AND email = $2 AND created_at >= $3",
    )
    .bind(purpose.code())
    .bind(email)
    .bind(since)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// Spends every unused token of a purpose for an address (a reset link is dead once the
/// password is set by another one).
pub async fn spend_all(
    conn: &mut AnyConnection,
    purpose: Purpose,
    email: &str,
    at: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE account_tokens SET used_at = $3 WHERE purpose = $1 AND email = $2 AND used_at IS NULL",
    )
    .bind(purpose.code())
    .bind(email)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes tokens spent, or expired, before `before`; returns how many.
pub async fn purge(conn: &mut AnyConnection, before: &str) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM account_tokens WHERE (used_at IS NOT NULL AND used_at < $1) OR expires_at < $2",
    )
    .bind(before)
    .bind(before)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
