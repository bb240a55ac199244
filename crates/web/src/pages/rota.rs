//! Rotas: the list and the form that asks for one, a rota's page (progress while it is
//! solved; then its problems and the grid by week), a day's edit form, and the printable
//! page and PDF download per site and week.
use super::{FormView, long_date, page_ctx};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use app::AppError;
use app::rota::{DayEdit, PublishRequest, RotaDetail, RotaProblem, RotaScope, pattern_code};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use domain::FieldErrors;
use domain::account::UserRole;
use domain::role::StaffGroup;
use domain::rota::{DayPattern, RotaPeriod, Session};
use std::collections::BTreeMap;

mod day;
mod list;
mod print;

pub(crate) use day::*;
pub(crate) use list::*;
pub(crate) use print::*;

pub(super) mod cover;
pub(super) mod mine;
pub(super) mod requests;
pub(super) mod session_requests;
pub(super) mod setup;
pub(super) mod stale;

pub(crate) struct DayHead {
    pub label: String,
}

pub(crate) struct Cell {
    pub text: String,
    pub room: String,
    pub locked: bool,
    pub problem: bool,
    pub edit_href: String,
}

pub(crate) struct GridRow {
    pub name: String,
    pub role: String,
    pub cells: Vec<Cell>,
}

pub(crate) struct ProblemView {
    pub message: String,
    pub href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "rota.html")]
pub(crate) struct RotaPage {
    ctx: PageCtx,
    id: String,
    /// The rota's version the page shows, carried by the forms that change it.
    version: i64,
    scope: String,
    period: String,
    status: String,
    status_code: String,
    running: bool,
    finished: bool,
    progress_percent: u32,
    /// The solve in words while it waits or runs.
    progress: app::rota::progress::SolveProgress,
    hard: i64,
    /// "1 hard rule broken", "3 hard rules broken"; the words alone.
    hard_title: String,
    hard_noun: &'static str,
    published: String,
    error: String,
    conflicts: Vec<String>,
    hard_problems: Vec<ProblemView>,
    /// The cover view of the week shown and the gaps list.
    cover: cover::CoverSection,
    weeks: Vec<Choice>,
    practices: Vec<Choice>,
    sites: Vec<Choice>,
    groups: Vec<Choice>,
    days: Vec<DayHead>,
    rows: Vec<GridRow>,
    locked_count: usize,
    swaps: Vec<SwapLine>,
    /// A practice manager reading a PCN rota: no changes, and what they see is narrowed.
    read_only: bool,
    /// "Riverside Surgery's people and sites" when narrowed to a practice.
    narrowed_to: String,
    done: String,
    /// The week shown, and its PDF per site and for every site.
    week_label: String,
    week_pdfs: Vec<Choice>,
    pdf_href: String,
    /// Publishing was refused: the hard rules the rota breaks.
    publish_refused: Vec<String>,
    /// Publishing was refused for another reason (the rota changed since).
    publish_error: String,
    /// Changed since publishing: the problems still true (`rota_stale_mark.html`).
    stale: Vec<String>,
}

pub(crate) struct SwapLine {
    pub text: String,
    pub note: String,
    pub status: String,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct GridFilter {
    #[serde(default)]
    week: String,
    #[serde(default)]
    practice: String,
    #[serde(default)]
    site: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    done: String,
}

/// The text of one person's day: "AM + PM, Riverside Surgery".
fn day_text(detail: &RotaDetail, held: &[&app::rota::Assignment]) -> (String, String) {
    let Some(first) = held.first() else {
        return (String::new(), String::new());
    };
    let sessions: Vec<Session> = held.iter().map(|a| a.session).collect();
    let label = DayPattern::of(&sessions).map_or_else(
        || {
            sessions
                .iter()
                .map(|s| s.label())
                .collect::<Vec<_>>()
                .join(" + ")
        },
        |p| p.label().to_string(),
    );
    let site = detail
        .sites
        .iter()
        .find(|s| s.id == first.site_id)
        .map_or("", |s| s.name.as_str());
    let mut rooms: Vec<&str> = held
        .iter()
        .filter_map(|a| a.room_id.as_deref())
        .filter_map(|r| {
            detail
                .rooms
                .iter()
                .find(|(id, _)| id == r)
                .map(|(_, n)| n.as_str())
        })
        .collect();
    rooms.dedup();
    (format!("{label}, {site}"), rooms.join(" / "))
}

fn problem_href(id: &str, p: &RotaProblem) -> String {
    match (p.staff_ids.first(), p.date) {
        (Some(staff), Some(date)) => format!("/rotas/{id}/day?staff={staff}&date={date}"),
        _ => String::new(),
    }
}

pub(crate) async fn rota_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    Query(filter): Query<GridFilter>,
) -> Result<Response, WebError> {
    render_rota(&state, &user, token, id, filter, PublishAgain::Open).await
}

/// Why the rota page is shown after a publish form was sent.
enum PublishAgain {
    /// Not after a publication.
    Open,
    /// Refused: the rota breaks these hard rules. The page keeps the version they were
    /// checked at, so "Publish anyway" is refused if the rota has changed since.
    Refused(Vec<String>, i64),
    /// The rota changed since the form was shown: the page shows it as it is now.
    Stale(String),
}

async fn render_rota(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    id: String,
    filter: GridFilter,
    again: PublishAgain,
) -> Result<Response, WebError> {
    let app::rota::cover::RotaReview { detail, lines } =
        state.app.rota().rota_review(&user.actor, &id).await?;
    let read_only = detail.reader_practice.is_some();
    let swaps = if read_only {
        Vec::new()
    } else {
        state.app.rota().rota_swaps(&user.actor, &id).await?
    };
    let row = &detail.row;
    let finished = matches!(row.status.as_str(), "done" | "cancelled");
    let running = matches!(row.status.as_str(), "queued" | "running");
    let (week, monday, dates) = shown_week(&detail, &filter);
    let rows = grid_rows(&detail, &id, &filter, &dates);
    // The cover view of the week and every gap, below the minimum first; with a site
    // chosen, that site's only.
    let cover = cover::section(&detail, &lines, week, &filter.site, !read_only);
    let progress = if running {
        state
            .app
            .rota()
            .rota_progress_to_read(&user.actor, &id)
            .await?
            .1
    } else {
        app::rota::progress::progress_words(row, None)
    };
    let hard = detail.problems.iter().filter(|p| p.hard).count();
    let page = RotaPage {
        ctx: page_ctx(&user.actor, &token, "/rotas"),
        scope: scope_label(
            &row.scope_kind,
            &row.scope_code,
            &state
                .app
                .organisations()
                .organisation_names(&user.actor)
                .await?,
        ),
        period: period_label(&detail),
        status: status_label(&row.status).to_string(),
        status_code: row.status.clone(),
        running,
        finished,
        progress_percent: (row.progress * 100.0).round().clamp(0.0, 100.0) as u32,
        progress,
        hard: hard as i64,
        hard_title: domain::words::count(hard as u64, "hard rule broken", "hard rules broken"),
        hard_noun: domain::words::noun(hard == 1, "hard rule broken", "hard rules broken"),
        published: published_label(row),
        error: row.error.clone().unwrap_or_default(),
        conflicts: detail.conflicts.clone(),
        hard_problems: hard_problems(&detail, &id, read_only),
        cover,
        weeks: week_choices(&detail, week),
        practices: practice_choices(&detail, &filter),
        sites: detail
            .sites
            .iter()
            .map(|s| choice(s.id.clone(), s.name.clone(), &filter.site))
            .collect(),
        groups: StaffGroup::ALL
            .iter()
            .map(|g| choice(g.code().to_string(), g.label().to_string(), &filter.group))
            .collect(),
        days: dates
            .iter()
            .map(|d| DayHead {
                label: d.format("%a %-d %b").to_string(),
            })
            .collect(),
        rows,
        locked_count: detail.locked.len(),
        stale: detail
            .stale_problems
            .iter()
            .map(|p| p.message.clone())
            .collect(),
        swaps: swap_lines(swaps),
        read_only,
        narrowed_to: detail
            .reader_practice
            .as_deref()
            .map(|ods| format!("practice {ods}'s people and sites"))
            .unwrap_or_default(),
        done: filter.done,
        week_label: format!("week {week}, from {}", long_date(monday)),
        week_pdfs: week_pdfs(&detail, &id, week),
        pdf_href: pdf_href(&id, "", ""),
        version: match &again {
            PublishAgain::Refused(_, seen) => *seen,
            _ => row.version,
        },
        publish_refused: match &again {
            PublishAgain::Refused(problems, _) => problems.clone(),
            _ => Vec::new(),
        },
        publish_error: match &again {
            PublishAgain::Stale(message) => message.clone(),
            _ => String::new(),
        },
        id,
    };
    let status = match again {
        PublishAgain::Open => StatusCode::OK,
        PublishAgain::Refused(..) => StatusCode::UNPROCESSABLE_ENTITY,
        PublishAgain::Stale(_) => StatusCode::CONFLICT,
    };
    Ok((status, token, page).into_response())
}

/// The rota's length and dates: "4 weeks from 2 March 2026 to 29 March 2026".
fn period_label(detail: &RotaDetail) -> String {
    format!(
        "{} from {} to {}",
        domain::words::plural(detail.period.weeks, "week", "weeks"),
        long_date(detail.period.from),
        long_date(detail.period.last_day())
    )
}

/// The day the rota was published, in England, or nothing.
fn published_label(row: &store::rota::RotaRow) -> String {
    row.published_at
        .as_deref()
        .and_then(app::clock::local_date)
        .map(long_date)
        .unwrap_or_default()
}

/// The week the grid shows (the filter's, else the first), its Monday and its six days.
fn shown_week(detail: &RotaDetail, filter: &GridFilter) -> (u32, NaiveDate, Vec<NaiveDate>) {
    let week: u32 = filter
        .week
        .parse()
        .ok()
        .filter(|w| (1..=detail.period.weeks).contains(w))
        .unwrap_or(1);
    let monday = detail.period.from + chrono::Days::new(u64::from((week - 1) * 7));
    let dates: Vec<NaiveDate> = (0..6).map(|i| monday + chrono::Days::new(i)).collect();
    (week, monday, dates)
}

/// The grid: a row per person the filter keeps, a cell per day with what they hold, whether
/// it is locked and whether it breaks a hard rule.
fn grid_rows(
    detail: &RotaDetail,
    id: &str,
    filter: &GridFilter,
    dates: &[NaiveDate],
) -> Vec<GridRow> {
    let mut by_day: BTreeMap<(&str, NaiveDate), Vec<&app::rota::Assignment>> = BTreeMap::new();
    for a in &detail.assignments {
        by_day
            .entry((a.staff_id.as_str(), a.date))
            .or_default()
            .push(a);
    }
    let problem_days: std::collections::BTreeSet<(String, NaiveDate)> = detail
        .problems
        .iter()
        .filter(|p| p.hard)
        .filter_map(|p| {
            p.date
                .map(|d| p.staff_ids.iter().map(move |s| (s.clone(), d)))
        })
        .flatten()
        .collect();
    let group = StaffGroup::parse(&filter.group);
    detail
        .people
        .iter()
        .filter(|p| filter.practice.is_empty() || p.practices.contains(&filter.practice))
        .filter(|p| filter.site.is_empty() || p.site_ids.contains(&filter.site))
        .filter(|p| group.is_none_or(|g| p.role.staff_group() == g))
        .map(|p| GridRow {
            name: p.name.clone(),
            role: p.role.label().to_string(),
            cells: dates
                .iter()
                .map(|d| {
                    let held = by_day
                        .get(&(p.id.as_str(), *d))
                        .cloned()
                        .unwrap_or_default();
                    let (text, room) = day_text(detail, &held);
                    Cell {
                        text,
                        room,
                        locked: detail.locked.iter().any(|(s, day)| *s == p.id && day == d),
                        problem: problem_days.contains(&(p.id.clone(), *d)),
                        edit_href: format!("/rotas/{id}/day?staff={}&date={d}", p.id),
                    }
                })
                .collect(),
        })
        .collect()
}

/// An option of one of the grid's filters.
fn choice(value: String, label: String, current: &str) -> Choice {
    Choice {
        selected: value == current,
        value,
        label,
    }
}

fn week_choices(detail: &RotaDetail, week: u32) -> Vec<Choice> {
    (1..=detail.period.weeks)
        .map(|w| {
            let m = detail.period.from + chrono::Days::new(u64::from((w - 1) * 7));
            choice(
                w.to_string(),
                format!("Week {w}, from {}", long_date(m)),
                &week.to_string(),
            )
        })
        .collect()
}

fn practice_choices(detail: &RotaDetail, filter: &GridFilter) -> Vec<Choice> {
    let mut practices: Vec<String> = detail
        .people
        .iter()
        .flat_map(|p| p.practices.clone())
        .collect();
    practices.sort();
    practices.dedup();
    practices
        .into_iter()
        .map(|p| choice(p.clone(), p, &filter.practice))
        .collect()
}

/// The hard rules broken, each linking to its day's edit form unless the reader may only read.
fn hard_problems(detail: &RotaDetail, id: &str, read_only: bool) -> Vec<ProblemView> {
    detail
        .problems
        .iter()
        .filter(|p| p.hard)
        .map(|p| ProblemView {
            message: p.message.clone(),
            href: if read_only {
                String::new()
            } else {
                problem_href(id, p)
            },
        })
        .collect()
}

fn swap_lines(swaps: Vec<app::rota::swaps::SwapView>) -> Vec<SwapLine> {
    swaps
        .into_iter()
        .map(|w| SwapLine {
            text: format!(
                "{} asks {} to take {} {}",
                w.requester,
                w.colleague.as_deref().unwrap_or("anyone"),
                NaiveDate::parse_from_str(&w.row.day, "%Y-%m-%d")
                    .map_or(w.row.day.clone(), long_date),
                Session::parse(&w.row.session).map_or("", |s| s.label())
            ),
            note: w.row.note.clone().unwrap_or_default(),
            status: match w.row.status.as_str() {
                "requested" => "waiting for a decision".to_string(),
                other => other.to_string(),
            },
        })
        .collect()
}

/// The week's PDF per site, then every site's.
fn week_pdfs(detail: &RotaDetail, id: &str, week: u32) -> Vec<Choice> {
    detail
        .sites
        .iter()
        .map(|s| Choice {
            value: pdf_href(id, &s.id, &week.to_string()),
            label: s.name.clone(),
            selected: false,
        })
        .chain(std::iter::once(Choice {
            value: pdf_href(id, "", &week.to_string()),
            label: "Every site".into(),
            selected: false,
        }))
        .collect()
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct Nothing {}

pub(crate) async fn rota_cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Nothing>,
) -> Result<Response, WebError> {
    state.app.rota().cancel_rota(&user.actor, &id).await?;
    Ok(Redirect::to(&format!("/rotas/{id}?done=rota-stopped")).into_response())
}

/// The publish button's form: the version the page showed, and the override.
#[derive(serde::Deserialize, Default)]
pub(crate) struct PublishForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    override_rules: Option<String>,
}

pub(crate) async fn rota_publish(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<PublishForm>,
) -> Result<Response, WebError> {
    let seen = form_version(&form.version);
    let request = PublishRequest {
        version: Some(seen),
        override_rules: form.override_rules.is_some(),
    };
    let again = match state
        .app
        .rota()
        .publish_rota(&user.actor, &id, &request)
        .await
    {
        Ok(outcome) if outcome.published => {
            let done = if outcome.hard_problems.is_empty() {
                "rota-published"
            } else {
                "rota-published-overridden"
            };
            return Ok(Redirect::to(&format!("/rotas/{id}?done={done}")).into_response());
        }
        Ok(outcome) => PublishAgain::Refused(
            outcome
                .hard_problems
                .into_iter()
                .map(|p| p.message)
                .collect(),
            seen,
        ),
        Err(AppError::Conflict(message)) if message == app::rota::STALE_ROTA => {
            PublishAgain::Stale(message)
        }
        Err(e) => return Err(e.into()),
    };
    render_rota(&state, &user, token, id, GridFilter::default(), again).await
}

/// A form that changes a rota, with the rota's version it was shown.
#[derive(serde::Deserialize, Default)]
pub(crate) struct Versioned {
    #[serde(default)]
    version: String,
}

pub(crate) async fn rota_resolve(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<Versioned>,
) -> Result<Response, WebError> {
    state
        .app
        .rota()
        .resolve_rota(&user.actor, &id, form_version(&form.version))
        .await?;
    Ok(Redirect::to(&format!("/rotas/{id}")).into_response())
}
