//! The accounts part of the JSON API: invitations and accepting them, password resets,
//! and the accounts a manager runs (list, disable, enable). The token routes need no
//! log-in: the token is the secret. A dead token answers 404 (unknown) or 410 (used or
//! expired) with the same words as its page.
use super::{ApiResult, api};
use crate::auth::CurrentUser;
use crate::input::ApiJson;
use crate::pages::{dead_status, dead_words, start_reset};
use crate::{AppState, Routes};
use app::accounts::links::{LinkOutcome, NewAccount};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use store::accounts::tokens::Purpose;
use utoipa::{OpenApi, ToSchema};

pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .post("/api/invitations", post(invite))
        .post("/api/invitations/{token}/accept", post(accept))
        .post("/api/password-resets", post(request_reset))
        .post("/api/password-resets/{token}", post(reset))
        .get("/api/accounts", get(accounts))
        .post("/api/accounts/{id}/disable", post(disable))
        .post("/api/accounts/{id}/enable", post(enable))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct InvitationRequest {
    // Missing fields are read as empty so that the inviter's authority is checked before
    // any field, and a field error never answers someone refused.
    #[serde(default)]
    email: String,
    /// `system_admin`, `pcn_manager`, `practice_manager`, `staff` or `ics_viewer`.
    #[serde(default)]
    role: String,
    /// The practice's ODS code, the PCN's or the ICS's code (empty for `system_admin`).
    #[serde(default)]
    organisation: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Created {
    id: String,
}

#[utoipa::path(post, path = "/api/invitations", request_body = InvitationRequest,
    responses((status = 201, body = Created, description = "the invitation was emailed: a one-time link valid 7 days"),
        (status = 401), (status = 403, description = "the role or organisation is beyond the inviter's authority"),
        (status = 422, description = "a bad field (an address that already has an account is answered like any other)")))]
async fn invite(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<InvitationRequest>,
) -> ApiResult<Response> {
    let id = state
        .app
        .accounts()
        .invite(
            &user.actor,
            &body.email,
            &body.role,
            &body.organisation,
            state.mailer.as_ref(),
            &state.public_url,
        )
        .await
        .map_err(api)?;
    Ok((StatusCode::CREATED, Json(Created { id })).into_response())
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct AcceptRequest {
    name: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct AccountCreated {
    id: String,
    email: String,
    role: String,
    organisation: String,
}

fn dead(purpose: Purpose, dead: app::accounts::links::DeadLink) -> Response {
    let (title, why) = dead_words(purpose, dead);
    (
        dead_status(dead),
        Json(serde_json::json!({ "error": format!("{title}. {why}"), "fields": [] })),
    )
        .into_response()
}

#[utoipa::path(post, path = "/api/invitations/{token}/accept", request_body = AcceptRequest,
    params(("token" = String, Path, description = "the token from the invitation's link")),
    responses((status = 201, body = AccountCreated, description = "the account was created; log in with it"),
        (status = 404, description = "no such invitation"), (status = 410, description = "used or expired"),
        (status = 422, description = "a missing name or a weak password, with the reason")))]
async fn accept(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<AcceptRequest>,
) -> ApiResult<Response> {
    let form = NewAccount {
        name: body.name,
        email: String::new(),
        password: body.password,
        password_again: None,
    };
    match state
        .app
        .accounts()
        .accept_invitation(&token, &form)
        .await
        .map_err(api)?
    {
        LinkOutcome::Done(actor) => Ok((
            StatusCode::CREATED,
            Json(AccountCreated {
                id: actor.user_id,
                email: actor.email,
                role: actor.role.code().into(),
                organisation: actor.org,
            }),
        )
            .into_response()),
        LinkOutcome::Dead(why) => Ok(dead(Purpose::Invitation, why)),
    }
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct ResetRequest {
    email: String,
}

#[utoipa::path(post, path = "/api/password-resets", request_body = ResetRequest,
    responses((status = 202, description = "always, whether or not the address has an account; an account is emailed a one-time link valid one hour")))]
async fn request_reset(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ResetRequest>,
) -> StatusCode {
    start_reset(&state, body.email);
    StatusCode::ACCEPTED
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct NewPassword {
    password: String,
}

#[utoipa::path(post, path = "/api/password-resets/{token}", request_body = NewPassword,
    params(("token" = String, Path, description = "the token from the reset email's link")),
    responses((status = 204, description = "the password was set and every session of the account ended"),
        (status = 404, description = "no such link"), (status = 410, description = "used or expired"),
        (status = 422, description = "a weak password, with the reason")))]
async fn reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(body): ApiJson<NewPassword>,
) -> ApiResult<Response> {
    match state
        .app
        .accounts()
        .reset_password(&token, &body.password, None)
        .await
        .map_err(api)?
    {
        LinkOutcome::Done(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        LinkOutcome::Dead(why) => Ok(dead(Purpose::PasswordReset, why)),
    }
}

#[derive(Serialize, ToSchema)]
pub(crate) struct AccountDto {
    id: String,
    name: String,
    email: String,
    role: String,
    /// The organisation's name (empty for a system administrator).
    organisation: String,
    organisation_code: String,
    /// The last log-in in England ("3 March 2026, 14:05"), or null when never.
    last_login: Option<String>,
    /// `active` or `disabled`.
    status: String,
}

#[utoipa::path(get, path = "/api/accounts",
    responses((status = 200, body = [AccountDto], description = "the accounts within the caller's authority"), (status = 401), (status = 403)))]
async fn accounts(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Vec<AccountDto>>> {
    let accounts = state.app.accounts().list(&user.actor).await.map_err(api)?;
    Ok(Json(
        accounts
            .into_iter()
            .map(|a| AccountDto {
                id: a.id,
                name: a.name,
                email: a.email,
                role: a.role.code().into(),
                organisation: a.organisation,
                organisation_code: a.org_code,
                last_login: a.last_login,
                status: if a.disabled { "disabled" } else { "active" }.into(),
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/accounts/{id}/disable", request_body = Object,
    params(("id" = String, Path)),
    responses((status = 204, description = "disabled; every session of the account ended"), (status = 401), (status = 404), (status = 409, description = "your own account")))]
async fn disable(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(_body): ApiJson<serde_json::Value>,
) -> ApiResult<StatusCode> {
    state
        .app
        .accounts()
        .set_account_disabled(&user.actor, &id, true)
        .await
        .map_err(api)?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/accounts/{id}/enable", request_body = Object,
    params(("id" = String, Path)),
    responses((status = 204), (status = 401), (status = 404), (status = 409, description = "your own account")))]
async fn enable(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(_body): ApiJson<serde_json::Value>,
) -> ApiResult<StatusCode> {
    state
        .app
        .accounts()
        .set_account_disabled(&user.actor, &id, false)
        .await
        .map_err(api)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(OpenApi)]
#[openapi(paths(invite, accept, request_reset, reset, accounts, disable, enable))]
pub(crate) struct AccountsDoc;
