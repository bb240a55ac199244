//! The training catalogue: the topics a practice's or PCN's team is expected to hold,
//! added, changed and retired by their owner's managers.
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use crate::pages::{Done, FieldView, FormView, page_ctx};
use app::training::TopicOwner;
use app::{AppError, Tenant};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::FieldErrors;
use domain::role::Role;
use domain::training::TopicForm;

pub(crate) struct TopicRow {
    pub id: String,
    pub title: String,
    pub roles: String,
    pub renewal: String,
    pub evidence: bool,
    pub source: String,
    /// The practice or PCN that set the topic, by name.
    pub owner: String,
    pub may_change: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "training_topics.html")]
pub(crate) struct TopicsPage {
    ctx: PageCtx,
    base: String,
    topics: Vec<TopicRow>,
    form: FormView,
    done: String,
}

fn renewal_text(months: Option<u32>) -> String {
    match months {
        None => "Does not expire".into(),
        Some(12) => "Every year".into(),
        Some(m) if m % 12 == 0 => format!("Every {} years", m / 12),
        Some(m) => format!("Every {m} months"),
    }
}

fn topic_fields(form: &TopicForm) -> Vec<FieldView> {
    vec![
        FieldView::new("name", "Topic", "text", &form.name).width("nhsuk-input--width-30"),
        FieldView::new("level", "Level (optional)", "text", &form.level)
            .hint("For example Level 2")
            .width("nhsuk-input--width-10"),
        FieldView::new("everyone", "Who needs it", "checkboxes", &form.everyone)
            .options([("yes", "Everyone in the team")]),
        FieldView::new(
            "roles",
            "Or only these roles",
            "checkboxes",
            &form.roles.join(";"),
        )
        .options(Role::ALL.iter().map(|r| (r.code(), r.label()))),
        FieldView::new(
            "renewal_months",
            "Renew every (months)",
            "number",
            &form.renewal_months,
        )
        .hint("Leave empty if it never expires")
        .width("nhsuk-input--width-4")
        .step("1"),
        FieldView::new(
            "evidence_required",
            "Evidence",
            "checkboxes",
            &form.evidence_required,
        )
        .options([("yes", "A certificate must be attached to each record")]),
        FieldView::new("source", "Source (optional)", "textarea", &form.source)
            .hint("The guidance the roles and renewal period follow"),
    ]
}

async fn topics_page(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    tenant: Tenant<'_>,
    failed: Option<(TopicForm, FieldErrors)>,
    done: String,
) -> Result<Response, WebError> {
    let base = match tenant {
        Tenant::Practice(ods) => format!("/practices/{ods}/training"),
        Tenant::Pcn(code) => format!("/pcns/{code}/training"),
    };
    let topics = state
        .app
        .training()
        .training_catalogue(&user.actor, tenant)
        .await?;
    // Topics are changed by their owner's managers: others read them, with no dead link.
    let names = state
        .app
        .organisations()
        .organisation_names(&user.actor)
        .await?;
    let mut may_change: std::collections::BTreeMap<String, bool> = Default::default();
    for t in &topics {
        if !may_change.contains_key(&t.owner_code) {
            let owner = if domain::org::PcnCode::parse(&t.owner_code).is_ok() {
                Tenant::Pcn(&t.owner_code)
            } else {
                Tenant::Practice(&t.owner_code)
            };
            let allowed = state
                .app
                .authorize(&user.actor, app::Permission::Manage, owner)
                .await
                .is_ok();
            may_change.insert(t.owner_code.clone(), allowed);
        }
    }
    let (status, form) = match failed {
        Some((form, errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormView::new(topic_fields(&form)).with_errors(&errors),
        ),
        None => (
            StatusCode::OK,
            FormView::new(topic_fields(&TopicForm::default())),
        ),
    };
    let page = TopicsPage {
        ctx: page_ctx(&user.actor, &token, &base),
        topics: topics
            .iter()
            .map(|t| TopicRow {
                id: t.id.clone(),
                title: t.topic.title(),
                roles: t.topic.roles_text(),
                renewal: renewal_text(t.topic.renewal_months),
                evidence: t.topic.evidence_required,
                source: t.topic.source.clone(),
                owner: names
                    .get(&t.owner_code)
                    .cloned()
                    .unwrap_or_else(|| t.owner_code.clone()),
                may_change: may_change[&t.owner_code],
            })
            .collect(),
        base,
        form,
        done,
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn practice_topics(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    topics_page(
        &state,
        &user,
        token,
        Tenant::Practice(&ods),
        None,
        done.done,
    )
    .await
}

pub(crate) async fn pcn_topics(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    topics_page(&state, &user, token, Tenant::Pcn(&code), None, done.done).await
}

async fn add_topic(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    tenant: Tenant<'_>,
    form: TopicForm,
) -> Result<Response, WebError> {
    match state
        .app
        .training()
        .add_training_topic(&user.actor, tenant, &form)
        .await
    {
        Ok(_) => {
            let base = match tenant {
                Tenant::Practice(ods) => format!("/practices/{ods}/training"),
                Tenant::Pcn(code) => format!("/pcns/{code}/training"),
            };
            Ok(Redirect::to(&format!("{base}/topics?done=topic")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            topics_page(
                state,
                user,
                token,
                tenant,
                Some((form, errors)),
                String::new(),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

pub(crate) async fn practice_topic_create(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
    CsrfForm(form): CsrfForm<TopicForm>,
) -> Result<Response, WebError> {
    add_topic(&state, &user, token, Tenant::Practice(&ods), form).await
}

pub(crate) async fn pcn_topic_create(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<TopicForm>,
) -> Result<Response, WebError> {
    add_topic(&state, &user, token, Tenant::Pcn(&code), form).await
}

#[derive(Template, WebTemplate)]
#[template(path = "training_topic_form.html")]
pub(crate) struct TopicEditPage {
    ctx: PageCtx,
    id: String,
    title: String,
    form: FormView,
}

async fn topic_edit_page(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    id: &str,
    failed: Option<(TopicForm, FieldErrors)>,
) -> Result<Response, WebError> {
    let topic = state
        .app
        .training()
        .get_training_topic(&user.actor, id)
        .await?;
    let (status, form) = match failed {
        Some((form, errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormView::new(topic_fields(&form)).with_errors(&errors),
        ),
        None => (
            StatusCode::OK,
            FormView::new(topic_fields(&TopicForm::from_draft(&topic.topic))),
        ),
    };
    let page = TopicEditPage {
        ctx: page_ctx(&user.actor, &token, &format!("/training-topics/{id}")),
        id: id.to_string(),
        title: topic.topic.title(),
        form,
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn topic_edit(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    topic_edit_page(&state, &user, token, &id, None).await
}

/// The catalogue page a topic belongs to.
fn catalogue_url(owner: &TopicOwner) -> String {
    match owner {
        TopicOwner::Practice(ods) => format!("/practices/{ods}/training/topics"),
        TopicOwner::Pcn(code) => format!("/pcns/{code}/training/topics"),
    }
}

pub(crate) async fn topic_update(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<TopicForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .training()
        .update_training_topic(&user.actor, &id, &form)
        .await
    {
        Ok(owner) => {
            let url = catalogue_url(&owner);
            Ok(Redirect::to(&format!("{url}?done=topic-saved")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            topic_edit_page(&state, &user, token, &id, Some((form, errors))).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct EmptyForm {}

pub(crate) async fn topic_retire(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_form): CsrfForm<EmptyForm>,
) -> Result<Response, WebError> {
    let owner = state
        .app
        .training()
        .retire_training_topic(&user.actor, &id)
        .await?;
    let url = catalogue_url(&owner);
    Ok(Redirect::to(&format!("{url}?done=topic-retired")).into_response())
}
