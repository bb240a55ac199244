//! The ARRS ledger pages: a PCN's year (months, headroom, warnings, posts, what-if), a
//! month's claim (draft, check, submit, export), the posts and their import, a person's
//! post form, and the administrator's rate tables.
use super::{FieldView, FormView, page_ctx};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::{CsrfForm, UnreadMultipart};
use crate::error::WebError;
use crate::layout::PageCtx;
use app::AppError;
use app::arrs::what_if::{WhatIfForm, WhatIfResult};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_csrf::CsrfToken;
use domain::arrs::{Area, Engagement, FinancialYear, PostForm, RateForm, money};
use std::collections::BTreeMap;

fn opt_money(value: Option<f64>) -> String {
    value.map(money).unwrap_or_else(|| "missing".into())
}

fn status_words(status: &str) -> &'static str {
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
}

fn what_if_view(r: &WhatIfResult) -> WhatIfView {
    let gap = match (&r.gap, &r.gap_note) {
        (Some(g), _) => format!(
            "Forecast months short of safe capacity: {} before, {} after; appointments short over the forecast: {} before, {} after.",
            g.short_months_before,
            g.short_months_after,
            super::practice::thousands(g.shortfall_before.round() as i64),
            super::practice::thousands(g.shortfall_after.round() as i64)
        ),
        (None, Some(note)) => note.clone(),
        (None, None) => String::new(),
    };
    WhatIfView {
        title: format!(
            "{} WTE {} from {}",
            super::number(r.post.wte),
            r.post.role.label().to_lowercase(),
            r.post.from.label()
        ),
        rate: match &r.rate {
            Some(rate) => format!(
                "{} a WTE a year ({}), from {}",
                money(rate.annual_max),
                rate.source,
                super::long_date(rate.effective_from)
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
    }
}

fn role_options() -> Vec<(&'static str, &'static str)> {
    domain::role::Role::ALL
        .iter()
        .filter(|r| app::arrs::posts::reimbursable(**r))
        .map(|r| (r.code(), r.label()))
        .collect()
}

fn what_if_fields(form: &WhatIfForm) -> Vec<FieldView> {
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
    let ledger = state.app.arrs_ledger(&user.actor, code, fy).await?;
    let mut what_if = FormView::new(what_if_fields(&query.what_if));
    let mut result = None;
    if !query.what_if.is_empty() {
        match query.what_if.parse() {
            Ok((post, cost)) => {
                let r = state
                    .app
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
            &s.weighted_population.map(super::number).unwrap_or_default(),
            s.area.code(),
        )),
    };
    let page = LedgerPage {
        ctx: page_ctx(&user.actor, &token, &format!("/pcns/{code}"))?,
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
                super::number(pop),
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
                wte: super::number(p.post.wte),
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

pub(crate) struct LineView {
    pub name: String,
    pub role: String,
    pub wte: String,
    pub for_month: String,
    pub backdated: bool,
    pub actual_cost: String,
    pub maximum: String,
    pub share: String,
    pub claim: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "arrs_claim.html")]
pub(crate) struct ClaimPage {
    ctx: PageCtx,
    code: String,
    year: String,
    month: String,
    month_label: String,
    status: String,
    status_code: String,
    history: Vec<String>,
    lines: Vec<LineView>,
    total: String,
    missing: Vec<String>,
    claimable: bool,
    form: FormView,
    done: String,
}

pub(crate) async fn claim_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path((code, year, month)): Path<(String, String, String)>,
    Query(done): Query<super::Done>,
) -> Result<Response, WebError> {
    render_claim(
        &state,
        &user,
        token,
        &code,
        &year,
        &month,
        FormView::default(),
        done.done,
        StatusCode::OK,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn render_claim(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    code: &str,
    year: &str,
    month: &str,
    form: FormView,
    done: String,
    status: StatusCode,
) -> Result<Response, WebError> {
    let fy = FinancialYear::parse(year).map_err(|_| WebError::Page(AppError::NotFound))?;
    let view = state.app.arrs_claim(&user.actor, code, fy, month).await?;
    let mut history = Vec::new();
    if let Some(c) = &view.claim {
        history.push(format!(
            "Drafted {} by {}",
            app::clock::show_timestamp(&c.drafted_at),
            c.drafted_by
        ));
        if let (Some(at), Some(by)) = (&c.checked_at, &c.checked_by) {
            history.push(format!(
                "Checked {} by {by}",
                app::clock::show_timestamp(at)
            ));
        }
        if let (Some(at), Some(by)) = (&c.submitted_at, &c.submitted_by) {
            history.push(format!(
                "Submitted {} by {by}",
                app::clock::show_timestamp(at)
            ));
        }
    }
    let page = ClaimPage {
        ctx: page_ctx(&user.actor, &token, &format!("/pcns/{code}"))?,
        code: code.to_string(),
        year: fy.code(),
        month: view.month.to_string(),
        month_label: view.month.label(),
        status: status_words(&view.status).into(),
        status_code: view.status.clone(),
        history,
        lines: view
            .lines
            .iter()
            .map(|(name, l)| LineView {
                name: name.clone(),
                role: l.role.label().into(),
                wte: super::number(l.wte),
                for_month: l.for_month.label(),
                backdated: l.backdated,
                actual_cost: money(l.actual_cost),
                maximum: money(l.maximum),
                share: format!("{}%", (l.share * 100.0).round()),
                claim: money(l.claim),
            })
            .collect(),
        total: money(view.total),
        missing: view.missing.clone(),
        claimable: view.claimable,
        form,
        done,
    };
    Ok((status, token, page).into_response())
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct ClaimAction {
    #[serde(default)]
    action: String,
}

pub(crate) async fn claim_action(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path((code, year, month)): Path<(String, String, String)>,
    CsrfForm(form): CsrfForm<ClaimAction>,
) -> Result<Response, WebError> {
    let fy = FinancialYear::parse(&year).map_err(|_| WebError::Page(AppError::NotFound))?;
    let app = &state.app;
    let result = match form.action.as_str() {
        "check" => app.check_arrs_claim(&user.actor, &code, fy, &month).await,
        "submit" => app.submit_arrs_claim(&user.actor, &code, fy, &month).await,
        _ => app
            .draft_arrs_claim(&user.actor, &code, fy, &month)
            .await
            .map(|_| ()),
    };
    match result {
        Ok(()) => {
            let done = match form.action.as_str() {
                "check" => "checked",
                "submit" => "submitted",
                _ => "drafted",
            };
            Ok(Redirect::to(&format!(
                "/pcns/{code}/arrs/{}/claims/{month}?done={done}",
                fy.code()
            ))
            .into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let form = FormView {
                errors: errors
                    .0
                    .iter()
                    .map(|e| (String::new(), e.message.clone()))
                    .collect(),
                ..FormView::default()
            };
            render_claim(
                &state,
                &user,
                token,
                &code,
                &year,
                &month,
                form,
                String::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct ExportQuery {
    #[serde(default)]
    format: String,
}

pub(crate) async fn claim_export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((code, year, month)): Path<(String, String, String)>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, WebError> {
    let fy = FinancialYear::parse(&year).map_err(|_| WebError::Page(AppError::NotFound))?;
    let (name, bytes) = state
        .app
        .export_arrs_claim(&user.actor, &code, fy, &month, &query.format)
        .await?;
    let content_type = if name.ends_with(".xlsx") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "text/csv; charset=utf-8"
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "arrs_posts.html")]
pub(crate) struct PostsPage {
    ctx: PageCtx,
    code: String,
    year: String,
    posts: Vec<PostRow>,
    candidates: Vec<(String, String, String)>,
    summary: String,
    problems: Vec<String>,
    header: String,
}

async fn render_posts(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    code: &str,
    summary: String,
    problems: Vec<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let view = state.app.arrs_posts(&user.actor, code).await?;
    let page = PostsPage {
        ctx: page_ctx(&user.actor, &token, &format!("/pcns/{code}"))?,
        code: code.to_string(),
        year: FinancialYear::of(state.app.today()).code(),
        posts: view
            .posts
            .iter()
            .map(|p| PostRow {
                staff_id: p.staff_id.clone(),
                name: p.name.clone(),
                role: p.role.label().into(),
                band: p.band.clone(),
                wte: super::number(p.wte),
                dates: match p.end {
                    Some(end) => format!("{} to {}", p.start, end),
                    None => format!("from {}", p.start),
                },
                engagement: p.engagement.label().into(),
                monthly_cost: money(p.monthly_cost()),
                claimed: String::new(),
                committed: String::new(),
            })
            .collect(),
        candidates: view
            .candidates
            .iter()
            .map(|s| {
                (
                    s.id.clone(),
                    s.draft.name.clone(),
                    s.draft.role.label().to_string(),
                )
            })
            .collect(),
        summary,
        problems,
        header: import::POSTS_HEADER.join(","),
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn posts_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    render_posts(
        &state,
        &user,
        token,
        &code,
        String::new(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

pub(crate) async fn posts_import(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
    form: UnreadMultipart,
) -> Result<Response, WebError> {
    // The right to change the PCN's posts is checked before the file is read.
    if let Err(e) = state.app.arrs_may_manage(&user.actor, &code).await {
        form.discard(crate::limits::IMPORT_BODY_LIMIT).await;
        return Err(e.into());
    }
    let mut form = form.read(&state, crate::limits::IMPORT_FILE_LIMIT).await?;
    let file = form
        .files
        .remove("file")
        .filter(|f| !f.file_name.is_empty() || !f.bytes.is_empty());
    let Some(file) = file else {
        let problems = vec!["Choose a CSV file of posts to import".to_string()];
        return render_posts(
            &state,
            &user,
            token,
            &code,
            String::new(),
            problems,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match state
        .app
        .import_arrs_posts(&user.actor, &code, &file.file_name, &file.bytes)
        .await
    {
        Ok(n) => {
            render_posts(
                &state,
                &user,
                token,
                &code,
                format!("Stored {n} posts from {}.", file.file_name),
                Vec::new(),
                StatusCode::OK,
            )
            .await
        }
        Err(AppError::Import(report)) => {
            let problems = report.to_string().lines().map(str::to_string).collect();
            render_posts(
                &state,
                &user,
                token,
                &code,
                String::new(),
                problems,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "arrs_post_form.html")]
pub(crate) struct PostFormPage {
    ctx: PageCtx,
    id: String,
    name: String,
    role: String,
    register: String,
    pcn: String,
    form: FormView,
}

fn post_fields(form: &PostForm) -> Vec<FieldView> {
    vec![
        FieldView::new("band", "Agenda for Change band", "text", &form.band)
            .hint("As the rate table names it, like 5 or 7–8a; leave blank for a role with one band")
            .width("nhsuk-input--width-5"),
        FieldView::new("hours_per_week", "Contracted hours a week", "text", &form.hours_per_week)
            .hint("WTE = hours ÷ 37.5. Leave blank to use GP sessions or the register's WTE")
            .width("nhsuk-input--width-5"),
        FieldView::new("gp_sessions", "GP sessions a week", "text", &form.gp_sessions)
            .hint("For GPs: WTE = sessions ÷ 9")
            .width("nhsuk-input--width-5"),
        FieldView::new("engagement", "Engagement", "select", &form.engagement)
            .options(Engagement::ALL.iter().map(|e| (e.code(), e.label()))),
        FieldView::new("monthly_salary", "Actual monthly salary (£)", "text", &form.monthly_salary)
            .width("nhsuk-input--width-10"),
        FieldView::new("employer_ni", "Employer National Insurance a month (£)", "text", &form.employer_ni)
            .width("nhsuk-input--width-10"),
        FieldView::new("employer_pension", "Employer pension a month (£)", "text", &form.employer_pension)
            .width("nhsuk-input--width-10"),
        FieldView::new("previous_post_ended", "Last day in an earlier post in the PCN or a member practice (if any)", "date", &form.previous_post_ended)
            .hint("For the additionality rule: a 2025/26 nursing post or healthcare support worker within 12 months is flagged"),
    ]
}

fn form_of(post: &domain::arrs::Post) -> PostForm {
    PostForm {
        band: post.band.clone(),
        hours_per_week: super::number((post.wte * 37.5 * 100.0).round() / 100.0),
        gp_sessions: String::new(),
        wte: String::new(),
        engagement: post.engagement.code().into(),
        monthly_salary: format!("{:.2}", post.monthly_salary),
        employer_ni: format!("{:.2}", post.employer_ni),
        employer_pension: format!("{:.2}", post.employer_pension),
        previous_post_ended: post
            .previous_post_ended
            .map(|d| d.to_string())
            .unwrap_or_default(),
    }
}

async fn render_post_form(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    id: &str,
    typed: Option<(PostForm, domain::FieldErrors)>,
) -> Result<Response, WebError> {
    let edit = state.app.arrs_post(&user.actor, id).await?;
    let (form, status) = match typed {
        Some((form, errors)) => (
            FormView::new(post_fields(&form)).with_errors(&errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        None => (
            FormView::new(post_fields(
                &edit.post.as_ref().map(form_of).unwrap_or_default(),
            )),
            StatusCode::OK,
        ),
    };
    let d = &edit.person.draft;
    let page = PostFormPage {
        ctx: page_ctx(&user.actor, &token, &format!("/pcns/{}", edit.pcn))?,
        id: id.to_string(),
        name: d.name.clone(),
        role: d.role.label().into(),
        register: format!(
            "{} WTE in the register, employed by {}, from {}{}",
            super::number(d.wte),
            d.employer.code(),
            d.start_date,
            d.end_date.map(|e| format!(" to {e}")).unwrap_or_default()
        ),
        pcn: edit.pcn,
        form,
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn post_form(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    render_post_form(&state, &user, token, &id, None).await
}

pub(crate) async fn post_save(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<PostForm>,
) -> Result<Response, WebError> {
    match state.app.save_arrs_post(&user.actor, &id, &form).await {
        Ok(pcn) => Ok(Redirect::to(&format!("/pcns/{pcn}/arrs-posts")).into_response()),
        Err(AppError::Invalid(errors)) => {
            render_post_form(&state, &user, token, &id, Some((form, errors))).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "arrs_rates.html")]
pub(crate) struct RatesPage {
    ctx: PageCtx,
    rates: Vec<Vec<String>>,
    sum_rates: Vec<Vec<String>>,
    rate_form: FormView,
    sum_form: FormView,
    done: String,
}

fn rate_fields(form: &RateForm) -> Vec<FieldView> {
    vec![
        FieldView::new("role", "Role", "select", &form.role).options(role_options()),
        FieldView::new("band", "Band", "text", &form.band).width("nhsuk-input--width-5"),
        FieldView::new("area", "Area", "select", if form.area.is_empty() { "national" } else { &form.area })
            .options(Area::ALL.iter().map(|a| (a.code(), a.label()))),
        FieldView::new("annual_max", "Maximum a WTE a year, with employer NI and pension (£)", "text", &form.annual_max)
            .width("nhsuk-input--width-10"),
        FieldView::new("share", "Funding share", "text", &form.share)
            .hint("100% unless jointly funded, like 50% for a mental health practitioner with the trust")
            .width("nhsuk-input--width-5"),
        FieldView::new("effective_from", "Takes effect from", "date", &form.effective_from)
            .hint("A rise announced on 1 August and backdated to 1 April takes effect from 1 April"),
        FieldView::new("source", "Source", "text", &form.source)
            .hint("The document or page and its date, like Network Contract DES 2025/26 Table 2"),
    ]
}

fn sum_fields(fields: &BTreeMap<String, String>) -> Vec<FieldView> {
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    vec![
        FieldView::new("sum_year", "Financial year", "text", &get("sum_year"))
            .hint("Like 2026-27")
            .width("nhsuk-input--width-10"),
        FieldView::new(
            "sum_gbp_per_weighted_patient",
            "£ per weighted patient",
            "text",
            &get("sum_gbp_per_weighted_patient"),
        )
        .width("nhsuk-input--width-10"),
        FieldView::new("sum_source", "Source", "text", &get("sum_source")),
    ]
}

async fn render_rates(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    rate_form: FormView,
    sum_form: FormView,
    done: String,
    status: StatusCode,
) -> Result<Response, WebError> {
    let view = state.app.arrs_rates(&user.actor).await?;
    let page = RatesPage {
        ctx: page_ctx(&user.actor, &token, "/admin")?,
        rates: view
            .rates
            .iter()
            .map(|r| {
                vec![
                    r.rate.role.label().to_string(),
                    r.rate.band.clone(),
                    r.rate.area.label().to_string(),
                    FinancialYear::of(r.rate.effective_from).label(),
                    r.rate.effective_from.to_string(),
                    money(r.rate.annual_max),
                    format!("{}%", (r.rate.share * 100.0).round()),
                    r.rate.source.clone(),
                    format!(
                        "{} by {}",
                        &r.rate.created_at[..10.min(r.rate.created_at.len())],
                        r.created_by
                    ),
                ]
            })
            .collect(),
        sum_rates: view
            .sum_rates
            .iter()
            .map(|r| {
                vec![
                    r.year.label(),
                    format!("£{}", r.gbp_per_weighted_patient),
                    r.source.clone(),
                ]
            })
            .collect(),
        rate_form,
        sum_form,
        done,
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn rates_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Query(done): Query<super::Done>,
) -> Result<Response, WebError> {
    let rate_form = FormView::new(rate_fields(&RateForm::default()));
    let sum_form = FormView::new(sum_fields(&BTreeMap::new()));
    render_rates(
        &state,
        &user,
        token,
        rate_form,
        sum_form,
        done.done,
        StatusCode::OK,
    )
    .await
}

pub(crate) async fn rate_create(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    CsrfForm(form): CsrfForm<RateForm>,
) -> Result<Response, WebError> {
    match state.app.add_arrs_rate(&user.actor, &form).await {
        Ok(_) => Ok(Redirect::to("/admin/arrs-rates?done=rate").into_response()),
        Err(AppError::Invalid(errors)) => {
            let rate_form = FormView::new(rate_fields(&form)).with_errors(&errors);
            let sum_form = FormView::new(sum_fields(&BTreeMap::new()));
            render_rates(
                &state,
                &user,
                token,
                rate_form,
                sum_form,
                String::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

pub(crate) async fn sum_rate_save(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    CsrfForm(fields): CsrfForm<BTreeMap<String, String>>,
) -> Result<Response, WebError> {
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    match state
        .app
        .set_arrs_sum_rate(
            &user.actor,
            &get("sum_year"),
            &get("sum_gbp_per_weighted_patient"),
            &get("sum_source"),
        )
        .await
    {
        Ok(()) => Ok(Redirect::to("/admin/arrs-rates?done=sum").into_response()),
        Err(AppError::Invalid(errors)) => {
            let rate_form = FormView::new(rate_fields(&RateForm::default()));
            let sum_form = FormView::new(sum_fields(&fields)).with_prefixed_errors(&errors, "sum_");
            render_rates(
                &state,
                &user,
                token,
                rate_form,
                sum_form,
                String::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}
