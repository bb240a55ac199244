//! CSRF protection for every form: a synchroniser token kept in the visitor's session.
//!
//! A page takes a `CsrfToken` (which makes the session's token on first use) and puts it in
//! a hidden `csrf_token` field. Handlers that accept a form take `CsrfForm<T>` or
//! `CsrfMultipart`, which refuse the request before the handler runs unless the field
//! equals the session's token — so no form handler can forget the check. Signing in
//! replaces the token (`forget_token`), so a token seen before sign-in is worth nothing after.
use crate::AppState;
use crate::error::WebError;
use crate::input::check_pairs;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponseParts, ResponseParts};
use rand::RngCore;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use subtle::ConstantTimeEq;
use tower_sessions::Session;

/// Where the session keeps its token.
const SESSION_KEY: &str = "csrf_token";

/// The session's CSRF token, made on first use.
#[derive(Clone)]
pub struct CsrfToken {
    token: String,
}

impl CsrfToken {
    /// The value a form sends back in its `csrf_token` field.
    pub fn value(&self) -> String {
        self.token.clone()
    }
}

fn session_failed(e: tower_sessions::session::Error) -> WebError {
    WebError::Page(app::AppError::Internal(e.to_string()))
}

async fn session_of(parts: &mut Parts, state: &AppState) -> Result<Session, WebError> {
    Session::from_request_parts(parts, state)
        .await
        .map_err(|(_, why)| WebError::Page(app::AppError::Internal(why.to_string())))
}

/// 32 random bytes from the operating system, in hex.
fn fresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl FromRequestParts<AppState> for CsrfToken {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let session = session_of(parts, state).await?;
        let token = match session.get::<String>(SESSION_KEY).await {
            Ok(Some(token)) => token,
            Ok(None) => {
                let token = fresh_token();
                session
                    .insert(SESSION_KEY, &token)
                    .await
                    .map_err(session_failed)?;
                token
            }
            Err(e) => return Err(session_failed(e)),
        };
        Ok(CsrfToken { token })
    }
}

/// Nothing to add to the response: the token lives in the session, whose cookie the
/// session layer sets. Pages may return the token beside the page all the same.
impl IntoResponseParts for CsrfToken {
    type Error = std::convert::Infallible;

    fn into_response_parts(self, res: ResponseParts) -> Result<ResponseParts, Self::Error> {
        Ok(res)
    }
}

/// Refuses the request unless `sent` equals the session's token. A session without a
/// token (none was ever shown to it) refuses every form; no token is made here.
async fn check_sent(session: &Session, sent: &str) -> Result<(), WebError> {
    let stored = session
        .get::<String>(SESSION_KEY)
        .await
        .map_err(session_failed)?
        .ok_or(WebError::Csrf)?;
    if sent.is_empty() || !bool::from(stored.as_bytes().ct_eq(sent.as_bytes())) {
        return Err(WebError::Csrf);
    }
    Ok(())
}

/// Drops the session's token, so the next page makes a new one (at sign-in).
pub(crate) async fn forget_token(session: &Session) -> Result<(), tower_sessions::session::Error> {
    session.remove::<String>(SESSION_KEY).await.map(|_| ())
}

/// A checked urlencoded form body. Repeated fields (checkboxes) become lists.
pub struct CsrfForm<T>(pub T);

#[derive(serde::Deserialize)]
struct TokenField {
    #[serde(default)]
    csrf_token: String,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let session = session_of(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| match e.status() {
                axum::http::StatusCode::PAYLOAD_TOO_LARGE => WebError::TooLarge {
                    api: false,
                    words: crate::limits::too_large_words(),
                },
                _ => WebError::BadRequest(e.body_text()),
            })?;
        let field: TokenField = serde_html_form::from_bytes(&bytes).map_err(|_| WebError::Csrf)?;
        check_sent(&session, &field.csrf_token).await?;
        let pairs: Vec<(String, String)> = serde_html_form::from_bytes(&bytes)
            .map_err(|e| WebError::BadRequest(format!("The form could not be read: {e}")))?;
        check_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(|problem| {
            WebError::Refused {
                api: false,
                problem,
            }
        })?;
        let form = serde_html_form::from_bytes(&bytes)
            .map_err(|e| WebError::BadRequest(format!("The form could not be read: {e}")))?;
        Ok(CsrfForm(form))
    }
}

/// An uploaded file from a multipart form.
pub struct Upload {
    pub file_name: String,
    /// The content type the browser declared, if any.
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// A checked multipart form: its text fields and uploaded files by field name (the CSRF
/// token among the fields is checked before the handler runs).
pub struct CsrfMultipart {
    pub fields: BTreeMap<String, String>,
    pub files: BTreeMap<String, Upload>,
    /// A file over the size the form takes: its name. Its bytes were not kept.
    pub oversized: Option<String>,
}

/// Reads every part of a multipart body: text fields (checked like any form field) and
/// files, each file read up to `max_file` bytes (a larger one is named in `oversized`).
pub(crate) async fn read_multipart(
    mut multipart: Multipart,
    api: bool,
    max_file: usize,
) -> Result<CsrfMultipart, WebError> {
    let failed = |e: axum::extract::multipart::MultipartError| match e.status() {
        axum::http::StatusCode::PAYLOAD_TOO_LARGE => WebError::TooLarge {
            api,
            words: crate::limits::too_large_words(),
        },
        status if api => WebError::ApiStatus(status, e.body_text()),
        _ => WebError::BadRequest(e.body_text()),
    };
    let refused = |problem| WebError::Refused { api, problem };
    let mut form = CsrfMultipart {
        fields: BTreeMap::new(),
        files: BTreeMap::new(),
        oversized: None,
    };
    while let Some(mut field) = multipart.next_field().await.map_err(failed)? {
        let name = field.name().unwrap_or_default().to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                check_pairs([("file name", file_name.as_str())]).map_err(refused)?;
                let content_type = field.content_type().map(str::to_string);
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(failed)? {
                    if bytes.len() + chunk.len() > max_file {
                        form.oversized = Some(file_name.clone());
                        break;
                    }
                    bytes.extend_from_slice(&chunk);
                }
                if form.oversized.is_some() {
                    // The rest is not kept. Reading it to the end (or to the route's body
                    // limit) lets the browser see the answer rather than a reset connection.
                    while let Ok(Some(_)) = field.chunk().await {}
                    drop(field);
                    while let Ok(Some(mut rest)) = multipart.next_field().await {
                        while let Ok(Some(_)) = rest.chunk().await {}
                    }
                    return Ok(form);
                }
                form.files.insert(
                    name,
                    Upload {
                        file_name,
                        content_type,
                        bytes,
                    },
                );
            }
            None => {
                let text = field.text().await.map_err(failed)?;
                check_pairs([(name.as_str(), text.as_str())]).map_err(refused)?;
                form.fields.insert(name, text);
            }
        }
    }
    Ok(form)
}

/// A multipart form not read yet, so that its handler can check the user and their right
/// first; `read` then checks the CSRF token and reads it.
pub struct UnreadMultipart {
    request: Request,
}

impl FromRequest<AppState> for UnreadMultipart {
    type Rejection = WebError;

    async fn from_request(request: Request, _state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(UnreadMultipart { request })
    }
}

impl UnreadMultipart {
    /// Throws the body away unread (up to `limit`), so that a refusal reaches the sender.
    pub(crate) async fn discard(self, limit: usize) {
        crate::limits::discard(self.request.into_body(), limit).await;
    }

    /// Checks the CSRF token and reads the form, each file up to `max_file` bytes.
    pub(crate) async fn read(
        self,
        state: &AppState,
        max_file: usize,
    ) -> Result<CsrfMultipart, WebError> {
        let (mut parts, body) = self.request.into_parts();
        let session = session_of(&mut parts, state).await?;
        let req = Request::from_parts(parts, body);
        let multipart = Multipart::from_request(req, state)
            .await
            .map_err(|e| WebError::BadRequest(e.body_text()))?;
        let form = read_multipart(multipart, false, max_file).await?;
        let sent = form
            .fields
            .get("csrf_token")
            .map(String::as_str)
            .unwrap_or_default();
        check_sent(&session, sent).await?;
        Ok(form)
    }
}

impl FromRequest<AppState> for CsrfMultipart {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        UnreadMultipart { request: req }
            .read(state, usize::MAX)
            .await
    }
}
