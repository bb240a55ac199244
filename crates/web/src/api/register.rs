//! The team register in the JSON API: a practice's people (`GET`/`POST
//! /api/practices/{ods}/staff`) and one person (`GET`/`PUT /api/staff/{id}`).
use super::{ApiResult, api};
use crate::auth::CurrentUser;
use crate::input::ApiJson;
use crate::{AppState, Routes};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use domain::staff::{StaffForm, format_number};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

pub(crate) fn routes(routes: Routes) -> Routes {
    routes
        .get("/api/practices/{ods}/staff", get(practice_staff))
        .post("/api/practices/{ods}/staff", post(create_staff))
        .get("/api/staff/{id}", get(get_staff))
        .put("/api/staff/{id}", put(update_staff))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct StaffDto {
    id: String,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    role: String,
    role_label: String,
    staff_group: String,
    /// `practice` or `pcn`.
    employer: String,
    employer_code: String,
    wte: f64,
    sessions_per_week: f64,
    skills: Vec<String>,
    start_date: String,
    end_date: Option<String>,
    practices: Vec<String>,
    site_ids: Vec<String>,
    arrs_role: bool,
}

pub(super) fn staff_dto(s: &store::register::StaffRecord) -> StaffDto {
    let d = &s.draft;
    StaffDto {
        id: s.id.clone(),
        name: d.name.clone(),
        email: d.email.clone(),
        phone: d.phone.clone(),
        role: d.role.code().into(),
        role_label: d.role.label().into(),
        staff_group: d.role.staff_group().code().into(),
        employer: d.employer.kind().into(),
        employer_code: d.employer.code().into(),
        wte: d.wte,
        sessions_per_week: d.sessions_per_week,
        skills: d.skills.clone(),
        start_date: d.start_date.to_string(),
        end_date: d.end_date.map(|e| e.to_string()),
        practices: d.practices.iter().map(|p| p.to_string()).collect(),
        site_ids: s.site_ids.clone(),
        arrs_role: d.role.is_arrs(),
    }
}

#[utoipa::path(get, path = "/api/practices/{ods}/staff", params(("ods" = String, Path, description = "the practice's ODS code")),
    responses((status = 200, body = [StaffDto]), (status = 403), (status = 404)))]
async fn practice_staff(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(ods): Path<String>,
) -> ApiResult<Json<Vec<StaffDto>>> {
    let people = state
        .app
        .register()
        .list_staff(&user.actor, &ods, &Default::default())
        .await
        .map_err(api)?;
    Ok(Json(people.iter().map(staff_dto).collect()))
}

/// A person as sent to the API. Numbers may be JSON numbers.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub(crate) struct StaffInput {
    name: String,
    email: Option<String>,
    phone: Option<String>,
    /// A role code such as `salaried_gp` or its label.
    role: String,
    /// `practice` (default) or `pcn`.
    employer: Option<String>,
    /// Defaults to the practice in the path.
    employer_code: Option<String>,
    wte: Option<f64>,
    sessions_per_week: Option<f64>,
    skills: Vec<String>,
    /// `YYYY-MM-DD`
    start_date: String,
    end_date: Option<String>,
    /// ODS codes; defaults to the practice in the path.
    practices: Vec<String>,
    site_ids: Vec<String>,
}

impl StaffInput {
    fn into_form(self, ods: Option<&str>) -> (StaffForm, Vec<String>) {
        let mut practices = self.practices;
        if practices.is_empty()
            && let Some(ods) = ods
        {
            practices.push(ods.to_string());
        }
        let form = StaffForm {
            name: self.name,
            email: self.email.unwrap_or_default(),
            phone: self.phone.unwrap_or_default(),
            role: self.role,
            employer: self.employer.unwrap_or_else(|| "practice".into()),
            employer_code: self
                .employer_code
                .or(ods.map(str::to_string))
                .unwrap_or_default(),
            wte: self.wte.map(format_number).unwrap_or_default(),
            sessions_per_week: self
                .sessions_per_week
                .map(format_number)
                .unwrap_or_default(),
            skills: self.skills.join(";"),
            start_date: self.start_date,
            end_date: self.end_date.unwrap_or_default(),
            practices: practices.join(";"),
        };
        (form, self.site_ids)
    }
}

#[utoipa::path(post, path = "/api/practices/{ods}/staff", request_body = StaffInput, params(("ods" = String, Path)),
    responses((status = 201, body = StaffDto), (status = 403), (status = 404), (status = 422, description = "problems by field")))]
async fn create_staff(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(ods): Path<String>,
    ApiJson(body): ApiJson<StaffInput>,
) -> ApiResult<Response> {
    state
        .app
        .authorize(
            &user.actor,
            app::Permission::Manage,
            app::Tenant::Practice(&ods),
        )
        .await
        .map_err(api)?;
    let (form, sites) = body.into_form(Some(&ods));
    let id = state
        .app
        .register()
        .create_staff(&user.actor, &form, &sites)
        .await
        .map_err(api)?;
    let person = person_doc(&state, &user, &id).await?;
    Ok((StatusCode::CREATED, Json(person)).into_response())
}

#[utoipa::path(get, path = "/api/staff/{id}", params(("id" = String, Path)), responses((status = 200, body = StaffDto), (status = 404)))]
async fn get_staff(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> ApiResult<Json<StaffDto>> {
    Ok(Json(person_doc(&state, &user, &id).await?))
}

#[utoipa::path(put, path = "/api/staff/{id}", request_body = StaffInput, params(("id" = String, Path)),
    responses((status = 200, body = StaffDto), (status = 403), (status = 404), (status = 422)))]
async fn update_staff(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<StaffInput>,
) -> ApiResult<Json<StaffDto>> {
    let current = state
        .app
        .register()
        .get_staff(&user.actor, &id)
        .await
        .map_err(api)?;
    let home = current.draft.practices.first().map(|p| p.to_string());
    let (form, sites) = body.into_form(home.as_deref());
    state
        .app
        .register()
        .update_staff(&user.actor, &id, &form, &sites)
        .await
        .map_err(api)?;
    Ok(Json(person_doc(&state, &user, &id).await?))
}

/// The person as the API shows them, read back after a change so the answer is what is stored.
async fn person_doc(state: &AppState, user: &CurrentUser, id: &str) -> ApiResult<StaffDto> {
    let person = state
        .app
        .register()
        .get_staff(&user.actor, id)
        .await
        .map_err(api)?;
    Ok(staff_dto(&person))
}

#[derive(OpenApi)]
#[openapi(paths(practice_staff, create_staff, get_staff, update_staff))]
pub(crate) struct RegisterDoc;
