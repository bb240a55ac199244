//! Imports and exports of files: the team register (CSV/XLSX), the published ODS practice
//! file and the registered list sizes. Each import parses the whole file first, then writes
//! every row in one transaction: a file with any bad row changes nothing.
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::organisations::require_system_admin;
use crate::register::{check_placement, employer_tenant};
use crate::{Change, audit, json};
use domain::account::UserRole;
use import::{ImportError, RowProblem};
use std::fmt;
use store::register::{StaffFilter, StaffScope};

pub mod held;

/// What a staff import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct StaffImportSummary {
    pub created: usize,
    pub updated: usize,
}

impl fmt::Display for StaffImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "created {}, updated {}", self.created, self.updated)
    }
}

/// What an ODS practices import did (`skipped`: rows that are not active GP practices).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct OdsImportSummary {
    pub created: usize,
    pub updated: usize,
    pub skipped: usize,
}

impl fmt::Display for OdsImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "created {}, updated {}, skipped {}",
            self.created, self.updated, self.skipped
        )
    }
}

/// What a list-size import did (`unmatched`: practices not in the database).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ListSizeImportSummary {
    pub stored: usize,
    pub unmatched: usize,
}

impl fmt::Display for ListSizeImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "stored {}, unmatched {}", self.stored, self.unmatched)
    }
}

/// Managers import their own people (each row is checked against their practices); the
/// system administrator and the command line (`None`) anyone's.
fn require_manager(actor: Option<&Actor>) -> AppResult<()> {
    match actor.map(|a| a.role) {
        None | Some(UserRole::PracticeManager | UserRole::PcnManager | UserRole::SystemAdmin) => {
            Ok(())
        }
        Some(_) => Err(AppError::Forbidden),
    }
}

/// Which imports a user may run, for the import page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportRights {
    /// The team register (a manager's own people).
    pub staff: bool,
    /// The published reference files: ODS practices, list sizes, appointments and the
    /// ePCN membership file.
    pub reference: bool,
}

/// The problem of one row of a staff import with one field.
fn problem_of(row: &import::StaffRow, field: &str, message: String) -> RowProblem {
    RowProblem {
        person: Some(import::clip(&row.draft.name)),
        row: Some(row.row),
        field: Some(field.to_string()),
        message,
    }
}

/// Adds the person of an import row, with its audit row.
async fn create_imported(
    tx: &mut store::Conn,
    actor: Option<&Actor>,
    file_name: &str,
    row: &import::StaffRow,
    now: &str,
) -> AppResult<()> {
    let id = store::new_id();
    store::register::insert(tx, &id, &row.draft, &[], now)
        .await
        .map_err(|e| match e {
            store::StoreError::Conflict(_) => AppError::Import(row_problem(
                file_name,
                row,
                "email",
                "This email address is already used by another person".into(),
            )),
            other => other.into(),
        })?;
    let change = Change {
        action: "created by import",
        entity: "staff",
        entity_id: &id,
        tenant: row.draft.employer.code(),
        before: None,
        after: json(&row.draft),
    };
    audit(tx, actor, change, now).await?;
    Ok(())
}

/// Changes a person matched by an import row's email, with its audit row.
async fn update_imported(
    tx: &mut store::Conn,
    actor: Option<&Actor>,
    id: &str,
    before: &store::register::StaffRecord,
    draft: &domain::staff::StaffDraft,
    now: &str,
) -> AppResult<()> {
    store::register::update(tx, id, draft, &before.site_ids, now).await?;
    let change = Change {
        action: "updated by import",
        entity: "staff",
        entity_id: id,
        tenant: draft.employer.code(),
        before: json(&before.draft),
        after: json(draft),
    };
    audit(tx, actor, change, now).await?;
    Ok(())
}

/// The imports open to `actor`.
pub fn import_rights(actor: &Actor) -> ImportRights {
    ImportRights {
        staff: require_manager(Some(actor)).is_ok(),
        reference: require_system_admin(Some(actor)).is_ok(),
    }
}

fn row_problem(file: &str, row: &import::StaffRow, field: &str, message: String) -> ImportError {
    ImportError {
        file: file.to_string(),
        problems: vec![problem_of(row, field, message)],
    }
}

/// Whom a row's email matches among the people the actor can see.
enum EmailMatch {
    Nobody,
    Person(String),
    /// Several, none with the row's employer.
    Several(usize),
}

async fn email_match(
    conn: &mut store::Conn,
    actor: Option<&Actor>,
    email: &str,
    draft: &domain::staff::StaffDraft,
) -> AppResult<EmailMatch> {
    let mut seen = Vec::new();
    for id in store::register::find_ids_by_email(conn, email).await? {
        if let Some(person) = store::register::get(conn, &id).await?
            && crate::register::in_reach(conn, actor, &person).await?
        {
            seen.push(person);
        }
    }
    if let Some(same) = seen.iter().find(|p| p.draft.employer == draft.employer) {
        return Ok(EmailMatch::Person(same.id.clone()));
    }
    Ok(match seen.len() {
        0 => EmailMatch::Nobody,
        1 => EmailMatch::Person(seen.remove(0).id),
        n => EmailMatch::Several(n),
    })
}

facade! {
    /// Imports and exports of files: the register, ODS practices, list sizes, and held imports (`app.imports()`).
    pub struct Imports => imports;
}

impl Imports<'_> {
    /// Imports people from a CSV or XLSX file: a row whose email matches a person already
    /// stored whom the actor can see updates them (the one with the row's employer, when
    /// several), any other row adds a person. People in other tenants are never matched or
    /// mentioned.
    pub async fn import_staff(
        &self,
        actor: Option<&Actor>,
        file_name: &str,
        bytes: &[u8],
    ) -> AppResult<StaffImportSummary> {
        require_manager(actor)?;
        let rows = import::read_staff_forms(file_name, bytes)?;
        self.import_staff_rows(actor, file_name, &rows).await
    }

    /// Imports the rows of a team register file as read (and perhaps corrected on the
    /// page since): every row is checked, then stored in one transaction, or nothing is.
    pub async fn import_staff_rows(
        &self,
        actor: Option<&Actor>,
        file_name: &str,
        forms: &[import::StaffFormRow],
    ) -> AppResult<StaffImportSummary> {
        require_manager(actor)?;
        let rows = import::check_staff_forms(file_name, forms)?;
        let mut problems = Vec::new();
        let mut tx = self.store().begin().await?;
        let now = self.now();
        let mut summary = StaffImportSummary {
            created: 0,
            updated: 0,
        };
        for row in &rows {
            let draft = &row.draft;
            if let Some(actor) = actor
                && access::authorize(
                    &mut tx,
                    actor,
                    Permission::Manage,
                    employer_tenant(&draft.employer),
                )
                .await
                .is_err()
            {
                problems.push(problem_of(
                    row,
                    "employer_code",
                    format!(
                        "you cannot add people employed by {}",
                        draft.employer.code()
                    ),
                ));
                continue;
            }
            if let Err(AppError::Invalid(errors)) =
                check_placement(&mut tx, actor, draft, &[]).await
            {
                problems.extend(errors.0.into_iter().map(|e| RowProblem {
                    person: Some(import::clip(&draft.name)),
                    row: Some(row.row),
                    field: Some(e.field.into()),
                    message: e.message,
                }));
                continue;
            }
            if !problems.is_empty() {
                continue;
            }
            // Only people the actor can see are matched by email: an address used in
            // another tenant is passed over in silence, and the row adds a person.
            let existing = match &draft.email {
                Some(email) => email_match(&mut tx, actor, email, draft).await?,
                None => EmailMatch::Nobody,
            };
            let existing = match existing {
                EmailMatch::Nobody => None,
                EmailMatch::Person(id) => Some(id),
                EmailMatch::Several(n) => {
                    problems.push(problem_of(
                        row,
                        "email",
                        format!(
                            "{n} people you can see have this email, none employed by {}: change them on their own pages",
                            draft.employer.code()
                        ),
                    ));
                    continue;
                }
            };
            match existing {
                Some(id) => {
                    let before = store::register::get(&mut tx, &id)
                        .await?
                        .ok_or(AppError::NotFound)?;
                    if let Some(actor) = actor
                        && !access::can_manage_staff(&mut tx, actor, &before).await?
                    {
                        problems.push(problem_of(
                            row,
                            "email",
                            "this email belongs to a person you cannot change".into(),
                        ));
                        continue;
                    }
                    update_imported(&mut tx, actor, &id, &before, draft, &now).await?;
                    summary.updated += 1;
                }
                None => {
                    create_imported(&mut tx, actor, file_name, row, &now).await?;
                    summary.created += 1;
                }
            }
        }
        if !problems.is_empty() {
            // Dropping the transaction rolls back every row written so far.
            return Err(AppError::Import(ImportError {
                file: file_name.to_string(),
                problems,
            }));
        }
        tx.commit().await.map_err(store::StoreError::from)?;
        // End dates already past take effect now: leavers' accounts and unpublished rotas.
        let today = self.today();
        if rows
            .iter()
            .any(|r| r.draft.end_date.is_some_and(|end| end < today))
        {
            self.register().apply_leavers().await?;
        }
        Ok(summary)
    }

    /// Imports people for one practice (the API's `?practice=`): the actor must manage it
    /// and every row must work there.
    pub async fn import_staff_for_practice(
        &self,
        actor: &Actor,
        ods: &str,
        file_name: &str,
        bytes: &[u8],
    ) -> AppResult<StaffImportSummary> {
        require_manager(Some(actor))?;
        {
            let mut conn = self.store().conn().await?;
            access::authorize(&mut conn, actor, Permission::Manage, Tenant::Practice(ods)).await?;
        }
        let rows = import::read_staff(file_name, bytes)?;
        let problems: Vec<RowProblem> = rows
            .iter()
            .filter(|r| !r.draft.practices.iter().any(|p| p.as_str() == ods))
            .map(|r| RowProblem {
                person: Some(import::clip(&r.draft.name)),
                row: Some(r.row),
                field: Some("practices".into()),
                message: format!("this file is for {ods}: list {ods} among the practices"),
            })
            .collect();
        if !problems.is_empty() {
            return Err(AppError::Import(ImportError {
                file: file_name.to_string(),
                problems,
            }));
        }
        self.import_staff(Some(actor), file_name, bytes).await
    }

    /// Imports the ODS `epraccur` file: creates or updates active GP practices.
    pub async fn import_ods_practices(
        &self,
        actor: Option<&Actor>,
        file_name: &str,
        bytes: &[u8],
    ) -> AppResult<OdsImportSummary> {
        require_system_admin(actor)?;
        let file = import::read_ods_practices(file_name, bytes)?;
        let mut tx = self.store().begin().await?;
        let now = self.now();
        let mut summary = OdsImportSummary {
            created: 0,
            updated: 0,
            skipped: file.skipped,
        };
        for p in &file.practices {
            let details = store::organisations::PracticeDetails {
                ods_code: p.ods_code.to_string(),
                name: p.name.clone(),
                address: p.address.clone(),
                postcode: p.postcode.clone(),
                commissioner: p.commissioner.clone(),
                phone: p.phone.clone(),
                open_date: p.open_date.map(|d| d.to_string()),
            };
            let created = store::organisations::upsert_details(&mut tx, &details, &now).await?;
            if created {
                summary.created += 1;
            } else {
                summary.updated += 1;
            }
            let change = Change {
                action: if created {
                    "created by ODS import"
                } else {
                    "updated by ODS import"
                },
                entity: "practice",
                entity_id: &details.ods_code,
                tenant: &details.ods_code,
                before: None,
                after: json(
                    &serde_json::json!({ "name": details.name, "postcode": details.postcode, "commissioner": details.commissioner }),
                ),
            };
            audit(&mut tx, actor, change, &now).await?;
        }
        tx.commit().await.map_err(store::StoreError::from)?;
        Ok(summary)
    }

    /// Imports registered list sizes for the practices already in the database.
    pub async fn import_list_sizes(
        &self,
        actor: Option<&Actor>,
        file_name: &str,
        bytes: &[u8],
    ) -> AppResult<ListSizeImportSummary> {
        require_system_admin(actor)?;
        let rows = import::read_list_sizes(file_name, bytes)?;
        let mut tx = self.store().begin().await?;
        let now = self.now();
        let mut summary = ListSizeImportSummary {
            stored: 0,
            unmatched: 0,
        };
        for row in &rows {
            let date = row.extract_date.to_string();
            if store::organisations::set_list_size(
                &mut tx,
                row.ods_code.as_str(),
                &date,
                row.patients,
            )
            .await?
            {
                summary.stored += 1;
                let change = Change {
                    action: "list size imported",
                    entity: "practice",
                    entity_id: row.ods_code.as_str(),
                    tenant: row.ods_code.as_str(),
                    before: None,
                    after: json(
                        &serde_json::json!({ "extract_date": date, "patients": row.patients }),
                    ),
                };
                audit(&mut tx, actor, change, &now).await?;
            } else {
                summary.unmatched += 1;
            }
        }
        tx.commit().await.map_err(store::StoreError::from)?;
        Ok(summary)
    }

    /// The team of a practice as CSV or XLSX, in the import file's layout.
    pub async fn export_staff(
        &self,
        actor: Option<&Actor>,
        ods: &str,
        xlsx: bool,
    ) -> AppResult<Vec<u8>> {
        let mut conn = self.store().conn().await?;
        match actor {
            Some(actor) => {
                access::authorize(&mut conn, actor, Permission::View, Tenant::Practice(ods)).await?
            }
            None => {
                store::organisations::get(&mut conn, ods)
                    .await?
                    .ok_or(AppError::NotFound)?;
            }
        }
        let people =
            store::register::list(&mut conn, StaffScope::WorksAt(ods), &StaffFilter::default())
                .await?;
        let drafts: Vec<_> = people.into_iter().map(|p| p.draft).collect();
        if xlsx {
            Ok(import::write_staff_xlsx(&drafts)?)
        } else {
            Ok(import::write_staff_csv(&drafts))
        }
    }
}
