//! A month's claim: draft, check, submit, export.
use super::status_words;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use crate::pages::{FormView, page_ctx};
use app::AppError;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::arrs::{FinancialYear, money};

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
    pcn_name: String,
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
    Query(done): Query<crate::pages::Done>,
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
    let view = state
        .app
        .funding()
        .arrs_claim(&user.actor, code, fy, month)
        .await?;
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
        pcn_name: super::pcn_name(state, &user.actor, code).await?,
        ctx: page_ctx(&user.actor, &token, &format!("/pcns/{code}")),
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
                wte: crate::pages::number(l.wte),
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
        "check" => {
            app.funding()
                .check_arrs_claim(&user.actor, &code, fy, &month)
                .await
        }
        "submit" => {
            app.funding()
                .submit_arrs_claim(&user.actor, &code, fy, &month)
                .await
        }
        _ => app
            .funding()
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
        .funding()
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
