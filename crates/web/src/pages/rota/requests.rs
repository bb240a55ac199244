//! The requests a manager decides, in one list: swap and cover requests and requests for a
//! session off that a published rota books, each with approve and decline (a decline gives
//! the reason the person reads on My rota). An approval that breaks a hard rule comes back
//! with the rules it breaks and an override.
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use crate::pages::rota::form_version;
use crate::pages::{FormView, long_date, page_ctx};
use app::AppError;
use app::rota::requests::RequestKind;
use app::rota::swaps::Decision;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// One request as listed.
pub(crate) struct RequestView {
    pub id: String,
    /// Where its decision is sent.
    pub action: String,
    /// "Swap: Dr Asha Patel asks Ben Cole to take it", "Session off: …".
    pub what: String,
    pub when: String,
    pub site: String,
    pub note: String,
    pub version: i64,
    pub rota_href: String,
    /// The reason typed, and its error, when a decline came back.
    pub reason: String,
    pub reason_error: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "rota_requests.html")]
pub(crate) struct RequestsPage {
    ctx: PageCtx,
    requests: Vec<RequestView>,
    form: FormView,
    done: String,
}

/// A decline sent back: the request and what was wrong.
struct Sent<'a> {
    id: &'a str,
    reason: &'a str,
    errors: domain::FieldErrors,
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    sent: Option<Sent<'_>>,
    done: String,
) -> Result<Response, WebError> {
    let mut form = FormView::default();
    let requests = state
        .app
        .rota()
        .requests_to_decide(&user.actor)
        .await?
        .into_iter()
        .map(|r| {
            let (what, action) = match r.kind {
                RequestKind::Swap => (
                    match &r.colleague {
                        Some(c) => format!("Swap: {} asks {c} to take it", r.requester),
                        None => format!("Cover: {} asks for anyone to take it", r.requester),
                    },
                    format!("/swaps/{}/decision", r.id),
                ),
                RequestKind::SessionOff => (
                    format!("Session off: {} asks to have it off", r.requester),
                    format!("/session-requests/{}/decision", r.id),
                ),
            };
            let mut view = RequestView {
                what,
                action,
                when: format!(
                    "{} {}, {}",
                    r.date.format("%A"),
                    long_date(r.date),
                    r.session.label()
                ),
                site: r.site_name,
                note: r.note.unwrap_or_default(),
                version: r.version,
                rota_href: format!("/rotas/{}", r.rota_id),
                reason: String::new(),
                reason_error: None,
                id: r.id,
            };
            if let Some(sent) = sent.as_ref().filter(|s| s.id == view.id) {
                view.reason = sent.reason.to_string();
                view.reason_error = sent
                    .errors
                    .0
                    .iter()
                    .find(|e| e.field == "reason")
                    .map(|e| e.message.clone());
                if let Some(message) = &view.reason_error {
                    form.errors
                        .push((format!("reason-{}", view.id), message.clone()));
                }
            }
            view
        })
        .collect();
    let status = if form.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = RequestsPage {
        ctx: page_ctx(&user.actor, &token, "/rotas"),
        requests,
        form,
        done,
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn requests_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Query(done): Query<crate::pages::Done>,
) -> Result<Response, WebError> {
    render(&state, &user, token, None, done.done).await
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    override_rules: Option<String>,
    /// The rota's version the decision was made on (needed to approve).
    #[serde(default)]
    version: String,
    /// Why it is declined.
    #[serde(default)]
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "swap_refused.html")]
pub(crate) struct RefusedPage {
    ctx: PageCtx,
    /// Where the decision is sent again.
    action: String,
    refused: Vec<String>,
    form: FormView,
    version: i64,
}

async fn decide(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    kind: RequestKind,
    id: &str,
    form: &DecisionForm,
) -> Result<Response, WebError> {
    let approve = match form.decision.as_str() {
        "approve" => true,
        "decline" => false,
        _ => {
            return Err(WebError::BadRequest(
                "Choose to approve or decline the request".into(),
            ));
        }
    };
    let decision = Decision {
        approve,
        override_rules: form.override_rules.is_some(),
        reason: form.reason.clone(),
    };
    let version = form_version(&form.version);
    let result = match kind {
        RequestKind::Swap => {
            state
                .app
                .rota()
                .decide_swap(&user.actor, id, &decision, version)
                .await
        }
        RequestKind::SessionOff => {
            state
                .app
                .rota()
                .decide_session_request(&user.actor, id, &decision, version)
                .await
        }
    };
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(AppError::Invalid(errors)) => {
            let sent = Sent {
                id,
                reason: &form.reason,
                errors,
            };
            return render(state, user, token, Some(sent), String::new()).await;
        }
        Err(e) => return Err(e.into()),
    };
    if outcome.saved {
        let done = match (approve, kind, outcome.new_problems.is_empty()) {
            (false, _, _) => "swap-declined",
            (true, _, false) => "rota-overridden",
            (true, RequestKind::Swap, true) => "swap-approved",
            (true, RequestKind::SessionOff, true) => "session-off-approved",
        };
        return Ok(Redirect::to(&format!("/rotas/requests?done={done}")).into_response());
    }
    let mut view = FormView::default();
    view.errors.push((
        String::new(),
        "Approving this request breaks a rule (listed below): decline it, or approve with the override".into(),
    ));
    let page = RefusedPage {
        ctx: page_ctx(&user.actor, &token, "/rotas"),
        action: match kind {
            RequestKind::Swap => format!("/swaps/{id}/decision"),
            RequestKind::SessionOff => format!("/session-requests/{id}/decision"),
        },
        refused: outcome
            .new_problems
            .into_iter()
            .map(|p| p.message)
            .collect(),
        form: view,
        version,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, token, page).into_response())
}

pub(crate) async fn swap_decide(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, WebError> {
    decide(&state, &user, token, RequestKind::Swap, &id, &form).await
}

pub(crate) async fn session_request_decide(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, WebError> {
    decide(&state, &user, token, RequestKind::SessionOff, &id, &form).await
}
