//! The administrator's rate tables: maximum reimbursable amounts and £ per weighted patient.
use super::role_options;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use crate::pages::{FieldView, FormView, page_ctx};
use app::AppError;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::arrs::{Area, FinancialYear, RateForm, money};
use std::collections::BTreeMap;

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
    let view = state.app.funding().arrs_rates(&user.actor).await?;
    let page = RatesPage {
        ctx: page_ctx(&user.actor, &token, "/admin"),
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
    Query(done): Query<crate::pages::Done>,
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
    match state.app.funding().add_arrs_rate(&user.actor, &form).await {
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
        .funding()
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
