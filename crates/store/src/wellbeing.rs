//! Wellbeing check-ins: questionnaires, anonymous answers, the answered-this-period
//! markers, and local support services.
//!
//! An answer row never names a person: `insert_pending` and `insert_answer` take no person
//! at all, and `mark_answered` takes no answer. While a period is open its answers are
//! sealed boxes in `wellbeing_pending` (random ids, written in a transaction of their own);
//! when it closes the app opens them and writes them with `insert_answer` in shuffled
//! order, so storage order (SQLite's rowid, PostgreSQL's ctid) says nothing about who
//! answered when. See docs/design/wellbeing-anonymity.md.
use crate::{Backend, Result, Store, corrupt, parse_date};
use domain::role::StaffGroup;
use domain::wellbeing::{Answers, CheckinSettings, MAX_QUESTIONS, StoredAnswer, SupportService};
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionnaireRecord {
    pub id: String,
    pub tenant_code: String,
    pub settings: CheckinSettings,
    pub created_at: String,
}

/// The questionnaire in use for a tenant, if one has been stored.
pub async fn active_questionnaire(
    conn: &mut AnyConnection,
    tenant_code: &str,
) -> Result<Option<QuestionnaireRecord>> {
    let row = sqlx::query(
        "SELECT id, tenant_code, questions_json, period_weeks, threshold, created_at
         FROM wellbeing_questionnaires WHERE tenant_code = $1 AND active = 1
         ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(tenant_code)
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        let questions: String = row.try_get(2)?;
        let weeks: i64 = row.try_get(3)?;
        let threshold: i64 = row.try_get(4)?;
        Ok(QuestionnaireRecord {
            id: row.try_get(0)?,
            tenant_code: row.try_get(1)?,
            settings: CheckinSettings {
                questions: serde_json::from_str(&questions).map_err(corrupt)?,
                period_weeks: u32::try_from(weeks).map_err(corrupt)?,
                threshold: u32::try_from(threshold).map_err(corrupt)?,
            },
            created_at: row.try_get(5)?,
        })
    })
    .transpose()
}

/// Stores a questionnaire (doing nothing if its id exists) and makes it the tenant's
/// active one.
pub async fn insert_questionnaire(
    conn: &mut AnyConnection,
    record: &QuestionnaireRecord,
) -> Result<()> {
    sqlx::query(
        "UPDATE wellbeing_questionnaires SET active = 0 WHERE tenant_code = $1 AND id <> $2",
    )
    .bind(&record.tenant_code)
    .bind(&record.id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO wellbeing_questionnaires (id, tenant_code, questions_json, period_weeks, threshold, active, created_at)
         VALUES ($1, $2, $3, $4, $5, 1, $6) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&record.id)
    .bind(&record.tenant_code)
    .bind(serde_json::to_string(&record.settings.questions).map_err(corrupt)?)
    .bind(i64::from(record.settings.period_weeks))
    .bind(i64::from(record.settings.threshold))
    .bind(&record.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Changes only the threshold of a questionnaire (its questions and periods stay).
pub async fn set_threshold(conn: &mut AnyConnection, id: &str, threshold: u32) -> Result<()> {
    sqlx::query("UPDATE wellbeing_questionnaires SET threshold = $2 WHERE id = $1")
        .bind(id)
        .bind(i64::from(threshold))
        .execute(conn)
        .await?;
    Ok(())
}

/// Records that a person has answered in the period starting `period_start`. Returns
/// `false` when they already had: the caller refuses the second answer.
pub async fn mark_answered(
    conn: &mut AnyConnection,
    staff_id: &str,
    period_start: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO wellbeing_answered (staff_id, period_start) VALUES ($1, $2)
         ON CONFLICT (staff_id, period_start) DO NOTHING",
    )
    .bind(staff_id)
    .bind(period_start)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn has_answered(
    conn: &mut AnyConnection,
    staff_id: &str,
    period_start: &str,
) -> Result<bool> {
    let row = sqlx::query(
        "SELECT COUNT(*) FROM wellbeing_answered WHERE staff_id = $1 AND period_start = $2",
    )
    .bind(staff_id)
    .bind(period_start)
    .fetch_one(conn)
    .await?;
    Ok(row.try_get::<i64, _>(0)? > 0)
}

const ANSWER_COLUMNS: &str = "id, questionnaire_id, period_start, practice_ods, staff_group, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, comment";

/// One answer row exactly as stored.
struct Row16 {
    id: String,
    questionnaire_id: String,
    period_start: String,
    practice_ods: String,
    staff_group: String,
    scores: [Option<i64>; MAX_QUESTIONS],
    comment: Option<String>,
}

async fn insert_row(conn: &mut AnyConnection, row: &Row16) -> Result<()> {
    let mut query = sqlx::query(
        "INSERT INTO wellbeing_answers (id, questionnaire_id, period_start, practice_ods, staff_group, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, comment)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(&row.id)
    .bind(&row.questionnaire_id)
    .bind(&row.period_start)
    .bind(&row.practice_ods)
    .bind(&row.staff_group);
    for score in row.scores {
        query = query.bind(score);
    }
    query.bind(&row.comment).execute(conn).await?;
    Ok(())
}

/// Stores one anonymous answer as a result, under a fresh random id. It takes nothing
/// that names a person: the practice and staff group are all a report needs. Called only
/// when a period closes, for its answers in shuffled order, all in one transaction (and by
/// the demo loader for past periods).
pub async fn insert_answer(
    conn: &mut AnyConnection,
    questionnaire_id: &str,
    period_start: &str,
    practice_ods: &str,
    staff_group: StaffGroup,
    answers: &Answers,
) -> Result<()> {
    let mut scores = [None; MAX_QUESTIONS];
    for (slot, score) in scores.iter_mut().zip(&answers.scores) {
        *slot = Some(i64::from(*score));
    }
    let row = Row16 {
        id: uuid::Uuid::new_v4().to_string(),
        questionnaire_id: questionnaire_id.to_string(),
        period_start: period_start.to_string(),
        practice_ods: practice_ods.to_string(),
        staff_group: staff_group.code().to_string(),
        scores,
        comment: answers.comment.clone(),
    };
    insert_row(conn, &row).await
}

/// Takes back a marker whose answer could not be stored, so the person may answer again.
pub async fn unmark_answered(
    conn: &mut AnyConnection,
    staff_id: &str,
    period_start: &str,
) -> Result<()> {
    sqlx::query("DELETE FROM wellbeing_answered WHERE staff_id = $1 AND period_start = $2")
        .bind(staff_id)
        .bind(period_start)
        .execute(conn)
        .await?;
    Ok(())
}

/// One sealed answer of an open period, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRow {
    pub id: String,
    pub questionnaire_id: String,
    pub period_start: String,
    pub sealed: String,
}

/// Stores one sealed answer of an open period under a random id. The box is opaque here:
/// the store never sees the practice, group, scores or comment inside it.
pub async fn insert_pending(
    conn: &mut AnyConnection,
    questionnaire_id: &str,
    period_start: &str,
    sealed: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO wellbeing_pending (id, questionnaire_id, period_start, sealed) VALUES ($1, $2, $3, $4)",
    )
    .bind(uuid::Uuid::new_v4().simple().to_string())
    .bind(questionnaire_id)
    .bind(period_start)
    .bind(sealed)
    .execute(conn)
    .await?;
    Ok(())
}

/// The (questionnaire, period start, period weeks) of every period holding sealed answers.
pub async fn pending_periods(conn: &mut AnyConnection) -> Result<Vec<(String, String, u32)>> {
    let rows = sqlx::query(
        "SELECT DISTINCT p.questionnaire_id, p.period_start, q.period_weeks
         FROM wellbeing_pending p JOIN wellbeing_questionnaires q ON q.id = p.questionnaire_id
         ORDER BY p.questionnaire_id, p.period_start",
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            let weeks: i64 = row.try_get(2)?;
            Ok((
                row.try_get(0)?,
                row.try_get(1)?,
                u32::try_from(weeks).map_err(corrupt)?,
            ))
        })
        .collect()
}

/// The sealed answers of one period, in the order of their random ids.
pub async fn pending(
    conn: &mut AnyConnection,
    questionnaire_id: &str,
    period_start: &str,
) -> Result<Vec<PendingRow>> {
    let rows = sqlx::query(
        "SELECT id, questionnaire_id, period_start, sealed FROM wellbeing_pending
         WHERE questionnaire_id = $1 AND period_start = $2 ORDER BY id",
    )
    .bind(questionnaire_id)
    .bind(period_start)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(PendingRow {
                id: row.try_get(0)?,
                questionnaire_id: row.try_get(1)?,
                period_start: row.try_get(2)?,
                sealed: row.try_get(3)?,
            })
        })
        .collect()
}

/// Deletes one sealed answer; `false` when another process took it first (so it is
/// published once, however many processes close the period).
pub async fn take_pending(conn: &mut AnyConnection, id: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM wellbeing_pending WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The answers to a questionnaire at some practices (all of the questionnaire's when
/// `practices` is empty), by period.
pub async fn answers(
    conn: &mut AnyConnection,
    questionnaire_id: &str,
    practices: &[String],
) -> Result<Vec<StoredAnswer>> {
    let rows = sqlx::query(&format!(
        "SELECT {ANSWER_COLUMNS} FROM wellbeing_answers WHERE questionnaire_id = $1 ORDER BY period_start, id"
    ))
    .bind(questionnaire_id)
    .fetch_all(conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let practice: String = row.try_get(3)?;
        if !practices.is_empty() && !practices.contains(&practice) {
            continue;
        }
        let period: String = row.try_get(2)?;
        let group: String = row.try_get(4)?;
        let mut scores = Vec::new();
        for i in 0..MAX_QUESTIONS {
            if let Some(score) = row.try_get::<Option<i64>, _>(5 + i)? {
                scores.push(u8::try_from(score).map_err(corrupt)?);
            }
        }
        out.push(StoredAnswer {
            period_start: parse_date(&period)?,
            practice_ods: practice,
            staff_group: StaffGroup::parse(&group)
                .ok_or_else(|| corrupt(format!("staff group '{group}'")))?,
            answers: Answers {
                scores,
                comment: row.try_get(15)?,
            },
        });
    }
    Ok(out)
}

/// A local support service as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServiceRecord {
    pub id: String,
    pub tenant_code: String,
    pub service: SupportService,
}

pub async fn insert_service(
    conn: &mut AnyConnection,
    id: &str,
    tenant_code: &str,
    service: &SupportService,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO support_services (id, tenant_code, name, description, contact, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(tenant_code)
    .bind(&service.name)
    .bind(&service.description)
    .bind(&service.contact)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn services(conn: &mut AnyConnection, tenant_code: &str) -> Result<Vec<ServiceRecord>> {
    let rows = sqlx::query(
        "SELECT id, tenant_code, name, description, contact FROM support_services
         WHERE tenant_code = $1 ORDER BY name, id",
    )
    .bind(tenant_code)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(ServiceRecord {
                id: row.try_get(0)?,
                tenant_code: row.try_get(1)?,
                service: SupportService {
                    name: row.try_get(2)?,
                    description: row.try_get(3)?,
                    contact: row.try_get(4)?,
                    local: true,
                },
            })
        })
        .collect()
}

/// Removes a tenant's service; `NotFound` when the tenant has no such service.
pub async fn delete_service(conn: &mut AnyConnection, tenant_code: &str, id: &str) -> Result<()> {
    let done = sqlx::query("DELETE FROM support_services WHERE id = $1 AND tenant_code = $2")
        .bind(id)
        .bind(tenant_code)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(())
}

/// The column names of a table, as the database reports them (for the anonymity tests).
pub async fn table_columns(store: &Store, table: &str) -> Result<Vec<String>> {
    let mut conn = store.conn().await?;
    let rows = match store.backend() {
        Backend::Sqlite => {
            sqlx::query("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                .bind(table)
                .fetch_all(&mut *conn)
                .await?
        }
        Backend::Postgres => {
            sqlx::query(
                "SELECT CAST(column_name AS TEXT) FROM information_schema.columns
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    rows.into_iter()
        .map(|r| Ok(r.try_get::<String, _>(0)?))
        .collect()
}

/// The ids of a wellbeing table (`wellbeing_answers` or `wellbeing_pending`) in storage
/// order (SQLite's rowid, PostgreSQL's ctid), for the tests that storage order does not
/// follow answering order.
pub async fn ids_in_storage_order(store: &Store, table: &str) -> Result<Vec<String>> {
    let table = match table {
        "wellbeing_answers" => "wellbeing_answers",
        "wellbeing_pending" => "wellbeing_pending",
        other => return Err(corrupt(format!("not a wellbeing table: {other}"))),
    };
    let mut conn = store.conn().await?;
    let order = match store.backend() {
        Backend::Sqlite => "rowid",
        Backend::Postgres => "ctid",
    };
    let rows = sqlx::query(&format!("SELECT id FROM {table} ORDER BY {order}"))
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter()
        .map(|r| Ok(r.try_get::<String, _>(0)?))
        .collect()
}
