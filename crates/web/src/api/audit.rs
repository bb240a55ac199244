//! The audit trail in the JSON API: `GET /api/audit`, the same filters as the page, as JSON
//! pages or (`?format=csv`) one CSV file; and a person's data, `GET /api/staff/{id}/export`.
use super::{ApiResult, api};
use crate::auth::CurrentUser;
use crate::{AppState, Routes};
use app::AppError;
use app::audit::{AuditQuery, AuditQueryForm};
use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .get("/api/audit", get(audit))
        .get("/api/staff/{id}/export", get(person_export))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct AuditParams {
    #[serde(flatten)]
    filters: AuditQueryForm,
    format: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct AuditRowDto {
    /// RFC 3339, UTC.
    at: String,
    /// In England (Europe/London): "3 March 2026, 14:05".
    when: String,
    /// The account's email, or "command line".
    who: String,
    user_id: Option<String>,
    /// A sentence: "Approved the leave request of Jane Smith".
    what: String,
    action: String,
    /// The kind of record: `staff`, `leave`, `training_record`...
    entity: String,
    entity_id: String,
    /// The practice's ODS code or the PCN's code.
    organisation: String,
    organisation_name: String,
    /// The record before and after, as JSON text; both null once a person is erased.
    before: Option<String>,
    after: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct AuditPageDto {
    page: u32,
    /// Whether `page + 1` has older rows.
    has_next: bool,
    rows: Vec<AuditRowDto>,
}

#[utoipa::path(get, path = "/api/audit",
    params(
        ("organisation" = Option<String>, Query, description = "a practice's ODS code or a PCN code (a PCN includes its practices)"),
        ("person" = Option<String>, Query, description = "a staff record's id: rows about the person or a record of theirs"),
        ("actor" = Option<String>, Query, description = "who made the change: an email or a user id"),
        ("from" = Option<String>, Query, description = "first day, YYYY-MM-DD, in England"),
        ("to" = Option<String>, Query, description = "last day, YYYY-MM-DD, in England"),
        ("page" = Option<u32>, Query, description = "from 1; 100 rows a page, newest first"),
        ("format" = Option<String>, Query, description = "`csv` for the whole filtered trail as CSV"),
    ),
    responses((status = 200, body = AuditPageDto, description = "one page of rows the user may see, newest first (or text/csv)"),
        (status = 401), (status = 403, description = "staff and ICS viewers, or an organisation outside the user's reach"),
        (status = 422, description = "a filter that is not valid, named in `fields`")))]
async fn audit(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<AuditParams>,
) -> ApiResult<Response> {
    let query = AuditQuery::parse(&params.filters).map_err(|e| api(AppError::Invalid(e)))?;
    if params.format.eq_ignore_ascii_case("csv") {
        let bytes = state
            .app
            .audit()
            .audit_csv(&user.actor, &query)
            .await
            .map_err(api)?;
        return Ok(crate::pages::audit_csv_response(bytes));
    }
    let page = state
        .app
        .audit()
        .audit_search(&user.actor, &query)
        .await
        .map_err(api)?;
    Ok(Json(AuditPageDto {
        page: page.page,
        has_next: page.has_next,
        rows: page
            .lines
            .into_iter()
            .map(|l| AuditRowDto {
                at: l.at,
                when: l.when,
                who: l.who,
                user_id: l.user_id,
                what: l.what,
                action: l.action,
                entity: l.entity,
                entity_id: l.entity_id,
                organisation: l.organisation,
                organisation_name: l.organisation_name,
                before: l.before_json,
                after: l.after_json,
            })
            .collect(),
    })
    .into_response())
}

#[derive(OpenApi)]
#[openapi(paths(audit, person_export))]
pub(crate) struct AuditDoc;

/// `GET /api/staff/{id}/export`: everything held about a person as one zip.
#[utoipa::path(get, path = "/api/staff/{id}/export", params(("id" = String, Path, description = "the staff record's id")),
    responses((status = 200, content_type = "application/zip", description = "JSON and CSV per table, the evidence files and the audit rows about the person; audited"),
        (status = 401), (status = 403, description = "not the person's employer's manager, an administrator or the person"), (status = 404)))]
pub(crate) async fn person_export(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> ApiResult<Response> {
    let bytes = state
        .app
        .register()
        .export_person(&user.actor, &id)
        .await
        .map_err(api)?;
    Ok(crate::pages::person_zip_response(&id, bytes))
}
