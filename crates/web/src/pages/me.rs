//! A member of staff's own page: contact details, leave requests, and their rota's
//! calendar feed (with a new address on request).
use super::register::practice::LeaveRow;
use super::{Done, FieldView, FormView, page_ctx};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use app::AppError;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::FieldErrors;
use domain::leave::{LeaveForm, LeaveKind};

#[derive(Template, WebTemplate)]
#[template(path = "me.html")]
pub(crate) struct MePage {
    ctx: PageCtx,
    name: String,
    role: String,
    practices: String,
    wte: String,
    sessions: String,
    contact: FormView,
    leave_form: FormView,
    /// The errors of whichever form was sent.
    form: FormView,
    leave: Vec<LeaveRow>,
    /// Their annual leave balance this leave year.
    balance: Option<super::leave::BalanceView>,
    /// The private address of their rota's calendar feed, once they have made one.
    ical_url: Option<String>,
    done: String,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct ContactForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
}

fn contact_fields(form: &ContactForm) -> Vec<FieldView> {
    vec![
        FieldView::new("email", "Email address", "email", &form.email).autocomplete("email"),
        FieldView::new("phone", "Phone number", "tel", &form.phone)
            .width("nhsuk-input--width-20")
            .autocomplete("tel"),
    ]
}

fn leave_fields(form: &LeaveForm) -> Vec<FieldView> {
    vec![
        FieldView::new("kind", "Kind of leave", "select", &form.kind)
            .options(LeaveKind::ALL.iter().map(|k| (k.code(), k.label()))),
        FieldView::new("start_date", "First day", "date", &form.start_date)
            .width("nhsuk-input--width-10"),
        FieldView::new("end_date", "Last day", "date", &form.end_date)
            .width("nhsuk-input--width-10"),
        FieldView::new(
            "note",
            "Note for your manager (optional)",
            "textarea",
            &form.note,
        ),
    ]
}

enum Failed {
    None,
    Contact(ContactForm, FieldErrors),
    Leave(LeaveForm, FieldErrors),
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    failed: Failed,
    done: String,
) -> Result<Response, WebError> {
    let staff_id = user
        .actor
        .staff_id
        .clone()
        .ok_or(WebError::Page(AppError::NotFound))?;
    let me = state
        .app
        .register()
        .get_staff(&user.actor, &staff_id)
        .await?;
    let leave = state.app.leave().my_leave(&user.actor).await?;
    let balance = state.app.leave().my_leave_balance(&user.actor).await?;
    // Read only: the link is made by the button this page shows when there is none.
    let ical_url = state
        .app
        .rota()
        .my_calendar_link(&user.actor)
        .await?
        .map(|token| ical_path(&token));
    let mut summary = FormView::default();
    let contact = match &failed {
        Failed::Contact(form, errors) => FormView::new(contact_fields(form)).with_errors(errors),
        _ => FormView::new(contact_fields(&ContactForm {
            email: me.draft.email.clone().unwrap_or_default(),
            phone: me.draft.phone.clone().unwrap_or_default(),
        })),
    };
    let leave_form = match &failed {
        Failed::Leave(form, errors) => FormView::new(leave_fields(form)).with_errors(errors),
        _ => FormView::new(leave_fields(&LeaveForm {
            kind: "annual".into(),
            ..Default::default()
        })),
    };
    summary.errors = [contact.errors.clone(), leave_form.errors.clone()].concat();
    let status = if matches!(failed, Failed::None) {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = MePage {
        ctx: page_ctx(&user.actor, &token, "/me"),
        name: me.draft.name.clone(),
        role: me.draft.role.label().into(),
        practices: me
            .draft
            .practices
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        wte: super::number(me.draft.wte),
        sessions: super::number(me.draft.sessions_per_week),
        contact,
        leave_form,
        form: summary,
        leave: leave.iter().map(LeaveRow::of).collect(),
        balance: balance.as_ref().map(super::leave::BalanceView::of),
        ical_url,
        done,
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn me_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    render(&state, &user, token, Failed::None, done.done).await
}

pub(crate) async fn contact_update(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    CsrfForm(form): CsrfForm<ContactForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .register()
        .update_own_contact(&user.actor, &form.email, &form.phone)
        .await
    {
        Ok(()) => Ok(Redirect::to("/me?done=contact").into_response()),
        Err(AppError::Invalid(errors)) => {
            render(
                &state,
                &user,
                token,
                Failed::Contact(form, errors),
                String::new(),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

pub(crate) async fn leave_request(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    CsrfForm(form): CsrfForm<LeaveForm>,
) -> Result<Response, WebError> {
    match state.app.leave().request_leave(&user.actor, &form).await {
        Ok(_) => Ok(Redirect::to("/me?done=leave").into_response()),
        Err(AppError::Invalid(errors)) => {
            render(
                &state,
                &user,
                token,
                Failed::Leave(form, errors),
                String::new(),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct CalendarForm {
    /// `create`: make the first link (keeping one made meanwhile, so a double click or a
    /// second tab does not replace it); anything else: a new link in place of the old.
    #[serde(default)]
    link: String,
}

/// Makes the person's calendar feed address, or issues a new one (the old stops working).
pub(crate) async fn calendar_reset(
    State(state): State<AppState>,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<CalendarForm>,
) -> Result<Response, WebError> {
    if form.link == "create" {
        state.app.rota().my_calendar_token(&user.actor).await?;
        return Ok(Redirect::to("/me?done=calendar-created").into_response());
    }
    state.app.rota().new_calendar_token(&user.actor).await?;
    Ok(Redirect::to("/me?done=calendar-reset").into_response())
}

/// The calendar feed's path for a token.
pub(crate) fn ical_path(token: &str) -> String {
    format!("/ical/{token}.ics")
}
