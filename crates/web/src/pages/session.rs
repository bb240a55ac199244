//! Logging in and out, and the home page that sends each user to their own start page.
use crate::AppState;
use crate::auth::{ClientAddr, CurrentUser, end_session, start_session};
use crate::csrf::CsrfForm;
use crate::error::WebError;
use crate::layout::PageCtx;
use app::two_factor::LoginStep;
use app::{Actor, AppError};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_csrf::CsrfToken;
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

/// Only same-site paths are followed after log-in.
pub(crate) fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        String::new()
    }
}

fn login_page_with(
    token: &CsrfToken,
    error: Option<String>,
    email: String,
    next: String,
) -> Result<LoginPage, WebError> {
    let csrf_token = token
        .authenticity_token()
        .map_err(|e| WebError::Page(AppError::Internal(e.to_string())))?;
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
    match state.app.login(&form.email, &form.password, &client).await {
        Ok(LoginStep::CodeNeeded { user_id }) => {
            crate::pages::two_factor::remember_pending(&state, &session, user_id, next).await?;
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
        Err(error @ (AppError::BadCredentials | AppError::TooManyAttempts)) => {
            let status = crate::error::status_of(&error);
            let page = login_page_with(
                &token,
                Some(error.to_string()),
                form.email.clone(),
                next.clone(),
            )?;
            Ok((status, token.clone(), page).into_response())
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
