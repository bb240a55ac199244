//! The wellbeing part of the JSON API: the check-in open to the logged-in person, answering
//! it, and a practice's results: closed periods only, withheld below the threshold.
use super::{ApiResult, api};
use crate::auth::CurrentUser;
use crate::input::ApiJson;
use crate::{AppState, Routes};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::wellbeing::{AnswerForm, GroupResults, SCALE};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .get("/api/checkins/current", get(current))
        .post("/api/checkins", post(answer))
        .get("/api/practices/{ods}/wellbeing", get(report))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ScaleDto {
    value: u8,
    label: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct CheckinDto {
    questionnaire_id: String,
    /// The statements, in order; answer each from 1 to 5.
    questions: Vec<String>,
    scale: Vec<ScaleDto>,
    /// First and last day of the period (`YYYY-MM-DD`); one answer a period.
    period_start: String,
    period_end: String,
    period_weeks: u32,
    answered: bool,
    /// Groups smaller than this are never shown.
    threshold: u32,
}

#[utoipa::path(get, path = "/api/checkins/current",
    responses((status = 200, body = CheckinDto, description = "the check-in open to the logged-in person"), (status = 401), (status = 403, description = "the account is not linked to a member of staff")))]
async fn current(State(state): State<AppState>, user: CurrentUser) -> ApiResult<Json<CheckinDto>> {
    let c = state
        .app
        .wellbeing()
        .current_checkin(&user.actor)
        .await
        .map_err(api)?;
    Ok(Json(CheckinDto {
        questionnaire_id: c.questionnaire_id,
        questions: c.questions,
        scale: SCALE
            .iter()
            .map(|(value, label)| ScaleDto {
                value: *value,
                label: label.to_string(),
            })
            .collect(),
        period_start: c.period.start.to_string(),
        period_end: c.period.end.to_string(),
        period_weeks: c.period_weeks,
        answered: c.answered,
        threshold: c.threshold,
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub(crate) struct CheckinInput {
    /// One answer from 1 to 5 a question, in question order (`null` counts as missing).
    answers: Vec<Option<i64>>,
    comment: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct AnsweredDto {
    period_start: String,
    period_end: String,
}

#[utoipa::path(post, path = "/api/checkins", request_body = CheckinInput,
    responses((status = 201, body = AnsweredDto, description = "stored sealed, without a link to the person, until the period closes"),
        (status = 409, description = "already answered in this period"),
        (status = 422, description = "an answer is missing or out of range; `fields` names each (`q1`…)")))]
async fn answer(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<CheckinInput>,
) -> ApiResult<Response> {
    let form = AnswerForm::from_scores(&body.answers, body.comment);
    let period = state
        .app
        .wellbeing()
        .submit_checkin(&user.actor, &form)
        .await
        .map_err(api)?;
    Ok((
        StatusCode::CREATED,
        Json(AnsweredDto {
            period_start: period.start.to_string(),
            period_end: period.end.to_string(),
        }),
    )
        .into_response())
}

#[derive(Serialize, ToSchema)]
pub(crate) struct QuestionResultDto {
    question: String,
    mean: f64,
    agree_percent: u32,
    /// How many answered 1, 2, 3, 4 and 5.
    counts: Vec<u32>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ResultsDto {
    overall_mean: f64,
    questions: Vec<QuestionResultDto>,
}

fn results_dto(r: &GroupResults) -> ResultsDto {
    ResultsDto {
        overall_mean: r.overall_mean,
        questions: r
            .questions
            .iter()
            .map(|q| QuestionResultDto {
                question: q.question.clone(),
                mean: q.mean,
                agree_percent: q.agree_percent,
                counts: q.counts.to_vec(),
            })
            .collect(),
    }
}

#[derive(Serialize, ToSchema)]
pub(crate) struct GroupResultDto {
    /// `gp`, `nurses`, `direct_patient_care` or `admin_non_clinical`.
    staff_group: String,
    withheld: bool,
    /// Absent when withheld.
    #[serde(skip_serializing_if = "Option::is_none")]
    responses: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    results: Option<ResultsDto>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct PeriodDto {
    period_start: String,
    period_end: String,
    /// How many answered; absent when withheld (no count below the threshold is shown).
    #[serde(skip_serializing_if = "Option::is_none")]
    responses: Option<usize>,
    /// `true` when fewer than `threshold` answered.
    withheld: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    results: Option<ResultsDto>,
    groups: Vec<GroupResultDto>,
    /// Only when not withheld; alphabetical, dated only by the period.
    comments: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct OpenPeriodDto {
    period_start: String,
    period_end: String,
    /// The first day its results may appear (`YYYY-MM-DD`).
    results_from: String,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct WellbeingDto {
    ods_code: String,
    threshold: u32,
    period_weeks: u32,
    /// The period open now: its dates only. Nothing of its answers is shown before it
    /// closes, not even how many have answered.
    open_period: OpenPeriodDto,
    /// Closed periods, oldest first, from the first with an answer to the last closed.
    periods: Vec<PeriodDto>,
}

#[utoipa::path(get, path = "/api/practices/{ods}/wellbeing", params(("ods" = String, Path, description = "the practice's ODS code")),
    responses((status = 200, body = WellbeingDto, description = "aggregated results of closed periods; periods and groups below the threshold withheld"), (status = 403), (status = 404)))]
async fn report(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(ods): Path<String>,
) -> ApiResult<Json<WellbeingDto>> {
    let r = state
        .app
        .wellbeing()
        .wellbeing_report(&user.actor, &ods)
        .await
        .map_err(api)?;
    let periods: Vec<PeriodDto> = r
        .periods
        .iter()
        .map(|p| PeriodDto {
            period_start: p.period.start.to_string(),
            period_end: p.period.end.to_string(),
            responses: p.responses,
            withheld: p.withheld(),
            results: p.results.as_ref().map(results_dto),
            groups: p
                .groups
                .iter()
                .map(|g| GroupResultDto {
                    staff_group: g.staff_group.code().into(),
                    withheld: g.results.is_none(),
                    responses: g.responses,
                    results: g.results.as_ref().map(results_dto),
                })
                .collect(),
            comments: p.comments.clone(),
        })
        .collect();
    Ok(Json(WellbeingDto {
        ods_code: r.practice_ods.clone(),
        threshold: r.settings.threshold,
        period_weeks: r.settings.period_weeks,
        open_period: OpenPeriodDto {
            period_start: r.open.start.to_string(),
            period_end: r.open.end.to_string(),
            results_from: r.open.next_start().to_string(),
        },
        periods,
    }))
}

#[derive(OpenApi)]
#[openapi(paths(current, answer, report))]
pub(crate) struct WellbeingDoc;
