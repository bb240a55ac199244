//! The optimiser's jobs: queueing, the fair claiming protocol, heartbeats, cancelling and
//! finishing.
use super::*;
use crate::{Result, StoreError, corrupt, parse_date};
use sqlx::{AnyConnection, Row, any::AnyRow};

/// A rota: the optimiser's job while queued or running, its result once done.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RotaRow {
    pub id: String,
    /// `practice` or `pcn`.
    pub scope_kind: String,
    pub scope_code: String,
    /// The Monday the rota starts (YYYY-MM-DD).
    pub starts_on: String,
    pub weeks: i64,
    pub time_limit_seconds: i64,
    /// `queued`, `running`, `done`, `failed` or `cancelled`.
    pub status: String,
    /// 0 to 1.
    pub progress: f64,
    pub hard_violations: Option<i64>,
    pub soft_penalty: Option<i64>,
    pub problems_json: Option<String>,
    pub error: Option<String>,
    pub cancel_requested: bool,
    pub worker: Option<String>,
    pub heartbeat_at: Option<String>,
    pub created_by: Option<String>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub published_at: Option<String>,
    pub published_by: Option<String>,
    /// Bumped by every change to the rota's assignments (see `bump_version`).
    pub version: i64,
}

impl RotaRow {
    /// The first day after the rota's period (`starts_on + 7 × weeks` days).
    pub fn ends_before(&self) -> Result<chrono::NaiveDate> {
        period_end(&self.starts_on, self.weeks)
    }
}

pub(super) fn period_end(starts_on: &str, weeks: i64) -> Result<chrono::NaiveDate> {
    let start = parse_date(starts_on)?;
    start
        .checked_add_signed(chrono::Duration::days(7 * weeks))
        .ok_or_else(|| corrupt(format!("rota of {weeks} weeks from {starts_on}")))
}

/// A job to queue.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NewRota {
    pub id: String,
    pub scope_kind: String,
    pub scope_code: String,
    pub starts_on: String,
    pub weeks: i64,
    pub time_limit_seconds: i64,
    pub created_by: Option<String>,
    pub created_at: String,
}

pub(crate) const ROTA_COLUMNS: &str = "id, scope_kind, scope_code, starts_on, weeks, time_limit_seconds, status, progress,
    hard_violations, soft_penalty, problems_json, error, cancel_requested, worker, heartbeat_at, created_by,
    created_at, started_at, finished_at, published_at, published_by, version";

pub(crate) fn rota_from_row(r: &AnyRow) -> Result<RotaRow> {
    Ok(RotaRow {
        id: r.try_get(0)?,
        scope_kind: r.try_get(1)?,
        scope_code: r.try_get(2)?,
        starts_on: r.try_get(3)?,
        weeks: r.try_get(4)?,
        time_limit_seconds: r.try_get(5)?,
        status: r.try_get(6)?,
        progress: r.try_get(7)?,
        hard_violations: r.try_get(8)?,
        soft_penalty: r.try_get(9)?,
        problems_json: r.try_get(10)?,
        error: r.try_get(11)?,
        cancel_requested: flag(r, 12)?,
        worker: r.try_get(13)?,
        heartbeat_at: r.try_get(14)?,
        created_by: r.try_get(15)?,
        created_at: r.try_get(16)?,
        started_at: r.try_get(17)?,
        finished_at: r.try_get(18)?,
        published_at: r.try_get(19)?,
        published_by: r.try_get(20)?,
        version: r.try_get(21)?,
    })
}

/// Stores a rota already finished and published, as a demo's or an import's history.
pub async fn insert_published_rota(
    conn: &mut AnyConnection,
    rota: &NewRota,
    published_by: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO rotas (id, scope_kind, scope_code, starts_on, weeks, time_limit_seconds, status,
                progress, hard_violations, soft_penalty, created_by, created_at, started_at,
                finished_at, published_at, published_by)
         VALUES ($1, $2, $3, $4, $5, $6, 'done', 1.0, 0, 0, $7, $8, $8, $8, $8, $9)",
    )
    .bind(&rota.id)
    .bind(&rota.scope_kind)
    .bind(&rota.scope_code)
    .bind(&rota.starts_on)
    .bind(rota.weeks)
    .bind(rota.time_limit_seconds)
    .bind(&rota.created_by)
    .bind(&rota.created_at)
    .bind(published_by)
    .execute(conn)
    .await?;
    Ok(())
}

/// Queues a job.
pub async fn insert_rota(conn: &mut AnyConnection, rota: &NewRota) -> Result<()> {
    sqlx::query(
        "INSERT INTO rotas (id, scope_kind, scope_code, starts_on, weeks, time_limit_seconds, status,
                created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $8)",
    )
    .bind(&rota.id)
    .bind(&rota.scope_kind)
    .bind(&rota.scope_code)
    .bind(&rota.starts_on)
    .bind(rota.weeks)
    .bind(rota.time_limit_seconds)
    .bind(&rota.created_by)
    .bind(&rota.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_rota(conn: &mut AnyConnection, id: &str) -> Result<Option<RotaRow>> {
    sqlx::query(&format!("SELECT {ROTA_COLUMNS} FROM rotas WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(rota_from_row)
        .transpose()
}

/// The rotas of one practice or PCN, newest first.
pub async fn list_rotas(
    conn: &mut AnyConnection,
    scope_kind: &str,
    scope_code: &str,
    limit: i64,
) -> Result<Vec<RotaRow>> {
    sqlx::query(&format!(
        "SELECT {ROTA_COLUMNS} FROM rotas WHERE scope_kind = $1 AND scope_code = $2
         ORDER BY created_at DESC, id DESC LIMIT $3"
    ))
    .bind(scope_kind)
    .bind(scope_code)
    .bind(limit)
    .fetch_all(conn)
    .await?
    .iter()
    .map(rota_from_row)
    .collect()
}

/// The rotas of any of some practices and PCNs, newest first.
pub async fn list_rotas_for_scopes(
    conn: &mut AnyConnection,
    practices: &[String],
    pcns: &[String],
    limit: i64,
) -> Result<Vec<RotaRow>> {
    let mut conditions = Vec::new();
    if !practices.is_empty() {
        conditions.push(format!(
            "(scope_kind = 'practice' AND scope_code IN ({}))",
            marks(1, practices.len())
        ));
    }
    if !pcns.is_empty() {
        conditions.push(format!(
            "(scope_kind = 'pcn' AND scope_code IN ({}))",
            marks(practices.len() + 1, pcns.len())
        ));
    }
    if conditions.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {ROTA_COLUMNS} FROM rotas WHERE {} ORDER BY created_at DESC, id DESC LIMIT ${}",
        conditions.join(" OR "),
        practices.len() + pcns.len() + 1
    );
    let mut query = sqlx::query(&sql);
    for code in practices.iter().chain(pcns) {
        query = query.bind(code);
    }
    query
        .bind(limit)
        .fetch_all(conn)
        .await?
        .iter()
        .map(rota_from_row)
        .collect()
}

/// How many candidates `claim_next` tries before giving up for this round.
const CLAIM_ATTEMPTS: usize = 8;

/// How many times a job may be claimed: a job whose worker died this often (a rota that
/// brings its server down, say) is marked failed by the next claimer instead of run again.
pub const MAX_ATTEMPTS: i64 = 3;

/// Queued jobs one manager may have waiting at once (`queued_by` counts them).
pub const MAX_QUEUED_PER_MANAGER: i64 = 3;

/// The claimable jobs (queued, or running with a heartbeat older than `$1`), fairest first:
/// from the organisation (practice or PCN) with the fewest jobs running now, then the one
/// served least recently (its latest job's start), then the oldest job.
const FAIR_CANDIDATES: &str = "SELECT r.id, r.cancel_requested, r.attempts, r.status FROM rotas r
     WHERE r.status = 'queued' OR (r.status = 'running' AND r.heartbeat_at < $1)
     ORDER BY
       (SELECT COUNT(*) FROM rotas o
         WHERE o.scope_kind = r.scope_kind AND o.scope_code = r.scope_code
           AND o.status = 'running' AND o.heartbeat_at >= $1),
       COALESCE((SELECT MAX(o.started_at) FROM rotas o
         WHERE o.scope_kind = r.scope_kind AND o.scope_code = r.scope_code
           AND o.started_at IS NOT NULL), ''),
       r.created_at, r.id
     LIMIT $2";

/// Claims the next job for `worker`, fairly across organisations (`FAIR_CANDIDATES`);
/// a job is claimable when queued, or running with a heartbeat older than `stale_before`
/// (its worker died: the lease ran out). `None` when there is nothing to do.
///
/// Each claim is one conditional `UPDATE`: only the process whose update changed the row
/// owns the job, so racing claimers (threads or `gpteam serve` processes on one database)
/// never both run it — on PostgreSQL the loser's update waits for the winner's row lock and
/// then finds the row no longer claimable; SQLite runs one writer at a time. A claimable
/// job whose cancellation was requested is marked cancelled, and one already claimed
/// `MAX_ATTEMPTS` times is marked failed, instead of claimed. Run outside a transaction,
/// so a claim is visible to the other processes at once.
pub async fn claim_next(
    conn: &mut AnyConnection,
    worker: &str,
    now: &str,
    stale_before: &str,
) -> Result<Option<RotaRow>> {
    let candidates = sqlx::query(FAIR_CANDIDATES)
        .bind(stale_before)
        .bind(CLAIM_ATTEMPTS as i64)
        .fetch_all(&mut *conn)
        .await?;
    for candidate in &candidates {
        let id: String = candidate.try_get(0)?;
        let attempts: i64 = candidate.try_get(2)?;
        if flag(candidate, 1)? {
            sqlx::query(
                "UPDATE rotas SET status = 'cancelled', finished_at = $2
                 WHERE id = $1 AND cancel_requested = 1
                   AND (status = 'queued' OR (status = 'running' AND heartbeat_at < $3))",
            )
            .bind(&id)
            .bind(now)
            .bind(stale_before)
            .execute(&mut *conn)
            .await?;
            continue;
        }
        if attempts >= MAX_ATTEMPTS {
            give_up(conn, &id, now, stale_before).await?;
            continue;
        }
        if let Some(row) = claim(conn, &id, worker, now, stale_before).await? {
            return Ok(Some(row));
        }
    }
    Ok(None)
}

/// Marks failed a job whose worker died `MAX_ATTEMPTS` times (if it is still so).
async fn give_up(conn: &mut AnyConnection, id: &str, now: &str, stale_before: &str) -> Result<()> {
    sqlx::query(
        "UPDATE rotas SET status = 'failed', finished_at = $2, error = $4
         WHERE id = $1 AND attempts >= $3
           AND (status = 'queued' OR (status = 'running' AND heartbeat_at < $5))",
    )
    .bind(id)
    .bind(now)
    .bind(MAX_ATTEMPTS)
    .bind(format!(
        "The solve was started {MAX_ATTEMPTS} times and its server stopped each time: ask for the rota again, perhaps with fewer weeks or a shorter time limit"
    ))
    .bind(stale_before)
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes the write lock on a user's row for the rest of the transaction, so two requests
/// by one manager count that manager's queued rotas (`queued_by`) one after the other:
/// PostgreSQL holds the row lock to commit (SQLite's transactions already run one at a
/// time). A no-op update, so nothing changes.
pub async fn lock_queue_of(conn: &mut AnyConnection, user_id: &str) -> Result<()> {
    sqlx::query("UPDATE users SET session_epoch = session_epoch WHERE id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The rotas running now (by a live worker or a dead one), oldest first.
pub async fn running(conn: &mut AnyConnection) -> Result<Vec<RotaRow>> {
    sqlx::query(&format!(
        "SELECT {ROTA_COLUMNS} FROM rotas WHERE status = 'running' ORDER BY created_at, id"
    ))
    .fetch_all(conn)
    .await?
    .iter()
    .map(rota_from_row)
    .collect()
}

/// How many rotas `user_id` has queued (not yet started).
pub async fn queued_by(conn: &mut AnyConnection, user_id: &str) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) FROM rotas WHERE created_by = $1 AND status = 'queued'")
        .bind(user_id)
        .fetch_one(conn)
        .await?;
    Ok(row.try_get(0)?)
}

/// How many times a rota has been claimed by a worker.
pub async fn attempts(conn: &mut AnyConnection, id: &str) -> Result<i64> {
    let row = sqlx::query("SELECT attempts FROM rotas WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(row.try_get(0)?)
}

/// Claims one given rota, when it is queued (or running with a dead worker): the command
/// line's way to run the rota it has just asked for.
pub async fn claim(
    conn: &mut AnyConnection,
    id: &str,
    worker: &str,
    now: &str,
    stale_before: &str,
) -> Result<Option<RotaRow>> {
    let claimed = sqlx::query(
        "UPDATE rotas SET status = 'running', worker = $2, heartbeat_at = $3,
             started_at = COALESCE(started_at, $3), attempts = attempts + 1
         WHERE id = $1 AND cancel_requested = 0 AND attempts < $5
           AND (status = 'queued' OR (status = 'running' AND heartbeat_at < $4))",
    )
    .bind(id)
    .bind(worker)
    .bind(now)
    .bind(stale_before)
    .bind(MAX_ATTEMPTS)
    .execute(&mut *conn)
    .await?;
    if claimed.rows_affected() == 1 {
        get_rota(conn, id).await
    } else {
        Ok(None)
    }
}

/// Queues a finished rota to be solved again (around its locked days).
pub async fn requeue(conn: &mut AnyConnection, id: &str) -> Result<()> {
    let done = sqlx::query(
        "UPDATE rotas SET status = 'queued', progress = 0, cancel_requested = 0, worker = NULL,
             heartbeat_at = NULL, error = NULL, finished_at = NULL, attempts = 0
         WHERE id = $1 AND status IN ('done', 'cancelled', 'failed')",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    match get_rota(conn, id).await? {
        Some(rota) => Err(StoreError::Conflict(format!(
            "rota {id} is {} and cannot be solved again now",
            rota.status
        ))),
        None => Err(StoreError::NotFound),
    }
}

/// Records a running job's progress (and best scores so far, when given) and says whether
/// the worker should stop: true when cancellation was requested, and also when the job is
/// no longer this worker's or no longer running (another worker took it over).
pub async fn heartbeat(
    conn: &mut AnyConnection,
    id: &str,
    worker: &str,
    now: &str,
    progress: f64,
    hard: Option<i64>,
    soft: Option<i64>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE rotas SET heartbeat_at = $3, progress = $4,
             hard_violations = COALESCE($5, hard_violations), soft_penalty = COALESCE($6, soft_penalty)
         WHERE id = $1 AND worker = $2 AND status = 'running'",
    )
    .bind(id)
    .bind(worker)
    .bind(now)
    .bind(progress)
    .bind(hard)
    .bind(soft)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(true);
    }
    let row = sqlx::query("SELECT cancel_requested FROM rotas WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    flag(&row, 0)
}

/// Asks for a job to stop: a queued one is cancelled at once, a running one is flagged for
/// its worker to see at its next heartbeat; a finished one is left as it is.
/// `NotFound` when there is no such rota.
pub async fn request_cancel(conn: &mut AnyConnection, id: &str) -> Result<()> {
    let now = crate::timestamp(chrono::Utc::now());
    let queued = sqlx::query(
        "UPDATE rotas SET status = 'cancelled', finished_at = $2 WHERE id = $1 AND status = 'queued'",
    )
    .bind(id)
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    if queued.rows_affected() == 1 {
        return Ok(());
    }
    let running =
        sqlx::query("UPDATE rotas SET cancel_requested = 1 WHERE id = $1 AND status = 'running'")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    if running.rows_affected() == 1 {
        return Ok(());
    }
    match sqlx::query("SELECT id FROM rotas WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
    {
        Some(_) => Ok(()),
        None => Err(StoreError::NotFound),
    }
}

/// Ends a running job with `status` (`done`, `failed` or `cancelled`) and its result, but
/// only if `worker` still owns it; returns whether it applied. Scores not given keep the
/// last heartbeat's; progress becomes 1 when done. The version moves on: the solve's
/// assignments replace whatever a manager last saw.
#[allow(clippy::too_many_arguments)]
pub async fn finish(
    conn: &mut AnyConnection,
    id: &str,
    worker: &str,
    status: &str,
    hard: Option<i64>,
    soft: Option<i64>,
    problems_json: Option<&str>,
    error: Option<&str>,
    now: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE rotas SET status = $3, hard_violations = COALESCE($4, hard_violations),
             soft_penalty = COALESCE($5, soft_penalty), problems_json = $6, error = $7,
             finished_at = $8, heartbeat_at = $8, version = version + 1,
             progress = CASE WHEN $3 = 'done' THEN 1.0 ELSE progress END
         WHERE id = $1 AND worker = $2 AND status = 'running'",
    )
    .bind(id)
    .bind(worker)
    .bind(status)
    .bind(hard)
    .bind(soft)
    .bind(problems_json)
    .bind(error)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves a rota from version `seen` to the next, as the first write of a change to its
/// assignments; false (and nothing written) when the rota is no longer at `seen` (someone
/// changed it since) or does not exist.
///
/// Run first in the change's transaction, before its reads: on PostgreSQL the row lock it
/// takes makes a concurrent change wait, then find the version moved; on SQLite it takes
/// the write lock before the transaction has read anything, so it waits its turn rather
/// than failing on a stale snapshot. Either way the change's checks read the rota as it
/// stands, and a change checked against an older rota is never written.
pub async fn bump_version(conn: &mut AnyConnection, id: &str, seen: i64) -> Result<bool> {
    let done = sqlx::query("UPDATE rotas SET version = version + 1 WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(seen)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// `bump_version` whatever the version is (a change asked for without one, from the API):
/// still the transaction's first write, so it waits for or holds off changes racing it.
/// False when there is no such rota.
pub async fn bump_version_unchecked(conn: &mut AnyConnection, id: &str) -> Result<bool> {
    let done = sqlx::query("UPDATE rotas SET version = version + 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// `bump_version` for the rota a swap request belongs to, in one statement (so it is still
/// the transaction's first write, before it reads the request).
pub async fn bump_version_of_swap(
    conn: &mut AnyConnection,
    swap_id: &str,
    seen: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE rotas SET version = version + 1
         WHERE id = (SELECT rota_id FROM rota_swaps WHERE id = $1) AND version = $2",
    )
    .bind(swap_id)
    .bind(seen)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces a rota's scores and problems, as re-checked after a manager's edit.
pub async fn set_scores(
    conn: &mut AnyConnection,
    id: &str,
    hard: i64,
    soft: i64,
    problems_json: &str,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE rotas SET hard_violations = $2, soft_penalty = $3, problems_json = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(hard)
    .bind(soft)
    .bind(problems_json)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Publishes a finished rota (again, after edits: the latest publication counts).
/// `Conflict` when the rota is not done, `NotFound` when there is none.
pub async fn publish(conn: &mut AnyConnection, id: &str, by: &str, now: &str) -> Result<()> {
    let done = sqlx::query(
        "UPDATE rotas SET published_at = $3, published_by = $2
         WHERE id = $1 AND status IN ('done', 'cancelled')",
    )
    .bind(id)
    .bind(by)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    match get_rota(conn, id).await? {
        Some(rota) => Err(StoreError::Conflict(format!(
            "rota {id} is {} and only a finished rota can be published",
            rota.status
        ))),
        None => Err(StoreError::NotFound),
    }
}
