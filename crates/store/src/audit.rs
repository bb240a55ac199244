//! The audit log: one row for every change, with who, when, what, and the record before and
//! after as JSON.
use crate::{Result, new_id};
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AuditEntry {
    pub at: String,
    pub user_id: Option<String>,
    pub user_email: Option<String>,
    /// A verb in the past tense: `created`, `updated`, `approved`...
    pub action: String,
    /// The kind of record: `staff`, `leave`, `room`...
    pub entity: String,
    pub entity_id: String,
    /// The organisation the record belongs to (practice ODS code or PCN code).
    pub tenant: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

pub async fn insert(conn: &mut AnyConnection, entry: &AuditEntry) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, user_id, user_email, action, entity, entity_id, tenant, before_json, after_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new_id())
    .bind(&entry.at)
    .bind(&entry.user_id)
    .bind(&entry.user_email)
    .bind(&entry.action)
    .bind(&entry.entity)
    .bind(&entry.entity_id)
    .bind(&entry.tenant)
    .bind(&entry.before_json)
    .bind(&entry.after_json)
    .execute(conn)
    .await?;
    Ok(())
}

/// The newest entries for some organisations, newest first.
pub async fn list(
    conn: &mut AnyConnection,
    tenants: &[String],
    limit: i64,
) -> Result<Vec<AuditEntry>> {
    let mut out = Vec::new();
    for tenant in tenants {
        let rows = sqlx::query(
            "SELECT at, user_id, user_email, action, entity, entity_id, tenant, before_json, after_json
             FROM audit_log WHERE tenant = $1 ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(tenant)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
        for row in rows {
            out.push(AuditEntry {
                at: row.try_get(0)?,
                user_id: row.try_get(1)?,
                user_email: row.try_get(2)?,
                action: row.try_get(3)?,
                entity: row.try_get(4)?,
                entity_id: row.try_get(5)?,
                tenant: row.try_get(6)?,
                before_json: row.try_get(7)?,
                after_json: row.try_get(8)?,
            });
        }
    }
    out.sort_by(|a, b| b.at.cmp(&a.at));
    out.truncate(limit.max(0) as usize);
    Ok(out)
}

/// How many audit rows exist for one record (used by tests and the record's history page).
pub async fn count_for(conn: &mut AnyConnection, entity: &str, entity_id: &str) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) FROM audit_log WHERE entity = $1 AND entity_id = $2")
        .bind(entity)
        .bind(entity_id)
        .fetch_one(conn)
        .await?;
    Ok(row.try_get(0)?)
}
