//! CPD entries, appraisal and revalidation dates, coaching programmes (enrolments, sessions,
//! the coachee's notes) and development goals.
//!
//! Coaching notes live in their own table and are read only by [`get_note`]; no other query
//! here selects them, so a listing of sessions never carries a note.
use crate::{Result, StoreError, corrupt, parse_date};
use domain::development::{
    Attendance, CpdDraft, GoalDraft, GoalStatus, ProfessionalDates, ProgrammeDraft, SessionDraft,
};
use sqlx::{AnyConnection, Row, any::AnyRow};

fn optional_date(text: Option<String>) -> Result<Option<chrono::NaiveDate>> {
    text.as_deref().map(parse_date).transpose()
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CpdEntry {
    pub id: String,
    pub staff_id: String,
    pub draft: CpdDraft,
}

pub async fn insert_cpd(
    conn: &mut AnyConnection,
    id: &str,
    staff_id: &str,
    draft: &CpdDraft,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO cpd_entries (id, staff_id, done_on, activity, hours, reflection, added_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(staff_id)
    .bind(draft.done_on.to_string())
    .bind(&draft.activity)
    .bind(draft.hours)
    .bind(&draft.reflection)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A person's CPD, newest first.
pub async fn list_cpd(conn: &mut AnyConnection, staff_id: &str) -> Result<Vec<CpdEntry>> {
    sqlx::query(
        "SELECT id, staff_id, done_on, activity, hours, reflection FROM cpd_entries
         WHERE staff_id = $1 ORDER BY done_on DESC, added_at DESC",
    )
    .bind(staff_id)
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        let done: String = r.try_get(2)?;
        Ok(CpdEntry {
            id: r.try_get(0)?,
            staff_id: r.try_get(1)?,
            draft: CpdDraft {
                done_on: parse_date(&done)?,
                activity: r.try_get(3)?,
                hours: r.try_get(4)?,
                reflection: r.try_get(5)?,
            },
        })
    })
    .collect()
}

pub async fn get_dates(conn: &mut AnyConnection, staff_id: &str) -> Result<ProfessionalDates> {
    let row = sqlx::query(
        "SELECT appraisal_due, revalidation_due FROM professional_dates WHERE staff_id = $1",
    )
    .bind(staff_id)
    .fetch_optional(conn)
    .await?;
    match row {
        None => Ok(ProfessionalDates::default()),
        Some(r) => Ok(ProfessionalDates {
            appraisal_due: optional_date(r.try_get(0)?)?,
            revalidation_due: optional_date(r.try_get(1)?)?,
        }),
    }
}

pub async fn set_dates(
    conn: &mut AnyConnection,
    staff_id: &str,
    dates: &ProfessionalDates,
    updated_by: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO professional_dates (staff_id, appraisal_due, revalidation_due, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (staff_id) DO UPDATE SET appraisal_due = excluded.appraisal_due,
             revalidation_due = excluded.revalidation_due, updated_by = excluded.updated_by,
             updated_at = excluded.updated_at",
    )
    .bind(staff_id)
    .bind(dates.appraisal_due.map(|d| d.to_string()))
    .bind(dates.revalidation_due.map(|d| d.to_string()))
    .bind(updated_by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A person with an email address and an appraisal or revalidation date on or before
/// `until` (and not before `from`).
#[derive(Debug, Clone, PartialEq)]
pub struct DueDates {
    pub staff_id: String,
    pub name: String,
    pub email: String,
    pub dates: ProfessionalDates,
}

pub async fn dates_due(
    conn: &mut AnyConnection,
    from: chrono::NaiveDate,
    until: chrono::NaiveDate,
) -> Result<Vec<DueDates>> {
    // Only people employed on `from` (today): a leaver or a future starter is not reminded.
    let (employed, binds) = crate::register::Employed::On(from).condition(3);
    let (from, until) = (from.to_string(), until.to_string());
    let sql = format!(
        "SELECT s.id, s.name, s.email, d.appraisal_due, d.revalidation_due
         FROM professional_dates d JOIN staff s ON s.id = d.staff_id
         WHERE s.email IS NOT NULL AND {employed}
           AND ((d.appraisal_due >= $1 AND d.appraisal_due <= $2)
             OR (d.revalidation_due >= $1 AND d.revalidation_due <= $2))
         ORDER BY s.id"
    );
    let mut query = sqlx::query(&sql).bind(&from).bind(&until);
    for bind in binds {
        query = query.bind(bind);
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok(DueDates {
                staff_id: r.try_get(0)?,
                name: r.try_get(1)?,
                email: r.try_get(2)?,
                dates: ProfessionalDates {
                    appraisal_due: optional_date(r.try_get(3)?)?,
                    revalidation_due: optional_date(r.try_get(4)?)?,
                },
            })
        })
        .collect()
}

// ---- Coaching ---------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Programme {
    pub id: String,
    pub pcn_code: String,
    pub draft: ProgrammeDraft,
}

pub async fn insert_programme(
    conn: &mut AnyConnection,
    id: &str,
    pcn_code: &str,
    draft: &ProgrammeDraft,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO coaching_programmes (id, pcn_code, name, description, sessions, minutes_per_session, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(pcn_code)
    .bind(&draft.name)
    .bind(&draft.description)
    .bind(i64::from(draft.sessions))
    .bind(i64::from(draft.minutes_per_session))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

fn programme_from_row(r: &AnyRow) -> Result<Programme> {
    let sessions: i64 = r.try_get(4)?;
    let minutes: i64 = r.try_get(5)?;
    Ok(Programme {
        id: r.try_get(0)?,
        pcn_code: r.try_get(1)?,
        draft: ProgrammeDraft {
            name: r.try_get(2)?,
            description: r.try_get(3)?,
            sessions: u32::try_from(sessions).map_err(corrupt)?,
            minutes_per_session: u32::try_from(minutes).map_err(corrupt)?,
        },
    })
}

const PROGRAMME_COLUMNS: &str = "id, pcn_code, name, description, sessions, minutes_per_session";

pub async fn list_programmes(conn: &mut AnyConnection, pcn_code: &str) -> Result<Vec<Programme>> {
    let sql = format!(
        "SELECT {PROGRAMME_COLUMNS} FROM coaching_programmes WHERE pcn_code = $1 ORDER BY name, id"
    );
    sqlx::query(&sql)
        .bind(pcn_code)
        .fetch_all(conn)
        .await?
        .iter()
        .map(programme_from_row)
        .collect()
}

pub async fn get_programme(conn: &mut AnyConnection, id: &str) -> Result<Option<Programme>> {
    let sql = format!("SELECT {PROGRAMME_COLUMNS} FROM coaching_programmes WHERE id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(programme_from_row)
        .transpose()
}

/// One person enrolled on a programme.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Enrolment {
    pub id: String,
    pub programme_id: String,
    pub staff_id: String,
    pub staff_name: String,
}

/// Enrols a person; enrolling them twice is a conflict.
pub async fn insert_enrolment(
    conn: &mut AnyConnection,
    id: &str,
    programme_id: &str,
    staff_id: &str,
    enrolled_by: &str,
    now: &str,
) -> Result<()> {
    let done = sqlx::query(
        "INSERT INTO coaching_enrolments (id, programme_id, staff_id, enrolled_by, enrolled_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(programme_id)
    .bind(staff_id)
    .bind(enrolled_by)
    .bind(now)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict(
            "this person is already enrolled on the programme".into(),
        ));
    }
    Ok(())
}

const ENROLMENT_SELECT: &str = "SELECT e.id, e.programme_id, e.staff_id, s.name
     FROM coaching_enrolments e JOIN staff s ON s.id = e.staff_id";

fn enrolment_from_row(r: &AnyRow) -> Result<Enrolment> {
    Ok(Enrolment {
        id: r.try_get(0)?,
        programme_id: r.try_get(1)?,
        staff_id: r.try_get(2)?,
        staff_name: r.try_get(3)?,
    })
}

/// Everyone enrolled on a PCN's programmes.
pub async fn list_enrolments_of_pcn(
    conn: &mut AnyConnection,
    pcn_code: &str,
) -> Result<Vec<Enrolment>> {
    let sql = format!(
        "{ENROLMENT_SELECT} JOIN coaching_programmes p ON p.id = e.programme_id
         WHERE p.pcn_code = $1 ORDER BY s.name, e.id"
    );
    sqlx::query(&sql)
        .bind(pcn_code)
        .fetch_all(conn)
        .await?
        .iter()
        .map(enrolment_from_row)
        .collect()
}

/// A person's enrolments.
pub async fn list_enrolments_of_staff(
    conn: &mut AnyConnection,
    staff_id: &str,
) -> Result<Vec<Enrolment>> {
    let sql = format!("{ENROLMENT_SELECT} WHERE e.staff_id = $1 ORDER BY e.enrolled_at, e.id");
    sqlx::query(&sql)
        .bind(staff_id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(enrolment_from_row)
        .collect()
}

pub async fn get_enrolment(conn: &mut AnyConnection, id: &str) -> Result<Option<Enrolment>> {
    let sql = format!("{ENROLMENT_SELECT} WHERE e.id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(enrolment_from_row)
        .transpose()
}

/// A booked session, without the coachee's note.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Session {
    pub id: String,
    pub enrolment_id: String,
    pub draft: SessionDraft,
    pub attendance: Option<Attendance>,
}

pub async fn insert_session(
    conn: &mut AnyConnection,
    id: &str,
    enrolment_id: &str,
    draft: &SessionDraft,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO coaching_sessions (id, enrolment_id, session_date, start_time, place, coach, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(enrolment_id)
    .bind(draft.date.to_string())
    .bind(draft.start_time.format("%H:%M").to_string())
    .bind(&draft.place)
    .bind(&draft.coach)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_attendance(
    conn: &mut AnyConnection,
    id: &str,
    attendance: Attendance,
) -> Result<()> {
    let done = sqlx::query("UPDATE coaching_sessions SET attendance = $2 WHERE id = $1")
        .bind(id)
        .bind(attendance.code())
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

const SESSION_COLUMNS: &str =
    "c.id, c.enrolment_id, c.session_date, c.start_time, c.place, c.coach, c.attendance";

fn session_from_row(r: &AnyRow) -> Result<Session> {
    let date: String = r.try_get(2)?;
    let time: String = r.try_get(3)?;
    let attendance: Option<String> = r.try_get(6)?;
    Ok(Session {
        id: r.try_get(0)?,
        enrolment_id: r.try_get(1)?,
        draft: SessionDraft {
            date: parse_date(&date)?,
            start_time: chrono::NaiveTime::parse_from_str(&time, "%H:%M").map_err(corrupt)?,
            place: r.try_get(4)?,
            coach: r.try_get(5)?,
        },
        attendance: attendance
            .as_deref()
            .map(Attendance::parse)
            .transpose()
            .map_err(corrupt)?,
    })
}

/// The sessions of the given enrolments, in date order.
pub async fn list_sessions(
    conn: &mut AnyConnection,
    enrolment_ids: &[String],
) -> Result<Vec<Session>> {
    if enrolment_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=enrolment_ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT {SESSION_COLUMNS} FROM coaching_sessions c WHERE c.enrolment_id IN ({})
         ORDER BY c.session_date, c.start_time, c.id",
        marks.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for id in enrolment_ids {
        query = query.bind(id);
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(session_from_row)
        .collect()
}

pub async fn get_session(conn: &mut AnyConnection, id: &str) -> Result<Option<Session>> {
    let sql = format!("SELECT {SESSION_COLUMNS} FROM coaching_sessions c WHERE c.id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(session_from_row)
        .transpose()
}

/// The coachee's note on a session. Only the app's coachee-only use cases call this.
pub async fn get_note(conn: &mut AnyConnection, session_id: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT note FROM coaching_notes WHERE session_id = $1")
        .bind(session_id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

pub async fn set_note(
    conn: &mut AnyConnection,
    session_id: &str,
    note: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO coaching_notes (session_id, note, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (session_id) DO UPDATE SET note = excluded.note, updated_at = excluded.updated_at",
    )
    .bind(session_id)
    .bind(note)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

// ---- Development plans -----------------------------------------------------------

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Goal {
    pub id: String,
    pub staff_id: String,
    pub draft: GoalDraft,
}

const GOAL_COLUMNS: &str =
    "id, staff_id, title, target_date, status, progress, topic_ids, enrolment_id";

fn goal_from_row(r: &AnyRow) -> Result<Goal> {
    let status: String = r.try_get(4)?;
    let topics: String = r.try_get(6)?;
    Ok(Goal {
        id: r.try_get(0)?,
        staff_id: r.try_get(1)?,
        draft: GoalDraft {
            title: r.try_get(2)?,
            target_date: optional_date(r.try_get(3)?)?,
            status: GoalStatus::parse(&status)
                .ok_or_else(|| corrupt(format!("goal status '{status}'")))?,
            progress: r.try_get(5)?,
            topic_ids: topics
                .split(';')
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            enrolment_id: r.try_get(7)?,
        },
    })
}

pub async fn insert_goal(
    conn: &mut AnyConnection,
    id: &str,
    staff_id: &str,
    draft: &GoalDraft,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO development_goals (id, staff_id, title, target_date, status, progress, topic_ids,
                                        enrolment_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(id)
    .bind(staff_id)
    .bind(&draft.title)
    .bind(draft.target_date.map(|d| d.to_string()))
    .bind(draft.status.code())
    .bind(&draft.progress)
    .bind(draft.topic_ids.join(";"))
    .bind(draft.enrolment_id.as_deref())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update_goal(
    conn: &mut AnyConnection,
    id: &str,
    draft: &GoalDraft,
    now: &str,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE development_goals SET title = $2, target_date = $3, status = $4, progress = $5,
                topic_ids = $6, enrolment_id = $7, updated_at = $8 WHERE id = $1",
    )
    .bind(id)
    .bind(&draft.title)
    .bind(draft.target_date.map(|d| d.to_string()))
    .bind(draft.status.code())
    .bind(&draft.progress)
    .bind(draft.topic_ids.join(";"))
    .bind(draft.enrolment_id.as_deref())
    .bind(now)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn list_goals(conn: &mut AnyConnection, staff_id: &str) -> Result<Vec<Goal>> {
    let sql = format!(
        "SELECT {GOAL_COLUMNS} FROM development_goals WHERE staff_id = $1 ORDER BY created_at, id"
    );
    sqlx::query(&sql)
        .bind(staff_id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(goal_from_row)
        .collect()
}

pub async fn get_goal(conn: &mut AnyConnection, id: &str) -> Result<Option<Goal>> {
    let sql = format!("SELECT {GOAL_COLUMNS} FROM development_goals WHERE id = $1");
    sqlx::query(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .as_ref()
        .map(goal_from_row)
        .transpose()
}

/// A coaching session booked for a person, with its programme's name and length, for the
/// rota (the time is taken).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BookedCoaching {
    pub staff_id: String,
    pub date: chrono::NaiveDate,
    pub start_time: chrono::NaiveTime,
    pub minutes: u32,
    pub programme: String,
}

/// The coaching sessions booked for these people from `from` to `to` (inclusive ISO
/// dates), by person, date and time.
pub async fn booked_coaching(
    conn: &mut AnyConnection,
    staff_ids: &[String],
    from: &str,
    to: &str,
) -> Result<Vec<BookedCoaching>> {
    if staff_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (3..staff_ids.len() + 3).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT e.staff_id, c.session_date, c.start_time, p.minutes_per_session, p.name
         FROM coaching_sessions c
         JOIN coaching_enrolments e ON e.id = c.enrolment_id
         JOIN coaching_programmes p ON p.id = e.programme_id
         WHERE c.session_date >= $1 AND c.session_date <= $2 AND e.staff_id IN ({})
         ORDER BY e.staff_id, c.session_date, c.start_time, c.id",
        marks.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(from).bind(to);
    for id in staff_ids {
        query = query.bind(id);
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            let date: String = r.try_get(1)?;
            let time: String = r.try_get(2)?;
            let minutes: i64 = r.try_get(3)?;
            Ok(BookedCoaching {
                staff_id: r.try_get(0)?,
                date: parse_date(&date)?,
                start_time: chrono::NaiveTime::parse_from_str(&time, "%H:%M").map_err(corrupt)?,
                minutes: u32::try_from(minutes).map_err(corrupt)?,
                programme: r.try_get(4)?,
            })
        })
        .collect()
}
