//! Rotas as people see them through the JSON API: a person's own published sessions (the
//! same as "My rota" and their calendar feed), and the rotas that cover a practice, for its
//! practice manager too (a PCN rota read for the practice).
use crate::api::{ApiResult, api};
use crate::auth::CurrentUser;
use crate::{AppState, Routes};
use app::rota::mine::parse_range;
use axum::Json;
use axum::extract::{Query, State};
use axum::routing::get;
use domain::account::UserRole;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .get("/api/me/rota", get(my_rota))
        .get("/api/rotas", get(rotas))
}

#[derive(Deserialize, Default)]
pub(crate) struct RangeParams {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

/// One published session of the person's.
#[derive(Serialize, ToSchema)]
pub(crate) struct MySessionDto {
    /// `YYYY-MM-DD`
    day: String,
    /// `am`, `pm`, `evening` or `saturday`.
    session: String,
    /// The session's times at the site, `HH:MM`, in England.
    starts: String,
    ends: String,
    /// The site's id and name.
    site: String,
    site_name: String,
    /// The room's id and name, when the rota gives one.
    room: Option<String>,
    room_name: Option<String>,
    /// The published rota that books it (ask for a swap on it with `rota_id`).
    rota_id: String,
}

#[utoipa::path(get, path = "/api/me/rota",
    params(
        ("from" = Option<String>, Query, description = "first day, YYYY-MM-DD (default today)"),
        ("to" = Option<String>, Query, description = "last day, YYYY-MM-DD (default a year after `from`, as far as the calendar feed reaches); at most 400 days after `from`"),
    ),
    responses((status = 200, body = [MySessionDto], description = "the person's sessions in every published rota, by day and session: what My rota and the calendar feed show"),
        (status = 401), (status = 404, description = "the account is not linked to a member of staff"),
        (status = 422, description = "`from` or `to` is not a date, or the range is backwards or too long")))]
async fn my_rota(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<RangeParams>,
) -> ApiResult<Json<Vec<MySessionDto>>> {
    if user.actor.staff_id.is_none() {
        return Err(api(app::AppError::NotFound));
    }
    let (from, to) = parse_range(
        params.from.as_deref(),
        params.to.as_deref(),
        state.app.today(),
    )
    .map_err(|e| api(e.into()))?;
    let sessions = state
        .app
        .rota()
        .my_sessions(&user.actor, from, to)
        .await
        .map_err(api)?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|s| MySessionDto {
                day: s.day,
                session: s.session,
                starts: s.starts,
                ends: s.ends,
                site: s.site_id,
                site_name: s.site_name,
                room: s.room_id,
                room_name: s.room_name,
                rota_id: s.rota_id,
            })
            .collect(),
    ))
}

#[derive(Deserialize, Default)]
pub(crate) struct RotasParams {
    #[serde(default)]
    practice: Option<String>,
}

/// A rota in a list.
#[derive(Serialize, ToSchema)]
pub(crate) struct RotaListDto {
    id: String,
    /// `pcn` or `practice`.
    scope_kind: String,
    scope_code: String,
    /// The first day (`YYYY-MM-DD`).
    from: String,
    weeks: i64,
    /// `queued`, `running`, `done`, `failed` or `cancelled`.
    status: String,
    /// When it was last published (UTC), if it has been.
    published_at: Option<String>,
    /// True for a PCN rota a practice manager reads for their practice (narrowed to its
    /// people and sites at `GET /api/rotas/{id}/assignments`; only the PCN's managers change
    /// it).
    read_only: bool,
}

#[utoipa::path(get, path = "/api/rotas",
    params(("practice" = Option<String>, Query, description = "a practice's ODS code: the rotas that cover it (its own, and its PCN's with sessions at its sites or for its people). Without it, the rotas the list page shows you")),
    responses((status = 200, body = [RotaListDto], description = "newest first"),
        (status = 401), (status = 403), (status = 404, description = "no such practice, or not one of yours")))]
async fn rotas(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<RotasParams>,
) -> ApiResult<Json<Vec<RotaListDto>>> {
    let practice = params
        .practice
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let rows = match practice {
        Some(ods) => state.app.rota().rotas_covering(&user.actor, ods).await,
        None => state.app.rota().rotas(&user.actor).await,
    }
    .map_err(|e| match e {
        // A practice out of reach is not revealed.
        app::AppError::Forbidden if practice.is_some() => api(app::AppError::NotFound),
        other => api(other),
    })?;
    let reads_only = user.actor.role == UserRole::PracticeManager;
    Ok(Json(
        rows.into_iter()
            .map(|r| RotaListDto {
                read_only: reads_only && r.scope_kind == "pcn",
                id: r.id,
                scope_kind: r.scope_kind,
                scope_code: r.scope_code,
                from: r.starts_on,
                weeks: r.weeks,
                status: r.status,
                published_at: r.published_at,
            })
            .collect(),
    ))
}

#[derive(OpenApi)]
#[openapi(paths(my_rota, rotas))]
pub(crate) struct RotaSeenDoc;
