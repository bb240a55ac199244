//! The person's notifications in the JSON API: `GET /api/notifications` (newest first) and
//! `POST /api/notifications/{id}/read`. Everyone reads and marks only their own: another
//! person's notification answers 404.
use super::{ApiResult, api};
use crate::auth::CurrentUser;
use crate::input::ApiJson;
use crate::{AppState, Routes};
use app::notifications::NotificationView;
use axum::Json;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .get("/api/notifications", get(list))
        .post("/api/notifications/{id}/read", post(read))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct NotificationDto {
    id: String,
    /// `leave`, `swap`, `rota`, `rota_changed`, `training` or `arrs_claim`.
    kind: String,
    /// What happened, in a sentence.
    text: String,
    /// Where to see it in gpteam: a path on this server.
    link: String,
    /// RFC 3339, UTC.
    created_at: String,
    read: bool,
}

fn dto(n: NotificationView) -> NotificationDto {
    NotificationDto {
        id: n.id,
        kind: n.kind.code().to_string(),
        text: n.text,
        link: n.link,
        created_at: n.created_at,
        read: n.read,
    }
}

#[utoipa::path(get, path = "/api/notifications",
    responses((status = 200, body = [NotificationDto], description = "the user's own notifications, newest first (the latest 200)"),
        (status = 401)))]
async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Vec<NotificationDto>>> {
    let list = state
        .app
        .notifications()
        .list(&user.actor)
        .await
        .map_err(api)?;
    Ok(Json(list.into_iter().map(dto).collect()))
}

#[utoipa::path(post, path = "/api/notifications/{id}/read", request_body = Object,
    params(("id" = String, Path, description = "the notification's id")),
    responses((status = 200, body = NotificationDto, description = "the notification, now read"),
        (status = 401), (status = 404, description = "no such notification of the user's")))]
async fn read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(_body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<NotificationDto>> {
    let n = state
        .app
        .notifications()
        .mark_notification_read(&user.actor, &id)
        .await
        .map_err(api)?;
    Ok(Json(dto(n)))
}

#[derive(OpenApi)]
#[openapi(paths(list, read))]
pub(crate) struct NotificationsDoc;
