//! Estates pages: a site's room use as a heat map, its ad-hoc bookings, marking a day's
//! booked rooms used or not, and the practice and PCN summaries with the room shortfall.
use super::{FieldView, FormView, long_date, page_ctx};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use app::estates::bookings::{MarkForm, Reach};
use app::estates::{EstatesSummary, PlannedPost, SiteUtilisation};
use app::{AppError, Tenant};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::account::UserRole;
use domain::estates::{BookingForm, Mark, PeriodForm, RoomUse, percent_text};
use domain::role::Role;
use domain::rota::Session;
use domain::{FieldError, FieldErrors};

mod summary;
pub(crate) use summary::*;

/// A figure cell of the tables: the text and the heat class (colour only adds to the text).
pub(crate) struct UseCell {
    pub percent: String,
    pub detail: String,
    pub heat: &'static str,
}

fn heat(u: &RoomUse) -> &'static str {
    match u.used_percent() {
        None => "app-heat-none",
        Some(p) if p < 20.0 => "app-heat-0",
        Some(p) if p < 40.0 => "app-heat-1",
        Some(p) if p < 60.0 => "app-heat-2",
        Some(p) if p < 80.0 => "app-heat-3",
        Some(_) => "app-heat-4",
    }
}

fn cell(u: &RoomUse) -> UseCell {
    UseCell {
        percent: percent_text(u.used_percent()),
        detail: format!("{} of {} used, {} booked", u.used, u.open, u.booked),
        heat: heat(u),
    }
}

pub(crate) struct RoomLine {
    pub name: String,
    pub kinds: String,
    pub open: u32,
    pub booked: u32,
    pub used: u32,
    pub not_used: u32,
    pub unmarked: u32,
    pub booked_percent: String,
    pub used_percent: String,
    pub flagged: bool,
    pub cells: Vec<UseCell>,
}

fn room_lines(u: &SiteUtilisation) -> Vec<RoomLine> {
    u.rooms
        .iter()
        .map(|r| RoomLine {
            name: r.name.clone(),
            kinds: r
                .capabilities
                .iter()
                .map(|c| c.label())
                .collect::<Vec<_>>()
                .join(", "),
            open: r.total.open,
            booked: r.total.booked,
            used: r.total.used,
            not_used: r.total.not_used,
            unmarked: r.total.unmarked(),
            booked_percent: percent_text(r.total.booked_percent()),
            used_percent: percent_text(r.total.used_percent()),
            flagged: r.flagged,
            cells: r.cells.iter().map(cell).collect(),
        })
        .collect()
}

fn weekday_name(d: chrono::Weekday) -> &'static str {
    match d {
        chrono::Weekday::Mon => "Monday",
        chrono::Weekday::Tue => "Tuesday",
        chrono::Weekday::Wed => "Wednesday",
        chrono::Weekday::Thu => "Thursday",
        chrono::Weekday::Fri => "Friday",
        chrono::Weekday::Sat => "Saturday",
        chrono::Weekday::Sun => "Sunday",
    }
}

fn period_fields(form: &PeriodForm) -> FormView {
    FormView::new(vec![
        FieldView::new("from", "From (YYYY-MM-DD)", "date", &form.from),
        FieldView::new("to", "To (YYYY-MM-DD)", "date", &form.to),
    ])
}

#[derive(Template, WebTemplate)]
#[template(path = "estates_site.html")]
pub(crate) struct SitePage {
    ctx: PageCtx,
    site_id: String,
    site: String,
    practice: String,
    ods: String,
    from: String,
    to: String,
    period: String,
    threshold: u32,
    total: UseCell,
    total_booked: String,
    not_used: u32,
    unmarked: u32,
    columns: Vec<String>,
    rooms: Vec<RoomLine>,
    form: FormView,
}

/// `GET /sites/{id}/utilisation?from&to`
pub(crate) async fn site_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    Query(period): Query<PeriodForm>,
) -> Result<Response, WebError> {
    let (u, form, status) = match state
        .app
        .estates()
        .site_utilisation(&user.actor, &id, &period)
        .await
    {
        Ok(u) => (u, period_fields(&period), StatusCode::OK),
        Err(AppError::Invalid(errors)) => {
            let u = state
                .app
                .estates()
                .site_utilisation(&user.actor, &id, &PeriodForm::default())
                .await?;
            (
                u,
                period_fields(&period).with_errors(&errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(other) => return Err(other.into()),
    };
    let page = SitePage {
        ctx: page_ctx(
            &user.actor,
            &token,
            &format!("/practices/{}/sites", u.site.practice_ods),
        ),
        site_id: u.site.id.clone(),
        site: u.site.site.name.clone(),
        practice: u.practice_name.clone(),
        ods: u.site.practice_ods.clone(),
        from: u.period.from.to_string(),
        to: u.period.to.to_string(),
        period: format!("{} to {}", long_date(u.period.from), long_date(u.period.to)),
        threshold: u.threshold,
        total: cell(&u.total),
        total_booked: percent_text(u.total.booked_percent()),
        not_used: u.total.not_used,
        unmarked: u.total.unmarked(),
        columns: u
            .columns
            .iter()
            .map(|(d, s)| format!("{} {}", weekday_name(*d), s.label()))
            .collect(),
        rooms: room_lines(&u),
        form,
    };
    Ok((status, token, page).into_response())
}

// ---------------------------------------------------------------- bookings

pub(crate) struct BookingLine {
    pub id: String,
    pub when: String,
    pub room: String,
    pub purpose: String,
    pub by: String,
    pub may_cancel: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "estates_bookings.html")]
pub(crate) struct BookingsPage {
    ctx: PageCtx,
    site_id: String,
    site: String,
    ods: String,
    manager: bool,
    bookings: Vec<BookingLine>,
    form: FormView,
    done: String,
}

fn booking_fields(form: &BookingForm, rooms: &[(String, String)]) -> Vec<FieldView> {
    vec![
        FieldView::new("room_id", "Room", "select", &form.room_id)
            .options(rooms.iter().map(|(id, name)| (id.as_str(), name.as_str()))),
        FieldView::new("date", "Date (YYYY-MM-DD)", "date", &form.date),
        FieldView::new("session", "Session", "select", &form.session)
            .options(Session::ALL.iter().map(|s| (s.code(), s.label()))),
        FieldView::new("purpose", "What it is for", "text", &form.purpose)
            .hint("For example: retinal screening (visiting service), basic life support training"),
    ]
}

async fn render_bookings(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    site_id: &str,
    failed: Option<(BookingForm, FieldErrors)>,
    done: String,
) -> Result<Response, WebError> {
    let b = state
        .app
        .estates()
        .site_bookings(&user.actor, site_id)
        .await?;
    let rooms: Vec<(String, String)> = b
        .rooms
        .iter()
        .map(|r| (r.id.clone(), r.room.name.clone()))
        .collect();
    let (form, status) = match &failed {
        Some((form, errors)) => (
            FormView::new(booking_fields(form, &rooms)).with_errors(errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        None => (
            FormView::new(booking_fields(&BookingForm::default(), &rooms)),
            StatusCode::OK,
        ),
    };
    let bookings = b
        .bookings
        .iter()
        .map(|x| BookingLine {
            id: x.id.clone(),
            when: match app::estates::slot(&x.day, &x.session) {
                Some((d, s)) => format!("{} {}", d.format("%a %-d %b %Y"), s.label()),
                None => format!("{} {}", x.day, x.session),
            },
            room: x.room_name.clone(),
            purpose: x.purpose.clone(),
            by: x.booked_by_name.clone().unwrap_or_else(|| "–".into()),
            may_cancel: b.may_cancel(&user.actor, x),
        })
        .collect();
    let page = BookingsPage {
        ctx: page_ctx(&user.actor, &token, "/"),
        site_id: b.site.id.clone(),
        site: b.site.site.name.clone(),
        ods: b.site.practice_ods.clone(),
        manager: b.reach == Reach::Manager,
        bookings,
        form,
        done,
    };
    Ok((status, token, page).into_response())
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct DoneQuery {
    #[serde(default)]
    done: String,
}

/// `GET /sites/{id}/bookings`
pub(crate) async fn bookings_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    Query(done): Query<DoneQuery>,
) -> Result<Response, WebError> {
    render_bookings(&state, &user, token, &id, None, done.done).await
}

/// `POST /sites/{id}/bookings`
pub(crate) async fn booking_create(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<BookingForm>,
) -> Result<Response, WebError> {
    match state.app.estates().book_room(&user.actor, &id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/sites/{id}/bookings?done=booked")).into_response()),
        Err(AppError::Invalid(errors)) => {
            render_bookings(
                &state,
                &user,
                token,
                &id,
                Some((form, errors)),
                String::new(),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct CancelForm {
    booking_id: String,
}

/// `POST /sites/{id}/bookings/cancel`
pub(crate) async fn booking_cancel(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<CancelForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .estates()
        .cancel_room_booking(&user.actor, &id, &form.booking_id)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/sites/{id}/bookings?done=cancelled")).into_response()),
        Err(AppError::Invalid(errors)) => {
            render_bookings(
                &state,
                &user,
                token,
                &id,
                Some((BookingForm::default(), errors)),
                String::new(),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

// ---------------------------------------------------------------- marking a day's room use

pub(crate) struct UseLine {
    pub room_id: String,
    pub room: String,
    pub session: &'static str,
    pub session_code: &'static str,
    pub what: String,
    pub mark: &'static str,
    pub may_mark: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "estates_room_use.html")]
pub(crate) struct RoomUsePage {
    ctx: PageCtx,
    site_id: String,
    site: String,
    day: String,
    day_text: String,
    lines: Vec<UseLine>,
    form: FormView,
    done: String,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct DayQuery {
    day: String,
    done: String,
}

async fn render_room_use(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    site_id: &str,
    day_text: &str,
    errors: Option<FieldErrors>,
    done: String,
) -> Result<Response, WebError> {
    let mut form_errors = errors.unwrap_or_default();
    let day = if day_text.trim().is_empty() {
        state.app.today()
    } else {
        match domain::error::parse_date("day", day_text) {
            Ok(d) => d,
            Err(e) => {
                form_errors.push(e);
                state.app.today()
            }
        }
    };
    let (site, sessions) = state
        .app
        .estates()
        .room_use_day(&user.actor, site_id, day)
        .await?;
    let status = if form_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let form = FormView::new(vec![FieldView::new(
        "day",
        "Day (YYYY-MM-DD)",
        "date",
        &day.to_string(),
    )])
    .with_errors(&std::mem::take(&mut form_errors));
    let lines = sessions
        .into_iter()
        .map(|s| UseLine {
            room_id: s.room_id,
            room: s.room_name,
            session: s.session.label(),
            session_code: s.session.code(),
            what: s.what,
            mark: match s.mark {
                Some(Mark::Used) => "Used",
                Some(Mark::NotUsed) => "Not used",
                None => "Not marked",
            },
            may_mark: s.may_mark,
        })
        .collect();
    let page = RoomUsePage {
        ctx: page_ctx(&user.actor, &token, "/"),
        site_id: site.id.clone(),
        site: site.site.name.clone(),
        day: day.to_string(),
        day_text: day.format("%A %-d %B %Y").to_string(),
        lines,
        form,
        done,
    };
    Ok((status, token, page).into_response())
}

/// `GET /sites/{id}/room-use?day=`
pub(crate) async fn room_use_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    Query(q): Query<DayQuery>,
) -> Result<Response, WebError> {
    render_room_use(&state, &user, token, &id, &q.day, None, q.done).await
}

/// `POST /sites/{id}/room-use`
pub(crate) async fn room_use_mark(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<MarkForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .estates()
        .mark_room_use(&user.actor, &id, &form)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/sites/{id}/room-use?day={}&done=marked",
            form.day.trim()
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            render_room_use(
                &state,
                &user,
                token,
                &id,
                &form.day,
                Some(errors),
                String::new(),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}
