//! What a rota is built from, as a manager sets it: the cover template of a practice or the
//! PCN (per site: the sessions it runs and their times, minimum and ideal people per need in
//! each weekday session, and what demand suggests beside it), and one person's rota rules.
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use crate::pages::{Done, FieldView, FormView, long_date, number, page_ctx};
use app::AppError;
use app::rota::RotaScope;
use app::rota::setup::{CoverTemplate, SiteSessionForm, TemplateSite, check_cover};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Weekday;
use domain::FieldErrors;
use domain::account::UserRole;
use domain::role::{Role, StaffGroup};
use domain::rota::{
    CoverForm, CoverNeed, ROTA_WEEKDAYS, RotaRulesForm, Session, SessionRequestForm, weekday_code,
    weekday_name,
};
use std::collections::{BTreeMap, BTreeSet};

mod rules;
mod saving;

pub(crate) use rules::*;
pub(crate) use saving::*;

// ---------------------------------------------------------------- the cover page

/// One input of the grid.
pub(crate) struct CellView {
    /// The input's `name` (unique within its site's form).
    pub name: String,
    /// The input's `id` (unique on the page).
    pub id: String,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
}

pub(crate) struct GridRow {
    pub label: String,
    /// Whether the session is closed at the site (cover in it is ignored).
    pub closed: bool,
    /// Minimum then ideal, for each need column in turn.
    pub cells: Vec<CellView>,
    /// What demand suggests for this row, in words (weekday AM and PM only).
    pub suggested: String,
}

pub(crate) struct SessionView {
    pub session: &'static str,
    pub label: &'static str,
    pub starts: String,
    pub ends: String,
    pub state: &'static str,
    pub runs: bool,
    /// Whether the form's choice starts at "Open".
    pub open: bool,
    /// The id prefix of this row's inputs.
    pub id: String,
    pub error: Option<String>,
}

pub(crate) struct SiteView {
    pub id: String,
    /// `site1`, `site2`… for anchors and input ids.
    pub anchor: String,
    pub name: String,
    pub practice_ods: String,
    pub sessions: Vec<SessionView>,
    /// (code, label) of each need column.
    pub needs: Vec<(String, String)>,
    pub rows: Vec<GridRow>,
    /// What demand suggests for the site's practice, in words (empty: no forecast).
    pub suggestion: Vec<String>,
    /// The needs suggested, in words (`GPs`, `nurses`), for the button's hint.
    pub suggestion_needs: Vec<String>,
    pub suggestion_basis: String,
    /// Other sites of the same practice (the suggestion is for them together).
    pub shared_with: usize,
}

pub(crate) struct NeedChoice {
    pub value: String,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "rota_cover.html")]
pub(crate) struct CoverPage {
    ctx: PageCtx,
    title: String,
    back: String,
    sites: Vec<SiteView>,
    form: FormView,
    notice: Option<String>,
    need_choices: Vec<NeedChoice>,
}

/// A need column added to one site's grid by the "add a need" form.
#[derive(serde::Deserialize, Default)]
pub(crate) struct AddNeed {
    #[serde(default)]
    site: String,
    #[serde(default)]
    need: String,
    #[serde(default)]
    skill: String,
    #[serde(default)]
    done: String,
}

/// The grid's rows: weekday AM, PM and evening, then Saturday.
fn grid_slots() -> Vec<(Weekday, Session)> {
    let mut slots = Vec::new();
    for day in ROTA_WEEKDAYS {
        for session in Session::ALL {
            if session.on(day) {
                slots.push((day, session));
            }
        }
    }
    slots
}

fn slot_label(day: Weekday, session: Session) -> String {
    if session == Session::Saturday {
        weekday_name(day).to_string()
    } else {
        format!("{} {}", weekday_name(day), session.label())
    }
}

fn cell_name(kind: &str, day: Weekday, session: Session, need: usize) -> String {
    format!("{kind}_{}_{}_{need}", weekday_code(day), session.code())
}

/// What the last post to one site carried back to the page: its typed values and
/// problems, by input name.
#[derive(Default)]
struct Posted {
    site_id: String,
    values: BTreeMap<String, String>,
    needs: Vec<String>,
    errors: BTreeMap<String, String>,
}

fn session_notice(done: &str) -> Option<String> {
    match done {
        "cover" => Some("The cover template is saved. The next rota made uses it.".into()),
        "session" => Some("The session is saved.".into()),
        "suggested" => Some(
            "The suggested cover is now the site's weekday morning and afternoon cover for the staff groups suggested; the rest of its cover is as it was. Check it below: the next rota made uses it."
                .into(),
        ),
        _ => None,
    }
}

fn scope_title(scope: &RotaScope) -> String {
    match scope {
        RotaScope::Practice(ods) => format!("Cover template: practice {ods}"),
        RotaScope::Pcn(code) => format!("Cover template: PCN {code}"),
    }
}

fn scope_path(scope: &RotaScope) -> String {
    match scope {
        RotaScope::Practice(ods) => format!("/practices/{ods}/rota/cover"),
        RotaScope::Pcn(code) => format!("/pcns/{code}/rota/cover"),
    }
}

/// The page a form came from (`back`), if it is a cover page; else the actor's own.
fn scope_from_back(back: &str, user: &CurrentUser) -> RotaScope {
    let parts: Vec<&str> = back.trim_matches('/').split('/').collect();
    let code = |c: &str| !c.is_empty() && c.chars().all(|ch| ch.is_ascii_alphanumeric());
    match parts.as_slice() {
        ["practices", ods, "rota", "cover"] if code(ods) => RotaScope::Practice(ods.to_string()),
        ["pcns", pcn, "rota", "cover"] if code(pcn) => RotaScope::Pcn(pcn.to_string()),
        _ => match user.actor.role {
            UserRole::PcnManager => RotaScope::Pcn(user.actor.org.clone()),
            _ => RotaScope::Practice(user.actor.org.clone()),
        },
    }
}

fn need_choices() -> Vec<NeedChoice> {
    StaffGroup::ALL
        .iter()
        .map(|g| CoverNeed::Group(*g))
        .chain(Role::ALL.iter().map(|r| CoverNeed::Role(*r)))
        .map(|n| NeedChoice {
            value: n.code(),
            label: match &n {
                CoverNeed::Group(g) => format!("Staff group: {}", g.label()),
                other => format!("Role: {}", other.label()),
            },
        })
        .collect()
}

fn site_view(
    template: &CoverTemplate,
    index: usize,
    site: &TemplateSite,
    posted: Option<&Posted>,
    added: Option<&CoverNeed>,
) -> SiteView {
    let anchor = format!("site{}", index + 1);
    let needs = column_needs(site, posted, added);
    let suggestion = template
        .suggested
        .iter()
        .find(|s| s.ods == site.practice_ods);
    let suggested_row: String = suggestion
        .map(|s| {
            s.cover
                .iter()
                .map(|c| format!("{} {}", c.need.label(), c.people))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let rows = cover_rows(site, &needs, posted, &anchor, &suggested_row);
    let sessions = session_views(site, posted, &anchor);
    let shared_with = template
        .sites
        .iter()
        .filter(|s| s.practice_ods == site.practice_ods && s.id != site.id)
        .count();
    SiteView {
        id: site.id.clone(),
        anchor,
        name: site.name.clone(),
        practice_ods: site.practice_ods.clone(),
        sessions,
        needs: needs.iter().map(|n| (n.code(), n.label())).collect(),
        rows,
        suggestion: suggestion.map(suggestion_lines).unwrap_or_default(),
        suggestion_needs: suggestion
            .map(|s| s.cover.iter().map(|c| c.need.label()).collect())
            .unwrap_or_default(),
        suggestion_basis: suggestion.map(suggestion_basis).unwrap_or_default(),
        shared_with,
    }
}

/// The grid's columns: the site's needs, GPs and nurses always, one just added and those a
/// posted form had (in its own order, so its input names still match).
fn column_needs(
    site: &TemplateSite,
    posted: Option<&Posted>,
    added: Option<&CoverNeed>,
) -> Vec<CoverNeed> {
    let mut needs: BTreeSet<CoverNeed> = site.cover.iter().map(|c| c.need.clone()).collect();
    needs.insert(CoverNeed::Group(StaffGroup::Gp));
    needs.insert(CoverNeed::Group(StaffGroup::Nurses));
    needs.extend(added.cloned());
    if let Some(p) = posted {
        needs.extend(p.needs.iter().filter_map(|n| CoverNeed::parse(n).ok()));
    }
    // A posted form keeps its own column order, so its input names still match.
    match posted {
        Some(p) => {
            let mut order: Vec<CoverNeed> = p
                .needs
                .iter()
                .filter_map(|n| CoverNeed::parse(n).ok())
                .collect();
            let rest: Vec<CoverNeed> = needs.into_iter().filter(|n| !order.contains(n)).collect();
            order.extend(rest);
            order
        }
        None => needs.into_iter().collect(),
    }
}

/// A row per weekday session, a minimum and an ideal input per need: the posted value, else
/// the stored one.
fn cover_rows(
    site: &TemplateSite,
    needs: &[CoverNeed],
    posted: Option<&Posted>,
    anchor: &str,
    suggested_row: &str,
) -> Vec<GridRow> {
    grid_slots()
        .into_iter()
        .map(|(day, session)| {
            let label = slot_label(day, session);
            let closed = !site
                .sessions
                .iter()
                .any(|s| s.session == session && s.state != app::rota::setup::SessionState::Closed);
            let cells = needs
                .iter()
                .enumerate()
                .flat_map(|(k, need)| {
                    let stored = site
                        .cover
                        .iter()
                        .find(|c| c.weekday == day && c.session == session && &c.need == need);
                    let cell = |kind: &str, what: &str, stored: Option<u32>| {
                        let name = cell_name(kind, day, session, k);
                        let value = match posted {
                            Some(p) => p.values.get(&name).cloned().unwrap_or_default(),
                            None => stored.map(|v| v.to_string()).unwrap_or_default(),
                        };
                        CellView {
                            id: format!("{anchor}-{name}"),
                            label: format!("{label}, {} {what}", need.label()),
                            error: posted.and_then(|p| p.errors.get(&name).cloned()),
                            name,
                            value,
                        }
                    };
                    [
                        cell("min", "minimum", stored.map(|c| c.minimum)),
                        cell("ideal", "ideal", stored.map(|c| c.ideal)),
                    ]
                })
                .collect();
            GridRow {
                label,
                closed,
                cells,
                suggested: if matches!(session, Session::Am | Session::Pm) {
                    suggested_row.to_string()
                } else {
                    String::new()
                },
            }
        })
        .collect()
}

/// The site's sessions with their times and whether they run.
fn session_views(site: &TemplateSite, posted: Option<&Posted>, anchor: &str) -> Vec<SessionView> {
    site.sessions
        .iter()
        .map(|s| {
            let id = format!("{anchor}-{}", s.session.code());
            let error = posted.and_then(|p| {
                p.errors
                    .get(&format!("session-{}", s.session.code()))
                    .cloned()
            });
            SessionView {
                session: s.session.code(),
                label: s.session.label(),
                starts: s.times.starts.format("%H:%M").to_string(),
                ends: s.times.ends.format("%H:%M").to_string(),
                state: s.state.label(),
                runs: s.state.runs(),
                open: s.state.runs(),
                id,
                error,
            }
        })
        .collect()
}

/// The demand suggestion in words, a line per need.
fn suggestion_lines(s: &app::rota::setup::PracticeSuggestion) -> Vec<String> {
    s.cover
        .iter()
        .map(|c| {
            let of = if c.share < 1.0 {
                format!(
                    "{} of the {} forecast {} appointments a session, by the group's share of the sessions the team works",
                    number((c.appointments * 10.0).round() / 10.0),
                    number((c.hcp_appointments * 10.0).round() / 10.0),
                    c.hcp_type,
                )
            } else {
                format!(
                    "{} forecast {} appointments a session",
                    number((c.appointments * 10.0).round() / 10.0),
                    c.hcp_type,
                )
            };
            format!(
                "{}: {} a weekday session (about {of}, {} each)",
                c.need.label(),
                c.people,
                number(c.per_person)
            )
        })
        .collect()
}

/// What the suggestion is based on, or why there is none.
fn suggestion_basis(s: &app::rota::setup::PracticeSuggestion) -> String {
    match s.from {
        Some(from) => format!(
            "{}: the average of the {} forecast weeks from {}, each spread over its weekday sessions (10 in a week without a bank holiday).",
            s.title,
            app::rota::setup::SUGGESTION_WEEKS,
            long_date(from)
        ),
        None => format!(
            "{} has no demand forecast: import GPAD appointments for its area to see a suggestion.",
            s.title
        ),
    }
}

async fn render_cover(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    scope: RotaScope,
    posted: Option<Posted>,
    add: AddNeed,
) -> Result<Response, WebError> {
    let template = state.app.rota().cover_template(&user.actor, &scope).await?;
    let added = if !add.skill.trim().is_empty() {
        CoverNeed::parse(&format!("skill:{}", add.skill)).ok()
    } else {
        CoverNeed::parse(&add.need).ok()
    };
    let mut summary = Vec::new();
    let sites: Vec<SiteView> = template
        .sites
        .iter()
        .enumerate()
        .map(|(i, site)| {
            let mine = posted.as_ref().filter(|p| p.site_id == site.id);
            let view = site_view(
                &template,
                i,
                site,
                mine,
                added.as_ref().filter(|_| add.site == site.id),
            );
            if let Some(p) = mine {
                for c in view.rows.iter().flat_map(|r| &r.cells) {
                    if let Some(e) = &c.error {
                        summary.push((c.id.clone(), e.clone()));
                    }
                }
                for s in &view.sessions {
                    if let Some(e) = &s.error {
                        summary.push((format!("{}-open", s.id), e.clone()));
                    }
                }
                if let Some(e) = p.errors.get("") {
                    summary.push((String::new(), e.clone()));
                }
            }
            view
        })
        .collect();
    let status = if summary.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let path = scope_path(&scope);
    let page = CoverPage {
        ctx: page_ctx(&user.actor, &token, &path),
        title: scope_title(&scope),
        back: path,
        sites,
        form: FormView {
            fields: Vec::new(),
            errors: summary,
        },
        notice: session_notice(&add.done),
        need_choices: need_choices(),
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn practice_cover(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
    Query(add): Query<AddNeed>,
) -> Result<Response, WebError> {
    render_cover(&state, &user, token, RotaScope::Practice(ods), None, add).await
}

pub(crate) async fn pcn_cover(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
    Query(add): Query<AddNeed>,
) -> Result<Response, WebError> {
    render_cover(&state, &user, token, RotaScope::Pcn(code), None, add).await
}
