//! Demand and capacity pages for a practice and a PCN: the chart (history, forecast with
//! its 80 % interval, safe capacity, the shortfall shaded) and the table behind it.
use super::page_ctx;
use super::practice::thousands;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::error::WebError;
use crate::layout::PageCtx;
use analytics::capacity::{GP, GapRow, OTHER_STAFF};
use app::Tenant;
use app::demand::DemandCapacity;
use app::demand::{POST_ROWS, ScenarioEffect, ScenarioForm};
use app::{Actor, AppError};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_csrf::CsrfToken;
use domain::account::UserRole;
use domain::role::Role;
use std::collections::BTreeMap;
use std::fmt::Write;

pub(crate) struct TableRow {
    month: String,
    forecast: bool,
    demand: String,
    interval: String,
    capacity: String,
    gap: String,
    short: bool,
}

pub(crate) struct HcpSection {
    title: &'static str,
    id: &'static str,
    chart: String,
    summary: String,
    rows: Vec<TableRow>,
    /// Week beginning, demand, safe capacity, capacity less demand, short.
    weeks: Vec<(String, String, String, String, bool)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "demand.html")]
pub(crate) struct DemandPage {
    ctx: PageCtx,
    caption: String,
    title: String,
    back: String,
    view: DemandCapacity,
    sections: Vec<HcpSection>,
    basis: Vec<String>,
    last_data: String,
    shifts: String,
    per_session: String,
    /// Where the what-if form posts, when the user may save scenarios.
    scenario_action: Option<String>,
    scenarios: Vec<ScenarioRow>,
    errors: Vec<(String, String)>,
    values: BTreeMap<String, String>,
    roles: Vec<(&'static str, &'static str)>,
    post_rows: Vec<usize>,
    notice: Option<&'static str>,
    /// Where the appointments-a-session form posts (practice pages, for managers).
    capacity_action: Option<String>,
    /// Staff group code, label, current appointments a session.
    capacity_fields: Vec<(&'static str, &'static str, String)>,
}

pub(crate) struct ScenarioRow {
    name: String,
    posts: String,
    gp_change: String,
    other_change: String,
    short_months: String,
    shortfall: String,
    cost: String,
}

impl DemandPage {
    fn value(&self, field: &str) -> &str {
        self.values.get(field).map(String::as_str).unwrap_or("")
    }

    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

fn signed(value: f64) -> String {
    let rounded = value.round() as i64;
    if rounded > 0 {
        format!("+{}", thousands(rounded))
    } else {
        thousands(rounded).replace('-', "−")
    }
}

fn scenario_rows(effects: &[ScenarioEffect]) -> Vec<ScenarioRow> {
    effects
        .iter()
        .map(|e| {
            let change = |hcp: &str| {
                signed(
                    e.capacity_change
                        .iter()
                        .filter(|(h, _)| h == hcp)
                        .map(|(_, v)| v)
                        .sum(),
                )
            };
            ScenarioRow {
                name: e.name.clone(),
                posts: e
                    .posts
                    .iter()
                    .map(|p| {
                        format!(
                            "{} {} WTE {} from {}",
                            match p.change {
                                analytics::scenario::PostChange::Add => "add",
                                analytics::scenario::PostChange::Remove => "remove",
                            },
                            super::number(p.wte),
                            p.role.label(),
                            month_label(p.start)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                gp_change: change(GP),
                other_change: change(OTHER_STAFF),
                short_months: format!("{} → {}", e.short_months_before, e.short_months_after),
                shortfall: format!(
                    "{} → {}",
                    thousands(e.shortfall_before.round() as i64),
                    thousands(e.shortfall_after.round() as i64)
                ),
                cost: if e.yearly_cost_change < 0.0 {
                    format!("−£{}", thousands((-e.yearly_cost_change).round() as i64))
                } else {
                    format!("+£{}", thousands(e.yearly_cost_change.round() as i64))
                },
            }
        })
        .collect()
}

/// The confirmation to show after a redirect.
fn notice(query: &PageQuery) -> Option<&'static str> {
    match query.done.as_deref() {
        Some("saved") => Some("Scenario saved. It is compared with the others below."),
        Some("capacity") => Some("Appointments a session saved. Safe capacity below uses them."),
        _ => None,
    }
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct PageQuery {
    #[serde(default)]
    done: Option<String>,
}

/// Which tenant a page is about, from its path.
#[derive(Clone, Copy)]
enum Scope<'a> {
    Practice(&'a str),
    Pcn(&'a str),
}

impl<'a> Scope<'a> {
    fn tenant(self) -> Tenant<'a> {
        match self {
            Scope::Practice(ods) => Tenant::Practice(ods),
            Scope::Pcn(code) => Tenant::Pcn(code),
        }
    }

    fn base(self) -> String {
        match self {
            Scope::Practice(ods) => format!("/practices/{ods}"),
            Scope::Pcn(code) => format!("/pcns/{code}"),
        }
    }

    fn caption(self) -> String {
        match self {
            Scope::Practice(ods) => format!("Practice {ods}"),
            Scope::Pcn(code) => format!("Primary Care Network {code}"),
        }
    }

    /// Whether the actor's role may save scenarios here (access still checks the tenant).
    fn editable(self, actor: &Actor) -> bool {
        match self {
            Scope::Practice(_) => {
                matches!(actor.role, UserRole::PracticeManager | UserRole::PcnManager)
            }
            Scope::Pcn(_) => actor.role == UserRole::PcnManager,
        }
    }
}

struct Submitted {
    errors: Vec<(String, String)>,
    values: BTreeMap<String, String>,
}

async fn show(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    scope: Scope<'_>,
    submitted: Option<Submitted>,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    let view = state
        .app
        .demand_capacity(&user.actor, scope.tenant())
        .await?;
    let effects = state.app.scenario_effects(scope.tenant(), &view).await?;
    let ctx = page_ctx(&user.actor, &token, &format!("{}/demand", scope.base()))?;
    let mut page = page(ctx, scope.caption(), scope.base(), view);
    page.scenarios = scenario_rows(&effects);
    page.scenario_action = scope
        .editable(&user.actor)
        .then(|| format!("{}/scenarios", scope.base()));
    page.notice = notice;
    if let Scope::Practice(ods) = scope
        && scope.editable(&user.actor)
    {
        page.capacity_action = Some(format!("/practices/{ods}/capacity"));
    }
    let status = match submitted {
        Some(s) => {
            page.errors = s.errors;
            page.values = s.values;
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => StatusCode::OK,
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn practice_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
    axum::extract::Query(query): axum::extract::Query<PageQuery>,
) -> Result<Response, WebError> {
    show(
        &state,
        &user,
        token,
        Scope::Practice(&ods),
        None,
        notice(&query),
    )
    .await
}

pub(crate) async fn pcn_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
    axum::extract::Query(query): axum::extract::Query<PageQuery>,
) -> Result<Response, WebError> {
    show(
        &state,
        &user,
        token,
        Scope::Pcn(&code),
        None,
        notice(&query),
    )
    .await
}

async fn save(
    state: AppState,
    user: CurrentUser,
    token: CsrfToken,
    scope: Scope<'_>,
    fields: BTreeMap<String, String>,
) -> Result<Response, WebError> {
    let form = ScenarioForm::from_fields(&fields);
    match state
        .app
        .save_scenario(&user.actor, scope.tenant(), &form)
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("{}/demand?done=saved#what-if", scope.base())).into_response(),
        ),
        Err(AppError::Invalid(errors)) => {
            let errors = errors
                .0
                .iter()
                .map(|e| (e.field.to_string(), e.message.clone()))
                .collect();
            show(
                &state,
                &user,
                token,
                scope,
                Some(Submitted {
                    errors,
                    values: fields,
                }),
                None,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

pub(crate) async fn practice_scenario(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
    CsrfForm(fields): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    save(state, user, token, Scope::Practice(&ods), fields).await
}

pub(crate) async fn pcn_scenario(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
    CsrfForm(fields): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    save(state, user, token, Scope::Pcn(&code), fields).await
}

fn page(ctx: PageCtx, caption: String, back: String, view: DemandCapacity) -> DemandPage {
    let sections = [(GP, "GP appointments", "gp-appointments"), (OTHER_STAFF, "Other practice staff appointments", "other-appointments")]
        .into_iter()
        .filter_map(|(hcp, title, id)| {
            let rows: Vec<&GapRow> = view.rows.iter().filter(|r| r.hcp_type == hcp).collect();
            if rows.is_empty() {
                return None;
            }
            let forecast: Vec<&&GapRow> = rows.iter().filter(|r| r.forecast).collect();
            let short_months = forecast.iter().filter(|r| r.gap() < 0.0).count();
            let total_gap: f64 = forecast.iter().map(|r| r.gap()).sum();
            let summary = if short_months == 0 {
                format!("Safe capacity covers the forecast in all {} months ahead.", forecast.len())
            } else {
                format!(
                    "Short of safe capacity in {short_months} of the {} months ahead: {} appointments in all, about {} a week.",
                    forecast.len(),
                    thousands((-forecast.iter().filter(|r| r.gap() < 0.0).map(|r| r.gap()).sum::<f64>()).round() as i64),
                    thousands((-total_gap.min(0.0) / (forecast.len() as f64 * 52.0 / 12.0)).round() as i64),
                )
            };
            let weeks = view
                .weeks
                .iter()
                .filter(|(_, h, _, _)| h == hcp)
                .map(|(monday, _, d, c)| {
                    let from_rota = view.rota_weeks.contains(monday);
                    (
                        format!(
                            "{}{}",
                            monday.format("%-d %b %Y"),
                            if from_rota { " (published rota)" } else { "" }
                        ),
                        thousands(d.round() as i64),
                        thousands(c.round() as i64),
                        thousands((c - d).round() as i64).replace('-', "−"),
                        c < d,
                    )
                })
                .collect();
            Some(HcpSection {
                title,
                id,
                weeks,
                chart: chart(title, &rows),
                summary,
                rows: rows
                    .iter()
                    .map(|r| TableRow {
                        month: month_label(r.month),
                        forecast: r.forecast,
                        demand: thousands(r.demand.round() as i64),
                        interval: match (r.lower_80, r.upper_80) {
                            (Some(l), Some(u)) => format!("{} to {}", thousands(l.round() as i64), thousands(u.round() as i64)),
                            _ => "recorded".into(),
                        },
                        capacity: thousands(r.capacity.round() as i64),
                        gap: thousands(r.gap().round() as i64).replace('-', "−"),
                        short: r.gap() < 0.0,
                    })
                    .collect(),
            })
        })
        .collect();
    let basis = view
        .areas
        .iter()
        .map(|a| {
            format!(
                "{} ({}): {} months of appointments; {} practices in gpteam with {} registered patients",
                a.name,
                a.code,
                a.months,
                a.practices,
                thousands(a.patients)
            )
        })
        .collect();
    let per_session = view
        .rules
        .per_session
        .iter()
        .filter(|(_, n)| **n > 0.0)
        .map(|(g, n)| format!("{} {}", g.label(), super::number(*n)))
        .collect::<Vec<_>>()
        .join(", ");
    let capacity_fields = app::demand::SETTABLE_GROUPS
        .iter()
        .map(|g| {
            let n = view.rules.per_session.get(g).copied().unwrap_or(0.0);
            (g.code(), g.label(), super::number(n))
        })
        .collect();
    DemandPage {
        ctx,
        caption,
        title: view.title.clone(),
        back,
        sections,
        basis,
        last_data: view.last_data_month.map(month_label).unwrap_or_default(),
        shifts: view
            .level_shifts
            .iter()
            .map(|m| month_label(*m))
            .collect::<Vec<_>>()
            .join(", "),
        per_session,
        view,
        scenario_action: None,
        scenarios: Vec::new(),
        errors: Vec::new(),
        values: BTreeMap::new(),
        roles: Role::ALL
            .iter()
            .filter(|r| r.is_clinical())
            .map(|r| (r.code(), r.label()))
            .collect(),
        post_rows: (1..=POST_ROWS).collect(),
        notice: None,
        capacity_action: None,
        capacity_fields,
    }
}

fn month_label(m: analytics::Month) -> String {
    m.first_day().format("%b %Y").to_string()
}

/// An SVG chart: recorded demand (solid), forecast (dashed) in its 80 % band, safe capacity
/// (green), and the shortfall where demand is above capacity (red).
fn chart(title: &str, rows: &[&GapRow]) -> String {
    let (width, height) = (760.0, 300.0);
    let (left, right, top, bottom) = (70.0, 16.0, 16.0, 40.0);
    let n = rows.len();
    let max = rows
        .iter()
        .map(|r| r.upper_80.unwrap_or(r.demand).max(r.capacity).max(r.demand))
        .fold(1.0f64, f64::max)
        * 1.08;
    let step = nice_step(max / 4.0);
    let max = (max / step).ceil() * step;
    let x = |i: usize| left + (width - left - right) * (i as f64 + 0.5) / n as f64;
    let y = |v: f64| top + (height - top - bottom) * (1.0 - v / max);
    let path = |points: &[(f64, f64)]| {
        points
            .iter()
            .enumerate()
            .map(|(i, (px, py))| format!("{}{px:.1},{py:.1}", if i == 0 { "M" } else { "L" }))
            .collect::<String>()
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="gpteam-chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-{id}-title" xmlns="http://www.w3.org/2000/svg"><title id="chart-{id}-title">{title}: recorded and forecast demand against safe capacity by month (the table below has the figures)</title>"##,
        id = title.len()
    );
    // Grid and axis labels.
    let mut v = 0.0;
    while v <= max + 1e-9 {
        let _ = write!(
            svg,
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#d8dde0"/><text x="{}" y="{:.1}" text-anchor="end" font-size="12" fill="#4c6272">{}</text>"##,
            width - right,
            left - 6.0,
            y(v) + 4.0,
            thousands(v as i64),
            yy = y(v)
        );
        v += step;
    }
    for (i, r) in rows.iter().enumerate() {
        if r.month.month % 3 == 1 || i == 0 {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{}" text-anchor="middle" font-size="12" fill="#4c6272">{}</text>"##,
                x(i),
                height - bottom + 18.0,
                month_label(r.month)
            );
        }
    }
    // The 80 % band of the forecast.
    let band: Vec<usize> = (0..n).filter(|&i| rows[i].lower_80.is_some()).collect();
    if !band.is_empty() {
        let mut points: Vec<(f64, f64)> = band
            .iter()
            .map(|&i| (x(i), y(rows[i].upper_80.unwrap_or(0.0))))
            .collect();
        points.extend(
            band.iter()
                .rev()
                .map(|&i| (x(i), y(rows[i].lower_80.unwrap_or(0.0)))),
        );
        let _ = write!(
            svg,
            r##"<path d="{}Z" fill="#005eb8" fill-opacity="0.15"/>"##,
            path(&points)
        );
    }
    // The shortfall: between demand and capacity where demand is higher.
    for (i, r) in rows.iter().enumerate() {
        if r.demand > r.capacity {
            let half = (width - left - right) / n as f64 / 2.0;
            let _ = write!(
                svg,
                r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#d5281b" fill-opacity="0.25"/>"##,
                x(i) - half,
                y(r.demand),
                half * 2.0,
                y(r.capacity) - y(r.demand)
            );
        }
    }
    let recorded: Vec<(f64, f64)> = (0..n)
        .filter(|&i| !rows[i].forecast)
        .map(|i| (x(i), y(rows[i].demand)))
        .collect();
    let last_recorded = (0..n).rfind(|&i| !rows[i].forecast);
    let forecast: Vec<(f64, f64)> = last_recorded
        .into_iter()
        .chain((0..n).filter(|&i| rows[i].forecast))
        .map(|i| (x(i), y(rows[i].demand)))
        .collect();
    let capacity: Vec<(f64, f64)> = (0..n).map(|i| (x(i), y(rows[i].capacity))).collect();
    let _ = write!(
        svg,
        r##"<path d="{}" fill="none" stroke="#007f3b" stroke-width="3"/><path d="{}" fill="none" stroke="#212b32" stroke-width="2.5"/><path d="{}" fill="none" stroke="#005eb8" stroke-width="2.5" stroke-dasharray="6 4"/>"##,
        path(&capacity),
        path(&recorded),
        path(&forecast)
    );
    svg.push_str("</svg>");
    svg
}

fn nice_step(raw: f64) -> f64 {
    let magnitude = 10f64.powf(raw.max(1.0).log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude)
}

pub(crate) async fn practice_capacity(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
    CsrfForm(fields): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    match state
        .app
        .set_capacity_rules(&user.actor, &ods, &fields)
        .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/practices/{ods}/demand?done=capacity")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let errors = errors
                .0
                .iter()
                .map(|e| (e.field.to_string(), e.message.clone()))
                .collect();
            show(
                &state,
                &user,
                token,
                Scope::Practice(&ods),
                Some(Submitted {
                    errors,
                    values: fields,
                }),
                None,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}
