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
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
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
mod register;
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
    let routes = register::routes(routes);
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
    doc.merge(leave::LeaveDoc::openapi());
    doc.merge(register::RegisterDoc::openapi());
    errors::describe_errors(&mut doc);
    doc
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi_document())
}
