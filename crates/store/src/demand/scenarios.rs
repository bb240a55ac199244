//! What-if scenarios of a practice or PCN and their posts.
use crate::Result;
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioRecord {
    pub id: String,
    pub tenant_kind: String,
    pub tenant_code: String,
    pub name: String,
    pub created_at: String,
    pub created_by: Option<String>,
    pub posts: Vec<PostRecord>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PostRecord {
    pub id: String,
    /// `add` or `remove`.
    pub change: String,
    pub role: String,
    pub wte: f64,
    /// `YYYY-MM`.
    pub start_month: String,
    pub yearly_cost_per_wte: Option<f64>,
}

pub async fn insert(conn: &mut AnyConnection, s: &ScenarioRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO scenarios (id, tenant_kind, tenant_code, name, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&s.id)
    .bind(&s.tenant_kind)
    .bind(&s.tenant_code)
    .bind(&s.name)
    .bind(&s.created_at)
    .bind(&s.created_by)
    .execute(&mut *conn)
    .await?;
    for p in &s.posts {
        sqlx::query(
            "INSERT INTO scenario_posts (id, scenario_id, change, role, wte, start_month, yearly_cost_per_wte) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&p.id)
        .bind(&s.id)
        .bind(&p.change)
        .bind(&p.role)
        .bind(p.wte)
        .bind(&p.start_month)
        .bind(p.yearly_cost_per_wte)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The scenarios of a tenant, oldest first, with their posts.
pub async fn list(
    conn: &mut AnyConnection,
    tenant_kind: &str,
    tenant_code: &str,
) -> Result<Vec<ScenarioRecord>> {
    let rows = sqlx::query(
        "SELECT id, tenant_kind, tenant_code, name, created_at, created_by FROM scenarios
         WHERE tenant_kind = $1 AND tenant_code = $2 ORDER BY created_at, id",
    )
    .bind(tenant_kind)
    .bind(tenant_code)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: String = r.try_get(0)?;
        let posts = sqlx::query(
            "SELECT id, change, role, wte, start_month, yearly_cost_per_wte FROM scenario_posts
             WHERE scenario_id = $1 ORDER BY start_month, id",
        )
        .bind(&id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|p| {
            Ok(PostRecord {
                id: p.try_get(0)?,
                change: p.try_get(1)?,
                role: p.try_get(2)?,
                wte: p.try_get(3)?,
                start_month: p.try_get(4)?,
                yearly_cost_per_wte: p.try_get(5)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        out.push(ScenarioRecord {
            id,
            tenant_kind: r.try_get(1)?,
            tenant_code: r.try_get(2)?,
            name: r.try_get(3)?,
            created_at: r.try_get(4)?,
            created_by: r.try_get(5)?,
            posts,
        });
    }
    Ok(out)
}
