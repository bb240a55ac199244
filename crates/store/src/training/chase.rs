//! Training reminders a manager sends from the training matrix ("chasing"): one row a
//! person and topic, for the history and for not reminding anyone of a topic twice within
//! the interval.
use crate::Result;
use sqlx::{AnyConnection, Row};

/// One reminder to write.
#[derive(Debug, Clone, PartialEq)]
pub struct ReminderRow {
    pub id: String,
    pub batch_id: String,
    pub owner_code: String,
    pub staff_id: String,
    pub topic_id: String,
    /// `expiring` or `expired`.
    pub status: String,
    pub expires_on: Option<String>,
    pub sent_at: String,
    pub sent_by: String,
    pub emailed: bool,
}

pub async fn insert(conn: &mut AnyConnection, row: &ReminderRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO training_reminders (id, batch_id, owner_code, staff_id, topic_id, status,
         expires_on, sent_at, sent_by, emailed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&row.id)
    .bind(&row.batch_id)
    .bind(&row.owner_code)
    .bind(&row.staff_id)
    .bind(&row.topic_id)
    .bind(&row.status)
    .bind(&row.expires_on)
    .bind(&row.sent_at)
    .bind(&row.sent_by)
    .bind(i64::from(row.emailed))
    .execute(conn)
    .await?;
    Ok(())
}

/// The latest reminder since `since` of each (person, topic) reminded in that time,
/// whoever sent it: (staff id, topic id, sent at).
pub async fn reminded_since(
    conn: &mut AnyConnection,
    since: &str,
) -> Result<Vec<(String, String, String)>> {
    let rows = sqlx::query(
        "SELECT staff_id, topic_id, MAX(sent_at) FROM training_reminders WHERE sent_at >= $1
         GROUP BY staff_id, topic_id",
    )
    .bind(since)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// One line of the history: a person reminded of one topic.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HistoryRow {
    pub batch_id: String,
    pub sent_at: String,
    pub sent_by: String,
    pub staff_id: String,
    pub staff_name: String,
    pub topic: String,
    pub status: String,
    pub expires_on: Option<String>,
    pub emailed: bool,
}

/// The reminders sent from an organisation's matrix, newest first, at most `limit` rows.
pub async fn history(
    conn: &mut AnyConnection,
    owner_code: &str,
    limit: i64,
) -> Result<Vec<HistoryRow>> {
    let rows = sqlx::query(
        "SELECT r.batch_id, r.sent_at, u.display_name, r.staff_id, s.name, t.name, r.status,
         r.expires_on, r.emailed
         FROM training_reminders r
         JOIN staff s ON s.id = r.staff_id
         JOIN training_topics t ON t.id = r.topic_id
         JOIN users u ON u.id = r.sent_by
         WHERE r.owner_code = $1
         ORDER BY r.sent_at DESC, r.batch_id DESC, s.name, t.name LIMIT $2",
    )
    .bind(owner_code)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(HistoryRow {
                batch_id: r.try_get(0)?,
                sent_at: r.try_get(1)?,
                sent_by: r.try_get(2)?,
                staff_id: r.try_get(3)?,
                staff_name: r.try_get(4)?,
                topic: r.try_get(5)?,
                status: r.try_get(6)?,
                expires_on: r.try_get(7)?,
                emailed: r.try_get::<i64, _>(8)? != 0,
            })
        })
        .collect()
}
