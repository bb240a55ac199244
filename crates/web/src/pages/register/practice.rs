//! A practice's pages: the dashboard, the team register, vacancies and leave decisions.
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use crate::pages::{Done, FieldView, FormView, long_date, number, page_ctx};
use app::AppError;
use app::organisations::dashboards::PracticeDashboard;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use domain::leave::LeaveStatus;
use domain::org::{Employer, OdsCode};
use domain::role::{Role, StaffGroup};
use domain::staff::Employment;
use domain::vacancy::VacancyForm;
use std::collections::BTreeMap;
use store::leave::LeaveRecord;
use store::register::{Employed, StaffFilter, StaffRecord};

/// One line of a table of people.
pub(crate) struct PersonRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub group: String,
    pub employer: String,
    pub wte: String,
    pub sessions: String,
    pub practices: String,
    /// "From 1 March 2026", or "1 March 2026 to 30 November 2026".
    pub dates: String,
}

impl PersonRow {
    /// The row of `person`, naming organisations from `names` (code → name).
    pub(crate) fn of(person: &StaffRecord, names: &BTreeMap<String, String>) -> PersonRow {
        let name_of = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_string());
        let d = &person.draft;
        PersonRow {
            id: person.id.clone(),
            name: d.name.clone(),
            role: d.role.label().into(),
            group: d.role.staff_group().label().into(),
            employer: match &d.employer {
                Employer::Practice(ods) => name_of(ods.as_str()),
                Employer::Pcn(code) => name_of(code.as_str()),
            },
            wte: number(d.wte),
            sessions: number(d.sessions_per_week),
            practices: d
                .practices
                .iter()
                .map(|ods| name_of(ods.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
            dates: match d.end_date {
                Some(end) => format!("{} to {}", long_date(d.start_date), long_date(end)),
                None => format!("From {}", long_date(d.start_date)),
            },
        }
    }
}

pub(crate) struct LeaveRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub dates: String,
    pub note: String,
    pub status: String,
    pub tag: &'static str,
    /// For a waiting request: what it uses and what is left.
    pub balance: String,
}

impl LeaveRow {
    pub(crate) fn of(leave: &LeaveRecord) -> LeaveRow {
        let l = &leave.leave;
        let dates = if l.start_date == l.end_date {
            long_date(l.start_date)
        } else {
            format!("{} to {}", long_date(l.start_date), long_date(l.end_date))
        };
        LeaveRow {
            id: leave.id.clone(),
            name: leave.staff_name.clone(),
            kind: l.kind.label().into(),
            dates,
            note: l.note.clone().unwrap_or_default(),
            status: match leave.status {
                LeaveStatus::Requested => "Waiting for a decision",
                LeaveStatus::Approved => "Approved",
                LeaveStatus::Refused => "Refused",
                LeaveStatus::Cancelled => "Cancelled",
            }
            .into(),
            tag: match leave.status {
                LeaveStatus::Requested => "nhsuk-tag--yellow",
                LeaveStatus::Approved => "nhsuk-tag--green",
                LeaveStatus::Refused => "nhsuk-tag--red",
                LeaveStatus::Cancelled => "nhsuk-tag--grey",
            },
            balance: String::new(),
        }
    }
}

pub(crate) struct GroupRow {
    pub label: String,
    pub headcount: usize,
    pub wte: String,
}

pub(crate) struct VacancyRow {
    pub id: String,
    pub role: String,
    pub group: String,
    pub wte: String,
    pub opened: String,
    pub monthly_cost: String,
    pub non_clinical: bool,
}

/// 12400 → "12,400".
pub(crate) fn thousands(value: i64) -> String {
    let digits = value.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}{out}", if value < 0 { "-" } else { "" })
}

/// 1800.0 → "£1,800".
pub(crate) fn pounds(value: f64) -> String {
    let whole = value.round() as i64;
    let sign = if whole < 0 { "-" } else { "" };
    format!("{sign}£{}", thousands(whole.abs()))
}

pub(crate) fn vacancy_rows(
    vacancies: &[store::sites::vacancies::VacancyRecord],
) -> Vec<VacancyRow> {
    vacancies
        .iter()
        .map(|v| VacancyRow {
            id: v.id.clone(),
            role: v.vacancy.role.label().into(),
            group: v.vacancy.role.staff_group().label().into(),
            wte: number(v.vacancy.wte),
            opened: v
                .vacancy
                .opened_on
                .map(long_date)
                .unwrap_or_else(|| "Not recorded".into()),
            monthly_cost: pounds(v.vacancy.monthly_cost_gbp),
            non_clinical: !v.vacancy.role.is_clinical(),
        })
        .collect()
}

pub(crate) fn group_rows(groups: &[app::organisations::dashboards::GroupCount]) -> Vec<GroupRow> {
    groups
        .iter()
        .map(|g| GroupRow {
            label: g.label.into(),
            headcount: g.headcount,
            wte: number(g.wte),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub(crate) struct DashboardPage {
    ctx: PageCtx,
    ods: String,
    name: String,
    pcn: String,
    list_size: String,
    groups: Vec<GroupRow>,
    headcount: usize,
    wte: String,
    vacancies: Vec<VacancyRow>,
    vacancy_cost: String,
    on_leave: Vec<LeaveRow>,
    pending_leave: usize,
    week: String,
    sites: usize,
    rooms: usize,
    done: String,
}

pub(crate) async fn dashboard(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let d: PracticeDashboard = state
        .app
        .organisations()
        .practice_dashboard(&user.actor, &ods)
        .await?;
    let page = DashboardPage {
        ctx: page_ctx(&user.actor, &token, &format!("/practices/{ods}")),
        ods: d.practice.ods_code.clone(),
        name: d.practice.name.clone(),
        pcn: d
            .pcn
            .map(|p| format!("{} ({})", p.name, p.code))
            .unwrap_or_else(|| "Not in a PCN".into()),
        list_size: d
            .practice
            .list_size
            .map(|n| format!("{n} registered patients"))
            .unwrap_or_else(|| "List size not imported".into()),
        groups: group_rows(&d.groups),
        headcount: d.headcount,
        wte: number(d.wte),
        vacancy_cost: pounds(d.vacancies.iter().map(|v| v.vacancy.monthly_cost_gbp).sum()),
        vacancies: vacancy_rows(&d.vacancies),
        on_leave: d.on_leave.iter().map(LeaveRow::of).collect(),
        pending_leave: d.pending_leave,
        week: format!("{} to {}", long_date(d.week.0), long_date(d.week.1)),
        sites: d.sites,
        rooms: d.rooms,
        done: done.done,
    };
    Ok((token, page).into_response())
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct StaffQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    employer: String,
    /// `current` (the default), `starting`, `left` or `all`.
    #[serde(default)]
    employment: String,
    #[serde(default)]
    done: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_list.html")]
pub(crate) struct StaffListPage {
    ctx: PageCtx,
    ods: String,
    people: Vec<PersonRow>,
    q: String,
    group_options: Vec<crate::pages::forms::OptionView>,
    employer_options: Vec<crate::pages::forms::OptionView>,
    employment_options: Vec<crate::pages::forms::OptionView>,
    /// What the caption calls the people listed: "current", "starting", "left" or "".
    standing: &'static str,
    filtered: bool,
    done: String,
}

/// The standing the team list shows: current unless the filter asks for starters, leavers
/// or everyone (`all`, which is `None`).
fn employment_of(code: &str) -> Option<Employment> {
    match code {
        "all" => None,
        other => Some(Employment::parse(other).unwrap_or(Employment::Current)),
    }
}

pub(crate) async fn staff_list(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
    Query(query): Query<StaffQuery>,
) -> Result<Response, WebError> {
    let filter = StaffFilter {
        search: Some(query.q.clone()).filter(|q| !q.trim().is_empty()),
        staff_group: StaffGroup::parse(&query.group),
        employer_kind: ["practice", "pcn"]
            .contains(&query.employer.as_str())
            .then(|| query.employer.clone()),
        role: None,
        employed: employment_of(&query.employment)
            .map(|e| Employed::Standing(e, state.app.today())),
    };
    let people = state
        .app
        .register()
        .list_staff(&user.actor, &ods, &filter)
        .await?;
    let employment = if query.employment == "all" {
        "all"
    } else {
        employment_of(&query.employment).map_or("current", Employment::code)
    };
    let employment_field = FieldView::new("employment", "", "select", employment).options(
        Employment::ALL
            .iter()
            .map(|e| (e.code(), e.label()))
            .chain([("all", "Everyone")]),
    );
    let group_field = FieldView::new("group", "", "select", &query.group)
        .options(StaffGroup::ALL.iter().map(|g| (g.code(), g.label())));
    let employer_field = FieldView::new("employer", "", "select", &query.employer).options([
        ("practice", "Employed by the practice"),
        ("pcn", "Employed by the PCN"),
    ]);
    let page = StaffListPage {
        ctx: page_ctx(&user.actor, &token, &format!("/practices/{ods}/staff")),
        people: {
            let names = state
                .app
                .organisations()
                .organisation_names(&user.actor)
                .await?;
            people.iter().map(|p| PersonRow::of(p, &names)).collect()
        },
        filtered: filter.search.is_some()
            || filter.staff_group.is_some()
            || filter.employer_kind.is_some()
            || employment != "current",
        employment_options: employment_field.options,
        standing: match filter.employed {
            Some(Employed::Standing(Employment::Starting, _)) => " starting later",
            Some(Employed::Standing(Employment::Left, _)) => " who have left",
            Some(_) => " in post today",
            None => "",
        },
        ods,
        q: query.q,
        group_options: group_field.options,
        employer_options: employer_field.options,
        done: query.done,
    };
    Ok((token, page).into_response())
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct ExportQuery {
    #[serde(default)]
    format: String,
}

pub(crate) async fn staff_export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(ods): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, WebError> {
    let xlsx = query.format == "xlsx";
    let bytes = state
        .app
        .imports()
        .export_staff(Some(&user.actor), &ods, xlsx)
        .await?;
    let (mime, ext) = if xlsx {
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    } else {
        ("text/csv; charset=utf-8", "csv")
    };
    let disposition = format!("attachment; filename=\"staff-{ods}.{ext}\"");
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

pub(crate) async fn staff_template(_user: CurrentUser) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"gpteam-staff-template.csv\"",
            ),
        ],
        import::staff_template_csv(),
    )
        .into_response()
}

/// The template as a workbook: a role drop-down from its "Roles" sheet, date cells.
pub(crate) async fn staff_template_xlsx(_user: CurrentUser) -> Result<Response, WebError> {
    let bytes = import::staff_template_xlsx().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"gpteam-staff-template.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "vacancy_form.html")]
pub(crate) struct VacancyFormPage {
    ctx: PageCtx,
    ods: String,
    form: FormView,
}

fn vacancy_fields(form: &VacancyForm) -> Vec<FieldView> {
    let roles: Vec<(&str, &str)> = Role::ALL.iter().map(|r| (r.code(), r.label())).collect();
    vec![
        FieldView::new("role", "Role", "select", &form.role).options(roles),
        FieldView::new("wte", "Whole-time equivalent (WTE)", "number", &form.wte)
            .width("nhsuk-input--width-4")
            .step("0.01"),
        FieldView::new(
            "opened_on",
            "Date the post became vacant (optional)",
            "date",
            &form.opened_on,
        )
        .width("nhsuk-input--width-10"),
        FieldView::new(
            "monthly_cost_gbp",
            "Monthly cost of not filling it, in pounds",
            "number",
            &form.monthly_cost_gbp,
        )
        .hint("For example locum, agency or overtime cost a month")
        .width("nhsuk-input--width-10"),
        FieldView::new("notes", "Notes (optional)", "textarea", &form.notes),
    ]
}

pub(crate) async fn vacancy_new(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
) -> Result<Response, WebError> {
    state
        .app
        .authorize(
            &user.actor,
            app::Permission::Manage,
            app::Tenant::Practice(&ods),
        )
        .await?;
    let page = VacancyFormPage {
        ctx: page_ctx(&user.actor, &token, &format!("/practices/{ods}")),
        form: FormView::new(vacancy_fields(&VacancyForm::default())),
        ods,
    };
    Ok((token, page).into_response())
}

pub(crate) async fn vacancy_create(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
    CsrfForm(form): CsrfForm<VacancyForm>,
) -> Result<Response, WebError> {
    let employer =
        Employer::Practice(OdsCode::parse(&ods).map_err(|_| WebError::Page(AppError::NotFound))?);
    match state
        .app
        .sites()
        .add_vacancy(&user.actor, &employer, &form)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/practices/{ods}?done=vacancy")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = VacancyFormPage {
                ctx: page_ctx(&user.actor, &token, &format!("/practices/{ods}")),
                form: FormView::new(vacancy_fields(&form)).with_errors(&errors),
                ods,
            };
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, token, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct StatusForm {
    #[serde(default)]
    status: String,
}

pub(crate) async fn vacancy_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<Response, WebError> {
    let vacancy = state
        .app
        .sites()
        .close_vacancy(&user.actor, &id, &form.status)
        .await?;
    let target = match &vacancy.employer {
        Employer::Practice(ods) => format!("/practices/{ods}?done=vacancy-{}", form.status),
        Employer::Pcn(code) => format!("/pcns/{code}"),
    };
    Ok(Redirect::to(&target).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "leave.html")]
pub(crate) struct LeavePage {
    ctx: PageCtx,
    ods: String,
    pending: Vec<LeaveRow>,
    decided: Vec<LeaveRow>,
    team: crate::pages::leave::TeamView,
    decided_total: usize,
    done: String,
}

/// Decided requests listed on the leave page, latest first (the balances count them all).
const DECIDED_SHOWN: usize = 30;

pub(crate) async fn leave_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    let leave = state.app.leave().practice_leave(&user.actor, &ods).await?;
    let team = state
        .app
        .leave()
        .team_leave_balances(&user.actor, &ods)
        .await?;
    let (pending, decided): (Vec<_>, Vec<_>) = leave
        .iter()
        .partition(|l| l.status == LeaveStatus::Requested);
    let page = LeavePage {
        ctx: page_ctx(&user.actor, &token, &format!("/practices/{ods}/leave")),
        pending: pending
            .into_iter()
            .map(|l| LeaveRow {
                balance: crate::pages::leave::TeamView::request_note(&team, l),
                ..LeaveRow::of(l)
            })
            .collect(),
        team: crate::pages::leave::TeamView::of(&team),
        decided_total: decided.len(),
        decided: decided
            .into_iter()
            .rev()
            .take(DECIDED_SHOWN)
            .map(LeaveRow::of)
            .collect(),
        ods,
        done: done.done,
    };
    Ok((token, page).into_response())
}

#[derive(serde::Deserialize, serde::Serialize)]
pub(crate) struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    back: String,
    /// `yes` once the manager confirmed an approval that breaks a published rota.
    #[serde(default)]
    confirm_rota: String,
}

pub(crate) async fn leave_decide(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, WebError> {
    let approve = match form.decision.as_str() {
        "approve" => true,
        "refuse" => false,
        _ => return Err(WebError::BadRequest("Choose approve or refuse".into())),
    };
    let confirmed = crate::pages::rota::stale::confirmed(&form.confirm_rota);
    let decided = state
        .app
        .leave()
        .decide_leave_checked(&user.actor, &id, approve, confirmed)
        .await?;
    let back = if form.back.starts_with("/practices/") {
        form.back.clone()
    } else {
        "/".into()
    };
    let leave = match decided {
        app::rota::stale::Checked::Done(leave) => leave,
        app::rota::stale::Checked::Confirm(breaks) => {
            let action = format!("/leave/{id}/decision");
            let fields = crate::pages::rota::stale::fields_of(&form);
            let heading = "Approve this leave?";
            return crate::pages::rota::stale::confirm_page(
                &user, token, heading, &action, fields, breaks, &back,
            );
        }
    };
    let done = if approve { "approved" } else { "refused" };
    let _ = leave;
    Ok(Redirect::to(&format!("{back}?done={done}")).into_response())
}
