//! What staff ask of published rotas, as their managers decide it: the open swap and cover
//! requests of some rotas, decisions on requests for a session off, and which rotas cover
//! a practice (its own, and PCN rotas with sessions at its sites or for its people).
use crate::rota::{
    ROTA_COLUMNS, RotaRow, SESSION_REQUEST_COLUMNS, SWAP_COLUMNS, SessionRequestRow, SwapRow,
    marks, rota_from_row, session_order, session_request_from_row, swap_from_row,
};
use crate::{Result, StoreError};
use sqlx::{AnyConnection, Row};

/// A manager's decision on a request for a session off.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SessionRequestDecision {
    pub request_id: String,
    /// `approved` or `declined`.
    pub status: String,
    /// The published rota an approval changed.
    pub rota_id: Option<String>,
    /// Why it was declined, shown to the person.
    pub reason: Option<String>,
    pub decided_by: String,
    pub decided_at: String,
}

/// Records a decision; `Conflict` when the request was already decided (two managers at
/// once: the first decision stands).
pub async fn insert_session_request_decision(
    conn: &mut AnyConnection,
    decision: &SessionRequestDecision,
) -> Result<()> {
    let done = sqlx::query(
        "INSERT INTO session_request_decisions
             (request_id, status, rota_id, reason, decided_by, decided_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (request_id) DO NOTHING",
    )
    .bind(&decision.request_id)
    .bind(&decision.status)
    .bind(&decision.rota_id)
    .bind(&decision.reason)
    .bind(&decision.decided_by)
    .bind(&decision.decided_at)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict(
            "This request was already decided".into(),
        ));
    }
    Ok(())
}

/// The decisions on some requests (those decided; the rest are still open).
pub async fn session_request_decisions(
    conn: &mut AnyConnection,
    request_ids: &[String],
) -> Result<Vec<SessionRequestDecision>> {
    if request_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT request_id, status, rota_id, reason, decided_by, decided_at
         FROM session_request_decisions WHERE request_id IN ({})",
        marks(1, request_ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in request_ids {
        query = query.bind(id);
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok(SessionRequestDecision {
                request_id: r.try_get(0)?,
                status: r.try_get(1)?,
                rota_id: r.try_get(2)?,
                reason: r.try_get(3)?,
                decided_by: r.try_get(4)?,
                decided_at: r.try_get(5)?,
            })
        })
        .collect()
}

/// The requests for a session off of these people from `from` to `to` (inclusive ISO
/// dates) not yet decided, by day and session.
pub async fn open_off_requests(
    conn: &mut AnyConnection,
    staff_ids: &[String],
    from: &str,
    to: &str,
) -> Result<Vec<SessionRequestRow>> {
    if staff_ids.is_empty() {
        return Ok(Vec::new());
    }
    let columns = SESSION_REQUEST_COLUMNS
        .split(',')
        .map(|c| format!("q.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {columns} FROM session_requests q
         WHERE q.wish = 'off' AND q.day >= $1 AND q.day <= $2 AND q.staff_id IN ({})
           AND NOT EXISTS (SELECT 1 FROM session_request_decisions d WHERE d.request_id = q.id)
         ORDER BY q.day, {}, q.staff_id",
        marks(3, staff_ids.len()),
        session_order("q.session")
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

/// The open swap and cover requests on some rotas, soonest session first.
pub async fn open_swaps(conn: &mut AnyConnection, rota_ids: &[String]) -> Result<Vec<SwapRow>> {
    if rota_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {SWAP_COLUMNS} FROM rota_swaps
         WHERE status = 'requested' AND rota_id IN ({})
         ORDER BY day, {}, requested_at, id",
        marks(1, rota_ids.len()),
        session_order("session")
    );
    let mut query = sqlx::query(&sql);
    for id in rota_ids {
        query = query.bind(id);
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(swap_from_row)
        .collect()
}

/// A person's swap and cover requests on any rota, newest first.
pub async fn swaps_of(conn: &mut AnyConnection, staff_id: &str) -> Result<Vec<SwapRow>> {
    sqlx::query(&format!(
        "SELECT {SWAP_COLUMNS} FROM rota_swaps WHERE staff_id = $1
         ORDER BY requested_at DESC, id DESC"
    ))
    .bind(staff_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(swap_from_row)
    .collect()
}

/// The condition "the assignment `a` is at a site of the practice `$n`, or for one of its
/// people".
fn at_practice(n: usize) -> String {
    format!(
        "(a.site_id IN (SELECT id FROM sites WHERE practice_ods = ${n})
          OR a.staff_id IN (SELECT staff_id FROM staff_practices WHERE ods_code = ${n})
          OR a.staff_id IN (SELECT id FROM staff WHERE employer_kind = 'practice'
                                                  AND employer_code = ${n}))"
    )
}

/// Whether a rota has a session at one of the practice's sites or for one of its people.
pub async fn rota_covers_practice(
    conn: &mut AnyConnection,
    rota_id: &str,
    ods: &str,
) -> Result<bool> {
    let sql = format!(
        "SELECT 1 FROM rota_assignments a WHERE a.rota_id = $1 AND {} LIMIT 1",
        at_practice(2)
    );
    Ok(sqlx::query(&sql)
        .bind(rota_id)
        .bind(ods)
        .fetch_optional(conn)
        .await?
        .is_some())
}

/// The PCN rotas that cover a practice (a session at its sites or for its people), newest
/// first.
pub async fn pcn_rotas_covering(
    conn: &mut AnyConnection,
    ods: &str,
    limit: i64,
) -> Result<Vec<RotaRow>> {
    let sql = format!(
        "SELECT {ROTA_COLUMNS} FROM rotas r
         WHERE r.scope_kind = 'pcn'
           AND EXISTS (SELECT 1 FROM rota_assignments a WHERE a.rota_id = r.id AND {})
         ORDER BY r.created_at DESC, r.id DESC LIMIT $2",
        at_practice(1)
    );
    sqlx::query(&sql)
        .bind(ods)
        .bind(limit)
        .fetch_all(conn)
        .await?
        .iter()
        .map(rota_from_row)
        .collect()
}
