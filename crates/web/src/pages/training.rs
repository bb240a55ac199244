//! Training pages: the compliance matrix of a practice or PCN (filter, export), the
//! catalogue of topics, and each person's training with the form to add a record.
use super::{Done, FieldView, FormView, long_date, page_ctx};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::csrf::{CsrfForm, CsrfMultipart};
use crate::error::WebError;
use crate::layout::PageCtx;
use app::training::{EvidenceUpload, MatrixFilter, TrainingMatrix};
use app::{AppError, Tenant};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use domain::FieldErrors;
use domain::role::StaffGroup;
use domain::training::{ComplianceStatus, RecordForm};
use topics::EmptyForm;

pub(super) mod chase;
pub(super) mod topics;

/// The matrix filters, from the query string (the same for the page and its exports).
#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
pub(crate) struct MatrixQuery {
    pub group: String,
    pub status: String,
    pub topic: String,
    pub practice: String,
    pub search: String,
    pub format: String,
}

impl MatrixQuery {
    pub(crate) fn filter(&self) -> MatrixFilter {
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        MatrixFilter {
            staff_group: StaffGroup::parse(&self.group),
            status: ComplianceStatus::parse(&self.status),
            topic_id: text(&self.topic),
            practice: text(&self.practice),
            search: text(&self.search),
        }
    }

    /// The filters as a query string, for export links.
    fn query_string(&self) -> String {
        let pairs = [
            ("group", &self.group),
            ("status", &self.status),
            ("topic", &self.topic),
            ("practice", &self.practice),
            ("search", &self.search),
        ];
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", urlencoding(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) struct CellView {
    pub status: &'static str,
    pub label: &'static str,
    /// The date alone, short, for the matrix: "3 Mar 2027" (expiry) or "done 1 May 2025".
    pub short: String,
    pub verified: bool,
}

pub(crate) struct PersonRowView {
    pub staff_id: String,
    pub name: String,
    pub role: String,
    pub cells: Vec<CellView>,
    /// Whether any topic is expiring or expired (so a reminder can be sent).
    pub remindable: bool,
}

pub(crate) struct OptionRow {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "training_matrix.html")]
pub(crate) struct MatrixPage {
    ctx: PageCtx,
    /// "Riverside Surgery" or the PCN's code, for the caption.
    org: String,
    base: String,
    topics: Vec<String>,
    people: Vec<PersonRowView>,
    totals: Vec<(&'static str, &'static str, usize)>,
    groups: Vec<OptionRow>,
    statuses: Vec<OptionRow>,
    topic_options: Vec<OptionRow>,
    practices: Vec<OptionRow>,
    search: String,
    export_query: String,
    filtered: bool,
    /// Whether the viewer may send training reminders (a manager of the organisation).
    can_remind: bool,
    email_on: bool,
}

fn option_rows<'a>(
    options: impl IntoIterator<Item = (&'a str, &'a str)>,
    chosen: &str,
) -> Vec<OptionRow> {
    options
        .into_iter()
        .map(|(value, label)| OptionRow {
            selected: value == chosen,
            value: value.into(),
            label: label.into(),
        })
        .collect()
}

/// "expires 3 March 2027", "expired …", "completed 1 May 2025", or empty.
fn cell_detail(cell: &app::training::MatrixCell) -> String {
    match (cell.status, cell.expires_on, cell.completed_on) {
        (ComplianceStatus::Expired, Some(d), _) => format!("expired {}", long_date(d)),
        (_, Some(d), _) => format!("expires {}", long_date(d)),
        (_, None, Some(c)) => format!("completed {}", long_date(c)),
        _ => String::new(),
    }
}

/// A date as the matrix shows it: 3 Mar 2027.
fn short_date(date: chrono::NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {} {}",
        date.day(),
        MONTHS[date.month0() as usize],
        date.year()
    )
}

fn cell_view(cell: &app::training::MatrixCell) -> CellView {
    let short = match (cell.expires_on, cell.completed_on) {
        (Some(d), _) => short_date(d),
        (None, Some(c)) => format!("done {}", short_date(c)),
        _ => String::new(),
    };
    CellView {
        status: cell.status.code(),
        label: cell.status.label(),
        short,
        verified: cell.verified,
    }
}

async fn matrix_page(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    tenant: Tenant<'_>,
    query: &MatrixQuery,
) -> Result<Response, WebError> {
    let (base, practices) = match tenant {
        Tenant::Practice(ods) => (format!("/practices/{ods}/training"), Vec::new()),
        Tenant::Pcn(code) => {
            let practices: Vec<(String, String)> = state
                .app
                .organisations()
                .visible_practices(&user.actor)
                .await?
                .into_iter()
                .filter(|p| p.pcn_code.as_deref() == Some(code))
                .map(|p| (p.ods_code, p.name))
                .collect();
            (format!("/pcns/{code}/training"), practices)
        }
    };
    let matrix = state
        .app
        .training()
        .training_matrix(&user.actor, tenant, &query.filter())
        .await?;
    let page = MatrixPage {
        ctx: page_ctx(&user.actor, &token, &base),
        org: matrix.org_name.clone(),
        topics: matrix.topics.iter().map(|t| t.topic.title()).collect(),
        people: matrix
            .people
            .iter()
            .map(|p| PersonRowView {
                staff_id: p.staff_id.clone(),
                name: p.name.clone(),
                role: p.role.label().into(),
                cells: p.cells.iter().map(cell_view).collect(),
                remindable: p.count(ComplianceStatus::Expiring)
                    + p.count(ComplianceStatus::Expired)
                    > 0,
            })
            .collect(),
        totals: matrix
            .totals()
            .into_iter()
            .filter(|(s, _)| *s != ComplianceStatus::NotRequired)
            .map(|(s, n)| (s.code(), s.label(), n))
            .collect(),
        groups: option_rows(
            StaffGroup::ALL.iter().map(|g| (g.code(), g.label())),
            &query.group,
        ),
        statuses: option_rows(
            ComplianceStatus::ALL
                .iter()
                .filter(|s| **s != ComplianceStatus::NotRequired)
                .map(|s| (s.code(), s.label())),
            &query.status,
        ),
        topic_options: matrix
            .catalogue
            .iter()
            .map(|t| OptionRow {
                selected: t.id == query.topic,
                value: t.id.clone(),
                label: t.topic.title(),
            })
            .collect(),
        practices: practices
            .iter()
            .map(|(ods, name)| OptionRow {
                selected: *ods == query.practice,
                value: ods.clone(),
                label: name.clone(),
            })
            .collect(),
        search: query.search.clone(),
        export_query: query.query_string(),
        filtered: !query.query_string().is_empty(),
        can_remind: state
            .app
            .authorize(&user.actor, app::Permission::Manage, tenant)
            .await
            .is_ok(),
        email_on: state.app.email_on(),
        base,
    };
    Ok((token, page).into_response())
}

pub(crate) async fn practice_matrix(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
    Query(query): Query<MatrixQuery>,
) -> Result<Response, WebError> {
    matrix_page(&state, &user, token, Tenant::Practice(&ods), &query).await
}

pub(crate) async fn pcn_matrix(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
    Query(query): Query<MatrixQuery>,
) -> Result<Response, WebError> {
    matrix_page(&state, &user, token, Tenant::Pcn(&code), &query).await
}

/// The matrix as a table of text: a header and one row a person.
pub(crate) fn matrix_table(matrix: &TrainingMatrix) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header = vec![
        "name".to_string(),
        "role".to_string(),
        "practices".to_string(),
    ];
    header.extend(matrix.topics.iter().map(|t| t.topic.title()));
    let rows = matrix
        .people
        .iter()
        .map(|p| {
            let mut row = vec![
                p.name.clone(),
                p.role.label().to_string(),
                p.practices.join("; "),
            ];
            row.extend(p.cells.iter().map(|c| match (c.status, c.expires_on) {
                (ComplianceStatus::NotRequired | ComplianceStatus::Missing, _) | (_, None) => {
                    c.status.code().to_string()
                }
                (status, Some(d)) => format!("{} {d}", status.code()),
            }));
            row
        })
        .collect();
    (header, rows)
}

async fn export(
    state: &AppState,
    user: &CurrentUser,
    tenant: Tenant<'_>,
    code: &str,
    query: &MatrixQuery,
) -> Result<Response, WebError> {
    let matrix = state
        .app
        .training()
        .training_matrix(&user.actor, tenant, &query.filter())
        .await?;
    let (header, rows) = matrix_table(&matrix);
    let (bytes, mime, ext) = if query.format == "xlsx" {
        let bytes = import::write_table_xlsx("Training", &header, &rows)
            .map_err(|e| WebError::Page(AppError::Internal(e.to_string())))?;
        (
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    } else {
        (
            import::write_table_csv(&header, &rows),
            "text/csv; charset=utf-8",
            "csv",
        )
    };
    let disposition = format!("attachment; filename=\"training-{code}.{ext}\"");
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

pub(crate) async fn practice_export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(ods): Path<String>,
    Query(query): Query<MatrixQuery>,
) -> Result<Response, WebError> {
    export(&state, &user, Tenant::Practice(&ods), &ods, &query).await
}

pub(crate) async fn pcn_export(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(query): Query<MatrixQuery>,
) -> Result<Response, WebError> {
    export(&state, &user, Tenant::Pcn(&code), &code, &query).await
}

// ---- A person's training ------------------------------------------------------------

pub(crate) struct RequiredRow {
    pub title: String,
    pub status: &'static str,
    pub label: &'static str,
    pub detail: String,
}

pub(crate) struct RecordRow {
    pub id: String,
    pub topic: String,
    pub completed: String,
    pub provider: String,
    pub hours: String,
    pub evidence: Option<(String, String)>,
    pub verified: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "training_person.html")]
pub(crate) struct PersonPage {
    ctx: PageCtx,
    staff_id: String,
    name: String,
    own: bool,
    can_verify: bool,
    required: Vec<RequiredRow>,
    records: Vec<RecordRow>,
    form: FormView,
    done: String,
}

fn record_fields(form: &RecordForm, topics: &[(String, String)]) -> Vec<FieldView> {
    vec![
        FieldView::new("topic_id", "Training topic", "select", &form.topic_id).options(
            topics
                .iter()
                .map(|(id, title)| (id.as_str(), title.as_str())),
        ),
        FieldView::new("completed_on", "Date completed", "date", &form.completed_on)
            .width("nhsuk-input--width-10"),
        FieldView::new("provider", "Provider", "text", &form.provider)
            .hint("For example e-Learning for Healthcare, or the trainer's name")
            .width("nhsuk-input--width-30"),
        FieldView::new("hours", "Hours (optional)", "number", &form.hours)
            .width("nhsuk-input--width-4"),
        FieldView::new(
            "expires_on",
            "Expiry date on the certificate (optional)",
            "date",
            &form.expires_on,
        )
        .hint("Leave empty to use the topic's renewal period")
        .width("nhsuk-input--width-10"),
        FieldView::new(
            "evidence",
            "Certificate (optional unless the topic needs one)",
            "file",
            "",
        )
        .hint("A PDF, PNG or JPEG file of up to 5 MB")
        .accept(".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"),
    ]
}

async fn person_page(
    state: &AppState,
    user: &CurrentUser,
    token: CsrfToken,
    staff_id: &str,
    failed: Option<(RecordForm, FieldErrors)>,
    done: String,
) -> Result<Response, WebError> {
    let training = state
        .app
        .training()
        .person_training(&user.actor, staff_id)
        .await?;
    let titles: std::collections::BTreeMap<&str, String> = training
        .catalogue
        .iter()
        .map(|t| (t.id.as_str(), t.topic.title()))
        .collect();
    let topic_options: Vec<(String, String)> = training
        .catalogue
        .iter()
        .map(|t| (t.id.clone(), t.topic.title()))
        .collect();
    let (status, form) = match failed {
        Some((form, errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormView::new(record_fields(&form, &topic_options)).with_errors(&errors),
        ),
        None => (
            StatusCode::OK,
            FormView::new(record_fields(&RecordForm::default(), &topic_options)),
        ),
    };
    let own = user.actor.staff_id.as_deref() == Some(staff_id);
    let path = if own {
        "/me/training".to_string()
    } else {
        format!("/staff/{staff_id}/training")
    };
    let page = PersonPage {
        ctx: page_ctx(&user.actor, &token, &path),
        staff_id: staff_id.to_string(),
        name: training.person.draft.name.clone(),
        own,
        can_verify: training.can_verify,
        required: training
            .required
            .iter()
            .map(|(t, c)| RequiredRow {
                title: t.topic.title(),
                status: c.status.code(),
                label: c.status.label(),
                detail: cell_detail(c),
            })
            .collect(),
        records: training
            .records
            .iter()
            .map(|r| RecordRow {
                id: r.id.clone(),
                topic: titles
                    .get(r.draft.topic_id.as_str())
                    .cloned()
                    .unwrap_or_else(|| "A topic no longer in the catalogue".into()),
                completed: long_date(r.draft.completed_on),
                provider: r.draft.provider.clone(),
                hours: super::number(r.draft.hours),
                evidence: r
                    .evidence
                    .as_ref()
                    .map(|e| (e.id.clone(), e.file_name.clone())),
                verified: r.verified_at.is_some(),
            })
            .collect(),
        form,
        done,
    };
    Ok((status, token, page).into_response())
}

pub(crate) async fn person_training(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    person_page(&state, &user, token, &id, None, done.done).await
}

pub(crate) async fn my_training(user: CurrentUser) -> Result<Response, WebError> {
    match &user.actor.staff_id {
        Some(id) => Ok(Redirect::to(&format!("/staff/{id}/training")).into_response()),
        None => Err(WebError::Page(AppError::NotFound)),
    }
}

/// Reads a record form and its evidence file from a multipart body.
pub(crate) fn record_from_multipart(
    form: &mut CsrfMultipart,
) -> (RecordForm, Option<EvidenceUpload>) {
    let text = |name: &str| form.fields.get(name).cloned().unwrap_or_default();
    let record = RecordForm {
        topic_id: text("topic_id"),
        completed_on: text("completed_on"),
        provider: text("provider"),
        hours: text("hours"),
        expires_on: text("expires_on"),
    };
    let evidence = form
        .files
        .remove("evidence")
        .filter(|f| !f.file_name.is_empty() || !f.bytes.is_empty())
        .map(|f| EvidenceUpload {
            file_name: f.file_name,
            content_type: f.content_type,
            bytes: f.bytes,
        });
    (record, evidence)
}

pub(crate) async fn record_create(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
    mut form: CsrfMultipart,
) -> Result<Response, WebError> {
    let (record, evidence) = record_from_multipart(&mut form);
    match state
        .app
        .training()
        .add_training_record(&user.actor, &id, &record, evidence)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/staff/{id}/training?done=training")).into_response()),
        Err(AppError::Invalid(errors)) => {
            person_page(
                &state,
                &user,
                token,
                &id,
                Some((record, errors)),
                String::new(),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

pub(crate) async fn record_verify(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(_form): CsrfForm<EmptyForm>,
) -> Result<Response, WebError> {
    let staff_id = state
        .app
        .training()
        .verify_training_record(&user.actor, &id)
        .await?;
    Ok(Redirect::to(&format!("/staff/{staff_id}/training?done=verified")).into_response())
}

/// An evidence file, offered as a download under its checked type and a safe name.
pub(crate) async fn evidence_download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let (meta, bytes) = state.app.training().evidence_file(&user.actor, &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, meta.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", meta.file_name),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
