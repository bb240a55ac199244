//! A rule of the database that refused a write, in words a practice manager understands.
//!
//! The database's own message ("UNIQUE constraint failed: sites.practice_ods, sites.name",
//! "duplicate key value violates unique constraint ...") names tables and columns and is
//! kept for the server log only; what reaches a person is chosen here from the table and
//! the columns the rule is on.
use crate::StoreError;
use sqlx::error::{DatabaseError, ErrorKind};

/// The store error for a refused write.
pub(crate) fn refused(db: &dyn DatabaseError) -> Option<StoreError> {
    let kind = db.kind();
    if matches!(kind, ErrorKind::Other) {
        return None;
    }
    let (table, columns) = target(db);
    Some(match kind {
        ErrorKind::UniqueViolation => StoreError::Conflict(unique_words(&table, &columns).into()),
        ErrorKind::ForeignKeyViolation => StoreError::Conflict(
            "This refers to something that does not exist (or no longer does), or that is still in use, so nothing was changed".into(),
        ),
        _ => StoreError::Invalid(
            "A value is missing or is not one gpteam accepts, so nothing was saved".into(),
        ),
    })
}

/// The table and columns a rule is on: SQLite names them in its message
/// (`UNIQUE constraint failed: sites.practice_ods, sites.name`), PostgreSQL in the error's
/// table and constraint (`sites_practice_ods_name_key`).
fn target(db: &dyn DatabaseError) -> (String, String) {
    if let Some(table) = db.table() {
        let constraint = db.constraint().unwrap_or_default();
        return (table.to_string(), constraint.to_string());
    }
    let message = db.message();
    let list = message
        .rsplit_once(": ")
        .map(|(_, l)| l)
        .unwrap_or_default();
    let table = list
        .split(", ")
        .next()
        .and_then(|c| c.split_once('.'))
        .map(|(t, _)| t.to_string())
        .unwrap_or_default();
    (table, list.to_string())
}

fn unique_words(table: &str, columns: &str) -> &'static str {
    let email = columns.contains("email");
    match table {
        "users" | "users_new" => "An account with that email address already exists",
        "staff" if email => "That email address is already used for another person",
        "staff" => "That person is already recorded",
        "sites" => "This practice already has a site with that name",
        "rooms" => "This site already has a room with that name",
        "practices" => "A practice with that ODS code already exists",
        "pcns" => "A PCN with that code already exists",
        "ics" | "icss" | "ics_areas" => "An ICS with that code already exists",
        "coaching_enrolments" => "That person is already enrolled on this programme",
        "session_requests" => "That person already has a request for that day and session",
        "cover_requirements" => "That need is already in the cover template for this session",
        "training_topics" => "That training topic already exists",
        "room_bookings" => "That room is already booked for that session",
        _ => "That is already recorded, so it was not saved again",
    }
}
