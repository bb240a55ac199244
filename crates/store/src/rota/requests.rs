//! Swap and cover requests, and session requests.
use super::*;
use crate::{Result, StoreError};
use sqlx::{AnyConnection, Row, any::AnyRow};

/// A request to give away one session of a rota, and the manager's decision.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SwapRow {
    pub id: String,
    pub rota_id: String,
    /// Who asks.
    pub staff_id: String,
    pub day: String,
    pub session: String,
    /// Who would cover; `None`: anyone.
    pub with_staff_id: Option<String>,
    pub note: Option<String>,
    /// `requested`, `approved` or `declined`.
    pub status: String,
    pub requested_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// Why the manager declined it, shown to the person who asked.
    pub decision_reason: Option<String>,
}

pub(crate) const SWAP_COLUMNS: &str =
    "id, rota_id, staff_id, day, session, with_staff_id, note, status, requested_at,
    decided_by, decided_at, decision_reason";

pub(crate) fn swap_from_row(r: &AnyRow) -> Result<SwapRow> {
    Ok(SwapRow {
        id: r.try_get(0)?,
        rota_id: r.try_get(1)?,
        staff_id: r.try_get(2)?,
        day: r.try_get(3)?,
        session: r.try_get(4)?,
        with_staff_id: r.try_get(5)?,
        note: r.try_get(6)?,
        status: r.try_get(7)?,
        requested_at: r.try_get(8)?,
        decided_by: r.try_get(9)?,
        decided_at: r.try_get(10)?,
        decision_reason: r.try_get(11)?,
    })
}

pub async fn insert_swap(conn: &mut AnyConnection, swap: &SwapRow) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO rota_swaps ({SWAP_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    ))
    .bind(&swap.id)
    .bind(&swap.rota_id)
    .bind(&swap.staff_id)
    .bind(&swap.day)
    .bind(&swap.session)
    .bind(&swap.with_staff_id)
    .bind(&swap.note)
    .bind(&swap.status)
    .bind(&swap.requested_at)
    .bind(&swap.decided_by)
    .bind(&swap.decided_at)
    .bind(&swap.decision_reason)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_swap(conn: &mut AnyConnection, id: &str) -> Result<Option<SwapRow>> {
    sqlx::query(&format!(
        "SELECT {SWAP_COLUMNS} FROM rota_swaps WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(swap_from_row)
    .transpose()
}

/// A rota's swap requests, newest first.
pub async fn list_swaps(conn: &mut AnyConnection, rota_id: &str) -> Result<Vec<SwapRow>> {
    sqlx::query(&format!(
        "SELECT {SWAP_COLUMNS} FROM rota_swaps WHERE rota_id = $1 ORDER BY requested_at DESC, id DESC"
    ))
    .bind(rota_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(swap_from_row)
    .collect()
}

/// Records a manager's decision (`approved` or `declined`, with the reason for a decline)
/// on a request still open; `Conflict` when it was already decided (two managers at once:
/// the first decision stands), `NotFound` when missing.
pub async fn decide_swap(
    conn: &mut AnyConnection,
    id: &str,
    status: &str,
    reason: Option<&str>,
    by: &str,
    now: &str,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE rota_swaps SET status = $2, decided_by = $3, decided_at = $4, decision_reason = $5
         WHERE id = $1 AND status = 'requested'",
    )
    .bind(id)
    .bind(status)
    .bind(by)
    .bind(now)
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    match get_swap(conn, id).await? {
        Some(swap) => Err(StoreError::Conflict(format!(
            "This request was already {}",
            swap.status
        ))),
        None => Err(StoreError::NotFound),
    }
}

// ---------------------------------------------------------------- session requests

/// A person's request about one session: to work it (`work`) or to have it off (`off`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SessionRequestRow {
    pub id: String,
    pub staff_id: String,
    pub day: String,
    pub session: String,
    /// `work` or `off`.
    pub wish: String,
    pub note: Option<String>,
    pub created_by: Option<String>,
    pub created_at: String,
}

pub(crate) const SESSION_REQUEST_COLUMNS: &str =
    "id, staff_id, day, session, wish, note, created_by, created_at";

pub(crate) fn session_request_from_row(r: &AnyRow) -> Result<SessionRequestRow> {
    Ok(SessionRequestRow {
        id: r.try_get(0)?,
        staff_id: r.try_get(1)?,
        day: r.try_get(2)?,
        session: r.try_get(3)?,
        wish: r.try_get(4)?,
        note: r.try_get(5)?,
        created_by: r.try_get(6)?,
        created_at: r.try_get(7)?,
    })
}

/// Records a request; one for the same person, day and session is replaced (its id kept).
/// Returns the stored row.
pub async fn upsert_session_request(
    conn: &mut AnyConnection,
    request: &SessionRequestRow,
) -> Result<SessionRequestRow> {
    sqlx::query(&format!(
        "INSERT INTO session_requests ({SESSION_REQUEST_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (staff_id, day, session) DO UPDATE
         SET wish = excluded.wish, note = excluded.note, created_by = excluded.created_by,
             created_at = excluded.created_at"
    ))
    .bind(&request.id)
    .bind(&request.staff_id)
    .bind(&request.day)
    .bind(&request.session)
    .bind(&request.wish)
    .bind(&request.note)
    .bind(&request.created_by)
    .bind(&request.created_at)
    .execute(&mut *conn)
    .await?;
    let stored = sqlx::query(&format!(
        "SELECT {SESSION_REQUEST_COLUMNS} FROM session_requests
         WHERE staff_id = $1 AND day = $2 AND session = $3"
    ))
    .bind(&request.staff_id)
    .bind(&request.day)
    .bind(&request.session)
    .fetch_one(&mut *conn)
    .await
    .map_err(StoreError::from)
    .and_then(|r| session_request_from_row(&r))?;
    // A changed request is a new question: any decision on the old one no longer holds.
    sqlx::query("DELETE FROM session_request_decisions WHERE request_id = $1")
        .bind(&stored.id)
        .execute(conn)
        .await?;
    Ok(stored)
}

pub async fn get_session_request(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<SessionRequestRow>> {
    sqlx::query(&format!(
        "SELECT {SESSION_REQUEST_COLUMNS} FROM session_requests WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(session_request_from_row)
    .transpose()
}

/// Withdraws a request; `NotFound` when there is none.
pub async fn delete_session_request(conn: &mut AnyConnection, id: &str) -> Result<()> {
    let done = sqlx::query("DELETE FROM session_requests WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The requests of these people from `from` to `to` (inclusive ISO dates), by person, day
/// and session in the order of a day.
pub async fn list_session_requests(
    conn: &mut AnyConnection,
    staff_ids: &[String],
    from: &str,
    to: &str,
) -> Result<Vec<SessionRequestRow>> {
    if staff_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {SESSION_REQUEST_COLUMNS} FROM session_requests
         WHERE day >= $1 AND day <= $2 AND staff_id IN ({})
         ORDER BY staff_id, day, {}",
        marks(3, staff_ids.len()),
        session_order("session")
    );
    let mut query = sqlx::query(&sql).bind(from).bind(to);
    for id in staff_ids {
        query = query.bind(id);
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(session_request_from_row)
        .collect()
}
