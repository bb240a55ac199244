//! A person's rota rules: the page and its form.
use super::*;

#[derive(Template, WebTemplate)]
#[template(path = "rota_rules.html")]
pub(crate) struct RulesPage {
    ctx: PageCtx,
    staff_id: String,
    name: String,
    contract: String,
    practices: String,
    sites: String,
    may_change: bool,
    form: FormView,
    notice: Option<String>,
    requests: Option<crate::pages::rota::session_requests::SessionRequestsView>,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct RulesPost {
    #[serde(default)]
    fixed_sessions: Vec<String>,
    #[serde(default)]
    days_never: Vec<String>,
    #[serde(default)]
    max_evenings_month: String,
    #[serde(default)]
    max_saturdays_month: String,
    #[serde(default)]
    appointments_per_session: String,
    #[serde(default)]
    appointment_minutes: String,
}

impl RulesPost {
    fn to_form(&self) -> RotaRulesForm {
        RotaRulesForm {
            fixed_sessions: self.fixed_sessions.join(";"),
            days_never: self.days_never.join(";"),
            max_evenings_month: self.max_evenings_month.clone(),
            max_saturdays_month: self.max_saturdays_month.clone(),
            appointments_per_session: self.appointments_per_session.clone(),
            appointment_minutes: self.appointment_minutes.clone(),
        }
    }
}

/// The rules form; checkbox values are `mon:am` and `mon`, which the rules' parser reads.
fn rules_fields(form: &RotaRulesForm, fixed: &str, never: &str) -> Vec<FieldView> {
    let slots: Vec<(String, String)> = grid_slots()
        .into_iter()
        .map(|(d, s)| {
            (
                format!("{}:{}", weekday_code(d), s.code()),
                slot_label(d, s),
            )
        })
        .collect();
    let days: Vec<(&str, &str)> = ROTA_WEEKDAYS
        .iter()
        .map(|d| (weekday_code(*d), weekday_name(*d)))
        .collect();
    vec![
        FieldView::new("fixed_sessions", "Fixed sessions", "checkboxes", fixed)
            .hint("Sessions they work every week; the rota always books them.")
            .options(slots.iter().map(|(v, l)| (v.as_str(), l.as_str()))),
        FieldView::new("days_never", "Days never worked", "checkboxes", never).options(days),
        FieldView::new(
            "max_evenings_month",
            "Most evenings a month",
            "text",
            &form.max_evenings_month,
        )
        .hint("Enhanced access, 18:30 to 20:00. Leave empty for no limit.")
        .width("nhsuk-input--width-2"),
        FieldView::new(
            "max_saturdays_month",
            "Most Saturdays a month",
            "text",
            &form.max_saturdays_month,
        )
        .hint("Leave empty for no limit.")
        .width("nhsuk-input--width-2"),
        FieldView::new(
            "appointments_per_session",
            "Appointments a session",
            "text",
            &form.appointments_per_session,
        )
        .hint(&format!(
            "Leave empty for the usual {}.",
            domain::rota::DEFAULT_APPOINTMENTS_PER_SESSION
        ))
        .width("nhsuk-input--width-2"),
        FieldView::new(
            "appointment_minutes",
            "Minutes an appointment",
            "text",
            &form.appointment_minutes,
        )
        .hint(&format!(
            "Leave empty for the usual {}.",
            domain::rota::DEFAULT_APPOINTMENT_MINUTES
        ))
        .width("nhsuk-input--width-2"),
    ]
}

/// A person's rota rules page: the errors of the rules form or of the session request form
/// sent back, if any.
pub(crate) async fn render_rules(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    staff_id: &str,
    typed: Option<(&RulesPost, &FieldErrors)>,
    request: Option<(&SessionRequestForm, &FieldErrors)>,
    done: &str,
) -> Result<Response, WebError> {
    let view = state.app.rota().rota_rules(&user.actor, staff_id).await?;
    let draft = &view.person.draft;
    let (form, status) = match typed {
        Some((post, errors)) => (
            FormView::new(rules_fields(
                &post.to_form(),
                &post.fixed_sessions.join(";"),
                &post.days_never.join(";"),
            ))
            .with_errors(errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        None => (
            FormView::new(rules_fields(
                &RotaRulesForm::from_rules(&view.rules),
                &view.rules.fixed_text(),
                &view.rules.days_never_text(),
            )),
            StatusCode::OK,
        ),
    };
    let requests = crate::pages::rota::session_requests::view(
        state,
        &user.actor,
        staff_id,
        format!("/staff/{staff_id}/session-requests"),
        "their",
        request,
    )
    .await?;
    let mut form = form;
    let mut status = status;
    if let Some(r) = &requests
        && r.errors.has_errors()
    {
        form.errors.extend(r.errors.errors.iter().cloned());
        status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    let page = RulesPage {
        ctx: page_ctx(&user.actor, &token, &format!("/staff/{staff_id}")),
        staff_id: staff_id.to_string(),
        name: draft.name.clone(),
        contract: format!(
            "{} sessions a week ({} WTE)",
            number(draft.sessions_per_week),
            number(draft.wte)
        ),
        practices: draft
            .practices
            .iter()
            .map(|p| p.as_str().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        sites: if view.sites.is_empty() {
            "None recorded".into()
        } else {
            view.sites.join(", ")
        },
        may_change: view.may_change,
        form,
        notice: match done {
            "saved" => Some("Their rota rules are saved.".to_string()),
            "session-request" => {
                Some("The session request is saved: the next rota made weighs it.".to_string())
            }
            "session-request-withdrawn" => Some("The session request was withdrawn.".to_string()),
            _ => None,
        },
        requests,
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn rules_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    render_rules(&state, &user, token, &id, None, None, &done.done).await
}

pub(crate) async fn rules_save(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(post): CsrfForm<RulesPost>,
) -> Result<Response, WebError> {
    match state
        .app
        .rota()
        .save_rota_rules(&user.actor, &id, &post.to_form())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/staff/{id}/rota-rules?done=saved")).into_response()),
        Err(AppError::Invalid(errors)) => {
            render_rules(&state, &user, token, &id, Some((&post, &errors)), None, "").await
        }
        Err(other) => Err(other.into()),
    }
}
