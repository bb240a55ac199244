//! Reviewing a rota's cover: the cover view on the rota page (site × day × session, one week
//! at a time: needed, booked and gap in words and colour), the gaps list (below the minimum
//! first, then below the ideal, all of them), and for a gap the page "who could cover this"
//! with a button booking a person in (`Rota::edit_rota_day`, locked so a new solve keeps it).
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use crate::pages::{long_date, page_ctx};
use app::AppError;
use app::rota::RotaDetail;
use app::rota::cover::{CoverLevel, CoverLine, GapCounts, gap_counts, gaps};
use app::rota::{DayEdit, pattern_code};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate, Weekday};
use domain::rota::{Session, weekday_name};
use domain::words;

/// One requirement in a cell: "GP: needed 2 (ideal 3), booked 1, gap 1".
pub(crate) struct NeedView {
    pub text: String,
    /// "Who could cover this", for a gap and a manager who may change the rota.
    pub href: String,
    /// Words for the link, for screen readers ("GP, Tuesday AM at Riverside").
    pub what: String,
}

pub(crate) struct CellView {
    /// `min`, `ideal`, `met` or `none` (no cover asked then): the colour.
    pub state: &'static str,
    /// The level in words, always shown beside the colour.
    pub tag: String,
    pub needs: Vec<NeedView>,
}

pub(crate) struct CoverRowView {
    pub site: String,
    pub session: &'static str,
    pub cells: Vec<CellView>,
}

pub(crate) struct GapView {
    pub message: String,
    pub href: String,
}

pub(crate) struct WeekLink {
    pub label: String,
    pub href: String,
    pub current: bool,
}

/// The rota page's cover view and gaps list.
pub(crate) struct CoverSection {
    pub week_label: String,
    pub weeks: Vec<WeekLink>,
    pub days: Vec<String>,
    pub rows: Vec<CoverRowView>,
    pub below_minimum: Vec<GapView>,
    pub below_ideal: Vec<GapView>,
    /// "12 sessions below the minimum", "62 below the ideal".
    pub minimum_title: String,
    pub ideal_title: String,
    pub counts: GapCounts,
}

impl CoverSection {
    pub fn gap_total(&self) -> u32 {
        self.counts.below_minimum + self.counts.below_ideal
    }
}

fn week_monday(detail: &RotaDetail, week: u32) -> NaiveDate {
    detail.period.from + chrono::Days::new(u64::from((week - 1) * 7))
}

/// The address of "who could cover" one line.
fn who_href(id: &str, line: &CoverLine, week: u32) -> String {
    let query = [
        ("site", line.site_id.clone()),
        ("date", line.date.to_string()),
        ("session", line.session.code().to_string()),
        ("need", line.need.code()),
        ("week", week.to_string()),
    ];
    format!(
        "/rotas/{id}/cover?{}",
        serde_urlencoded::to_string(query).unwrap_or_default()
    )
}

fn week_of(detail: &RotaDetail, date: NaiveDate) -> u32 {
    ((date - detail.period.from).num_days() / 7 + 1) as u32
}

fn need_text(line: &CoverLine) -> String {
    let needed = if line.ideal > line.minimum {
        format!("needed {} (ideal {})", line.minimum, line.ideal)
    } else {
        format!("needed {}", line.minimum)
    };
    let gap = match line.level() {
        CoverLevel::BelowMinimum => format!(", gap {} below the minimum", line.short()),
        CoverLevel::BelowIdeal => format!(", {} below the ideal", line.short()),
        CoverLevel::Met => String::new(),
    };
    format!(
        "{}: {needed}, booked {}{gap}",
        line.need.label(),
        line.booked
    )
}

/// One cell of the cover grid: the worst level of the cover asked at a site, session and
/// date, and each need with its "who could cover" link when `links`.
fn cover_cell(
    lines: &[&CoverLine],
    site_id: &str,
    session: Session,
    date: NaiveDate,
    links: bool,
    id: &str,
    week: u32,
) -> CellView {
    let here: Vec<&&CoverLine> = lines
        .iter()
        .filter(|l| l.site_id == site_id && l.session == session && l.date == date)
        .collect();
    let worst = here.iter().map(|l| l.level()).min();
    let (state, tag) = match worst {
        None => ("none", "No cover asked".to_string()),
        Some(CoverLevel::BelowMinimum) => ("min", "Below minimum".to_string()),
        Some(CoverLevel::BelowIdeal) => ("ideal", "Below ideal".to_string()),
        Some(CoverLevel::Met) => ("met", "Covered".to_string()),
    };
    CellView {
        state,
        tag,
        needs: here
            .iter()
            .map(|l| NeedView {
                text: need_text(l),
                href: if links && l.level() != CoverLevel::Met {
                    who_href(id, l, week)
                } else {
                    String::new()
                },
                what: format!("{}, {}", l.need.label(), l.place()),
            })
            .collect(),
    }
}

/// The cover view of `week` (1-based) and every gap of the rota, narrowed to `site` (an id)
/// when one is chosen. Links to "who could cover" only when `links` (the rota's managers).
pub(crate) fn section(
    detail: &RotaDetail,
    lines: &[CoverLine],
    week: u32,
    site: &str,
    links: bool,
) -> CoverSection {
    let id = &detail.row.id;
    let lines: Vec<&CoverLine> = lines
        .iter()
        .filter(|l| site.is_empty() || l.site_id == site)
        .collect();
    let monday = week_monday(detail, week);
    let mut dates: Vec<NaiveDate> = (0..5).map(|i| monday + chrono::Days::new(i)).collect();
    let saturday = monday + chrono::Days::new(5);
    if lines.iter().any(|l| l.date.weekday() == Weekday::Sat) {
        dates.push(saturday);
    }
    let mut rows = Vec::new();
    for s in detail
        .sites
        .iter()
        .filter(|s| site.is_empty() || s.id == site)
    {
        for session in Session::ALL {
            if !lines
                .iter()
                .any(|l| l.site_id == s.id && l.session == session)
            {
                continue;
            }
            let cells = dates
                .iter()
                .map(|d| cover_cell(&lines, &s.id, session, *d, links, id, week))
                .collect();
            rows.push(CoverRowView {
                site: s.name.clone(),
                session: session.label(),
                cells,
            });
        }
    }
    let owned: Vec<CoverLine> = lines.iter().map(|l| (*l).clone()).collect();
    let counts = gap_counts(&owned);
    let view = |l: &CoverLine| GapView {
        message: l.message().unwrap_or_default(),
        href: if links {
            who_href(id, l, week_of(detail, l.date))
        } else {
            String::new()
        },
    };
    let all = gaps(&owned);
    CoverSection {
        week_label: format!("Week {week}, from {}", long_date(monday)),
        weeks: (1..=detail.period.weeks)
            .map(|w| WeekLink {
                label: format!("Week {w}, from {}", long_date(week_monday(detail, w))),
                href: {
                    let mut query = vec![("week", w.to_string())];
                    if !site.is_empty() {
                        query.push(("site", site.to_string()));
                    }
                    format!(
                        "/rotas/{id}?{}#cover",
                        serde_urlencoded::to_string(query).unwrap_or_default()
                    )
                },
                current: w == week,
            })
            .collect(),
        days: dates
            .iter()
            .map(|d| format!("{} {}", weekday_name(d.weekday()), d.format("%-d %b")))
            .collect(),
        rows,
        below_minimum: all
            .iter()
            .filter(|l| l.level() == CoverLevel::BelowMinimum)
            .map(|l| view(l))
            .collect(),
        below_ideal: all
            .iter()
            .filter(|l| l.level() == CoverLevel::BelowIdeal)
            .map(|l| view(l))
            .collect(),
        minimum_title: format!(
            "{} below the minimum",
            words::count(counts.below_minimum, "session", "sessions")
        ),
        ideal_title: format!(
            "{} below the ideal",
            words::count(counts.below_ideal, "session", "sessions")
        ),
        counts,
    }
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct GapQuery {
    #[serde(default)]
    site: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    session: String,
    #[serde(default)]
    need: String,
    #[serde(default)]
    week: String,
}

pub(crate) struct OfferView {
    pub staff_id: String,
    pub name: String,
    pub role: String,
    pub now: String,
    pub pattern: String,
    pub pattern_code: &'static str,
    pub contract: String,
    pub notes: Vec<String>,
}

/// Someone the rules bar from the session; the reason names them.
pub(crate) struct BarredView {
    pub reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "rota_cover_who.html")]
pub(crate) struct CoverPage {
    ctx: PageCtx,
    id: String,
    version: i64,
    back: String,
    place: String,
    gap: String,
    need: String,
    need_code: String,
    site_id: String,
    date: String,
    session: String,
    week: String,
    offers: Vec<OfferView>,
    barred: Vec<BarredView>,
    barred_title: String,
    elsewhere: String,
    /// Why the booking was not made, when it was refused.
    refused: Vec<String>,
    error: String,
}

fn sessions_text(halves: u32) -> String {
    if halves.is_multiple_of(2) {
        format!("{}", halves / 2)
    } else {
        format!("{}.5", halves / 2)
    }
}

/// `GET /rotas/{id}/cover?site=&date=&session=&need=`: who could cover one gap.
pub(crate) async fn cover_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    Query(q): Query<GapQuery>,
) -> Result<Response, WebError> {
    render(&state, &user, token, id, &q, Vec::new(), String::new()).await
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    id: String,
    q: &GapQuery,
    refused: Vec<String>,
    error: String,
) -> Result<Response, WebError> {
    let found = state
        .app
        .rota()
        .rota_cover_choice(&user.actor, &id, &q.site, &q.date, &q.session, &q.need)
        .await?;
    let line = &found.line;
    let week = if q.week.trim().is_empty() {
        week_of(&found.detail, line.date).to_string()
    } else {
        q.week.trim().to_string()
    };
    let choice = &found.choice;
    let status = if refused.is_empty() && error.is_empty() {
        StatusCode::OK
    } else if error.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::CONFLICT
    };
    let page = CoverPage {
        ctx: page_ctx(&user.actor, &token, "/rotas"),
        version: found.detail.row.version,
        back: format!(
            "/rotas/{id}?{}#cover",
            serde_urlencoded::to_string([("week", week.as_str())]).unwrap_or_default()
        ),
        place: line.place(),
        gap: line
            .message()
            .unwrap_or_else(|| format!("{}: covered now", line.place())),
        need: line.need.label(),
        need_code: line.need.code(),
        site_id: line.site_id.clone(),
        date: line.date.to_string(),
        session: line.session.code().to_string(),
        week,
        offers: choice
            .offers
            .iter()
            .map(|o| OfferView {
                staff_id: o.staff_id.clone(),
                name: o.name.clone(),
                role: o.role.label().to_string(),
                now: o.now.map_or_else(
                    || "Not working".to_string(),
                    |p| format!("{} here", p.label()),
                ),
                pattern: format!("{} at {}", o.pattern.label(), line.site_name),
                pattern_code: pattern_code(o.pattern),
                contract: format!(
                    "{} of {} booked",
                    sessions_text(o.booked_halves),
                    sessions_text(o.contract_halves)
                ),
                notes: o.notes.clone(),
            })
            .collect(),
        barred: choice
            .barred
            .iter()
            .map(|b| BarredView {
                reason: b.reason.clone(),
            })
            .collect(),
        barred_title: format!(
            "{} not offered: a hard rule bars them",
            words::count(choice.barred.len() as u64, "person", "people")
        ),
        elsewhere: if choice.elsewhere == 0 {
            String::new()
        } else {
            format!(
                "{} who count towards this cover {} not work at {}, so {} not listed.",
                words::people(choice.elsewhere),
                words::noun(choice.elsewhere == 1, "does", "do"),
                line.site_name,
                words::noun(choice.elsewhere == 1, "is", "are"),
            )
        },
        refused,
        error,
        id,
    };
    Ok((status, token, page).into_response())
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct BookForm {
    #[serde(default)]
    staff_id: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    session: String,
    #[serde(default)]
    site_id: String,
    #[serde(default)]
    need: String,
    #[serde(default)]
    pattern: String,
    #[serde(default)]
    week: String,
    #[serde(default)]
    version: String,
}

/// `POST /rotas/{id}/cover/book`: books someone offered into the gap's session, as an edit
/// of their day (every rule checked again, no override) locked so a new solve keeps it.
pub(crate) async fn book(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<BookForm>,
) -> Result<Response, WebError> {
    state.app.rota().may_change_rota(&user.actor, &id).await?;
    let edit = DayEdit {
        staff_id: form.staff_id.clone(),
        date: form.date.clone(),
        pattern: form.pattern.clone(),
        site_id: form.site_id.clone(),
        lock: true,
        override_rules: false,
        version: crate::pages::rota::form_version(&form.version),
    };
    let query = GapQuery {
        site: form.site_id.clone(),
        date: form.date.clone(),
        session: form.session.clone(),
        need: form.need.clone(),
        week: form.week.clone(),
    };
    match state
        .app
        .rota()
        .edit_rota_day(&user.actor, &id, &edit)
        .await
    {
        Ok(outcome) if outcome.saved => {
            let week = if form.week.trim().is_empty() {
                "1"
            } else {
                form.week.trim()
            };
            let query = serde_urlencoded::to_string([("week", week), ("done", "cover-booked")])
                .unwrap_or_default();
            Ok(Redirect::to(&format!("/rotas/{id}?{query}#cover")).into_response())
        }
        Ok(outcome) => {
            let refused = outcome
                .new_problems
                .into_iter()
                .map(|p| p.message)
                .collect();
            render(&state, &user, token, id, &query, refused, String::new()).await
        }
        Err(AppError::Conflict(message)) => {
            render(&state, &user, token, id, &query, Vec::new(), message).await
        }
        Err(e) => Err(e.into()),
    }
}
