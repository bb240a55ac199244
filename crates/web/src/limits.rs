//! How much a request may carry and for how long it may run.
//!
//! Every body is limited to `BODY_LIMIT` before anything reads it, so a request that is
//! not logged in can never make the server hold more than that. Only the upload routes
//! take more, and each of their handlers finds the user (and, for imports, the user's right
//! to run the import) before it touches the body.
use crate::AppState;
use crate::error::WebError;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use std::convert::Infallible;
use std::time::Duration;

/// Forms and JSON bodies.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// An import's file, exactly as the importers cap it (`import::MAX_FILE_BYTES`).
pub const IMPORT_FILE_LIMIT: usize = import::MAX_FILE_BYTES;

/// An import's whole body. Twice the file limit, so that a file a little over it is read to
/// the end (and thrown away) and its sender sees the answer naming it rather than a reset
/// connection; a body declared larger is refused before it is read.
pub const IMPORT_BODY_LIMIT: usize = 2 * IMPORT_FILE_LIMIT;

/// A training record with its evidence file (`import::MAX_EVIDENCE_BYTES`, checked exactly
/// by the evidence reader), with the same margin.
pub const EVIDENCE_BODY_LIMIT: usize = 2 * import::MAX_EVIDENCE_BYTES;

/// How long any request may take to be answered.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How long an upload may take to arrive and be imported.
pub const UPLOAD_TIMEOUT: Duration = Duration::from_secs(300);

/// The message for a body over its limit.
pub(crate) fn too_large_words() -> String {
    format!(
        "The request is too large: a form or JSON body may be at most {} MB, an imported file {} MB and an evidence file {} MB",
        BODY_LIMIT / (1024 * 1024),
        IMPORT_FILE_LIMIT / (1024 * 1024),
        import::MAX_EVIDENCE_BYTES / (1024 * 1024)
    )
}

/// The message for an uploaded file over its limit, naming the file.
pub(crate) fn file_too_large_words(file_name: &str, limit: usize) -> String {
    format!(
        "'{}' is larger than {} MB: files up to {} MB can be imported here",
        import::safe_file_name(file_name),
        limit / (1024 * 1024),
        limit / (1024 * 1024)
    )
}

/// Any route: answered within `REQUEST_TIMEOUT` (a response body, such as a download,
/// streams after that without a limit).
pub(crate) fn ordinary(handler: MethodRouter<AppState>) -> MethodRouter<AppState> {
    handler
        .layer::<_, Infallible>(timeout(REQUEST_TIMEOUT))
        .layer(from_fn_with_state(BODY_LIMIT, declared_length))
}

/// An upload route: a larger body limit and more time than the rest.
pub(crate) fn upload(handler: MethodRouter<AppState>, body_limit: usize) -> MethodRouter<AppState> {
    handler
        .layer::<_, Infallible>(timeout(UPLOAD_TIMEOUT))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(from_fn_with_state(body_limit, declared_length))
}

/// Refuses a body whose declared length is over the route's limit at once, before the
/// user is looked up and without reading any of it.
async fn declared_length(State(limit): State<usize>, request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(length) if length > limit as u64 => {
            let api = request.uri().path().starts_with("/api/");
            WebError::TooLarge {
                api,
                words: too_large_words(),
            }
            .into_response()
        }
        _ => next.run(request).await,
    }
}

fn timeout(limit: Duration) -> tower_http::timeout::TimeoutLayer {
    tower_http::timeout::TimeoutLayer::with_status_code(
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        limit,
    )
}

/// Reads a body to its end (at most `limit` bytes) and throws it away: an upload refused
/// after the user was found (no right to it, a wrong type) is answered only once its body
/// has arrived, or the sender would see a reset connection instead of the answer.
pub(crate) async fn discard(mut body: axum::body::Body, limit: usize) {
    use http_body_util::BodyExt;
    let mut seen = 0usize;
    while let Some(Ok(frame)) = body.frame().await {
        seen += frame.data_ref().map_or(0, |d| d.len());
        if seen > limit {
            return;
        }
    }
}
