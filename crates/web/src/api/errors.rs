//! The API's one error body, as the OpenAPI document describes it: every failure of every
//! call answers `{"error": "...", "fields": [...]}` (some add more, such as `problems`).
use serde::Serialize;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response};
use utoipa::{PartialSchema, ToSchema};

/// The body of every failure.
#[derive(Serialize, ToSchema)]
pub(crate) struct ApiErrorDto {
    /// What went wrong, in words.
    error: String,
    /// Each field that was wrong, with its message; empty when no field was.
    fields: Vec<FieldErrorDto>,
}

/// One wrong field.
#[derive(Serialize, ToSchema)]
pub(crate) struct FieldErrorDto {
    /// The field's name in the request (a JSON key or form field).
    field: String,
    message: String,
}

/// What every call may answer besides what it documents itself.
const COMMON: &[(&str, &str)] = &[
    (
        "400",
        "the request could not be read (bad JSON, a bad address)",
    ),
    (
        "401",
        "not logged in (log in with POST /api/login), or wrong credentials",
    ),
    ("404", "not found"),
    ("405", "this method is not allowed here"),
    ("default", "any other failure"),
    (
        "503",
        "the request took too long and was stopped; try again",
    ),
];

/// For calls with a body.
const WITH_BODY: &[(&str, &str)] = &[
    ("413", "the body is larger than this call accepts"),
    (
        "415",
        "the body is not sent with the content type this call takes",
    ),
    (
        "422",
        "a field is wrong (`fields` names it): a value that does not fit, a character that cannot be stored, a text over its length",
    ),
];

/// Gives every failure response of every operation the error body, and documents the
/// failures every call may give.
pub(crate) fn describe_errors(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    for (name, schema) in [
        ("ApiErrorDto", <ApiErrorDto as PartialSchema>::schema()),
        ("FieldErrorDto", <FieldErrorDto as PartialSchema>::schema()),
    ] {
        components.schemas.insert(name.to_string(), schema);
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        if !path.starts_with("/api/") || path == "/api/openapi.json" {
            continue;
        }
        let operations = [
            item.get.as_mut(),
            item.put.as_mut(),
            item.post.as_mut(),
            item.delete.as_mut(),
            item.patch.as_mut(),
        ];
        for operation in operations.into_iter().flatten() {
            describe_operation(operation);
        }
    }
}

fn error_content() -> Content {
    Content::new(Some(Ref::from_schema_name("ApiErrorDto")))
}

fn describe_operation(operation: &mut Operation) {
    let with_body = operation.request_body.is_some();
    let responses = &mut operation.responses.responses;
    let extra = COMMON.iter().chain(if with_body { WITH_BODY } else { &[] });
    for (status, description) in extra {
        responses
            .entry((*status).to_string())
            .or_insert_with(|| RefOr::T(Response::new(*description)));
    }
    for (status, response) in responses.iter_mut() {
        let failure = status.starts_with('4') || status.starts_with('5') || status == "default";
        if let RefOr::T(response) = response
            && failure
            && response.content.is_empty()
        {
            response
                .content
                .insert("application/json".into(), RefOr::T(error_content()));
        }
    }
}
