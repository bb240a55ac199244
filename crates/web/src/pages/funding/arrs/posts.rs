//! The PCN's ARRS posts, their CSV import, and a person's post form.
use super::PostRow;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::csrf::{CsrfForm, UnreadMultipart};
use crate::error::WebError;
use crate::layout::PageCtx;
use crate::pages::{FieldView, FormView, page_ctx};
use app::AppError;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::arrs::{Engagement, FinancialYear, PostForm, money};

#[derive(Template, WebTemplate)]
#[template(path = "arrs_posts.html")]
pub(crate) struct PostsPage {
    ctx: PageCtx,
    pcn_name: String,
    code: String,
    year: String,
    posts: Vec<PostRow>,
    candidates: Vec<(String, String, String)>,
    summary: String,
    problems: Vec<String>,
    header: String,
}

async fn render_posts(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    code: &str,
    summary: String,
    problems: Vec<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let view = state.app.funding().arrs_posts(&user.actor, code).await?;
    let page = PostsPage {
        pcn_name: super::pcn_name(state, &user.actor, code).await?,
        ctx: page_ctx(&user.actor, &token, &format!("/pcns/{code}")),
        code: code.to_string(),
        year: FinancialYear::of(state.app.today()).code(),
        posts: view
            .posts
            .iter()
            .map(|p| PostRow {
                staff_id: p.staff_id.clone(),
                name: p.name.clone(),
                role: p.role.label().into(),
                band: p.band.clone(),
                wte: crate::pages::number(p.wte),
                dates: match p.end {
                    Some(end) => format!("{} to {}", p.start, end),
                    None => format!("from {}", p.start),
                },
                engagement: p.engagement.label().into(),
                monthly_cost: money(p.monthly_cost()),
                claimed: String::new(),
                committed: String::new(),
            })
            .collect(),
        candidates: view
            .candidates
            .iter()
            .map(|s| {
                (
                    s.id.clone(),
                    s.draft.name.clone(),
                    s.draft.role.label().to_string(),
                )
            })
            .collect(),
        summary,
        problems,
        header: import::POSTS_HEADER.join(","),
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn posts_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    render_posts(
        &state,
        &user,
        token,
        &code,
        String::new(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

pub(crate) async fn posts_import(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
    form: UnreadMultipart,
) -> Result<Response, WebError> {
    // The right to change the PCN's posts is checked before the file is read.
    if let Err(e) = state
        .app
        .funding()
        .arrs_may_manage(&user.actor, &code)
        .await
    {
        form.discard(crate::limits::IMPORT_BODY_LIMIT).await;
        return Err(e.into());
    }
    let mut form = form.read(&state, crate::limits::IMPORT_FILE_LIMIT).await?;
    let file = form
        .files
        .remove("file")
        .filter(|f| !f.file_name.is_empty() || !f.bytes.is_empty());
    let Some(file) = file else {
        let problems = vec!["Choose a CSV file of posts to import".to_string()];
        return render_posts(
            &state,
            &user,
            token,
            &code,
            String::new(),
            problems,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match state
        .app
        .funding()
        .import_arrs_posts(&user.actor, &code, &file.file_name, &file.bytes)
        .await
    {
        Ok(n) => {
            render_posts(
                &state,
                &user,
                token,
                &code,
                format!("Stored {n} posts from {}.", file.file_name),
                Vec::new(),
                StatusCode::OK,
            )
            .await
        }
        Err(AppError::Import(report)) => {
            let problems = report.to_string().lines().map(str::to_string).collect();
            render_posts(
                &state,
                &user,
                token,
                &code,
                String::new(),
                problems,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "arrs_post_form.html")]
pub(crate) struct PostFormPage {
    ctx: PageCtx,
    pcn_name: String,
    id: String,
    name: String,
    role: String,
    register: String,
    pcn: String,
    form: FormView,
}

fn post_fields(form: &PostForm) -> Vec<FieldView> {
    vec![
        FieldView::new("band", "Agenda for Change band", "text", &form.band)
            .hint("As the rate table names it, like 5 or 7–8a; leave blank for a role with one band")
            .width("nhsuk-input--width-5"),
        FieldView::new("hours_per_week", "Contracted hours a week", "text", &form.hours_per_week)
            .hint("WTE = hours ÷ 37.5. Leave blank to use GP sessions or the register's WTE")
            .width("nhsuk-input--width-5"),
        FieldView::new("gp_sessions", "GP sessions a week", "text", &form.gp_sessions)
            .hint("For GPs: WTE = sessions ÷ 9")
            .width("nhsuk-input--width-5"),
        FieldView::new("engagement", "Engagement", "select", &form.engagement)
            .options(Engagement::ALL.iter().map(|e| (e.code(), e.label()))),
        FieldView::new("monthly_salary", "Actual monthly salary (£)", "text", &form.monthly_salary)
            .width("nhsuk-input--width-10"),
        FieldView::new("employer_ni", "Employer National Insurance a month (£)", "text", &form.employer_ni)
            .width("nhsuk-input--width-10"),
        FieldView::new("employer_pension", "Employer pension a month (£)", "text", &form.employer_pension)
            .width("nhsuk-input--width-10"),
        FieldView::new("previous_post_ended", "Last day in an earlier post in the PCN or a member practice (if any)", "date", &form.previous_post_ended)
            .hint("For the additionality rule: a 2025/26 nursing post or healthcare support worker within 12 months is flagged"),
    ]
}

fn form_of(post: &domain::arrs::Post) -> PostForm {
    PostForm {
        band: post.band.clone(),
        hours_per_week: crate::pages::number((post.wte * 37.5 * 100.0).round() / 100.0),
        gp_sessions: String::new(),
        wte: String::new(),
        engagement: post.engagement.code().into(),
        monthly_salary: format!("{:.2}", post.monthly_salary),
        employer_ni: format!("{:.2}", post.employer_ni),
        employer_pension: format!("{:.2}", post.employer_pension),
        previous_post_ended: post
            .previous_post_ended
            .map(|d| d.to_string())
            .unwrap_or_default(),
    }
}

async fn render_post_form(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    id: &str,
    typed: Option<(PostForm, domain::FieldErrors)>,
) -> Result<Response, WebError> {
    let edit = state.app.funding().arrs_post(&user.actor, id).await?;
    let (form, status) = match typed {
        Some((form, errors)) => (
            FormView::new(post_fields(&form)).with_errors(&errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        None => (
            FormView::new(post_fields(
                &edit.post.as_ref().map(form_of).unwrap_or_default(),
            )),
            StatusCode::OK,
        ),
    };
    let d = &edit.person.draft;
    let page = PostFormPage {
        pcn_name: super::pcn_name(state, &user.actor, &edit.pcn).await?,
        ctx: page_ctx(&user.actor, &token, &format!("/pcns/{}", edit.pcn)),
        id: id.to_string(),
        name: d.name.clone(),
        role: d.role.label().into(),
        register: format!(
            "{} WTE in the register, employed by {}, from {}{}",
            crate::pages::number(d.wte),
            d.employer.code(),
            d.start_date,
            d.end_date.map(|e| format!(" to {e}")).unwrap_or_default()
        ),
        pcn: edit.pcn,
        form,
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn post_form(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    render_post_form(&state, &user, token, &id, None).await
}

pub(crate) async fn post_save(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<PostForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .funding()
        .save_arrs_post(&user.actor, &id, &form)
        .await
    {
        Ok(pcn) => Ok(Redirect::to(&format!("/pcns/{pcn}/arrs-posts")).into_response()),
        Err(AppError::Invalid(errors)) => {
            render_post_form(&state, &user, token, &id, Some((form, errors))).await
        }
        Err(other) => Err(other.into()),
    }
}
