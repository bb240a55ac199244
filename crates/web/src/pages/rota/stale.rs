//! A published rota stays true: the page that asks a user to confirm a change that breaks a
//! published rota (a second submit of the same form, with `confirm_rota=yes`), and the
//! repair of a marked rota — propose, look at the changed sessions, publish again.
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use crate::pages::{long_date, page_ctx};
use app::AppError;
use app::rota::repair::RepairProposal;
use app::rota::stale::RotaBreak;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// The field a form carries when its user has confirmed a change that breaks a rota.
pub(crate) const CONFIRM_FIELD: &str = "confirm_rota";

/// Whether a posted form's `confirm_rota` says the user confirmed.
pub(crate) fn confirmed(value: &str) -> bool {
    value == "yes"
}

pub(crate) struct BreakView {
    pub rota: String,
    pub href: String,
    pub lines: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "rota_break_confirm.html")]
pub(crate) struct ConfirmPage {
    ctx: PageCtx,
    heading: String,
    action: String,
    fields: Vec<(String, String)>,
    breaks: Vec<BreakView>,
    back: String,
    confirm_field: &'static str,
}

/// The page that says what a change would break and asks the user to confirm it: the same
/// form posted again (its `fields`) with `confirm_rota=yes`, or cancel back to `back`.
/// Nothing has been saved yet.
pub(crate) fn confirm_page(
    user: &CurrentUser,
    token: CsrfToken,
    heading: &str,
    action: &str,
    fields: Vec<(String, String)>,
    breaks: Vec<RotaBreak>,
    back: &str,
) -> Result<Response, WebError> {
    let page = ConfirmPage {
        ctx: page_ctx(&user.actor, &token, back),
        heading: heading.to_string(),
        action: action.to_string(),
        fields: fields
            .into_iter()
            .filter(|(k, _)| k != CONFIRM_FIELD && k != "csrf_token")
            .collect(),
        breaks: breaks
            .into_iter()
            .map(|b| BreakView {
                href: format!("/rotas/{}", b.rota_id),
                rota: b.rota,
                lines: b.lines,
            })
            .collect(),
        back: back.to_string(),
        confirm_field: CONFIRM_FIELD,
    };
    Ok((StatusCode::CONFLICT, token, page).into_response())
}

/// A serialisable form's fields as text pairs, to post again from the confirm page.
pub(crate) fn fields_of<T: serde::Serialize>(form: &T) -> Vec<(String, String)> {
    match serde_json::to_value(form) {
        Ok(serde_json::Value::Object(map)) => map
            .into_iter()
            .flat_map(|(k, v)| match v {
                serde_json::Value::String(s) => vec![(k, s)],
                serde_json::Value::Array(items) => items
                    .into_iter()
                    .filter_map(|i| i.as_str().map(|s| (k.clone(), s.to_string())))
                    .collect(),
                serde_json::Value::Bool(true) => vec![(k, "on".to_string())],
                serde_json::Value::Number(n) => vec![(k, n.to_string())],
                _ => Vec::new(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The confirm page for a person's record (a starter, an end date, a contract).
#[allow(clippy::too_many_arguments)]
pub(crate) fn staff_confirm(
    user: &CurrentUser,
    token: CsrfToken,
    action: &str,
    back: &str,
    form: &domain::staff::StaffForm,
    sites: &[String],
    breaks: Vec<RotaBreak>,
) -> Result<Response, WebError> {
    let mut fields = fields_of(form);
    fields.extend(sites.iter().map(|s| ("sites".to_string(), s.clone())));
    let heading = if form.name.is_empty() {
        "Save this person?".to_string()
    } else {
        format!("Save {}?", form.name)
    };
    confirm_page(user, token, &heading, action, fields, breaks, back)
}

pub(crate) struct ChangeView {
    pub name: String,
    pub date: String,
    pub before: String,
    pub after: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "rota_repair.html")]
pub(crate) struct RepairPage {
    ctx: PageCtx,
    id: String,
    version: i64,
    changes: Vec<ChangeView>,
    problems_left: Vec<String>,
    refused: Vec<String>,
    error: String,
}

fn repair_page_of(
    user: &CurrentUser,
    token: &CsrfToken,
    id: &str,
    proposal: RepairProposal,
    refused: Vec<String>,
    error: String,
) -> Result<RepairPage, WebError> {
    Ok(RepairPage {
        ctx: page_ctx(&user.actor, token, &format!("/rotas/{id}")),
        id: id.to_string(),
        version: proposal.version,
        changes: proposal
            .changes
            .into_iter()
            .map(|c| ChangeView {
                name: c.name,
                date: format!("{} {}", c.date.format("%A"), long_date(c.date)),
                before: c.before,
                after: c.after,
            })
            .collect(),
        problems_left: proposal
            .problems_left
            .into_iter()
            .map(|p| p.message)
            .collect(),
        refused,
        error,
    })
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct Nothing {}

/// Asks for a repair of a marked rota, then shows it.
pub(crate) async fn repair_propose(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Nothing>,
) -> Result<Response, WebError> {
    state.app.rota().propose_repair(&user.actor, &id).await?;
    Ok(Redirect::to(&format!("/rotas/{id}/repair")).into_response())
}

/// The repair proposed: the sessions it changes, and a button to publish it.
pub(crate) async fn repair_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    match state.app.rota().repair_proposal(&user.actor, &id).await? {
        Some(proposal) => {
            let page = repair_page_of(&user, &token, &id, proposal, Vec::new(), String::new())?;
            Ok((token, page).into_response())
        }
        None => Ok(Redirect::to(&format!("/rotas/{id}")).into_response()),
    }
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct RepairPublishForm {
    #[serde(default)]
    version: String,
}

/// Publishes the proposed repair; refused (and shown again) when the rota moved on or the
/// repair still breaks a hard rule.
pub(crate) async fn repair_publish(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<RepairPublishForm>,
) -> Result<Response, WebError> {
    let version = crate::pages::rota::form_version(&form.version);
    let (refused, error) = match state
        .app
        .rota()
        .publish_repair(&user.actor, &id, version)
        .await
    {
        Ok(outcome) if outcome.published => {
            return Ok(Redirect::to(&format!("/rotas/{id}?done=rota-repaired")).into_response());
        }
        Ok(outcome) => (
            outcome
                .hard_problems
                .into_iter()
                .map(|p| p.message)
                .collect(),
            String::new(),
        ),
        Err(AppError::Conflict(message)) => (Vec::new(), message),
        Err(e) => return Err(e.into()),
    };
    match state.app.rota().repair_proposal(&user.actor, &id).await? {
        Some(proposal) => {
            let page = repair_page_of(&user, &token, &id, proposal, refused, error)?;
            Ok((StatusCode::CONFLICT, token, page).into_response())
        }
        None => Ok(Redirect::to(&format!("/rotas/{id}")).into_response()),
    }
}
