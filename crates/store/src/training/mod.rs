//! Training topics (the catalogue of a PCN or practice), training records, their evidence
//! files and the reminders already sent.
use crate::register::{StaffFilter, StaffScope, scope_condition};
use crate::{Result, StoreError, corrupt, parse_date, parse_optional_date};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use domain::role::Role;
use domain::training::{RecordDraft, TopicDraft, roles_from_code};
use sqlx::{AnyConnection, Row, any::AnyRow};

pub mod chase;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TopicRecord {
    pub id: String,
    /// The PCN code or practice ODS code whose catalogue holds it.
    pub owner_code: String,
    /// The default it was seeded from, if any.
    pub default_key: Option<String>,
    pub topic: TopicDraft,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TrainingRecord {
    pub id: String,
    pub staff_id: String,
    pub draft: RecordDraft,
    pub evidence: Option<EvidenceMeta>,
    pub added_by: String,
    pub added_at: String,
    pub verified_by: Option<String>,
    pub verified_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EvidenceMeta {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
}

/// Adds a topic; a default already seeded for the owner is left alone. Returns whether a
/// row was written.
pub async fn insert_topic(
    conn: &mut AnyConnection,
    id: &str,
    owner_code: &str,
    default_key: Option<&str>,
    topic: &TopicDraft,
    now: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO training_topics (id, owner_code, default_key, name, level, roles, renewal_months,
                                      evidence_required, source, retired, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10) ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(owner_code)
    .bind(default_key)
    .bind(&topic.name)
    .bind(&topic.level)
    .bind(topic.roles_code())
    .bind(topic.renewal_months.map(i64::from))
    .bind(i64::from(topic.evidence_required))
    .bind(&topic.source)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn update_topic(conn: &mut AnyConnection, id: &str, topic: &TopicDraft) -> Result<()> {
    let done = sqlx::query(
        "UPDATE training_topics SET name = $2, level = $3, roles = $4, renewal_months = $5,
                evidence_required = $6, source = $7 WHERE id = $1",
    )
    .bind(id)
    .bind(&topic.name)
    .bind(&topic.level)
    .bind(topic.roles_code())
    .bind(topic.renewal_months.map(i64::from))
    .bind(i64::from(topic.evidence_required))
    .bind(&topic.source)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Takes a topic out of the catalogue; its records are kept.
pub async fn retire_topic(conn: &mut AnyConnection, id: &str) -> Result<()> {
    let done = sqlx::query("UPDATE training_topics SET retired = 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

const TOPIC_COLUMNS: &str =
    "id, owner_code, default_key, name, level, roles, renewal_months, evidence_required, source";

fn topic_from_row(row: &AnyRow) -> Result<TopicRecord> {
    let roles: String = row.try_get(5)?;
    let renewal: Option<i64> = row.try_get(6)?;
    let evidence: i64 = row.try_get(7)?;
    Ok(TopicRecord {
        id: row.try_get(0)?,
        owner_code: row.try_get(1)?,
        default_key: row.try_get(2)?,
        topic: TopicDraft {
            name: row.try_get(3)?,
            level: row.try_get(4)?,
            roles: roles_from_code(&roles).map_err(corrupt)?,
            renewal_months: renewal.map(u32::try_from).transpose().map_err(corrupt)?,
            evidence_required: evidence != 0,
            source: row.try_get(8)?,
        },
    })
}

/// The current topics of the given owners, in catalogue order (name, then level).
pub async fn list_topics(conn: &mut AnyConnection, owners: &[String]) -> Result<Vec<TopicRecord>> {
    if owners.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=owners.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT {TOPIC_COLUMNS} FROM training_topics WHERE retired = 0 AND owner_code IN ({})
         ORDER BY name, level, id",
        marks.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for owner in owners {
        query = query.bind(owner);
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(topic_from_row)
        .collect()
}

/// Whether the owner has any topic, retired or not (a catalogue once seeded stays).
pub async fn has_catalogue(conn: &mut AnyConnection, owner: &str) -> Result<bool> {
    let row = sqlx::query("SELECT COUNT(*) FROM training_topics WHERE owner_code = $1")
        .bind(owner)
        .fetch_one(conn)
        .await?;
    Ok(row.try_get::<i64, _>(0)? > 0)
}

pub async fn get_topic(conn: &mut AnyConnection, id: &str) -> Result<Option<TopicRecord>> {
    let sql = format!("SELECT {TOPIC_COLUMNS} FROM training_topics WHERE id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(topic_from_row)
        .transpose()
}

/// Stores an evidence file (base64 in a text column, which both databases hold alike).
pub async fn insert_evidence(
    conn: &mut AnyConnection,
    meta: &EvidenceMeta,
    staff_id: &str,
    bytes: &[u8],
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO evidence_files (id, staff_id, file_name, content_type, size_bytes, content_base64, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&meta.id)
    .bind(staff_id)
    .bind(&meta.file_name)
    .bind(&meta.content_type)
    .bind(meta.size_bytes)
    .bind(STANDARD.encode(bytes))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// An evidence file with its owner's staff id and its bytes.
pub async fn get_evidence(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<(EvidenceMeta, String, Vec<u8>)>> {
    let row = sqlx::query(
        "SELECT id, file_name, content_type, size_bytes, staff_id, content_base64 FROM evidence_files WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        let text: String = r.try_get(5)?;
        Ok((
            EvidenceMeta {
                id: r.try_get(0)?,
                file_name: r.try_get(1)?,
                content_type: r.try_get(2)?,
                size_bytes: r.try_get(3)?,
            },
            r.try_get(4)?,
            STANDARD.decode(text).map_err(corrupt)?,
        ))
    })
    .transpose()
}

pub async fn insert_record(
    conn: &mut AnyConnection,
    id: &str,
    staff_id: &str,
    draft: &RecordDraft,
    evidence_id: Option<&str>,
    added_by: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO training_records (id, staff_id, topic_id, completed_on, provider, hours, evidence_id, added_by, added_at, expires_on)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(staff_id)
    .bind(&draft.topic_id)
    .bind(draft.completed_on.to_string())
    .bind(&draft.provider)
    .bind(draft.hours)
    .bind(evidence_id)
    .bind(added_by)
    .bind(now)
    .bind(draft.expires_on.map(|d| d.to_string()))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn verify_record(
    conn: &mut AnyConnection,
    id: &str,
    verified_by: &str,
    now: &str,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE training_records SET verified_by = $2, verified_at = $3 WHERE id = $1 AND verified_at IS NULL",
    )
    .bind(id)
    .bind(verified_by)
    .bind(now)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

const RECORD_COLUMNS: &str =
    "r.id, r.staff_id, r.topic_id, r.completed_on, r.provider, r.hours, r.added_by, r.added_at,
     r.verified_by, r.verified_at, e.id, e.file_name, e.content_type, e.size_bytes, r.expires_on";

fn record_from_row(row: &AnyRow) -> Result<TrainingRecord> {
    let completed: String = row.try_get(3)?;
    let evidence_id: Option<String> = row.try_get(10)?;
    let evidence = match evidence_id {
        Some(id) => Some(EvidenceMeta {
            id,
            file_name: row.try_get(11)?,
            content_type: row.try_get(12)?,
            size_bytes: row.try_get(13)?,
        }),
        None => None,
    };
    Ok(TrainingRecord {
        id: row.try_get(0)?,
        staff_id: row.try_get(1)?,
        draft: RecordDraft {
            topic_id: row.try_get(2)?,
            completed_on: parse_date(&completed)?,
            provider: row.try_get(4)?,
            hours: row.try_get(5)?,
            expires_on: crate::parse_optional_date(row.try_get(14)?)?,
        },
        evidence,
        added_by: row.try_get(6)?,
        added_at: row.try_get(7)?,
        verified_by: row.try_get(8)?,
        verified_at: row.try_get(9)?,
    })
}

/// The records of everyone in a scope, newest completion first.
pub async fn list_records(
    conn: &mut AnyConnection,
    scope: StaffScope<'_>,
) -> Result<Vec<TrainingRecord>> {
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM training_records r LEFT JOIN evidence_files e ON e.id = r.evidence_id
         WHERE r.staff_id IN ({}) ORDER BY r.staff_id, r.completed_on DESC, r.added_at DESC",
        scope.ids_sql()
    );
    sqlx::query(&sql)
        .bind(scope.key())
        .fetch_all(conn)
        .await?
        .iter()
        .map(record_from_row)
        .collect()
}

/// One person as the compliance matrix needs them, with what they have completed.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixPerson {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
    /// The PCN that employs them, when a PCN does.
    pub employer_pcn: Option<String>,
    /// The practices they work at (by ODS code), each with its PCN.
    pub practices: Vec<(String, Option<String>)>,
    pub records: Vec<RecordBrief>,
}

/// What the matrix needs of one training record.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordBrief {
    pub topic_id: String,
    pub completed_on: chrono::NaiveDate,
    pub expires_on: Option<chrono::NaiveDate>,
    /// When it was added (RFC 3339), to choose between two completions on the same day.
    pub added_at: String,
    pub verified: bool,
}

/// The people of a scope, narrowed by a filter and ordered by name, each with their
/// practices and training records — one row a person: the practices and the records come
/// packed into one text each (ids, codes, dates and times hold none of the separators), so a
/// 1,000-person PCN is read as 1,000 rows rather than the 12,000 of its records.
pub async fn matrix_people(
    conn: &mut AnyConnection,
    scope: StaffScope<'_>,
    filter: &StaffFilter,
) -> Result<Vec<MatrixPerson>> {
    let (condition, binds) = scope_condition(scope, filter);
    let sql = format!(
        "SELECT s.id, s.name, s.email, s.role, s.employer_kind, s.employer_code,
           (SELECT string_agg(sp.ods_code || ':' || COALESCE(p.pcn_code, ''), ',')
              FROM staff_practices sp JOIN practices p ON p.ods_code = sp.ods_code
              WHERE sp.staff_id = s.id),
           (SELECT string_agg(r.topic_id || '|' || r.completed_on || '|' || COALESCE(r.expires_on, '')
                     || '|' || r.added_at || '|' || CASE WHEN r.verified_at IS NULL THEN '0' ELSE '1' END, ',')
              FROM training_records r WHERE r.staff_id = s.id)
         FROM staff s WHERE {condition} ORDER BY s.name, s.id"
    );
    let mut query = sqlx::query(&sql);
    for bind in &binds {
        query = query.bind(bind);
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(matrix_person_from_row)
        .collect()
}

fn matrix_person_from_row(row: &AnyRow) -> Result<MatrixPerson> {
    let role: String = row.try_get(3)?;
    let employer_kind: String = row.try_get(4)?;
    let employer_code: String = row.try_get(5)?;
    let practices: Option<String> = row.try_get(6)?;
    let records: Option<String> = row.try_get(7)?;
    let practices = practices
        .iter()
        .flat_map(|packed| packed.split(','))
        .map(|item| {
            let (ods, pcn) = item
                .split_once(':')
                .ok_or_else(|| corrupt(format!("practice link '{item}'")))?;
            Ok((
                ods.to_string(),
                Some(pcn.to_string()).filter(|p| !p.is_empty()),
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    // `string_agg` keeps no order: sort, so exports list a person's practices alike each time.
    let mut practices = practices;
    practices.sort();
    let records = records
        .iter()
        .flat_map(|packed| packed.split(','))
        .map(|item| match item.split('|').collect::<Vec<_>>()[..] {
            [topic_id, completed_on, expires_on, added_at, verified] => Ok(RecordBrief {
                topic_id: topic_id.to_string(),
                completed_on: parse_date(completed_on)?,
                expires_on: parse_optional_date(Some(expires_on.to_string()))?,
                added_at: added_at.to_string(),
                verified: verified == "1",
            }),
            _ => Err(corrupt(format!("training record '{item}'"))),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(MatrixPerson {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        email: row.try_get(2)?,
        role: Role::parse(&role).map_err(corrupt)?,
        employer_pcn: (employer_kind == "pcn").then_some(employer_code),
        practices,
        records,
    })
}

pub async fn get_record(conn: &mut AnyConnection, id: &str) -> Result<Option<TrainingRecord>> {
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM training_records r LEFT JOIN evidence_files e ON e.id = r.evidence_id
         WHERE r.id = $1"
    );
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(record_from_row)
        .transpose()
}

/// Claims a reminder before it is sent, so two processes never send the same one.
/// Returns false when it was already claimed.
pub async fn claim_reminder(
    conn: &mut AnyConnection,
    kind: &str,
    recipient: &str,
    about: &str,
    now: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO reminders_sent (kind, recipient, about, sent_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(kind)
    .bind(recipient)
    .bind(about)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives a claim back when the message could not be sent, so the next run tries again.
pub async fn release_reminder(
    conn: &mut AnyConnection,
    kind: &str,
    recipient: &str,
    about: &str,
) -> Result<()> {
    sqlx::query("DELETE FROM reminders_sent WHERE kind = $1 AND recipient = $2 AND about = $3")
        .bind(kind)
        .bind(recipient)
        .bind(about)
        .execute(conn)
        .await?;
    Ok(())
}
