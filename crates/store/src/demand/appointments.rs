//! GPAD appointment counts by area, day or month, HCP type, mode and status.
use crate::Result;
use sqlx::{AnyConnection, Row};

/// One stored count (the booking lead time summed over).
#[derive(Debug, Clone, PartialEq)]
pub struct CountRow<'a> {
    pub area_code: &'a str,
    pub period_start: String,
    pub month: String,
    pub daily: bool,
    pub hcp_type: &'a str,
    pub appt_mode: &'a str,
    pub appt_status: &'a str,
    pub appointments: i64,
}

pub async fn upsert_area(
    conn: &mut AnyConnection,
    code: &str,
    name: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO appointment_areas (code, name, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
    )
    .bind(code)
    .bind(name)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes an area's counts of one month (`YYYY-MM`), returning how many rows went.
pub async fn delete_month(conn: &mut AnyConnection, area: &str, month: &str) -> Result<u64> {
    let done = sqlx::query("DELETE FROM appointment_counts WHERE area_code = $1 AND month = $2")
        .bind(area)
        .bind(month)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Rows per INSERT statement (8 values each, under both engines' limits on parameters).
const BATCH: usize = 64;

/// Inserts counts in multi-row statements.
pub async fn insert_counts(conn: &mut AnyConnection, rows: &[CountRow<'_>]) -> Result<()> {
    for chunk in rows.chunks(BATCH) {
        let mut sql = String::with_capacity(64 + chunk.len() * 48);
        sql.push_str(
            "INSERT INTO appointment_counts (area_code, period_start, month, daily, hcp_type, appt_mode, appt_status, appointments) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            let b = i * 8;
            sql.push_str(&format!(
                "(${},${},${},${},${},${},${},${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8
            ));
        }
        let mut query = sqlx::query(&sql);
        for r in chunk {
            query = query
                .bind(r.area_code)
                .bind(r.period_start.as_str())
                .bind(r.month.as_str())
                .bind(r.daily as i32)
                .bind(r.hcp_type)
                .bind(r.appt_mode)
                .bind(r.appt_status)
                .bind(r.appointments);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportRecord {
    pub id: String,
    pub file_name: String,
    pub format: String,
    pub rows_read: i64,
    pub rows_stored: i64,
    pub first_month: String,
    pub last_month: String,
    pub imported_at: String,
    pub imported_by: Option<String>,
}

pub async fn record_import(conn: &mut AnyConnection, r: &ImportRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO appointment_imports (id, file_name, format, rows_read, rows_stored, first_month, last_month, imported_at, imported_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&r.id)
    .bind(&r.file_name)
    .bind(&r.format)
    .bind(r.rows_read)
    .bind(r.rows_stored)
    .bind(&r.first_month)
    .bind(&r.last_month)
    .bind(&r.imported_at)
    .bind(&r.imported_by)
    .execute(conn)
    .await?;
    Ok(())
}

/// Monthly totals of an area by HCP type: `(month, hcp_type, appointments)` in month order.
pub async fn monthly_by_hcp(
    conn: &mut AnyConnection,
    area: &str,
) -> Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT month, hcp_type, CAST(SUM(appointments) AS BIGINT) AS n FROM appointment_counts
         WHERE area_code = $1 GROUP BY month, hcp_type ORDER BY month, hcp_type",
    )
    .bind(area)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// Appointments by weekday (0 = Monday) of an area's daily counts: `(weekday, total, days)`.
/// Empty when only monthly data was imported.
pub async fn daily_totals(conn: &mut AnyConnection, area: &str) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT period_start, CAST(SUM(appointments) AS BIGINT) FROM appointment_counts
         WHERE area_code = $1 AND daily = 1 GROUP BY period_start ORDER BY period_start",
    )
    .bind(area)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Areas with appointments: `(code, name, months)`.
pub async fn areas(conn: &mut AnyConnection) -> Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT a.code, a.name, CAST(COUNT(DISTINCT c.month) AS BIGINT) FROM appointment_areas a
         JOIN appointment_counts c ON c.area_code = a.code GROUP BY a.code, a.name ORDER BY a.code",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

pub async fn count_rows(conn: &mut AnyConnection) -> Result<i64> {
    let row = sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) FROM appointment_counts")
        .fetch_one(conn)
        .await?;
    Ok(row.try_get(0)?)
}

/// A practice's appointments a session by staff group code, where set.
pub async fn capacity_settings(conn: &mut AnyConnection, ods: &str) -> Result<Vec<(String, f64)>> {
    let rows = sqlx::query(
        "SELECT staff_group, appointments_per_session FROM capacity_settings WHERE ods_code = $1 ORDER BY staff_group",
    )
    .bind(ods)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

pub async fn set_capacity_setting(
    conn: &mut AnyConnection,
    ods: &str,
    staff_group: &str,
    per_session: f64,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO capacity_settings (ods_code, staff_group, appointments_per_session, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (ods_code, staff_group) DO UPDATE SET appointments_per_session = excluded.appointments_per_session, updated_at = excluded.updated_at",
    )
    .bind(ods)
    .bind(staff_group)
    .bind(per_session)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
