//! The PCN page (member practices and the PCN-employed team) and the ICS viewer's page.
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use crate::pages::page_ctx;
use crate::pages::register::practice::{
    GroupRow, PersonRow, VacancyRow, group_rows, pounds, thousands, vacancy_rows,
};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

pub(crate) struct PracticeRow {
    pub ods: String,
    pub name: String,
    pub list_size: String,
    pub headcount: usize,
    pub wte: String,
    pub vacancies: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "pcn.html")]
pub(crate) struct PcnPage {
    ctx: PageCtx,
    code: String,
    name: String,
    practices: Vec<PracticeRow>,
    groups: Vec<GroupRow>,
    headcount: usize,
    wte: String,
    list_size: String,
    vacancies: Vec<VacancyRow>,
    team: Vec<PersonRow>,
    named: bool,
    /// The current financial year (`2026-27`), for the ARRS ledger link.
    arrs_year: String,
}

pub(crate) async fn pcn_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let o = state
        .app
        .organisations()
        .pcn_overview(&user.actor, &code)
        .await?;
    let names = if o.team.is_some() {
        state
            .app
            .organisations()
            .organisation_names(&user.actor)
            .await?
    } else {
        Default::default()
    };
    let page = PcnPage {
        ctx: page_ctx(&user.actor, &token, &format!("/pcns/{code}")),
        code: o.pcn.code.clone(),
        name: o.pcn.name.clone(),
        practices: o
            .practices
            .iter()
            .map(|p| PracticeRow {
                ods: p.practice.ods_code.clone(),
                name: p.practice.name.clone(),
                list_size: p
                    .practice
                    .list_size
                    .map(thousands)
                    .unwrap_or_else(|| "–".into()),
                headcount: p.headcount,
                wte: crate::pages::number(p.wte),
                vacancies: p.open_vacancies,
            })
            .collect(),
        groups: group_rows(&o.groups),
        headcount: o.headcount,
        wte: crate::pages::number(o.wte),
        list_size: thousands(o.list_size),
        vacancies: vacancy_rows(&o.vacancies),
        named: o.team.is_some(),
        arrs_year: domain::arrs::FinancialYear::of(state.app.today()).code(),
        team: o
            .team
            .unwrap_or_default()
            .iter()
            .map(|p| PersonRow::of(p, &names))
            .collect(),
    };
    Ok((token, page).into_response())
}

pub(crate) struct PcnRow {
    pub code: String,
    pub name: String,
    pub practices: usize,
    pub list_size: String,
    pub headcount: usize,
    pub wte: String,
    pub groups: Vec<GroupRow>,
    pub vacancies: usize,
    pub vacancy_wte: String,
    pub vacancy_cost: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "system.html")]
pub(crate) struct SystemPage {
    ctx: PageCtx,
    ics: String,
    ics_name: String,
    /// "at 08:19 on 3 December 2026"
    counted: String,
    pcns: Vec<PcnRow>,
    totals: Vec<GroupRow>,
}

pub(crate) async fn system_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
) -> Result<Response, WebError> {
    let s = state
        .app
        .organisations()
        .system_summary(&user.actor)
        .await?;
    let page = SystemPage {
        ctx: page_ctx(&user.actor, &token, "/system"),
        ics: s.ics_code.clone(),
        ics_name: s.ics_name.clone(),
        counted: {
            let at = app::clock::local(s.counted_at);
            format!(
                "at {} on {}",
                at.format("%H:%M"),
                crate::pages::long_date(at.date())
            )
        },
        pcns: s
            .pcns
            .iter()
            .map(|p| PcnRow {
                code: p.code.clone(),
                name: p.name.clone(),
                practices: p.practices,
                list_size: thousands(p.list_size),
                headcount: p.headcount,
                wte: crate::pages::number(p.wte),
                groups: group_rows(&p.groups),
                vacancies: p.open_vacancies,
                vacancy_wte: crate::pages::number(p.vacancy_wte),
                vacancy_cost: pounds(p.vacancy_monthly_cost_gbp),
            })
            .collect(),
        totals: group_rows(&s.totals),
    };
    Ok((token, page).into_response())
}
