//! Leave in the JSON API: requests (`GET`/`POST /api/leave`, own leave for staff and the
//! organisation's for managers) and their decision (`POST /api/leave/{id}/decision`); annual
//! leave balances: `GET /api/staff/{id}/leave-balance` (a person the user may see, or
//! themselves), `PUT /api/staff/{id}/leave-entitlement` (those who manage them) and
//! `GET /api/practices/{ods}/leave-balances` (the team working there today).
use super::{ApiResult, api};
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::input::ApiJson;
use crate::{AppState, Routes};
use app::AppError;
use app::leave::balance::PersonBalance;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use domain::leave::LeaveForm;
use domain::leave_balance::EntitlementForm;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .get("/api/leave", get(list_leave))
        .post("/api/leave", post(request_leave))
        .post("/api/leave/{id}/decision", post(decide_leave))
        .get("/api/staff/{id}/leave-balance", get(balance))
        .put("/api/staff/{id}/leave-entitlement", put(set_entitlement))
        .get("/api/practices/{ods}/leave-balances", get(team))
}

/// A person's annual leave in the current leave year. Amounts are in hours; `unit` and
/// `day_hours` say how the employer shows them (a day is `day_hours` hours of the person's
/// working week).
#[derive(Serialize, ToSchema)]
pub(crate) struct LeaveBalanceDto {
    staff_id: String,
    name: String,
    wte: f64,
    /// First and last day of the leave year, `YYYY-MM-DD`.
    year_start: String,
    year_end: String,
    /// `days` or `hours`.
    unit: String,
    day_hours: f64,
    /// Full-time days a year (bank holidays not included) used, and whether they were set
    /// for the person rather than taken from the employer's rules.
    full_time_days: f64,
    own_days: bool,
    /// Annual leave and bank holidays for the year, pro rata to WTE and to the part of the
    /// year employed.
    entitlement_hours: f64,
    carried_over_hours: f64,
    /// Bank holidays on the person's working days while employed this leave year.
    bank_holiday_hours: f64,
    taken_hours: f64,
    booked_hours: f64,
    requested_hours: f64,
    /// Entitlement + carried over − bank holidays − taken − booked; negative when more is
    /// taken than is due.
    remaining_hours: f64,
    /// "12.5 days left", in the employer's unit.
    remaining_text: String,
    due_by_now_hours: f64,
    /// A working week or more behind the leave due by now.
    behind: bool,
}

fn dto(p: &PersonBalance) -> LeaveBalanceDto {
    let b = &p.balance;
    LeaveBalanceDto {
        staff_id: p.staff_id.clone(),
        name: p.name.clone(),
        wte: p.wte,
        year_start: b.year.start.to_string(),
        year_end: b.year.end.to_string(),
        unit: p.unit().code().to_string(),
        day_hours: b.day_hours,
        full_time_days: p.full_time_days,
        own_days: p.own_days,
        entitlement_hours: b.entitlement_hours,
        carried_over_hours: b.carried_over_hours,
        bank_holiday_hours: b.bank_holiday_hours,
        taken_hours: b.taken_hours,
        booked_hours: b.booked_hours,
        requested_hours: b.requested_hours,
        remaining_hours: b.remaining_hours,
        remaining_text: p.left_text(),
        due_by_now_hours: b.due_by_now_hours,
        behind: b.behind,
    }
}

#[utoipa::path(get, path = "/api/staff/{id}/leave-balance",
    params(("id" = String, Path, description = "the person's id")),
    responses((status = 200, body = LeaveBalanceDto), (status = 401),
        (status = 404, description = "no such person the user may see")))]
async fn balance(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<LeaveBalanceDto>> {
    let p = state
        .app
        .leave()
        .leave_balance(&user.actor, &id)
        .await
        .map_err(api)?;
    Ok(Json(dto(&p)))
}

/// A person's own entitlement for the current leave year; an empty or missing field follows
/// the employer's rules (full-time days) or last year's balance (carried over).
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub(crate) struct EntitlementInput {
    /// Full-time days a year, bank holidays not included, e.g. `"29"`.
    full_time_days: String,
    /// Carried over into this leave year, in the employer's unit (`days` or `hours`).
    carried_over: String,
}

#[utoipa::path(put, path = "/api/staff/{id}/leave-entitlement", request_body = EntitlementInput,
    params(("id" = String, Path, description = "the person's id")),
    responses((status = 200, body = LeaveBalanceDto, description = "the balance with the new entitlement"),
        (status = 401), (status = 403, description = "the user does not manage the person"),
        (status = 404), (status = 422, description = "a field is wrong: over the carry-over cap, not a number")))]
async fn set_entitlement(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<EntitlementInput>,
) -> ApiResult<Json<LeaveBalanceDto>> {
    let form = EntitlementForm {
        full_time_days: input.full_time_days,
        carried_over: input.carried_over,
    };
    let p = state
        .app
        .leave()
        .set_leave_entitlement(&user.actor, &id, &form)
        .await
        .map_err(api)?;
    Ok(Json(dto(&p)))
}

#[utoipa::path(get, path = "/api/practices/{ods}/leave-balances",
    params(("ods" = String, Path, description = "the practice's ODS code")),
    responses((status = 200, body = [LeaveBalanceDto], description = "everyone working at the practice today"),
        (status = 401), (status = 403), (status = 404)))]
async fn team(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(ods): Path<String>,
) -> ApiResult<Json<Vec<LeaveBalanceDto>>> {
    let team = state
        .app
        .leave()
        .team_leave_balances(&user.actor, &ods)
        .await
        .map_err(api)?;
    Ok(Json(team.people.iter().map(dto).collect()))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct LeaveDto {
    id: String,
    staff_id: String,
    staff_name: String,
    kind: String,
    start_date: String,
    end_date: String,
    note: Option<String>,
    /// `requested`, `approved`, `refused` or `cancelled`.
    status: String,
    decided_by: Option<String>,
}

fn leave_dto(l: &store::leave::LeaveRecord) -> LeaveDto {
    LeaveDto {
        id: l.id.clone(),
        staff_id: l.staff_id.clone(),
        staff_name: l.staff_name.clone(),
        kind: l.leave.kind.code().into(),
        start_date: l.leave.start_date.to_string(),
        end_date: l.leave.end_date.to_string(),
        note: l.leave.note.clone(),
        status: l.status.code().into(),
        decided_by: l.decided_by.clone(),
    }
}

#[utoipa::path(get, path = "/api/leave", responses((status = 200, body = [LeaveDto], description = "own leave for staff; the organisation's for managers")))]
async fn list_leave(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Vec<LeaveDto>>> {
    let leave = state
        .app
        .leave()
        .visible_leave(&user.actor)
        .await
        .map_err(api)?;
    Ok(Json(leave.iter().map(leave_dto).collect()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub(crate) struct LeaveInput {
    /// `annual`, `study`, `sick`, `parental` or `other`.
    kind: String,
    start_date: String,
    end_date: String,
    note: Option<String>,
}

#[utoipa::path(post, path = "/api/leave", request_body = LeaveInput, responses((status = 201, body = LeaveDto), (status = 403), (status = 422)))]
async fn request_leave(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<LeaveInput>,
) -> ApiResult<Response> {
    let form = LeaveForm {
        kind: body.kind,
        start_date: body.start_date,
        end_date: body.end_date,
        note: body.note.unwrap_or_default(),
    };
    let id = state
        .app
        .leave()
        .request_leave(&user.actor, &form)
        .await
        .map_err(api)?;
    let mine = state.app.leave().my_leave(&user.actor).await.map_err(api)?;
    let created = mine
        .iter()
        .find(|l| l.id == id)
        .ok_or(WebError::Api(AppError::NotFound))?;
    Ok((StatusCode::CREATED, Json(leave_dto(created))).into_response())
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct DecisionInput {
    approve: bool,
}

#[utoipa::path(post, path = "/api/leave/{id}/decision", request_body = DecisionInput, params(("id" = String, Path)),
    responses((status = 200, body = LeaveDto), (status = 403), (status = 404), (status = 422)))]
async fn decide_leave(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DecisionInput>,
) -> ApiResult<Json<LeaveDto>> {
    let leave = state
        .app
        .leave()
        .decide_leave(&user.actor, &id, body.approve)
        .await
        .map_err(api)?;
    Ok(Json(leave_dto(&leave)))
}

#[derive(OpenApi)]
#[openapi(paths(
    list_leave,
    request_leave,
    decide_leave,
    balance,
    set_entitlement,
    team
))]
pub(crate) struct LeaveDoc;
