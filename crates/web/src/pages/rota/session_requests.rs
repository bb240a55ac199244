//! Session requests on two pages: a person's own on "My rota", and a person's on their rota
//! rules page for their manager. One view and one form (`session_requests.html`) for both.
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::pages::forms::OptionView;
use crate::pages::{FormView, long_date};
use app::AppError;
use app::access::Actor;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use domain::FieldErrors;
use domain::rota::{Session, SessionRequestForm, SessionWish};

/// One request in the list.
pub(crate) struct SessionRequestView {
    pub id: String,
    pub day_label: String,
    pub session_label: String,
    pub wish_label: &'static str,
    pub note: String,
    /// The manager's decision on a session off a published rota books: "Approved", or
    /// "Declined: <reason>"; empty while none.
    pub decision: String,
}

/// A person's requests and the form to add one.
pub(crate) struct SessionRequestsView {
    /// Where the form posts.
    pub action: String,
    /// "your" or "their".
    pub whose: &'static str,
    pub rows: Vec<SessionRequestView>,
    /// What was typed, when the form came back with errors.
    pub typed: SessionRequestForm,
    /// The errors by field id (`request-date`, …), for the fields and the page's summary.
    pub errors: FormView,
    /// The earliest date that may be asked for.
    pub today: String,
}

impl SessionRequestsView {
    pub fn error(&self, field: &str) -> Option<String> {
        self.errors.message_for(&format!("request-{field}"))
    }

    pub fn sessions(&self) -> Vec<OptionView> {
        Session::ALL
            .into_iter()
            .map(|s| option(s.code(), s.label(), &self.typed.session))
            .collect()
    }

    pub fn wishes(&self) -> Vec<OptionView> {
        SessionWish::ALL
            .into_iter()
            .map(|w| option(w.code(), w.label(), &self.typed.wish))
            .collect()
    }
}

fn option(value: &str, label: &str, typed: &str) -> OptionView {
    OptionView {
        value: value.into(),
        label: label.into(),
        selected: value == typed,
    }
}

/// The requests of `staff_id` as the actor may see them (`None` when they may not), with the
/// form posting to `action`, and the errors of a form sent back.
pub(crate) async fn view(
    state: &AppState,
    actor: &Actor,
    staff_id: &str,
    action: String,
    whose: &'static str,
    sent: Option<(&SessionRequestForm, &FieldErrors)>,
) -> Result<Option<SessionRequestsView>, WebError> {
    let rows = match state
        .app
        .rota()
        .session_requests_decided(actor, staff_id)
        .await
    {
        Ok(rows) => rows,
        Err(AppError::NotFound | AppError::Forbidden) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let rows = rows
        .into_iter()
        .map(|(r, decision)| {
            let date = NaiveDate::parse_from_str(&r.day, "%Y-%m-%d").ok();
            SessionRequestView {
                day_label: date.map_or(r.day.clone(), |d| {
                    format!("{} {}", d.format("%A"), long_date(d))
                }),
                session_label: Session::parse(&r.session).map_or("", |s| s.label()).into(),
                wish_label: match SessionWish::parse(&r.wish) {
                    Ok(SessionWish::Work) => "To work it",
                    Ok(SessionWish::Off) => "To have it off",
                    Err(_) => "",
                },
                note: r.note.unwrap_or_default(),
                decision: match decision {
                    Some(d) if d.status == "approved" => {
                        "Approved: the session was taken off the rota".to_string()
                    }
                    Some(d) => match d.reason {
                        Some(reason) => format!("Declined: {reason}"),
                        None => "Declined".to_string(),
                    },
                    None => String::new(),
                },
                id: r.id,
            }
        })
        .collect();
    let (typed, errors) = match sent {
        Some((form, errors)) => {
            let summary = FormView {
                fields: Vec::new(),
                errors: errors
                    .0
                    .iter()
                    .map(|e| (format!("request-{}", e.field), e.message.clone()))
                    .collect(),
            };
            (form.clone(), summary)
        }
        None => (SessionRequestForm::default(), FormView::default()),
    };
    Ok(Some(SessionRequestsView {
        action,
        whose,
        rows,
        typed,
        errors,
        today: state.app.today().to_string(),
    }))
}

/// The actor asks about one of their own sessions.
pub(crate) async fn my_request(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    CsrfForm(form): CsrfForm<SessionRequestForm>,
) -> Result<Response, WebError> {
    let staff_id = user.actor.staff_id.clone().ok_or(AppError::NotFound)?;
    match state
        .app
        .rota()
        .ask_for_session(&user.actor, &staff_id, &form)
        .await
    {
        Ok(_) => Ok(Redirect::to("/me/rota?done=session-request#session-requests").into_response()),
        Err(AppError::Invalid(errors)) => {
            crate::pages::rota::mine::render_my_rota(
                &state,
                &user,
                token,
                "",
                None,
                Some((&form, &errors)),
                String::new(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// A manager records a request for a person they manage.
pub(crate) async fn staff_request(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<SessionRequestForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .rota()
        .ask_for_session(&user.actor, &id, &form)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/staff/{id}/rota-rules?done=session-request#session-requests"
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            crate::pages::rota::setup::render_rules(
                &state,
                &user,
                token,
                &id,
                None,
                Some((&form, &errors)),
                "",
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Withdraws a request, back to the page it was made from.
pub(crate) async fn withdraw(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<crate::pages::rota::Nothing>,
) -> Result<Response, WebError> {
    let staff_id = state
        .app
        .rota()
        .withdraw_session_request(&user.actor, &id)
        .await?;
    let to = if user.actor.staff_id.as_deref() == Some(staff_id.as_str()) {
        "/me/rota?done=session-request-withdrawn#session-requests".to_string()
    } else {
        format!("/staff/{staff_id}/rota-rules?done=session-request-withdrawn#session-requests")
    };
    Ok(Redirect::to(&to).into_response())
}
