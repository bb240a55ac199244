//! Each person's notifications (the inbox in gpteam), the kinds they want by email, and
//! the email queue that copies them: rows waiting to be emailed are claimed by a
//! conditional update, so two server processes never send one twice.
use crate::Result;
use sqlx::{AnyConnection, Row, any::AnyRow};

/// One notification as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NotificationRow {
    pub id: String,
    pub user_id: String,
    pub kind: String,
    pub text: String,
    pub link: String,
    pub about_staff_id: Option<String>,
    pub created_at: String,
    pub read_at: Option<String>,
    pub email_state: String,
}

const SELECT: &str = "SELECT id, user_id, kind, text, link, about_staff_id, created_at, read_at,
    email_state FROM notifications";

fn from_row(row: &AnyRow) -> Result<NotificationRow> {
    Ok(NotificationRow {
        id: row.try_get(0)?,
        user_id: row.try_get(1)?,
        kind: row.try_get(2)?,
        text: row.try_get(3)?,
        link: row.try_get(4)?,
        about_staff_id: row.try_get(5)?,
        created_at: row.try_get(6)?,
        read_at: row.try_get(7)?,
        email_state: row.try_get(8)?,
    })
}

pub async fn insert(conn: &mut AnyConnection, row: &NotificationRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO notifications (id, user_id, kind, text, link, about_staff_id, created_at,
         read_at, email_state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&row.id)
    .bind(&row.user_id)
    .bind(&row.kind)
    .bind(&row.text)
    .bind(&row.link)
    .bind(&row.about_staff_id)
    .bind(&row.created_at)
    .bind(&row.read_at)
    .bind(&row.email_state)
    .execute(conn)
    .await?;
    Ok(())
}

/// A person's notifications, newest first, at most `limit`.
pub async fn list(
    conn: &mut AnyConnection,
    user_id: &str,
    limit: i64,
) -> Result<Vec<NotificationRow>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
    ))
    .bind(user_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// One notification, only if it is the person's own.
pub async fn get_own(
    conn: &mut AnyConnection,
    user_id: &str,
    id: &str,
) -> Result<Option<NotificationRow>> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1 AND user_id = $2"))
        .bind(id)
        .bind(user_id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn unread_count(conn: &mut AnyConnection, user_id: &str) -> Result<i64> {
    let row =
        sqlx::query("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(user_id)
            .fetch_one(conn)
            .await?;
    Ok(row.try_get(0)?)
}

/// Marks one of the person's own notifications read; false when it was read already.
pub async fn mark_read(
    conn: &mut AnyConnection,
    user_id: &str,
    id: &str,
    now: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE notifications SET read_at = $3 WHERE id = $1 AND user_id = $2 AND read_at IS NULL",
    )
    .bind(id)
    .bind(user_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks every unread notification of the person read; returns how many.
pub async fn mark_all_read(conn: &mut AnyConnection, user_id: &str, now: &str) -> Result<u64> {
    let done =
        sqlx::query("UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL")
            .bind(user_id)
            .bind(now)
            .execute(conn)
            .await?;
    Ok(done.rows_affected())
}

/// The person's explicit email choices (kind, wanted); a kind not listed is wanted.
pub async fn email_choices(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<(String, bool)>> {
    let rows = sqlx::query(
        "SELECT kind, email FROM notification_email_choices WHERE user_id = $1 ORDER BY kind",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get::<i64, _>(1)? != 0)))
        .collect()
}

pub async fn set_email_choice(
    conn: &mut AnyConnection,
    user_id: &str,
    kind: &str,
    email: bool,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO notification_email_choices (user_id, kind, email) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, kind) DO UPDATE SET email = excluded.email",
    )
    .bind(user_id)
    .bind(kind)
    .bind(i64::from(email))
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether the person wants this kind by email (yes unless they said no).
pub async fn wants_email(conn: &mut AnyConnection, user_id: &str, kind: &str) -> Result<bool> {
    let row = sqlx::query(
        "SELECT email FROM notification_email_choices WHERE user_id = $1 AND kind = $2",
    )
    .bind(user_id)
    .bind(kind)
    .fetch_optional(conn)
    .await?;
    Ok(match row {
        Some(r) => r.try_get::<i64, _>(0)? != 0,
        None => true,
    })
}

/// A notification waiting to be emailed, with its recipient's address.
#[derive(Debug, Clone, PartialEq)]
pub struct DueEmail {
    pub id: String,
    pub to: String,
    pub name: String,
    pub kind: String,
    pub text: String,
    pub link: String,
    pub attempts: i64,
}

/// Claims up to `limit` notifications waiting to be emailed (or claimed before
/// `stale_before` by a sender that never finished), each by a conditional update, so a
/// row another process claimed first is skipped. Disabled accounts get no email.
pub async fn claim_due_emails(
    conn: &mut AnyConnection,
    now: &str,
    stale_before: &str,
    limit: i64,
) -> Result<Vec<DueEmail>> {
    let rows = sqlx::query(
        "SELECT n.id, u.email, u.display_name, n.kind, n.text, n.link, n.email_attempts
         FROM notifications n JOIN users u ON u.id = n.user_id
         WHERE (n.email_state = 'due' OR (n.email_state = 'sending' AND n.email_claimed_at < $1))
           AND u.disabled = 0
         ORDER BY n.created_at, n.id LIMIT $2",
    )
    .bind(stale_before)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut claimed = Vec::new();
    for row in rows {
        let due = DueEmail {
            id: row.try_get(0)?,
            to: row.try_get(1)?,
            name: row.try_get(2)?,
            kind: row.try_get(3)?,
            text: row.try_get(4)?,
            link: row.try_get(5)?,
            attempts: row.try_get(6)?,
        };
        let done = sqlx::query(
            "UPDATE notifications SET email_state = 'sending', email_claimed_at = $2
             WHERE id = $1 AND (email_state = 'due'
               OR (email_state = 'sending' AND email_claimed_at < $3))",
        )
        .bind(&due.id)
        .bind(now)
        .bind(stale_before)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            claimed.push(due);
        }
    }
    Ok(claimed)
}

pub async fn email_sent(conn: &mut AnyConnection, id: &str) -> Result<()> {
    sqlx::query(
        "UPDATE notifications SET email_state = 'sent', email_attempts = email_attempts + 1,
         email_error = NULL WHERE id = $1",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a failed send: back in the queue, or `failed` when `give_up`.
pub async fn email_not_sent(
    conn: &mut AnyConnection,
    id: &str,
    error: &str,
    give_up: bool,
) -> Result<()> {
    sqlx::query(
        "UPDATE notifications SET email_state = $2, email_attempts = email_attempts + 1,
         email_error = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(if give_up { "failed" } else { "due" })
    .bind(error)
    .execute(conn)
    .await?;
    Ok(())
}

/// Emails not (yet) sent because a send failed, since `since`: how many, and the latest
/// reason — what the administrator sees on the settings page.
pub async fn email_failures_since(
    conn: &mut AnyConnection,
    since: &str,
) -> Result<(i64, Option<String>)> {
    let row = sqlx::query(
        "SELECT COUNT(*) FROM notifications
         WHERE email_error IS NOT NULL AND email_state IN ('due', 'failed') AND created_at >= $1",
    )
    .bind(since)
    .fetch_one(&mut *conn)
    .await?;
    let count: i64 = row.try_get(0)?;
    let last = sqlx::query(
        "SELECT email_error FROM notifications
         WHERE email_error IS NOT NULL AND email_state IN ('due', 'failed') AND created_at >= $1
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(since)
    .fetch_optional(conn)
    .await?;
    Ok((count, last.map(|r| r.try_get(0)).transpose()?))
}

/// The active accounts of a member of staff (usually one).
pub async fn accounts_of_staff(conn: &mut AnyConnection, staff_id: &str) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT id FROM users WHERE staff_id = $1 AND disabled = 0 ORDER BY id")
        .bind(staff_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// The active manager accounts of a practice (its practice managers) or a PCN (its PCN
/// managers): `org_code` is the ODS or PCN code.
pub async fn managers_of(conn: &mut AnyConnection, org_code: &str) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT id FROM users WHERE org_code = $1 AND disabled = 0
         AND role IN ('practice_manager', 'pcn_manager') ORDER BY id",
    )
    .bind(org_code)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}
