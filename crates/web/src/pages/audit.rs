//! The audit trail page: who changed what and when, filtered and paged, with the record
//! before and after each change; and its CSV download.
use super::page_ctx;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use app::AppError;
use app::audit::{AuditLine, AuditQuery, AuditQueryForm};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// One filter input.
pub(crate) struct FilterField {
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    kind: &'static str,
    value: String,
    error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub(crate) struct AuditPage {
    ctx: PageCtx,
    fields: Vec<FilterField>,
    /// (field, message), in field order.
    errors: Vec<(String, String)>,
    lines: Vec<AuditLine>,
    person_name: Option<String>,
    page: u32,
    previous: Option<String>,
    next: Option<String>,
    csv: String,
    filtered: bool,
}

fn filter_fields(form: &AuditQueryForm, errors: &[(String, String)]) -> Vec<FilterField> {
    [
        (
            "organisation",
            "Organisation",
            "A practice's ODS code or a PCN code",
            "text",
            &form.organisation,
        ),
        (
            "person",
            "Person acted on",
            "The id of a staff record",
            "text",
            &form.person,
        ),
        (
            "actor",
            "Changed by",
            "An email address or account id",
            "text",
            &form.actor,
        ),
        (
            "from",
            "From",
            "A date, for example 2026-03-31",
            "date",
            &form.from,
        ),
        (
            "to",
            "To",
            "A date, for example 2026-03-31",
            "date",
            &form.to,
        ),
    ]
    .into_iter()
    .map(|(name, label, hint, kind, value)| FilterField {
        name,
        label,
        hint,
        kind,
        value: value.clone(),
        error: errors
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, m)| m.clone()),
    })
    .collect()
}

/// The filters as a query string, with the page (or the CSV format) added.
fn query_string(form: &AuditQueryForm, extra: (&str, String)) -> String {
    let mut pairs: Vec<(&str, String)> = [
        ("organisation", &form.organisation),
        ("person", &form.person),
        ("actor", &form.actor),
        ("from", &form.from),
        ("to", &form.to),
    ]
    .into_iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .map(|(k, v)| (k, v.trim().to_string()))
    .collect();
    pairs.push(extra);
    format!(
        "/audit?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

pub(crate) async fn audit_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Query(form): Query<AuditQueryForm>,
) -> Result<Response, WebError> {
    let ctx = page_ctx(&user.actor, &token, "/audit");
    let filtered = [
        &form.organisation,
        &form.person,
        &form.actor,
        &form.from,
        &form.to,
    ]
    .iter()
    .any(|v| !v.trim().is_empty());
    let result = match AuditQuery::parse(&form) {
        Ok(query) => state.app.audit().audit_search(&user.actor, &query).await,
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    let (lines, person_name, page, has_next, errors) = match result {
        Ok(p) => (p.lines, p.person_name, p.page, p.has_next, Vec::new()),
        Err(AppError::Invalid(errors)) => (
            Vec::new(),
            None,
            1,
            false,
            errors
                .0
                .into_iter()
                .map(|e| (e.field.to_string(), e.message))
                .collect(),
        ),
        Err(other) => return Err(other.into()),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = AuditPage {
        ctx,
        previous: (page > 1).then(|| query_string(&form, ("page", (page - 1).to_string()))),
        next: has_next.then(|| query_string(&form, ("page", (page + 1).to_string()))),
        fields: filter_fields(&form, &errors),
        csv: query_string(&form, ("format", "csv".into())).replacen("/audit?", "/api/audit?", 1),
        errors,
        lines,
        person_name,
        page,
        filtered,
    };
    Ok((status, token, page).into_response())
}

/// The CSV download of a filtered trail.
pub(crate) fn csv_response(bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit-trail.csv\"",
            ),
        ],
        bytes,
    )
        .into_response()
}
