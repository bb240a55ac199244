//! The JSON API under `/api`, described by the OpenAPI document at `/api/openapi.json`.
//!
//! It uses the same session cookie as the pages (`POST /api/login` sets it). Requests that
//! change anything must send `Content-Type: application/json`, which a cross-site form
//! cannot, so the session cookie (SameSite=Lax) plus JSON bodies stand in for the CSRF token
//! the HTML forms carry.
use crate::auth::{ClientAddr, CurrentUser, end_session, start_session};
use crate::error::WebError;
use crate::input::ApiJson;
use crate::{AppState, Routes};
use app::AppError;
use app::accounts::two_factor::LoginStep;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use domain::leave::LeaveForm;
use domain::staff::{StaffForm, format_number};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use utoipa::{OpenApi, ToSchema};

mod accounts;
mod audit;
mod errors;
mod estates;
mod evidence;
mod funding;
mod leave;
mod notifications;
mod organisations;
mod rota;
mod training;
mod wellbeing;

pub(crate) fn routes(routes: Routes) -> Routes {
    let routes = routes
        .get("/health", get(health))
        .get("/api/openapi.json", get(openapi))
        .post("/api/login", post(login))
        .post("/api/logout", post(logout))
        .get("/api/me", get(me))
        .get("/api/practices", get(practices))
        .get("/api/practices/{ods}/staff", get(practice_staff))
        .post("/api/practices/{ods}/staff", post(create_staff))
        .get("/api/staff/{id}", get(get_staff))
        .put("/api/staff/{id}", put(update_staff))
        .get("/api/leave", get(list_leave))
        .post("/api/leave", post(request_leave))
        .post("/api/leave/{id}/decision", post(decide_leave))
        .get("/api/pcns/{code}", get(pcn))
        .get("/api/system", get(system))
        .get(
            "/api/practices/{ods}/training-matrix",
            get(training::training_matrix),
        )
        .upload(
            "/api/training-records",
            post(training::create_training_record),
            crate::limits::EVIDENCE_BODY_LIMIT,
        );
    let routes = rota::routes(routes);
    let routes = rota::seen::routes(routes);
    let routes = audit::routes(routes);
    let routes = organisations::routes(routes);
    let routes = estates::routes(routes);
    let routes = accounts::routes(routes);
    let routes = funding::payments::routes(routes);
    let routes = funding::arrs::routes(routes);
    let routes = evidence::routes(routes);
    let routes = notifications::routes(routes);
    let routes = leave::routes(routes);
    wellbeing::routes(routes)
}

/// Maps app errors to JSON responses.
pub(crate) fn api(error: AppError) -> WebError {
    WebError::Api(error)
}

type ApiResult<T> = Result<T, WebError>;

#[derive(Serialize, ToSchema)]
pub(crate) struct Health {
    status: String,
}

#[utoipa::path(get, path = "/health", responses((status = 200, body = Health), (status = 503, description = "the database does not answer")))]
async fn health(State(state): State<AppState>) -> Response {
    match state.app.store().ping().await {
        Ok(()) => Json(Health {
            status: "ok".into(),
        })
        .into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health {
                status: "database unavailable".into(),
            }),
        )
            .into_response(),
    }
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct LoginRequest {
    email: String,
    password: String,
    /// For an account with two-factor sign-in: the 6-digit code from the authenticator
    /// app, or a recovery code.
    #[serde(default)]
    code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct UserDto {
    email: String,
    name: String,
    /// `pcn_manager`, `practice_manager`, `staff` or `ics_viewer`.
    role: String,
    /// PCN code, practice ODS code or ICS code.
    organisation: String,
    staff_id: Option<String>,
}

fn user_dto(actor: &app::Actor) -> UserDto {
    UserDto {
        email: actor.email.clone(),
        name: actor.name.clone(),
        role: actor.role.code().into(),
        organisation: actor.org.clone(),
        staff_id: actor.staff_id.clone(),
    }
}

#[utoipa::path(post, path = "/api/login", request_body = LoginRequest,
    responses((status = 200, body = UserDto, description = "logged in; the session cookie is set"),
        (status = 401, description = "wrong email, password or code; `{\"two_factor_required\": true}` when the account needs a `code`"),
        (status = 429, description = "too many failed log-ins from this address or on this account; `Retry-After` gives the seconds to wait and `error` the time")))]
async fn login(
    State(state): State<AppState>,
    session: Session,
    ClientAddr(client): ClientAddr,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let step = state
        .app
        .accounts()
        .login(&body.email, &body.password, &client)
        .await
        .map_err(api)?;
    let actor = match (step, body.code.as_deref()) {
        (LoginStep::SignedIn(actor), _) => actor,
        (LoginStep::CodeNeeded { user_id }, Some(code)) if !code.trim().is_empty() => state
            .app
            .accounts()
            .complete_login(&user_id, code, &client)
            .await
            .map_err(api)?,
        (LoginStep::CodeNeeded { .. }, _) => {
            let body = serde_json::json!({
                "error": "enter the code from your authenticator app (or a recovery code) as \"code\"",
                "fields": [],
                "two_factor_required": true,
            });
            return Ok((StatusCode::UNAUTHORIZED, Json(body)).into_response());
        }
    };
    start_session(&state, &session, &actor).await.map_err(api)?;
    Ok(Json(user_dto(&actor)).into_response())
}

#[utoipa::path(post, path = "/api/logout", request_body = Object, responses((status = 204)))]
async fn logout(session: Session, ApiJson(_body): ApiJson<serde_json::Value>) -> StatusCode {
    end_session(&session).await;
    StatusCode::NO_CONTENT
}

#[utoipa::path(get, path = "/api/me", responses((status = 200, body = UserDto), (status = 401)))]
async fn me(user: CurrentUser) -> Json<UserDto> {
    Json(user_dto(&user.actor))
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
pub(crate) struct StaffDto {
    id: String,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    role: String,
    role_label: String,
    staff_group: String,
    /// `practice` or `pcn`.
    employer: String,
    employer_code: String,
    wte: f64,
    sessions_per_week: f64,
    skills: Vec<String>,
    start_date: String,
    end_date: Option<String>,
    practices: Vec<String>,
    site_ids: Vec<String>,
    arrs_role: bool,
}

fn staff_dto(s: &store::register::StaffRecord) -> StaffDto {
    let d = &s.draft;
    StaffDto {
        id: s.id.clone(),
        name: d.name.clone(),
        email: d.email.clone(),
        phone: d.phone.clone(),
        role: d.role.code().into(),
        role_label: d.role.label().into(),
        staff_group: d.role.staff_group().code().into(),
        employer: d.employer.kind().into(),
        employer_code: d.employer.code().into(),
        wte: d.wte,
        sessions_per_week: d.sessions_per_week,
        skills: d.skills.clone(),
        start_date: d.start_date.to_string(),
        end_date: d.end_date.map(|e| e.to_string()),
        practices: d.practices.iter().map(|p| p.to_string()).collect(),
        site_ids: s.site_ids.clone(),
        arrs_role: d.role.is_arrs(),
    }
}

#[utoipa::path(get, path = "/api/practices/{ods}/staff", params(("ods" = String, Path, description = "the practice's ODS code")),
    responses((status = 200, body = [StaffDto]), (status = 403), (status = 404)))]
async fn practice_staff(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(ods): Path<String>,
) -> ApiResult<Json<Vec<StaffDto>>> {
    let people = state
        .app
        .register()
        .list_staff(&user.actor, &ods, &Default::default())
        .await
        .map_err(api)?;
    Ok(Json(people.iter().map(staff_dto).collect()))
}

/// A person as sent to the API. Numbers may be JSON numbers.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub(crate) struct StaffInput {
    name: String,
    email: Option<String>,
    phone: Option<String>,
    /// A role code such as `salaried_gp` or its label.
    role: String,
    /// `practice` (default) or `pcn`.
    employer: Option<String>,
    /// Defaults to the practice in the path.
    employer_code: Option<String>,
    wte: Option<f64>,
    sessions_per_week: Option<f64>,
    skills: Vec<String>,
    /// `YYYY-MM-DD`
    start_date: String,
    end_date: Option<String>,
    /// ODS codes; defaults to the practice in the path.
    practices: Vec<String>,
    site_ids: Vec<String>,
}

impl StaffInput {
    fn into_form(self, ods: Option<&str>) -> (StaffForm, Vec<String>) {
        let mut practices = self.practices;
        if practices.is_empty()
            && let Some(ods) = ods
        {
            practices.push(ods.to_string());
        }
        let form = StaffForm {
            name: self.name,
            email: self.email.unwrap_or_default(),
            phone: self.phone.unwrap_or_default(),
            role: self.role,
            employer: self.employer.unwrap_or_else(|| "practice".into()),
            employer_code: self
                .employer_code
                .or(ods.map(str::to_string))
                .unwrap_or_default(),
            wte: self.wte.map(format_number).unwrap_or_default(),
            sessions_per_week: self
                .sessions_per_week
                .map(format_number)
                .unwrap_or_default(),
            skills: self.skills.join(";"),
            start_date: self.start_date,
            end_date: self.end_date.unwrap_or_default(),
            practices: practices.join(";"),
        };
        (form, self.site_ids)
    }
}

#[utoipa::path(post, path = "/api/practices/{ods}/staff", request_body = StaffInput, params(("ods" = String, Path)),
    responses((status = 201, body = StaffDto), (status = 403), (status = 404), (status = 422, description = "problems by field")))]
async fn create_staff(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(ods): Path<String>,
    ApiJson(body): ApiJson<StaffInput>,
) -> ApiResult<Response> {
    state
        .app
        .authorize(
            &user.actor,
            app::Permission::Manage,
            app::Tenant::Practice(&ods),
        )
        .await
        .map_err(api)?;
    let (form, sites) = body.into_form(Some(&ods));
    let id = state
        .app
        .register()
        .create_staff(&user.actor, &form, &sites)
        .await
        .map_err(api)?;
    let person = state
        .app
        .register()
        .get_staff(&user.actor, &id)
        .await
        .map_err(api)?;
    Ok((StatusCode::CREATED, Json(staff_dto(&person))).into_response())
}

#[utoipa::path(get, path = "/api/staff/{id}", params(("id" = String, Path)), responses((status = 200, body = StaffDto), (status = 404)))]
async fn get_staff(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<StaffDto>> {
    let person = state
        .app
        .register()
        .get_staff(&user.actor, &id)
        .await
        .map_err(api)?;
    Ok(Json(staff_dto(&person)))
}

#[utoipa::path(put, path = "/api/staff/{id}", request_body = StaffInput, params(("id" = String, Path)),
    responses((status = 200, body = StaffDto), (status = 403), (status = 404), (status = 422)))]
async fn update_staff(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StaffInput>,
) -> ApiResult<Json<StaffDto>> {
    let current = state
        .app
        .register()
        .get_staff(&user.actor, &id)
        .await
        .map_err(api)?;
    let home = current.draft.practices.first().map(|p| p.to_string());
    let (form, sites) = body.into_form(home.as_deref());
    state
        .app
        .register()
        .update_staff(&user.actor, &id, &form, &sites)
        .await
        .map_err(api)?;
    let person = state
        .app
        .register()
        .get_staff(&user.actor, &id)
        .await
        .map_err(api)?;
    Ok(Json(staff_dto(&person)))
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
#[openapi(
    info(
        title = "gpteam API",
        description = "Team register, leave and organisations of general practices and PCNs. Authenticate with POST /api/login; the session cookie it sets authenticates the other calls."
    ),
    paths(
        health,
        login,
        logout,
        me,
        practices,
        practice_staff,
        create_staff,
        get_staff,
        update_staff,
        list_leave,
        request_leave,
        decide_leave,
        pcn,
        system,
        training::training_matrix,
        training::create_training_record
    )
)]
pub(crate) struct ApiDoc;

/// The OpenAPI document of every path above.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(wellbeing::WellbeingDoc::openapi());
    doc.merge(rota::RotaDoc::openapi());
    doc.merge(rota::seen::RotaSeenDoc::openapi());
    doc.merge(audit::AuditDoc::openapi());
    doc.merge(organisations::OrgsDoc::openapi());
    doc.merge(estates::EstatesDoc::openapi());
    doc.merge(accounts::AccountsDoc::openapi());
    doc.merge(funding::payments::PaymentsDoc::openapi());
    doc.merge(funding::arrs::ArrsDoc::openapi());
    doc.merge(evidence::EvidenceDoc::openapi());
    doc.merge(notifications::NotificationsDoc::openapi());
    doc.merge(leave::LeaveBalanceDoc::openapi());
    errors::describe_errors(&mut doc);
    doc
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi_document())
}
