//! A held team register import at its own address (`/import/staff/{id}`): what it did, or
//! every problem by row and person with the cells at fault offered for correction, and
//! "Import again" with the corrections — the file is not chosen again.
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfForm;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::pages::imports::{Shown, may_import, render_page};
use app::AppError;
use app::imports::held::{Correction, EditableRow, Outcome};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::role::Role;

/// A held import as the page shows it.
pub(crate) struct HeldView {
    pub id: String,
    pub file_name: String,
    /// The summary, when it was imported.
    pub summary: Option<String>,
    pub problems: Vec<ProblemLine>,
    pub rows: Vec<RowEdit>,
    /// Rows with problems that cannot be corrected here: fixed in the file instead.
    pub not_editable: usize,
}

/// One problem: where (row and person), the field in words, what is wrong, and the
/// address of the input that corrects it, if there is one.
pub(crate) struct ProblemLine {
    pub place: String,
    pub message: String,
    pub target: Option<String>,
}

/// A row offered for correction.
pub(crate) struct RowEdit {
    pub legend: String,
    pub fields: Vec<CellEdit>,
}

/// One cell at fault, as an input (or a list of roles).
pub(crate) struct CellEdit {
    /// `r3-start_date`: the input's name and id.
    pub name: String,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub error: String,
    /// The role's options (name, selected) when the cell is a role.
    pub roles: Vec<(&'static str, bool)>,
}

/// A column of the team register file in words.
fn label(field: &str) -> (&'static str, &'static str) {
    match field {
        "name" => ("Name", ""),
        "email" => ("Email", ""),
        "phone" => ("Phone", ""),
        "role" => ("Role", ""),
        "employer" => ("Employer", "practice or pcn"),
        "employer_code" => ("Employer code", "The practice's ODS code or the PCN's code"),
        "wte" => ("WTE", "For example, 0.8"),
        "sessions_per_week" => ("Sessions a week", ""),
        "skills" => ("Skills", "Separated by ;"),
        "start_date" => ("Start date", "For example, 04/01/2027"),
        "end_date" => ("End date", "For example, 31/03/2027; empty if none"),
        "practices" => ("Practices", "ODS codes, separated by ;"),
        _ => ("", ""),
    }
}

fn place(row: Option<usize>, person: Option<&str>) -> String {
    match (row, person) {
        (Some(row), Some(person)) => format!("Row {row}, {person}"),
        (Some(row), None) => format!("Row {row}"),
        (None, _) => String::new(),
    }
}

fn row_edit(edit: &EditableRow) -> RowEdit {
    let r = &edit.row;
    let mut fields: Vec<CellEdit> = Vec::new();
    for (field, message) in &edit.problems {
        if let Some(same) = fields
            .iter_mut()
            .find(|f| f.name == format!("r{}-{field}", r.row))
        {
            same.error.push_str("; ");
            same.error.push_str(message);
            continue;
        }
        let mut row = r.clone();
        let value = row.field_mut(field).cloned().unwrap_or_default();
        let (label, hint) = label(field);
        let roles = if field == "role" {
            let current = Role::parse(&value).ok();
            Role::ALL
                .iter()
                .map(|role| (role.label(), Some(*role) == current))
                .collect()
        } else {
            Vec::new()
        };
        fields.push(CellEdit {
            name: format!("r{}-{field}", r.row),
            label,
            hint,
            value,
            error: message.clone(),
            roles,
        });
    }
    RowEdit {
        legend: place(Some(r.row), r.person().as_deref()),
        fields,
    }
}

fn view(held: app::imports::held::HeldImport) -> HeldView {
    let (summary, problems) = match &held.outcome {
        Outcome::Imported { summary } => (Some(summary.clone()), Vec::new()),
        Outcome::Refused { problems } => (None, problems.clone()),
    };
    let editable = |row: Option<usize>, field: Option<&str>| {
        let (row, field) = (row?, field?);
        held.editable
            .iter()
            .any(|e| e.row.row == row && e.problems.iter().any(|(f, _)| f == field))
            .then(|| format!("r{row}-{field}"))
    };
    let problems = problems
        .iter()
        .map(|p| {
            let field = p.field.as_deref().map(|f| match label(f).0 {
                "" => f.to_string(),
                words => words.to_string(),
            });
            let mut place = place(p.row, p.person.as_deref());
            if let Some(field) = field {
                if !place.is_empty() {
                    place.push_str(", ");
                }
                place.push_str(&field);
            }
            // A note about the whole file (the role names) starts a sentence of its own.
            let message = if place.is_empty() {
                let mut chars = p.message.chars();
                chars
                    .next()
                    .map(|first| first.to_uppercase().chain(chars).collect())
                    .unwrap_or_default()
            } else {
                p.message.clone()
            };
            ProblemLine {
                place,
                message,
                target: editable(p.row, p.field.as_deref()),
            }
        })
        .collect();
    HeldView {
        rows: held.editable.iter().map(row_edit).collect(),
        id: held.id,
        file_name: held.file_name,
        summary,
        problems,
        not_editable: held.not_editable,
    }
}

/// `GET /import/staff/{id}`: the held import's result.
pub(crate) async fn held_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    may_import(&user)?;
    let (status, shown) = match state
        .app
        .imports()
        .held_staff_import(&user.actor, &id)
        .await
    {
        Ok(held) => {
            let status = match held.outcome {
                Outcome::Imported { .. } => StatusCode::OK,
                Outcome::Refused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let shown = Shown {
                held: Some(view(held)),
                ..Shown::default()
            };
            (status, shown)
        }
        Err(AppError::NotFound) => {
            let shown = Shown {
                gone: true,
                ..Shown::default()
            };
            (StatusCode::NOT_FOUND, shown)
        }
        Err(other) => return Err(other.into()),
    };
    render_page(&state, &user, token, status, "staff", shown).await
}

/// `POST /import/staff/{id}`: the corrected cells (`r3-start_date=04/01/2027`), then the
/// import again; the result at the same address.
pub(crate) async fn held_correct(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let corrections: Vec<Correction> = pairs
        .into_iter()
        .filter_map(|(name, value)| {
            let (row, field) = name.strip_prefix('r')?.split_once('-')?;
            Some(Correction {
                row: row.parse().ok()?,
                field: field.to_string(),
                value,
            })
        })
        .collect();
    state
        .app
        .imports()
        .correct_held_staff_import(&user.actor, &id, &corrections)
        .await?;
    Ok(Redirect::to(&format!("/import/staff/{id}")).into_response())
}
