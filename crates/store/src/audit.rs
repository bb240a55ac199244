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

/// Which audit rows to read. Every part left `None` does not narrow the search.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Rows of these organisations only (`None`: every organisation).
    pub tenants: Option<Vec<String>>,
    /// Rows about this person (a staff id): their record, or a record that belongs to them.
    pub person: Option<String>,
    /// Rows written by this account: an email (any case) or a user id.
    pub actor: Option<String>,
    /// Rows at or after this stored timestamp.
    pub from: Option<String>,
    /// Rows before this stored timestamp.
    pub to: Option<String>,
}

/// What makes an audit row about a person: the record is theirs, or belongs to them. The
/// one place that knows which entity ids lead to a person (the export and the erasure
/// use it too). `$P` is replaced by the person's placeholder.
pub(crate) const ABOUT_PERSON: &str = "(
    (entity IN ('staff', 'professional_dates', 'rota_rules', 'calendar_feed', 'leave_entitlement') AND entity_id = $P)
    OR (entity = 'leave' AND entity_id IN (SELECT id FROM leave_requests WHERE staff_id = $P))
    OR (entity = 'session_request' AND entity_id IN (SELECT id FROM session_requests WHERE staff_id = $P))
    OR (entity = 'training_record' AND entity_id IN (SELECT id FROM training_records WHERE staff_id = $P))
    OR (entity = 'cpd_entry' AND entity_id IN (SELECT id FROM cpd_entries WHERE staff_id = $P))
    OR (entity = 'development_goal' AND entity_id IN (SELECT id FROM development_goals WHERE staff_id = $P))
    OR (entity = 'coaching_enrolment' AND entity_id IN (SELECT id FROM coaching_enrolments WHERE staff_id = $P))
    OR (entity IN ('coaching_session', 'coaching_attendance') AND entity_id IN (
        SELECT s.id FROM coaching_sessions s JOIN coaching_enrolments e ON e.id = s.enrolment_id
        WHERE e.staff_id = $P))
    OR (entity = 'rota_swap' AND entity_id IN (SELECT id FROM rota_swaps WHERE staff_id = $P OR with_staff_id = $P))
    OR (entity = 'account' AND entity_id IN (SELECT id FROM users WHERE staff_id = $P))
)";

/// The audit rows a filter selects, newest first, `limit` of them after skipping `offset`.
pub async fn search(
    conn: &mut AnyConnection,
    filter: &AuditFilter,
    offset: i64,
    limit: i64,
) -> Result<Vec<AuditEntry>> {
    let mut binds: Vec<String> = Vec::new();
    let mut clauses: Vec<String> = Vec::new();
    fn next(binds: &mut Vec<String>, value: &str) -> String {
        binds.push(value.to_string());
        format!("${}", binds.len())
    }
    if let Some(tenants) = &filter.tenants {
        if tenants.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = tenants.iter().map(|t| next(&mut binds, t)).collect();
        clauses.push(format!("tenant IN ({})", marks.join(", ")));
    }
    if let Some(person) = &filter.person {
        let mark = next(&mut binds, person);
        clauses.push(ABOUT_PERSON.replace("$P", &mark));
    }
    if let Some(actor) = &filter.actor {
        let email = next(&mut binds, &actor.to_lowercase());
        let id = next(&mut binds, actor);
        clauses.push(format!("(LOWER(user_email) = {email} OR user_id = {id})"));
    }
    if let Some(from) = &filter.from {
        clauses.push(format!("at >= {}", next(&mut binds, from)));
    }
    if let Some(to) = &filter.to {
        clauses.push(format!("at < {}", next(&mut binds, to)));
    }
    let filter_sql = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let sql = format!(
        "SELECT at, user_id, user_email, action, entity, entity_id, tenant, before_json, after_json
         FROM audit_log {filter_sql} ORDER BY at DESC, id DESC LIMIT {} OFFSET {}",
        limit.max(0),
        offset.max(0)
    );
    let mut query = sqlx::query(&sql);
    for value in &binds {
        query = query.bind(value);
    }
    let rows = query.fetch_all(conn).await?;
    rows.iter()
        .map(|row| {
            Ok(AuditEntry {
                at: row.try_get(0)?,
                user_id: row.try_get(1)?,
                user_email: row.try_get(2)?,
                action: row.try_get(3)?,
                entity: row.try_get(4)?,
                entity_id: row.try_get(5)?,
                tenant: row.try_get(6)?,
                before_json: row.try_get(7)?,
                after_json: row.try_get(8)?,
            })
        })
        .collect()
}
