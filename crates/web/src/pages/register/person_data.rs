//! A person's data on the web: the zip of everything held about them, and erasing a
//! leaver after a confirm page.
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use crate::pages::page_ctx;
use app::AppError;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use domain::org::Employer;

/// The zip as a download.
pub(crate) fn zip_response(staff_id: &str, bytes: Vec<u8>) -> Response {
    let short: String = staff_id.chars().take(8).collect();
    (
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"person-{short}.zip\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub(crate) async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let bytes = state.app.register().export_person(&user.actor, &id).await?;
    Ok(zip_response(&id, bytes))
}

#[derive(Template, WebTemplate)]
#[template(path = "person_erase.html")]
pub(crate) struct ErasePage {
    ctx: PageCtx,
    id: String,
    name: String,
    /// Why the person cannot be erased yet; empty when they can.
    refusal: String,
}

pub(crate) async fn erase_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let ctx = page_ctx(&user.actor, &token, &format!("/staff/{id}"));
    let (status, name, refusal) = match state.app.register().erasure_check(&user.actor, &id).await {
        Ok(person) => (StatusCode::OK, person.draft.name, String::new()),
        Err(AppError::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            String::new(),
            errors.to_string().replacen("end_date: ", "", 1),
        ),
        Err(other) => return Err(other.into()),
    };
    let page = ErasePage {
        ctx,
        id,
        name,
        refusal,
    };
    Ok((status, token, page).into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct ConfirmForm {
    pub confirm: String,
}

pub(crate) async fn erase(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> Result<Response, WebError> {
    if form.confirm != "yes" {
        // Unconfirmed: back to the confirm page, once the actor is known to have the right.
        state.app.register().erasure_check(&user.actor, &id).await?;
        return Ok(Redirect::to(&format!("/staff/{id}/erase")).into_response());
    }
    let person = state.app.register().erase_person(&user.actor, &id).await?;
    let target = match &person.draft.employer {
        Employer::Practice(ods) => format!("/practices/{ods}/staff?done=erased"),
        Employer::Pcn(code) => format!("/pcns/{code}"),
    };
    Ok(Redirect::to(&target).into_response())
}
