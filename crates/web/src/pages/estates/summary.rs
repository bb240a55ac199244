//! The practice's and the PCN's estates summaries: sites, flags, unhoused and short posts.
use super::*;

// ---------------------------------------------------------------- practice and PCN summaries

pub(crate) struct SiteLine {
    pub id: String,
    pub name: String,
    pub practice: String,
    pub rooms: usize,
    pub total: UseCell,
    pub booked_percent: String,
    pub flagged: usize,
}

pub(crate) struct FlagLine {
    pub site: String,
    pub room: String,
    pub used: String,
}

pub(crate) struct UnhousedLine {
    pub post: String,
    pub site: String,
    pub session: String,
    pub kind: String,
    pub elsewhere: String,
}

pub(crate) struct ShortLine {
    pub site: String,
    pub session: String,
    pub kind: String,
    pub needed: u32,
    pub rooms: u32,
}

#[derive(Template, WebTemplate)]
#[template(path = "estates_summary.html")]
pub(crate) struct SummaryPage {
    ctx: PageCtx,
    title: String,
    org: String,
    base: String,
    pcn: bool,
    may_manage: bool,
    period: String,
    threshold: u32,
    total: UseCell,
    total_booked: String,
    sites: Vec<SiteLine>,
    flagged: Vec<FlagLine>,
    short_in_post: u32,
    short_planned: u32,
    planned: String,
    unhoused: Vec<UnhousedLine>,
    short: Vec<ShortLine>,
    form: FormView,
    threshold_form: FormView,
    done: String,
}

#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub(crate) struct SummaryQuery {
    from: String,
    to: String,
    role: String,
    wte: String,
    site: String,
    done: String,
}

/// The what-if post a summary's form asks about, if any.
fn planned_post(q: &SummaryQuery) -> Result<Vec<PlannedPost>, FieldErrors> {
    if q.role.trim().is_empty() && q.wte.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut errors = FieldErrors::default();
    let role = errors.take(Role::parse(&q.role));
    let wte = errors.take(q.wte.trim().parse::<f64>().map_err(|_| {
        FieldError::new(
            "wte",
            format!("Enter the WTE as a number like 0.6, not '{}'", q.wte.trim()),
        )
    }));
    errors.into_result()?;
    Ok(vec![PlannedPost {
        role: role.expect("checked"),
        wte: wte.expect("checked"),
        site_id: Some(q.site.trim().to_string()).filter(|s| !s.is_empty()),
    }])
}

fn summary_fields(q: &SummaryQuery, sites: &[(String, String)]) -> Vec<FieldView> {
    vec![
        FieldView::new("from", "From (YYYY-MM-DD)", "date", &q.from),
        FieldView::new("to", "To (YYYY-MM-DD)", "date", &q.to),
        FieldView::new("role", "What-if post: role", "select", &q.role)
            .options(Role::ALL.iter().map(|r| (r.code(), r.label()))),
        FieldView::new("wte", "What-if post: WTE", "text", &q.wte).width("nhsuk-input--width-4"),
        FieldView::new("site", "What-if post: site (optional)", "select", &q.site)
            .options(sites.iter().map(|(id, n)| (id.as_str(), n.as_str()))),
    ]
}

async fn summary(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    tenant: Tenant<'_>,
    q: SummaryQuery,
    threshold_errors: Option<FieldErrors>,
) -> Result<Response, WebError> {
    let period = PeriodForm {
        from: q.from.clone(),
        to: q.to.clone(),
    };
    let (pcn, code) = match tenant {
        Tenant::Pcn(c) => (true, c.to_string()),
        Tenant::Practice(c) => (false, c.to_string()),
    };
    // The actor's right first, then the fields (`estates_summary` checks it again).
    state
        .app
        .authorize(&user.actor, app::Permission::ViewAggregates, tenant)
        .await?;
    let mut errors = FieldErrors::default();
    let extra = planned_post(&q).unwrap_or_else(|e| {
        errors.0.extend(e.0);
        Vec::new()
    });
    let s: EstatesSummary = match state
        .app
        .estates()
        .estates_summary(&user.actor, tenant, &period, &extra)
        .await
    {
        Ok(s) => s,
        Err(AppError::Invalid(e)) => {
            errors.0.extend(e.0);
            state
                .app
                .estates()
                .estates_summary(&user.actor, tenant, &PeriodForm::default(), &[])
                .await?
        }
        Err(other) => return Err(other.into()),
    };
    let sites: Vec<(String, String)> = s.shortfall.sites.clone();
    let mut form = FormView::new(summary_fields(&q, &sites));
    let mut status = StatusCode::OK;
    if !errors.is_empty() {
        form = form.with_errors(&errors);
        status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    let mut threshold_form = FormView::new(vec![
        FieldView::new(
            "threshold",
            "Flag rooms used less than (%)",
            "text",
            &s.threshold.to_string(),
        )
        .width("nhsuk-input--width-3"),
    ]);
    if let Some(e) = &threshold_errors {
        threshold_form = threshold_form.with_errors(e);
        status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    let may_manage = matches!(
        user.actor.role,
        UserRole::PcnManager | UserRole::PracticeManager | UserRole::SystemAdmin
    );
    let planned = extra
        .first()
        .map(|p| {
            format!(
                "{} WTE {}",
                domain::staff::format_number(p.wte),
                p.role.label().to_lowercase()
            )
        })
        .unwrap_or_default();
    let page = SummaryPage {
        ctx: page_ctx(
            &user.actor,
            &token,
            &format!("/{}/{code}", if pcn { "pcns" } else { "practices" }),
        ),
        title: if pcn {
            "Rooms across the PCN".into()
        } else {
            "Rooms of the practice".into()
        },
        org: code.clone(),
        base: format!("/{}/{code}/estates", if pcn { "pcns" } else { "practices" }),
        pcn,
        may_manage,
        period: format!("{} to {}", long_date(s.period.from), long_date(s.period.to)),
        threshold: s.threshold,
        total: cell(&s.total),
        total_booked: percent_text(s.total.booked_percent()),
        sites: site_lines(&s),
        flagged: s
            .flagged()
            .iter()
            .map(|(site, room)| FlagLine {
                site: site.site.site.name.clone(),
                room: room.name.clone(),
                used: percent_text(room.total.used_percent()),
            })
            .collect(),
        short_in_post: s.shortfall.short_in_post,
        short_planned: s.shortfall.short_planned,
        planned,
        unhoused: unhoused_lines(&s),
        short: short_lines(&s),
        form,
        threshold_form,
        done: q.done,
    };
    Ok((status, token, page).into_response())
}

/// A line a site: its rooms, use and flagged rooms.
fn site_lines(s: &EstatesSummary) -> Vec<SiteLine> {
    s.sites
        .iter()
        .map(|u| SiteLine {
            id: u.site.id.clone(),
            name: u.site.site.name.clone(),
            practice: u.practice_name.clone(),
            rooms: u.rooms.len(),
            total: cell(&u.total),
            booked_percent: percent_text(u.total.booked_percent()),
            flagged: u.rooms.iter().filter(|r| r.flagged).count(),
        })
        .collect()
}

/// The sessions a week the team cannot house, with where a room of the kind is free.
fn unhoused_lines(s: &EstatesSummary) -> Vec<UnhousedLine> {
    s.shortfall
        .unhoused
        .iter()
        .map(|u| UnhousedLine {
            post: u.post.clone(),
            site: u.site.clone(),
            session: u.session.clone(),
            kind: u.room_kind.clone(),
            elsewhere: if u.free_elsewhere.is_empty() {
                "None".into()
            } else {
                u.free_elsewhere.join(", ")
            },
        })
        .collect()
}

/// The week slots short of rooms, by site and room kind.
fn short_lines(s: &EstatesSummary) -> Vec<ShortLine> {
    s.shortfall
        .plan
        .loads
        .iter()
        .filter(|l| l.short() > 0)
        .map(|l| ShortLine {
            site: s.shortfall.site_name(&l.site_id),
            session: l.slot.label(),
            kind: l.capability.label().to_lowercase(),
            needed: l.needed,
            rooms: l.rooms,
        })
        .collect()
}

/// `GET /practices/{ods}/estates`
pub(crate) async fn practice_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
    Query(q): Query<SummaryQuery>,
) -> Result<Response, WebError> {
    summary(&state, &user, token, Tenant::Practice(&ods), q, None).await
}

/// `GET /pcns/{code}/estates`
pub(crate) async fn pcn_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
    Query(q): Query<SummaryQuery>,
) -> Result<Response, WebError> {
    summary(&state, &user, token, Tenant::Pcn(&code), q, None).await
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(crate) struct ThresholdForm {
    threshold: String,
}

/// `POST /pcns/{code}/estates/threshold`
pub(crate) async fn threshold_save(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<ThresholdForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .estates()
        .set_estates_threshold(&user.actor, &code, &form.threshold)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/pcns/{code}/estates?done=threshold")).into_response()),
        Err(AppError::Invalid(errors)) => {
            summary(
                &state,
                &user,
                token,
                Tenant::Pcn(&code),
                SummaryQuery::default(),
                Some(errors),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}
