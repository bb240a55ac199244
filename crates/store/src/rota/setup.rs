//! What a manager sets before solving: session times per site, the cover each site needs,
//! each person's rota rules.
use super::*;
use crate::Result;
use sqlx::{AnyConnection, Row};

/// A site's own times for one session (no row: the default times apply).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SiteSessionRow {
    pub site_id: String,
    pub session: String,
    /// HH:MM.
    pub starts: String,
    pub ends: String,
    pub open: bool,
}

/// The session overrides of some sites, by site then session in day order.
pub async fn list_site_sessions(
    conn: &mut AnyConnection,
    site_ids: &[String],
) -> Result<Vec<SiteSessionRow>> {
    if site_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT site_id, session, starts, ends, open FROM site_sessions WHERE site_id IN ({})
         ORDER BY site_id, {}",
        marks(1, site_ids.len()),
        session_order("session")
    );
    let mut query = sqlx::query(&sql);
    for id in site_ids {
        query = query.bind(id);
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok(SiteSessionRow {
                site_id: r.try_get(0)?,
                session: r.try_get(1)?,
                starts: r.try_get(2)?,
                ends: r.try_get(3)?,
                open: flag(r, 4)?,
            })
        })
        .collect()
}

pub async fn upsert_site_session(conn: &mut AnyConnection, row: &SiteSessionRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO site_sessions (site_id, session, starts, ends, open) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (site_id, session) DO UPDATE SET starts = excluded.starts, ends = excluded.ends,
             open = excluded.open",
    )
    .bind(&row.site_id)
    .bind(&row.session)
    .bind(&row.starts)
    .bind(&row.ends)
    .bind(i64::from(row.open))
    .execute(conn)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------- cover

/// How many people with a need a site wants in one session of a weekday.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CoverRow {
    pub id: String,
    pub site_id: String,
    /// 0 Monday .. 5 Saturday.
    pub weekday: i64,
    pub session: String,
    /// `group:gp`, `role:practice_nurse`, `skill:minor surgery`...
    pub need: String,
    pub minimum: i64,
    pub ideal: i64,
}

/// The cover of some sites, by site, weekday, session (in day order) and need.
pub async fn list_cover(conn: &mut AnyConnection, site_ids: &[String]) -> Result<Vec<CoverRow>> {
    if site_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, site_id, weekday, session, need, minimum, ideal FROM cover_requirements
         WHERE site_id IN ({}) ORDER BY site_id, weekday, {}, need",
        marks(1, site_ids.len()),
        session_order("session")
    );
    let mut query = sqlx::query(&sql);
    for id in site_ids {
        query = query.bind(id);
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok(CoverRow {
                id: r.try_get(0)?,
                site_id: r.try_get(1)?,
                weekday: r.try_get(2)?,
                session: r.try_get(3)?,
                need: r.try_get(4)?,
                minimum: r.try_get(5)?,
                ideal: r.try_get(6)?,
            })
        })
        .collect()
}

/// Replaces a site's whole cover with `rows` (their `site_id` is ignored: they go to
/// `site_id`). The caller holds the transaction, so readers never see the site half-written.
pub async fn replace_cover(
    conn: &mut AnyConnection,
    site_id: &str,
    rows: &[CoverRow],
) -> Result<()> {
    sqlx::query("DELETE FROM cover_requirements WHERE site_id = $1")
        .bind(site_id)
        .execute(&mut *conn)
        .await?;
    for row in rows {
        sqlx::query(
            "INSERT INTO cover_requirements (id, site_id, weekday, session, need, minimum, ideal)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&row.id)
        .bind(site_id)
        .bind(row.weekday)
        .bind(&row.session)
        .bind(&row.need)
        .bind(row.minimum)
        .bind(row.ideal)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------- rules

/// One person's rota rules.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RulesRow {
    pub staff_id: String,
    /// `mon:am;tue:pm`.
    pub fixed_sessions: String,
    /// `wed;fri`.
    pub days_never: String,
    pub max_evenings_month: Option<i64>,
    pub max_saturdays_month: Option<i64>,
    pub appointments_per_session: Option<i64>,
    pub appointment_minutes: Option<i64>,
    pub updated_at: String,
}

/// The rules of those of `staff_ids` who have any, by staff id.
pub async fn list_rules(conn: &mut AnyConnection, staff_ids: &[String]) -> Result<Vec<RulesRow>> {
    if staff_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT staff_id, fixed_sessions, days_never, max_evenings_month, max_saturdays_month,
                appointments_per_session, appointment_minutes, updated_at
         FROM staff_rota_rules WHERE staff_id IN ({}) ORDER BY staff_id",
        marks(1, staff_ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in staff_ids {
        query = query.bind(id);
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok(RulesRow {
                staff_id: r.try_get(0)?,
                fixed_sessions: r.try_get(1)?,
                days_never: r.try_get(2)?,
                max_evenings_month: r.try_get(3)?,
                max_saturdays_month: r.try_get(4)?,
                appointments_per_session: r.try_get(5)?,
                appointment_minutes: r.try_get(6)?,
                updated_at: r.try_get(7)?,
            })
        })
        .collect()
}

pub async fn upsert_rules(conn: &mut AnyConnection, rules: &RulesRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO staff_rota_rules (staff_id, fixed_sessions, days_never, max_evenings_month,
                max_saturdays_month, appointments_per_session, appointment_minutes, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (staff_id) DO UPDATE SET fixed_sessions = excluded.fixed_sessions,
             days_never = excluded.days_never, max_evenings_month = excluded.max_evenings_month,
             max_saturdays_month = excluded.max_saturdays_month,
             appointments_per_session = excluded.appointments_per_session,
             appointment_minutes = excluded.appointment_minutes, updated_at = excluded.updated_at",
    )
    .bind(&rules.staff_id)
    .bind(&rules.fixed_sessions)
    .bind(&rules.days_never)
    .bind(rules.max_evenings_month)
    .bind(rules.max_saturdays_month)
    .bind(rules.appointments_per_session)
    .bind(rules.appointment_minutes)
    .bind(&rules.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}
