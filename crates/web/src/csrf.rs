//! CSRF protection for every form, through `axum_csrf` (a signed double-submit cookie).
//!
//! Pages put `ctx.csrf_token` in a hidden `csrf_token` field and return the `CsrfToken` so
//! its cookie is set. Handlers that accept a form take `CsrfForm<T>` or `CsrfMultipart`,
//! which refuse the request before the handler runs unless the token matches — so no
//! form handler can forget the check.
use crate::AppState;
use crate::error::WebError;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request};
use axum_csrf::CsrfToken;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

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
        let token = CsrfToken::from_request_parts(&mut parts, state)
            .await
            .map_err(|_| WebError::Csrf)?;
        let req = Request::from_parts(parts, body);
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| WebError::BadRequest(e.to_string()))?;
        let field: TokenField = serde_html_form::from_bytes(&bytes).map_err(|_| WebError::Csrf)?;
        token
            .verify(&field.csrf_token)
            .map_err(|_| WebError::Csrf)?;
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
}

/// Reads every part of a multipart body: text fields and files.
pub(crate) async fn read_multipart(mut multipart: Multipart) -> Result<CsrfMultipart, WebError> {
    let mut fields = BTreeMap::new();
    let mut files = BTreeMap::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| WebError::BadRequest(e.body_text()))?
    {
        let name = field.name().unwrap_or_default().to_string();
        match field.file_name().map(str::to_string) {
            Some(file_name) => {
                let content_type = field.content_type().map(str::to_string);
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| WebError::BadRequest(e.body_text()))?;
                files.insert(
                    name,
                    Upload {
                        file_name,
                        content_type,
                        bytes: bytes.to_vec(),
                    },
                );
            }
            None => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| WebError::BadRequest(e.body_text()))?;
                fields.insert(name, text);
            }
        }
    }
    Ok(CsrfMultipart { fields, files })
}

impl FromRequest<AppState> for CsrfMultipart {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let token = CsrfToken::from_request_parts(&mut parts, state)
            .await
            .map_err(|_| WebError::Csrf)?;
        let req = Request::from_parts(parts, body);
        let multipart = Multipart::from_request(req, state)
            .await
            .map_err(|e| WebError::BadRequest(e.body_text()))?;
        let form = read_multipart(multipart).await?;
        let sent = form
            .fields
            .get("csrf_token")
            .map(String::as_str)
            .unwrap_or_default();
        token.verify(sent).map_err(|_| WebError::Csrf)?;
        Ok(form)
    }
}
