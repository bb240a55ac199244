//! The evidence pack: `GET /api/{practices|pcns|ics}/{code}/evidence-pack?format=pdf|xlsx`
//! (and `&snapshot=ID` to produce a stored pack again). The pages' buttons link here; the
//! session cookie authenticates both.
use super::{ApiResult, api};
use crate::auth::CurrentUser;
use crate::{AppState, Routes};
use app::evidence::{EvidencePack, PackFormat, PackScope};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use utoipa::OpenApi;

pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .get("/api/practices/{ods}/evidence-pack", get(practice_pack))
        .get("/api/pcns/{code}/evidence-pack", get(pcn_pack))
        .get("/api/ics/{code}/evidence-pack", get(ics_pack))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct PackParams {
    format: String,
    snapshot: Option<String>,
}

async fn pack(
    state: &AppState,
    user: &CurrentUser,
    scope: PackScope<'_>,
    params: &PackParams,
) -> ApiResult<Response> {
    let format = PackFormat::parse(&params.format).map_err(api)?;
    let snapshot = params.snapshot.as_deref().filter(|s| !s.is_empty());
    let EvidencePack {
        bytes,
        file_name,
        content_type,
        figures,
    } = state
        .app
        .evidence()
        .evidence_pack(&user.actor, scope, format, snapshot)
        .await
        .map_err(api)?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (
                header::HeaderName::from_static("x-snapshot-id"),
                figures.snapshot_id,
            ),
        ],
        bytes,
    )
        .into_response())
}

const PACK_DOC: &str = "PDF (A4) or its XLSX annex of the same figures: workforce by staff group, demand against capacity, training compliance, wellbeing above the anonymity threshold. Aggregates only. Each pack stores a snapshot; its id is in the `X-Snapshot-Id` header and the file; audited.";

#[utoipa::path(get, path = "/api/practices/{ods}/evidence-pack",
    params(("ods" = String, Path, description = "the practice's ODS code"),
        ("format" = Option<String>, Query, description = "`pdf` (default) or `xlsx`"),
        ("snapshot" = Option<String>, Query, description = "a snapshot id of this practice: the same pack again")),
    responses((status = 200, content_type = "application/pdf", description = PACK_DOC),
        (status = 401), (status = 403, description = "not a manager of the practice or its PCN"),
        (status = 404, description = "no such practice, or no such snapshot of it"),
        (status = 422, description = "`format` is neither pdf nor xlsx")))]
async fn practice_pack(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(ods): Path<String>,
    Query(params): Query<PackParams>,
) -> ApiResult<Response> {
    pack(&state, &user, PackScope::Practice(&ods), &params).await
}

#[utoipa::path(get, path = "/api/pcns/{code}/evidence-pack",
    params(("code" = String, Path, description = "the PCN's code"),
        ("format" = Option<String>, Query, description = "`pdf` (default) or `xlsx`"),
        ("snapshot" = Option<String>, Query, description = "a snapshot id of this PCN: the same pack again")),
    responses((status = 200, content_type = "application/pdf", description = PACK_DOC),
        (status = 401), (status = 403, description = "neither the PCN's manager nor a viewer of its ICS"),
        (status = 404, description = "no such PCN, or no such snapshot of it"),
        (status = 422, description = "`format` is neither pdf nor xlsx")))]
async fn pcn_pack(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(params): Query<PackParams>,
) -> ApiResult<Response> {
    pack(&state, &user, PackScope::Pcn(&code), &params).await
}

#[utoipa::path(get, path = "/api/ics/{code}/evidence-pack",
    params(("code" = String, Path, description = "the ICS's code"),
        ("format" = Option<String>, Query, description = "`pdf` (default) or `xlsx`"),
        ("snapshot" = Option<String>, Query, description = "a snapshot id of this ICS: the same pack again")),
    responses((status = 200, content_type = "application/pdf", description = PACK_DOC),
        (status = 401), (status = 403, description = "not a viewer of this ICS"),
        (status = 404, description = "no such ICS, or no such snapshot of it"),
        (status = 422, description = "`format` is neither pdf nor xlsx")))]
async fn ics_pack(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(params): Query<PackParams>,
) -> ApiResult<Response> {
    pack(&state, &user, PackScope::Ics(&code), &params).await
}

#[derive(OpenApi)]
#[openapi(paths(practice_pack, pcn_pack, ics_pack))]
pub(crate) struct EvidenceDoc;
