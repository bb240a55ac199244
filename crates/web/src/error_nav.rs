//! Error pages keep the navigation: a handler's error is drawn without knowing who asked
//! (`error::error_page`), so this layer, when the answer is such a page and the request
//! came from someone logged in, draws it again with their menu.
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::error::{ErrorShown, render_error_page};
use crate::layout::PageCtx;
use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

pub(crate) async fn keep_navigation(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let mut asked = parts.clone();
    let response = next.run(Request::from_parts(parts, body)).await;
    let Some(shown) = response.extensions().get::<ErrorShown>().cloned() else {
        return response;
    };
    if asked.uri.path().starts_with("/api/") {
        return response;
    }
    let Ok(user) = CurrentUser::from_request_parts(&mut asked, &state).await else {
        return response;
    };
    let Ok(token) = CsrfToken::from_request_parts(&mut asked, &state).await else {
        return response;
    };
    let ctx = PageCtx::new(&user.actor, token.value(), asked.uri.path());
    let (mut head, _) = response.into_parts();
    head.headers.remove(axum::http::header::CONTENT_LENGTH);
    let page = Html(render_error_page(ctx, &shown.title, &shown.message));
    (
        token,
        Response::from_parts(head, page.into_response().into_body()),
    )
        .into_response()
}
