//! Demand and capacity pages for a practice and a PCN: the chart (history, forecast with
//! its 80 % interval, safe capacity, the shortfall shaded) and the table behind it.
use super::page_ctx;
use super::register::practice::thousands;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
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
use chart::{WhatIfLine, chart, month_label};
use domain::account::UserRole;
use domain::role::Role;
use std::collections::BTreeMap;

pub(super) mod chart;

pub(crate) struct TableRow {
    month: String,
    /// Safe capacity with the drawn scenario and its margin over demand.
    what_if: Option<String>,
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
    /// The clinician types behind this category's capacity.
    types: String,
    /// Whether the chart draws the scenario (it changes this category's capacity).
    what_if_drawn: bool,
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
    team: Vec<TeamRow>,
    /// The scenario drawn on the charts.
    what_if_name: Option<String>,
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
    /// The page showing this scenario on the charts.
    show: String,
    drawn: bool,
    posts: String,
    gp_change: String,
    other_change: String,
    short_months: String,
    shortfall: String,
    cost: String,
}

/// One clinician type of the team on the page.
pub(crate) struct TeamRow {
    label: &'static str,
    people: usize,
    wte: String,
    sessions: String,
    appointments: String,
    counted_as: &'static str,
}

fn team_rows(view: &DemandCapacity) -> Vec<TeamRow> {
    view.team
        .iter()
        .map(|t| TeamRow {
            label: t.clinician.label(),
            people: t.people,
            wte: format!("{:.1}", t.wte),
            sessions: super::number((t.sessions_per_week * 2.0).round() / 2.0),
            appointments: if t.clinician.hcp_type().is_some() {
                thousands(t.appointments_a_month.round() as i64)
            } else {
                "none (phones, front desk and admin)".into()
            },
            counted_as: match t.clinician.hcp_type() {
                Some(GP) => "GP",
                Some(_) => "Other practice staff",
                None => "Not counted",
            },
        })
        .collect()
}

/// "Safe capacity by clinician type, a month on average over the months ahead: nurses
/// 1,234, pharmacists 456 and other direct patient care 789." — for a national category
/// that more than one type of the team meets.
fn team_line(view: &DemandCapacity, hcp: &str) -> String {
    use analytics::clinicians::ClinicianType;
    let parts: Vec<String> = view
        .team
        .iter()
        .filter(|t| t.clinician.hcp_type() == Some(hcp) && t.people > 0)
        .map(|t| {
            let name = match t.clinician {
                ClinicianType::Gp => "GPs",
                ClinicianType::Nurse => "nurses",
                ClinicianType::Pharmacist => "pharmacists",
                ClinicianType::OtherDirectPatientCare => "other direct patient care",
                ClinicianType::Admin => "admin",
            };
            format!(
                "{name} {}",
                thousands(t.appointments_a_month.round() as i64)
            )
        })
        .collect();
    match parts.as_slice() {
        [] | [_] => String::new(),
        [init @ .., last] => format!(
            "Safe capacity by clinician type, a month on average over the months ahead: {} and {last}.",
            init.join(", ")
        ),
    }
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

fn scenario_rows(effects: &[ScenarioEffect], base: &str, drawn: Option<&str>) -> Vec<ScenarioRow> {
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
                show: format!("{base}/demand?scenario={}#gp-appointments", e.id),
                drawn: drawn == Some(e.id.as_str()),
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
    /// The saved scenario to draw on the charts (the newest when none is named).
    #[serde(default)]
    scenario: Option<String>,
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
    chosen: Option<&str>,
) -> Result<Response, WebError> {
    let view = state
        .app
        .demand()
        .demand_capacity(&user.actor, scope.tenant())
        .await?;
    let effects = state
        .app
        .demand()
        .scenario_effects(scope.tenant(), &view)
        .await?;
    let ctx = page_ctx(&user.actor, &token, &format!("{}/demand", scope.base()));
    let drawn = chosen
        .and_then(|id| effects.iter().find(|e| e.id == id))
        .or(effects.last());
    let mut page = page(ctx, scope.caption(), scope.base(), view, drawn);
    page.scenarios = scenario_rows(&effects, &scope.base(), drawn.map(|e| e.id.as_str()));
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
        query.scenario.as_deref(),
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
        query.scenario.as_deref(),
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
        .demand()
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

/// One category's section (GP, or other practice staff): its summary, weeks, chart and
/// table; none when the view has no rows of it.
fn hcp_section(
    view: &DemandCapacity,
    drawn: Option<&ScenarioEffect>,
    hcp: &str,
    title: &'static str,
    id: &'static str,
) -> Option<HcpSection> {
    let rows: Vec<&GapRow> = view.rows.iter().filter(|r| r.hcp_type == hcp).collect();
    if rows.is_empty() {
        return None;
    }
    let forecast: Vec<&&GapRow> = rows.iter().filter(|r| r.forecast).collect();
    let short_months = forecast.iter().filter(|r| r.gap() < 0.0).count();
    let total_gap: f64 = forecast.iter().map(|r| r.gap()).sum();
    let summary = if short_months == 0 {
        format!(
            "Safe capacity covers the forecast in all {} months ahead.",
            forecast.len()
        )
    } else {
        let short = thousands(
            (-forecast
                .iter()
                .filter(|r| r.gap() < 0.0)
                .map(|r| r.gap())
                .sum::<f64>())
            .round() as i64,
        );
        if total_gap >= 0.0 {
            format!(
                "Short of safe capacity in {short_months} of the {} months ahead ({short} appointments in all); over the year safe capacity covers the forecast.",
                forecast.len(),
            )
        } else {
            format!(
                "Short of safe capacity in {short_months} of the {} months ahead: {short} appointments in all; over the year, about {} a week.",
                forecast.len(),
                thousands((-total_gap / (forecast.len() as f64 * 52.0 / 12.0)).round() as i64),
            )
        }
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
    let what_if = drawn.map(|e| WhatIfLine {
        name: &e.name,
        capacity: rows
            .iter()
            .map(|r| {
                let added: Vec<f64> = e
                    .added
                    .iter()
                    .filter(|(m, h, _)| *m == r.month && h == hcp)
                    .map(|(_, _, v)| *v)
                    .collect();
                (!added.is_empty()).then(|| (r.capacity + added.iter().sum::<f64>()).max(0.0))
            })
            .collect(),
    });
    // Drawn only on the charts whose capacity the scenario changes.
    let drawn_line = what_if.as_ref().filter(|w| {
        w.capacity
            .iter()
            .zip(&rows)
            .any(|(c, r)| c.is_some_and(|c| (c - r.capacity).abs() > 1e-9))
    });
    Some(HcpSection {
        title,
        id,
        weeks,
        chart: chart(title, id, &rows, drawn_line),
        what_if_drawn: drawn_line.is_some(),
        summary,
        types: team_line(view, hcp),
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, r)| TableRow {
                what_if: what_if
                    .as_ref()
                    .and_then(|w| w.capacity[i])
                    .map(|c| format!("{} ({})", thousands(c.round() as i64), signed(c - r.demand))),
                month: month_label(r.month),
                forecast: r.forecast,
                demand: thousands(r.demand.round() as i64),
                interval: match (r.lower_80, r.upper_80) {
                    (Some(l), Some(u)) => format!(
                        "{} to {}",
                        thousands(l.round() as i64),
                        thousands(u.round() as i64)
                    ),
                    _ => "recorded".into(),
                },
                capacity: thousands(r.capacity.round() as i64),
                gap: thousands(r.gap().round() as i64).replace('-', "−"),
                short: r.gap() < 0.0,
            })
            .collect(),
    })
}

fn page(
    ctx: PageCtx,
    caption: String,
    back: String,
    view: DemandCapacity,
    drawn: Option<&ScenarioEffect>,
) -> DemandPage {
    let sections = [
        (GP, "GP appointments", "gp-appointments"),
        (
            OTHER_STAFF,
            "Other practice staff appointments",
            "other-appointments",
        ),
    ]
    .into_iter()
    .filter_map(|(hcp, title, id)| hcp_section(&view, drawn, hcp, title, id))
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
        team: team_rows(&view),
        what_if_name: drawn.map(|e| e.name.clone()),
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

pub(crate) async fn practice_capacity(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
    CsrfForm(fields): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    match state
        .app
        .demand()
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
                None,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}
