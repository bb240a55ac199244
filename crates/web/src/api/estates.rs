//! Estates in the JSON API: a site's room utilisation over a period.
use super::{ApiResult, api};
use crate::auth::CurrentUser;
use crate::{AppState, Routes};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use domain::estates::{PeriodForm, RoomUse};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

pub(crate) fn routes(routes: Routes) -> Routes {
    routes.get("/api/sites/{id}/utilisation", get(utilisation))
}

/// Room-sessions over the period.
#[derive(Serialize, ToSchema)]
pub(crate) struct UseDto {
    /// Sessions the room (or site) was open.
    open: u32,
    /// Open sessions booked: a published rota gave the room to someone, or an ad-hoc booking.
    booked: u32,
    /// Booked sessions marked used.
    used: u32,
    /// Booked sessions marked not used.
    not_used: u32,
    /// Booked sessions nobody has marked.
    unmarked: u32,
    /// booked ÷ open × 100; null with no open session.
    booked_percent: Option<f64>,
    /// used ÷ open × 100; null with no open session.
    used_percent: Option<f64>,
}

fn use_dto(u: &RoomUse) -> UseDto {
    let round = |p: Option<f64>| p.map(|p| (p * 10.0).round() / 10.0);
    UseDto {
        open: u.open,
        booked: u.booked,
        used: u.used,
        not_used: u.not_used,
        unmarked: u.unmarked(),
        booked_percent: round(u.booked_percent()),
        used_percent: round(u.used_percent()),
    }
}

#[derive(Serialize, ToSchema)]
pub(crate) struct RoomUseDto {
    room_id: String,
    name: String,
    /// `consulting`, `treatment`, `phlebotomy`, `accessible`, `desk_only`.
    capabilities: Vec<String>,
    #[serde(flatten)]
    total: UseDto,
    /// Used less than the threshold share of its open sessions.
    below_threshold: bool,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct SiteUseDto {
    site_id: String,
    site_name: String,
    /// The practice's ODS code.
    practice: String,
    /// First and last day, `YYYY-MM-DD`.
    from: String,
    to: String,
    /// Percent used under which a room is flagged (the PCN's own, default 60).
    threshold_percent: u32,
    rooms: Vec<RoomUseDto>,
    /// The site's rooms together.
    total: UseDto,
}

#[utoipa::path(get, path = "/api/sites/{id}/utilisation",
    params(
        ("id" = String, Path, description = "the site's id"),
        ("from" = Option<String>, Query, description = "first day, YYYY-MM-DD (default: 27 days before `to`, or before today)"),
        ("to" = Option<String>, Query, description = "last day, YYYY-MM-DD (default: today in England); at most 366 days after `from`"),
    ),
    responses((status = 200, body = SiteUseDto, description = "each room's booked, used and open sessions over the period"),
        (status = 401), (status = 403, description = "a site of a practice outside the user's reach"),
        (status = 404, description = "no such site"),
        (status = 422, description = "`from` after `to`, a period over a year, or a date that is not valid, named in `fields`")))]
async fn utilisation(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(period): Query<PeriodForm>,
) -> ApiResult<Json<SiteUseDto>> {
    let u = state
        .app
        .estates()
        .site_utilisation(&user.actor, &id, &period)
        .await
        .map_err(api)?;
    Ok(Json(SiteUseDto {
        site_id: u.site.id.clone(),
        site_name: u.site.site.name.clone(),
        practice: u.site.practice_ods.clone(),
        from: u.period.from.to_string(),
        to: u.period.to.to_string(),
        threshold_percent: u.threshold,
        rooms: u
            .rooms
            .iter()
            .map(|r| RoomUseDto {
                room_id: r.room_id.clone(),
                name: r.name.clone(),
                capabilities: r
                    .capabilities
                    .iter()
                    .map(|c| c.code().to_string())
                    .collect(),
                total: use_dto(&r.total),
                below_threshold: r.flagged,
            })
            .collect(),
        total: use_dto(&u.total),
    }))
}

#[derive(OpenApi)]
#[openapi(paths(utilisation))]
pub(crate) struct EstatesDoc;
