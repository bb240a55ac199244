//! The ARRS ledger pages: a PCN's year (months, headroom, warnings, posts, what-if), a
//! month's claim (draft, check, submit, export), the posts and their import, a person's
//! post form, and the administrator's rate tables.
mod claims;
mod posts;
mod rates;

pub(crate) use claims::{claim_action, claim_export, claim_page};
pub(crate) use posts::{post_form, post_save, posts_import, posts_page};
pub(crate) use rates::{rate_create, rates_page, sum_rate_save};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use crate::pages::{FieldView, FormView, page_ctx};
use app::AppError;
use app::funding::arrs::what_if::{WhatIfForm, WhatIfResult};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::arrs::{Area, FinancialYear, money};
use std::collections::BTreeMap;

pub(super) fn opt_money(value: Option<f64>) -> String {
    value.map(money).unwrap_or_else(|| "missing".into())
}

pub(super) fn status_words(status: &str) -> &'static str {
    match status {
        "draft" => "Draft",
        "checked" => "Checked",
        "submitted" => "Submitted (locked)",
        _ => "Not drafted",
    }
}

pub(crate) struct MonthRow {
    pub code: String,
    pub label: String,
    pub status: String,
    pub claimed: String,
    pub forecast: String,
}

pub(crate) struct PostRow {
    pub staff_id: String,
    pub name: String,
    pub role: String,
    pub band: String,
    pub wte: String,
    pub dates: String,
    pub engagement: String,
    pub monthly_cost: String,
    pub claimed: String,
    pub committed: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "arrs_ledger.html")]
pub(crate) struct LedgerPage {
    ctx: PageCtx,
    pcn_name: String,
    code: String,
    year: String,
    year_label: String,
    years: Vec<(String, String, bool)>,
    sum: String,
    sum_basis: String,
    claimed: String,
    committed: String,
    forecast: String,
    headroom: String,
    unclaimed: String,
    warnings: Vec<String>,
    flags: Vec<String>,
    months: Vec<MonthRow>,
    posts: Vec<PostRow>,
    settings: FormView,
    what_if: FormView,
    result: Option<WhatIfView>,
    done: String,
}

pub(crate) struct WhatIfView {
    pub title: String,
    pub rate: String,
    pub yearly_cost: String,
    pub cost: String,
    pub claim: String,
    pub headroom_before: String,
    pub headroom_after: String,
    pub gap: String,
    /// Room-sessions a week short at the PCN's sites before and after the post.
    pub rooms_short: Option<(u32, u32)>,
    /// What the post's sessions find, or why the effect cannot be shown.
    pub rooms: String,
    /// The post's sessions without a room: site, session, room kind, where one is free.
    pub unhoused: Vec<String>,
}

/// The post's unhoused sessions, one line a site and room kind: "Meadowbank: no consulting
/// room on Monday AM, Monday PM; other sites with one free in these sessions: Castle Street".
fn unhoused_lines(unhoused: &[app::estates::shortfall::UnhousedSession]) -> Vec<String> {
    const DAYS: [&str; 5] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
    let order = |session: &str| {
        let day = DAYS
            .iter()
            .position(|d| session.starts_with(d))
            .unwrap_or(5);
        (day, session.ends_with("PM"))
    };
    /// The sessions of a site and room kind, and the sites with one free in them.
    type Group<'a> = (Vec<&'a str>, Vec<&'a str>);
    let mut groups: BTreeMap<(&str, &str), Group> = BTreeMap::new();
    for u in unhoused {
        let entry = groups.entry((&u.site, &u.room_kind)).or_default();
        entry.0.push(&u.session);
        entry.1.extend(u.free_elsewhere.iter().map(String::as_str));
    }
    groups
        .into_iter()
        .map(|((site, kind), (mut sessions, mut free))| {
            sessions.sort_by_key(|s| order(s));
            free.sort();
            free.dedup();
            format!(
                "{site}: no {kind} room on {}{}",
                sessions.join(", "),
                if free.is_empty() {
                    ", and none free at another site then".to_string()
                } else {
                    format!(
                        "; other sites with one free in these sessions: {}",
                        free.join(", ")
                    )
                }
            )
        })
        .collect()
}

fn what_if_view(r: &WhatIfResult) -> WhatIfView {
    let gap = match (&r.gap, &r.gap_note) {
        (Some(g), _) => format!(
            "Forecast months short of safe capacity: {} before, {} after; appointments short over the forecast: {} before, {} after.",
            g.short_months_before,
            g.short_months_after,
            crate::pages::register::practice::thousands(g.shortfall_before.round() as i64),
            crate::pages::register::practice::thousands(g.shortfall_after.round() as i64)
        ),
        (None, Some(note)) => note.clone(),
        (None, None) => String::new(),
    };
    let (rooms, unhoused) = match (&r.rooms, &r.rooms_note) {
        (Some(e), _) => (
            if e.unhoused.is_empty() {
                "All the post's sessions find a room of their kind.".to_string()
            } else {
                format!(
                    "{} of the post's sessions a week find no room of their kind:",
                    e.unhoused.len()
                )
            },
            unhoused_lines(&e.unhoused),
        ),
        (None, Some(note)) => (note.clone(), Vec::new()),
        (None, None) => (String::new(), Vec::new()),
    };
    WhatIfView {
        title: format!(
            "{} WTE {} from {}",
            crate::pages::number(r.post.wte),
            r.post.role.label().to_lowercase(),
            r.post.from.label()
        ),
        rate: match &r.rate {
            Some(rate) => format!(
                "{} a WTE a year ({}), from {}",
                money(rate.annual_max),
                rate.source,
                crate::pages::long_date(rate.effective_from)
            ),
            None => format!(
                "No maximum rate for {} in {} is recorded: the post's claim counts as £0.",
                r.post.role.label(),
                r.year.label()
            ),
        },
        yearly_cost: money(r.yearly_cost),
        cost: money(r.cost_to_year_end),
        claim: money(r.claim_to_year_end),
        headroom_before: opt_money(r.headroom_before),
        headroom_after: opt_money(r.headroom_after),
        gap,
        rooms,
        rooms_short: r.rooms.as_ref().map(|e| (e.short_before, e.short_after)),
        unhoused,
    }
}

pub(super) fn role_options() -> Vec<(&'static str, &'static str)> {
    domain::role::Role::ALL
        .iter()
        .filter(|r| app::funding::arrs::posts::reimbursable(**r))
        .map(|r| (r.code(), r.label()))
        .collect()
}

fn what_if_fields(form: &WhatIfForm, sites: &[(String, String)]) -> Vec<FieldView> {
    vec![
        FieldView::new("role", "Role", "select", &form.role).options(role_options()),
        FieldView::new("wte", "WTE", "text", &form.wte)
            .hint("1 is 37.5 hours (or 9 GP sessions) a week")
            .width("nhsuk-input--width-4"),
        FieldView::new("from", "From month", "text", &form.from)
            .hint("Like 2026-01")
            .width("nhsuk-input--width-10"),
        FieldView::new(
            "yearly_cost",
            "Salary and on-costs a year (optional)",
            "text",
            &form.yearly_cost,
        )
        .hint("Leave blank to assume the role's maximum")
        .width("nhsuk-input--width-10"),
        FieldView::new("site", "Site", "select", &form.site)
            .hint("Where the post would work, for the rooms it needs; unchosen, the site with most rooms of its kind free")
            .options(sites.iter().map(|(v, l)| (v.as_str(), l.as_str()))),
    ]
}

fn settings_fields(population: &str, area: &str) -> Vec<FieldView> {
    vec![
        FieldView::new(
            "weighted_population",
            "Weighted population on 1 January before the year",
            "text",
            population,
        )
        .hint("The PCN's contractor weighted population (Carr-Hill), from the ICB")
        .width("nhsuk-input--width-10"),
        FieldView::new("area", "Area", "select", area)
            .options(Area::ALL.iter().map(|a| (a.code(), a.label()))),
    ]
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct LedgerQuery {
    #[serde(flatten)]
    what_if: WhatIfForm,
    #[serde(default)]
    done: String,
}

/// The PCN's name for a page's caption (its code when the actor cannot see it).
pub(crate) async fn pcn_name(
    state: &AppState,
    actor: &app::Actor,
    code: &str,
) -> Result<String, WebError> {
    let names = state.app.organisations().organisation_names(actor).await?;
    Ok(names
        .get(code)
        .cloned()
        .unwrap_or_else(|| format!("PCN {code}")))
}

pub(crate) async fn ledger_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path((code, year)): Path<(String, String)>,
    Query(query): Query<LedgerQuery>,
) -> Result<Response, WebError> {
    render_ledger(
        &state,
        &user,
        token,
        &code,
        &year,
        query,
        None,
        StatusCode::OK,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn render_ledger(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    code: &str,
    year: &str,
    query: LedgerQuery,
    settings_errors: Option<(domain::FieldErrors, String, String)>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let fy = FinancialYear::parse(year).map_err(|_| WebError::Page(AppError::NotFound))?;
    let ledger = state
        .app
        .funding()
        .arrs_ledger(&user.actor, code, fy)
        .await?;
    let sites = state
        .app
        .estates()
        .sites_of(&user.actor, app::Tenant::Pcn(code))
        .await?;
    let mut what_if = FormView::new(what_if_fields(&query.what_if, &sites));
    let mut result = None;
    if !query.what_if.is_empty() {
        match query.what_if.parse() {
            Ok((post, cost)) => {
                let r = state
                    .app
                    .funding()
                    .arrs_what_if(&user.actor, code, fy, &post, cost)
                    .await?;
                result = Some(what_if_view(&r));
            }
            Err(errors) => what_if = what_if.with_errors(&errors),
        }
    }
    let s = &ledger.summary;
    let settings = match settings_errors {
        Some((errors, population, area)) => {
            FormView::new(settings_fields(&population, &area)).with_errors(&errors)
        }
        None => FormView::new(settings_fields(
            &s.weighted_population
                .map(crate::pages::number)
                .unwrap_or_default(),
            s.area.code(),
        )),
    };
    let page = LedgerPage {
        pcn_name: pcn_name(state, &user.actor, code).await?,
        ctx: page_ctx(&user.actor, &token, &format!("/pcns/{code}")),
        code: code.to_string(),
        year: fy.code(),
        year_label: fy.label(),
        years: ledger
            .years
            .iter()
            .map(|y| (y.code(), y.label(), *y == fy))
            .collect(),
        sum: opt_money(s.sum),
        sum_basis: match (s.gbp_per_weighted_patient, s.weighted_population) {
            (Some(rate), Some(pop)) => format!(
                "£{rate} a weighted patient × {} weighted patients on 1 January {} ({})",
                crate::pages::number(pop),
                fy.0,
                s.sum_source.clone().unwrap_or_default()
            ),
            (Some(rate), None) => {
                format!("£{rate} a weighted patient × the weighted population (not entered)")
            }
            (None, _) => format!("The £ per weighted patient for {} is missing", fy.label()),
        },
        claimed: money(s.claimed),
        committed: money(s.committed),
        forecast: money(s.forecast),
        headroom: opt_money(s.headroom),
        unclaimed: opt_money(s.forecast_unclaimed),
        warnings: s.warnings.clone(),
        flags: ledger.flags.clone(),
        months: s
            .months
            .iter()
            .map(|m| MonthRow {
                code: m.month.to_string(),
                label: m.month.label(),
                status: status_words(&m.status).into(),
                claimed: money(m.claimed),
                forecast: money(m.forecast),
            })
            .collect(),
        posts: ledger
            .posts
            .iter()
            .map(|p| PostRow {
                staff_id: p.post.staff_id.clone(),
                name: p.post.name.clone(),
                role: p.post.role.label().into(),
                band: p.post.band.clone(),
                wte: crate::pages::number(p.post.wte),
                dates: match p.post.end {
                    Some(end) => format!("{} to {}", p.post.start, end),
                    None => format!("from {}", p.post.start),
                },
                engagement: p.post.engagement.label().into(),
                monthly_cost: money(p.post.monthly_cost()),
                claimed: money(p.claimed),
                committed: money(p.committed),
            })
            .collect(),
        settings,
        what_if,
        result,
        done: query.done,
    };
    Ok((status, token, page).into_response())
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct SettingsForm {
    #[serde(default)]
    weighted_population: String,
    #[serde(default)]
    area: String,
}

pub(crate) async fn settings_save(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path((code, year)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<Response, WebError> {
    let fy = FinancialYear::parse(&year).map_err(|_| WebError::Page(AppError::NotFound))?;
    match state
        .app
        .funding()
        .set_arrs_year(
            &user.actor,
            &code,
            fy,
            &form.weighted_population,
            &form.area,
        )
        .await
    {
        Ok(()) => Ok(
            Redirect::to(&format!("/pcns/{code}/arrs/{}?done=settings", fy.code())).into_response(),
        ),
        Err(AppError::Invalid(errors)) => {
            render_ledger(
                &state,
                &user,
                token,
                &code,
                &year,
                LedgerQuery::default(),
                Some((errors, form.weighted_population, form.area)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}
