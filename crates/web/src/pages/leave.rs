//! Annual leave balances on pages: a person's own (the "me" page, beside the leave request
//! form), a practice team's table on the leave page, a person's entitlement to change, and
//! the practice's leave rules.
use super::{Done, FieldView, FormView, long_date, number, page_ctx};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use app::leave::balance::{PersonBalance, TeamBalances};
use app::{AppError, Tenant};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::FieldErrors;
use domain::leave_balance::{
    EntitlementForm, LeavePolicy, LeavePolicyForm, LeaveUnit, MONTH_NAMES, amount_text,
};
use domain::staff::format_number;
use domain::words::plural;
use store::leave::LeaveRecord;

/// One person's balance in words, in their employer's unit.
pub(crate) struct BalanceView {
    pub year: String,
    /// "12.5 days left", or how much more than the entitlement is taken.
    pub left: String,
    /// What is left as an amount ("-2 days" when more is taken than is due).
    pub remaining: String,
    /// "You have 12.5 days of annual leave left", for the person themselves.
    pub you_have: String,
    /// Annual leave and bank holidays for the year, pro rata.
    pub entitlement: String,
    pub carried: String,
    pub bank_holidays: String,
    pub to_take: String,
    pub taken: String,
    pub booked: String,
    pub waiting: String,
    pub has_waiting: bool,
    /// How the entitlement was worked out, in a sentence.
    pub basis: String,
}

impl BalanceView {
    pub(crate) fn of(p: &PersonBalance) -> BalanceView {
        let b = &p.balance;
        let unit = p.unit();
        let basis = format!(
            "{} a year full time{} plus the bank holidays, × {} WTE{}; a working day is {} hours.",
            domain::words::plural_f(p.full_time_days, "day", "days"),
            if p.own_days {
                " (set for this person)"
            } else {
                ""
            },
            number(p.wte),
            if b.carried_over_hours > 0.0 {
                format!(
                    ", and {} carried over{}",
                    p.text(b.carried_over_hours),
                    if p.carried_over_set {
                        ""
                    } else {
                        " from last year"
                    }
                )
            } else {
                String::new()
            },
            format_number(b.day_hours),
        );
        BalanceView {
            year: format!("{} to {}", long_date(b.year.start), long_date(b.year.end)),
            left: p.left_text(),
            remaining: p.text(b.remaining_hours),
            you_have: if b.remaining_hours < 0.0 {
                format!(
                    "You have taken or booked {} more annual leave than your entitlement",
                    p.text(-b.remaining_hours)
                )
            } else {
                format!(
                    "You have {} of annual leave left",
                    p.text(b.remaining_hours)
                )
            },
            entitlement: p.text(b.entitlement_hours),
            carried: p.text(b.carried_over_hours),
            bank_holidays: format!(
                "{} ({} on working days)",
                p.text(b.bank_holiday_hours),
                plural(b.bank_holidays_worked_days, "bank holiday", "bank holidays")
            ),
            to_take: p.text(b.entitlement_hours + b.carried_over_hours - b.bank_holiday_hours),
            taken: p.text(b.taken_hours),
            booked: p.text(b.booked_hours),
            waiting: p.text(b.requested_hours),
            has_waiting: b.requested_hours > 0.0,
            basis: if unit == LeaveUnit::Hours {
                basis
            } else {
                format!("{basis} Days are days of this person's working week.")
            },
        }
    }
}

/// A row of the team's table.
pub(crate) struct TeamRow {
    pub id: String,
    pub name: String,
    pub wte: String,
    pub to_take: String,
    pub carried: String,
    pub taken: String,
    pub booked: String,
    pub waiting: String,
    pub left: String,
    pub overdrawn: bool,
    pub behind: bool,
}

/// The team's balances on the practice's leave page.
pub(crate) struct TeamView {
    pub year: String,
    pub unit: &'static str,
    pub rules: String,
    pub rows: Vec<TeamRow>,
    pub can_manage: bool,
}

fn rules_text(policy: &LeavePolicy) -> String {
    format!(
        "{} a year full time plus bank holidays, pro rata to WTE; up to {} carried over (full time).",
        domain::words::plural_f(policy.full_time_days, "day", "days"),
        domain::words::plural_f(policy.carry_over_days, "day", "days"),
    )
}

impl TeamView {
    pub(crate) fn of(team: &TeamBalances) -> TeamView {
        let figure = |p: &PersonBalance, hours: f64| format_number(p.figure(hours));
        TeamView {
            year: format!(
                "{} to {}",
                long_date(team.year.start),
                long_date(team.year.end)
            ),
            unit: team.policy.unit.code(),
            rules: rules_text(&team.policy),
            rows: team
                .people
                .iter()
                .map(|p| {
                    let b = &p.balance;
                    TeamRow {
                        id: p.staff_id.clone(),
                        name: p.name.clone(),
                        wte: number(p.wte),
                        to_take: figure(
                            p,
                            b.entitlement_hours + b.carried_over_hours - b.bank_holiday_hours,
                        ),
                        carried: figure(p, b.carried_over_hours),
                        taken: figure(p, b.taken_hours),
                        booked: figure(p, b.booked_hours),
                        waiting: figure(p, b.requested_hours),
                        left: figure(p, b.remaining_hours),
                        overdrawn: b.remaining_hours < 0.0,
                        behind: b.behind,
                    }
                })
                .collect(),
            can_manage: team.can_manage,
        }
    }

    /// What a waiting request uses and what its person has left, for the decision.
    pub(crate) fn request_note(team: &TeamBalances, leave: &LeaveRecord) -> String {
        let Some(p) = team.people.iter().find(|p| p.staff_id == leave.staff_id) else {
            return String::new();
        };
        if leave.leave.kind != domain::leave::LeaveKind::Annual {
            return format!("Not annual leave. {}.", capital(&p.left_text()));
        }
        let uses = p.hours_of(leave.leave.start_date, leave.leave.end_date);
        let after = p.balance.remaining_hours - uses;
        format!(
            "Uses {}. {}; {} after this.",
            p.text(uses),
            capital(&p.left_text()),
            if after < 0.0 {
                format!("{} over", p.text(-after))
            } else {
                format!("{} left", p.text(after))
            }
        )
    }
}

fn capital(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------- a person's entitlement

#[derive(Template, WebTemplate)]
#[template(path = "leave_entitlement.html")]
pub(crate) struct EntitlementPage {
    ctx: PageCtx,
    staff_id: String,
    name: String,
    balance: BalanceView,
    form: FormView,
    back: String,
    done: String,
}

#[derive(serde::Deserialize, Default)]
pub(crate) struct EntitlementPost {
    #[serde(default)]
    full_time_days: String,
    #[serde(default)]
    carried_over: String,
}

fn entitlement_fields(form: &EntitlementForm, p: &PersonBalance) -> Vec<FieldView> {
    let unit = p.unit();
    vec![
        FieldView::new(
            "full_time_days",
            "Full-time days of annual leave a year",
            "text",
            &form.full_time_days,
        )
        .hint(&format!(
            "Bank holidays not included, before pro rata (for example 29 after five years' NHS service). Leave empty for the employer's {}.",
            domain::words::plural_f(p.policy.full_time_days, "day", "days")
        ))
        .width("nhsuk-input--width-5"),
        FieldView::new(
            "carried_over",
            &format!("Carried over from last leave year, in {}", unit.code()),
            "text",
            &form.carried_over,
        )
        .hint(&format!(
            "At most {}. Leave empty to work it out from last year's balance.",
            amount_text(p.carry_cap_hours(), p.balance.day_hours, unit)
        ))
        .width("nhsuk-input--width-5"),
    ]
}

fn back_of(p: &PersonBalance, user: &CurrentUser) -> String {
    if user.actor.role == domain::account::UserRole::PracticeManager {
        format!("/practices/{}/leave", user.actor.org)
    } else if p.employer_code.starts_with('U') {
        "/".into()
    } else {
        format!("/practices/{}/leave", p.employer_code)
    }
}

async fn render_entitlement(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    staff_id: &str,
    typed: Option<(&EntitlementForm, &FieldErrors)>,
    done: String,
) -> Result<Response, WebError> {
    let p = state
        .app
        .leave()
        .leave_balance(&user.actor, staff_id)
        .await?;
    let (form, status) = match typed {
        Some((form, errors)) => (
            FormView::new(entitlement_fields(form, &p)).with_errors(errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        None => {
            let form = EntitlementForm {
                full_time_days: if p.own_days {
                    format_number(p.full_time_days)
                } else {
                    String::new()
                },
                carried_over: if p.carried_over_set {
                    format_number(p.figure(p.balance.carried_over_hours))
                } else {
                    String::new()
                },
            };
            (FormView::new(entitlement_fields(&form, &p)), StatusCode::OK)
        }
    };
    let page = EntitlementPage {
        ctx: page_ctx(&user.actor, &token, &format!("/staff/{staff_id}")),
        staff_id: staff_id.to_string(),
        name: p.name.clone(),
        balance: BalanceView::of(&p),
        back: back_of(&p, user),
        form,
        done,
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn entitlement_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    render_entitlement(&state, &user, token, &id, None, done.done).await
}

pub(crate) async fn entitlement_save(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(post): CsrfForm<EntitlementPost>,
) -> Result<Response, WebError> {
    let form = EntitlementForm {
        full_time_days: post.full_time_days,
        carried_over: post.carried_over,
    };
    match state
        .app
        .leave()
        .set_leave_entitlement(&user.actor, &id, &form)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/staff/{id}/leave-entitlement?done=saved")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            render_entitlement(
                &state,
                &user,
                token,
                &id,
                Some((&form, &errors)),
                String::new(),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

// ---------------------------------------------------------------- the practice's rules

#[derive(Template, WebTemplate)]
#[template(path = "leave_rules.html")]
pub(crate) struct RulesPage {
    ctx: PageCtx,
    ods: String,
    form: FormView,
    done: String,
}

fn rules_fields(form: &LeavePolicyForm) -> Vec<FieldView> {
    let months: Vec<(String, &str)> = MONTH_NAMES
        .iter()
        .enumerate()
        .map(|(i, m)| ((i + 1).to_string(), *m))
        .collect();
    vec![
        FieldView::new(
            "year_start_month",
            "The leave year starts on the first of",
            "select",
            &form.year_start_month,
        )
        .options(months.iter().map(|(v, l)| (v.as_str(), *l))),
        FieldView::new(
            "full_time_days",
            "Days of annual leave a year for full time",
            "text",
            &form.full_time_days,
        )
        .hint("Bank holidays not included: they are added for the leave year. Agenda for Change on joining: 27.")
        .width("nhsuk-input--width-5"),
        FieldView::new(
            "carry_over_days",
            "Days that may be carried into the next leave year, for full time",
            "text",
            &form.carry_over_days,
        )
        .hint("Pro rata to WTE.")
        .width("nhsuk-input--width-5"),
        FieldView::new("unit", "Show leave in", "select", &form.unit)
            .options([("days", "Days"), ("hours", "Hours")])
            .hint("Hours suit part-time contracts with days of different lengths."),
    ]
}

async fn render_rules(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    ods: &str,
    typed: Option<(&LeavePolicyForm, &FieldErrors)>,
    done: String,
) -> Result<Response, WebError> {
    let (form, status) = match typed {
        Some((form, errors)) => (
            FormView::new(rules_fields(form)).with_errors(errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        None => {
            let policy = state
                .app
                .leave()
                .leave_policy(&user.actor, Tenant::Practice(ods))
                .await?;
            (
                FormView::new(rules_fields(&LeavePolicyForm::of(&policy))),
                StatusCode::OK,
            )
        }
    };
    let page = RulesPage {
        ctx: page_ctx(&user.actor, &token, &format!("/practices/{ods}/leave")),
        ods: ods.to_string(),
        form,
        done,
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn rules_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    render_rules(&state, &user, token, &ods, None, done.done).await
}

pub(crate) async fn rules_save(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
    CsrfForm(form): CsrfForm<LeavePolicyForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .leave()
        .set_leave_policy(&user.actor, Tenant::Practice(&ods), &form)
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/practices/{ods}/leave?done=leave-rules#balances"))
                .into_response(),
        ),
        Err(AppError::Invalid(errors)) => {
            render_rules(
                &state,
                &user,
                token,
                &ods,
                Some((&form, &errors)),
                String::new(),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}
