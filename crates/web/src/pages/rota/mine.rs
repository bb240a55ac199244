//! "My rota": a member of staff's published sessions from every published rota that books
//! them, from today to as far ahead as their calendar feed reaches (or one month), grouped
//! by month; a swap or cover request on any session still to come; what became of their
//! requests; and their session requests.
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use crate::pages::rota::Choice;
use crate::pages::{FormView, long_date, page_ctx};
use app::AppError;
use app::rota::mine::AHEAD_DAYS;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use domain::FieldErrors;
use domain::rota::{Session, SessionRequestForm};
use store::rota::SwapRow;

pub(crate) struct MySession {
    pub rota_id: String,
    pub date: String,
    pub day_label: String,
    pub session: String,
    pub session_label: String,
    pub place: String,
    pub colleagues: Vec<Choice>,
    /// What became of the person's request on it, if they made one.
    pub requested: String,
    /// Before today: nothing to ask.
    pub past: bool,
    /// May ask (again): no request waiting or approved.
    pub can_ask: bool,
}

/// One month's sessions.
pub(crate) struct MonthGroup {
    pub label: String,
    pub sessions: Vec<MySession>,
}

/// A link to one month of the rota.
pub(crate) struct MonthLink {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// A swap or cover request and its outcome.
pub(crate) struct RequestLine {
    pub text: String,
    pub outcome: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "my_rota.html")]
pub(crate) struct MyRotaPage {
    ctx: PageCtx,
    /// "from today to 24 November 2027" or "in January 2027".
    span: String,
    months: Vec<MonthGroup>,
    /// The months that hold sessions from today on, and "All from today".
    month_links: Vec<MonthLink>,
    all_current: bool,
    previous: Option<MonthLink>,
    next: Option<MonthLink>,
    swap_requests: Vec<RequestLine>,
    form: FormView,
    done: String,
    requests: Option<crate::pages::rota::session_requests::SessionRequestsView>,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct MyRotaQuery {
    /// `YYYY-MM`: that month only; empty: from today on.
    #[serde(default)]
    month: String,
    #[serde(default)]
    done: String,
}

fn month_start(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d").ok()
}

fn next_month(first: NaiveDate) -> NaiveDate {
    first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first)
}

fn month_label(first: NaiveDate) -> String {
    first.format("%B %Y").to_string()
}

fn month_link(first: NaiveDate, current: bool) -> MonthLink {
    MonthLink {
        href: format!("/me/rota?month={}", first.format("%Y-%m")),
        label: month_label(first),
        current,
    }
}

fn first_of(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

fn outcome(swap: &SwapRow) -> String {
    match swap.status.as_str() {
        "requested" => "Asked: waiting for your manager".into(),
        "approved" => "Approved".into(),
        "declined" => match &swap.decision_reason {
            Some(reason) => format!("Declined: {reason}"),
            None => "Declined".into(),
        },
        _ => String::new(),
    }
}

fn day_label(day: &str) -> String {
    NaiveDate::parse_from_str(day, "%Y-%m-%d").map_or(day.to_string(), |d| {
        format!("{} {}", d.format("%A"), long_date(d))
    })
}

/// "My rota" for `month` (`YYYY-MM`, or empty for from today on), with the errors of a swap
/// request or of a session request sent back, if any.
pub(crate) async fn render_my_rota(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    month: &str,
    errors: Option<FieldErrors>,
    request: Option<(&SessionRequestForm, &FieldErrors)>,
    done: String,
) -> Result<Response, WebError> {
    let today = state.app.today();
    let horizon = today + chrono::Days::new(AHEAD_DAYS);
    let chosen = month_start(month);
    let (from, to) = match chosen {
        Some(first) => (first, next_month(first) - chrono::Days::new(1)),
        None => (today, horizon),
    };
    let ahead = state
        .app
        .rota()
        .my_sessions(&user.actor, today, horizon)
        .await?;
    let mut months_ahead: Vec<NaiveDate> = ahead
        .iter()
        .filter_map(|s| NaiveDate::parse_from_str(&s.day, "%Y-%m-%d").ok())
        .map(first_of)
        .collect();
    months_ahead.dedup();
    let sessions = state
        .app
        .rota()
        .my_swappable_sessions(&user.actor, from, to)
        .await?;
    let months = month_groups(sessions, today);
    let swap_requests = state
        .app
        .rota()
        .my_swaps(&user.actor, today)
        .await?
        .iter()
        .map(|w| RequestLine {
            text: format!(
                "{}, {}",
                day_label(&w.day),
                Session::parse(&w.session).map_or("", |x| x.label())
            ),
            outcome: outcome(w),
        })
        .collect();
    let mut view = FormView::default();
    if let Some(errors) = &errors {
        view.errors = errors
            .0
            .iter()
            .map(|e| (String::new(), e.message.clone()))
            .collect();
    }
    let requests = match user.actor.staff_id.as_deref() {
        Some(me) => {
            crate::pages::rota::session_requests::view(
                state,
                &user.actor,
                me,
                "/me/session-requests".into(),
                "your",
                request,
            )
            .await?
        }
        None => None,
    };
    if let Some(r) = &requests {
        view.errors.extend(r.errors.errors.iter().cloned());
    }
    let status = if view.has_errors() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let span = match chosen {
        Some(first) => format!("in {}", month_label(first)),
        None => match ahead.last() {
            Some(last) => format!("from today to {}", day_label(&last.day)),
            None => "from today on".into(),
        },
    };
    let page = MyRotaPage {
        ctx: page_ctx(&user.actor, &token, "/me/rota"),
        span,
        months,
        month_links: months_ahead
            .iter()
            .map(|m| month_link(*m, Some(*m) == chosen))
            .collect(),
        all_current: chosen.is_none(),
        previous: chosen.map(|m| {
            month_link(
                m.checked_sub_months(chrono::Months::new(1)).unwrap_or(m),
                false,
            )
        }),
        next: chosen.map(|m| month_link(next_month(m), false)),
        swap_requests,
        form: view,
        done,
        requests,
    };
    Ok((status, token, page).into_response())
}

/// The person's sessions grouped by month, each with who could take it and the swap asked.
fn month_groups(
    sessions: Vec<app::rota::swaps::SwappableSession>,
    today: NaiveDate,
) -> Vec<MonthGroup> {
    let mut months: Vec<MonthGroup> = Vec::new();
    for s in sessions {
        let Ok(date) = NaiveDate::parse_from_str(&s.session.day, "%Y-%m-%d") else {
            continue;
        };
        let label = month_label(first_of(date));
        if months.last().is_none_or(|m| m.label != label) {
            months.push(MonthGroup {
                label,
                sessions: Vec::new(),
            });
        }
        let status = s.request.as_ref().map(|w| w.status.as_str());
        let past = date < today;
        months.last_mut().expect("pushed").sessions.push(MySession {
            rota_id: s.session.rota_id.clone(),
            date: s.session.day.clone(),
            day_label: day_label(&s.session.day),
            session: s.session.session.clone(),
            session_label: Session::parse(&s.session.session)
                .map_or("", |x| x.label())
                .to_string(),
            place: match &s.session.room_name {
                Some(room) => format!("{}, {room}", s.session.site_name),
                None => s.session.site_name.clone(),
            },
            colleagues: s
                .colleagues
                .into_iter()
                .map(|(id, name)| Choice {
                    value: id,
                    label: name,
                    selected: false,
                })
                .collect(),
            requested: s.request.as_ref().map(outcome).unwrap_or_default(),
            can_ask: !past && !matches!(status, Some("requested" | "approved")),
            past,
        });
    }
    months
}

pub(crate) async fn my_rota_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Query(q): Query<MyRotaQuery>,
) -> Result<Response, WebError> {
    render_my_rota(&state, &user, token, &q.month, None, None, q.done).await
}

pub(crate) async fn swap_request(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    CsrfForm(form): CsrfForm<app::rota::swaps::SwapForm>,
) -> Result<Response, WebError> {
    match state.app.rota().request_swap(&user.actor, &form).await {
        Ok(_) => {
            // Back to the month the session is in.
            let month = form.date.get(..7).unwrap_or_default();
            Ok(
                Redirect::to(&format!("/me/rota?month={month}&done=swap-requested"))
                    .into_response(),
            )
        }
        Err(AppError::Invalid(errors)) => {
            let month = form.date.get(..7).unwrap_or_default().to_string();
            render_my_rota(
                &state,
                &user,
                token,
                &month,
                Some(errors),
                None,
                String::new(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
