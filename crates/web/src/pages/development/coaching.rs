//! The PCN's coaching page: its programmes, enrolments and sessions.
use super::*;

// ---- The PCN's coaching -------------------------------------------------------------

pub(crate) struct PcnSessionRow {
    pub id: String,
    pub when: String,
    pub place: String,
    pub video: bool,
    pub coach: String,
    pub attendance: Option<&'static str>,
}

pub(crate) struct EnrolmentRow {
    pub person: String,
    pub booked: String,
    pub sessions: Vec<PcnSessionRow>,
}

pub(crate) struct ProgrammeRow {
    pub name: String,
    pub description: String,
    pub detail: String,
    pub enrolments: Vec<EnrolmentRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "coaching.html")]
pub(crate) struct CoachingPage {
    ctx: PageCtx,
    code: String,
    programmes: Vec<ProgrammeRow>,
    summary: FormView,
    programme_form: FormView,
    enrol_form: FormView,
    session_form: FormView,
    has_enrolments: bool,
    done: String,
}

#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub(crate) struct EnrolForm {
    pub programme_id: String,
    pub staff_id: String,
}

pub(crate) enum CoachingFailed {
    Programme(ProgrammeForm, FieldErrors),
    Enrol(EnrolForm, FieldErrors),
    Session(SessionForm, FieldErrors),
}

fn programme_fields(form: &ProgrammeForm) -> Vec<FieldView> {
    vec![
        FieldView::new("name", "Programme", "text", &form.name)
            .hint("For example Coaching for practice managers")
            .width("nhsuk-input--width-30"),
        FieldView::new(
            "description",
            "Description (optional)",
            "textarea",
            &form.description,
        ),
        FieldView::new("sessions", "Number of sessions", "number", &form.sessions)
            .width("nhsuk-input--width-4")
            .step("1"),
        FieldView::new(
            "minutes_per_session",
            "Minutes per session",
            "number",
            &form.minutes_per_session,
        )
        .width("nhsuk-input--width-4")
        .step("1"),
    ]
}

fn enrol_fields(
    form: &EnrolForm,
    programmes: &[(String, String)],
    people: &[(String, String)],
) -> Vec<FieldView> {
    vec![
        FieldView::new("programme_id", "Programme", "select", &form.programme_id)
            .options(programmes.iter().map(|(id, n)| (id.as_str(), n.as_str()))),
        FieldView::new("staff_id", "Person", "select", &form.staff_id)
            .options(people.iter().map(|(id, n)| (id.as_str(), n.as_str()))),
    ]
}

fn session_fields(form: &SessionForm, enrolments: &[(String, String)]) -> Vec<FieldView> {
    vec![
        FieldView::new("enrolment_id", "Coachee", "select", &form.enrolment_id)
            .options(enrolments.iter().map(|(id, n)| (id.as_str(), n.as_str()))),
        FieldView::new("date", "Date", "date", &form.date).width("nhsuk-input--width-10"),
        FieldView::new("start_time", "Start time", "text", &form.start_time)
            .hint("24-hour clock, for example 14:30")
            .width("nhsuk-input--width-5"),
        FieldView::new("place", "Place or video link", "text", &form.place)
            .hint("A room and address, or the https:// link of the video call")
            .width("nhsuk-input--width-30"),
        FieldView::new("coach", "Coach", "text", &form.coach).width("nhsuk-input--width-20"),
    ]
}

async fn coaching_page(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    code: &str,
    failed: Option<CoachingFailed>,
    done: String,
) -> Result<Response, WebError> {
    let overview = state
        .app
        .development()
        .coaching_overview(&user.actor, code)
        .await?;
    let programme_options: Vec<(String, String)> = overview
        .programmes
        .iter()
        .map(|p| (p.programme.id.clone(), p.programme.draft.name.clone()))
        .collect();
    let enrolment_options: Vec<(String, String)> = overview
        .programmes
        .iter()
        .flat_map(|p| {
            p.enrolments.iter().map(|e| {
                (
                    e.enrolment.id.clone(),
                    format!("{} — {}", e.enrolment.staff_name, p.programme.draft.name),
                )
            })
        })
        .collect();
    let mut programme_form = FormView::new(programme_fields(&ProgrammeForm::default()));
    let mut enrol_form = FormView::new(enrol_fields(
        &EnrolForm::default(),
        &programme_options,
        &overview.people,
    ));
    let mut session_form =
        FormView::new(session_fields(&SessionForm::default(), &enrolment_options));
    let mut summary = FormView::default();
    let status = if failed.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    match failed {
        Some(CoachingFailed::Programme(form, errors)) => {
            programme_form = FormView::new(programme_fields(&form)).with_errors(&errors);
            summary = programme_form.clone();
        }
        Some(CoachingFailed::Enrol(form, errors)) => {
            enrol_form = FormView::new(enrol_fields(&form, &programme_options, &overview.people))
                .with_errors(&errors);
            summary = enrol_form.clone();
        }
        Some(CoachingFailed::Session(form, errors)) => {
            session_form =
                FormView::new(session_fields(&form, &enrolment_options)).with_errors(&errors);
            summary = session_form.clone();
        }
        None => {}
    }
    let page = CoachingPage {
        ctx: page_ctx(&user.actor, &token, &format!("/pcns/{code}/coaching")),
        code: code.to_string(),
        has_enrolments: !enrolment_options.is_empty(),
        programmes: overview
            .programmes
            .iter()
            .map(|p| ProgrammeRow {
                name: p.programme.draft.name.clone(),
                description: p.programme.draft.description.clone(),
                detail: format!(
                    "{} sessions of {} minutes",
                    p.programme.draft.sessions, p.programme.draft.minutes_per_session
                ),
                enrolments: p
                    .enrolments
                    .iter()
                    .map(|e| EnrolmentRow {
                        person: e.enrolment.staff_name.clone(),
                        booked: format!(
                            "{} of {} booked",
                            e.sessions.len(),
                            p.programme.draft.sessions
                        ),
                        sessions: e
                            .sessions
                            .iter()
                            .map(|s| PcnSessionRow {
                                id: s.id.clone(),
                                when: when(&s.draft),
                                place: s.draft.place.clone(),
                                video: s.draft.is_video(),
                                coach: s.draft.coach.clone(),
                                attendance: s.attendance.map(|a| a.label()),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        summary,
        programme_form,
        enrol_form,
        session_form,
        done,
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn pcn_coaching(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    coaching_page(&state, &user, token, &code, None, done.done).await
}

fn to_coaching(code: &str, done: &str) -> Response {
    Redirect::to(&format!("/pcns/{code}/coaching?done={done}")).into_response()
}

pub(crate) async fn programme_create(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<ProgrammeForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .development()
        .add_coaching_programme(&user.actor, &code, &form)
        .await
    {
        Ok(_) => Ok(to_coaching(&code, "programme")),
        Err(AppError::Invalid(errors)) => {
            let failed = CoachingFailed::Programme(form, errors);
            coaching_page(&state, &user, token, &code, Some(failed), String::new()).await
        }
        Err(other) => Err(other.into()),
    }
}

pub(crate) async fn enrol(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<EnrolForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .development()
        .enrol_on_programme(&user.actor, &code, &form.programme_id, &form.staff_id)
        .await
    {
        Ok(_) => Ok(to_coaching(&code, "enrolled")),
        Err(AppError::Invalid(errors)) => {
            let failed = CoachingFailed::Enrol(form, errors);
            coaching_page(&state, &user, token, &code, Some(failed), String::new()).await
        }
        Err(other) => Err(other.into()),
    }
}

pub(crate) async fn session_book(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<SessionForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .development()
        .book_coaching_session(&user.actor, &code, &form)
        .await
    {
        Ok(_) => Ok(to_coaching(&code, "booked")),
        Err(AppError::Invalid(errors)) => {
            let failed = CoachingFailed::Session(form, errors);
            coaching_page(&state, &user, token, &code, Some(failed), String::new()).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct AttendanceForm {
    pub attendance: String,
}

pub(crate) async fn attendance_record(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<AttendanceForm>,
) -> Result<Response, WebError> {
    let code = state
        .app
        .development()
        .record_coaching_attendance(&user.actor, &id, &form.attendance)
        .await?;
    Ok(to_coaching(&code, "attendance"))
}
