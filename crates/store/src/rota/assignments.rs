//! A result's assignments and locked person-days.
use super::*;
use crate::Result;
use sqlx::{AnyConnection, Row};

/// One person working one session of one day at a site (and perhaps a room).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AssignmentRow {
    pub staff_id: String,
    pub day: String,
    pub session: String,
    pub site_id: String,
    pub room_id: Option<String>,
}

async fn insert_assignment(
    conn: &mut AnyConnection,
    rota_id: &str,
    staff_id: &str,
    day: &str,
    row: &AssignmentRow,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO rota_assignments (rota_id, staff_id, day, session, site_id, room_id)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(rota_id)
    .bind(staff_id)
    .bind(day)
    .bind(&row.session)
    .bind(&row.site_id)
    .bind(&row.room_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces every assignment of a rota (the caller holds the transaction), a few hundred
/// rows a statement: a PCN's four weeks are thousands of rows.
pub async fn replace_assignments(
    conn: &mut AnyConnection,
    rota_id: &str,
    rows: &[AssignmentRow],
) -> Result<()> {
    sqlx::query("DELETE FROM rota_assignments WHERE rota_id = $1")
        .bind(rota_id)
        .execute(&mut *conn)
        .await?;
    // Six binds a row; well under SQLite's 32,766 and PostgreSQL's 65,535.
    for chunk in rows.chunks(500) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let n = i * 6;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${})",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4,
                    n + 5,
                    n + 6
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO rota_assignments (rota_id, staff_id, day, session, site_id, room_id) VALUES {}",
            values.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            query = query
                .bind(rota_id)
                .bind(&row.staff_id)
                .bind(&row.day)
                .bind(&row.session)
                .bind(&row.site_id)
                .bind(&row.room_id);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// A rota's assignments by person, day and session (in day order).
pub async fn list_assignments(
    conn: &mut AnyConnection,
    rota_id: &str,
) -> Result<Vec<AssignmentRow>> {
    sqlx::query(&format!(
        "SELECT staff_id, day, session, site_id, room_id FROM rota_assignments WHERE rota_id = $1
         ORDER BY staff_id, day, {}",
        session_order("session")
    ))
    .bind(rota_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(AssignmentRow {
            staff_id: r.try_get(0)?,
            day: r.try_get(1)?,
            session: r.try_get(2)?,
            site_id: r.try_get(3)?,
            room_id: r.try_get(4)?,
        })
    })
    .collect()
}

/// Replaces one person's sessions on one day with `rows` (none: a day off). The rows'
/// own `staff_id` and `day` are ignored: they go to `staff_id` on `day`.
pub async fn set_staff_day(
    conn: &mut AnyConnection,
    rota_id: &str,
    staff_id: &str,
    day: &str,
    rows: &[AssignmentRow],
) -> Result<()> {
    sqlx::query("DELETE FROM rota_assignments WHERE rota_id = $1 AND staff_id = $2 AND day = $3")
        .bind(rota_id)
        .bind(staff_id)
        .bind(day)
        .execute(&mut *conn)
        .await?;
    for row in rows {
        insert_assignment(conn, rota_id, staff_id, day, row).await?;
    }
    Ok(())
}

/// A rota's locked person-days as (staff id, day), by person then day.
pub async fn list_locks(conn: &mut AnyConnection, rota_id: &str) -> Result<Vec<(String, String)>> {
    sqlx::query("SELECT staff_id, day FROM rota_locks WHERE rota_id = $1 ORDER BY staff_id, day")
        .bind(rota_id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Locks or unlocks a person-day; locking twice or unlocking an unlocked day is harmless.
pub async fn set_lock(
    conn: &mut AnyConnection,
    rota_id: &str,
    staff_id: &str,
    day: &str,
    locked: bool,
) -> Result<()> {
    let sql = if locked {
        "INSERT INTO rota_locks (rota_id, staff_id, day) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM rota_locks WHERE rota_id = $1 AND staff_id = $2 AND day = $3"
    };
    sqlx::query(sql)
        .bind(rota_id)
        .bind(staff_id)
        .bind(day)
        .execute(conn)
        .await?;
    Ok(())
}
