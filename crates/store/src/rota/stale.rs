//! Published rotas a later change broke (`rota_stale`): the problems the changes brought,
//! kept as keys without names, and the last repair proposed for each.
use crate::Result;
use crate::rota::marks;
use sqlx::{AnyConnection, Row, any::AnyRow};

/// A published rota's mark.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StaleRow {
    pub rota_id: String,
    /// When the first change broke it (UTC).
    pub since: String,
    /// How many changes broke it since it was published.
    pub changes: i64,
    /// JSON list of problem keys (`app::rota::stale::ProblemKey`).
    pub problems: String,
    /// JSON list of assignments: the last repair proposed, not yet published.
    pub repair: Option<String>,
    /// The rota's version the repair was made from.
    pub repair_version: Option<i64>,
    pub repair_made_at: Option<String>,
}

const SELECT: &str = "SELECT rota_id, since, changes, problems, repair, repair_version,
    repair_made_at FROM rota_stale";

fn from_row(row: &AnyRow) -> Result<StaleRow> {
    Ok(StaleRow {
        rota_id: row.try_get(0)?,
        since: row.try_get(1)?,
        changes: row.try_get(2)?,
        problems: row.try_get(3)?,
        repair: row.try_get(4)?,
        repair_version: row.try_get(5)?,
        repair_made_at: row.try_get(6)?,
    })
}

/// The mark of one rota, if it has one.
pub async fn get(conn: &mut AnyConnection, rota_id: &str) -> Result<Option<StaleRow>> {
    sqlx::query(&format!("{SELECT} WHERE rota_id = $1"))
        .bind(rota_id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
}

/// The marks of some rotas (those without one are left out).
pub async fn list(conn: &mut AnyConnection, rota_ids: &[String]) -> Result<Vec<StaleRow>> {
    if rota_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{SELECT} WHERE rota_id IN ({}) ORDER BY rota_id",
        marks(1, rota_ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in rota_ids {
        query = query.bind(id);
    }
    query.fetch_all(conn).await?.iter().map(from_row).collect()
}

/// Marks a rota broken by one more change, with every problem it now has from changes
/// since publishing; a repair proposed before is dropped (it was made for the old rota).
pub async fn mark(
    conn: &mut AnyConnection,
    rota_id: &str,
    problems: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO rota_stale (rota_id, since, changes, problems) VALUES ($1, $2, 1, $3)
         ON CONFLICT (rota_id) DO UPDATE SET changes = rota_stale.changes + 1,
             problems = excluded.problems, repair = NULL, repair_version = NULL,
             repair_made_at = NULL",
    )
    .bind(rota_id)
    .bind(now)
    .bind(problems)
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces the problems of a mark (those a manager's edit has since put right are gone).
pub async fn set_problems(conn: &mut AnyConnection, rota_id: &str, problems: &str) -> Result<()> {
    sqlx::query("UPDATE rota_stale SET problems = $2 WHERE rota_id = $1")
        .bind(rota_id)
        .bind(problems)
        .execute(conn)
        .await?;
    Ok(())
}

/// Keeps a proposed repair, made from the rota at `version`.
pub async fn set_repair(
    conn: &mut AnyConnection,
    rota_id: &str,
    repair: &str,
    version: i64,
    now: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE rota_stale SET repair = $2, repair_version = $3, repair_made_at = $4
         WHERE rota_id = $1",
    )
    .bind(rota_id)
    .bind(repair)
    .bind(version)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes a rota's mark away (it was repaired and published again).
pub async fn clear(conn: &mut AnyConnection, rota_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM rota_stale WHERE rota_id = $1")
        .bind(rota_id)
        .execute(conn)
        .await?;
    Ok(())
}
