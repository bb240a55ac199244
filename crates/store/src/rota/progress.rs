//! A running solve's best rota so far, in the figures a manager reads (`app::rota::progress`):
//! hard rules broken, sessions below the minimum and below the ideal cover.
use crate::Result;
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProgressRow {
    pub rota_id: String,
    pub hard_problems: i64,
    pub below_minimum: i64,
    pub below_ideal: i64,
    pub updated_at: String,
}

/// Keeps the newest figures of a rota's solve.
pub async fn save(conn: &mut AnyConnection, row: &ProgressRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO rota_progress (rota_id, hard_problems, below_minimum, below_ideal, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (rota_id) DO UPDATE SET hard_problems = excluded.hard_problems,
             below_minimum = excluded.below_minimum, below_ideal = excluded.below_ideal,
             updated_at = excluded.updated_at",
    )
    .bind(&row.rota_id)
    .bind(row.hard_problems)
    .bind(row.below_minimum)
    .bind(row.below_ideal)
    .bind(&row.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The newest figures of a rota's solve, if its worker has written any since it started.
pub async fn get(conn: &mut AnyConnection, rota_id: &str) -> Result<Option<ProgressRow>> {
    let row = sqlx::query(
        "SELECT rota_id, hard_problems, below_minimum, below_ideal, updated_at
         FROM rota_progress WHERE rota_id = $1",
    )
    .bind(rota_id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(ProgressRow {
            rota_id: r.try_get(0)?,
            hard_problems: r.try_get(1)?,
            below_minimum: r.try_get(2)?,
            below_ideal: r.try_get(3)?,
            updated_at: r.try_get(4)?,
        })
    })
    .transpose()
}

/// Forgets a rota's figures, when a new solve of it starts.
pub async fn clear(conn: &mut AnyConnection, rota_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM rota_progress WHERE rota_id = $1")
        .bind(rota_id)
        .execute(conn)
        .await?;
    Ok(())
}
