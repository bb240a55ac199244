//! The notifications inbox (newest first, mark one or all read) and the settings page where
//! a person chooses which kinds come by email and sees whether email is on.
use super::page_ctx;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use app::notifications::{EmailStatus, Kind};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

pub(crate) struct ItemView {
    pub id: String,
    pub text: String,
    pub link: String,
    pub when: String,
    pub read: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications.html")]
pub(crate) struct InboxPage {
    ctx: PageCtx,
    items: Vec<ItemView>,
    unread: usize,
    email: EmailStatus,
    done: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct DoneQuery {
    done: String,
}

pub(crate) async fn inbox(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let list = state.app.notifications().list(&user.actor).await?;
    let email = state.app.notifications().email_status(&user.actor).await?;
    let items: Vec<ItemView> = list
        .into_iter()
        .map(|n| ItemView {
            when: app::clock::show_timestamp(&n.created_at),
            id: n.id,
            text: n.text,
            link: n.link,
            read: n.read,
        })
        .collect();
    let mut ctx = page_ctx(&user.actor, &token, "/notifications");
    let unread = items.iter().filter(|i| !i.read).count();
    ctx.unread = unread as i64;
    let page = InboxPage {
        ctx,
        unread,
        items,
        email,
        done: query.done,
    };
    Ok((token, page).into_response())
}

#[derive(serde::Deserialize)]
pub(crate) struct Empty {}

pub(crate) async fn mark_read(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_form): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    state
        .app
        .notifications()
        .mark_notification_read(&user.actor, &id)
        .await?;
    Ok(Redirect::to("/notifications?done=read").into_response())
}

pub(crate) async fn mark_all_read(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(_form): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    state
        .app
        .notifications()
        .mark_all_notifications_read(&user.actor)
        .await?;
    Ok(Redirect::to("/notifications?done=all-read").into_response())
}

pub(crate) struct ChoiceView {
    pub code: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "notification_settings.html")]
pub(crate) struct SettingsPage {
    ctx: PageCtx,
    choices: Vec<ChoiceView>,
    email: EmailStatus,
    address: String,
    saved: bool,
}

pub(crate) async fn settings(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let settings = state
        .app
        .notifications()
        .notification_settings(&user.actor)
        .await?;
    let page = SettingsPage {
        ctx: page_ctx(&user.actor, &token, "/account/notifications"),
        choices: settings
            .choices
            .into_iter()
            .map(|(kind, checked)| ChoiceView {
                code: kind.code(),
                label: kind.label(),
                checked,
            })
            .collect(),
        email: settings.email,
        address: user.actor.email.clone(),
        saved: query.done == "saved",
    };
    Ok((token, page).into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct ChoicesForm {
    /// The kinds ticked to come by email.
    email: Vec<String>,
}

pub(crate) async fn settings_save(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<ChoicesForm>,
) -> Result<Response, WebError> {
    let wanted: Vec<Kind> = form.email.iter().filter_map(|c| Kind::parse(c)).collect();
    state
        .app
        .notifications()
        .set_notification_emails(&user.actor, &wanted)
        .await?;
    Ok(Redirect::to("/account/notifications?done=saved").into_response())
}
