//! The rota part of the JSON API: asking for a rota (solved in the background), following
//! it, reading its assignments, publishing or stopping it; and each person's private
//! calendar feed (`/ical/{token}.ics`, public: the token is the secret) with the call that
//! tells the logged-in person its address.
use super::{ApiResult, api};
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::input::ApiJson;
use crate::{AppState, Routes};
use app::AppError;
use app::rota::request::RotaRequest;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{OpenApi, ToSchema};

pub(super) mod seen;

pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .post("/api/rotas", post(request_rota))
        .get("/api/rotas/{id}", get(rota_status))
        .get("/api/rotas/{id}/assignments", get(assignments))
        .post("/api/rotas/{id}/publish", post(publish))
        .post("/api/rotas/{id}/cancel", post(cancel))
        .get("/api/me/calendar", get(my_calendar))
        .get("/ical/{file}", get(calendar_feed))
}

/// A rota to make. Give `pcn` or `practice`, not both.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub(crate) struct RotaRequestInput {
    /// The PCN's code: one rota for every practice of the PCN.
    #[schema(value_type = Option<String>, example = "U99901")]
    pcn: Option<serde_json::Value>,
    /// A practice's ODS code.
    #[schema(value_type = Option<String>, example = "Y99901")]
    practice: Option<serde_json::Value>,
    /// The first day, a Monday (`YYYY-MM-DD`).
    #[schema(value_type = String, example = "2026-11-30")]
    from: Option<serde_json::Value>,
    /// How many weeks, 1 to 13.
    #[schema(value_type = u32, example = 4)]
    weeks: Option<serde_json::Value>,
    /// How long the optimiser may search, 1 to 600 seconds (default 10).
    #[schema(value_type = Option<u32>, example = 10)]
    time_limit_seconds: Option<serde_json::Value>,
}

/// A field's value as text, whatever JSON type it was sent as, so that its check (and the
/// message naming the field) is the same as for a form; `null` counts as absent.
fn text(value: Option<serde_json::Value>) -> Option<String> {
    match value? {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

#[derive(Serialize, ToSchema)]
pub(crate) struct RotaCreatedDto {
    id: String,
}

#[utoipa::path(post, path = "/api/rotas", request_body = RotaRequestInput,
    responses((status = 202, body = RotaCreatedDto, description = "queued; follow it at /api/rotas/{id}"),
        (status = 401), (status = 403), (status = 404, description = "no such PCN or practice"),
        (status = 409, description = "the manager already has the most rotas queued that one manager may (3)"),
        (status = 415, description = "not sent as application/json"),
        (status = 422, description = "problems by field (`pcn`, `practice`, `from`, `weeks`, `time_limit_seconds`)")))]
async fn request_rota(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<RotaRequestInput>,
) -> ApiResult<Response> {
    let request = RotaRequest {
        pcn: text(body.pcn),
        practice: text(body.practice),
        from: text(body.from),
        weeks: text(body.weeks),
        time_limit_seconds: text(body.time_limit_seconds),
    };
    let id = state
        .app
        .rota()
        .request_rota_fields(&user.actor, &request)
        .await
        .map_err(api)?;
    Ok((
        StatusCode::ACCEPTED,
        [(header::LOCATION, format!("/api/rotas/{id}"))],
        Json(RotaCreatedDto { id }),
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ProblemDto {
    /// What is wrong, in plain words.
    message: String,
    /// The rule's code: `cover`, `contacts`, `rest`, `leave`, `contract`, `rooms`, `closed`…
    rule: String,
    /// A hard rule broken (unsafe to publish without an override), or a gap or preference.
    hard: bool,
    staff_ids: Vec<String>,
    /// `YYYY-MM-DD`, when the problem is on one day.
    date: Option<String>,
    /// `am`, `pm`, `evening` or `saturday`, when it is in one session.
    session: Option<String>,
    site_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct RotaStatusDto {
    id: String,
    /// `pcn` or `practice`.
    scope_kind: String,
    scope_code: String,
    /// The first day (`YYYY-MM-DD`).
    from: String,
    weeks: i64,
    /// `queued`, `running`, `done`, `failed` or `cancelled` (stopped early; the best rota
    /// found is kept).
    status: String,
    /// From 0 to 1.
    progress: f64,
    /// The solve in words while it waits or runs ("Solving: 40 s of 60. Best rota so far:
    /// 3 gaps below the minimum, 12 below the ideal, no hard rule broken.").
    progress_text: String,
    /// Once finished, the number of hard problems listed; while solving, the hard rules the
    /// best rota so far breaks; `null` before the first.
    hard_violations: Option<i64>,
    /// The optimiser's penalty for gaps and preferences (lower is better).
    soft_penalty: Option<i64>,
    /// Every problem of a finished rota, hard ones first; empty while it is being solved.
    problems: Vec<ProblemDto>,
    /// Rules that contradict each other, in plain words, once finished.
    conflicts: Vec<String>,
    /// When it was last published (UTC), if it has been.
    published_at: Option<String>,
    /// Moves on with every change to the rota (and its publication): send it with
    /// `POST /api/rotas/{id}/publish` so a rota changed since you read it is not published.
    version: i64,
    /// Why a failed solve failed.
    error: Option<String>,
    /// A published rota that changes since publishing (leave approved, a starter, a
    /// leaver, a contract, a room) broke: `stale_problems` says how, and a repair puts it
    /// right (`/rotas/{id}/repair`).
    stale: bool,
    /// The problems changes since publishing brought and that are still true.
    stale_problems: Vec<ProblemDto>,
}

#[utoipa::path(get, path = "/api/rotas/{id}", params(("id" = String, Path)),
    responses((status = 200, body = RotaStatusDto), (status = 401), (status = 404, description = "no such rota, or not one of yours")))]
async fn rota_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<RotaStatusDto>> {
    let (summary, words) = state
        .app
        .rota()
        .rota_progress_to_read(&user.actor, &id)
        .await
        .map_err(api)?;
    // Problems are judged only on a finished rota; while it is solved the row is enough.
    let (row, problems, conflicts, stale_problems) =
        if matches!(summary.status.as_str(), "done" | "cancelled") {
            let detail = state
                .app
                .rota()
                .rota_to_read(&user.actor, &id)
                .await
                .map_err(api)?;
            (
                detail.row,
                detail.problems,
                detail.conflicts,
                detail.stale_problems,
            )
        } else {
            (summary, Vec::new(), Vec::new(), Vec::new())
        };
    let finished = matches!(row.status.as_str(), "done" | "cancelled");
    let hard_violations = if finished {
        Some(problems.iter().filter(|p| p.hard).count() as i64)
    } else {
        words.hard_problems
    };
    Ok(Json(RotaStatusDto {
        from: row.starts_on.clone(),
        weeks: row.weeks,
        status: row.status,
        progress: row.progress.clamp(0.0, 1.0),
        progress_text: if finished { String::new() } else { words.text },
        hard_violations,
        soft_penalty: row.soft_penalty,
        problems: problems.into_iter().map(problem_dto).collect(),
        version: row.version,
        conflicts,
        published_at: row.published_at,
        error: row.error,
        stale: !stale_problems.is_empty(),
        stale_problems: stale_problems.into_iter().map(problem_dto).collect(),
        id: row.id,
        scope_kind: row.scope_kind,
        scope_code: row.scope_code,
    }))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct AssignmentDto {
    staff_id: String,
    staff_name: String,
    /// `YYYY-MM-DD`
    date: String,
    /// `am`, `pm`, `evening` or `saturday`.
    session: String,
    /// The site's id.
    site: String,
    site_name: String,
    /// The room's id, when a room is given.
    room: Option<String>,
    room_name: Option<String>,
}

#[utoipa::path(get, path = "/api/rotas/{id}/assignments", params(("id" = String, Path)),
    responses((status = 200, body = [AssignmentDto], description = "who works which session where, by day; empty until solved"),
        (status = 401), (status = 404)))]
async fn assignments(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<AssignmentDto>>> {
    let detail = state
        .app
        .rota()
        .rota_to_read(&user.actor, &id)
        .await
        .map_err(api)?;
    let people: BTreeMap<&str, &str> = detail
        .people
        .iter()
        .map(|p| (p.id.as_str(), p.name.as_str()))
        .collect();
    let sites: BTreeMap<&str, &str> = detail
        .sites
        .iter()
        .map(|s| (s.id.as_str(), s.name.as_str()))
        .collect();
    let rooms: BTreeMap<&str, &str> = detail
        .rooms
        .iter()
        .map(|(id, name)| (id.as_str(), name.as_str()))
        .collect();
    let name = |names: &BTreeMap<&str, &str>, id: &str| names.get(id).map(|n| n.to_string());
    Ok(Json(
        detail
            .assignments
            .iter()
            .map(|a| AssignmentDto {
                staff_name: name(&people, &a.staff_id).unwrap_or_default(),
                site_name: name(&sites, &a.site_id).unwrap_or_default(),
                room_name: a.room_id.as_deref().and_then(|r| name(&rooms, r)),
                staff_id: a.staff_id.clone(),
                date: a.date.to_string(),
                session: a.session.code().to_string(),
                site: a.site_id.clone(),
                room: a.room_id.clone(),
            })
            .collect(),
    ))
}

/// A publication. Both fields may be left out: `{}` publishes the rota as it is now, if it
/// breaks no hard rule.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub(crate) struct PublishInput {
    /// The rota's `version` (from `GET /api/rotas/{id}`) the decision to publish was made
    /// on: publishing is refused (409) when the rota has changed since. Left out, the
    /// version is not checked.
    #[schema(value_type = Option<i64>, example = 3)]
    version: Option<serde_json::Value>,
    /// Publish although the rota breaks hard rules (recorded in the audit trail with them).
    /// Without it a rota that breaks any is refused (409, listing them in `problems`).
    #[serde(rename = "override")]
    #[schema(value_type = Option<bool>, example = false)]
    override_rules: Option<serde_json::Value>,
}

/// Why a publication was refused: the rota breaks hard rules, checked against the inputs as
/// they are now (another practice may have published a clashing rota since it was solved).
#[derive(Serialize, ToSchema)]
pub(crate) struct PublishRefusedDto {
    /// The refusal, naming the problems in plain words.
    error: String,
    /// Always empty (no field was wrong).
    fields: Vec<serde_json::Value>,
    /// The hard problems, as in `GET /api/rotas/{id}`.
    problems: Vec<ProblemDto>,
}

fn problem_dto(p: app::rota::RotaProblem) -> ProblemDto {
    ProblemDto {
        message: p.message,
        rule: p.rule.to_string(),
        hard: p.hard,
        staff_ids: p.staff_ids,
        date: p.date.map(|d| d.to_string()),
        session: p.session.map(|s| s.code().to_string()),
        site_id: p.site_id,
    }
}

#[utoipa::path(post, path = "/api/rotas/{id}/publish", params(("id" = String, Path)),
    request_body(content = PublishInput, description = "a JSON body (which a cross-site form cannot send); `{}` publishes the rota as it is now, without a version check"),
    responses((status = 204, description = "published: staff see it and their calendar feeds carry it"),
        (status = 401), (status = 404),
        (status = 409, body = PublishRefusedDto, description = "not published: the rota breaks hard rules (listed in `problems`; send `\"override\": true` to publish anyway), has changed since `version`, or is still being solved"),
        (status = 422, description = "`version` is not a whole number or `override` not true or false")))]
async fn publish(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PublishInput>,
) -> ApiResult<Response> {
    let mut errors = domain::FieldErrors::default();
    let version = match body.version {
        None | Some(serde_json::Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(n) => Some(n),
            None => {
                errors.push(domain::FieldError::new(
                    "version",
                    format!("The rota's version is a whole number, not {v}"),
                ));
                None
            }
        },
    };
    let override_rules = match body.override_rules {
        None | Some(serde_json::Value::Null) => false,
        Some(serde_json::Value::Bool(b)) => b,
        Some(v) => {
            errors.push(domain::FieldError::new(
                "override",
                format!("Send true or false, not {v}"),
            ));
            false
        }
    };
    errors.into_result().map_err(|e| api(e.into()))?;
    let request = app::rota::PublishRequest {
        version,
        override_rules,
    };
    let outcome = match state
        .app
        .rota()
        .publish_rota(&user.actor, &id, &request)
        .await
    {
        Ok(outcome) => outcome,
        // Changed since `version`, or still being solved: the same body as a refusal for
        // hard rules, with no problems listed, so every 409 has the documented shape.
        Err(AppError::Conflict(message)) => {
            return Ok((
                StatusCode::CONFLICT,
                Json(PublishRefusedDto {
                    error: message,
                    fields: Vec::new(),
                    problems: Vec::new(),
                }),
            )
                .into_response());
        }
        Err(other) => return Err(api(other)),
    };
    if outcome.published {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let messages: Vec<&str> = outcome
        .hard_problems
        .iter()
        .map(|p| p.message.as_str())
        .collect();
    let error = format!(
        "The rota was not published: it breaks {} hard {}: {}. Send \"override\": true to publish it anyway (recorded in the audit trail)",
        messages.len(),
        if messages.len() == 1 { "rule" } else { "rules" },
        messages.join("; ")
    );
    Ok((
        StatusCode::CONFLICT,
        Json(PublishRefusedDto {
            error,
            fields: Vec::new(),
            problems: outcome.hard_problems.into_iter().map(problem_dto).collect(),
        }),
    )
        .into_response())
}

#[utoipa::path(post, path = "/api/rotas/{id}/cancel", params(("id" = String, Path)),
    request_body(content = Object, description = "`{}`: a JSON body, which a cross-site form cannot send"),
    responses((status = 204, description = "a queued rota is cancelled; a running one stops soon, keeping its best rota"),
        (status = 401), (status = 404)))]
async fn cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(_body): ApiJson<serde_json::Value>,
) -> ApiResult<StatusCode> {
    state
        .app
        .rota()
        .cancel_rota(&user.actor, &id)
        .await
        .map_err(api)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub(crate) struct CalendarDto {
    /// The private address of the person's published rota as iCalendar, relative to this
    /// server. Anyone with it can read the feed; `POST /me/calendar` issues a new one.
    ical_url: String,
}

#[utoipa::path(get, path = "/api/me/calendar",
    responses((status = 200, body = CalendarDto, description = "the address is made on first use"),
        (status = 401), (status = 404, description = "the account is not linked to a member of staff")))]
async fn my_calendar(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<CalendarDto>> {
    let token = state
        .app
        .rota()
        .my_calendar_token(&user.actor)
        .await
        .map_err(api)?;
    Ok(Json(CalendarDto {
        ical_url: crate::pages::ical_path(&token),
    }))
}

#[utoipa::path(get, path = "/ical/{file}",
    params(("file" = String, Path, description = "`<token>.ics`, from `GET /api/me/calendar`")),
    responses((status = 200, content_type = "text/calendar", body = String,
        description = "the person's sessions in published rotas, from 4 weeks ago to a year ahead, in Europe/London time; no log-in"),
        (status = 404, description = "no such feed (or an address replaced by a new one)")))]
async fn calendar_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let token = file
        .strip_suffix(".ics")
        .filter(|t| !t.is_empty())
        .ok_or(WebError::Page(AppError::NotFound))?;
    let ics = state.app.rota().calendar_ics(token).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            // The feed changes whenever a rota is published again: never serve a stale copy.
            (header::CACHE_CONTROL, "no-cache, private"),
        ],
        ics,
    )
        .into_response())
}

#[derive(OpenApi)]
#[openapi(paths(
    request_rota,
    rota_status,
    assignments,
    publish,
    cancel,
    my_calendar,
    calendar_feed
))]
pub(crate) struct RotaDoc;
