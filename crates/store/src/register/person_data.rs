//! Everything held about one person, read table by table for a data-subject export, and
//! the erasure of a leaver's personal fields.
//!
//! Rows are read generically (every column, by name) so that a column added later is
//! exported without anyone remembering to; the few columns that must never leave
//! (password hashes, two-factor secrets, the calendar feed's secret token) are named here.
use crate::{Backend, Result, StoreError};
use sqlx::{AnyConnection, Column, Row};

/// Column values as exported: text, whole number, decimal or empty.
pub type Record = serde_json::Map<String, serde_json::Value>;

/// One table's rows about the person.
#[derive(Debug, Clone)]
pub struct Section {
    /// A file name: `leave_requests`, `training_records`...
    pub name: &'static str,
    pub rows: Vec<Record>,
}

/// Columns never exported, whoever asks.
const SECRET_COLUMNS: &[&str] = &["password_hash", "totp_secret", "content_base64"];

/// (section, query with `$1` the staff id). Coaching notes are not here: only
/// `development::get_note` reads them (see ARCHITECTURE.md).
const SECTIONS: &[(&str, &str)] = &[
    ("staff", "SELECT * FROM staff WHERE id = $1"),
    (
        "practices",
        "SELECT p.ods_code, p.name FROM staff_practices sp JOIN practices p ON p.ods_code = sp.ods_code
         WHERE sp.staff_id = $1 ORDER BY p.ods_code",
    ),
    (
        "sites",
        "SELECT s.id, s.name, s.practice_ods FROM staff_sites ss JOIN sites s ON s.id = ss.site_id
         WHERE ss.staff_id = $1 ORDER BY s.name",
    ),
    ("account", "SELECT * FROM users WHERE staff_id = $1"),
    ("leave_requests", "SELECT * FROM leave_requests WHERE staff_id = $1 ORDER BY start_date"),
    (
        "leave_entitlements",
        "SELECT * FROM leave_entitlements WHERE staff_id = $1 ORDER BY year_start",
    ),
    (
        "training_records",
        "SELECT r.*, t.name AS topic FROM training_records r JOIN training_topics t ON t.id = r.topic_id
         WHERE r.staff_id = $1 ORDER BY r.completed_on",
    ),
    ("evidence_files", "SELECT * FROM evidence_files WHERE staff_id = $1 ORDER BY uploaded_at"),
    ("cpd_entries", "SELECT * FROM cpd_entries WHERE staff_id = $1"),
    ("professional_dates", "SELECT * FROM professional_dates WHERE staff_id = $1"),
    (
        "coaching_enrolments",
        "SELECT e.*, p.name AS programme FROM coaching_enrolments e
         JOIN coaching_programmes p ON p.id = e.programme_id WHERE e.staff_id = $1",
    ),
    (
        "coaching_sessions",
        "SELECT s.* FROM coaching_sessions s JOIN coaching_enrolments e ON e.id = s.enrolment_id
         WHERE e.staff_id = $1",
    ),
    ("development_goals", "SELECT * FROM development_goals WHERE staff_id = $1"),
    ("session_requests", "SELECT * FROM session_requests WHERE staff_id = $1 ORDER BY day"),
    (
        "session_request_decisions",
        "SELECT d.* FROM session_request_decisions d
         JOIN session_requests q ON q.id = d.request_id WHERE q.staff_id = $1",
    ),
    (
        "rota_assignments",
        "SELECT * FROM rota_assignments WHERE staff_id = $1 ORDER BY day, session",
    ),
    ("rota_rules", "SELECT * FROM staff_rota_rules WHERE staff_id = $1"),
    (
        "notifications",
        "SELECT n.id, n.kind, n.text, n.link, n.created_at, n.read_at FROM notifications n
         JOIN users u ON u.id = n.user_id WHERE u.staff_id = $1 ORDER BY n.created_at",
    ),
    (
        "training_reminders",
        "SELECT r.sent_at, t.name AS topic, r.status, r.expires_on FROM training_reminders r
         JOIN training_topics t ON t.id = r.topic_id WHERE r.staff_id = $1 ORDER BY r.sent_at",
    ),
    (
        "rota_swaps",
        "SELECT * FROM rota_swaps WHERE staff_id = $1 OR with_staff_id = $1",
    ),
    ("arrs_post", "SELECT * FROM arrs_posts WHERE staff_id = $1"),
    (
        "arrs_claim_lines",
        "SELECT * FROM arrs_claim_lines WHERE staff_id = $1 ORDER BY month, line_no",
    ),
    (
        "wellbeing_checkins_answered",
        "SELECT period_start FROM wellbeing_answered WHERE staff_id = $1 ORDER BY period_start",
    ),
];

fn record(row: &sqlx::any::AnyRow) -> Result<Record> {
    let mut out = Record::new();
    for (i, column) in row.columns().iter().enumerate() {
        let name = column.name();
        if SECRET_COLUMNS.contains(&name) {
            continue;
        }
        let value = if let Ok(v) = row.try_get::<Option<String>, _>(i) {
            v.map(serde_json::Value::String)
        } else if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
            v.map(serde_json::Value::from)
        } else if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
            v.map(serde_json::Value::from)
        } else if let Ok(v) = row.try_get::<Option<bool>, _>(i) {
            v.map(serde_json::Value::Bool)
        } else {
            return Err(StoreError::Corrupt(format!(
                "column {name} has an unknown type"
            )));
        };
        out.insert(name.to_string(), value.unwrap_or(serde_json::Value::Null));
    }
    Ok(out)
}

/// Every table's rows about the person, in a fixed order (empty sections included).
pub async fn sections(conn: &mut AnyConnection, staff_id: &str) -> Result<Vec<Section>> {
    let mut out = Vec::new();
    for (name, sql) in SECTIONS {
        let rows = sqlx::query(sql)
            .bind(staff_id)
            .fetch_all(&mut *conn)
            .await?;
        out.push(Section {
            name,
            rows: rows.iter().map(record).collect::<Result<_>>()?,
        });
    }
    Ok(out)
}

/// The person's coaching session ids (for their own notes, read through `get_note`).
pub async fn coaching_session_ids(conn: &mut AnyConnection, staff_id: &str) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT s.id FROM coaching_sessions s JOIN coaching_enrolments e ON e.id = s.enrolment_id
         WHERE e.staff_id = $1 ORDER BY s.id",
    )
    .bind(staff_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| r.try_get(0).map_err(StoreError::from))
        .collect()
}

/// The person's evidence files: (id, file name, bytes).
pub async fn evidence(
    conn: &mut AnyConnection,
    staff_id: &str,
) -> Result<Vec<(String, String, Vec<u8>)>> {
    use base64::Engine;
    let rows = sqlx::query(
        "SELECT id, file_name, content_base64 FROM evidence_files WHERE staff_id = $1 ORDER BY uploaded_at",
    )
    .bind(staff_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let content: String = r.try_get(2)?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(content)
                .map_err(crate::corrupt)?;
            Ok((r.try_get(0)?, r.try_get(1)?, bytes))
        })
        .collect()
}

/// Every text column of every table, for tests that look for a value anywhere.
pub async fn text_columns(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<Vec<(String, String)>> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND UPPER(c.type) = 'TEXT'
             ORDER BY m.name, c.cid"
        }
        Backend::Postgres => {
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying')
             ORDER BY table_name, ordinal_position"
        }
    };
    let rows = sqlx::query(sql).fetch_all(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Erases a leaver's personal fields in the caller's transaction: the record keeps its
/// role, contract and dates (counts and history stay true) under the name `erased_name`;
/// email, phone and skills go; their account is anonymised, disabled and its sessions
/// ended; evidence files, leave notes (sick-leave reasons), CPD reflections, development
/// notes, session-request and swap notes, coaching notes and the calendar feed are deleted
/// or cleared. Audit rows are kept without their before/after content when they are about
/// the person or mention their name, email or phone, and rows they made name them as
/// `erased_name`.
pub async fn erase(conn: &mut AnyConnection, staff_id: &str, erased_name: &str) -> Result<()> {
    let row = sqlx::query("SELECT name, email, phone FROM staff WHERE id = $1")
        .bind(staff_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut mentions: Vec<String> = vec![row.try_get(0)?];
    mentions.extend(row.try_get::<Option<String>, _>(1)?);
    mentions.extend(row.try_get::<Option<String>, _>(2)?);
    let users = sqlx::query("SELECT id, email, display_name FROM users WHERE staff_id = $1")
        .bind(staff_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut user_ids = Vec::new();
    for user in &users {
        user_ids.push(user.try_get::<String, _>(0)?);
        mentions.push(user.try_get(1)?);
        mentions.push(user.try_get(2)?);
    }
    mentions.retain(|m| m.trim().len() >= 3);

    // The audit trail first: which rows are about the person still follows from their records.
    sqlx::query(&format!(
        "UPDATE audit_log SET before_json = NULL, after_json = NULL WHERE {}",
        crate::audit::ABOUT_PERSON.replace("$P", "$1")
    ))
    .bind(staff_id)
    .execute(&mut *conn)
    .await?;
    for mention in &mentions {
        let pattern = format!("%{}%", mention.to_lowercase());
        sqlx::query(
            "UPDATE audit_log SET before_json = NULL, after_json = NULL
             WHERE LOWER(before_json) LIKE $1 OR LOWER(after_json) LIKE $1",
        )
        .bind(&pattern)
        .execute(&mut *conn)
        .await?;
    }
    // Log-in attempts name the account by the email typed.
    for email in mentions.iter().filter(|m| m.contains('@')) {
        sqlx::query("DELETE FROM login_attempts WHERE account = $1")
            .bind(email.trim().to_lowercase())
            .execute(&mut *conn)
            .await?;
    }
    for user_id in &user_ids {
        sqlx::query("UPDATE audit_log SET user_email = $1 WHERE user_id = $2")
            .bind(erased_name)
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "UPDATE users SET email = $1, display_name = $2, password_hash = '!', disabled = 1,
             totp_secret = NULL, totp_enabled = 0, session_epoch = session_epoch + 1 WHERE id = $3",
        )
        .bind(format!("erased-{user_id}@erased.invalid"))
        .bind(erased_name)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    }

    let statements = [
        "UPDATE staff SET name = $2, email = NULL, phone = NULL, skills = '' WHERE id = $1",
        "UPDATE training_records SET evidence_id = NULL WHERE staff_id = $1",
        "DELETE FROM evidence_files WHERE staff_id = $1",
        "UPDATE leave_requests SET note = NULL WHERE staff_id = $1",
        "UPDATE cpd_entries SET reflection = '' WHERE staff_id = $1",
        "UPDATE development_goals SET progress = '' WHERE staff_id = $1",
        "UPDATE session_requests SET note = NULL WHERE staff_id = $1",
        "UPDATE rota_swaps SET note = NULL, decision_reason = NULL WHERE staff_id = $1",
        "UPDATE session_request_decisions SET reason = NULL
         WHERE request_id IN (SELECT id FROM session_requests WHERE staff_id = $1)",
        "DELETE FROM coaching_notes WHERE session_id IN (
             SELECT s.id FROM coaching_sessions s JOIN coaching_enrolments e ON e.id = s.enrolment_id
             WHERE e.staff_id = $1)",
        "DELETE FROM calendar_tokens WHERE staff_id = $1",
        // Notifications go with the person: their own inbox and every notice about them.
        "DELETE FROM notifications WHERE about_staff_id = $1
             OR user_id IN (SELECT id FROM users WHERE staff_id = $1)",
        "DELETE FROM notification_email_choices
             WHERE user_id IN (SELECT id FROM users WHERE staff_id = $1)",
    ];
    for sql in statements {
        let query = sqlx::query(sql).bind(staff_id);
        let query = if sql.contains("$2") {
            query.bind(erased_name)
        } else {
            query
        };
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Every text column of every table holding `needle` (any case), with how many rows do:
/// what a test of erasure looks through.
pub async fn mentions(
    conn: &mut AnyConnection,
    backend: Backend,
    needle: &str,
) -> Result<Vec<(String, String, i64)>> {
    let pattern = format!("%{}%", needle.to_lowercase());
    let mut out = Vec::new();
    for (table, column) in text_columns(conn, backend).await? {
        let sql = format!(
            "SELECT COUNT(*) FROM \"{}\" WHERE LOWER(\"{}\") LIKE $1",
            table.replace('"', "\"\""),
            column.replace('"', "\"\"")
        );
        let row = sqlx::query(&sql)
            .bind(&pattern)
            .fetch_one(&mut *conn)
            .await?;
        let count: i64 = row.try_get(0)?;
        if count > 0 {
            out.push((table, column, count));
        }
    }
    Ok(out)
}
