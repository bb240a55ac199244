//! One error type for the web tier: maps app errors to a status and either an NHS-styled
//! page or a JSON body, depending on whether the request was for the API.
use crate::layout::PageCtx;
use app::AppError;
use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

/// A refused field: which one, and the message in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextProblem {
    pub field: String,
    pub message: String,
}

#[derive(Debug)]
pub enum WebError {
    /// A page request failed.
    Page(AppError),
    /// An API request failed.
    Api(AppError),
    /// A form was posted without a valid CSRF token.
    Csrf,
    /// Not logged in: pages redirect to the log-in page, the API answers 401.
    LoginRequired {
        api: bool,
        next: String,
    },
    BadRequest(String),
    /// A system administrator without two-factor sign-in: pages go to set it up, the API
    /// answers 403.
    TwoFactorSetupRequired {
        api: bool,
    },
    /// An API request refused before its handler ran (bad JSON, a wrong content type, an
    /// oversized body...): the status and the message, in the API's JSON error shape.
    ApiStatus(StatusCode, String),
    /// A text field that cannot be stored or is too long: 422, naming the field.
    Refused {
        api: bool,
        problem: TextProblem,
    },
    /// A body over the route's limit: 413, with the limits in words.
    TooLarge {
        api: bool,
        words: String,
    },
}

/// The API's one error body: `{"error": "...", "fields": [{"field", "message"}]}`.
pub(crate) fn api_error_body(
    status: StatusCode,
    error: &str,
    fields: serde_json::Value,
) -> Response {
    (
        status,
        Json(serde_json::json!({ "error": error, "fields": fields })),
    )
        .into_response()
}

/// An error page without the navigation (the handler does not know who asked); it carries
/// its words as [`ErrorShown`], so `error_nav` can draw it again with the user's menu.
fn error_page(status: StatusCode, title: &str, message: String) -> Response {
    let mut response = (
        status,
        Html(render_error_page(PageCtx::anonymous(), title, &message)),
    )
        .into_response();
    response.extensions_mut().insert(ErrorShown {
        title: title.into(),
        message,
    });
    response
}

/// The words of an error page already drawn.
#[derive(Debug, Clone)]
pub(crate) struct ErrorShown {
    pub title: String,
    pub message: String,
}

pub(crate) fn render_error_page(ctx: PageCtx, title: &str, message: &str) -> String {
    ErrorPage {
        ctx,
        title: title.into(),
        message: message.into(),
    }
    .render()
    .unwrap_or_default()
}

impl From<AppError> for WebError {
    fn from(error: AppError) -> Self {
        WebError::Page(error)
    }
}

pub(crate) fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::Unauthenticated | AppError::BadCredentials | AppError::BadCode => {
            StatusCode::UNAUTHORIZED
        }
        AppError::Forbidden => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Invalid(_) | AppError::Import(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Store(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// `Retry-After` for a refusal that names when to try again (RFC 9110, in seconds).
pub(crate) fn retry_after(error: &AppError) -> Option<[(axum::http::HeaderName, String); 1]> {
    match error {
        AppError::TooManyAttempts {
            retry_after_seconds,
            ..
        } => Some([(
            axum::http::header::RETRY_AFTER,
            retry_after_seconds.to_string(),
        )]),
        _ => None,
    }
}

/// The message a person sees; internal details stay in the server log.
pub(crate) fn public_message(error: &AppError) -> String {
    match error {
        AppError::Store(_) | AppError::Internal(_) => {
            tracing::error!(error = %error, "request failed");
            "Something went wrong on our side. Try again, and tell your administrator if it keeps happening.".into()
        }
        AppError::NotFound => "Page not found".into(),
        other => other.to_string(),
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: PageCtx,
    title: String,
    message: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::Page(error) => {
                let status = status_of(&error);
                let retry = retry_after(&error);
                let title = match status {
                    StatusCode::FORBIDDEN => {
                        "You do not have permission to see this page".to_string()
                    }
                    StatusCode::NOT_FOUND => "Page not found".to_string(),
                    StatusCode::TOO_MANY_REQUESTS => "Too many attempts".to_string(),
                    StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT => {
                        "There is a problem".to_string()
                    }
                    _ => "Sorry, there is a problem with the service".to_string(),
                };
                (retry, error_page(status, &title, public_message(&error))).into_response()
            }
            WebError::Api(error) => {
                let status = status_of(&error);
                let fields = match &error {
                    AppError::Invalid(errors) => {
                        serde_json::to_value(&errors.0).unwrap_or_default()
                    }
                    _ => serde_json::Value::Array(Vec::new()),
                };
                (
                    status,
                    retry_after(&error),
                    Json(serde_json::json!({ "error": public_message(&error), "fields": fields })),
                )
                    .into_response()
            }
            WebError::Csrf => error_page(
                StatusCode::FORBIDDEN,
                "Your form has expired",
                "For your security the form could not be sent. Go back, reload the page and try again.".into(),
            ),
            WebError::LoginRequired { api: true, .. } => (
                StatusCode::UNAUTHORIZED,
                Json(serde_json::json!({ "error": "log in to continue", "fields": [] })),
            )
                .into_response(),
            WebError::LoginRequired { api: false, next } => {
                let target =
                    serde_urlencoded::to_string([("next", next.as_str())]).unwrap_or_default();
                Redirect::to(&format!("/login?{target}")).into_response()
            }
            WebError::TwoFactorSetupRequired { api: true } => (
                StatusCode::FORBIDDEN,
                Json(serde_json::json!({
                    "error": "a system administrator must set up two-factor sign-in first: open /account/two-factor in a browser",
                    "fields": [],
                })),
            )
                .into_response(),
            WebError::TwoFactorSetupRequired { api: false } => {
                Redirect::to("/account/two-factor").into_response()
            }
            WebError::ApiStatus(status, message) => {
                api_error_body(status, &message, serde_json::Value::Array(Vec::new()))
            }
            WebError::Refused { api: true, problem } => api_error_body(
                StatusCode::UNPROCESSABLE_ENTITY,
                &problem.message,
                serde_json::json!([{ "field": problem.field, "message": problem.message }]),
            ),
            WebError::Refused { api: false, problem } => error_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "There is a problem",
                format!("{}. Go back, correct it and send the form again.", problem.message),
            ),
            WebError::TooLarge { api: true, words } => api_error_body(
                StatusCode::PAYLOAD_TOO_LARGE,
                &words,
                serde_json::Value::Array(Vec::new()),
            ),
            WebError::TooLarge { api: false, words } => {
                error_page(StatusCode::PAYLOAD_TOO_LARGE, "The file is too large", words)
            }
            WebError::BadRequest(message) => {
                error_page(StatusCode::BAD_REQUEST, "There is a problem", message)
            }
        }
    }
}

/// The page for any path the product does not serve.
pub(crate) async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        WebError::Api(AppError::NotFound).into_response()
    } else {
        WebError::Page(AppError::NotFound).into_response()
    }
}
