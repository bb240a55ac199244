//! Logging in and out, and the home page that sends each user to their own start page.
use crate::AppState;
use crate::auth::{ClientAddr, CurrentUser, end_session, start_session};
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use app::accounts::two_factor::LoginStep;
use app::{Actor, AppError};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::account::UserRole;
use tower_sessions::Session;

/// Where a user starts.
pub(crate) fn start_page(actor: &Actor) -> String {
    match actor.role {
        UserRole::PracticeManager => format!("/practices/{}", actor.org),
        UserRole::PcnManager => format!("/pcns/{}", actor.org),
        UserRole::IcsViewer => "/system".into(),
        UserRole::SystemAdmin => "/admin".into(),
        UserRole::Staff => "/me".into(),
    }
}

pub(crate) async fn home(user: CurrentUser) -> Redirect {
    Redirect::to(&start_page(&user.actor))
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub(crate) struct LoginPage {
    ctx: PageCtx,
    csrf_token: String,
    error: Option<String>,
    email: String,
    next: String,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct LoginQuery {
    #[serde(default)]
    next: String,
}

/// Only paths of this site are followed after log-in: a single leading `/`, no `//`, no
/// backslash, and no control or space characters, both as sent and once percent-decoded
/// (browsers drop a tab or newline, so `/%09/evil.example` would become `//evil.example`).
/// As sent it must be plain ASCII, as a `Location` header needs. Anything else gives ""
/// (the user's start page).
pub(crate) fn safe_next(next: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(next).decode_utf8_lossy();
    let site_path = |text: &str| {
        text.starts_with('/')
            && !text.contains("//")
            && !text.contains('\\')
            && !text.chars().any(|c| c.is_control() || c.is_whitespace())
    };
    let plain = next.chars().all(|c| c.is_ascii_graphic());
    // A decoded space is harmless in the query (`?x=a%20b`), never in the path.
    let (path, query) = decoded.split_once('?').unwrap_or((&decoded, ""));
    let query_ok = !query.chars().any(|c| c.is_control());
    if plain && site_path(next) && site_path(path) && query_ok {
        next.to_string()
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_a_path_of_this_site_or_nothing() {
        for good in [
            "/",
            "/practices/Y99901",
            "/rota?week=2026-W48&x=a%20b",
            "/caf%C3%A9",
        ] {
            assert_eq!(safe_next(good), good, "{good}");
        }
        let nasty = [
            "",
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "/%09/evil.example/phish",
            "/\t/evil.example",
            "/%0a/evil.example",
            "/x\nSet-Cookie: a=b",
            "/%0d%0aLocation:%20https://evil.example",
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "/%5C/evil.example",
            "/%5cevil.example",
            "/%20/evil.example",
            "/ /evil.example",
            "/%00",
            "/\u{7f}",
            "/\u{2028}evil",
            "/%E2%80%A8evil",
            "/café",
            "javascript:alert(1)",
            " /practices",
        ];
        for bad in nasty {
            assert_eq!(safe_next(bad), "", "{bad:?} must not be followed");
        }
    }
}

fn login_page_with(
    token: &CsrfToken,
    error: Option<String>,
    email: String,
    next: String,
) -> Result<LoginPage, WebError> {
    let csrf_token = token.value();
    let mut ctx = PageCtx::anonymous();
    ctx.csrf_token = csrf_token.clone();
    Ok(LoginPage {
        ctx,
        csrf_token,
        error,
        email,
        next,
    })
}

pub(crate) async fn login_page(
    token: CsrfToken,
    Query(query): Query<LoginQuery>,
) -> Result<Response, WebError> {
    let page = login_page_with(&token, None, String::new(), safe_next(&query.next))?;
    Ok((token, page).into_response())
}

#[derive(serde::Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub(crate) async fn login_submit(
    State(state): State<AppState>,
    session: Session,
    token: CsrfToken,
    ClientAddr(client): ClientAddr,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<Response, WebError> {
    let next = safe_next(&form.next);
    let failure = |message: String| -> Result<Response, WebError> {
        let page = login_page_with(&token, Some(message), form.email.clone(), next.clone())?;
        Ok((axum::http::StatusCode::UNAUTHORIZED, token.clone(), page).into_response())
    };
    if form.email.trim().is_empty() || form.password.is_empty() {
        return failure("Enter your email address and password".into());
    }
    match state
        .app
        .accounts()
        .login(&form.email, &form.password, &client)
        .await
    {
        Ok(LoginStep::CodeNeeded { user_id }) => {
            crate::pages::accounts::two_factor::remember_pending(&state, &session, user_id, next)
                .await?;
            Ok(Redirect::to("/login/two-factor").into_response())
        }
        Ok(LoginStep::SignedIn(actor)) => {
            start_session(&state, &session, &actor).await?;
            let target = if next.is_empty() {
                start_page(&actor)
            } else {
                next.clone()
            };
            Ok(Redirect::to(&target).into_response())
        }
        Err(error @ (AppError::BadCredentials | AppError::TooManyAttempts { .. })) => {
            let status = crate::error::status_of(&error);
            let retry = crate::error::retry_after(&error);
            let page = login_page_with(
                &token,
                Some(error.to_string()),
                form.email.clone(),
                next.clone(),
            )?;
            Ok((status, retry, token.clone(), page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct Empty {}

pub(crate) async fn logout(session: Session, CsrfForm(_): CsrfForm<Empty>) -> Redirect {
    end_session(&session).await;
    Redirect::to("/login")
}
