//! Practice income in the JSON API: a practice's NHS payment lines by financial year, and a
//! PCN's totals per year for its member practices. Amounts are pounds to the penny, as
//! NHS Digital publishes them.
use crate::api::{ApiResult, api};
use crate::auth::CurrentUser;
use crate::{AppState, Routes};
use app::funding::payments::{PaymentYear, PcnPaymentYear};
use axum::Json;
use axum::extract::{Path, State};
use axum::routing::get;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .get("/api/practices/{ods}/payments", get(practice_payments))
        .get("/api/pcns/{code}/payments", get(pcn_payments))
}

fn pounds(pence: i64) -> f64 {
    pence as f64 / 100.0
}

fn rounded(value: Option<f64>) -> Option<f64> {
    value.map(|v| (v * 100.0).round() / 100.0)
}

#[derive(Serialize, ToSchema)]
pub(crate) struct PaymentLineDto {
    /// The column's name as published, like `Global Sum`.
    name: String,
    /// `line` (part of the total), `outside` (deductions, PCN and COVID-19 payments) or
    /// `total` (another of the publisher's totals).
    kind: String,
    /// Pounds.
    amount: f64,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct PaymentYearDto {
    /// The financial year, like `2022-23`.
    year: String,
    /// "Total NHS Payments to General Practice", pounds.
    total: f64,
    registered_patients: Option<f64>,
    weighted_patients: Option<f64>,
    /// Pounds per registered patient (none without patients).
    per_patient: Option<f64>,
    per_weighted_patient: Option<f64>,
    /// The practice as the file names it: a real practice standing in for a demo one.
    published_code: String,
    published_name: String,
    file_name: String,
    /// Every money column of the year's file, in the file's order.
    lines: Vec<PaymentLineDto>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct PracticePaymentsDto {
    ods_code: String,
    name: String,
    /// Oldest first.
    years: Vec<PaymentYearDto>,
}

fn year_dto(y: &PaymentYear) -> PaymentYearDto {
    PaymentYearDto {
        year: y.year.code(),
        total: pounds(y.total_pence),
        registered_patients: y.registered_patients,
        weighted_patients: y.weighted_patients,
        per_patient: rounded(y.per_patient()),
        per_weighted_patient: rounded(y.per_weighted_patient()),
        published_code: y.published_code.clone(),
        published_name: y.published_name.clone(),
        file_name: y.file_name.clone(),
        lines: y
            .lines
            .iter()
            .map(|l| PaymentLineDto {
                name: l.name.clone(),
                kind: l.kind.code().into(),
                amount: pounds(l.pence),
            })
            .collect(),
    }
}

#[utoipa::path(get, path = "/api/practices/{ods}/payments",
    params(("ods" = String, Path, description = "the practice's ODS code")),
    responses((status = 200, body = PracticePaymentsDto, description = "the practice's NHS payments by financial year"),
        (status = 401), (status = 403, description = "not a manager of this practice"), (status = 404)))]
async fn practice_payments(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(ods): Path<String>,
) -> ApiResult<Json<PracticePaymentsDto>> {
    let p = state
        .app
        .funding()
        .practice_payments(&user.actor, &ods)
        .await
        .map_err(api)?;
    Ok(Json(PracticePaymentsDto {
        years: p.years.iter().map(year_dto).collect(),
        ods_code: p.ods_code,
        name: p.name,
    }))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct MemberTotalDto {
    ods_code: String,
    name: String,
    /// Pounds; none when the practice is not in that year's file.
    total: Option<f64>,
    registered_patients: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct PcnPaymentYearDto {
    year: String,
    /// The member practices' totals added up, pounds.
    total: f64,
    /// Patients of the practices with figures that year.
    registered_patients: f64,
    weighted_patients: f64,
    per_patient: Option<f64>,
    per_weighted_patient: Option<f64>,
    practices: Vec<MemberTotalDto>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct PcnPaymentsDto {
    code: String,
    name: String,
    /// Oldest first, for today's member practices.
    years: Vec<PcnPaymentYearDto>,
}

fn pcn_year_dto(y: &PcnPaymentYear) -> PcnPaymentYearDto {
    PcnPaymentYearDto {
        year: y.year.code(),
        total: pounds(y.total_pence),
        registered_patients: y.registered_patients,
        weighted_patients: y.weighted_patients,
        per_patient: rounded(y.per_patient()),
        per_weighted_patient: rounded(y.per_weighted_patient()),
        practices: y
            .practices
            .iter()
            .map(|p| MemberTotalDto {
                ods_code: p.ods_code.clone(),
                name: p.name.clone(),
                total: p.total_pence.map(pounds),
                registered_patients: p.registered_patients,
            })
            .collect(),
    }
}

#[utoipa::path(get, path = "/api/pcns/{code}/payments",
    params(("code" = String, Path, description = "the PCN's code")),
    responses((status = 200, body = PcnPaymentsDto, description = "the member practices' NHS payments by financial year"),
        (status = 401), (status = 403, description = "neither a manager of this PCN nor a viewer of its ICS"), (status = 404)))]
async fn pcn_payments(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> ApiResult<Json<PcnPaymentsDto>> {
    let p = state
        .app
        .funding()
        .pcn_payments(&user.actor, &code)
        .await
        .map_err(api)?;
    Ok(Json(PcnPaymentsDto {
        years: p.years.iter().map(pcn_year_dto).collect(),
        code: p.code,
        name: p.name,
    }))
}

#[derive(OpenApi)]
#[openapi(paths(practice_payments, pcn_payments))]
pub(crate) struct PaymentsDoc;
