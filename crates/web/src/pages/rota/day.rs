//! A day's edit form: one person's sessions, site and room on one day, and its lock.
use super::*;

#[derive(Template, WebTemplate)]
#[template(path = "rota_day.html")]
pub(crate) struct DayPage {
    ctx: PageCtx,
    id: String,
    staff_id: String,
    date: String,
    person: String,
    day_label: String,
    current: String,
    patterns: Vec<Choice>,
    sites: Vec<Choice>,
    locked: bool,
    refused: Vec<String>,
    form: FormView,
    /// The rota's version this form is for.
    version: i64,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct DayQuery {
    #[serde(default)]
    staff: String,
    #[serde(default)]
    date: String,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct DayForm {
    #[serde(default)]
    staff_id: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    pattern: String,
    #[serde(default)]
    site_id: String,
    #[serde(default)]
    lock: Option<String>,
    #[serde(default)]
    override_rules: Option<String>,
    /// The rota's version the form was shown.
    #[serde(default)]
    version: String,
}

/// The version a form says it was shown; a form without one is treated as stale.
pub(crate) fn form_version(text: &str) -> i64 {
    text.trim().parse().unwrap_or(-1)
}

/// Why a day's form is shown again.
enum DayAgain {
    /// Freshly opened.
    Open,
    /// The edit breaks these hard rules: the form keeps the version it was checked at, so
    /// an override is refused if the rota has changed since.
    Refused(Vec<String>),
    Invalid(FieldErrors),
    /// The rota changed since the form was opened: shown again as it is now.
    Stale(String),
}

async fn render_day(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    id: &str,
    form: &DayForm,
    again: DayAgain,
) -> Result<Response, WebError> {
    let detail = state.app.rota().detail(&user.actor, id).await?;
    if form.staff_id.is_empty() || form.date.is_empty() {
        // No day chosen: the grid is where a day is picked.
        return Ok(Redirect::to(&format!("/rotas/{id}#grid")).into_response());
    }
    let person = detail
        .people
        .iter()
        .find(|p| p.id == form.staff_id)
        .ok_or(WebError::Page(AppError::NotFound))?;
    let date = NaiveDate::parse_from_str(&form.date, "%Y-%m-%d")
        .ok()
        .filter(|d| detail.period.days().any(|x| x == *d))
        .ok_or(WebError::Page(AppError::NotFound))?;
    let held: Vec<&app::rota::Assignment> = detail
        .assignments
        .iter()
        .filter(|a| a.staff_id == person.id && a.date == date)
        .collect();
    let (text, room) = day_text(&detail, &held);
    let current_pattern = DayPattern::of(&held.iter().map(|a| a.session).collect::<Vec<_>>())
        .map_or("off", pattern_code);
    let chosen_pattern = if form.pattern.is_empty() {
        current_pattern
    } else {
        form.pattern.as_str()
    };
    let chosen_site = if form.site_id.is_empty() {
        held.first().map_or_else(
            || person.site_ids.first().cloned().unwrap_or_default(),
            |a| a.site_id.clone(),
        )
    } else {
        form.site_id.clone()
    };
    let mut patterns = vec![Choice {
        value: "off".into(),
        label: "Not working".into(),
        selected: chosen_pattern == "off",
    }];
    patterns.extend(DayPattern::ALL.into_iter().map(|p| Choice {
        value: pattern_code(p).into(),
        label: p.label().into(),
        selected: chosen_pattern == pattern_code(p),
    }));
    let mut view = FormView::default();
    let mut refused = Vec::new();
    let mut version = detail.row.version;
    let status = match again {
        DayAgain::Open => StatusCode::OK,
        DayAgain::Invalid(errors) => {
            view.errors = errors
                .0
                .iter()
                .map(|e| (e.field.to_string(), e.message.clone()))
                .collect();
            StatusCode::UNPROCESSABLE_ENTITY
        }
        DayAgain::Refused(problems) => {
            view.errors.push((
                "override_rules".into(),
                "This change breaks a rule (listed below): change it, or tick the override to save it anyway".into(),
            ));
            refused = problems;
            version = form_version(&form.version);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        DayAgain::Stale(message) => {
            view.errors.push((String::new(), message));
            StatusCode::CONFLICT
        }
    };
    let page = DayPage {
        ctx: page_ctx(&user.actor, &token, "/rotas"),
        id: id.to_string(),
        staff_id: person.id.clone(),
        date: date.to_string(),
        person: person.name.clone(),
        day_label: format!("{} {}", date.format("%A"), long_date(date)),
        current: if text.is_empty() {
            "Not working".into()
        } else if room.is_empty() {
            text
        } else {
            format!("{text}, {room}")
        },
        patterns,
        sites: detail
            .sites
            .iter()
            .filter(|s| person.site_ids.contains(&s.id) || s.id == chosen_site)
            .map(|s| Choice {
                value: s.id.clone(),
                label: s.name.clone(),
                selected: s.id == chosen_site,
            })
            .collect(),
        locked: form.lock.is_some()
            || detail
                .locked
                .iter()
                .any(|(s, d)| *s == person.id && *d == date),
        refused,
        form: view,
        version,
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn day_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    Query(q): Query<DayQuery>,
) -> Result<Response, WebError> {
    let form = DayForm {
        staff_id: q.staff,
        date: q.date,
        ..DayForm::default()
    };
    render_day(&state, &user, token, &id, &form, DayAgain::Open).await
}

pub(crate) async fn day_save(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DayForm>,
) -> Result<Response, WebError> {
    let edit = DayEdit {
        staff_id: form.staff_id.clone(),
        date: form.date.clone(),
        pattern: form.pattern.clone(),
        site_id: form.site_id.clone(),
        lock: form.lock.is_some(),
        override_rules: form.override_rules.is_some(),
        version: form_version(&form.version),
    };
    match state
        .app
        .rota()
        .edit_rota_day(&user.actor, &id, &edit)
        .await
    {
        Ok(outcome) if outcome.saved => {
            let done = if outcome.new_problems.is_empty() {
                "rota-edited"
            } else {
                "rota-overridden"
            };
            let week = NaiveDate::parse_from_str(&form.date, "%Y-%m-%d").ok();
            let detail_week = match week {
                Some(d) => {
                    let detail = state.app.rota().detail(&user.actor, &id).await?;
                    ((d - detail.period.from).num_days() / 7 + 1).to_string()
                }
                None => "1".into(),
            };
            Ok(
                Redirect::to(&format!("/rotas/{id}?week={detail_week}&done={done}#grid"))
                    .into_response(),
            )
        }
        Ok(outcome) => {
            let refused = outcome
                .new_problems
                .into_iter()
                .map(|p| p.message)
                .collect();
            render_day(&state, &user, token, &id, &form, DayAgain::Refused(refused)).await
        }
        Err(AppError::Invalid(errors)) => {
            render_day(&state, &user, token, &id, &form, DayAgain::Invalid(errors)).await
        }
        Err(AppError::Conflict(message)) if message == app::rota::STALE_ROTA => {
            render_day(&state, &user, token, &id, &form, DayAgain::Stale(message)).await
        }
        Err(e) => Err(e.into()),
    }
}
