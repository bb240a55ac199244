//! The team register import as the web page runs it: the result is held for an hour under
//! an id only the importing account can read, so the result page is an address (a reload
//! shows it again), and a file with problems is held as read, so the manager can correct
//! the cells named on the page and import again without choosing the file again. Nothing
//! reaches the register until every row is right. See docs/design/imports.md.
use crate::access::Actor;
use crate::error::{AppError, AppResult};
use crate::imports::import_rights;
use import::{ImportError, RowProblem, StaffFormRow};
use serde::{Deserialize, Serialize};

/// How long a held import is kept after its last check.
pub const HELD_FOR: chrono::Duration = chrono::Duration::hours(1);

/// Rows with problems offered for correction on the page at most; a file with more is
/// corrected in the spreadsheet and chosen again.
pub const EDITABLE_ROWS: usize = 50;

/// The kind of held import this module runs (the web page's name for it).
const STAFF: &str = "staff";

/// What an import did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Stored: the summary, in words ("created 2, updated 0").
    Imported { summary: String },
    /// Nothing stored: every problem found.
    Refused { problems: Vec<RowProblem> },
}

/// A held import as its result page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldImport {
    pub id: String,
    pub file_name: String,
    pub outcome: Outcome,
    /// Rows with a problem in a cell the page can correct, with those problems, at most
    /// `EDITABLE_ROWS`; empty when the file imported or its problems are not in cells.
    pub editable: Vec<EditableRow>,
    /// Rows with problems beyond `EDITABLE_ROWS`, or whose problem is not in a cell.
    pub not_editable: usize,
    /// RFC 3339 instant the import stops being held.
    pub expires_at: String,
}

/// One row of a held file and the problems in its cells.
#[derive(Debug, Clone, PartialEq)]
pub struct EditableRow {
    pub row: StaffFormRow,
    /// (field, message) for each problem in a cell of this row.
    pub problems: Vec<(String, String)>,
}

/// A corrected cell: the row's number, the field (a column of `import::STAFF_HEADER`) and
/// the new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub row: usize,
    pub field: String,
    pub value: String,
}

fn may_import_staff(actor: &Actor) -> AppResult<()> {
    if import_rights(actor).staff {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn to_json<T: Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(e.to_string()))
}

fn from_json<T: for<'a> Deserialize<'a>>(text: &str) -> AppResult<T> {
    serde_json::from_str(text).map_err(|e| AppError::Internal(format!("held import: {e}")))
}

impl crate::imports::Imports<'_> {
    /// Runs the team register import on an uploaded file and holds its result (and, when
    /// it was refused for problems in rows, the rows as read). The held import's id.
    pub async fn import_staff_held(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &[u8],
    ) -> AppResult<String> {
        may_import_staff(actor)?;
        let (rows, outcome) = match import::read_staff_forms(file_name, bytes) {
            Ok(rows) => {
                let outcome = self.run_staff_import(actor, file_name, &rows).await?;
                (rows, outcome)
            }
            Err(refused) => (
                Vec::new(),
                Outcome::Refused {
                    problems: refused.problems,
                },
            ),
        };
        let now = self.clock().now();
        let held = store::imports::HeldImport {
            id: uuid::Uuid::new_v4().simple().to_string(),
            user_id: actor.user_id.clone(),
            org_code: actor.org.clone(),
            kind: STAFF.into(),
            file_name: file_name.to_string(),
            rows_json: to_json(&kept_rows(&outcome, rows))?,
            outcome_json: to_json(&outcome)?,
            created_at: store::timestamp(now),
            expires_at: store::timestamp(now + HELD_FOR),
        };
        let mut conn = self.store().conn().await?;
        store::imports::purge(&mut conn, &store::timestamp(now)).await?;
        store::imports::replace(&mut conn, &held).await?;
        Ok(held.id)
    }

    /// Applies corrections to a held file's cells and imports it again, holding the new
    /// result under the same id.
    pub async fn correct_held_staff_import(
        &self,
        actor: &Actor,
        id: &str,
        corrections: &[Correction],
    ) -> AppResult<()> {
        may_import_staff(actor)?;
        let held = self.held_row(actor, id).await?;
        let mut rows: Vec<StaffFormRow> = from_json(&held.rows_json)?;
        if rows.is_empty() {
            // Imported already, or nothing in its cells to correct: nothing to run again.
            return Err(AppError::NotFound);
        }
        for c in corrections {
            if let Some(cell) = rows
                .iter_mut()
                .find(|r| r.row == c.row)
                .and_then(|r| r.field_mut(&c.field))
            {
                *cell = c.value.trim().to_string();
            }
        }
        let outcome = self.run_staff_import(actor, &held.file_name, &rows).await?;
        let now = self.clock().now();
        let mut conn = self.store().conn().await?;
        store::imports::update(
            &mut conn,
            id,
            &actor.user_id,
            &to_json(&kept_rows(&outcome, rows))?,
            &to_json(&outcome)?,
            &store::timestamp(now + HELD_FOR),
        )
        .await?;
        Ok(())
    }

    /// The held import `id`, when the actor ran it and it has not expired.
    pub async fn held_staff_import(&self, actor: &Actor, id: &str) -> AppResult<HeldImport> {
        may_import_staff(actor)?;
        let held = self.held_row(actor, id).await?;
        let outcome: Outcome = from_json(&held.outcome_json)?;
        let rows: Vec<StaffFormRow> = from_json(&held.rows_json)?;
        let (editable, not_editable) = match &outcome {
            Outcome::Refused { problems } => editable_rows(problems, rows),
            Outcome::Imported { .. } => (Vec::new(), 0),
        };
        Ok(HeldImport {
            id: held.id,
            file_name: held.file_name,
            outcome,
            editable,
            not_editable,
            expires_at: held.expires_at,
        })
    }

    async fn held_row(&self, actor: &Actor, id: &str) -> AppResult<store::imports::HeldImport> {
        let now = store::timestamp(self.clock().now());
        let mut conn = self.store().conn().await?;
        store::imports::get(&mut conn, id, &actor.user_id, STAFF, &now)
            .await?
            .filter(|h| h.org_code == actor.org)
            .ok_or(AppError::NotFound)
    }

    /// The import's result: a refusal for problems in the file is an outcome, not an error.
    async fn run_staff_import(
        &self,
        actor: &Actor,
        file_name: &str,
        rows: &[StaffFormRow],
    ) -> AppResult<Outcome> {
        match self.import_staff_rows(Some(actor), file_name, rows).await {
            Ok(summary) => Ok(Outcome::Imported {
                summary: summary.to_string(),
            }),
            Err(AppError::Import(ImportError { problems, .. })) => {
                Ok(Outcome::Refused { problems })
            }
            Err(other) => Err(other),
        }
    }
}

/// The rows worth keeping: all of them while there are problems to correct, none once
/// the file is imported.
fn kept_rows(outcome: &Outcome, rows: Vec<StaffFormRow>) -> Vec<StaffFormRow> {
    match outcome {
        Outcome::Refused { problems } if problems.iter().any(|p| p.row.is_some()) => rows,
        _ => Vec::new(),
    }
}

/// The rows with problems in their cells (at most `EDITABLE_ROWS`), and how many rows
/// with problems are left to correct in the file itself.
fn editable_rows(problems: &[RowProblem], rows: Vec<StaffFormRow>) -> (Vec<EditableRow>, usize) {
    let mut editable: Vec<EditableRow> = Vec::new();
    let mut others = std::collections::BTreeSet::new();
    for p in problems {
        let Some(number) = p.row else { continue };
        let field = p
            .field
            .as_deref()
            .filter(|f| import::STAFF_HEADER.contains(f));
        let at = editable.iter().position(|e| e.row.row == number);
        match (field, at) {
            (Some(field), Some(at)) => editable[at]
                .problems
                .push((field.to_string(), p.message.clone())),
            (Some(field), None) if editable.len() < EDITABLE_ROWS => {
                if let Some(row) = rows.iter().find(|r| r.row == number) {
                    editable.push(EditableRow {
                        row: row.clone(),
                        problems: vec![(field.to_string(), p.message.clone())],
                    });
                } else {
                    others.insert(number);
                }
            }
            _ => {
                others.insert(number);
            }
        }
    }
    let not_editable = others
        .into_iter()
        .filter(|n| !editable.iter().any(|e| e.row.row == *n))
        .count();
    (editable, not_editable)
}
