//! The PCN's wellbeing page: each practice's line, its settings and its local services.
use super::*;

// ---------------------------------------------------------------- the PCN's settings

pub(crate) struct PracticeLineView {
    pub ods: String,
    pub name: String,
    pub responses: String,
    pub mean: String,
}

pub(crate) struct LocalServiceView {
    pub id: String,
    pub name: String,
    pub contact: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "pcn_wellbeing.html")]
pub(crate) struct PcnPage {
    ctx: PageCtx,
    code: String,
    name: String,
    /// The last closed period, which the practice lines describe.
    period: String,
    open_period: String,
    practices: Vec<PracticeLineView>,
    services: Vec<LocalServiceView>,
    settings_form: FormView,
    service_form: FormView,
    form: FormView,
    notice: Option<&'static str>,
}

fn settings_fields(form: &SettingsForm) -> Vec<FieldView> {
    vec![
        FieldView::new("questions", "Questions", "textarea", &form.questions).hint(
            "One statement a line, answered from 1 (strongly disagree) to 5 (strongly agree). At most 10. Changing the questions or the period starts a new questionnaire.",
        ),
        FieldView::new("period_weeks", "How often staff answer", "select", &form.period_weeks)
            .options([("2", "Every 2 weeks"), ("4", "Every 4 weeks")]),
        FieldView::new("threshold", "Smallest group shown", "number", &form.threshold)
            .hint("Results of a group appear only when at least this many people in it answered: 5 or more.")
            .width("nhsuk-input--width-3")
            .step("1"),
    ]
}

fn service_fields(form: &ServiceForm) -> Vec<FieldView> {
    vec![
        FieldView::new("service_name", "Name", "text", &form.service_name),
        FieldView::new(
            "service_description",
            "What it offers (optional)",
            "textarea",
            &form.service_description,
        ),
        FieldView::new(
            "service_contact",
            "How to contact it",
            "text",
            &form.service_contact,
        )
        .hint("A phone number, a web address or both"),
    ]
}

enum PcnFailed {
    None,
    Settings(SettingsForm, FieldErrors),
    Service(ServiceForm, FieldErrors),
}

async fn pcn_render(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    code: &str,
    failed: PcnFailed,
    notice: Option<&'static str>,
) -> Result<Response, WebError> {
    let w: PcnWellbeing = state
        .app
        .wellbeing()
        .pcn_wellbeing(&user.actor, code)
        .await?;
    let settings_form = match &failed {
        PcnFailed::Settings(form, errors) => {
            FormView::new(settings_fields(form)).with_errors(errors)
        }
        _ => FormView::new(settings_fields(&w.settings.to_form())),
    };
    let service_form = match &failed {
        PcnFailed::Service(form, errors) => FormView::new(service_fields(form)).with_errors(errors),
        _ => FormView::new(service_fields(&ServiceForm::default())),
    };
    let form = FormView {
        fields: Vec::new(),
        errors: [settings_form.errors.clone(), service_form.errors.clone()].concat(),
    };
    let status = if matches!(failed, PcnFailed::None) {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let path = format!("/pcns/{code}/wellbeing");
    let page = PcnPage {
        ctx: page_ctx(&user.actor, &token, &path),
        code: w.pcn_code.clone(),
        name: w.pcn_name.clone(),
        period: period_label(&w.closed),
        open_period: period_label(&w.open),
        practices: w
            .practices
            .iter()
            .map(|p| PracticeLineView {
                ods: p.ods_code.clone(),
                name: p.name.clone(),
                responses: responses_text(p.responses, w.settings.threshold),
                mean: p
                    .overall_mean
                    .map(mean)
                    .unwrap_or_else(|| WITHHELD.to_string()),
            })
            .collect(),
        services: w
            .services
            .iter()
            .map(|s| LocalServiceView {
                id: s.id.clone(),
                name: s.service.name.clone(),
                contact: s.service.contact.clone(),
            })
            .collect(),
        settings_form,
        service_form,
        form,
        notice,
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn pcn_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
    Query(notice): Query<Notice>,
) -> Result<Response, WebError> {
    pcn_render(
        &state,
        &user,
        token,
        &code,
        PcnFailed::None,
        notice_text(&notice.done),
    )
    .await
}

pub(crate) async fn pcn_settings(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<Response, WebError> {
    let result = state
        .app
        .wellbeing()
        .set_checkin_settings(&user.actor, &code, &form)
        .await;
    let done = format!("/pcns/{code}/wellbeing?done=settings");
    saved_or_again(result, &done, |errors| {
        pcn_render(
            &state,
            &user,
            token,
            &code,
            PcnFailed::Settings(form, errors),
            None,
        )
    })
    .await
}

pub(crate) async fn pcn_service_add(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<ServiceForm>,
) -> Result<Response, WebError> {
    let result = state
        .app
        .wellbeing()
        .add_support_service(&user.actor, &code, &form)
        .await;
    let done = format!("/pcns/{code}/wellbeing?done=service");
    saved_or_again(result, &done, |errors| {
        pcn_render(
            &state,
            &user,
            token,
            &code,
            PcnFailed::Service(form, errors),
            None,
        )
    })
    .await
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct RemoveForm {
    #[serde(default)]
    service_id: String,
}

pub(crate) async fn pcn_service_remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<RemoveForm>,
) -> Result<Response, WebError> {
    state
        .app
        .wellbeing()
        .remove_support_service(&user.actor, &code, &form.service_id)
        .await?;
    Ok(Redirect::to(&format!("/pcns/{code}/wellbeing?done=service-removed")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::wellbeing::{GroupReport, PeriodReport};
    use domain::wellbeing::{CheckinSettings, GroupResults};

    fn report(shown: &[bool]) -> WellbeingReport {
        let start = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let period = |i: usize| Period::starting(start + chrono::Days::new(28 * i as u64), 4);
        let results = |on: bool| {
            on.then(|| GroupResults {
                questions: Vec::new(),
                overall_mean: 3.5,
            })
        };
        WellbeingReport {
            practice_ods: "Y99901".into(),
            practice_name: "Riverside Surgery".into(),
            tenant: "Y99901".into(),
            questionnaire_id: "q".into(),
            settings: CheckinSettings::default(),
            open: period(shown.len()),
            periods: shown
                .iter()
                .enumerate()
                .map(|(i, on)| PeriodReport {
                    period: period(i),
                    responses: on.then_some(6),
                    results: results(*on),
                    groups: StaffGroup::ALL
                        .iter()
                        .map(|g| GroupReport {
                            staff_group: *g,
                            responses: None,
                            results: None,
                        })
                        .collect(),
                    comments: Vec::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn no_figure_to_show_draws_no_chart_and_one_draws_it_with_axis_titles() {
        assert_eq!(trend_chart(&report(&[false, false, false])), "");
        let chart = trend_chart(&report(&[false, true, true]));
        assert!(chart.starts_with("<svg"), "{chart}");
        assert!(chart.contains("Average answer"));
        assert!(chart.contains("Period starting"));
        assert_eq!(chart.matches("<circle").count(), 2);
    }
}
