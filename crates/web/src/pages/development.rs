//! Development pages: a person's development (appraisal and revalidation dates, CPD log,
//! coaching sessions with their own private notes, a manager's plan) and the PCN's coaching
//! programmes (define, enrol, book, record attendance).
use super::{Done, FieldView, FormView, long_date, page_ctx};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use app::AppError;
use app::development::PersonDevelopment;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::FieldErrors;
use domain::development::{
    CpdForm, DatesForm, GoalForm, GoalStatus, ProgrammeForm, SessionDraft, SessionForm,
};

mod coaching;
pub(crate) use coaching::*;

// ---- A person's development ---------------------------------------------------------

pub(crate) struct CpdRow {
    pub date: String,
    pub activity: String,
    pub hours: String,
    pub reflection: String,
}

pub(crate) struct SessionRow {
    pub id: String,
    pub when: String,
    pub place: String,
    pub video: bool,
    pub coach: String,
    pub attendance: String,
    /// The coachee's note: `Some` only on their own page.
    pub note: Option<String>,
}

pub(crate) struct CoachingBlock {
    pub programme: String,
    pub detail: String,
    pub sessions: Vec<SessionRow>,
}

pub(crate) struct LinkedRow {
    pub title: String,
    pub status: &'static str,
    pub label: &'static str,
}

pub(crate) struct GoalRow {
    pub id: String,
    pub title: String,
    pub target: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub progress: String,
    pub training: Vec<LinkedRow>,
    pub coaching: Option<String>,
    pub form: GoalForm,
}

impl GoalRow {
    pub fn is_status(&self, code: &str) -> bool {
        self.status_code == code
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "development_person.html")]
pub(crate) struct PersonPage {
    ctx: PageCtx,
    staff_id: String,
    name: String,
    own: bool,
    revalidates: bool,
    appraisal: String,
    revalidation: String,
    cpd: Vec<CpdRow>,
    cpd_hours: String,
    coaching: Vec<CoachingBlock>,
    has_plan: bool,
    goals: Vec<GoalRow>,
    statuses: Vec<(&'static str, &'static str)>,
    /// The form that failed, for the error summary.
    summary: FormView,
    dates_form: FormView,
    cpd_form: FormView,
    goal_form: FormView,
    done: String,
}

/// Which form on the person's page was sent with problems.
pub(crate) enum PersonFailed {
    Dates(DatesForm, FieldErrors),
    Cpd(CpdForm, FieldErrors),
    Goal(GoalForm, FieldErrors),
    /// A goal update or a note: shown in the summary only.
    Other(FieldErrors),
}

fn dates_fields(form: &DatesForm, revalidates: bool) -> Vec<FieldView> {
    let mut fields = vec![
        FieldView::new(
            "appraisal_due",
            "Next appraisal",
            "date",
            &form.appraisal_due,
        )
        .width("nhsuk-input--width-10"),
    ];
    if revalidates {
        fields.push(
            FieldView::new(
                "revalidation_due",
                "Revalidation due",
                "date",
                &form.revalidation_due,
            )
            .hint("The date the GMC or NMC gives")
            .width("nhsuk-input--width-10"),
        );
    }
    fields
}

fn cpd_fields(form: &CpdForm) -> Vec<FieldView> {
    vec![
        FieldView::new("done_on", "Date", "date", &form.done_on).width("nhsuk-input--width-10"),
        FieldView::new("activity", "Activity", "text", &form.activity)
            .hint("For example a course, a conference, reading or a case review")
            .width("nhsuk-input--width-30"),
        FieldView::new("hours", "Hours", "number", &form.hours).width("nhsuk-input--width-4"),
        FieldView::new(
            "reflection",
            "Reflection (optional)",
            "textarea",
            &form.reflection,
        )
        .hint("What you learned and how it changes your practice"),
    ]
}

fn goal_fields(
    form: &GoalForm,
    topics: &[(String, String)],
    enrolments: &[(String, String)],
) -> Vec<FieldView> {
    vec![
        FieldView::new("title", "Goal", "text", &form.title).width("nhsuk-input--width-30"),
        FieldView::new(
            "target_date",
            "Target date (optional)",
            "date",
            &form.target_date,
        )
        .width("nhsuk-input--width-10"),
        FieldView::new("status", "Status", "select", &form.status)
            .options(GoalStatus::ALL.iter().map(|s| (s.code(), s.label()))),
        FieldView::new(
            "progress",
            "Progress (optional)",
            "textarea",
            &form.progress,
        ),
        FieldView::new(
            "topic_ids",
            "Linked training (optional)",
            "checkboxes",
            &form.topic_ids.join(";"),
        )
        .options(topics.iter().map(|(id, t)| (id.as_str(), t.as_str()))),
        FieldView::new(
            "enrolment_id",
            "Linked coaching (optional)",
            "select",
            &form.enrolment_id,
        )
        .options(enrolments.iter().map(|(id, n)| (id.as_str(), n.as_str()))),
    ]
}

fn when(draft: &SessionDraft) -> String {
    format!(
        "{} at {}",
        long_date(draft.date),
        draft.start_time.format("%H:%M")
    )
}

fn person_view(
    dev: &PersonDevelopment,
    ctx: PageCtx,
    failed: Option<PersonFailed>,
    done: String,
) -> (StatusCode, PersonPage) {
    let enrolments: Vec<(String, String)> = dev
        .coaching
        .iter()
        .map(|c| (c.enrolment.id.clone(), c.programme.draft.name.clone()))
        .collect();
    let mut dates_form = FormView::new(dates_fields(
        &DatesForm::from_dates(&dev.dates),
        dev.revalidates,
    ));
    let mut cpd_form = FormView::new(cpd_fields(&CpdForm::default()));
    let mut goal_form = FormView::new(goal_fields(&GoalForm::default(), &dev.topics, &enrolments));
    let mut summary = FormView::default();
    let status = if failed.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    match failed {
        Some(PersonFailed::Dates(form, errors)) => {
            dates_form = FormView::new(dates_fields(&form, dev.revalidates)).with_errors(&errors);
            summary = dates_form.clone();
        }
        Some(PersonFailed::Cpd(form, errors)) => {
            cpd_form = FormView::new(cpd_fields(&form)).with_errors(&errors);
            summary = cpd_form.clone();
        }
        Some(PersonFailed::Goal(form, errors)) => {
            goal_form =
                FormView::new(goal_fields(&form, &dev.topics, &enrolments)).with_errors(&errors);
            summary = goal_form.clone();
        }
        Some(PersonFailed::Other(errors)) => {
            summary = FormView::default().with_errors(&errors);
        }
        None => {}
    }
    let total: f64 = dev.cpd.iter().map(|c| c.draft.hours).sum();
    let page = PersonPage {
        ctx,
        staff_id: dev.person.id.clone(),
        name: dev.person.draft.name.clone(),
        own: dev.own,
        revalidates: dev.revalidates,
        appraisal: dev
            .dates
            .appraisal_due
            .map(long_date)
            .unwrap_or_else(|| "Not set".into()),
        revalidation: dev
            .dates
            .revalidation_due
            .map(long_date)
            .unwrap_or_else(|| "Not set".into()),
        cpd: dev
            .cpd
            .iter()
            .map(|c| CpdRow {
                date: long_date(c.draft.done_on),
                activity: c.draft.activity.clone(),
                hours: super::number(c.draft.hours),
                reflection: c.draft.reflection.clone(),
            })
            .collect(),
        cpd_hours: super::number(total),
        coaching: coaching_blocks(dev),
        has_plan: dev.has_plan,
        goals: goal_rows(dev),
        statuses: GoalStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        summary,
        dates_form,
        cpd_form,
        goal_form,
        done,
    };
    (status, page)
}

/// A block a coaching programme the person is on, with its sessions (notes only for their own).
fn coaching_blocks(dev: &PersonDevelopment) -> Vec<CoachingBlock> {
    dev.coaching
        .iter()
        .map(|c| CoachingBlock {
            programme: c.programme.draft.name.clone(),
            detail: format!(
                "{} sessions of {} minutes; {} booked",
                c.programme.draft.sessions,
                c.programme.draft.minutes_per_session,
                c.sessions.len()
            ),
            sessions: c
                .sessions
                .iter()
                .map(|s| SessionRow {
                    id: s.session.id.clone(),
                    when: when(&s.session.draft),
                    place: s.session.draft.place.clone(),
                    video: s.session.draft.is_video(),
                    coach: s.session.draft.coach.clone(),
                    attendance: s
                        .session
                        .attendance
                        .map(|a| a.label().to_string())
                        .unwrap_or_else(|| "Not recorded".into()),
                    note: if dev.own {
                        Some(s.note.clone().unwrap_or_default())
                    } else {
                        None
                    },
                })
                .collect(),
        })
        .collect()
}

/// A row a goal of the development plan, with the training and coaching linked to it.
fn goal_rows(dev: &PersonDevelopment) -> Vec<GoalRow> {
    dev.goals
        .iter()
        .map(|g| GoalRow {
            id: g.goal.id.clone(),
            title: g.goal.draft.title.clone(),
            target: g.goal.draft.target_date.map(long_date).unwrap_or_default(),
            status: g.goal.draft.status.label(),
            status_code: g.goal.draft.status.code(),
            progress: g.goal.draft.progress.clone(),
            training: g
                .training
                .iter()
                .map(|t| LinkedRow {
                    title: t.title.clone(),
                    status: t.status.code(),
                    label: t.status.label(),
                })
                .collect(),
            coaching: g.coaching.clone(),
            form: GoalForm::from_draft(&g.goal.draft),
        })
        .collect()
}

async fn person_page(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    staff_id: &str,
    failed: Option<PersonFailed>,
    done: String,
) -> Result<Response, WebError> {
    let dev = state
        .app
        .development()
        .person_development(&user.actor, staff_id)
        .await?;
    let path = if dev.own {
        "/me/development".to_string()
    } else {
        format!("/staff/{staff_id}/development")
    };
    let ctx = page_ctx(&user.actor, &token, &path);
    let (status, page) = person_view(&dev, ctx, failed, done);
    Ok((status, token, page).into_response())
}

fn own_id(user: &CurrentUser) -> Result<String, WebError> {
    user.actor
        .staff_id
        .clone()
        .ok_or(WebError::Page(AppError::NotFound))
}

pub(crate) async fn my_development(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let id = own_id(&user)?;
    person_page(&state, &user, token, &id, None, done.done).await
}

pub(crate) async fn person_development(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    person_page(&state, &user, token, &id, None, done.done).await
}

/// Where a change to a person's development returns to.
fn back(user: &CurrentUser, staff_id: &str, done: &str) -> Response {
    if user.actor.staff_id.as_deref() == Some(staff_id) {
        Redirect::to(&format!("/me/development?done={done}")).into_response()
    } else {
        Redirect::to(&format!("/staff/{staff_id}/development?done={done}")).into_response()
    }
}

pub(crate) async fn cpd_create(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    CsrfForm(form): CsrfForm<CpdForm>,
) -> Result<Response, WebError> {
    let id = own_id(&user)?;
    match state
        .app
        .development()
        .add_cpd_entry(&user.actor, &form)
        .await
    {
        Ok(_) => Ok(back(&user, &id, "cpd")),
        Err(AppError::Invalid(errors)) => {
            let failed = PersonFailed::Cpd(form, errors);
            person_page(&state, &user, token, &id, Some(failed), String::new()).await
        }
        Err(other) => Err(other.into()),
    }
}

pub(crate) async fn dates_update(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DatesForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .development()
        .set_professional_dates(&user.actor, &id, &form)
        .await
    {
        Ok(()) => Ok(back(&user, &id, "dates")),
        Err(AppError::Invalid(errors)) => {
            let failed = PersonFailed::Dates(form, errors);
            person_page(&state, &user, token, &id, Some(failed), String::new()).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct NoteForm {
    pub note: String,
}

pub(crate) async fn note_save(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<NoteForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .development()
        .save_coaching_note(&user.actor, &id, &form.note)
        .await
    {
        Ok(()) => Ok(Redirect::to("/me/development?done=note#coaching").into_response()),
        Err(AppError::Invalid(errors)) => {
            let own = own_id(&user)?;
            let failed = PersonFailed::Other(errors);
            person_page(&state, &user, token, &own, Some(failed), String::new()).await
        }
        Err(other) => Err(other.into()),
    }
}

pub(crate) async fn goal_create(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    CsrfForm(form): CsrfForm<GoalForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .development()
        .add_development_goal(&user.actor, &form)
        .await
    {
        Ok(_) => Ok(Redirect::to("/me/development?done=goal#plan").into_response()),
        Err(AppError::Invalid(errors)) => {
            let own = own_id(&user)?;
            let failed = PersonFailed::Goal(form, errors);
            person_page(&state, &user, token, &own, Some(failed), String::new()).await
        }
        Err(other) => Err(other.into()),
    }
}

pub(crate) async fn goal_update(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<GoalForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .development()
        .update_development_goal(&user.actor, &id, &form)
        .await
    {
        Ok(()) => Ok(Redirect::to("/me/development?done=goal-saved#plan").into_response()),
        Err(AppError::Invalid(errors)) => {
            let own = own_id(&user)?;
            let failed = PersonFailed::Other(errors);
            person_page(&state, &user, token, &own, Some(failed), String::new()).await
        }
        Err(other) => Err(other.into()),
    }
}
