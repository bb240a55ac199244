//! Chasing training from the matrix: the preview of who gets which reminder (and who is
//! held back by the interval), the send, and the history of reminders sent.
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use crate::pages::{long_date, page_ctx};
use app::Tenant;
use app::training::chase::{ChaseBatch, ChaseTopic};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

pub(crate) struct LineView {
    pub name: String,
    pub topics: Vec<String>,
    /// "Fire safety: reminded 3 March 2026" for each held back.
    pub held_back: Vec<String>,
    /// "gpteam inbox and email", "gpteam inbox only", or why not at all.
    pub how: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "training_remind.html")]
pub(crate) struct PreviewPage {
    ctx: PageCtx,
    org: String,
    base: String,
    staff: String,
    heading: String,
    lines: Vec<LineView>,
    people: usize,
    topics: usize,
    interval_days: i64,
    email_on: bool,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct StaffQuery {
    staff: String,
}

fn base_of(tenant: Tenant<'_>) -> String {
    match tenant {
        Tenant::Practice(ods) => format!("/practices/{ods}/training"),
        Tenant::Pcn(code) => format!("/pcns/{code}/training"),
    }
}

async fn preview(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    tenant: Tenant<'_>,
    staff: &str,
) -> Result<Response, WebError> {
    let one = Some(staff.trim()).filter(|s| !s.is_empty());
    let preview = state
        .app
        .training()
        .training_chase_preview(&user.actor, tenant, one)
        .await?;
    let base = base_of(tenant);
    let lines: Vec<LineView> = preview
        .lines
        .iter()
        .map(|l| LineView {
            name: l.name.clone(),
            topics: l.topics.iter().map(ChaseTopic::describe).collect(),
            held_back: l
                .held_back
                .iter()
                .map(|(t, on)| format!("{}: reminded {}", t.title, long_date(*on)))
                .collect(),
            how: match (l.has_account, l.topics.is_empty(), l.by_email) {
                (false, _, _) => "Not reminded: no gpteam account (invite them from Accounts)",
                (true, true, _) => "Not reminded: every topic was reminded recently",
                (true, false, true) => "gpteam inbox and email",
                (true, false, false) => "gpteam inbox only",
            },
        })
        .collect();
    let heading = match (one, preview.lines.first()) {
        (Some(_), Some(line)) => format!("Remind {}", line.name),
        (Some(_), None) => "Remind one person".to_string(),
        (None, _) => "Remind everyone expiring or expired".to_string(),
    };
    let page = PreviewPage {
        ctx: page_ctx(&user.actor, &token, &base),
        org: preview.org_name.clone(),
        people: preview.to_remind().count(),
        topics: preview.to_remind().map(|l| l.topics.len()).sum(),
        interval_days: preview.interval_days,
        email_on: preview.email_on,
        staff: one.unwrap_or_default().to_string(),
        heading,
        lines,
        base,
    };
    Ok((token, page).into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct SendForm {
    staff: String,
}

async fn send(
    state: &AppState,
    user: &CurrentUser,
    tenant: Tenant<'_>,
    form: &SendForm,
) -> Result<Response, WebError> {
    let one = Some(form.staff.trim()).filter(|s| !s.is_empty());
    let outcome = state
        .app
        .training()
        .send_training_chase(&user.actor, tenant, one)
        .await?;
    Ok(Redirect::to(&format!(
        "{}/reminders?people={}&topics={}",
        base_of(tenant),
        outcome.people,
        outcome.topics
    ))
    .into_response())
}

pub(crate) struct BatchView {
    pub when: String,
    pub by: String,
    pub people: Vec<(String, String, &'static str)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "training_reminders.html")]
pub(crate) struct HistoryPage {
    ctx: PageCtx,
    base: String,
    batches: Vec<BatchView>,
    sent: bool,
    sent_people: usize,
    sent_topics: usize,
    email_on: bool,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct SentQuery {
    people: Option<usize>,
    topics: Option<usize>,
}

async fn history(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    tenant: Tenant<'_>,
    sent: &SentQuery,
) -> Result<Response, WebError> {
    let batches = state
        .app
        .training()
        .training_chase_history(&user.actor, tenant)
        .await?;
    let base = base_of(tenant);
    let view = |b: ChaseBatch| BatchView {
        when: app::clock::show_timestamp(&b.sent_at),
        by: b.sent_by,
        people: b
            .people
            .into_iter()
            .map(|(name, topics, emailed)| {
                (
                    name,
                    topics.join(", "),
                    if emailed { "Inbox and email" } else { "Inbox" },
                )
            })
            .collect(),
    };
    let page = HistoryPage {
        ctx: page_ctx(&user.actor, &token, &base),
        batches: batches.into_iter().map(view).collect(),
        sent: sent.people.is_some(),
        sent_people: sent.people.unwrap_or(0),
        sent_topics: sent.topics.unwrap_or(0),
        email_on: state.app.email_on(),
        base,
    };
    Ok((token, page).into_response())
}

pub(crate) async fn practice_preview(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
    Query(q): Query<StaffQuery>,
) -> Result<Response, WebError> {
    preview(&state, &user, token, Tenant::Practice(&ods), &q.staff).await
}

pub(crate) async fn pcn_preview(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
    Query(q): Query<StaffQuery>,
) -> Result<Response, WebError> {
    preview(&state, &user, token, Tenant::Pcn(&code), &q.staff).await
}

pub(crate) async fn practice_send(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(ods): Path<String>,
    CsrfForm(form): CsrfForm<SendForm>,
) -> Result<Response, WebError> {
    send(&state, &user, Tenant::Practice(&ods), &form).await
}

pub(crate) async fn pcn_send(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<SendForm>,
) -> Result<Response, WebError> {
    send(&state, &user, Tenant::Pcn(&code), &form).await
}

pub(crate) async fn practice_history(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
    Query(q): Query<SentQuery>,
) -> Result<Response, WebError> {
    history(&state, &user, token, Tenant::Practice(&ods), &q).await
}

pub(crate) async fn pcn_history(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
    Query(q): Query<SentQuery>,
) -> Result<Response, WebError> {
    history(&state, &user, token, Tenant::Pcn(&code), &q).await
}
