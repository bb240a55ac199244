//! Rotas: the cover template and rota rules, generating a rota as a background job, reading
//! and editing it with every rule re-checked, publishing it and each person's calendar feed.
mod calendar;
pub mod check;
pub mod cover;
mod input;
pub mod mine;
pub mod pdf;
pub mod plan;
pub mod progress;
mod publish;
pub mod repair;
pub mod request;
pub mod requests;
pub mod session_requests;
pub mod setup;
mod solve;
pub mod stale;
pub mod swaps;
pub mod visible;

use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::{App, Change, audit, commit_with_audit, json};
pub use calendar::CalendarFeed;
pub use check::{RotaProblem, check};
use chrono::NaiveDate;
use domain::leave::LeaveStatus;
use domain::role::Role;
use domain::rota::{
    CoverNeed, CoverRequirement, DayPattern, RotaPeriod, RotaRules, RotaRulesForm, Session,
    SessionRequest, SessionTimes, parse_weekday,
};
use domain::{FieldError, FieldErrors};
pub use input::*;
pub use plan::{Assignment, RotaInput};
use plan::{PersonInput, RoomInput, SiteInput};
use session_requests::session_request_from_row;
pub use solve::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use store::rota::{AssignmentRow, NewRota, RotaRow};

/// Who a rota is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotaScope {
    Practice(String),
    Pcn(String),
}

impl RotaScope {
    pub fn kind(&self) -> &'static str {
        match self {
            RotaScope::Practice(_) => "practice",
            RotaScope::Pcn(_) => "pcn",
        }
    }

    pub fn code(&self) -> &str {
        match self {
            RotaScope::Practice(c) | RotaScope::Pcn(c) => c,
        }
    }

    fn tenant(&self) -> Tenant<'_> {
        match self {
            RotaScope::Practice(c) => Tenant::Practice(c),
            RotaScope::Pcn(c) => Tenant::Pcn(c),
        }
    }

    fn of_row(row: &RotaRow) -> RotaScope {
        if row.scope_kind == "pcn" {
            RotaScope::Pcn(row.scope_code.clone())
        } else {
            RotaScope::Practice(row.scope_code.clone())
        }
    }
}

/// Default and most time a solve may run, in seconds.
pub const DEFAULT_TIME_LIMIT: u32 = 10;
pub const MAX_TIME_LIMIT: u32 = 600;
/// A running job whose worker has not been heard from for this long is taken over.
pub const STALE_AFTER: Duration = Duration::from_secs(60);

/// A rota with its people and sites, ready to show.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RotaDetail {
    pub row: RotaRow,
    pub period: RotaPeriod,
    pub people: Vec<RotaPerson>,
    pub sites: Vec<RotaSite>,
    pub rooms: Vec<(String, String)>,
    pub assignments: Vec<Assignment>,
    pub locked: Vec<(String, NaiveDate)>,
    pub problems: Vec<RotaProblem>,
    /// Rules that contradict each other, reported by name.
    pub conflicts: Vec<String>,
    /// The practice (ODS code) a practice manager reads a PCN rota for: the rota is then
    /// narrowed to that practice's people and sites, and read only (`visible`).
    pub reader_practice: Option<String>,
    /// Problems changes since publishing brought and still true (`stale`): the rota's mark.
    pub stale_problems: Vec<RotaProblem>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RotaPerson {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub practices: Vec<String>,
    pub site_ids: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RotaSite {
    pub id: String,
    pub name: String,
    pub practice_ods: String,
}

/// A rota drawn as a PDF, with the name to save it under.
pub struct RotaPdf {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// What a manager asks of one person's day.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct DayEdit {
    pub staff_id: String,
    pub date: String,
    /// `off`, or a pattern code: `am`, `pm`, `am_pm`, `pm_evening`, `saturday`.
    pub pattern: String,
    pub site_id: String,
    /// Keep the day as it is when re-solving.
    pub lock: bool,
    /// Accept the edit although it breaks a hard rule (audited).
    pub override_rules: bool,
    /// The rota's version the form was shown (`RotaRow::version`): the edit is refused
    /// when the rota has changed since.
    pub version: i64,
}

/// What a manager is told when their change was checked against a rota someone has
/// changed since: it is refused and writes nothing.
pub const STALE_ROTA: &str = "This rota changed since you opened it: reload and try again";

/// The refusal of a change made from an old version of a rota.
pub fn stale_rota() -> AppError {
    AppError::Conflict(STALE_ROTA.into())
}

/// What a manager asks when publishing a rota.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PublishRequest {
    /// The rota's version the manager saw (`RotaRow::version`): publishing is refused when
    /// the rota has changed since. `None` (the API without a version) publishes the rota as
    /// it is now.
    pub version: Option<i64>,
    /// Publish although the rota breaks hard rules (audited).
    pub override_rules: bool,
}

/// The result of a publication: published, or refused with the hard rules the rota breaks
/// (checked against the inputs as they are when it is published).
#[derive(Debug, Clone, serde::Serialize)]
pub struct PublishOutcome {
    pub published: bool,
    /// Why it was refused; or, published with an override, what it breaks.
    pub hard_problems: Vec<RotaProblem>,
}

/// The result of an edit: saved, or refused with the hard problems it would bring.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EditOutcome {
    pub saved: bool,
    pub new_problems: Vec<RotaProblem>,
}

pub fn pattern_code(p: DayPattern) -> &'static str {
    match p {
        DayPattern::Am => "am",
        DayPattern::Pm => "pm",
        DayPattern::AmPm => "am_pm",
        DayPattern::PmEvening => "pm_evening",
        DayPattern::Saturday => "saturday",
    }
}

pub fn parse_pattern(text: &str) -> Result<Option<DayPattern>, FieldError> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("off") || text.is_empty() {
        return Ok(None);
    }
    DayPattern::ALL
        .into_iter()
        .find(|p| pattern_code(*p) == text || p.label().eq_ignore_ascii_case(text))
        .map(Some)
        .ok_or_else(|| FieldError::new("pattern", format!("'{text}' is not a day's sessions")))
}

facade! {
    /// Rotas: set-up, solving, publishing, editing, swaps, requests and cover (`app.rota()`).
    pub struct Rota => rota;
}

impl Rota<'_> {
    async fn rota_row(
        &self,
        conn: &mut store::Conn,
        actor: &Actor,
        id: &str,
        permission: Permission,
    ) -> AppResult<RotaRow> {
        let row = store::rota::get_rota(conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let scope = RotaScope::of_row(&row);
        match access::authorize(conn, actor, permission, scope.tenant()).await {
            Ok(()) => Ok(row),
            // A rota outside the user's reach is not revealed.
            Err(AppError::Forbidden) => Err(AppError::NotFound),
            Err(e) => Err(e),
        }
    }

    /// Checks the actor may act on the rota, before a change opens its transaction: the
    /// change's first write (`bump_version`) must not run for someone refused. A rota's
    /// practice or PCN never changes, so the check still holds inside the transaction.
    pub(crate) async fn authorize_rota(
        &self,
        actor: &Actor,
        id: &str,
        permission: Permission,
    ) -> AppResult<()> {
        let mut conn = self.store().conn().await?;
        self.rota_row(&mut conn, actor, id, permission).await?;
        Ok(())
    }

    /// Queues a rota for a practice or PCN; a worker solves it in the background.
    pub async fn request_rota(
        &self,
        actor: &Actor,
        scope: RotaScope,
        period: RotaPeriod,
        time_limit_seconds: Option<u32>,
    ) -> AppResult<String> {
        let limit = time_limit_seconds.unwrap_or(DEFAULT_TIME_LIMIT);
        if !(1..=MAX_TIME_LIMIT).contains(&limit) {
            return Err(FieldErrors::from(FieldError::new(
                "time_limit_seconds",
                format!("Enter a time limit from 1 to {MAX_TIME_LIMIT} seconds, not {limit}"),
            ))
            .into());
        }
        let mut tx = self.store().begin().await?;
        access::authorize(&mut tx, actor, Permission::Manage, scope.tenant()).await?;
        store::rota::lock_queue_of(&mut tx, &actor.user_id).await?;
        let waiting = store::rota::queued_by(&mut tx, &actor.user_id).await?;
        if waiting >= store::rota::MAX_QUEUED_PER_MANAGER {
            return Err(AppError::Conflict(format!(
                "You already have {waiting} rotas waiting to be solved, the most one manager may have queued ({}): wait for one to start, or cancel one, then ask again",
                store::rota::MAX_QUEUED_PER_MANAGER
            )));
        }
        let id = store::new_id();
        let now = self.now();
        let new = NewRota {
            id: id.clone(),
            scope_kind: scope.kind().to_string(),
            scope_code: scope.code().to_string(),
            starts_on: period.from.to_string(),
            weeks: i64::from(period.weeks),
            time_limit_seconds: i64::from(limit),
            created_by: Some(actor.user_id.clone()),
            created_at: now.clone(),
        };
        store::rota::insert_rota(&mut tx, &new).await?;
        let change = Change {
            action: "requested",
            entity: "rota",
            entity_id: &id,
            tenant: scope.code(),
            before: None,
            after: json(&serde_json::json!({
                "scope": scope.code(), "from": new.starts_on, "weeks": period.weeks, "time_limit_seconds": limit
            })),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(id)
    }

    /// Rotas the actor manages, newest first; for a practice manager also the PCN rotas
    /// that cover the practice, which they read (`visible`).
    pub async fn rotas(&self, actor: &Actor) -> AppResult<Vec<RotaRow>> {
        let mut conn = self.store().conn().await?;
        let (practices, pcns) = match actor.role {
            domain::account::UserRole::PracticeManager => (vec![actor.org.clone()], Vec::new()),
            domain::account::UserRole::PcnManager => {
                let practices =
                    scope_practices(&mut conn, &RotaScope::Pcn(actor.org.clone())).await?;
                (practices, vec![actor.org.clone()])
            }
            _ => return Err(AppError::Forbidden),
        };
        let mut rows = store::rota::list_rotas_for_scopes(&mut conn, &practices, &pcns, 50).await?;
        if actor.role == domain::account::UserRole::PracticeManager {
            rows.extend(
                store::rota::decisions::pcn_rotas_covering(&mut conn, &actor.org, 50).await?,
            );
            visible::sort_newest_first(&mut rows);
        }
        Ok(rows)
    }

    /// The rota's status, and once solved its assignments and problems.
    pub async fn detail(&self, actor: &Actor, id: &str) -> AppResult<RotaDetail> {
        let mut conn = self.store().conn().await?;
        let row = self
            .rota_row(&mut conn, actor, id, Permission::Manage)
            .await?;
        detail_of(&mut conn, row).await
    }
}

/// A rota's status, and once solved its assignments and problems, for whoever was let read
/// it.
pub(crate) async fn detail_of(conn: &mut store::Conn, row: RotaRow) -> AppResult<RotaDetail> {
    Ok(detail_with_input(conn, row).await?.0)
}

/// `detail_of` with the inputs the rota was checked against.
pub(crate) async fn detail_with_input(
    conn: &mut store::Conn,
    row: RotaRow,
) -> AppResult<(RotaDetail, RotaInput)> {
    let period = period_of(&row)?;
    let (mut input, people) = load_input(conn, &RotaScope::of_row(&row), period).await?;
    let assignments = store::rota::list_assignments(conn, &row.id)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<AppResult<Vec<_>>>()?;
    input.locked = locked_days(conn, &row.id).await?;
    let problems = if matches!(row.status.as_str(), "done" | "cancelled") {
        check(&input, &assignments)
    } else {
        Vec::new()
    };
    let conflicts = plan::build(&input).conflicts;
    let stale_problems = stale::stale_problems(conn, &row.id, &problems).await?;
    let detail = RotaDetail {
        stale_problems,
        period,
        people,
        sites: input
            .sites
            .iter()
            .map(|s| RotaSite {
                id: s.id.clone(),
                name: s.name.clone(),
                practice_ods: s.practice_ods.clone(),
            })
            .collect(),
        rooms: input
            .rooms
            .iter()
            .map(|r| (r.id.clone(), r.name.clone()))
            .collect(),
        assignments,
        locked: input.locked.clone(),
        problems,
        conflicts,
        reader_practice: None,
        row,
    };
    Ok((detail, input))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A search with a minute's time limit that ends early when `stop` is set; `ended`
    /// says its thread has returned.
    fn search(
        stop: &Arc<AtomicBool>,
        ended: &Arc<AtomicBool>,
    ) -> tokio::task::JoinHandle<Duration> {
        let (stop, ended) = (stop.clone(), ended.clone());
        tokio::task::spawn_blocking(move || {
            let began = Instant::now();
            while !stop.load(Ordering::Relaxed) && began.elapsed() < Duration::from_secs(60) {
                std::thread::sleep(Duration::from_millis(1));
            }
            ended.store(true, Ordering::Relaxed);
            began.elapsed()
        })
    }

    /// Answers `Ok(false)` until beat `fail_at` (1-based), which fails; `Ok(stop)` when
    /// `fail_at` is 0.
    struct Scripted {
        beats: usize,
        fail_at: usize,
        stop: bool,
    }

    impl Heartbeat for Scripted {
        async fn beat(&mut self) -> AppResult<bool> {
            self.beats += 1;
            if self.fail_at == 0 {
                Ok(self.stop)
            } else if self.beats < self.fail_at {
                Ok(false)
            } else {
                Err(AppError::Internal("the database is gone".into()))
            }
        }
    }

    #[tokio::test]
    async fn a_failed_heartbeat_ends_the_search_before_it_reports_the_error() {
        let (stop, ended) = Default::default();
        let handle = search(&stop, &ended);
        let mut heartbeat = Scripted {
            beats: 0,
            fail_at: 3,
            stop: false,
        };
        let result = follow_solve(handle, &stop, &mut heartbeat).await;
        assert!(
            matches!(&result, Err(AppError::Internal(m)) if m == "the database is gone"),
            "{:?}",
            result.map(|r| r.1)
        );
        assert!(stop.load(Ordering::Relaxed), "the search was told to stop");
        assert!(
            ended.load(Ordering::Relaxed),
            "the search thread had ended when the error came back"
        );
        assert_eq!(heartbeat.beats, 3, "no heartbeat after the failed one");
    }

    #[tokio::test]
    async fn a_heartbeat_that_says_stop_stops_the_search_and_keeps_its_result() {
        let (stop, ended) = Default::default();
        let handle = search(&stop, &ended);
        let heartbeat = Scripted {
            beats: 0,
            fail_at: 0,
            stop: true,
        };
        let (ran, stopped) = follow_solve(handle, &stop, heartbeat).await.unwrap();
        assert!(stopped);
        assert!(ran < Duration::from_secs(30), "{ran:?}");
    }

    #[tokio::test]
    async fn a_search_that_ends_alone_is_not_stopped() {
        let handle = tokio::task::spawn_blocking(|| 7);
        let stop = AtomicBool::new(false);
        let heartbeat = Scripted {
            beats: 0,
            fail_at: 0,
            stop: false,
        };
        let (out, stopped) = follow_solve(handle, &stop, heartbeat).await.unwrap();
        assert_eq!((out, stopped), (7, false));
        assert!(!stop.load(Ordering::Relaxed));
    }
}
