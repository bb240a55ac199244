//! The ARRS part of the JSON API: a PCN's year (aggregates an ICS viewer may read too) and
//! a month's claim lines (the PCN manager).
use crate::api::{ApiResult, api};
use crate::auth::CurrentUser;
use crate::{AppState, Routes};
use axum::Json;
use axum::extract::{Path, State};
use axum::routing::get;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .get("/api/pcns/{code}/arrs/{year}", get(year))
        .get("/api/pcns/{code}/arrs/{year}/claims/{month}", get(claim))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ArrsMonthDto {
    /// `YYYY-MM`.
    month: String,
    /// `none`, `draft`, `checked` or `submitted`.
    status: String,
    /// The submitted claim's total in £ (0 until submitted).
    claimed: f64,
    /// What current posts claim for the month at the rates in force, or the submitted total.
    forecast: f64,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ArrsYearDto {
    pcn: String,
    /// `2025-26`.
    year: String,
    /// £ per weighted patient × weighted population; `null` while either is missing.
    sum: Option<f64>,
    /// Submitted claims, £.
    claimed: f64,
    /// Months not yet submitted from current posts, and backdated differences owed, £.
    committed: f64,
    /// `sum − claimed − committed`; `null` without a sum.
    headroom: Option<f64>,
    /// What the forecast leaves unclaimed on 31 March, £.
    forecast_unclaimed: Option<f64>,
    warnings: Vec<String>,
    months: Vec<ArrsMonthDto>,
}

#[utoipa::path(get, path = "/api/pcns/{code}/arrs/{year}",
    params(("code" = String, Path, description = "PCN code"), ("year" = String, Path, description = "financial year like 2025-26")),
    responses((status = 200, body = ArrsYearDto, description = "the PCN's ARRS year: no personal data"),
        (status = 401), (status = 403), (status = 404),
        (status = 422, description = "`year` is not a financial year like 2025-26")))]
async fn year(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((code, year)): Path<(String, String)>,
) -> ApiResult<Json<ArrsYearDto>> {
    state
        .app
        .funding()
        .arrs_may_view_aggregates(&user.actor, &code)
        .await
        .map_err(api)?;
    let year = app::funding::arrs::parse_year(&year).map_err(api)?;
    let s = state
        .app
        .funding()
        .arrs_summary(&user.actor, &code, year)
        .await
        .map_err(api)?;
    Ok(Json(ArrsYearDto {
        pcn: s.pcn,
        year: s.year.code(),
        sum: s.sum,
        claimed: s.claimed,
        committed: s.committed,
        headroom: s.headroom,
        forecast_unclaimed: s.forecast_unclaimed,
        warnings: s.warnings,
        months: s
            .months
            .into_iter()
            .map(|m| ArrsMonthDto {
                month: m.month.to_string(),
                status: m.status,
                claimed: m.claimed,
                forecast: m.forecast,
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ClaimLineDto {
    staff_id: String,
    role: String,
    wte: f64,
    /// The month the line pays for (`YYYY-MM`): earlier than the claim's for a backdated line.
    for_month: String,
    /// Salary + employer NI + employer pension, pro rata, £.
    actual_cost: f64,
    /// Annual maximum × WTE ÷ 12, pro rata, £.
    maximum: f64,
    /// Funding share, 0–1.
    share: f64,
    claim: f64,
    /// A difference owed for a month already submitted, after a rate change backdated to it.
    backdated: bool,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ClaimDto {
    /// `YYYY-MM`.
    month: String,
    /// `none` (not drafted: the lines a draft would hold), `draft`, `checked` or `submitted`.
    status: String,
    lines: Vec<ClaimLineDto>,
    total: f64,
}

#[utoipa::path(get, path = "/api/pcns/{code}/arrs/{year}/claims/{month}",
    params(("code" = String, Path, description = "PCN code"), ("year" = String, Path, description = "financial year like 2025-26"),
        ("month" = String, Path, description = "month of the year like 2025-07")),
    responses((status = 200, body = ClaimDto, description = "the month's claim lines"),
        (status = 401), (status = 403), (status = 404),
        (status = 422, description = "`year` or `month` is not valid, or the month is outside the year")))]
async fn claim(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((code, year, month)): Path<(String, String, String)>,
) -> ApiResult<Json<ClaimDto>> {
    state
        .app
        .funding()
        .arrs_may_view(&user.actor, &code)
        .await
        .map_err(api)?;
    let year = app::funding::arrs::parse_year(&year).map_err(api)?;
    let view = state
        .app
        .funding()
        .arrs_claim(&user.actor, &code, year, &month)
        .await
        .map_err(api)?;
    Ok(Json(ClaimDto {
        month: view.month.to_string(),
        status: view.status,
        total: view.total,
        lines: view
            .lines
            .into_iter()
            .map(|(_, l)| ClaimLineDto {
                staff_id: l.staff_id,
                role: l.role.code().into(),
                wte: l.wte,
                for_month: l.for_month.to_string(),
                actual_cost: l.actual_cost,
                maximum: l.maximum,
                share: l.share,
                claim: l.claim,
                backdated: l.backdated,
            })
            .collect(),
    }))
}

#[derive(OpenApi)]
#[openapi(paths(year, claim))]
pub(crate) struct ArrsDoc;
