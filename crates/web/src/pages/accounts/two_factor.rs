//! Two-factor sign-in pages: setting it up and turning it off (`/account/two-factor`), and
//! the second step of logging in (`/login/two-factor`), which starts the session only once
//! a code from the authenticator app, or a recovery code, is right.
use crate::AppState;
use crate::auth::{ClientAddr, CurrentUser, start_session};
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use crate::pages::accounts::session::{safe_next, start_page};
use crate::pages::page_ctx;
use app::AppError;
use app::accounts::two_factor::{PENDING_LOGIN_SECONDS, TwoFactorSetup, TwoFactorStatus};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// The session key of a log-in whose password was right and whose code is awaited.
const PENDING_KEY: &str = "two_factor_pending";
const PAGE: &str = "/account/two-factor";

/// "Password checked for this user, until then"; kept in the (server-side) session.
#[derive(serde::Serialize, serde::Deserialize)]
struct PendingLogin {
    user_id: String,
    /// Unix seconds after which the password must be entered again.
    until: i64,
    next: String,
}

/// Remembers a checked password for `PENDING_LOGIN_SECONDS`; the log-in continues at
/// `/login/two-factor`.
pub(crate) async fn remember_pending(
    state: &AppState,
    session: &Session,
    user_id: String,
    next: String,
) -> Result<(), WebError> {
    let until = state.app.clock().now().timestamp() + PENDING_LOGIN_SECONDS;
    let internal =
        |e: tower_sessions::session::Error| WebError::Page(AppError::Internal(e.to_string()));
    // A fresh id, so a session id seen before the password cannot ride on it.
    session.cycle_id().await.map_err(internal)?;
    session
        .insert(
            PENDING_KEY,
            PendingLogin {
                user_id,
                until,
                next,
            },
        )
        .await
        .map_err(internal)
}

/// The pending log-in, unless there is none or it has expired.
async fn pending(state: &AppState, session: &Session) -> Option<PendingLogin> {
    let pending: PendingLogin = session.get(PENDING_KEY).await.ok().flatten()?;
    (pending.until >= state.app.clock().now().timestamp()).then_some(pending)
}

#[derive(Template, WebTemplate)]
#[template(path = "login_two_factor.html")]
pub(crate) struct CodePage {
    ctx: PageCtx,
    error: Option<String>,
}

fn code_page(token: &CsrfToken, error: Option<String>) -> CodePage {
    let mut ctx = PageCtx::anonymous();
    ctx.csrf_token = token.value();
    CodePage { ctx, error }
}

pub(crate) async fn login_code_page(
    State(state): State<AppState>,
    session: Session,
    token: CsrfToken,
) -> Result<Response, WebError> {
    if pending(&state, &session).await.is_none() {
        return Ok(Redirect::to("/login").into_response());
    }
    let page = code_page(&token, None);
    Ok((token, page).into_response())
}

#[derive(serde::Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    code: String,
}

pub(crate) async fn login_code_submit(
    State(state): State<AppState>,
    session: Session,
    token: CsrfToken,
    ClientAddr(client): ClientAddr,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, WebError> {
    let Some(pending) = pending(&state, &session).await else {
        return Ok(Redirect::to("/login").into_response());
    };
    if form.code.trim().is_empty() {
        let page = code_page(
            &token,
            Some("Enter the 6-digit code from your authenticator app, or a recovery code".into()),
        );
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, token, page).into_response());
    }
    match state
        .app
        .accounts()
        .complete_login(&pending.user_id, &form.code, &client)
        .await
    {
        Ok(actor) => {
            let _ = session.remove::<PendingLogin>(PENDING_KEY).await;
            start_session(&state, &session, &actor).await?;
            let next = safe_next(&pending.next);
            let target = if next.is_empty() {
                start_page(&actor)
            } else {
                next
            };
            Ok(Redirect::to(&target).into_response())
        }
        Err(error @ (AppError::BadCode | AppError::TooManyAttempts { .. })) => {
            let status = crate::error::status_of(&error);
            let retry = crate::error::retry_after(&error);
            let message = match error {
                AppError::BadCode => {
                    "The code is not correct, or it has been used already. Enter the code your app shows now, or an unused recovery code".to_string()
                }
                other => other.to_string(),
            };
            let page = code_page(&token, Some(message));
            Ok((status, retry, token, page).into_response())
        }
        Err(AppError::Unauthenticated) => {
            let _ = session.remove::<PendingLogin>(PENDING_KEY).await;
            Ok(Redirect::to("/login").into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "two_factor.html")]
pub(crate) struct AccountPage {
    ctx: PageCtx,
    status: TwoFactorStatus,
    /// Shown while two-factor sign-in is off.
    setup: Option<TwoFactorSetup>,
    /// The recovery codes, shown once, right after turning it on.
    codes: Vec<String>,
    error: Option<String>,
    done: String,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct DoneQuery {
    #[serde(default)]
    done: String,
}

async fn account_page(
    state: &AppState,
    user: &CurrentUser,
    token: &CsrfToken,
    secret: Option<&str>,
    codes: Vec<String>,
    error: Option<String>,
    done: String,
) -> Result<AccountPage, WebError> {
    let status = state.app.accounts().two_factor_status(&user.actor).await?;
    let setup = if status.enabled {
        None
    } else {
        Some(state.app.accounts().two_factor_setup(&user.actor, secret)?)
    };
    Ok(AccountPage {
        ctx: page_ctx(&user.actor, token, PAGE),
        status,
        setup,
        codes,
        error,
        done,
    })
}

pub(crate) async fn account_two_factor(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let done = match query.done.as_str() {
        "off" => query.done,
        _ => String::new(),
    };
    let page = account_page(&state, &user, &token, None, Vec::new(), None, done).await?;
    Ok((token, page).into_response())
}

#[derive(serde::Deserialize)]
pub(crate) struct EnableForm {
    #[serde(default)]
    secret: String,
    #[serde(default)]
    code: String,
}

/// The message of a form's one field error, for the page's error summary.
fn field_message(error: AppError) -> Result<String, WebError> {
    match error {
        AppError::Invalid(errors) => Ok(errors
            .0
            .into_iter()
            .map(|e| e.message)
            .collect::<Vec<_>>()
            .join(". ")),
        AppError::Conflict(message) => Ok(message),
        other => Err(other.into()),
    }
}

pub(crate) async fn enable(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    CsrfForm(form): CsrfForm<EnableForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .accounts()
        .enable_two_factor(&user.actor, &form.secret, &form.code)
        .await
    {
        Ok(codes) => {
            let page =
                account_page(&state, &user, &token, None, codes, None, String::new()).await?;
            Ok((token, page).into_response())
        }
        Err(error) => {
            let status = crate::error::status_of(&error);
            let message = field_message(error)?;
            // The same secret again, so the app already holding it still works.
            let secret = Some(form.secret.trim()).filter(|s| !s.is_empty());
            let page = match account_page(
                &state,
                &user,
                &token,
                secret,
                Vec::new(),
                Some(message.clone()),
                String::new(),
            )
            .await
            {
                Ok(page) => page,
                // A secret that is not valid base32: start again with a fresh one.
                Err(_) => {
                    account_page(
                        &state,
                        &user,
                        &token,
                        None,
                        Vec::new(),
                        Some(message),
                        String::new(),
                    )
                    .await?
                }
            };
            Ok((status, token, page).into_response())
        }
    }
}

pub(crate) async fn disable(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .accounts()
        .disable_two_factor(&user.actor, &form.code)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("{PAGE}?done=off")).into_response()),
        Err(error) => {
            let status = crate::error::status_of(&error);
            let message = field_message(error)?;
            let page = account_page(
                &state,
                &user,
                &token,
                None,
                Vec::new(),
                Some(message),
                String::new(),
            )
            .await?;
            Ok((status, token, page).into_response())
        }
    }
}
