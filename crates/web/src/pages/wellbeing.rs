//! Wellbeing pages: the check-in staff answer, the practice report (groups shown only at
//! or above the threshold), the PCN's check-in settings and support services, the
//! signposting page and a person's own workload signals.
use super::forms::saved_or_again;
use super::{FieldView, FormView, long_date, page_ctx};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use app::AppError;
use app::wellbeing::{
    CurrentCheckin, MyWorkload, PcnWellbeing, TeamWorkload, UnavailableSignal, WellbeingReport,
};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::FieldErrors;
use domain::role::StaffGroup;
use domain::wellbeing::{ANSWER_FIELDS, AnswerForm, Period, SCALE, ServiceForm, SettingsForm};
use std::fmt::Write;

mod pcn;
pub(crate) use pcn::*;

/// `?done=` after a redirect.
#[derive(serde::Deserialize, Default)]
pub(crate) struct Notice {
    #[serde(default)]
    done: String,
}

fn notice_text(done: &str) -> Option<&'static str> {
    match done {
        "answered" => Some("Thank you. Your answers were saved without your name."),
        "settings" => Some("The check-in settings were saved."),
        "service" => Some("The support service was added."),
        "service-removed" => Some("The support service was removed."),
        _ => None,
    }
}

/// "2 March to 29 March 2026": a period, the finest date an answer is known by.
fn period_label(p: &Period) -> String {
    if p.start.format("%Y").to_string() == p.end.format("%Y").to_string() {
        format!("{} to {}", p.start.format("%-d %B"), long_date(p.end))
    } else {
        format!("{} to {}", long_date(p.start), long_date(p.end))
    }
}

fn mean(x: f64) -> String {
    format!("{x:.1}")
}

const WITHHELD: &str = "Not enough answers to show without identifying anyone";

// ---------------------------------------------------------------- the check-in

pub(crate) struct RadioView {
    pub id: String,
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub(crate) struct QuestionView {
    pub number: usize,
    pub field: &'static str,
    pub text: String,
    pub error: Option<String>,
    pub radios: Vec<RadioView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "checkin.html")]
pub(crate) struct CheckinPage {
    ctx: PageCtx,
    period: String,
    next_opens: String,
    answered: bool,
    threshold: u32,
    questions: Vec<QuestionView>,
    comment: String,
    comment_error: Option<String>,
    form: FormView,
    notice: Option<&'static str>,
}

fn checkin_page(
    ctx: PageCtx,
    current: &CurrentCheckin,
    sent: Option<(&AnswerForm, &FieldErrors)>,
    notice: Option<&'static str>,
) -> CheckinPage {
    let empty = AnswerForm::default();
    let (form, errors) = match sent {
        Some((form, errors)) => (form, Some(errors)),
        None => (&empty, None),
    };
    let sent_values = serde_json::to_value(form).unwrap_or_default();
    let questions: Vec<QuestionView> = current
        .questions
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let field = ANSWER_FIELDS[i];
            let chosen = sent_values[field].as_str().unwrap_or_default().to_string();
            QuestionView {
                number: i + 1,
                field,
                text: text.clone(),
                error: errors
                    .and_then(|e| e.message_for(field))
                    .map(str::to_string),
                radios: SCALE
                    .iter()
                    .enumerate()
                    .map(|(j, (value, label))| RadioView {
                        id: if j == 0 {
                            field.to_string()
                        } else {
                            format!("{field}-{}", j + 1)
                        },
                        value: value.to_string(),
                        label: label.to_string(),
                        checked: chosen == value.to_string(),
                    })
                    .collect(),
            }
        })
        .collect();
    let mut summary = FormView::default();
    if let Some(errors) = errors {
        for e in &errors.0 {
            summary
                .errors
                .push((e.field.to_string(), e.message.clone()));
        }
    }
    CheckinPage {
        ctx,
        period: period_label(&current.period),
        next_opens: long_date(current.period.next_start()),
        answered: current.answered,
        threshold: current.threshold,
        questions,
        comment: form.comment.clone(),
        comment_error: errors
            .and_then(|e| e.message_for("comment"))
            .map(str::to_string),
        form: summary,
        notice,
    }
}

pub(crate) async fn checkin(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Query(notice): Query<Notice>,
) -> Result<Response, WebError> {
    let current = state.app.wellbeing().current_checkin(&user.actor).await?;
    let page = checkin_page(
        page_ctx(&user.actor, &token, "/checkin"),
        &current,
        None,
        notice_text(&notice.done),
    );
    Ok((token, page).into_response())
}

pub(crate) async fn checkin_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<Response, WebError> {
    match state
        .app
        .wellbeing()
        .submit_checkin(&user.actor, &form)
        .await
    {
        Ok(_) => Ok(Redirect::to("/checkin?done=answered").into_response()),
        Err(AppError::Invalid(errors)) => {
            let current = state.app.wellbeing().current_checkin(&user.actor).await?;
            let page = checkin_page(
                page_ctx(&user.actor, &token, "/checkin"),
                &current,
                Some((&form, &errors)),
                None,
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, token, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

// ---------------------------------------------------------------- signposting

pub(crate) struct ServiceView {
    pub name: String,
    pub description: String,
    pub contact: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "support.html")]
pub(crate) struct SupportPage {
    ctx: PageCtx,
    local: Vec<ServiceView>,
    national: Vec<ServiceView>,
}

pub(crate) async fn support(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
) -> Result<Response, WebError> {
    let services = state.app.wellbeing().support_services(&user.actor).await?;
    let view = |s: &domain::wellbeing::SupportService| ServiceView {
        name: s.name.clone(),
        description: s.description.clone(),
        contact: s.contact.clone(),
    };
    let page = SupportPage {
        ctx: page_ctx(&user.actor, &token, "/support"),
        local: services.iter().filter(|s| s.local).map(view).collect(),
        national: services.iter().filter(|s| !s.local).map(view).collect(),
    };
    Ok((token, page).into_response())
}

// ---------------------------------------------------------------- workload

#[derive(Template, WebTemplate)]
#[template(path = "workload.html")]
pub(crate) struct WorkloadPage {
    ctx: PageCtx,
    w: MyWorkload,
    year: String,
    wte: String,
    sessions: String,
}

pub(crate) async fn my_workload(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
) -> Result<Response, WebError> {
    let w = state.app.wellbeing().my_workload(&user.actor).await?;
    let page = WorkloadPage {
        ctx: page_ctx(&user.actor, &token, "/me/workload"),
        year: format!(
            "{} to {}",
            long_date(w.leave.year_start),
            long_date(w.leave.year_end)
        ),
        wte: super::number(w.wte),
        sessions: super::number(w.sessions_per_week),
        w,
    };
    Ok((token, page).into_response())
}

// ---------------------------------------------------------------- the practice report

pub(crate) struct ResultRow {
    pub question: String,
    pub mean: String,
    pub agree: String,
    pub counts: Vec<u32>,
}

pub(crate) struct GroupRow {
    pub label: &'static str,
    /// The mean over all questions, or the withheld message.
    pub value: String,
    pub responses: String,
}

pub(crate) struct TrendRow {
    pub period: String,
    /// A count at or above the threshold, or "fewer than N".
    pub responses: String,
    /// Practice, then each staff group: a mean or "withheld".
    pub cells: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "wellbeing_report.html")]
pub(crate) struct ReportPage {
    ctx: PageCtx,
    practice_name: String,
    ods: String,
    threshold: u32,
    period_weeks: u32,
    /// The open period: its dates only.
    open_period: String,
    open_ends: String,
    results_on: String,
    /// Whether a closed period has answers; the fields below describe the latest.
    has_latest: bool,
    period: String,
    responses: String,
    withheld: bool,
    results: Vec<ResultRow>,
    groups: Vec<GroupRow>,
    comments: Vec<String>,
    trend_chart: String,
    trend_columns: Vec<&'static str>,
    trend: Vec<TrendRow>,
    team: TeamWorkload,
    team_year: String,
    signals: Vec<UnavailableSignal>,
    withheld_text: &'static str,
}

/// A count of answers as shown: only at or above the threshold.
fn responses_text(responses: Option<usize>, threshold: u32) -> String {
    responses
        .map(|n| n.to_string())
        .unwrap_or_else(|| format!("fewer than {threshold}"))
}

fn report_page(ctx: PageCtx, r: WellbeingReport, team: TeamWorkload) -> ReportPage {
    let threshold = r.settings.threshold;
    let latest = r.latest();
    let results = latest
        .and_then(|p| p.results.as_ref())
        .map(|res| {
            res.questions
                .iter()
                .map(|q| ResultRow {
                    question: q.question.clone(),
                    mean: mean(q.mean),
                    agree: format!("{} %", q.agree_percent),
                    counts: q.counts.to_vec(),
                })
                .collect()
        })
        .unwrap_or_default();
    let groups = latest
        .map(|p| p.groups.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|g| GroupRow {
            label: g.staff_group.label(),
            value: g
                .results
                .as_ref()
                .map(|res| mean(res.overall_mean))
                .unwrap_or_else(|| WITHHELD.to_string()),
            responses: g
                .responses
                .map(|n| n.to_string())
                .unwrap_or_else(|| "–".into()),
        })
        .collect();
    let mut trend_columns = vec!["All staff"];
    trend_columns.extend(StaffGroup::ALL.iter().map(|g| g.label()));
    let trend = r
        .periods
        .iter()
        .map(|p| {
            let mut cells = vec![
                p.results
                    .as_ref()
                    .map(|res| mean(res.overall_mean))
                    .unwrap_or_else(|| "withheld".into()),
            ];
            cells.extend(p.groups.iter().map(|g| {
                g.results
                    .as_ref()
                    .map(|res| mean(res.overall_mean))
                    .unwrap_or_else(|| "withheld".into())
            }));
            TrendRow {
                period: period_label(&p.period),
                responses: responses_text(p.responses, threshold),
                cells,
            }
        })
        .collect();
    ReportPage {
        ctx,
        trend_chart: trend_chart(&r),
        practice_name: r.practice_name.clone(),
        ods: r.practice_ods.clone(),
        threshold,
        period_weeks: r.settings.period_weeks,
        open_period: period_label(&r.open),
        open_ends: long_date(r.open.end),
        results_on: long_date(r.open.next_start()),
        has_latest: latest.is_some(),
        period: latest.map(|p| period_label(&p.period)).unwrap_or_default(),
        responses: responses_text(latest.and_then(|p| p.responses), threshold),
        withheld: latest.is_none_or(|p| p.withheld()),
        results,
        groups,
        comments: latest.map(|p| p.comments.clone()).unwrap_or_default(),
        trend_columns,
        trend,
        team_year: format!(
            "{} to {}",
            long_date(team.year_start),
            long_date(team.year_end)
        ),
        signals: team.unavailable.clone(),
        team,
        withheld_text: WITHHELD,
    }
}

/// Line colours for the practice and the four staff groups (NHS palette).
const COLOURS: [&str; 5] = ["#212b32", "#005eb8", "#007f3b", "#7c2855", "#ed8b00"];

/// The trend of the mean over all questions, per period: the practice and each staff
/// group, drawn only where shown. The table beside it has every figure. Empty when no
/// period has a figure to show, so the page says "no results yet" instead of an empty chart.
fn trend_chart(r: &WellbeingReport) -> String {
    use super::chart::{self, Plot};
    let series: Vec<Vec<Option<f64>>> = std::iter::once(
        r.periods
            .iter()
            .map(|p| p.results.as_ref().map(|res| res.overall_mean))
            .collect(),
    )
    .chain((0..StaffGroup::ALL.len()).map(|g| {
        r.periods
            .iter()
            .map(|p| p.groups[g].results.as_ref().map(|res| res.overall_mean))
            .collect()
    }))
    .collect();
    if series.iter().flatten().all(Option::is_none) {
        return String::new();
    }
    let (width, height) = (760.0, 290.0);
    let plot = Plot {
        left: 64.0,
        right: width - 16.0,
        top: 16.0,
        bottom: height - 56.0,
    };
    let n = r.periods.len().max(1);
    let x = |i: usize| plot.slot_x(i, n);
    // 1 at the bottom, 5 at the top.
    let y = |v: f64| plot.y(v - 1.0, 4.0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="gpteam-chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="wellbeing-trend-title" xmlns="http://www.w3.org/2000/svg"><title id="wellbeing-trend-title">Average answer (1 to 5) by period for all staff and each staff group, shown only where enough people answered (the table below has the figures)</title>"##
    );
    chart::y_grid(&mut svg, &plot, 4.0, 1.0, |v| format!("{}", v as i64 + 1));
    chart::y_title(&mut svg, &plot, "Average answer");
    let labels: Vec<String> = r
        .periods
        .iter()
        .map(|p| p.period.start.format("%-d %b %y").to_string())
        .collect();
    chart::x_labels(&mut svg, &plot, &labels, labels.len().saturating_sub(1));
    chart::x_title(&mut svg, &plot, "Period starting");
    for (s, points) in series.iter().enumerate() {
        let colour = COLOURS[s % COLOURS.len()];
        let mut d = String::new();
        let mut pen_down = false;
        for (i, point) in points.iter().enumerate() {
            match point {
                Some(v) => {
                    let _ = write!(
                        d,
                        "{}{:.1},{:.1}",
                        if pen_down { "L" } else { "M" },
                        x(i),
                        y(*v)
                    );
                    pen_down = true;
                    let _ = write!(
                        svg,
                        r##"<circle cx="{:.1}" cy="{:.1}" r="4" fill="{colour}"/>"##,
                        x(i),
                        y(*v)
                    );
                }
                None => pen_down = false,
            }
        }
        if !d.is_empty() {
            let _ = write!(
                svg,
                r##"<path d="{d}" fill="none" stroke="{colour}" stroke-width="{}"/>"##,
                if s == 0 { 3 } else { 2 }
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

pub(crate) async fn practice_report(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
) -> Result<Response, WebError> {
    let report = state
        .app
        .wellbeing()
        .wellbeing_report(&user.actor, &ods)
        .await?;
    let team = state
        .app
        .wellbeing()
        .team_workload(&user.actor, &ods)
        .await?;
    let path = format!("/practices/{ods}/wellbeing");
    let page = report_page(page_ctx(&user.actor, &token, &path), report, team);
    Ok((token, page).into_response())
}
