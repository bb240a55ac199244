//! The training API: the compliance matrix of a practice and adding a training record
//! with an optional evidence file.
use super::api;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::read_multipart;
use crate::error::WebError;
use crate::pages::record_from_multipart;
use app::{AppError, Tenant};
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub(crate) struct TopicDto {
    id: String,
    /// The name with its level, e.g. "Safeguarding children (Level 3)".
    title: String,
    /// Role codes that need it; empty means everyone.
    roles: Vec<String>,
    /// Months until renewal; null when it never expires.
    renewal_months: Option<u32>,
    evidence_required: bool,
    source: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct CellDto {
    /// The topic's id.
    topic: String,
    /// `in_date`, `expiring`, `expired`, `missing` or `not_required`.
    status: String,
    /// `YYYY-MM-DD`, when the record expires.
    expires_on: Option<String>,
    completed_on: Option<String>,
    verified: bool,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct PersonCellsDto {
    staff_id: String,
    name: String,
    role: String,
    cells: Vec<CellDto>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct TrainingMatrixDto {
    topics: Vec<TopicDto>,
    people: Vec<PersonCellsDto>,
}

#[utoipa::path(get, path = "/api/practices/{ods}/training-matrix",
    params(("ods" = String, Path, description = "the practice's ODS code")),
    responses((status = 200, body = TrainingMatrixDto), (status = 401), (status = 403), (status = 404)))]
pub(crate) async fn training_matrix(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(ods): Path<String>,
) -> Result<Json<TrainingMatrixDto>, WebError> {
    let matrix = state
        .app
        .training()
        .training_matrix(&user.actor, Tenant::Practice(&ods), &Default::default())
        .await
        .map_err(api)?;
    Ok(Json(TrainingMatrixDto {
        topics: matrix
            .topics
            .iter()
            .map(|t| TopicDto {
                id: t.id.clone(),
                title: t.topic.title(),
                roles: t.topic.roles.iter().map(|r| r.code().to_string()).collect(),
                renewal_months: t.topic.renewal_months,
                evidence_required: t.topic.evidence_required,
                source: t.topic.source.clone(),
            })
            .collect(),
        people: matrix
            .people
            .iter()
            .map(|p| PersonCellsDto {
                staff_id: p.staff_id.clone(),
                name: p.name.clone(),
                role: p.role.code().into(),
                cells: p
                    .cells
                    .iter()
                    .map(|c| CellDto {
                        topic: c.topic_id.clone(),
                        status: c.status.code().into(),
                        expires_on: c.expires_on.map(|d| d.to_string()),
                        completed_on: c.completed_on.map(|d| d.to_string()),
                        verified: c.verified,
                    })
                    .collect(),
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct CreatedDto {
    id: String,
}

/// The header a multipart API write must carry: a cross-site form cannot set it, so it
/// stands in for the CSRF token as `Content-Type: application/json` does for JSON writes.
pub const API_WRITE_HEADER: &str = "x-requested-with";

/// Multipart fields: `staff_id` (default: the logged-in person), `topic_id`,
/// `completed_on` (YYYY-MM-DD), `provider`, `hours`, optional `expires_on` (YYYY-MM-DD, the
/// expiry the certificate states), and an optional file `evidence`
/// (PDF, PNG or JPEG, at most 5 MB). Send the header `X-Requested-With`.
#[utoipa::path(post, path = "/api/training-records",
    request_body(content_type = "multipart/form-data", description = "staff_id, topic_id, completed_on, provider, hours, expires_on (optional), evidence (file)"),
    responses((status = 201, body = CreatedDto), (status = 400, description = "the X-Requested-With header is missing"),
        (status = 401), (status = 404), (status = 422, description = "a field is wrong; `fields` names it")))]
pub(crate) async fn create_training_record(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<(StatusCode, Json<CreatedDto>), WebError> {
    if !headers.contains_key(API_WRITE_HEADER) {
        return Err(WebError::ApiStatus(
            StatusCode::BAD_REQUEST,
            "send the header X-Requested-With with multipart API writes".into(),
        ));
    }
    let mut form = read_multipart(multipart, true, usize::MAX).await?;
    let staff_id = match form.fields.get("staff_id").filter(|s| !s.trim().is_empty()) {
        Some(id) => id.trim().to_string(),
        None => user
            .actor
            .staff_id
            .clone()
            .ok_or_else(|| api(AppError::NotFound))?,
    };
    let (record, evidence) = record_from_multipart(&mut form);
    let id = state
        .app
        .training()
        .add_training_record(&user.actor, &staff_id, &record, evidence)
        .await
        .map_err(api)?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}
