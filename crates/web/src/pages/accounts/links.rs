//! The pages behind one-time links, which need no log-in: the first-run set-up, accepting
//! an invitation, and forgotten passwords (asking for a link, then choosing a password).
//! A link that no longer works gets a page saying why and how to ask again: 404 when
//! unknown, 410 when used or expired.
use crate::AppState;
use crate::auth::start_session;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use crate::pages::accounts::session::start_page;
use crate::pages::accounts::{PasswordPage, new_password_fields};
use crate::pages::{FieldView, FormView};
use app::AppError;
use app::accounts::links::{DeadLink, LinkOutcome, NewAccount};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use store::accounts::tokens::Purpose;
use tower_sessions::Session;

#[derive(Template, WebTemplate)]
#[template(path = "notice.html")]
pub(crate) struct NoticePage {
    ctx: PageCtx,
    title: String,
    paragraphs: Vec<String>,
    link_href: String,
    link_text: String,
}

fn anonymous(token: &CsrfToken) -> PageCtx {
    let mut ctx = PageCtx::anonymous();
    ctx.csrf_token = token.value();
    ctx
}

/// The status a dead link answers with: 404 unknown, 410 used or expired.
pub(crate) fn dead_status(dead: DeadLink) -> StatusCode {
    match dead {
        DeadLink::Unknown => StatusCode::NOT_FOUND,
        DeadLink::Used | DeadLink::Expired => StatusCode::GONE,
    }
}

/// Why a link no longer works and how to ask again, in plain words.
pub(crate) fn dead_words(purpose: Purpose, dead: DeadLink) -> (String, String) {
    let (title, why) = match (purpose, dead) {
        (Purpose::Setup, _) => (
            "This set-up link no longer works",
            "The set-up link creates the first administrator once, within an hour of gpteam starting on an empty database. If you are the administrator, log in; otherwise ask your administrator for an account.",
        ),
        (Purpose::Invitation, DeadLink::Unknown) => (
            "This invitation link is not right",
            "Check you copied the whole link from the email. If it still does not work, ask the person who invited you (usually your manager) to invite you again.",
        ),
        (Purpose::Invitation, DeadLink::Used) => (
            "This invitation has already been used",
            "If you made your account with it, log in. Otherwise ask your manager to invite you again.",
        ),
        (Purpose::Invitation, DeadLink::Expired) => (
            "This invitation has expired",
            "Invitations work for 7 days. Ask your manager to invite you again.",
        ),
        (Purpose::PasswordReset, DeadLink::Unknown) => (
            "This password reset link is not right",
            "Check you copied the whole link from the email, or ask for a new link.",
        ),
        (Purpose::PasswordReset, DeadLink::Used) => (
            "This password reset link has already been used",
            "Each link works once. If you did not change your password with it, ask for a new link.",
        ),
        (Purpose::PasswordReset, DeadLink::Expired) => (
            "This password reset link has expired",
            "Reset links work for one hour. Ask for a new link.",
        ),
    };
    (title.into(), why.into())
}

fn dead_page(token: &CsrfToken, purpose: Purpose, dead: DeadLink) -> Result<Response, WebError> {
    let (title, why) = dead_words(purpose, dead);
    let (link_href, link_text) = match purpose {
        Purpose::PasswordReset => ("/password-reset", "Ask for a new link"),
        Purpose::Setup | Purpose::Invitation => ("/login", "Log in"),
    };
    let page = NoticePage {
        ctx: anonymous(token),
        title,
        paragraphs: vec![why],
        link_href: link_href.into(),
        link_text: link_text.into(),
    };
    Ok((dead_status(dead), page).into_response())
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct AccountForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

fn account_page(
    ctx: PageCtx,
    purpose: Purpose,
    link: &str,
    lead: String,
    form: &AccountForm,
    errors: Option<&domain::FieldErrors>,
) -> PasswordPage {
    let mut fields = vec![
        FieldView::new("name", "Your full name", "text", &form.name)
            .autocomplete("name")
            .width("nhsuk-input--width-30"),
    ];
    if purpose == Purpose::Setup {
        fields.push(
            FieldView::new("email", "Your email address", "email", &form.email)
                .autocomplete("username")
                .width("nhsuk-input--width-30"),
        );
    }
    fields.extend(new_password_fields());
    let view = FormView::new(fields);
    let (heading, action, button) = match purpose {
        Purpose::Setup => (
            "Set up gpteam",
            format!("/setup/{link}"),
            "Create the administrator",
        ),
        _ => (
            "Create your account",
            format!("/invitations/{link}"),
            "Create my account",
        ),
    };
    PasswordPage {
        ctx,
        heading: heading.into(),
        lead,
        action,
        button: button.into(),
        form: match errors {
            Some(errors) => view.with_errors(errors),
            None => view,
        },
    }
}

fn lead_for(purpose: Purpose, open: &app::accounts::links::OpenLink) -> String {
    match (purpose, open.role) {
        (Purpose::Setup, _) => "Create the first system administrator. They run the deployment: organisations, reference data and every account.".into(),
        (_, Some(role)) if !open.organisation.is_empty() => format!(
            "You are invited to gpteam as {} at {}, with the email address {}.",
            role.label().to_lowercase(),
            open.organisation,
            open.email
        ),
        (_, Some(role)) => format!(
            "You are invited to gpteam as {}, with the email address {}.",
            role.label().to_lowercase(),
            open.email
        ),
        (_, None) => String::new(),
    }
}

async fn link_page(
    state: &AppState,
    token: CsrfToken,
    purpose: Purpose,
    link: &str,
) -> Result<Response, WebError> {
    match state.app.accounts().open_link(purpose, link).await? {
        Ok(open) => {
            let lead = lead_for(purpose, &open);
            let page = account_page(
                anonymous(&token),
                purpose,
                link,
                lead,
                &AccountForm::default(),
                None,
            );
            Ok((token, page).into_response())
        }
        Err(dead) => dead_page(&token, purpose, dead),
    }
}

async fn link_submit(
    state: &AppState,
    session: &Session,
    token: CsrfToken,
    purpose: Purpose,
    link: &str,
    form: AccountForm,
) -> Result<Response, WebError> {
    let account = NewAccount {
        name: form.name.clone(),
        email: form.email.clone(),
        password: form.password.clone(),
        password_again: Some(form.password_again.clone()),
    };
    let result = match purpose {
        Purpose::Setup => state.app.accounts().complete_setup(link, &account).await,
        _ => state.app.accounts().accept_invitation(link, &account).await,
    };
    match result {
        Ok(LinkOutcome::Done(actor)) => {
            start_session(state, session, &actor).await?;
            Ok(Redirect::to(&start_page(&actor)).into_response())
        }
        Ok(LinkOutcome::Dead(dead)) => dead_page(&token, purpose, dead),
        Err(AppError::Invalid(errors)) => {
            let lead = match state.app.accounts().open_link(purpose, link).await? {
                Ok(open) => lead_for(purpose, &open),
                Err(_) => String::new(),
            };
            let page = account_page(anonymous(&token), purpose, link, lead, &form, Some(&errors));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, token, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

pub(crate) async fn setup_page(
    State(state): State<AppState>,
    token: CsrfToken,
    Path(link): Path<String>,
) -> Result<Response, WebError> {
    link_page(&state, token, Purpose::Setup, &link).await
}

pub(crate) async fn setup_submit(
    State(state): State<AppState>,
    session: Session,
    token: CsrfToken,
    Path(link): Path<String>,
    CsrfForm(form): CsrfForm<AccountForm>,
) -> Result<Response, WebError> {
    link_submit(&state, &session, token, Purpose::Setup, &link, form).await
}

pub(crate) async fn invitation_page(
    State(state): State<AppState>,
    token: CsrfToken,
    Path(link): Path<String>,
) -> Result<Response, WebError> {
    link_page(&state, token, Purpose::Invitation, &link).await
}

pub(crate) async fn invitation_submit(
    State(state): State<AppState>,
    session: Session,
    token: CsrfToken,
    Path(link): Path<String>,
    CsrfForm(form): CsrfForm<AccountForm>,
) -> Result<Response, WebError> {
    link_submit(&state, &session, token, Purpose::Invitation, &link, form).await
}

#[derive(Template, WebTemplate)]
#[template(path = "reset_request.html")]
pub(crate) struct ResetRequestPage {
    ctx: PageCtx,
    form: FormView,
}

fn email_field(email: &str) -> FieldView {
    FieldView::new("email", "Email address", "email", email)
        .autocomplete("username")
        .width("nhsuk-input--width-30")
}

pub(crate) async fn reset_request_page(token: CsrfToken) -> Result<Response, WebError> {
    let page = ResetRequestPage {
        ctx: anonymous(&token),
        form: FormView::new(vec![email_field("")]),
    };
    Ok((token, page).into_response())
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct ResetRequestForm {
    #[serde(default)]
    email: String,
}

/// Starts a reset in the background, so the answer takes the same time whether or not
/// the address has an account (and whether or not an email is sent).
pub(crate) fn start_reset(state: &AppState, email: String) {
    let (app, mailer, url) = (
        state.app.clone(),
        state.mailer.clone(),
        state.public_url.clone(),
    );
    tokio::spawn(async move {
        if let Err(error) = app
            .accounts()
            .request_password_reset(&email, mailer.as_ref(), &url)
            .await
        {
            tracing::warn!("a password reset request failed: {error}");
        }
    });
}

pub(crate) async fn reset_request_submit(
    State(state): State<AppState>,
    token: CsrfToken,
    CsrfForm(form): CsrfForm<ResetRequestForm>,
) -> Result<Response, WebError> {
    if let Err(error) = domain::staff::parse_email(&form.email) {
        let page = ResetRequestPage {
            ctx: anonymous(&token),
            form: FormView::new(vec![email_field(&form.email)]).with_errors(&error.into()),
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, token, page).into_response());
    }
    start_reset(&state, form.email);
    let page = NoticePage {
        ctx: anonymous(&token),
        title: "Check your email".into(),
        paragraphs: vec![
            "If the address has a gpteam account, we have sent it a link to choose a new password. The link works once, for one hour.".into(),
            "No email after a few minutes? Check your spam folder, then ask for another link or ask your manager.".into(),
        ],
        link_href: "/login".into(),
        link_text: "Back to log in".into(),
    };
    Ok((token, page).into_response())
}

fn reset_page(ctx: PageCtx, link: &str, errors: Option<&domain::FieldErrors>) -> PasswordPage {
    let view = FormView::new(new_password_fields());
    PasswordPage {
        ctx,
        heading: "Choose a new password".into(),
        lead: "Setting a new password logs you out everywhere.".into(),
        action: format!("/password-reset/{link}"),
        button: "Set the new password".into(),
        form: match errors {
            Some(errors) => view.with_errors(errors),
            None => view,
        },
    }
}

pub(crate) async fn reset_page_for(
    State(state): State<AppState>,
    token: CsrfToken,
    Path(link): Path<String>,
) -> Result<Response, WebError> {
    match state
        .app
        .accounts()
        .open_link(Purpose::PasswordReset, &link)
        .await?
    {
        Ok(_) => {
            let page = reset_page(anonymous(&token), &link, None);
            Ok((token, page).into_response())
        }
        Err(dead) => dead_page(&token, Purpose::PasswordReset, dead),
    }
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

pub(crate) async fn reset_submit(
    State(state): State<AppState>,
    token: CsrfToken,
    Path(link): Path<String>,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> Result<Response, WebError> {
    let result = state
        .app
        .accounts()
        .reset_password(&link, &form.password, Some(&form.password_again))
        .await;
    match result {
        Ok(LinkOutcome::Done(())) => {
            let page = NoticePage {
                ctx: anonymous(&token),
                title: "Your password was changed".into(),
                paragraphs: vec![
                    "You were logged out everywhere. Log in with your new password.".into(),
                ],
                link_href: "/login".into(),
                link_text: "Log in".into(),
            };
            Ok((token, page).into_response())
        }
        Ok(LinkOutcome::Dead(dead)) => dead_page(&token, Purpose::PasswordReset, dead),
        Err(AppError::Invalid(errors)) => {
            let page = reset_page(anonymous(&token), &link, Some(&errors));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, token, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
