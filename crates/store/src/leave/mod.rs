//! Leave requests and the managers' decisions on them.
use crate::{Result, StoreError, corrupt, parse_date};
use domain::leave::{LeaveDraft, LeaveKind, LeaveStatus};
use sqlx::{AnyConnection, Row, any::AnyRow};

pub mod entitlements;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LeaveRecord {
    pub id: String,
    pub staff_id: String,
    pub staff_name: String,
    pub leave: LeaveDraft,
    pub status: LeaveStatus,
    pub requested_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

/// Whose leave to list.
#[derive(Debug, Clone, Copy)]
pub enum LeaveScope<'a> {
    Staff(&'a str),
    /// Leave of everyone working at a practice.
    WorksAt(&'a str),
    /// Leave of everyone employed by the PCN or working at a member practice.
    Pcn(&'a str),
    Id(&'a str),
}

pub async fn insert(
    conn: &mut AnyConnection,
    id: &str,
    staff_id: &str,
    leave: &LeaveDraft,
    status: LeaveStatus,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO leave_requests (id, staff_id, kind, start_date, end_date, note, status, requested_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(staff_id)
    .bind(leave.kind.code())
    .bind(leave.start_date.to_string())
    .bind(leave.end_date.to_string())
    .bind(&leave.note)
    .bind(status.code())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_status(
    conn: &mut AnyConnection,
    id: &str,
    status: LeaveStatus,
    decided_by: &str,
    now: &str,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE leave_requests SET status = $2, decided_by = $3, decided_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(status.code())
    .bind(decided_by)
    .bind(now)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

fn from_row(row: AnyRow) -> Result<LeaveRecord> {
    let kind: String = row.try_get(3)?;
    let start: String = row.try_get(4)?;
    let end: String = row.try_get(5)?;
    let status: String = row.try_get(7)?;
    Ok(LeaveRecord {
        id: row.try_get(0)?,
        staff_id: row.try_get(1)?,
        staff_name: row.try_get(2)?,
        leave: LeaveDraft {
            kind: LeaveKind::parse(&kind).map_err(corrupt)?,
            start_date: parse_date(&start)?,
            end_date: parse_date(&end)?,
            note: row.try_get(6)?,
        },
        status: LeaveStatus::parse(&status)
            .ok_or_else(|| corrupt(format!("leave status '{status}'")))?,
        requested_at: row.try_get(8)?,
        decided_by: row.try_get(9)?,
        decided_at: row.try_get(10)?,
    })
}

/// Lists leave in a scope that overlaps `[from, to]` when given, by start date.
pub async fn list(
    conn: &mut AnyConnection,
    scope: LeaveScope<'_>,
    overlapping: Option<(&str, &str)>,
) -> Result<Vec<LeaveRecord>> {
    let (condition, key) = match scope {
        LeaveScope::Staff(id) => ("l.staff_id = $1", id),
        LeaveScope::Id(id) => ("l.id = $1", id),
        LeaveScope::WorksAt(ods) => ("l.staff_id IN (SELECT staff_id FROM staff_practices WHERE ods_code = $1)", ods),
        LeaveScope::Pcn(pcn) => (
            "l.staff_id IN (SELECT id FROM staff WHERE employer_kind = 'pcn' AND employer_code = $1
               UNION SELECT sp.staff_id FROM staff_practices sp JOIN practices p ON p.ods_code = sp.ods_code WHERE p.pcn_code = $1)",
            pcn,
        ),
    };
    let mut sql = format!(
        "SELECT l.id, l.staff_id, s.name, l.kind, l.start_date, l.end_date, l.note, l.status, l.requested_at, l.decided_by, l.decided_at
         FROM leave_requests l JOIN staff s ON s.id = l.staff_id WHERE {condition}"
    );
    if overlapping.is_some() {
        sql.push_str(" AND l.start_date <= $3 AND l.end_date >= $2");
    }
    sql.push_str(" ORDER BY l.start_date, s.name, l.id");
    let mut query = sqlx::query(&sql).bind(key);
    if let Some((from, to)) = overlapping {
        query = query.bind(from).bind(to);
    }
    query
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect()
}

pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Option<LeaveRecord>> {
    Ok(list(conn, LeaveScope::Id(id), None)
        .await?
        .into_iter()
        .next())
}
