//! Rotas: what a manager sets before solving (session times per site, the cover each site
//! needs, each person's rota rules), the optimiser's jobs with their claiming protocol, the
//! assignments and locked person-days of a result, publication, swap requests, and the
//! private calendar tokens staff subscribe with.
//!
//! Jobs are claimed with one conditional `UPDATE` whose row count says who won, so several
//! web processes sharing a database never run the same job twice; a worker that stops
//! sending heartbeats loses its job to the next claimer (its lease ran out), and a job
//! claimed `MAX_ATTEMPTS` times is marked failed. The queue is fair: the next job comes
//! from the organisation with the fewest jobs running, then the one served least recently.
use crate::{Result, StoreError, corrupt, parse_date};
use sqlx::{AnyConnection, Row, any::AnyRow};
use std::collections::BTreeMap;

/// The session codes, in the order of a day.
pub const SESSIONS: [&str; 4] = ["am", "pm", "evening", "saturday"];

/// Orders a `session` column as the day runs (am, pm, evening, saturday), not alphabetically.
pub(crate) fn session_order(column: &str) -> String {
    format!(
        "CASE {column} WHEN 'am' THEN 0 WHEN 'pm' THEN 1 WHEN 'evening' THEN 2 WHEN 'saturday' THEN 3 ELSE 4 END"
    )
}

/// `$from, $from+1, ...` for `count` values.
pub(crate) fn marks(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn flag(row: &AnyRow, index: usize) -> Result<bool> {
    let value: i64 = row.try_get(index)?;
    Ok(value != 0)
}

// ---------------------------------------------------------------- site sessions

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

// ---------------------------------------------------------------- rotas (jobs)

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

fn period_end(starts_on: &str, weeks: i64) -> Result<chrono::NaiveDate> {
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

// ---------------------------------------------------------------- assignments and locks

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

// ---------------------------------------------------------------- published rotas

/// A session someone works in a published rota, with the names a calendar shows.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PublishedAssignment {
    pub rota_id: String,
    pub staff_id: String,
    pub day: String,
    pub session: String,
    pub site_id: String,
    pub site_name: String,
    pub practice_ods: String,
    pub room_id: Option<String>,
    pub room_name: Option<String>,
    /// The session's times at the site (HH:MM): the site's own (`site_sessions`), else the
    /// session's default times.
    pub starts: String,
    pub ends: String,
}

/// A published rota's period, publication time and the practices its scope covers, to find
/// which publication wins a session.
struct Publication {
    id: String,
    starts_on: chrono::NaiveDate,
    ends_before: chrono::NaiveDate,
    published_at: String,
    /// The practice itself, or a PCN's member practices.
    practices: Vec<String>,
}

impl Publication {
    fn covers(&self, day: chrono::NaiveDate) -> bool {
        self.starts_on <= day && day < self.ends_before
    }

    /// Later publication first; ties broken by id so the choice is the same every time.
    fn newer_than(&self, published_at: &str, id: &str) -> bool {
        (self.published_at.as_str(), self.id.as_str()) > (published_at, id)
    }
}

/// The published rotas whose period meets `from`..=`to`, each with its scope's practices.
async fn publications(conn: &mut AnyConnection, from: &str, to: &str) -> Result<Vec<Publication>> {
    let from = parse_date(from)?;
    let rows = sqlx::query(
        "SELECT id, starts_on, weeks, published_at, scope_kind, scope_code FROM rotas
         WHERE published_at IS NOT NULL AND starts_on <= $1",
    )
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let mut members: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut out = Vec::new();
    for r in &rows {
        let starts_on: String = r.try_get(1)?;
        let weeks: i64 = r.try_get(2)?;
        let ends_before = period_end(&starts_on, weeks)?;
        if ends_before <= from {
            continue;
        }
        let (kind, code): (String, String) = (r.try_get(4)?, r.try_get(5)?);
        let practices = if kind == "pcn" {
            if !members.contains_key(&code) {
                let list = sqlx::query("SELECT ods_code FROM practices WHERE pcn_code = $1")
                    .bind(&code)
                    .fetch_all(&mut *conn)
                    .await?
                    .iter()
                    .map(|m| m.try_get(0))
                    .collect::<std::result::Result<Vec<String>, _>>()?;
                members.insert(code.clone(), list);
            }
            members[&code].clone()
        } else {
            vec![code]
        };
        out.push(Publication {
            id: r.try_get(0)?,
            starts_on: parse_date(&starts_on)?,
            ends_before,
            published_at: r.try_get(3)?,
            practices,
        });
    }
    Ok(out)
}

/// What `staff_id` works from `from` to `to` (inclusive, YYYY-MM-DD) in published rotas, by
/// day then session: [`published_sessions`] for one person.
pub async fn published_for_staff(
    conn: &mut AnyConnection,
    staff_id: &str,
    from: &str,
    to: &str,
) -> Result<Vec<PublishedAssignment>> {
    published_sessions(conn, &[staff_id.to_string()], from, to, &[]).await
}

/// What some people work from `from` to `to` (inclusive, YYYY-MM-DD) in published rotas, by
/// person, day and session, leaving out sessions at sites of `except_practices`.
///
/// A published rota speaks for a person-day at a practice when the day is in its period,
/// the person is in it (has an assignment or lock anywhere in it) and its scope covers the
/// practice (the practice's own rota, or its PCN's). A session at a practice's site counts
/// unless a more recently published rota speaks for that person-day at that practice: so a
/// day off in a newer rota hides an older rota's sessions there, a PCN rota and its member
/// practices' rotas hide each other's sessions at those practices, and one practice's rota
/// never hides another practice's.
pub async fn published_sessions(
    conn: &mut AnyConnection,
    staff_ids: &[String],
    from: &str,
    to: &str,
    except_practices: &[String],
) -> Result<Vec<PublishedAssignment>> {
    if staff_ids.is_empty() {
        return Ok(Vec::new());
    }
    let publications = publications(conn, from, to).await?;
    if publications.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = publications.iter().map(|p| p.id.as_str()).collect();
    let (rota_marks, staff_marks) = (marks(1, ids.len()), marks(ids.len() + 1, staff_ids.len()));
    let sql = format!(
        "SELECT rota_id, staff_id FROM rota_assignments
         WHERE rota_id IN ({rota_marks}) AND staff_id IN ({staff_marks})
         UNION SELECT rota_id, staff_id FROM rota_locks
         WHERE rota_id IN ({rota_marks}) AND staff_id IN ({staff_marks})"
    );
    let mut query = sqlx::query(&sql);
    for id in &ids {
        query = query.bind(*id);
    }
    for id in staff_ids {
        query = query.bind(id);
    }
    let members: std::collections::BTreeSet<(String, String)> = query
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_>>()?;

    let except = if except_practices.is_empty() {
        String::new()
    } else {
        format!(
            "AND s.practice_ods NOT IN ({})",
            marks(staff_ids.len() + 3, except_practices.len())
        )
    };
    let sql = format!(
        "SELECT a.rota_id, a.staff_id, a.day, a.session, a.site_id, s.name, s.practice_ods,
                a.room_id, m.name, r.published_at, t.starts, t.ends
         FROM rota_assignments a JOIN rotas r ON r.id = a.rota_id JOIN sites s ON s.id = a.site_id
              LEFT JOIN rooms m ON m.id = a.room_id
              LEFT JOIN site_sessions t ON t.site_id = a.site_id AND t.session = a.session
         WHERE a.staff_id IN ({}) AND a.day >= ${} AND a.day <= ${} AND r.published_at IS NOT NULL
               {except}
         ORDER BY a.staff_id, a.day, {}, a.rota_id",
        marks(1, staff_ids.len()),
        staff_ids.len() + 1,
        staff_ids.len() + 2,
        session_order("a.session")
    );
    let mut query = sqlx::query(&sql);
    for id in staff_ids {
        query = query.bind(id);
    }
    query = query.bind(from).bind(to);
    for code in except_practices {
        query = query.bind(code);
    }
    let rows = query.fetch_all(conn).await?;

    let mut out = Vec::new();
    for r in &rows {
        let session: String = r.try_get(3)?;
        let (starts, ends): (Option<String>, Option<String>) = (r.try_get(10)?, r.try_get(11)?);
        let (starts, ends) = match (starts, ends) {
            (Some(starts), Some(ends)) => (starts, ends),
            _ => {
                let times = domain::rota::Session::parse(&session)
                    .map_err(|_| corrupt(format!("rota session '{session}'")))?
                    .default_times();
                (
                    times.starts.format("%H:%M").to_string(),
                    times.ends.format("%H:%M").to_string(),
                )
            }
        };
        let assignment = PublishedAssignment {
            rota_id: r.try_get(0)?,
            staff_id: r.try_get(1)?,
            day: r.try_get(2)?,
            session,
            site_id: r.try_get(4)?,
            site_name: r.try_get(5)?,
            practice_ods: r.try_get(6)?,
            room_id: r.try_get(7)?,
            room_name: r.try_get(8)?,
            starts,
            ends,
        };
        let published_at: String = r.try_get(9)?;
        let day = parse_date(&assignment.day)?;
        let hidden = publications.iter().any(|p| {
            p.id != assignment.rota_id
                && p.covers(day)
                && p.newer_than(&published_at, &assignment.rota_id)
                && p.practices.contains(&assignment.practice_ods)
                && members.contains(&(p.id.clone(), assignment.staff_id.clone()))
        });
        if !hidden {
            out.push(assignment);
        }
    }
    Ok(out)
}

/// The most recently published rota of a practice or PCN whose period contains `day`.
pub async fn published_rota_for(
    conn: &mut AnyConnection,
    scope_kind: &str,
    scope_code: &str,
    day: &str,
) -> Result<Option<RotaRow>> {
    let wanted = parse_date(day)?;
    let candidates = sqlx::query(&format!(
        "SELECT {ROTA_COLUMNS} FROM rotas
         WHERE scope_kind = $1 AND scope_code = $2 AND published_at IS NOT NULL AND starts_on <= $3
         ORDER BY published_at DESC, id DESC"
    ))
    .bind(scope_kind)
    .bind(scope_code)
    .bind(day)
    .fetch_all(conn)
    .await?;
    for row in &candidates {
        let rota = rota_from_row(row)?;
        if parse_date(&rota.starts_on)? <= wanted && wanted < rota.ends_before()? {
            return Ok(Some(rota));
        }
    }
    Ok(None)
}

// ---------------------------------------------------------------- calendar tokens

/// A person's calendar token, if they have one.
pub async fn calendar_token(conn: &mut AnyConnection, staff_id: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query("SELECT token FROM calendar_tokens WHERE staff_id = $1")
            .bind(staff_id)
            .fetch_optional(conn)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?,
    )
}

/// Gives a person `token` unless they already have one, and returns theirs with whether it
/// is the one given. Safe when two requests race: the insert does nothing for the second
/// (on PostgreSQL it waits for the first to commit), which then reads the first's token.
/// Its first statement is the write, so on SQLite it never upgrades a stale read.
pub async fn ensure_calendar_token(
    conn: &mut AnyConnection,
    staff_id: &str,
    token: &str,
    now: &str,
) -> Result<(String, bool)> {
    let inserted = sqlx::query(
        "INSERT INTO calendar_tokens (staff_id, token, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (staff_id) DO NOTHING",
    )
    .bind(staff_id)
    .bind(token)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let theirs = calendar_token(conn, staff_id)
        .await?
        .ok_or_else(|| corrupt(format!("calendar token of {staff_id} vanished")))?;
    Ok((theirs, inserted.rows_affected() == 1))
}

/// Gives a person a new token in place of any old one (so the old calendar link stops
/// working); returns whether they had one. Two at once both succeed, the later winning.
pub async fn replace_calendar_token(
    conn: &mut AnyConnection,
    staff_id: &str,
    token: &str,
    now: &str,
) -> Result<bool> {
    let had = sqlx::query("DELETE FROM calendar_tokens WHERE staff_id = $1")
        .bind(staff_id)
        .execute(&mut *conn)
        .await?
        .rows_affected()
        > 0;
    // A racing replacement may have inserted since the delete: take its place.
    sqlx::query(
        "INSERT INTO calendar_tokens (staff_id, token, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (staff_id) DO UPDATE SET token = excluded.token, created_at = excluded.created_at",
    )
    .bind(staff_id)
    .bind(token)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(had)
}

/// Whose calendar a token opens.
pub async fn staff_for_calendar_token(
    conn: &mut AnyConnection,
    token: &str,
) -> Result<Option<String>> {
    Ok(
        sqlx::query("SELECT staff_id FROM calendar_tokens WHERE token = $1")
            .bind(token)
            .fetch_optional(conn)
            .await?
            .map(|r| r.try_get(0))
            .transpose()?,
    )
}

// ---------------------------------------------------------------- swaps

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
