//! Estates: ad-hoc room bookings, marks of whether a booked room-session was used, and each
//! PCN's utilisation threshold.
use crate::Result;
use sqlx::{AnyConnection, Row, any::AnyRow};

/// An ad-hoc booking of a room for one session, with the names a page shows.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BookingRecord {
    pub id: String,
    pub room_id: String,
    pub room_name: String,
    pub site_id: String,
    /// YYYY-MM-DD.
    pub day: String,
    /// `am`, `pm`, `evening` or `saturday`.
    pub session: String,
    pub purpose: String,
    /// The account that booked it (none: the command line or the demo).
    pub booked_by: Option<String>,
    /// That account's name, while it exists.
    pub booked_by_name: Option<String>,
    pub created_at: String,
}

/// A booking to store.
#[derive(Debug, Clone)]
pub struct NewBooking<'a> {
    pub id: &'a str,
    pub room_id: &'a str,
    pub day: &'a str,
    pub session: &'a str,
    pub purpose: &'a str,
    pub booked_by: Option<&'a str>,
    pub created_at: &'a str,
}

const BOOKING_COLUMNS: &str = "b.id, b.room_id, r.name, r.site_id, b.day, b.session, b.purpose,
    b.booked_by, u.display_name, b.created_at
    FROM room_bookings b JOIN rooms r ON r.id = b.room_id LEFT JOIN users u ON u.id = b.booked_by";

fn booking(row: &AnyRow) -> Result<BookingRecord> {
    Ok(BookingRecord {
        id: row.try_get(0)?,
        room_id: row.try_get(1)?,
        room_name: row.try_get(2)?,
        site_id: row.try_get(3)?,
        day: row.try_get(4)?,
        session: row.try_get(5)?,
        purpose: row.try_get(6)?,
        booked_by: row.try_get(7)?,
        booked_by_name: row.try_get(8)?,
        created_at: row.try_get(9)?,
    })
}

/// Stores a booking; `Conflict` when the room is already booked for that session.
pub async fn insert_booking(conn: &mut AnyConnection, b: &NewBooking<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO room_bookings (id, room_id, day, session, purpose, booked_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(b.id)
    .bind(b.room_id)
    .bind(b.day)
    .bind(b.session)
    .bind(b.purpose)
    .bind(b.booked_by)
    .bind(b.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_booking(conn: &mut AnyConnection, id: &str) -> Result<Option<BookingRecord>> {
    let sql = format!("SELECT {BOOKING_COLUMNS} WHERE b.id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(booking)
        .transpose()
}

/// The booking of a room for a session, if there is one.
pub async fn booking_at(
    conn: &mut AnyConnection,
    room_id: &str,
    day: &str,
    session: &str,
) -> Result<Option<BookingRecord>> {
    let sql =
        format!("SELECT {BOOKING_COLUMNS} WHERE b.room_id = $1 AND b.day = $2 AND b.session = $3");
    sqlx::query(&sql)
        .bind(room_id)
        .bind(day)
        .bind(session)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(booking)
        .transpose()
}

pub async fn delete_booking(conn: &mut AnyConnection, id: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM room_bookings WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The bookings of rooms at some sites from `from` to `to` (YYYY-MM-DD, inclusive), by day,
/// session and room.
pub async fn list_bookings(
    conn: &mut AnyConnection,
    site_ids: &[String],
    from: &str,
    to: &str,
) -> Result<Vec<BookingRecord>> {
    let mut out = Vec::new();
    let sql = format!(
        "SELECT {BOOKING_COLUMNS} WHERE r.site_id = $1 AND b.day >= $2 AND b.day <= $3
         ORDER BY b.day, {}, r.name",
        crate::rota::session_order("b.session")
    );
    for site in site_ids {
        let rows = sqlx::query(&sql)
            .bind(site)
            .bind(from)
            .bind(to)
            .fetch_all(&mut *conn)
            .await?;
        for row in &rows {
            out.push(booking(row)?);
        }
    }
    Ok(out)
}

/// Whether a booked room-session was used.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MarkRecord {
    pub room_id: String,
    pub day: String,
    pub session: String,
    pub used: bool,
    pub marked_by: Option<String>,
    pub marked_at: String,
}

/// Records (or changes) the mark of a room-session.
pub async fn upsert_mark(conn: &mut AnyConnection, mark: &MarkRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO room_use_marks (room_id, day, session, used, marked_by, marked_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (room_id, day, session)
         DO UPDATE SET used = $4, marked_by = $5, marked_at = $6",
    )
    .bind(&mark.room_id)
    .bind(&mark.day)
    .bind(&mark.session)
    .bind(i64::from(mark.used))
    .bind(&mark.marked_by)
    .bind(&mark.marked_at)
    .execute(conn)
    .await?;
    Ok(())
}

fn mark(row: &AnyRow) -> Result<MarkRecord> {
    let used: i64 = row.try_get(3)?;
    Ok(MarkRecord {
        room_id: row.try_get(0)?,
        day: row.try_get(1)?,
        session: row.try_get(2)?,
        used: used != 0,
        marked_by: row.try_get(4)?,
        marked_at: row.try_get(5)?,
    })
}

pub async fn get_mark(
    conn: &mut AnyConnection,
    room_id: &str,
    day: &str,
    session: &str,
) -> Result<Option<MarkRecord>> {
    sqlx::query(
        "SELECT room_id, day, session, used, marked_by, marked_at FROM room_use_marks
         WHERE room_id = $1 AND day = $2 AND session = $3",
    )
    .bind(room_id)
    .bind(day)
    .bind(session)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(mark)
    .transpose()
}

/// The marks of the rooms of some sites from `from` to `to` (inclusive).
pub async fn list_marks(
    conn: &mut AnyConnection,
    site_ids: &[String],
    from: &str,
    to: &str,
) -> Result<Vec<MarkRecord>> {
    let mut out = Vec::new();
    for site in site_ids {
        let rows = sqlx::query(
            "SELECT m.room_id, m.day, m.session, m.used, m.marked_by, m.marked_at
             FROM room_use_marks m JOIN rooms r ON r.id = m.room_id
             WHERE r.site_id = $1 AND m.day >= $2 AND m.day <= $3
             ORDER BY m.day, m.room_id",
        )
        .bind(site)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *conn)
        .await?;
        for row in &rows {
            out.push(mark(row)?);
        }
    }
    Ok(out)
}

/// The people a published rota places at some sites from `from` to `to`: whose published
/// sessions (`rota::published_sessions`, which knows which publication wins) to read.
pub async fn staff_published_at(
    conn: &mut AnyConnection,
    site_ids: &[String],
    from: &str,
    to: &str,
) -> Result<Vec<String>> {
    let mut out = std::collections::BTreeSet::new();
    for site in site_ids {
        let rows = sqlx::query(
            "SELECT DISTINCT a.staff_id FROM rota_assignments a JOIN rotas r ON r.id = a.rota_id
             WHERE a.site_id = $1 AND a.day >= $2 AND a.day <= $3 AND r.published_at IS NOT NULL",
        )
        .bind(site)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *conn)
        .await?;
        for row in &rows {
            out.insert(row.try_get::<String, _>(0)?);
        }
    }
    Ok(out.into_iter().collect())
}

/// A PCN's own threshold, if it set one.
pub async fn threshold(conn: &mut AnyConnection, pcn_code: &str) -> Result<Option<u32>> {
    let row = sqlx::query("SELECT percent FROM estates_thresholds WHERE pcn_code = $1")
        .bind(pcn_code)
        .fetch_optional(conn)
        .await?;
    Ok(row
        .map(|r| r.try_get::<i64, _>(0))
        .transpose()?
        .map(|p| p.clamp(1, 100) as u32))
}

pub async fn set_threshold(
    conn: &mut AnyConnection,
    pcn_code: &str,
    percent: u32,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO estates_thresholds (pcn_code, percent, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (pcn_code) DO UPDATE SET percent = $2, updated_at = $3",
    )
    .bind(pcn_code)
    .bind(i64::from(percent))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
