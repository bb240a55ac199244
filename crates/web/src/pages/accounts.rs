//! Account administration pages: the list of accounts a manager runs (disable, enable,
//! change a role), inviting someone, and changing one's own password.
use super::{FieldView, FormView, page_ctx};
use crate::AppState;
use crate::auth::{CurrentUser, start_session};
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use app::AppError;
use app::accounts::AccountView;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

pub(super) mod links;
pub(super) mod session;
pub(super) mod two_factor;

#[derive(Template, WebTemplate)]
#[template(path = "accounts.html")]
pub(crate) struct AccountsPage {
    ctx: PageCtx,
    accounts: Vec<AccountView>,
    done: String,
    problem: String,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct DoneQuery {
    #[serde(default)]
    done: String,
}

async fn accounts_page_with(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    done: String,
    problem: String,
    status: StatusCode,
) -> Result<Response, WebError> {
    let accounts = state.app.accounts().list(&user.actor).await?;
    let page = AccountsPage {
        ctx: page_ctx(&user.actor, &token, "/accounts"),
        accounts,
        done,
        problem,
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn accounts_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    accounts_page_with(
        &state,
        &user,
        token,
        query.done,
        String::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct Empty {}

async fn account_change(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    result: Result<(), AppError>,
    done: &str,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/accounts?done={done}")).into_response()),
        Err(AppError::Conflict(problem)) => {
            accounts_page_with(
                state,
                user,
                token,
                String::new(),
                problem,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(AppError::Invalid(errors)) => {
            let problem = errors
                .0
                .iter()
                .map(|e| e.message.clone())
                .collect::<Vec<_>>()
                .join(". ");
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            accounts_page_with(state, user, token, String::new(), problem, status).await
        }
        Err(other) => Err(other.into()),
    }
}

pub(crate) async fn account_disable(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let result = state
        .app
        .accounts()
        .set_account_disabled(&user.actor, &id, true)
        .await;
    account_change(&state, &user, token, result, "account-disabled").await
}

pub(crate) async fn account_enable(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let result = state
        .app
        .accounts()
        .set_account_disabled(&user.actor, &id, false)
        .await;
    account_change(&state, &user, token, result, "account-enabled").await
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct RoleForm {
    #[serde(default)]
    role: String,
}

pub(crate) async fn account_role(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> Result<Response, WebError> {
    let result = state
        .app
        .accounts()
        .change_account_role(&user.actor, &id, &form.role)
        .await;
    account_change(&state, &user, token, result, "role-changed").await
}

#[derive(Template, WebTemplate)]
#[template(path = "invite.html")]
pub(crate) struct InvitePage {
    ctx: PageCtx,
    form: FormView,
}

#[derive(serde::Deserialize, Default, Clone)]
pub(crate) struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    organisation: String,
}

async fn invite_fields(
    state: &AppState,
    user: &CurrentUser,
    form: &InviteForm,
) -> Result<Vec<FieldView>, WebError> {
    let targets = state.app.accounts().invite_targets(&user.actor).await?;
    let mut roles: Vec<(String, String)> = Vec::new();
    for target in &targets {
        for role in &target.roles {
            if !roles.iter().any(|(code, _)| code == role.code()) {
                roles.push((role.code().into(), role.label().into()));
            }
        }
    }
    let organisations: Vec<(String, String)> = targets
        .iter()
        .filter(|t| !t.code.is_empty())
        .map(|t| (t.code.clone(), t.name.clone()))
        .collect();
    Ok(vec![
        FieldView::new("email", "Their email address", "email", &form.email)
            .autocomplete("off")
            .width("nhsuk-input--width-30"),
        FieldView::new("role", "Role", "select", &form.role)
            .options(roles.iter().map(|(c, l)| (c.as_str(), l.as_str()))),
        FieldView::new("organisation", "Organisation", "select", &form.organisation)
            .hint(
                "The practice, PCN or ICS the account belongs to (none for a system administrator)",
            )
            .options(organisations.iter().map(|(c, n)| (c.as_str(), n.as_str()))),
    ])
}

pub(crate) async fn invite_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
) -> Result<Response, WebError> {
    let fields = invite_fields(&state, &user, &InviteForm::default()).await?;
    let page = InvitePage {
        ctx: page_ctx(&user.actor, &token, "/accounts"),
        form: FormView::new(fields),
    };
    Ok((token, page).into_response())
}

pub(crate) async fn invite_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<Response, WebError> {
    let result = state
        .app
        .accounts()
        .invite(
            &user.actor,
            &form.email,
            &form.role,
            &form.organisation,
            state.mailer.as_ref(),
            &state.public_url,
        )
        .await;
    match result {
        Ok(_) => Ok(Redirect::to("/accounts?done=invited").into_response()),
        Err(AppError::Invalid(errors)) => {
            let fields = invite_fields(&state, &user, &form).await?;
            let page = InvitePage {
                ctx: page_ctx(&user.actor, &token, "/accounts"),
                form: FormView::new(fields).with_errors(&errors),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, token, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "password_form.html")]
pub(crate) struct PasswordPage {
    pub(crate) ctx: PageCtx,
    pub(crate) heading: String,
    pub(crate) lead: String,
    pub(crate) action: String,
    pub(crate) button: String,
    pub(crate) form: FormView,
}

/// The "new password, twice" fields every password form ends with.
pub(crate) fn new_password_fields() -> Vec<FieldView> {
    vec![
        FieldView::new("password", "New password", "password", "")
            .autocomplete("new-password")
            .width("nhsuk-input--width-20"),
        FieldView::new("password_again", "New password again", "password", "")
            .autocomplete("new-password")
            .width("nhsuk-input--width-20"),
    ]
}

fn change_page(ctx: PageCtx, errors: Option<&domain::FieldErrors>, done: bool) -> PasswordPage {
    let mut fields = vec![
        FieldView::new("current_password", "Current password", "password", "")
            .autocomplete("current-password")
            .width("nhsuk-input--width-20"),
    ];
    fields.extend(new_password_fields());
    let form = FormView::new(fields);
    PasswordPage {
        ctx,
        heading: "Change your password".into(),
        lead: if done {
            "Your password was changed. You are still logged in here; every other session was ended.".into()
        } else {
            "Changing your password logs you out everywhere else.".into()
        },
        action: "/account/password".into(),
        button: "Change password".into(),
        form: match errors {
            Some(errors) => form.with_errors(errors),
            None => form,
        },
    }
}

pub(crate) async fn password_page(
    user: CurrentUser,
    token: CsrfToken,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let ctx = page_ctx(&user.actor, &token, "/account/password");
    let page = change_page(ctx, None, query.done == "password");
    Ok((token, page).into_response())
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct ChangeForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_again: String,
}

pub(crate) async fn password_submit(
    State(state): State<AppState>,
    session: Session,
    user: CurrentUser,
    token: CsrfToken,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> Result<Response, WebError> {
    let result = state
        .app
        .accounts()
        .change_password(
            &user.actor,
            &form.current_password,
            &form.password,
            &form.password_again,
        )
        .await;
    match result {
        Ok(()) => {
            // Every session ended with the change; this one starts again in the new epoch.
            start_session(&state, &session, &user.actor).await?;
            Ok(Redirect::to("/account/password?done=password").into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let ctx = page_ctx(&user.actor, &token, "/account/password");
            let page = change_page(ctx, Some(&errors), false);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, token, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
