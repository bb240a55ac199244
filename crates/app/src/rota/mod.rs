//! Rotas: the cover template and rota rules, generating a rota as a background job, reading
//! and editing it with every rule re-checked, publishing it and each person's calendar feed.
pub mod check;
pub mod cover;
pub mod mine;
pub mod pdf;
pub mod plan;
pub mod progress;
pub mod repair;
pub mod request;
pub mod requests;
pub mod session_requests;
pub mod setup;
pub mod stale;
pub mod swaps;
pub mod visible;

use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::{App, Change, audit, commit_with_audit, json};
pub use check::{RotaProblem, check};
use chrono::NaiveDate;
use domain::leave::LeaveStatus;
use domain::role::Role;
use domain::rota::{
    CoverNeed, CoverRequirement, DayPattern, RotaPeriod, RotaRules, RotaRulesForm, Session,
    SessionRequest, SessionTimes, parse_weekday,
};
use domain::{FieldError, FieldErrors};
pub use plan::{Assignment, RotaInput};
use plan::{PersonInput, RoomInput, SiteInput};
use session_requests::session_request_from_row;
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

fn to_row(a: &Assignment) -> AssignmentRow {
    AssignmentRow {
        staff_id: a.staff_id.clone(),
        day: a.date.to_string(),
        session: a.session.code().to_string(),
        site_id: a.site_id.clone(),
        room_id: a.room_id.clone(),
    }
}

fn from_row(r: AssignmentRow) -> AppResult<Assignment> {
    let corrupt = |what: &str| AppError::Internal(format!("stored rota {what} is not valid"));
    Ok(Assignment {
        date: NaiveDate::parse_from_str(&r.day, "%Y-%m-%d").map_err(|_| corrupt("day"))?,
        session: Session::parse(&r.session).map_err(|_| corrupt("session"))?,
        staff_id: r.staff_id,
        site_id: r.site_id,
        room_id: r.room_id,
    })
}

fn period_of(row: &RotaRow) -> AppResult<RotaPeriod> {
    let from = NaiveDate::parse_from_str(&row.starts_on, "%Y-%m-%d")
        .map_err(|_| AppError::Internal("stored rota start is not a date".into()))?;
    Ok(RotaPeriod {
        from,
        weeks: row.weeks as u32,
    })
}

/// The sessions of a site with their times: the defaults, changed by the site's own rows.
pub(crate) fn site_sessions(
    site_id: &str,
    rows: &[store::rota::SiteSessionRow],
) -> BTreeMap<Session, SessionTimes> {
    let mut sessions: BTreeMap<Session, SessionTimes> = Session::ALL
        .into_iter()
        .map(|s| (s, s.default_times()))
        .collect();
    for row in rows.iter().filter(|r| r.site_id == site_id) {
        let Ok(session) = Session::parse(&row.session) else {
            continue;
        };
        if !row.open {
            sessions.remove(&session);
        } else if let Ok(times) = SessionTimes::parse(&row.starts, &row.ends) {
            sessions.insert(session, times);
        }
    }
    sessions
}

pub fn rules_from_row(row: &store::rota::RulesRow) -> RotaRules {
    let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    RotaRulesForm {
        fixed_sessions: row.fixed_sessions.clone(),
        days_never: row.days_never.clone(),
        max_evenings_month: n(row.max_evenings_month),
        max_saturdays_month: n(row.max_saturdays_month),
        appointments_per_session: n(row.appointments_per_session),
        appointment_minutes: n(row.appointment_minutes),
    }
    .parse()
    .unwrap_or_default()
}

pub(crate) fn cover_from_row(row: &store::rota::CoverRow) -> Option<CoverRequirement> {
    Some(CoverRequirement {
        site_id: row.site_id.clone(),
        weekday: parse_weekday("weekday", &row.weekday.to_string()).ok()?,
        session: Session::parse(&row.session).ok()?,
        need: CoverNeed::parse(&row.need).ok()?,
        minimum: u32::try_from(row.minimum).ok()?,
        ideal: u32::try_from(row.ideal).ok()?,
    })
}

/// The practices of a scope.
async fn scope_practices(conn: &mut store::Conn, scope: &RotaScope) -> AppResult<Vec<String>> {
    Ok(match scope {
        RotaScope::Practice(ods) => vec![ods.clone()],
        RotaScope::Pcn(code) => {
            store::practices::list(conn, store::practices::PracticeScope::Pcn(code))
                .await?
                .into_iter()
                .map(|p| p.ods_code)
                .collect()
        }
    })
}

/// Loads everything a rota of `scope` over `period` is built from.
pub async fn load_input(
    conn: &mut store::Conn,
    scope: &RotaScope,
    period: RotaPeriod,
) -> AppResult<(RotaInput, Vec<RotaPerson>)> {
    let practices = scope_practices(conn, scope).await?;
    let site_records = store::sites::list_sites(conn, &practices).await?;
    let site_ids: Vec<String> = site_records.iter().map(|s| s.id.clone()).collect();
    let session_rows = store::rota::list_site_sessions(conn, &site_ids).await?;
    let mut sites: Vec<SiteInput> = site_records
        .iter()
        .map(|s| SiteInput {
            id: s.id.clone(),
            name: s.site.name.clone(),
            practice_ods: s.practice_ods.clone(),
            sessions: site_sessions(&s.id, &session_rows),
        })
        .collect();
    // Rooms taken by ad-hoc bookings (`app::estates`) are not the rota's in those sessions.
    let mut booked: BTreeMap<String, Vec<(NaiveDate, Session)>> = BTreeMap::new();
    for b in store::estates::list_bookings(
        conn,
        &site_ids,
        &period.from.to_string(),
        &period.last_day().to_string(),
    )
    .await?
    {
        if let (Ok(day), Ok(session)) = (
            NaiveDate::parse_from_str(&b.day, "%Y-%m-%d"),
            Session::parse(&b.session),
        ) {
            booked.entry(b.room_id).or_default().push((day, session));
        }
    }
    let rooms = store::sites::list_rooms(conn, &site_ids)
        .await?
        .into_iter()
        .map(|r| RoomInput {
            booked: booked.remove(&r.id).unwrap_or_default(),
            id: r.id,
            site_id: r.site_id,
            name: r.room.name,
            capabilities: r.room.capabilities,
        })
        .collect();
    let staff_scope = match scope {
        RotaScope::Practice(ods) => store::staff::StaffScope::WorksAt(ods),
        RotaScope::Pcn(code) => store::staff::StaffScope::Pcn(code),
    };
    // The people employed on some day of the period, and anyone a published rota of the
    // scope still books then (a leaver whose end date came after publishing), so the check
    // flags each of their sessions outside their employment.
    let during = store::staff::StaffFilter::employed_during(period.from, period.last_day());
    let mut staff = store::staff::list(conn, staff_scope, &during).await?;
    for id in store::leavers::booked_in_published(
        conn,
        scope.kind(),
        scope.code(),
        period.from,
        period.last_day(),
    )
    .await?
    {
        if !staff.iter().any(|s| s.id == id)
            && let Some(person) = store::staff::get(conn, &id).await?
        {
            staff.push(person);
        }
    }
    let ids: Vec<String> = staff.iter().map(|s| s.id.clone()).collect();
    let rules: BTreeMap<String, RotaRules> = store::rota::list_rules(conn, &ids)
        .await?
        .iter()
        .map(|r| (r.staff_id.clone(), rules_from_row(r)))
        .collect();
    let leave_scope = match scope {
        RotaScope::Practice(ods) => store::leave::LeaveScope::WorksAt(ods),
        RotaScope::Pcn(code) => store::leave::LeaveScope::Pcn(code),
    };
    let (from, to) = (period.from.to_string(), period.last_day().to_string());
    let leave = store::leave::list(conn, leave_scope, Some((&from, &to))).await?;
    let mut coaching: BTreeMap<String, Vec<plan::Coaching>> = BTreeMap::new();
    for c in store::development::booked_coaching(conn, &ids, &from, &to).await? {
        coaching
            .entry(c.staff_id)
            .or_default()
            .push(plan::Coaching {
                date: c.date,
                starts: c.start_time,
                ends: c.start_time + chrono::Duration::minutes(i64::from(c.minutes)),
                programme: c.programme,
            });
    }
    let mut session_requests: BTreeMap<String, Vec<SessionRequest>> = BTreeMap::new();
    for r in store::rota::list_session_requests(conn, &ids, &from, &to).await? {
        if let Some(request) = session_request_from_row(&r) {
            session_requests
                .entry(r.staff_id)
                .or_default()
                .push(request);
        }
    }
    // Sessions these people work in published rotas at practices outside the scope: this
    // rota cannot have them then (a rota of the scope replaces the scope's own sessions).
    // Safe working counts them too, so the days around the period are read as well: the
    // day before and after for rest, a run's length for days in a row.
    let margin = chrono::Days::new(u64::from(plan::MAX_DAYS_IN_A_ROW));
    let (around_from, around_to) = (
        (period.from - margin).to_string(),
        (period.last_day() + margin).to_string(),
    );
    let mut elsewhere: BTreeMap<String, Vec<plan::BookedElsewhere>> = BTreeMap::new();
    for b in
        store::rota::published_sessions(conn, &ids, &around_from, &around_to, &practices).await?
    {
        let (Ok(date), Ok(session)) = (
            NaiveDate::parse_from_str(&b.day, "%Y-%m-%d"),
            Session::parse(&b.session),
        ) else {
            continue;
        };
        elsewhere
            .entry(b.staff_id)
            .or_default()
            .push(plan::BookedElsewhere {
                date,
                session,
                site_name: b.site_name,
                times: SessionTimes::parse(&b.starts, &b.ends).unwrap_or(session.default_times()),
            });
    }
    let mut people = Vec::new();
    let mut shown = Vec::new();
    for s in &staff {
        let works_at: Vec<String> = s
            .draft
            .practices
            .iter()
            .map(|p| p.as_str().to_string())
            .filter(|p| practices.contains(p))
            .collect();
        let mut person_sites: Vec<String> = site_records
            .iter()
            .filter(|site| s.site_ids.contains(&site.id))
            .map(|site| site.id.clone())
            .collect();
        if person_sites.is_empty() {
            person_sites = site_records
                .iter()
                .filter(|site| works_at.contains(&site.practice_ods))
                .map(|site| site.id.clone())
                .collect();
        }
        let leave_of = |status: LeaveStatus| {
            leave
                .iter()
                .filter(|l| l.staff_id == s.id && l.status == status)
                .map(|l| {
                    (
                        l.leave.start_date,
                        l.leave.end_date,
                        l.leave.kind.label().to_string(),
                    )
                })
                .collect::<Vec<_>>()
        };
        shown.push(RotaPerson {
            id: s.id.clone(),
            name: s.draft.name.clone(),
            role: s.draft.role,
            practices: works_at,
            site_ids: person_sites.clone(),
        });
        people.push(PersonInput {
            id: s.id.clone(),
            name: s.draft.name.clone(),
            role: s.draft.role,
            skills: s.draft.skills.clone(),
            sessions_per_week: s.draft.sessions_per_week,
            share: s
                .draft
                .share_of(|p| practices.iter().any(|x| x == p.as_str())),
            elsewhere: elsewhere.remove(&s.id).unwrap_or_default(),
            site_ids: person_sites,
            rules: rules.get(&s.id).cloned().unwrap_or_default(),
            approved_leave: leave_of(LeaveStatus::Approved),
            requested_leave: leave_of(LeaveStatus::Requested),
            session_requests: session_requests.remove(&s.id).unwrap_or_default(),
            coaching: coaching.remove(&s.id).unwrap_or_default(),
            employed: (s.draft.start_date, s.draft.end_date),
        });
    }
    let cover: Vec<CoverRequirement> = store::rota::list_cover(conn, &site_ids)
        .await?
        .iter()
        .filter_map(cover_from_row)
        .collect();
    // Enhanced access (evenings, Saturdays) runs at the sites that ask for cover then or
    // were opened then by hand; elsewhere those sessions are closed.
    for site in &mut sites {
        for session in [Session::Evening, Session::Saturday] {
            let opened = session_rows
                .iter()
                .any(|r| r.site_id == site.id && r.open && r.session == session.code());
            let covered = cover
                .iter()
                .any(|c| c.site_id == site.id && c.session == session);
            if !opened && !covered {
                site.sessions.remove(&session);
            }
        }
    }
    Ok((
        RotaInput {
            period,
            sites,
            rooms,
            people,
            cover,
            locked: Vec::new(),
            current: Vec::new(),
        },
        shown,
    ))
}

/// What a solve produced: the assignments, their problems and the optimiser's score.
pub struct Solved {
    pub assignments: Vec<Assignment>,
    pub problems: Vec<RotaProblem>,
    pub conflicts: Vec<String>,
    pub soft_penalty: u64,
    pub hard_units: u64,
    pub steps: u64,
    pub time_to_best: Duration,
}

/// Solves a rota input (blocking; run it off the async runtime).
pub fn solve_input(
    input: &RotaInput,
    time_limit: Duration,
    threads: usize,
    seed: u64,
    stop: Option<Arc<AtomicBool>>,
    on_progress: &(dyn Fn(&rota::Progress) + Sync),
) -> Solved {
    let model = plan::build(input);
    let options = rota::Options {
        seed,
        time_limit: Some(time_limit),
        threads: threads.max(1),
        stop,
        balanced_cross_swaps: true,
        repair_rows: true,
        ..rota::Options::default()
    };
    let outcome = rota::solve(&model.problem, &options, on_progress);
    let assignments = model.decode(input, &outcome.roster);
    let problems = check(input, &assignments);
    Solved {
        assignments,
        problems,
        conflicts: model.conflicts,
        soft_penalty: outcome.evaluation.objective,
        hard_units: outcome.evaluation.hard_units(),
        steps: outcome.steps,
        time_to_best: outcome.time_to_best,
    }
}

/// The optimiser's soft penalty of a set of assignments (after an edit).
fn soft_penalty(input: &RotaInput, assignments: &[Assignment]) -> u64 {
    optimiser_score(input, assignments).1
}

/// How the optimiser's own evaluator scores a set of assignments: its hard units and its
/// penalty. The plain-words checks and this are written apart; tests hold them to agree.
pub fn optimiser_score(input: &RotaInput, assignments: &[Assignment]) -> (u64, u64) {
    let model = plan::build(input);
    let roster = model.encode(input, assignments);
    let evaluation = rota::evaluate(&model.problem, &roster);
    (evaluation.hard_units(), evaluation.objective)
}

fn hard_count(problems: &[RotaProblem]) -> i64 {
    problems.iter().filter(|p| p.hard).count() as i64
}

impl App {
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
            rows.extend(store::rota_requests::pcn_rotas_covering(&mut conn, &actor.org, 50).await?);
            visible::sort_newest_first(&mut rows);
        }
        Ok(rows)
    }

    /// The rota's status, and once solved its assignments and problems.
    pub async fn rota(&self, actor: &Actor, id: &str) -> AppResult<RotaDetail> {
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

impl App {
    /// The rota as a PDF: one site (`site`, an id) or every site, one week (`week`, 1-based)
    /// or every week, each site's week on a page of its own. Blank means all.
    pub async fn rota_pdf(
        &self,
        actor: &Actor,
        id: &str,
        site: &str,
        week: &str,
    ) -> AppResult<RotaPdf> {
        let detail = self.rota_to_read(actor, id).await?;
        if !matches!(detail.row.status.as_str(), "done" | "cancelled") {
            return Err(AppError::Conflict(
                "The rota has no result to print yet: wait for the solve to end".into(),
            ));
        }
        let mut errors = FieldErrors::default();
        let site = site.trim();
        let chosen_site = if site.is_empty() {
            None
        } else {
            let found = detail.sites.iter().find(|s| s.id == site);
            if found.is_none() {
                errors.push(FieldError::new("site", "Choose a site of this rota"));
            }
            found
        };
        let week = week.trim();
        let weeks = detail.period.weeks;
        let chosen_week = if week.is_empty() {
            None
        } else {
            match week.parse::<u32>() {
                Ok(w) if (1..=weeks).contains(&w) => Some(w),
                _ => {
                    errors.push(FieldError::new(
                        "week",
                        format!("Enter a week of this rota, from 1 to {weeks}"),
                    ));
                    None
                }
            }
        };
        errors.into_result()?;
        let sites: Vec<&RotaSite> = match chosen_site {
            Some(s) => vec![s],
            None => detail.sites.iter().collect(),
        };
        let week_list: Vec<u32> = match chosen_week {
            Some(w) => vec![w],
            None => (1..=weeks).collect(),
        };
        let bytes = pdf::render(&detail, &sites, &week_list, self.today())
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(RotaPdf {
            file_name: pdf::file_name(&detail, chosen_site, chosen_week),
            bytes,
        })
    }

    /// Asks a queued or running solve to stop; a running one keeps its best rota.
    pub async fn cancel_rota(&self, actor: &Actor, id: &str) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let row = self
            .rota_row(&mut tx, actor, id, Permission::Manage)
            .await?;
        if !matches!(row.status.as_str(), "queued" | "running") {
            return Err(AppError::Conflict(format!(
                "Only a rota waiting or being solved can be stopped; this one is {}",
                row.status
            )));
        }
        store::rota::request_cancel(&mut tx, id).await?;
        let change = Change {
            action: "cancelled",
            entity: "rota",
            entity_id: id,
            tenant: &row.scope_code,
            before: Some(row.status.clone()),
            after: None,
        };
        commit_with_audit(tx, Some(actor), change, &self.now()).await
    }

    /// Publishes a solved rota: staff see it and their calendar feeds carry it. Refused
    /// (`stale_rota`) when the manager saw another `version`; then the rota is checked again
    /// against the inputs as they are now (other practices may have published rotas that
    /// clash with it since it was solved), and while it breaks a hard rule it is not
    /// published unless the manager overrides, which is audited as `overrode` with the
    /// problems it was published with.
    pub async fn publish_rota(
        &self,
        actor: &Actor,
        id: &str,
        request: &PublishRequest,
    ) -> AppResult<PublishOutcome> {
        self.authorize_rota(actor, id, Permission::Manage).await?;
        let mut tx = self.store().begin().await?;
        // The transaction's first write, before it reads the rota (see `bump_version`), so
        // an edit racing the publication waits for it or is refused, and the check below
        // judges the assignments that are published.
        let current = match request.version {
            Some(seen) => store::rota::bump_version(&mut tx, id, seen).await?,
            None => store::rota::bump_version_unchecked(&mut tx, id).await?,
        };
        let row = self
            .rota_row(&mut tx, actor, id, Permission::Manage)
            .await?;
        if !matches!(row.status.as_str(), "done" | "cancelled") {
            return Err(AppError::Conflict(
                "Only a finished rota can be published: wait for the solve to end".into(),
            ));
        }
        if row.started_at.is_none() {
            return Err(AppError::Conflict(
                "This rota was stopped before it was solved, so it has nothing to publish".into(),
            ));
        }
        if !current {
            return Err(stale_rota());
        }
        let period = period_of(&row)?;
        let (mut input, _) = load_input(&mut tx, &RotaScope::of_row(&row), period).await?;
        input.locked = locked_days(&mut tx, id).await?;
        let assignments: Vec<Assignment> = store::rota::list_assignments(&mut tx, id)
            .await?
            .into_iter()
            .map(from_row)
            .collect::<AppResult<_>>()?;
        let problems = check(&input, &assignments);
        let hard_problems: Vec<RotaProblem> = problems.iter().filter(|p| p.hard).cloned().collect();
        if !hard_problems.is_empty() && !request.override_rules {
            // Nothing is written: the version moved above goes back with the transaction.
            return Ok(PublishOutcome {
                published: false,
                hard_problems,
            });
        }
        let problems_json = serde_json::to_string(&problems).unwrap_or_default();
        store::rota::set_scores(
            &mut tx,
            id,
            hard_count(&problems),
            soft_penalty(&input, &assignments) as i64,
            &problems_json,
        )
        .await?;
        let now = self.now();
        store::rota::publish(&mut tx, id, &actor.user_id, &now).await?;
        store::rota_stale::clear(&mut tx, id).await?;
        self.notify_published(&mut tx, &row, &assignments).await?;
        let change = Change {
            action: if hard_problems.is_empty() {
                "published"
            } else {
                "overrode"
            },
            entity: "rota",
            entity_id: id,
            tenant: &row.scope_code,
            before: None,
            after: json(&serde_json::json!({
                "published": true,
                "hard_violations": hard_problems.len(),
                "overridden": hard_problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>(),
            })),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        self.email_nudge();
        Ok(PublishOutcome {
            published: true,
            hard_problems,
        })
    }

    /// Changes one person's day, re-checks every rule at once, and refuses an edit that
    /// brings a new hard problem unless the manager overrides it (audited as an override).
    pub async fn edit_rota_day(
        &self,
        actor: &Actor,
        id: &str,
        edit: &DayEdit,
    ) -> AppResult<EditOutcome> {
        let mut errors = FieldErrors::default();
        let date = errors.take(domain::error::parse_date("date", &edit.date));
        let pattern = errors.take(parse_pattern(&edit.pattern));
        errors.into_result()?;
        let (date, pattern) = (date.expect("checked"), pattern.expect("checked"));
        self.authorize_rota(actor, id, Permission::Manage).await?;
        let mut tx = self.store().begin().await?;
        // The transaction's first write, before it reads the rota (`bump_version`): an edit
        // racing this one waits, then finds the version moved.
        let current = store::rota::bump_version(&mut tx, id, edit.version).await?;
        let row = self
            .rota_row(&mut tx, actor, id, Permission::Manage)
            .await?;
        if !matches!(row.status.as_str(), "done" | "cancelled") {
            return Err(AppError::Conflict("The rota is still being solved".into()));
        }
        if !current {
            return Err(stale_rota());
        }
        let period = period_of(&row)?;
        if !period.days().any(|d| d == date) {
            return Err(FieldErrors::from(FieldError::new(
                "date",
                format!("{date} is not in this rota"),
            ))
            .into());
        }
        let (mut input, _) = load_input(&mut tx, &RotaScope::of_row(&row), period).await?;
        if !input.people.iter().any(|p| p.id == edit.staff_id) {
            return Err(FieldErrors::from(FieldError::new(
                "staff_id",
                "Choose a person on this rota",
            ))
            .into());
        }
        input.locked = locked_days(&mut tx, id).await?;
        let before: Vec<Assignment> = store::rota::list_assignments(&mut tx, id)
            .await?
            .into_iter()
            .map(from_row)
            .collect::<AppResult<_>>()?;
        let old_day: Vec<Assignment> = before
            .iter()
            .filter(|a| a.staff_id == edit.staff_id && a.date == date)
            .cloned()
            .collect();
        let mut new_day = Vec::new();
        if let Some(pattern) = pattern {
            if !input.sites.iter().any(|s| s.id == edit.site_id) {
                return Err(FieldErrors::from(FieldError::new(
                    "site_id",
                    "Choose a site of this rota",
                ))
                .into());
            }
            for &session in pattern.sessions() {
                let kept_room = old_day
                    .iter()
                    .find(|a| a.session == session && a.site_id == edit.site_id)
                    .and_then(|a| a.room_id.clone());
                new_day.push(Assignment {
                    staff_id: edit.staff_id.clone(),
                    date,
                    session,
                    site_id: edit.site_id.clone(),
                    room_id: kept_room,
                });
            }
        }
        let mut after: Vec<Assignment> = before
            .iter()
            .filter(|a| !(a.staff_id == edit.staff_id && a.date == date))
            .cloned()
            .chain(new_day)
            .collect();
        plan::assign_rooms(&input, &mut after);
        let problems_before = check(&input, &before);
        let problems_after = check(&input, &after);
        // A day outside the person's employment cannot be booked, even by an override, nor
        // kept booked by an edit of that day (a leaver's day can only be made "off").
        let outside_employment = |p: &RotaProblem| {
            p.rule == check::EMPLOYMENT
                && p.date == Some(date)
                && p.staff_ids.iter().any(|s| s == &edit.staff_id)
        };
        let new_problems = cover::new_hard_problems(
            &input,
            (&before, &problems_before),
            (&after, &problems_after),
            &edit.staff_id,
            date,
        );
        let outside = new_problems.iter().any(outside_employment);
        if !new_problems.is_empty() && (!edit.override_rules || outside) {
            return Ok(EditOutcome {
                saved: false,
                new_problems,
            });
        }
        let rows: Vec<AssignmentRow> = after
            .iter()
            .filter(|a| a.staff_id == edit.staff_id && a.date == date)
            .map(to_row)
            .collect();
        store::rota::set_staff_day(&mut tx, id, &edit.staff_id, &date.to_string(), &rows).await?;
        // Rooms given out again elsewhere on that day and session are kept as they were.
        store::rota::set_lock(&mut tx, id, &edit.staff_id, &date.to_string(), edit.lock).await?;
        stale::refresh(&mut tx, id, &problems_after).await?;
        let soft = soft_penalty(&input, &after);
        let problems_json = serde_json::to_string(&problems_after).unwrap_or_default();
        store::rota::set_scores(
            &mut tx,
            id,
            hard_count(&problems_after),
            soft as i64,
            &problems_json,
        )
        .await?;
        let now = self.now();
        let change = Change {
            action: if new_problems.is_empty() {
                "edited"
            } else {
                "overrode"
            },
            entity: "rota_day",
            entity_id: id,
            tenant: &row.scope_code,
            before: json(&old_day),
            after: json(&serde_json::json!({
                "staff_id": edit.staff_id, "date": date, "pattern": edit.pattern, "site_id": edit.site_id,
                "locked": edit.lock,
                "overridden": new_problems.iter().map(|p| p.message.clone()).collect::<Vec<_>>(),
            })),
        };
        if row.published_at.is_some() && old_day.iter().map(to_row).ne(rows.iter().cloned()) {
            let notice = crate::notifications::Notice::new(
                crate::notifications::Kind::Rota,
                format!(
                    "Your sessions on {} in the published rota were changed by {}.",
                    crate::long_date(date),
                    actor.name
                ),
                "/me/rota",
            );
            self.notify_staff(&mut tx, &edit.staff_id, &notice).await?;
        }
        commit_with_audit(tx, Some(actor), change, &now).await?;
        self.email_nudge();
        Ok(EditOutcome {
            saved: true,
            new_problems,
        })
    }

    /// Queues the rota to be solved again, keeping its locked days; refused when the rota
    /// is no longer at `version`, the one the manager saw.
    pub async fn resolve_rota(&self, actor: &Actor, id: &str, version: i64) -> AppResult<()> {
        self.authorize_rota(actor, id, Permission::Manage).await?;
        let mut tx = self.store().begin().await?;
        let current = store::rota::bump_version(&mut tx, id, version).await?;
        let row = self
            .rota_row(&mut tx, actor, id, Permission::Manage)
            .await?;
        if !matches!(row.status.as_str(), "done" | "cancelled" | "failed") {
            return Err(AppError::Conflict(
                "The rota is already being solved".into(),
            ));
        }
        if row.published_at.is_some() {
            // Staff calendars carry a published rota: a new solve must not reach them unseen.
            return Err(AppError::Conflict(
                "This rota is published, so it is not solved again: change its days by hand, or make a new rota for the period".into(),
            ));
        }
        if !current {
            return Err(stale_rota());
        }
        store::rota::requeue(&mut tx, id).await?;
        let change = Change {
            action: "requeued",
            entity: "rota",
            entity_id: id,
            tenant: &row.scope_code,
            before: Some(row.status.clone()),
            after: None,
        };
        commit_with_audit(tx, Some(actor), change, &self.now()).await
    }

    /// Claims the next queued rota (or one whose worker died) and solves it, writing its
    /// progress as it goes. Returns the rota's id, or `None` when nothing was waiting.
    pub async fn run_next_rota_job(
        &self,
        worker: &str,
        threads: usize,
    ) -> AppResult<Option<String>> {
        self.run_next_rota_job_with_lease(worker, threads, STALE_AFTER)
            .await
    }

    /// `run_next_rota_job` where a running job whose last heartbeat is older than `lease`
    /// counts as abandoned (its worker died) and is taken over. Heartbeats come every
    /// 0.3 s, so any lease of a few seconds or more is safe.
    pub async fn run_next_rota_job_with_lease(
        &self,
        worker: &str,
        threads: usize,
        lease: Duration,
    ) -> AppResult<Option<String>> {
        let now = chrono::Utc::now();
        let lease = chrono::Duration::from_std(lease)
            .map_err(|_| AppError::Internal("the rota lease is too long".into()))?;
        let stale = store::timestamp(now - lease);
        let mut conn = self.store().conn().await?;
        let Some(row) =
            store::rota::claim_next(&mut conn, worker, &store::timestamp(now), &stale).await?
        else {
            return Ok(None);
        };
        let id = row.id.clone();
        let result = self.solve_claimed(&mut conn, worker, &row, threads).await;
        if let Err(error) = &result {
            tracing::warn!(rota = %id, "rota job failed: {error}");
            store::rota::finish(
                &mut conn,
                &id,
                worker,
                "failed",
                None,
                None,
                None,
                Some(&error.to_string()),
                &self.now(),
            )
            .await?;
        }
        Ok(Some(id))
    }

    async fn solve_claimed(
        &self,
        conn: &mut store::Conn,
        worker: &str,
        row: &RotaRow,
        threads: usize,
    ) -> AppResult<()> {
        let period = period_of(row)?;
        let (mut input, _) = load_input(conn, &RotaScope::of_row(row), period).await?;
        input.locked = locked_days(conn, &row.id).await?;
        input.current = store::rota::list_assignments(conn, &row.id)
            .await?
            .into_iter()
            .map(from_row)
            .collect::<AppResult<_>>()?;
        let limit = Duration::from_secs(row.time_limit_seconds.max(1) as u64);
        let stop = Arc::new(AtomicBool::new(false));
        store::rota_progress::clear(conn, &row.id).await?;
        let best = Arc::new(progress::Watch::new(&input));
        let handle = {
            let (input, stop, best) = (input.clone(), stop.clone(), best.clone());
            tokio::task::spawn_blocking(move || {
                solve_input(
                    &input,
                    limit,
                    threads,
                    1,
                    Some(stop),
                    &|p: &rota::Progress| best.record(p),
                )
            })
        };
        let heartbeat = StoreHeartbeat {
            app: self,
            conn,
            id: &row.id,
            worker,
            started: Instant::now(),
            limit,
            best: &best,
        };
        let (solved, cancelled) = follow_solve(handle, &stop, heartbeat).await?;
        let mut tx = self.store().begin().await?;
        let rows: Vec<AssignmentRow> = solved.assignments.iter().map(to_row).collect();
        store::rota::replace_assignments(&mut tx, &row.id, &rows).await?;
        let problems_json = serde_json::to_string(&solved.problems).unwrap_or_default();
        let status = if cancelled { "cancelled" } else { "done" };
        let applied = store::rota::finish(
            &mut tx,
            &row.id,
            worker,
            status,
            Some(hard_count(&solved.problems)),
            Some(solved.soft_penalty as i64),
            Some(&problems_json),
            None,
            &self.now(),
        )
        .await?;
        if !applied {
            // Another worker took the job over; its result stands.
            return Ok(());
        }
        audit(
            &mut tx,
            None,
            Change {
                action: "solved",
                entity: "rota",
                entity_id: &row.id,
                tenant: &row.scope_code,
                before: None,
                after: json(&serde_json::json!({
                    "status": status,
                    "hard_violations": hard_count(&solved.problems),
                    "soft_penalty": solved.soft_penalty,
                    "worker": worker,
                })),
            },
            &self.now(),
        )
        .await?;
        tx.commit().await.map_err(store::StoreError::from)?;
        Ok(())
    }
}

/// Saves a running solve's progress and says whether to stop it.
trait Heartbeat {
    async fn beat(&mut self) -> AppResult<bool>;
}

impl<H: Heartbeat> Heartbeat for &mut H {
    async fn beat(&mut self) -> AppResult<bool> {
        (**self).beat().await
    }
}

/// The worker's heartbeat: the share of the time used and the best scores so far, written
/// to the rota's row (`store::rota::heartbeat`).
struct StoreHeartbeat<'a> {
    app: &'a App,
    conn: &'a mut store::Conn,
    id: &'a str,
    worker: &'a str,
    started: Instant,
    limit: Duration,
    best: &'a progress::Watch,
}

impl Heartbeat for StoreHeartbeat<'_> {
    async fn beat(&mut self) -> AppResult<bool> {
        let fraction = (self.started.elapsed().as_secs_f64() / self.limit.as_secs_f64()).min(0.99);
        let scores = self.best.scores();
        let failed = |error: store::StoreError| {
            AppError::Internal(format!(
                "the solve stopped: its progress could not be saved ({error})"
            ))
        };
        let stop = store::rota::heartbeat(
            self.conn,
            self.id,
            self.worker,
            &self.app.now(),
            fraction,
            scores.map(|s| s.0 as i64),
            scores.map(|s| s.1 as i64),
        )
        .await
        .map_err(failed)?;
        if let Some(seen) = self.best.explain() {
            let row = store::rota_progress::ProgressRow {
                rota_id: self.id.to_string(),
                hard_problems: i64::from(seen.hard_problems),
                below_minimum: i64::from(seen.gaps.below_minimum),
                below_ideal: i64::from(seen.gaps.below_ideal),
                updated_at: self.app.now(),
            };
            store::rota_progress::save(self.conn, &row)
                .await
                .map_err(failed)?;
        }
        Ok(stop)
    }
}

/// Follows a search running on a blocking thread until it ends: every 0.3 s sends a
/// heartbeat (which saves progress and says whether to stop: a manager's cancel, or the
/// job taken over) and sets `stop` when told to. Returns the search's result and whether it
/// was stopped so.
///
/// A heartbeat that fails also sets `stop`: without heartbeats the job stops being this
/// worker's after `STALE_AFTER`, so the search ends now rather than at its time limit; the
/// error is returned once the search thread has ended, for the caller to mark the job
/// failed (if even that cannot be written, the job's old heartbeat lets another worker take
/// it over).
async fn follow_solve<T>(
    handle: tokio::task::JoinHandle<T>,
    stop: &AtomicBool,
    mut heartbeat: impl Heartbeat,
) -> AppResult<(T, bool)> {
    let mut stopped = false;
    while !handle.is_finished() {
        tokio::time::sleep(Duration::from_millis(300)).await;
        match heartbeat.beat().await {
            Ok(true) if !stopped => {
                stopped = true;
                stop.store(true, Ordering::Relaxed);
            }
            Ok(_) => {}
            Err(error) => {
                stop.store(true, Ordering::Relaxed);
                let _ = handle.await;
                return Err(error);
            }
        }
    }
    let out = handle
        .await
        .map_err(|e| AppError::Internal(format!("the solve stopped: {e}")))?;
    Ok((out, stopped))
}

async fn locked_days(conn: &mut store::Conn, id: &str) -> AppResult<Vec<(String, NaiveDate)>> {
    Ok(store::rota::list_locks(conn, id)
        .await?
        .into_iter()
        .filter_map(|(staff, day)| {
            NaiveDate::parse_from_str(&day, "%Y-%m-%d")
                .ok()
                .map(|d| (staff, d))
        })
        .collect())
}

/// What the command line reports of a solve.
pub struct CliSolve {
    pub id: String,
    pub row: RotaRow,
    pub problems: Vec<RotaProblem>,
    pub conflicts: Vec<String>,
    pub people: usize,
    pub assignments: usize,
}

impl App {
    /// Solves a rota from the command line, run by whoever holds the database: the rota is
    /// stored (unpublished) and audited like one asked for on the web, then solved here.
    pub async fn solve_rota_now(
        &self,
        scope: RotaScope,
        period: RotaPeriod,
        time_limit_seconds: u32,
        threads: usize,
    ) -> AppResult<CliSolve> {
        let mut tx = self.store().begin().await?;
        let known = match &scope {
            RotaScope::Pcn(code) => store::practices::get_pcn(&mut tx, code).await?.is_some(),
            RotaScope::Practice(ods) => store::practices::get(&mut tx, ods).await?.is_some(),
        };
        if !known {
            return Err(AppError::NotFound);
        }
        let id = store::new_id();
        let now = self.now();
        store::rota::insert_rota(
            &mut tx,
            &NewRota {
                id: id.clone(),
                scope_kind: scope.kind().to_string(),
                scope_code: scope.code().to_string(),
                starts_on: period.from.to_string(),
                weeks: i64::from(period.weeks),
                time_limit_seconds: i64::from(time_limit_seconds.clamp(1, MAX_TIME_LIMIT)),
                created_by: None,
                created_at: now.clone(),
            },
        )
        .await?;
        let change = Change {
            action: "requested",
            entity: "rota",
            entity_id: &id,
            tenant: scope.code(),
            before: None,
            after: json(&serde_json::json!({ "from": period.from, "weeks": period.weeks })),
        };
        commit_with_audit(tx, None, change, &now).await?;
        let worker = format!("cli-{}", std::process::id());
        let mut conn = self.store().conn().await?;
        // A server's worker may have taken the new rota first: leave it to that worker.
        let stale = store::timestamp(
            chrono::Utc::now() - chrono::Duration::from_std(STALE_AFTER).expect("short"),
        );
        let row = store::rota::claim(&mut conn, &id, &worker, &self.now(), &stale)
            .await?
            .ok_or_else(|| {
                AppError::Conflict(format!(
                    "A server's worker is already solving rota {id}: follow it on the web"
                ))
            })?;
        if let Err(error) = self.solve_claimed(&mut conn, &worker, &row, threads).await {
            store::rota::finish(
                &mut conn,
                &id,
                &worker,
                "failed",
                None,
                None,
                None,
                Some(&error.to_string()),
                &self.now(),
            )
            .await?;
            return Err(error);
        }
        let row = store::rota::get_rota(&mut conn, &id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (input, people) = load_input(&mut conn, &scope, period).await?;
        let assignments: Vec<Assignment> = store::rota::list_assignments(&mut conn, &id)
            .await?
            .into_iter()
            .map(from_row)
            .collect::<AppResult<_>>()?;
        Ok(CliSolve {
            problems: check(&input, &assignments),
            conflicts: plan::build(&input).conflicts,
            people: people.len(),
            assignments: assignments.len(),
            id,
            row,
        })
    }
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
