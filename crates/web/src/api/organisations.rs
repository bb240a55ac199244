//! The organisations part of the JSON API: the practices a user can see, a PCN's overview,
//! the ICS's aggregate counts (no personal data), and for the system administrator ICSs,
//! PCNs, a practice's PCN from a date, and the imports with the file as the request body.
//!
//! An import's body is the file itself, so it cannot be JSON; it must be sent as `text/csv`
//! or the XLSX type. A cross-site form can send neither (only urlencoded, multipart and
//! `text/plain`), so these types stand in for the CSRF token as JSON does elsewhere.
use super::register::{StaffDto, staff_dto};
use super::{ApiResult, api};
use crate::auth::CurrentUser;
use crate::error::{public_message, status_of};
use crate::input::ApiJson;
use crate::{AppState, Routes};
use app::AppError;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .get("/api/practices", get(practices))
        .get("/api/pcns/{code}", get(pcn))
        .get("/api/system", get(system))
        .post("/api/ics", post(create_ics))
        .post("/api/pcns", post(create_pcn))
        .put("/api/practices/{ods}/pcn", put(set_pcn))
        .upload(
            "/api/imports/{kind}",
            post(import_file),
            crate::limits::IMPORT_BODY_LIMIT,
        )
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub(crate) struct IcsInput {
    /// The ICB's ODS code, like `QJG`.
    code: String,
    name: String,
}

#[utoipa::path(post, path = "/api/ics", request_body = IcsInput,
    responses((status = 201, body = IcsInput, description = "the ICS was added"), (status = 403),
        (status = 422, description = "problems by field: a bad code, a code or name already used")))]
async fn create_ics(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<IcsInput>,
) -> ApiResult<Response> {
    state
        .app
        .organisations()
        .create_ics(Some(&user.actor), &body.code, &body.name)
        .await
        .map_err(api)?;
    let body = IcsInput {
        code: body.code.trim().to_ascii_uppercase(),
        name: body.name.trim().to_string(),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub(crate) struct PcnInput {
    /// `U` and five digits.
    code: String,
    name: String,
    /// The ICS's code or name.
    ics: String,
}

#[utoipa::path(post, path = "/api/pcns", request_body = PcnInput,
    responses((status = 201, body = PcnInput, description = "the PCN was added"), (status = 403),
        (status = 422, description = "problems by field")))]
async fn create_pcn(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<PcnInput>,
) -> ApiResult<Response> {
    state
        .app
        .organisations()
        .create_pcn(Some(&user.actor), &body.code, &body.name, &body.ics)
        .await
        .map_err(api)?;
    let body = PcnInput {
        code: body.code.trim().to_ascii_uppercase(),
        name: body.name.trim().to_string(),
        ics: body.ics.trim().to_string(),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub(crate) struct MembershipInput {
    /// The PCN's code or name.
    pcn: String,
    /// `YYYY-MM-DD`: the first day in the PCN. A move closes the current membership the
    /// day before; it must start after the current membership's first day.
    from: String,
}

#[utoipa::path(put, path = "/api/practices/{ods}/pcn", request_body = MembershipInput,
    params(("ods" = String, Path, description = "the practice's ODS code")),
    responses((status = 204, description = "the membership was recorded"), (status = 403),
        (status = 422, description = "problems by field: an unknown PCN, a bad or backdated date, a PCN of another ICS")))]
async fn set_pcn(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(ods): Path<String>,
    ApiJson(body): ApiJson<MembershipInput>,
) -> ApiResult<StatusCode> {
    state
        .app
        .organisations()
        .set_practice_pcn(Some(&user.actor), &ods, &body.pcn, &body.from)
        .await
        .map_err(api)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub(crate) struct ImportParams {
    /// For `staff`: the practice the file is for (every row must work there).
    practice: Option<String>,
    /// For `pcn-membership`: the ICS (code or name) of PCNs gpteam does not have yet.
    ics: Option<String>,
    /// For `payments`: the financial year the file covers, like `2022-23` (the body has no
    /// file name to say it).
    year: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ImportSummaryDto {
    /// The command line's summary line, such as `created 3 PCNs, linked 10, unmatched 2`.
    summary: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct RowProblemDto {
    /// The row as a spreadsheet numbers it (the header is row 1); none for the whole file.
    row: Option<usize>,
    /// The name on the row (team register files), so the row is found by who it is.
    person: Option<String>,
    field: Option<String>,
    message: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ImportProblemsDto {
    error: String,
    problems: Vec<RowProblemDto>,
}

fn refused(error: AppError) -> Response {
    match error {
        AppError::Import(report) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(ImportProblemsDto {
                error: "the file was not imported and nothing was changed".into(),
                problems: report
                    .problems
                    .into_iter()
                    .map(|p| RowProblemDto {
                        row: p.row,
                        person: p.person,
                        field: p.field,
                        message: p.message,
                    })
                    .collect(),
            }),
        )
            .into_response(),
        other => {
            let status = status_of(&other);
            let fields = match &other {
                AppError::Invalid(errors) => serde_json::to_value(&errors.0).unwrap_or_default(),
                _ => serde_json::Value::Array(Vec::new()),
            };
            (
                status,
                Json(serde_json::json!({ "error": public_message(&other), "fields": fields })),
            )
                .into_response()
        }
    }
}

/// The file's extension for the declared content type, once the user may run this import;
/// otherwise the answer refusing it.
fn check_import(
    user: &CurrentUser,
    kind: &str,
    headers: &HeaderMap,
) -> Result<&'static str, Box<Response>> {
    let rights = app::imports::import_rights(&user.actor);
    let allowed = match kind {
        "staff" => rights.staff,
        "ods-practices" | "list-sizes" | "appointments" | "pcn-membership" | "payments" => {
            rights.reference
        }
        _ => return Err(Box::new(refused(AppError::NotFound))),
    };
    if !allowed {
        return Err(Box::new(refused(AppError::Forbidden)));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match content_type.as_str() {
        "text/csv" | "application/csv" => Ok("csv"),
        XLSX => Ok("xlsx"),
        _ => Err(Box::new(
            (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Json(serde_json::json!({
                "error": "send the file as text/csv (or, for staff and pcn-membership, as XLSX)",
                "fields": []
            })),
        )
            .into_response(),
        )),
    }
}

#[utoipa::path(post, path = "/api/imports/{kind}",
    params(("kind" = String, Path, description = "ods-practices, list-sizes, appointments, pcn-membership, payments or staff"), ImportParams),
    request_body(content = Vec<u8>, content_type = "text/csv", description = "the file as published; XLSX (`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`) for staff and pcn-membership"),
    responses((status = 200, body = ImportSummaryDto), (status = 403, description = "this role may not run this import"),
        (status = 404, description = "no such import"), (status = 413, description = "the file is larger than 20 MB"), (status = 415, description = "the body is not sent as text/csv or XLSX"),
        (status = 422, body = ImportProblemsDto, description = "every problem by row and field; nothing was stored")))]
async fn import_file(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(kind): Path<String>,
    Query(params): Query<ImportParams>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // Who may run which import is known before the file is read; a refusal is answered
    // once the body has arrived (thrown away), so the sender sees it.
    let checked = check_import(&user, &kind, &headers);
    let extension = match checked {
        Ok(extension) => extension,
        Err(refusal) => {
            crate::limits::discard(body, crate::limits::IMPORT_BODY_LIMIT).await;
            return *refusal;
        }
    };
    let file_name = format!("{kind}.{extension}");
    let limit = crate::limits::IMPORT_FILE_LIMIT;
    let Some(body) = read_file(body, limit).await else {
        return crate::error::api_error_body(
            StatusCode::PAYLOAD_TOO_LARGE,
            &crate::limits::file_too_large_words(&file_name, limit),
            serde_json::Value::Array(Vec::new()),
        );
    };
    let app = &state.app;
    let actor = Some(&user.actor);
    let summary = match kind.as_str() {
        "ods-practices" => app
            .imports()
            .import_ods_practices(actor, &file_name, &body)
            .await
            .map(|s| s.to_string()),
        "list-sizes" => app
            .imports()
            .import_list_sizes(actor, &file_name, &body)
            .await
            .map(|s| s.to_string()),
        "appointments" => app
            .demand()
            .import_appointments(actor, &file_name, std::io::Cursor::new(body))
            .await
            .map(|s| s.to_string()),
        "pcn-membership" => app
            .organisations()
            .import_pcn_membership(actor, &file_name, &body, params.ics.as_deref())
            .await
            .map(|s| s.to_string()),
        "payments" => app
            .funding()
            .import_payments(actor, &file_name, &body, params.year.as_deref())
            .await
            .map(|s| s.to_string()),
        "staff" => match params.practice.as_deref().map(str::trim) {
            Some(ods) if !ods.is_empty() => app
                .imports()
                .import_staff_for_practice(
                    &user.actor,
                    &ods.to_ascii_uppercase(),
                    &file_name,
                    &body,
                )
                .await
                .map(|s| s.to_string()),
            _ => Err(AppError::Invalid(
                domain::FieldError::new(
                    "practice",
                    "Give the practice the file is for: ?practice=ODS",
                )
                .into(),
            )),
        },
        _ => Err(AppError::NotFound),
    };
    match summary {
        Ok(summary) => Json(ImportSummaryDto { summary }).into_response(),
        Err(error) => refused(error),
    }
}

/// The file, when it is at most `limit` bytes. A larger one is read on to the route's body
/// limit and thrown away, so that its sender sees the answer rather than a reset connection.
async fn read_file(mut body: Body, limit: usize) -> Option<Vec<u8>> {
    use http_body_util::BodyExt;
    let mut bytes = Vec::new();
    let mut seen = 0usize;
    while let Some(Ok(frame)) = body.frame().await {
        let Ok(chunk) = frame.into_data() else {
            continue;
        };
        seen += chunk.len();
        if seen > crate::limits::IMPORT_BODY_LIMIT {
            return None;
        }
        if seen <= limit {
            bytes.extend_from_slice(&chunk);
        }
    }
    (seen <= limit).then_some(bytes)
}

#[derive(Serialize, ToSchema)]
pub(crate) struct PracticeDto {
    ods_code: String,
    name: String,
    postcode: String,
    list_size: Option<i64>,
    list_size_date: Option<String>,
    pcn_code: Option<String>,
}

fn practice_dto(p: &store::organisations::PracticeRecord) -> PracticeDto {
    PracticeDto {
        ods_code: p.ods_code.clone(),
        name: p.name.clone(),
        postcode: p.postcode.clone(),
        list_size: p.list_size,
        list_size_date: p.list_size_date.clone(),
        pcn_code: p.pcn_code.clone(),
    }
}

#[utoipa::path(get, path = "/api/practices", responses((status = 200, body = [PracticeDto], description = "the practices the user can see")))]
async fn practices(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Vec<PracticeDto>>> {
    let list = state
        .app
        .organisations()
        .visible_practices(&user.actor)
        .await
        .map_err(api)?;
    Ok(Json(list.iter().map(practice_dto).collect()))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct GroupDto {
    /// `gp`, `nurses`, `direct_patient_care` or `admin_non_clinical`.
    staff_group: String,
    headcount: usize,
    wte: f64,
}

fn groups_dto(groups: &[app::organisations::dashboards::GroupCount]) -> Vec<GroupDto> {
    groups
        .iter()
        .map(|g| GroupDto {
            staff_group: g.staff_group.code().into(),
            headcount: g.headcount,
            wte: g.wte,
        })
        .collect()
}

#[derive(Serialize, ToSchema)]
pub(crate) struct PcnPracticeDto {
    ods_code: String,
    name: String,
    list_size: Option<i64>,
    headcount: usize,
    wte: f64,
    open_vacancies: usize,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct PcnDto {
    code: String,
    name: String,
    ics_code: Option<String>,
    list_size: i64,
    headcount: usize,
    wte: f64,
    groups: Vec<GroupDto>,
    practices: Vec<PcnPracticeDto>,
    open_vacancies: usize,
    /// The PCN-employed team by name; absent for aggregate-only viewers.
    team: Option<Vec<StaffDto>>,
}

#[utoipa::path(get, path = "/api/pcns/{code}", params(("code" = String, Path)), responses((status = 200, body = PcnDto), (status = 403), (status = 404)))]
async fn pcn(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> ApiResult<Json<PcnDto>> {
    let o = state
        .app
        .organisations()
        .pcn_overview(&user.actor, &code)
        .await
        .map_err(api)?;
    Ok(Json(PcnDto {
        code: o.pcn.code.clone(),
        name: o.pcn.name.clone(),
        ics_code: o.pcn.ics_code.clone(),
        list_size: o.list_size,
        headcount: o.headcount,
        wte: o.wte,
        groups: groups_dto(&o.groups),
        practices: o
            .practices
            .iter()
            .map(|p| PcnPracticeDto {
                ods_code: p.practice.ods_code.clone(),
                name: p.practice.name.clone(),
                list_size: p.practice.list_size,
                headcount: p.headcount,
                wte: p.wte,
                open_vacancies: p.open_vacancies,
            })
            .collect(),
        open_vacancies: o.vacancies.len(),
        team: o.team.map(|t| t.iter().map(staff_dto).collect()),
    }))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct PcnAggregateDto {
    code: String,
    name: String,
    practices: usize,
    list_size: i64,
    headcount: usize,
    wte: f64,
    groups: Vec<GroupDto>,
    open_vacancies: usize,
    vacancy_wte: f64,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct SystemDto {
    ics_code: String,
    /// When the figures were counted (RFC 3339): a server may keep them for a short time.
    counted_at: String,
    totals: Vec<GroupDto>,
    pcns: Vec<PcnAggregateDto>,
}

#[utoipa::path(get, path = "/api/system", responses((status = 200, body = SystemDto, description = "aggregated counts, no personal data"), (status = 403)))]
async fn system(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<SystemDto>> {
    let s = state
        .app
        .organisations()
        .system_summary(&user.actor)
        .await
        .map_err(api)?;
    Ok(Json(SystemDto {
        ics_code: s.ics_code,
        counted_at: s
            .counted_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        totals: groups_dto(&s.totals),
        pcns: s
            .pcns
            .iter()
            .map(|p| PcnAggregateDto {
                code: p.code.clone(),
                name: p.name.clone(),
                practices: p.practices,
                list_size: p.list_size,
                headcount: p.headcount,
                wte: p.wte,
                groups: groups_dto(&p.groups),
                open_vacancies: p.open_vacancies,
                vacancy_wte: p.vacancy_wte,
            })
            .collect(),
    }))
}

#[derive(OpenApi)]
#[openapi(paths(practices, pcn, system, create_ics, create_pcn, set_pcn, import_file))]
pub(crate) struct OrgsDoc;
