//! Rotas: the list and the form that asks for one, a rota's page (progress while it is
//! solved; then its problems and the grid by week), a day's edit form, and the printable
//! page and PDF download per site and week.
use super::{FormView, long_date, page_ctx};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::error::WebError;
use crate::layout::PageCtx;
use app::AppError;
use app::rota::{DayEdit, PublishRequest, RotaDetail, RotaProblem, RotaScope, pattern_code};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_csrf::CsrfToken;
use chrono::{Datelike, NaiveDate};
use domain::FieldErrors;
use domain::account::UserRole;
use domain::role::StaffGroup;
use domain::rota::{DayPattern, RotaPeriod, Session};
use std::collections::BTreeMap;

pub(crate) struct RotaListRow {
    pub id: String,
    pub scope: String,
    pub period: String,
    pub status: String,
    pub hard: String,
    pub published: bool,
    /// A PCN rota a practice manager reads for their practice.
    pub read_only: bool,
    /// Changed since publishing: the problems still true (`app::rota::stale`).
    pub stale: Vec<String>,
}

pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "rotas.html")]
pub(crate) struct RotasPage {
    ctx: PageCtx,
    rows: Vec<RotaListRow>,
    scopes: Vec<Choice>,
    from: String,
    weeks: String,
    time_limit: String,
    form: FormView,
    cover_link: String,
    /// Swap, cover and session-off requests waiting for the actor's decision.
    requests_waiting: usize,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct RotaRequestForm {
    #[serde(default)]
    scope: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    weeks: String,
    #[serde(default)]
    time_limit: String,
}

fn status_label(status: &str) -> &'static str {
    match status {
        "queued" => "Waiting to start",
        "running" => "Being solved",
        "done" => "Ready",
        "failed" => "Failed",
        "cancelled" => "Stopped early",
        _ => "Unknown",
    }
}

/// The practice or PCN a rota covers, by name when the actor can see it.
fn scope_label(
    kind: &str,
    code: &str,
    names: &std::collections::BTreeMap<String, String>,
) -> String {
    match names.get(code) {
        Some(name) => name.clone(),
        None if kind == "pcn" => format!("PCN {code}"),
        None => format!("Practice {code}"),
    }
}

fn next_monday(today: NaiveDate) -> NaiveDate {
    today + chrono::Days::new(u64::from(7 - today.weekday().num_days_from_monday()))
}

async fn scope_choices(state: &AppState, user: &CurrentUser, selected: &str) -> Vec<Choice> {
    let actor = &user.actor;
    let mut choices = Vec::new();
    match actor.role {
        UserRole::PracticeManager => {
            choices.push((actor.org.clone(), format!("Practice {}", actor.org)))
        }
        UserRole::PcnManager => {
            choices.push((
                format!("pcn:{}", actor.org),
                format!("The whole PCN ({})", actor.org),
            ));
            if let Ok(practices) = state.app.visible_practices(actor).await {
                for p in practices {
                    choices.push((p.ods_code.clone(), format!("{} ({})", p.name, p.ods_code)));
                }
            }
        }
        _ => {}
    }
    choices
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == selected,
            value,
            label,
        })
        .collect()
}

async fn render_list(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    form: RotaRequestForm,
    errors: Option<FieldErrors>,
) -> Result<Response, WebError> {
    let names = state.app.organisation_names(&user.actor).await?;
    let rotas = state.app.rotas(&user.actor).await?;
    let marks = state.app.stale_summaries(&user.actor, &rotas).await?;
    let rows = rotas
        .into_iter()
        .map(|r| {
            let stale = marks.iter().find(|m| m.rota_id == r.id);
            let from = NaiveDate::parse_from_str(&r.starts_on, "%Y-%m-%d").ok();
            RotaListRow {
                scope: scope_label(&r.scope_kind, &r.scope_code, &names),
                period: match from {
                    Some(d) => format!(
                        "{} from {}",
                        domain::words::plural(r.weeks, "week", "weeks"),
                        long_date(d)
                    ),
                    None => r.starts_on.clone(),
                },
                status: status_label(&r.status).to_string(),
                hard: r.hard_violations.map(|h| h.to_string()).unwrap_or_default(),
                published: r.published_at.is_some(),
                read_only: user.actor.role == UserRole::PracticeManager && r.scope_kind == "pcn",
                stale: stale.map_or_else(Vec::new, |m| {
                    m.problems.iter().map(|p| p.message.clone()).collect()
                }),
                id: r.id,
            }
        })
        .collect();
    let status = if errors.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut view = FormView::default();
    if let Some(errors) = &errors {
        view.errors = errors
            .0
            .iter()
            .map(|e| (e.field.to_string(), e.message.clone()))
            .collect();
    }
    let cover_link = match user.actor.role {
        UserRole::PcnManager => format!("/pcns/{}/rota/cover", user.actor.org),
        _ => format!("/practices/{}/rota/cover", user.actor.org),
    };
    let page = RotasPage {
        ctx: page_ctx(&user.actor, &token, "/rotas")?,
        rows,
        scopes: scope_choices(state, user, &form.scope).await,
        from: if form.from.is_empty() {
            next_monday(state.app.today()).to_string()
        } else {
            form.from
        },
        weeks: if form.weeks.is_empty() {
            "4".into()
        } else {
            form.weeks
        },
        time_limit: if form.time_limit.is_empty() {
            app::rota::DEFAULT_TIME_LIMIT.to_string()
        } else {
            form.time_limit
        },
        form: view,
        cover_link,
        requests_waiting: state.app.requests_to_decide(&user.actor).await?.len(),
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn rotas_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
) -> Result<Response, WebError> {
    render_list(&state, &user, token, RotaRequestForm::default(), None).await
}

pub(crate) async fn rota_request(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    CsrfForm(form): CsrfForm<RotaRequestForm>,
) -> Result<Response, WebError> {
    let scope = match form.scope.strip_prefix("pcn:") {
        Some(code) => RotaScope::Pcn(code.to_string()),
        None => RotaScope::Practice(form.scope.clone()),
    };
    let mut errors = match RotaPeriod::parse(&form.from, &form.weeks) {
        Ok(_) => FieldErrors::default(),
        Err(e) => e,
    };
    let limit = match form.time_limit.trim().parse::<u32>() {
        Ok(n) if (1..=app::rota::MAX_TIME_LIMIT).contains(&n) => Some(n),
        _ => {
            errors.push(domain::FieldError::new(
                "time_limit",
                format!(
                    "Enter a time limit from 1 to {} seconds",
                    app::rota::MAX_TIME_LIMIT
                ),
            ));
            None
        }
    };
    if !errors.is_empty() {
        return render_list(&state, &user, token, form, Some(errors)).await;
    }
    let period = RotaPeriod::parse(&form.from, &form.weeks).expect("checked");
    match state
        .app
        .request_rota(&user.actor, scope, period, limit)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/rotas/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            render_list(&state, &user, token, form, Some(errors)).await
        }
        Err(e) => Err(e.into()),
    }
}

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
    cover: super::rota_cover::CoverSection,
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
        state.app.rota_review(&user.actor, &id).await?;
    let read_only = detail.reader_practice.is_some();
    let swaps = if read_only {
        Vec::new()
    } else {
        state.app.rota_swaps(&user.actor, &id).await?
    };
    let row = &detail.row;
    let finished = matches!(row.status.as_str(), "done" | "cancelled");
    let running = matches!(row.status.as_str(), "queued" | "running");
    let week: u32 = filter
        .week
        .parse()
        .ok()
        .filter(|w| (1..=detail.period.weeks).contains(w))
        .unwrap_or(1);
    let monday = detail.period.from + chrono::Days::new(u64::from((week - 1) * 7));
    let dates: Vec<NaiveDate> = (0..6).map(|i| monday + chrono::Days::new(i)).collect();
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
    let rows = detail
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
                    let (text, room) = day_text(&detail, &held);
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
        .collect();
    let mut practices: Vec<String> = detail
        .people
        .iter()
        .flat_map(|p| p.practices.clone())
        .collect();
    practices.sort();
    practices.dedup();
    let choice = |value: String, label: String, current: &str| Choice {
        selected: value == current,
        value,
        label,
    };
    // The cover view of the week and every gap, below the minimum first; with a site
    // chosen, that site's only.
    let cover = super::rota_cover::section(&detail, &lines, week, &filter.site, !read_only);
    let progress = if running {
        state.app.rota_progress_to_read(&user.actor, &id).await?.1
    } else {
        app::rota::progress::progress_words(row, None)
    };
    let page = RotaPage {
        ctx: page_ctx(&user.actor, &token, "/rotas")?,
        scope: scope_label(
            &row.scope_kind,
            &row.scope_code,
            &state.app.organisation_names(&user.actor).await?,
        ),
        period: format!(
            "{} from {} to {}",
            domain::words::plural(detail.period.weeks, "week", "weeks"),
            long_date(detail.period.from),
            long_date(detail.period.last_day())
        ),
        status: status_label(&row.status).to_string(),
        status_code: row.status.clone(),
        running,
        finished,
        progress_percent: (row.progress * 100.0).round().clamp(0.0, 100.0) as u32,
        progress,
        hard: detail.problems.iter().filter(|p| p.hard).count() as i64,
        hard_title: domain::words::count(
            detail.problems.iter().filter(|p| p.hard).count() as u64,
            "hard rule broken",
            "hard rules broken",
        ),
        hard_noun: domain::words::noun(
            detail.problems.iter().filter(|p| p.hard).count() == 1,
            "hard rule broken",
            "hard rules broken",
        ),
        published: row
            .published_at
            .as_deref()
            .and_then(app::clock::local_date)
            .map(long_date)
            .unwrap_or_default(),
        error: row.error.clone().unwrap_or_default(),
        conflicts: detail.conflicts.clone(),
        hard_problems: detail
            .problems
            .iter()
            .filter(|p| p.hard)
            .map(|p| ProblemView {
                message: p.message.clone(),
                href: if read_only {
                    String::new()
                } else {
                    problem_href(&id, p)
                },
            })
            .collect(),
        cover,
        weeks: (1..=detail.period.weeks)
            .map(|w| {
                let m = detail.period.from + chrono::Days::new(u64::from((w - 1) * 7));
                choice(
                    w.to_string(),
                    format!("Week {w}, from {}", long_date(m)),
                    &week.to_string(),
                )
            })
            .collect(),
        practices: practices
            .into_iter()
            .map(|p| choice(p.clone(), p, &filter.practice))
            .collect(),
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
        swaps: swaps
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
            .collect(),
        read_only,
        narrowed_to: detail
            .reader_practice
            .as_deref()
            .map(|ods| format!("practice {ods}'s people and sites"))
            .unwrap_or_default(),
        done: filter.done,
        week_label: format!("week {week}, from {}", long_date(monday)),
        week_pdfs: detail
            .sites
            .iter()
            .map(|s| Choice {
                value: pdf_href(&id, &s.id, &week.to_string()),
                label: s.name.clone(),
                selected: false,
            })
            .chain(std::iter::once(Choice {
                value: pdf_href(&id, "", &week.to_string()),
                label: "Every site".into(),
                selected: false,
            }))
            .collect(),
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

#[derive(serde::Deserialize, Default)]
pub(crate) struct Nothing {}

pub(crate) async fn rota_cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Nothing>,
) -> Result<Response, WebError> {
    state.app.cancel_rota(&user.actor, &id).await?;
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
    let again = match state.app.publish_rota(&user.actor, &id, &request).await {
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
        .resolve_rota(&user.actor, &id, form_version(&form.version))
        .await?;
    Ok(Redirect::to(&format!("/rotas/{id}")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "rota_day.html")]
pub(crate) struct DayPage {
    ctx: PageCtx,
    id: String,
    staff_id: String,
    date: String,
    person: String,
    day_label: String,
    current: String,
    patterns: Vec<Choice>,
    sites: Vec<Choice>,
    locked: bool,
    refused: Vec<String>,
    form: FormView,
    /// The rota's version this form is for.
    version: i64,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct DayQuery {
    #[serde(default)]
    staff: String,
    #[serde(default)]
    date: String,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct DayForm {
    #[serde(default)]
    staff_id: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    pattern: String,
    #[serde(default)]
    site_id: String,
    #[serde(default)]
    lock: Option<String>,
    #[serde(default)]
    override_rules: Option<String>,
    /// The rota's version the form was shown.
    #[serde(default)]
    version: String,
}

/// The version a form says it was shown; a form without one is treated as stale.
pub(crate) fn form_version(text: &str) -> i64 {
    text.trim().parse().unwrap_or(-1)
}

/// Why a day's form is shown again.
enum DayAgain {
    /// Freshly opened.
    Open,
    /// The edit breaks these hard rules: the form keeps the version it was checked at, so
    /// an override is refused if the rota has changed since.
    Refused(Vec<String>),
    Invalid(FieldErrors),
    /// The rota changed since the form was opened: shown again as it is now.
    Stale(String),
}

async fn render_day(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    id: &str,
    form: &DayForm,
    again: DayAgain,
) -> Result<Response, WebError> {
    let detail = state.app.rota(&user.actor, id).await?;
    if form.staff_id.is_empty() || form.date.is_empty() {
        // No day chosen: the grid is where a day is picked.
        return Ok(Redirect::to(&format!("/rotas/{id}#grid")).into_response());
    }
    let person = detail
        .people
        .iter()
        .find(|p| p.id == form.staff_id)
        .ok_or(WebError::Page(AppError::NotFound))?;
    let date = NaiveDate::parse_from_str(&form.date, "%Y-%m-%d")
        .ok()
        .filter(|d| detail.period.days().any(|x| x == *d))
        .ok_or(WebError::Page(AppError::NotFound))?;
    let held: Vec<&app::rota::Assignment> = detail
        .assignments
        .iter()
        .filter(|a| a.staff_id == person.id && a.date == date)
        .collect();
    let (text, room) = day_text(&detail, &held);
    let current_pattern = DayPattern::of(&held.iter().map(|a| a.session).collect::<Vec<_>>())
        .map_or("off", pattern_code);
    let chosen_pattern = if form.pattern.is_empty() {
        current_pattern
    } else {
        form.pattern.as_str()
    };
    let chosen_site = if form.site_id.is_empty() {
        held.first().map_or_else(
            || person.site_ids.first().cloned().unwrap_or_default(),
            |a| a.site_id.clone(),
        )
    } else {
        form.site_id.clone()
    };
    let mut patterns = vec![Choice {
        value: "off".into(),
        label: "Not working".into(),
        selected: chosen_pattern == "off",
    }];
    patterns.extend(DayPattern::ALL.into_iter().map(|p| Choice {
        value: pattern_code(p).into(),
        label: p.label().into(),
        selected: chosen_pattern == pattern_code(p),
    }));
    let mut view = FormView::default();
    let mut refused = Vec::new();
    let mut version = detail.row.version;
    let status = match again {
        DayAgain::Open => StatusCode::OK,
        DayAgain::Invalid(errors) => {
            view.errors = errors
                .0
                .iter()
                .map(|e| (e.field.to_string(), e.message.clone()))
                .collect();
            StatusCode::UNPROCESSABLE_ENTITY
        }
        DayAgain::Refused(problems) => {
            view.errors.push((
                "override_rules".into(),
                "This change breaks a rule (listed below): change it, or tick the override to save it anyway".into(),
            ));
            refused = problems;
            version = form_version(&form.version);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        DayAgain::Stale(message) => {
            view.errors.push((String::new(), message));
            StatusCode::CONFLICT
        }
    };
    let page = DayPage {
        ctx: page_ctx(&user.actor, &token, "/rotas")?,
        id: id.to_string(),
        staff_id: person.id.clone(),
        date: date.to_string(),
        person: person.name.clone(),
        day_label: format!("{} {}", date.format("%A"), long_date(date)),
        current: if text.is_empty() {
            "Not working".into()
        } else if room.is_empty() {
            text
        } else {
            format!("{text}, {room}")
        },
        patterns,
        sites: detail
            .sites
            .iter()
            .filter(|s| person.site_ids.contains(&s.id) || s.id == chosen_site)
            .map(|s| Choice {
                value: s.id.clone(),
                label: s.name.clone(),
                selected: s.id == chosen_site,
            })
            .collect(),
        locked: form.lock.is_some()
            || detail
                .locked
                .iter()
                .any(|(s, d)| *s == person.id && *d == date),
        refused,
        form: view,
        version,
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn day_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    Query(q): Query<DayQuery>,
) -> Result<Response, WebError> {
    let form = DayForm {
        staff_id: q.staff,
        date: q.date,
        ..DayForm::default()
    };
    render_day(&state, &user, token, &id, &form, DayAgain::Open).await
}

pub(crate) async fn day_save(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DayForm>,
) -> Result<Response, WebError> {
    let edit = DayEdit {
        staff_id: form.staff_id.clone(),
        date: form.date.clone(),
        pattern: form.pattern.clone(),
        site_id: form.site_id.clone(),
        lock: form.lock.is_some(),
        override_rules: form.override_rules.is_some(),
        version: form_version(&form.version),
    };
    match state.app.edit_rota_day(&user.actor, &id, &edit).await {
        Ok(outcome) if outcome.saved => {
            let done = if outcome.new_problems.is_empty() {
                "rota-edited"
            } else {
                "rota-overridden"
            };
            let week = NaiveDate::parse_from_str(&form.date, "%Y-%m-%d").ok();
            let detail_week = match week {
                Some(d) => {
                    let detail = state.app.rota(&user.actor, &id).await?;
                    ((d - detail.period.from).num_days() / 7 + 1).to_string()
                }
                None => "1".into(),
            };
            Ok(
                Redirect::to(&format!("/rotas/{id}?week={detail_week}&done={done}#grid"))
                    .into_response(),
            )
        }
        Ok(outcome) => {
            let refused = outcome
                .new_problems
                .into_iter()
                .map(|p| p.message)
                .collect();
            render_day(&state, &user, token, &id, &form, DayAgain::Refused(refused)).await
        }
        Err(AppError::Invalid(errors)) => {
            render_day(&state, &user, token, &id, &form, DayAgain::Invalid(errors)).await
        }
        Err(AppError::Conflict(message)) if message == app::rota::STALE_ROTA => {
            render_day(&state, &user, token, &id, &form, DayAgain::Stale(message)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) struct PrintTable {
    pub site: String,
    pub week: String,
    /// This site's week as a PDF.
    pub pdf_href: String,
    pub days: Vec<String>,
    pub rows: Vec<(String, String, Vec<String>)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "rota_print.html")]
pub(crate) struct PrintPage {
    ctx: PageCtx,
    id: String,
    scope: String,
    published: bool,
    tables: Vec<PrintTable>,
    /// Everything shown here as one PDF.
    pdf_href: String,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct PrintQuery {
    #[serde(default)]
    site: String,
    #[serde(default)]
    week: String,
}

/// Builds the printable tables: per site and week, who works each day and in which room.
fn print_tables(detail: &RotaDetail, site: &str, week: &str) -> Vec<PrintTable> {
    let id = &detail.row.id;
    let mut tables = Vec::new();
    for s in detail
        .sites
        .iter()
        .filter(|s| site.is_empty() || s.id == site)
    {
        for w in 1..=detail.period.weeks {
            if !week.is_empty() && week != w.to_string() {
                continue;
            }
            let monday = detail.period.from + chrono::Days::new(u64::from((w - 1) * 7));
            let dates: Vec<NaiveDate> = (0..6).map(|i| monday + chrono::Days::new(i)).collect();
            let rows: Vec<(String, String, Vec<String>)> = detail
                .people
                .iter()
                .filter_map(|p| {
                    let cells: Vec<String> = dates
                        .iter()
                        .map(|d| {
                            let held: Vec<&app::rota::Assignment> = detail
                                .assignments
                                .iter()
                                .filter(|a| a.staff_id == p.id && a.date == *d && a.site_id == s.id)
                                .collect();
                            if held.is_empty() {
                                return String::new();
                            }
                            let (text, room) = day_text(detail, &held);
                            let pattern = text.split(',').next().unwrap_or("").to_string();
                            if room.is_empty() {
                                pattern
                            } else {
                                format!("{pattern} ({room})")
                            }
                        })
                        .collect();
                    cells
                        .iter()
                        .any(|c| !c.is_empty())
                        .then(|| (p.name.clone(), p.role.label().to_string(), cells))
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            tables.push(PrintTable {
                pdf_href: pdf_href(id, &s.id, &w.to_string()),
                site: s.name.clone(),
                week: format!("Week of {}", long_date(monday)),
                days: dates
                    .iter()
                    .map(|d| d.format("%a %-d %b").to_string())
                    .collect(),
                rows,
            });
        }
    }
    tables
}

pub(crate) async fn print_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    Query(q): Query<PrintQuery>,
) -> Result<Response, WebError> {
    let detail = state.app.rota_to_read(&user.actor, &id).await?;
    let page = PrintPage {
        ctx: page_ctx(&user.actor, &token, "/rotas")?,
        scope: app::rota::pdf::scope_label(&detail),
        published: detail.row.published_at.is_some(),
        tables: print_tables(&detail, &q.site, &q.week),
        pdf_href: pdf_href(&id, &q.site, &q.week),
        id,
    };
    Ok((token, page).into_response())
}

/// The PDF of a rota, narrowed to a site and a week when they are given.
fn pdf_href(id: &str, site: &str, week: &str) -> String {
    let query: Vec<(&str, &str)> = [("site", site), ("week", week)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if query.is_empty() {
        format!("/rotas/{id}/pdf")
    } else {
        format!(
            "/rotas/{id}/pdf?{}",
            serde_urlencoded::to_string(&query).unwrap_or_default()
        )
    }
}

/// `GET /rotas/{id}/pdf?site=&week=`: the rota as a PDF download, one page per site and
/// week (both optional), for the managers who may see the rota.
pub(crate) async fn pdf_download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<PrintQuery>,
) -> Result<Response, WebError> {
    let pdf = state
        .app
        .rota_pdf(&user.actor, &id, &q.site, &q.week)
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", pdf.file_name),
            ),
        ],
        pdf.bytes,
    )
        .into_response())
}
