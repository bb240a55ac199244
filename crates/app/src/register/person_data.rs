//! A person's data: everything held about them as one zip (JSON and CSV per table, their
//! evidence files, the audit rows about them), and the erasure of a leaver.
//!
//! Who: a system administrator, the manager of the person's employer (a practice manager
//! for the practice's people, a PCN manager for the PCN's), and for the export the person
//! themselves. A coachee's own coaching notes go only into the export they ask for
//! themselves: data-subject access makes the notes theirs, and the architecture keeps them
//! from every manager (see ARCHITECTURE.md), so a manager's export leaves them out.
use crate::access::Actor;
use crate::error::{AppError, AppResult};
use crate::{Change, commit_with_audit};
use domain::account::UserRole;
use domain::org::Employer;
use domain::{FieldError, FieldErrors};
use std::io::Write;
use store::register::StaffRecord;
use store::register::person_data::Record;

/// Whether the actor handles this person's data as their employer's manager.
fn manages(actor: &Actor, person: &StaffRecord) -> bool {
    match (&actor.role, &person.draft.employer) {
        (UserRole::SystemAdmin, _) => true,
        (UserRole::PracticeManager, Employer::Practice(ods)) => ods.as_str() == actor.org,
        (UserRole::PcnManager, Employer::Pcn(code)) => code.as_str() == actor.org,
        _ => false,
    }
}

/// The name an erased person keeps: "Erased person" and the first 8 characters of their id.
pub fn erased_name(staff_id: &str) -> String {
    let short: String = staff_id.chars().filter(|c| *c != '-').take(8).collect();
    format!("Erased person {short}")
}

fn csv_of(rows: &[Record]) -> AppResult<Vec<u8>> {
    let mut header: Vec<String> = Vec::new();
    for row in rows {
        for key in row.keys() {
            if !header.contains(key) {
                header.push(key.clone());
            }
        }
    }
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            header
                .iter()
                .map(|h| match row.get(h) {
                    None | Some(serde_json::Value::Null) => String::new(),
                    Some(serde_json::Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                })
                .collect()
        })
        .collect();
    Ok(import::write_table_csv(&header, &lines))
}

/// A file name safe inside a zip: letters, digits, dots, dashes and underscores.
fn safe_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl crate::register::Register<'_> {
    async fn person_for_data(&self, actor: &Actor, staff_id: &str) -> AppResult<StaffRecord> {
        let mut conn = self.store.conn().await?;
        let person = crate::access::visible_staff(&mut conn, actor, staff_id).await?;
        Ok(person)
    }

    /// Everything held about a person as a zip: `<table>.json` and `<table>.csv` for each
    /// table, `evidence/<file>`, `audit_log.*` (rows about them) and `README.txt`. Audited
    /// (`exported`, no content).
    pub async fn export_person(&self, actor: &Actor, staff_id: &str) -> AppResult<Vec<u8>> {
        let person = self.person_for_data(actor, staff_id).await?;
        let own = actor.staff_id.as_deref() == Some(person.id.as_str());
        if !own && !manages(actor, &person) {
            return Err(AppError::Forbidden);
        }
        let mut conn = self.store.conn().await?;
        let mut sections = store::register::person_data::sections(&mut conn, staff_id).await?;
        if own {
            let mut notes = Vec::new();
            for session in
                store::register::person_data::coaching_session_ids(&mut conn, staff_id).await?
            {
                if let Some(note) = store::development::get_note(&mut conn, &session).await? {
                    let mut row = Record::new();
                    row.insert("session_id".into(), session.into());
                    row.insert("note".into(), note.into());
                    notes.push(row);
                }
            }
            sections.push(store::register::person_data::Section {
                name: "coaching_notes",
                rows: notes,
            });
        }
        let filter = store::audit::AuditFilter {
            person: Some(staff_id.to_string()),
            ..Default::default()
        };
        let audit = store::audit::search(&mut conn, &filter, 0, i64::MAX / 2).await?;
        let audit_rows: Vec<Record> = audit
            .iter()
            .map(|e| match serde_json::to_value(e) {
                Ok(serde_json::Value::Object(map)) => map,
                _ => Record::new(),
            })
            .collect();
        sections.push(store::register::person_data::Section {
            name: "audit_log",
            rows: audit_rows,
        });
        let evidence = store::register::person_data::evidence(&mut conn, staff_id).await?;
        drop(conn);

        let internal = |e: zip::result::ZipError| AppError::Internal(e.to_string());
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        let put = |zip: &mut zip::ZipWriter<_>, name: String, bytes: &[u8]| -> AppResult<()> {
            zip.start_file(name, options).map_err(internal)?;
            zip.write_all(bytes)
                .map_err(|e| AppError::Internal(e.to_string()))
        };
        let readme = format!(
            "Everything gpteam holds about {name}, exported on {today}.\n\
             Each table is given twice: as JSON (the exact values) and as CSV (for a spreadsheet).\n\
             evidence/ holds the training certificates themselves. audit_log lists every change\n\
             made to their records, with who made it and the record before and after.\n\
             Never included: the account's password hash and two-factor secret, and the\n\
             calendar feed's secret address.{notes}\n",
            name = person.draft.name,
            today = crate::long_date(self.today()),
            notes = if own {
                " Your own coaching notes are in coaching_notes."
            } else {
                "\nCoaching notes are the coachee's alone and are given only to them."
            }
        );
        put(&mut zip, "README.txt".into(), readme.as_bytes())?;
        for section in &sections {
            let json = serde_json::to_vec_pretty(&section.rows)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            put(&mut zip, format!("{}.json", section.name), &json)?;
            put(
                &mut zip,
                format!("{}.csv", section.name),
                &csv_of(&section.rows)?,
            )?;
        }
        for (id, file_name, bytes) in &evidence {
            put(
                &mut zip,
                format!("evidence/{}-{}", safe_name(id), safe_name(file_name)),
                bytes,
            )?;
        }
        let bytes = zip.finish().map_err(internal)?.into_inner();

        let tx = self.store.begin().await?;
        let change = Change {
            action: "exported",
            entity: "staff",
            entity_id: staff_id,
            tenant: person.draft.employer.code(),
            before: None,
            after: None,
        };
        commit_with_audit(tx, Some(actor), change, &self.now()).await?;
        Ok(bytes)
    }

    /// Whether the actor may erase this person now: their manager, after the end date.
    /// The person (for the confirm page) or why not, naming the field.
    pub async fn erasure_check(&self, actor: &Actor, staff_id: &str) -> AppResult<StaffRecord> {
        let person = self.person_for_data(actor, staff_id).await?;
        if !manages(actor, &person) {
            return Err(AppError::Forbidden);
        }
        match person.draft.end_date {
            Some(end) if end < self.today() => Ok(person),
            Some(end) => Err(FieldErrors::from(FieldError::new(
                "end_date",
                format!(
                    "{} can be erased only after their end date, {}, has passed",
                    person.draft.name,
                    crate::long_date(end)
                ),
            ))
            .into()),
            None => Err(FieldErrors::from(FieldError::new(
                "end_date",
                format!(
                    "{} has no end date: only a leaver can be erased",
                    person.draft.name
                ),
            ))
            .into()),
        }
    }

    /// Erases a leaver (see `store::register::person_data::erase`) in one transaction, with an audit
    /// row (`erased`) that names no personal field.
    pub async fn erase_person(&self, actor: &Actor, staff_id: &str) -> AppResult<StaffRecord> {
        let person = self.erasure_check(actor, staff_id).await?;
        let mut tx = self.store.begin().await?;
        store::register::person_data::erase(&mut tx, staff_id, &erased_name(staff_id)).await?;
        let change = Change {
            action: "erased",
            entity: "staff",
            entity_id: staff_id,
            tenant: person.draft.employer.code(),
            before: None,
            after: None,
        };
        commit_with_audit(tx, Some(actor), change, &self.now()).await?;
        Ok(person)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erased_names_and_zip_names_hold_no_personal_text() {
        assert_eq!(
            erased_name("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"),
            "Erased person 0190a1b2"
        );
        assert_eq!(
            safe_name("BLS cert (2026)/../x.pdf"),
            "BLS_cert__2026__.._x.pdf"
        );
    }
}
