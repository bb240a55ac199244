//! Evidence-pack snapshots: the figures of each pack produced, so it can be made again.
use crate::Result;
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotRecord {
    pub id: String,
    /// `practice`, `pcn` or `ics`.
    pub scope_kind: String,
    pub scope_code: String,
    /// The day the figures describe (`YYYY-MM-DD`).
    pub taken_on: String,
    pub created_at: String,
    pub created_by: Option<String>,
    pub figures_json: String,
}

pub async fn insert(conn: &mut AnyConnection, s: &SnapshotRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO evidence_snapshots (id, scope_kind, scope_code, taken_on, created_at, created_by, figures_json) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&s.id)
    .bind(&s.scope_kind)
    .bind(&s.scope_code)
    .bind(&s.taken_on)
    .bind(&s.created_at)
    .bind(&s.created_by)
    .bind(&s.figures_json)
    .execute(conn)
    .await?;
    Ok(())
}

/// The snapshot with this id of this scope; another scope's snapshot is not found.
pub async fn get(
    conn: &mut AnyConnection,
    scope_kind: &str,
    scope_code: &str,
    id: &str,
) -> Result<Option<SnapshotRecord>> {
    let row = sqlx::query(
        "SELECT id, scope_kind, scope_code, taken_on, created_at, created_by, figures_json FROM evidence_snapshots WHERE id = $1 AND scope_kind = $2 AND scope_code = $3",
    )
    .bind(id)
    .bind(scope_kind)
    .bind(scope_code)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| SnapshotRecord {
        id: r.get(0),
        scope_kind: r.get(1),
        scope_code: r.get(2),
        taken_on: r.get(3),
        created_at: r.get(4),
        created_by: r.get(5),
        figures_json: r.get(6),
    }))
}
