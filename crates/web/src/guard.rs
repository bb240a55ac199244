//! What wraps every response: the security headers, the address check, and the API's one
//! JSON error shape for failures that no handler produced (an unknown method, a body the
//! framework refused, a timeout).
use crate::error::api_error_body;
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::set_header::SetResponseHeaderLayer;

/// Scripts, styles, images and fonts only from this site; no inline script or style, no
/// plug-ins, no framing, forms only to this site. (The QR code for two-factor sign-in is a
/// `data:` image.)
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Browsers remember for a year to reach the site only over HTTPS.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// Wraps the router in the checks and headers every request gets.
pub(crate) fn layers(router: Router, secure_cookies: bool) -> Router {
    let mut router = router
        .layer(axum::middleware::from_fn(api_errors))
        .layer(axum::middleware::from_fn(address_check));
    let mut headers = vec![
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    if secure_cookies {
        headers.push((header::STRICT_TRANSPORT_SECURITY, STRICT_TRANSPORT_SECURITY));
    }
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
}

fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Refuses an address holding a character that could not be stored (`input::check_uri`).
async fn address_check(request: Request, next: Next) -> Response {
    match crate::input::check_uri(request.uri()) {
        Ok(()) => next.run(request).await,
        Err(message) if is_api(request.uri().path()) => {
            api_error_body(StatusCode::BAD_REQUEST, &message, empty())
        }
        Err(message) => crate::error::WebError::BadRequest(message).into_response(),
    }
}

fn empty() -> serde_json::Value {
    serde_json::Value::Array(Vec::new())
}

/// Under `/api`, turns any failure that is not already JSON (axum's plain-text rejections,
/// an empty 405, a timeout, an HTML page) into the API's error body, keeping its status
/// and, for plain text, its words.
async fn api_errors(request: Request, next: Next) -> Response {
    if !is_api(request.uri().path()) {
        return next.run(request).await;
    }
    let response = next.run(request).await;
    let status = response.status();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || json {
        return response;
    }
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    let (parts, body) = response.into_parts();
    let text = if plain {
        axum::body::to_bytes(body, 4096)
            .await
            .map(|b| String::from_utf8_lossy(&b).trim().to_string())
            .unwrap_or_default()
    } else {
        drop::<Body>(body);
        String::new()
    };
    let message = if text.is_empty() {
        words_for(status)
    } else {
        text
    };
    let mut fixed = api_error_body(status, &message, empty());
    // Keep what tells the client how to go on (`Allow` on a 405, `Retry-After`).
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = parts.headers.get(&name) {
            fixed.headers_mut().insert(name, value.clone());
        }
    }
    fixed
}

/// The message for a status when nothing better was said.
fn words_for(status: StatusCode) -> String {
    match status {
        StatusCode::BAD_REQUEST => "the request could not be read".into(),
        StatusCode::UNAUTHORIZED => "log in to continue".into(),
        StatusCode::FORBIDDEN => "you do not have permission to do this".into(),
        StatusCode::NOT_FOUND => "not found".into(),
        StatusCode::METHOD_NOT_ALLOWED => {
            "this method is not allowed here: see the Allow header".into()
        }
        StatusCode::PAYLOAD_TOO_LARGE => crate::limits::too_large_words(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            "send the body as JSON, with the header Content-Type: application/json".into()
        }
        StatusCode::SERVICE_UNAVAILABLE => {
            "the request took too long and was stopped: try again".into()
        }
        other => other
            .canonical_reason()
            .unwrap_or("the request failed")
            .to_lowercase(),
    }
}
