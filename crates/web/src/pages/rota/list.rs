//! The rotas list and the form that asks for a rota.
use super::*;

pub(crate) struct RotaListRow {
    pub id: String,
    pub scope: String,
    pub period: String,
    pub status: String,
    pub hard: String,
    pub published: bool,
    /// A PCN rota a practice manager reads for their practice.
    pub read_only: bool,
    /// Changed since publishing: the problems still true (`app::rota::stale`).
    pub stale: Vec<String>,
}

pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "rotas.html")]
pub(crate) struct RotasPage {
    ctx: PageCtx,
    rows: Vec<RotaListRow>,
    scopes: Vec<Choice>,
    from: String,
    weeks: String,
    time_limit: String,
    form: FormView,
    cover_link: String,
    /// Swap, cover and session-off requests waiting for the actor's decision.
    requests_waiting: usize,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct RotaRequestForm {
    #[serde(default)]
    scope: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    weeks: String,
    #[serde(default)]
    time_limit: String,
}

pub(super) fn status_label(status: &str) -> &'static str {
    match status {
        "queued" => "Waiting to start",
        "running" => "Being solved",
        "done" => "Ready",
        "failed" => "Failed",
        "cancelled" => "Stopped early",
        _ => "Unknown",
    }
}

/// The practice or PCN a rota covers, by name when the actor can see it.
pub(super) fn scope_label(
    kind: &str,
    code: &str,
    names: &std::collections::BTreeMap<String, String>,
) -> String {
    match names.get(code) {
        Some(name) => name.clone(),
        None if kind == "pcn" => format!("PCN {code}"),
        None => format!("Practice {code}"),
    }
}

fn next_monday(today: NaiveDate) -> NaiveDate {
    today + chrono::Days::new(u64::from(7 - today.weekday().num_days_from_monday()))
}

async fn scope_choices(state: &AppState, user: &CurrentUser, selected: &str) -> Vec<Choice> {
    let actor = &user.actor;
    let mut choices = Vec::new();
    match actor.role {
        UserRole::PracticeManager => {
            choices.push((actor.org.clone(), format!("Practice {}", actor.org)))
        }
        UserRole::PcnManager => {
            choices.push((
                format!("pcn:{}", actor.org),
                format!("The whole PCN ({})", actor.org),
            ));
            if let Ok(practices) = state.app.organisations().visible_practices(actor).await {
                for p in practices {
                    choices.push((p.ods_code.clone(), format!("{} ({})", p.name, p.ods_code)));
                }
            }
        }
        _ => {}
    }
    choices
        .into_iter()
        .map(|(value, label)| Choice {
            selected: value == selected,
            value,
            label,
        })
        .collect()
}

async fn render_list(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    form: RotaRequestForm,
    errors: Option<FieldErrors>,
) -> Result<Response, WebError> {
    let names = state
        .app
        .organisations()
        .organisation_names(&user.actor)
        .await?;
    let rotas = state.app.rota().rotas(&user.actor).await?;
    let marks = state
        .app
        .rota()
        .stale_summaries(&user.actor, &rotas)
        .await?;
    let rows = rotas
        .into_iter()
        .map(|r| {
            let stale = marks.iter().find(|m| m.rota_id == r.id);
            let from = NaiveDate::parse_from_str(&r.starts_on, "%Y-%m-%d").ok();
            RotaListRow {
                scope: scope_label(&r.scope_kind, &r.scope_code, &names),
                period: match from {
                    Some(d) => format!(
                        "{} from {}",
                        domain::words::plural(r.weeks, "week", "weeks"),
                        long_date(d)
                    ),
                    None => r.starts_on.clone(),
                },
                status: status_label(&r.status).to_string(),
                hard: r.hard_violations.map(|h| h.to_string()).unwrap_or_default(),
                published: r.published_at.is_some(),
                read_only: user.actor.role == UserRole::PracticeManager && r.scope_kind == "pcn",
                stale: stale.map_or_else(Vec::new, |m| {
                    m.problems.iter().map(|p| p.message.clone()).collect()
                }),
                id: r.id,
            }
        })
        .collect();
    let status = if errors.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut view = FormView::default();
    if let Some(errors) = &errors {
        view.errors = errors
            .0
            .iter()
            .map(|e| (e.field.to_string(), e.message.clone()))
            .collect();
    }
    let cover_link = match user.actor.role {
        UserRole::PcnManager => format!("/pcns/{}/rota/cover", user.actor.org),
        _ => format!("/practices/{}/rota/cover", user.actor.org),
    };
    let page = RotasPage {
        ctx: page_ctx(&user.actor, &token, "/rotas"),
        rows,
        scopes: scope_choices(state, user, &form.scope).await,
        from: if form.from.is_empty() {
            next_monday(state.app.today()).to_string()
        } else {
            form.from
        },
        weeks: if form.weeks.is_empty() {
            "4".into()
        } else {
            form.weeks
        },
        time_limit: if form.time_limit.is_empty() {
            app::rota::DEFAULT_TIME_LIMIT.to_string()
        } else {
            form.time_limit
        },
        form: view,
        cover_link,
        requests_waiting: state
            .app
            .rota()
            .requests_to_decide(&user.actor)
            .await?
            .len(),
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn rotas_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
) -> Result<Response, WebError> {
    render_list(&state, &user, token, RotaRequestForm::default(), None).await
}

pub(crate) async fn rota_request(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    CsrfForm(form): CsrfForm<RotaRequestForm>,
) -> Result<Response, WebError> {
    let scope = match form.scope.strip_prefix("pcn:") {
        Some(code) => RotaScope::Pcn(code.to_string()),
        None => RotaScope::Practice(form.scope.clone()),
    };
    let mut errors = match RotaPeriod::parse(&form.from, &form.weeks) {
        Ok(_) => FieldErrors::default(),
        Err(e) => e,
    };
    let limit = match form.time_limit.trim().parse::<u32>() {
        Ok(n) if (1..=app::rota::MAX_TIME_LIMIT).contains(&n) => Some(n),
        _ => {
            errors.push(domain::FieldError::new(
                "time_limit",
                format!(
                    "Enter a time limit from 1 to {} seconds",
                    app::rota::MAX_TIME_LIMIT
                ),
            ));
            None
        }
    };
    if !errors.is_empty() {
        return render_list(&state, &user, token, form, Some(errors)).await;
    }
    let period = RotaPeriod::parse(&form.from, &form.weeks).expect("checked");
    match state
        .app
        .rota()
        .request_rota(&user.actor, scope, period, limit)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/rotas/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            render_list(&state, &user, token, form, Some(errors)).await
        }
        Err(e) => Err(e.into()),
    }
}
