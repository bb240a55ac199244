//! Sites and rooms of a practice.
use super::{Done, FieldView, FormView, page_ctx};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use app::AppError;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::FieldErrors;
use domain::room::{RoomCapability, RoomForm, SiteForm};

pub(crate) struct RoomRow {
    pub id: String,
    pub name: String,
    pub capabilities: String,
}

pub(crate) struct SiteBlock {
    pub id: String,
    pub name: String,
    pub address: String,
    pub rooms: Vec<RoomRow>,
    pub room_form: FormView,
}

#[derive(Template, WebTemplate)]
#[template(path = "sites.html")]
pub(crate) struct SitesPage {
    ctx: PageCtx,
    ods: String,
    sites: Vec<SiteBlock>,
    site_form: FormView,
    /// Errors of whichever form was sent, for the summary at the top.
    form: FormView,
    done: String,
}

fn site_fields(form: &SiteForm) -> Vec<FieldView> {
    vec![
        FieldView::new("name", "Site name", "text", &form.name),
        FieldView::new("address", "Address (optional)", "text", &form.address),
    ]
}

fn room_fields(form: &RoomForm, prefix: &str) -> Vec<FieldView> {
    vec![
        FieldView::new(&format!("{prefix}name"), "Room name", "text", &form.name)
            .width("nhsuk-input--width-20"),
        FieldView::new(
            &format!("{prefix}capabilities"),
            "What the room can be used for",
            "checkboxes",
            &form.capabilities.join(";"),
        )
        .options(RoomCapability::ALL.iter().map(|c| (c.code(), c.label()))),
    ]
}

enum Failed {
    None,
    Site(SiteForm, FieldErrors),
    Room(String, RoomForm, FieldErrors),
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    ods: &str,
    failed: Failed,
    done: String,
) -> Result<Response, WebError> {
    let sites = state.app.sites().list_sites(&user.actor, ods).await?;
    let mut summary = FormView::default();
    let site_form = match &failed {
        Failed::Site(form, errors) => {
            let view = FormView::new(site_fields(form)).with_errors(errors);
            summary.errors = view.errors.clone();
            view
        }
        _ => FormView::new(site_fields(&SiteForm::default())),
    };
    let blocks = sites
        .into_iter()
        .map(|s| {
            let prefix = format!("room-{}-", s.site.id);
            let room_form = match &failed {
                Failed::Room(site_id, form, errors) if *site_id == s.site.id => {
                    let view = FormView::new(room_fields(form, &prefix))
                        .with_prefixed_errors(errors, &prefix);
                    summary.errors = view.errors.clone();
                    view
                }
                _ => FormView::new(room_fields(&RoomForm::default(), &prefix)),
            };
            SiteBlock {
                id: s.site.id.clone(),
                name: s.site.site.name.clone(),
                address: s.site.site.address.clone(),
                rooms: s
                    .rooms
                    .iter()
                    .map(|r| RoomRow {
                        id: r.id.clone(),
                        name: r.room.name.clone(),
                        capabilities: r
                            .room
                            .capabilities
                            .iter()
                            .map(|c| c.label())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })
                    .collect(),
                room_form,
            }
        })
        .collect();
    let status = if matches!(failed, Failed::None) {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SitesPage {
        ctx: page_ctx(&user.actor, &token, &format!("/practices/{ods}/sites")),
        ods: ods.to_string(),
        sites: blocks,
        site_form,
        form: summary,
        done,
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn sites_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    render(&state, &user, token, &ods, Failed::None, done.done).await
}

pub(crate) async fn site_create(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
    CsrfForm(form): CsrfForm<SiteForm>,
) -> Result<Response, WebError> {
    match state.app.sites().add_site(&user.actor, &ods, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/practices/{ods}/sites?done=site")).into_response()),
        Err(AppError::Invalid(errors)) => {
            render(
                &state,
                &user,
                token,
                &ods,
                Failed::Site(form, errors),
                String::new(),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// A room form posted from the sites page, where fields are named `room-SITE-name`
/// (several rooms forms share the page, so their ids differ), or from the room page.
#[derive(serde::Deserialize, Default)]
#[serde(transparent)]
pub(crate) struct RoomPost(Vec<(String, String)>);

impl RoomPost {
    fn form(&self, prefix: &str) -> RoomForm {
        let values = |name: &str| -> Vec<String> {
            let prefixed = format!("{prefix}{name}");
            self.0
                .iter()
                .filter(|(k, _)| *k == prefixed || k == name)
                .map(|(_, v)| v.clone())
                .collect()
        };
        RoomForm {
            name: values("name").into_iter().next().unwrap_or_default(),
            capabilities: values("capabilities"),
        }
    }
}

pub(crate) async fn room_create(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(site_id): Path<String>,
    CsrfForm(post): CsrfForm<RoomPost>,
) -> Result<Response, WebError> {
    let form = post.form(&format!("room-{site_id}-"));
    match state
        .app
        .sites()
        .add_room(&user.actor, &site_id, &form)
        .await
    {
        Ok(_) => {
            let (site, _) = site_of(&state, &user, &site_id).await?;
            Ok(Redirect::to(&format!("/practices/{site}/sites?done=room")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let (ods, _) = site_of(&state, &user, &site_id).await?;
            render(
                &state,
                &user,
                token,
                &ods,
                Failed::Room(site_id, form, errors),
                String::new(),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

async fn site_of(
    state: &AppState,
    user: &CurrentUser,
    site_id: &str,
) -> Result<(String, String), WebError> {
    for practice in state
        .app
        .organisations()
        .visible_practices(&user.actor)
        .await?
    {
        if let Ok(sites) = state
            .app
            .sites()
            .list_sites(&user.actor, &practice.ods_code)
            .await
            && let Some(s) = sites.iter().find(|s| s.site.id == site_id)
        {
            return Ok((practice.ods_code.clone(), s.site.site.name.clone()));
        }
    }
    Err(WebError::Page(AppError::NotFound))
}

#[derive(Template, WebTemplate)]
#[template(path = "room_form.html")]
pub(crate) struct RoomPage {
    ctx: PageCtx,
    id: String,
    ods: String,
    site: String,
    form: FormView,
}

pub(crate) async fn room_edit(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (site, room) = state.app.sites().get_room(&user.actor, &id).await?;
    let form = RoomForm {
        name: room.room.name.clone(),
        capabilities: room
            .room
            .capabilities
            .iter()
            .map(|c| c.code().to_string())
            .collect(),
    };
    let page = RoomPage {
        ctx: page_ctx(
            &user.actor,
            &token,
            &format!("/practices/{}/sites", site.practice_ods),
        ),
        id,
        ods: site.practice_ods.clone(),
        site: site.site.name.clone(),
        form: FormView::new(room_fields(&form, "")),
    };
    Ok((token, page).into_response())
}

pub(crate) async fn room_update(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(post): CsrfForm<RoomPost>,
) -> Result<Response, WebError> {
    let form = post.form("");
    let confirmed = post
        .0
        .iter()
        .any(|(k, v)| k == "confirm_rota" && v == "yes");
    match state
        .app
        .sites()
        .update_room_checked(&user.actor, &id, &form, confirmed)
        .await
    {
        Ok(app::rota::stale::Checked::Confirm(breaks)) => {
            let back = format!("/rooms/{id}");
            super::rota::stale::confirm_page(
                &user,
                token,
                "Save this room?",
                &back,
                post.0,
                breaks,
                &back,
            )
        }
        Ok(app::rota::stale::Checked::Done(ods)) => {
            Ok(Redirect::to(&format!("/practices/{ods}/sites?done=room-saved")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let (site, _) = state.app.sites().get_room(&user.actor, &id).await?;
            let page = RoomPage {
                ctx: page_ctx(
                    &user.actor,
                    &token,
                    &format!("/practices/{}/sites", site.practice_ods),
                ),
                id,
                ods: site.practice_ods.clone(),
                site: site.site.name.clone(),
                form: FormView::new(room_fields(&form, "")).with_errors(&errors),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, token, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct DeleteForm {
    /// `yes` once the manager confirmed removing a room a published rota books.
    #[serde(default)]
    confirm_rota: String,
}

pub(crate) async fn room_delete(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DeleteForm>,
) -> Result<Response, WebError> {
    let confirmed = super::rota::stale::confirmed(&form.confirm_rota);
    match state
        .app
        .sites()
        .delete_room_checked(&user.actor, &id, confirmed)
        .await?
    {
        app::rota::stale::Checked::Done(ods) => {
            Ok(Redirect::to(&format!("/practices/{ods}/sites?done=room-deleted")).into_response())
        }
        app::rota::stale::Checked::Confirm(breaks) => {
            let (action, back) = (format!("/rooms/{id}/delete"), format!("/rooms/{id}"));
            super::rota::stale::confirm_page(
                &user,
                token,
                "Remove this room?",
                &action,
                Vec::new(),
                breaks,
                &back,
            )
        }
    }
}
