//! Imports held after they ran on the web page (see migration 0024): the result, and the
//! rows of a team register file with problems. A held import is read only by the account
//! that ran it, and only until it expires.
use crate::Result;
use sqlx::{AnyConnection, Row};

/// One held import. `rows_json` and `outcome_json` are the app's to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldImport {
    pub id: String,
    pub user_id: String,
    pub org_code: String,
    /// Which import: `staff`, `ods-practices`, …
    pub kind: String,
    pub file_name: String,
    pub rows_json: String,
    pub outcome_json: String,
    pub created_at: String,
    pub expires_at: String,
}

/// Stores `held`, replacing the same account's earlier held imports of the same kind (a
/// manager works on one file of a kind at a time).
pub async fn replace(conn: &mut AnyConnection, held: &HeldImport) -> Result<()> {
    sqlx::query("DELETE FROM held_imports WHERE user_id = $1 AND kind = $2")
        .bind(&held.user_id)
        .bind(&held.kind)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO held_imports (id, user_id, org_code, kind, file_name, rows_json,
         outcome_json, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&held.id)
    .bind(&held.user_id)
    .bind(&held.org_code)
    .bind(&held.kind)
    .bind(&held.file_name)
    .bind(&held.rows_json)
    .bind(&held.outcome_json)
    .bind(&held.created_at)
    .bind(&held.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The held import `id` of account `user_id` of kind `kind`, unless it expired before `now`.
pub async fn get(
    conn: &mut AnyConnection,
    id: &str,
    user_id: &str,
    kind: &str,
    now: &str,
) -> Result<Option<HeldImport>> {
    let row = sqlx::query(
        "SELECT id, user_id, org_code, kind, file_name, rows_json, outcome_json, created_at,
         expires_at FROM held_imports
         WHERE id = $1 AND user_id = $2 AND kind = $3 AND expires_at > $4",
    )
    .bind(id)
    .bind(user_id)
    .bind(kind)
    .bind(now)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(HeldImport {
            id: r.try_get(0)?,
            user_id: r.try_get(1)?,
            org_code: r.try_get(2)?,
            kind: r.try_get(3)?,
            file_name: r.try_get(4)?,
            rows_json: r.try_get(5)?,
            outcome_json: r.try_get(6)?,
            created_at: r.try_get(7)?,
            expires_at: r.try_get(8)?,
        })
    })
    .transpose()
}

/// Records a new check of held import `id`: its rows as corrected and the new result.
pub async fn update(
    conn: &mut AnyConnection,
    id: &str,
    user_id: &str,
    rows_json: &str,
    outcome_json: &str,
    expires_at: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE held_imports SET rows_json = $3, outcome_json = $4, expires_at = $5
         WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .bind(rows_json)
    .bind(outcome_json)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes held imports expired before `now`; how many.
pub async fn purge(conn: &mut AnyConnection, now: &str) -> Result<u64> {
    let done = sqlx::query("DELETE FROM held_imports WHERE expires_at <= $1")
        .bind(now)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
