//! The person form: add a person or change their details, with named choices for their
//! employer, practices and sites (no codes to type).
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use crate::pages::{FieldView, FormView, page_ctx};
use app::AppError;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::FieldErrors;
use domain::role::Role;
use domain::staff::StaffForm;
#[derive(Template, WebTemplate)]
#[template(path = "staff_form.html")]
pub(crate) struct StaffFormPage {
    ctx: PageCtx,
    title: String,
    action: String,
    back: String,
    form: FormView,
    submit: String,
    read_only: bool,
    /// The person left before today, so their personal details may be erased.
    has_left: bool,
}

/// What the person form offers by name: employers, practices and sites the actor can see.
pub(crate) struct StaffChoices {
    /// (ODS code, name) of each practice.
    practices: Vec<(String, String)>,
    /// (PCN code, name) of each PCN that may employ staff here (for PCN managers and
    /// system administrators; a practice manager's practice employs its own staff).
    pcns: Vec<(String, String)>,
    /// (site id, label) of each site.
    sites: Vec<(String, String)>,
}

/// The fields of the person form, filled from `form` and the choices on offer.
fn staff_fields(
    form: &StaffForm,
    choices: &StaffChoices,
    chosen_sites: &[String],
) -> Vec<FieldView> {
    let roles: Vec<(&str, String)> = Role::ALL
        .iter()
        .map(|r| {
            (
                r.code(),
                format!("{} ({})", r.label(), r.staff_group().label()),
            )
        })
        .collect();
    // The current employer stays on offer even where the actor could not choose it.
    let mut employers: Vec<(String, String)> = choices
        .pcns
        .iter()
        .map(|(code, name)| (code.clone(), format!("{name} (the PCN)")))
        .chain(choices.practices.iter().cloned())
        .collect();
    let current = form.employer_code.trim().to_uppercase();
    if !current.is_empty() && !employers.iter().any(|(c, _)| *c == current) {
        employers.push((current.clone(), current.clone()));
    }
    let mut practices = choices.practices.clone();
    for code in domain::staff::parse_list(&form.practices.to_uppercase()) {
        if !practices.iter().any(|(c, _)| *c == code) {
            practices.push((code.clone(), code));
        }
    }
    let mut fields = vec![
        FieldView::new("name", "Full name", "text", &form.name).autocomplete("name"),
        FieldView::new("role", "Role", "select", &form.role)
            .hint("From the national workforce taxonomy. The staff group follows from the role.")
            .options(roles.iter().map(|(c, l)| (*c, l.as_str()))),
        FieldView::new("employer_code", "Employed by", "select", &current)
            .options(employers.iter().map(|(c, n)| (c.as_str(), n.as_str()))),
        FieldView::new("wte", "Whole-time equivalent (WTE)", "number", &form.wte)
            .hint("More than 0 and at most 1.5. Full time is 1.")
            .width("nhsuk-input--width-4")
            .step("0.01"),
        FieldView::new(
            "sessions_per_week",
            "Sessions a week",
            "number",
            &form.sessions_per_week,
        )
        .hint("Whole or half sessions, 0 to 11. A full-time GP works about 9.")
        .width("nhsuk-input--width-4")
        .step("0.5"),
        FieldView::new(
            "practices",
            "Practices they work at",
            "checkboxes",
            &form.practices.to_uppercase().replace(' ', ""),
        )
        .options(practices.iter().map(|(c, n)| (c.as_str(), n.as_str()))),
        FieldView::new("skills", "Skills", "text", &form.skills)
            .hint("Separated by semicolons, for example minor surgery; coil fitting"),
        FieldView::new("start_date", "Start date", "date", &form.start_date)
            .width("nhsuk-input--width-10"),
        FieldView::new("end_date", "End date (optional)", "date", &form.end_date)
            .hint("Leave empty for a permanent contract")
            .width("nhsuk-input--width-10"),
        FieldView::new("email", "Email address", "email", &form.email).autocomplete("email"),
        FieldView::new("phone", "Phone number (optional)", "tel", &form.phone)
            .width("nhsuk-input--width-20")
            .autocomplete("tel"),
    ];
    if !choices.sites.is_empty() {
        fields.push(
            FieldView::new(
                "sites",
                "Sites they work at",
                "checkboxes",
                &chosen_sites.join(";"),
            )
            .options(
                choices
                    .sites
                    .iter()
                    .map(|(id, label)| (id.as_str(), label.as_str())),
            ),
        );
    }
    fields
}

/// The practices, PCNs and sites the actor can see, by name.
async fn staff_choices(state: &AppState, actor: &app::Actor) -> Result<StaffChoices, WebError> {
    let mut choices = StaffChoices {
        practices: Vec::new(),
        pcns: Vec::new(),
        sites: Vec::new(),
    };
    let may_employ_for_pcn = matches!(
        actor.role,
        domain::account::UserRole::PcnManager | domain::account::UserRole::SystemAdmin
    );
    let names = state.app.organisations().organisation_names(actor).await?;
    for practice in state.app.organisations().visible_practices(actor).await? {
        if let Some(pcn) = practice.pcn_code.as_ref().filter(|_| may_employ_for_pcn)
            && !choices.pcns.iter().any(|(c, _)| c == pcn)
        {
            let name = names.get(pcn).cloned().unwrap_or_else(|| pcn.clone());
            choices.pcns.push((pcn.clone(), name));
        }
        if let Ok(sites) = state
            .app
            .sites()
            .list_sites(actor, &practice.ods_code)
            .await
        {
            for s in sites {
                // A practice's main site is often named as the practice: say it once.
                let label = if s.site.site.name.trim() == practice.name.trim() {
                    practice.name.clone()
                } else {
                    format!("{} ({})", s.site.site.name, practice.name)
                };
                choices.sites.push((s.site.id.clone(), label));
            }
        }
        choices.practices.push((practice.ods_code, practice.name));
    }
    Ok(choices)
}

pub(crate) async fn staff_new(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
) -> Result<Response, WebError> {
    state
        .app
        .authorize(
            &user.actor,
            app::Permission::Manage,
            app::Tenant::Practice(&ods),
        )
        .await?;
    let form = StaffForm {
        employer: "practice".into(),
        employer_code: ods.clone(),
        practices: ods.clone(),
        start_date: state.app.today().to_string(),
        ..Default::default()
    };
    let choices = staff_choices(&state, &user.actor).await?;
    let page = StaffFormPage {
        ctx: page_ctx(&user.actor, &token, &format!("/practices/{ods}/staff")),
        title: "Add a person".into(),
        action: format!("/practices/{ods}/staff"),
        back: format!("/practices/{ods}/staff"),
        form: FormView::new(staff_fields(&form, &choices, &[])),
        submit: "Add person".into(),
        read_only: false,
        has_left: false,
    };
    Ok((token, page).into_response())
}

/// The person form as posted: the register's fields plus the ticked sites.
#[derive(serde::Deserialize, Default)]
pub(crate) struct StaffPost {
    #[serde(flatten)]
    form: StaffForm,
    #[serde(default)]
    sites: Vec<String>,
    /// `yes` once the manager confirmed a change that breaks a published rota.
    #[serde(default)]
    confirm_rota: String,
}

/// The form names the employer only; a PCN's code (U and five digits) says the PCN employs
/// them, any other a practice (a confirmation page posts the kind back, and it is kept).
fn fill_employer_kind(post: &mut StaffPost) {
    if post.form.employer.trim().is_empty() {
        let pcn = domain::org::PcnCode::parse(&post.form.employer_code).is_ok();
        post.form.employer = if pcn { "pcn" } else { "practice" }.into();
    }
}

#[allow(clippy::too_many_arguments)]
async fn form_again(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    title: &str,
    action: String,
    back: String,
    post: &StaffPost,
    errors: &FieldErrors,
) -> Result<Response, WebError> {
    let choices = staff_choices(state, &user.actor).await?;
    // The employer is chosen from a list here, not typed.
    let mut errors = errors.clone();
    if post.form.employer_code.trim().is_empty() {
        for e in errors.0.iter_mut().filter(|e| e.field == "employer_code") {
            e.message = "Choose who employs them".into();
        }
    }
    let errors = &errors;
    let page = StaffFormPage {
        ctx: page_ctx(&user.actor, &token, &back),
        title: title.into(),
        action,
        back,
        form: FormView::new(staff_fields(&post.form, &choices, &post.sites)).with_errors(errors),
        submit: "Save".into(),
        read_only: false,
        has_left: false,
    };
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, token, page).into_response())
}

pub(crate) async fn staff_create(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
    CsrfForm(mut post): CsrfForm<StaffPost>,
) -> Result<Response, WebError> {
    state
        .app
        .authorize(
            &user.actor,
            app::Permission::Manage,
            app::Tenant::Practice(&ods),
        )
        .await?;
    fill_employer_kind(&mut post);
    let confirmed = crate::pages::rota::stale::confirmed(&post.confirm_rota);
    match state
        .app
        .register()
        .create_staff_checked(&user.actor, &post.form, &post.sites, confirmed)
        .await
    {
        Ok(app::rota::stale::Checked::Confirm(breaks)) => {
            let (action, back) = (
                format!("/practices/{ods}/staff"),
                format!("/practices/{ods}/staff"),
            );
            crate::pages::rota::stale::staff_confirm(
                &user,
                token,
                &action,
                &back,
                &post.form,
                &post.sites,
                breaks,
            )
        }
        Ok(_) => Ok(Redirect::to(&format!("/practices/{ods}/staff?done=added")).into_response()),
        Err(AppError::Invalid(errors)) => {
            form_again(
                &state,
                &user,
                token,
                "Add a person",
                format!("/practices/{ods}/staff"),
                format!("/practices/{ods}/staff"),
                &post,
                &errors,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

pub(crate) async fn staff_edit(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let person = state.app.register().get_staff(&user.actor, &id).await?;
    let may_manage = state
        .app
        .register()
        .may_manage_staff(&user.actor, &person)
        .await?;
    let choices = staff_choices(&state, &user.actor).await?;
    let back = person
        .draft
        .practices
        .first()
        .map(|p| format!("/practices/{p}/staff"))
        .unwrap_or_else(|| "/".into());
    let page = StaffFormPage {
        ctx: page_ctx(&user.actor, &token, &back),
        title: person.draft.name.clone(),
        action: format!("/staff/{id}"),
        back,
        form: FormView::new(staff_fields(
            &person.draft.to_form(),
            &choices,
            &person.site_ids,
        )),
        submit: "Save changes".into(),
        read_only: !may_manage,
        has_left: person
            .draft
            .end_date
            .is_some_and(|end| end < state.app.today()),
    };
    Ok((token, page).into_response())
}

pub(crate) async fn staff_update(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(mut post): CsrfForm<StaffPost>,
) -> Result<Response, WebError> {
    fill_employer_kind(&mut post);
    let confirmed = crate::pages::rota::stale::confirmed(&post.confirm_rota);
    match state
        .app
        .register()
        .update_staff_checked(&user.actor, &id, &post.form, &post.sites, confirmed)
        .await
    {
        Ok(app::rota::stale::Checked::Confirm(breaks)) => {
            let (action, back) = (format!("/staff/{id}"), format!("/staff/{id}"));
            crate::pages::rota::stale::staff_confirm(
                &user,
                token,
                &action,
                &back,
                &post.form,
                &post.sites,
                breaks,
            )
        }
        Ok(app::rota::stale::Checked::Done(())) => {
            let ods = post
                .form
                .practices
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_uppercase();
            Ok(Redirect::to(&format!("/practices/{ods}/staff?done=saved")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let back = format!("/staff/{id}");
            form_again(
                &state,
                &user,
                token,
                "Change a person's details",
                back.clone(),
                back,
                &post,
                &errors,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}
