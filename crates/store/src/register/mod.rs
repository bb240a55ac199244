//! The team register: people, their contracts, and the practices and sites they work at.
use crate::{Result, StoreError, corrupt, like_pattern, parse_date, parse_optional_date};
use chrono::NaiveDate;
use domain::org::{Employer, OdsCode};
use domain::role::Role;
use domain::staff::{Employment, StaffDraft, parse_list};
use sqlx::{AnyConnection, Row, any::AnyRow};
use std::collections::BTreeMap;

pub mod leavers;
pub mod person_data;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StaffRecord {
    pub id: String,
    pub draft: StaffDraft,
    pub site_ids: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// Which people to list.
#[derive(Debug, Clone, Copy)]
pub enum StaffScope<'a> {
    /// Everyone who works at the practice, whoever employs them.
    WorksAt(&'a str),
    /// Everyone employed by the PCN or working at one of its member practices.
    Pcn(&'a str),
    /// Everyone in the PCNs of a system.
    Ics(&'a str),
    /// One person.
    Id(&'a str),
}

impl StaffScope<'_> {
    pub(crate) fn ids_sql(&self) -> &'static str {
        match self {
            StaffScope::WorksAt(_) => "SELECT staff_id FROM staff_practices WHERE ods_code = $1",
            StaffScope::Pcn(_) => {
                "SELECT id FROM staff WHERE employer_kind = 'pcn' AND employer_code = $1
                 UNION SELECT sp.staff_id FROM staff_practices sp JOIN practices p ON p.ods_code = sp.ods_code WHERE p.pcn_code = $1"
            }
            StaffScope::Ics(_) => {
                "SELECT sp.staff_id FROM staff_practices sp JOIN practices p ON p.ods_code = sp.ods_code
                 JOIN pcns c ON c.code = p.pcn_code WHERE c.ics_code = $1"
            }
            StaffScope::Id(_) => "SELECT id FROM staff WHERE id = $1",
        }
    }

    pub(crate) fn key(&self) -> &str {
        match self {
            StaffScope::WorksAt(k)
            | StaffScope::Pcn(k)
            | StaffScope::Ics(k)
            | StaffScope::Id(k) => k,
        }
    }
}

/// Optional narrowing of a list, as a manager filters the staff page.
#[derive(Debug, Clone, Default)]
pub struct StaffFilter {
    /// Part of the name or email, any case.
    pub search: Option<String>,
    pub role: Option<Role>,
    pub staff_group: Option<domain::role::StaffGroup>,
    pub employer_kind: Option<String>,
    /// Whom to keep by their start and end dates; `None` keeps everyone, leavers too.
    pub employed: Option<Employed>,
}

impl StaffFilter {
    /// The people employed on `day`: what "the team" means on a page or report about it.
    pub fn employed_on(day: NaiveDate) -> StaffFilter {
        StaffFilter {
            employed: Some(Employed::On(day)),
            ..StaffFilter::default()
        }
    }

    /// The people employed on any day from `from` to `to`.
    pub fn employed_during(from: NaiveDate, to: NaiveDate) -> StaffFilter {
        StaffFilter {
            employed: Some(Employed::During(from, to)),
            ..StaffFilter::default()
        }
    }
}

/// The people to keep by their start and end dates: `StaffDraft::employment_on` in SQL
/// (dates are stored as `YYYY-MM-DD`, so text order is date order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Employed {
    /// Employed on the day.
    On(NaiveDate),
    /// Employed on any day from the first to the second.
    During(NaiveDate, NaiveDate),
    /// On the day, in this standing: current, starting later, or left.
    Standing(Employment, NaiveDate),
}

impl Employed {
    /// The condition on `staff s`, with the binds it needs numbered from `next`.
    pub(crate) fn condition(self, next: usize) -> (String, Vec<String>) {
        let (a, b) = (next, next + 1);
        let during = |from: NaiveDate, to: NaiveDate| {
            (
                format!("s.start_date <= ${b} AND (s.end_date IS NULL OR s.end_date >= ${a})"),
                vec![from.to_string(), to.to_string()],
            )
        };
        match self {
            Employed::On(day) | Employed::Standing(Employment::Current, day) => during(day, day),
            Employed::During(from, to) => during(from, to),
            Employed::Standing(Employment::Starting, day) => {
                (format!("s.start_date > ${a}"), vec![day.to_string()])
            }
            Employed::Standing(Employment::Left, day) => (
                format!("s.end_date IS NOT NULL AND s.end_date < ${a}"),
                vec![day.to_string()],
            ),
        }
    }
}

async fn write_links(
    conn: &mut AnyConnection,
    id: &str,
    draft: &StaffDraft,
    site_ids: &[String],
) -> Result<()> {
    sqlx::query("DELETE FROM staff_practices WHERE staff_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM staff_sites WHERE staff_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for ods in &draft.practices {
        sqlx::query("INSERT INTO staff_practices (staff_id, ods_code) VALUES ($1, $2)")
            .bind(id)
            .bind(ods.as_str())
            .execute(&mut *conn)
            .await?;
    }
    for site in site_ids {
        sqlx::query("INSERT INTO staff_sites (staff_id, site_id) VALUES ($1, $2)")
            .bind(id)
            .bind(site)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Binds `$1`–`$14` of an insert or update of a person: id, the draft's fields, the time.
fn bind_person<'q>(
    sql: &'q str,
    id: &'q str,
    draft: &'q StaffDraft,
    now: &'q str,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    sqlx::query(sql)
        .bind(id)
        .bind(&draft.name)
        .bind(&draft.email)
        .bind(&draft.phone)
        .bind(draft.role.code())
        .bind(draft.role.staff_group().code())
        .bind(draft.employer.kind())
        .bind(draft.employer.code())
        .bind(draft.wte)
        .bind(draft.sessions_per_week)
        .bind(draft.skills.join(";"))
        .bind(draft.start_date.to_string())
        .bind(draft.end_date.map(|d| d.to_string()))
        .bind(now)
}

/// Adds a person. The caller runs this inside a transaction with the audit row.
pub async fn insert(
    conn: &mut AnyConnection,
    id: &str,
    draft: &StaffDraft,
    site_ids: &[String],
    now: &str,
) -> Result<()> {
    let sql = "INSERT INTO staff (id, name, email, phone, role, staff_group, employer_kind, employer_code, wte,
                sessions_per_week, skills, start_date, end_date, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)";
    bind_person(sql, id, draft, now).execute(&mut *conn).await?;
    write_links(conn, id, draft, site_ids).await
}

/// Replaces a person's details, practices and sites.
pub async fn update(
    conn: &mut AnyConnection,
    id: &str,
    draft: &StaffDraft,
    site_ids: &[String],
    now: &str,
) -> Result<()> {
    let sql = "UPDATE staff SET name = $2, email = $3, phone = $4, role = $5, staff_group = $6, employer_kind = $7,
                employer_code = $8, wte = $9, sessions_per_week = $10, skills = $11, start_date = $12, end_date = $13,
                updated_at = $14
         WHERE id = $1";
    let done = bind_person(sql, id, draft, now).execute(&mut *conn).await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    write_links(conn, id, draft, site_ids).await
}

/// Changes only the contact details a person may edit themselves.
pub async fn update_contact(
    conn: &mut AnyConnection,
    id: &str,
    email: Option<&str>,
    phone: Option<&str>,
    now: &str,
) -> Result<()> {
    let done =
        sqlx::query("UPDATE staff SET email = $2, phone = $3, updated_at = $4 WHERE id = $1")
            .bind(id)
            .bind(email)
            .bind(phone)
            .bind(now)
            .execute(conn)
            .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

const COLUMNS: &str = "s.id, s.name, s.email, s.phone, s.role, s.employer_kind, s.employer_code, s.wte, s.sessions_per_week,
                       s.skills, s.start_date, s.end_date, s.created_at, s.updated_at";

fn from_row(row: &AnyRow, practices: Vec<OdsCode>, site_ids: Vec<String>) -> Result<StaffRecord> {
    let role: String = row.try_get(4)?;
    let kind: String = row.try_get(5)?;
    let code: String = row.try_get(6)?;
    let skills: String = row.try_get(9)?;
    let start: String = row.try_get(10)?;
    Ok(StaffRecord {
        id: row.try_get(0)?,
        draft: StaffDraft {
            name: row.try_get(1)?,
            email: row.try_get(2)?,
            phone: row.try_get(3)?,
            role: Role::parse(&role).map_err(corrupt)?,
            employer: Employer::parse(&kind, &code).map_err(corrupt)?,
            wte: row.try_get(7)?,
            sessions_per_week: row.try_get(8)?,
            skills: parse_list(&skills),
            start_date: parse_date(&start)?,
            end_date: parse_optional_date(row.try_get(11)?)?,
            practices,
        },
        site_ids,
        created_at: row.try_get(12)?,
        updated_at: row.try_get(13)?,
    })
}

/// The condition on `staff s` that keeps a scope's people narrowed by a filter, and its
/// binds (`$1` is the scope's key).
pub(crate) fn scope_condition(
    scope: StaffScope<'_>,
    filter: &StaffFilter,
) -> (String, Vec<String>) {
    let mut sql = format!("s.id IN ({})", scope.ids_sql());
    let mut binds: Vec<String> = vec![scope.key().to_string()];
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        binds.push(like_pattern(search));
        let n = binds.len();
        sql.push_str(&format!(" AND (LOWER(s.name) LIKE ${n} ESCAPE '\\' OR LOWER(COALESCE(s.email, '')) LIKE ${n} ESCAPE '\\')"));
    }
    if let Some(role) = filter.role {
        binds.push(role.code().to_string());
        sql.push_str(&format!(" AND s.role = ${}", binds.len()));
    }
    if let Some(group) = filter.staff_group {
        binds.push(group.code().to_string());
        sql.push_str(&format!(" AND s.staff_group = ${}", binds.len()));
    }
    if let Some(kind) = &filter.employer_kind {
        binds.push(kind.clone());
        sql.push_str(&format!(" AND s.employer_kind = ${}", binds.len()));
    }
    if let Some(employed) = filter.employed {
        let (condition, more) = employed.condition(binds.len() + 1);
        sql.push_str(&format!(" AND {condition}"));
        binds.extend(more);
    }
    (sql, binds)
}

/// Lists people in a scope, narrowed by a filter, ordered by name.
pub async fn list(
    conn: &mut AnyConnection,
    scope: StaffScope<'_>,
    filter: &StaffFilter,
) -> Result<Vec<StaffRecord>> {
    let ids = scope.ids_sql();
    let (condition, binds) = scope_condition(scope, filter);
    let sql = format!("SELECT {COLUMNS} FROM staff s WHERE {condition} ORDER BY s.name, s.id");
    let mut query = sqlx::query(&sql);
    for bind in &binds {
        query = query.bind(bind);
    }
    let rows = query.fetch_all(&mut *conn).await?;

    let mut practices: BTreeMap<String, Vec<OdsCode>> = BTreeMap::new();
    for row in sqlx::query(&format!(
        "SELECT staff_id, ods_code FROM staff_practices WHERE staff_id IN ({ids}) ORDER BY staff_id, ods_code"
    ))
    .bind(scope.key())
    .fetch_all(&mut *conn)
    .await?
    {
        let code: String = row.try_get(1)?;
        practices.entry(row.try_get(0)?).or_default().push(OdsCode::parse(&code).map_err(corrupt)?);
    }
    let mut sites: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in sqlx::query(&format!("SELECT staff_id, site_id FROM staff_sites WHERE staff_id IN ({ids}) ORDER BY staff_id, site_id"))
        .bind(scope.key())
        .fetch_all(&mut *conn)
        .await?
    {
        sites.entry(row.try_get(0)?).or_default().push(row.try_get(1)?);
    }
    rows.iter()
        .map(|row| {
            let id: String = row.try_get(0)?;
            let mut own = practices.remove(&id).unwrap_or_default();
            // The employing practice comes first, as the domain type keeps it.
            let kind: String = row.try_get(5)?;
            let code: String = row.try_get(6)?;
            if kind == "practice"
                && let Some(pos) = own.iter().position(|c| c.as_str() == code)
            {
                let first = own.remove(pos);
                own.insert(0, first);
            }
            from_row(row, own, sites.remove(&id).unwrap_or_default())
        })
        .collect()
}

pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Option<StaffRecord>> {
    Ok(list(conn, StaffScope::Id(id), &StaffFilter::default())
        .await?
        .into_iter()
        .next())
}

/// The first person (oldest record) with this email. Emails are unique per employer only,
/// so callers that act for a user should use `find_ids_by_email` and keep those the user may
/// see.
pub async fn find_id_by_email(conn: &mut AnyConnection, email: &str) -> Result<Option<String>> {
    Ok(find_ids_by_email(conn, email).await?.into_iter().next())
}

/// Every person with this email (one per employer at most), oldest record first.
pub async fn find_ids_by_email(conn: &mut AnyConnection, email: &str) -> Result<Vec<String>> {
    let rows = sqlx::query("SELECT id FROM staff WHERE email = $1 ORDER BY created_at, id")
        .bind(email)
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(|r| r.get(0)).collect())
}

pub async fn count(conn: &mut AnyConnection) -> Result<i64> {
    Ok(sqlx::query("SELECT COUNT(*) FROM staff")
        .fetch_one(conn)
        .await?
        .try_get(0)?)
}

/// Headcount and WTE of one staff group, counted in SQL.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupTally {
    /// The PCN the people belong to; `None` for the system's totals.
    pub pcn_code: Option<String>,
    pub staff_group: domain::role::StaffGroup,
    pub headcount: i64,
    pub wte: f64,
}

/// The people employed on `day` in each PCN of a system, and in the whole system, by staff
/// group: the ICS page's counts without reading every person. A PCN's people are those
/// working at its member practices and those it employs; a person in two PCNs counts in
/// both, and once in the totals (which, like [`StaffScope::Ics`], are those working at a
/// member practice).
pub async fn group_tallies_in_ics(
    conn: &mut AnyConnection,
    ics: &str,
    day: NaiveDate,
) -> Result<Vec<GroupTally>> {
    let (employed, _) = Employed::On(day).condition(2);
    let sql = format!(
        "WITH member AS (
             SELECT sp.staff_id, p.pcn_code FROM staff_practices sp
             JOIN practices p ON p.ods_code = sp.ods_code
             JOIN pcns c ON c.code = p.pcn_code WHERE c.ics_code = $1
         ),
         people AS (
             SELECT DISTINCT s.id, s.staff_group, s.wte, m.pcn_code
             FROM staff s JOIN member m ON m.staff_id = s.id WHERE {employed}
             UNION
             SELECT s.id, s.staff_group, s.wte, c.code FROM staff s
             JOIN pcns c ON c.code = s.employer_code
             WHERE s.employer_kind = 'pcn' AND c.ics_code = $1 AND {employed}
         ),
         everyone AS (
             SELECT DISTINCT s.id, s.staff_group, s.wte
             FROM staff s JOIN member m ON m.staff_id = s.id WHERE {employed}
         )
         SELECT pcn_code, staff_group, COUNT(*), SUM(wte) FROM people
         GROUP BY pcn_code, staff_group
         UNION ALL
         SELECT NULL, staff_group, COUNT(*), SUM(wte) FROM everyone GROUP BY staff_group"
    );
    let rows = sqlx::query(&sql)
        .bind(ics)
        .bind(day.to_string())
        .bind(day.to_string())
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let group: String = r.try_get(1)?;
            Ok(GroupTally {
                pcn_code: r.try_get(0)?,
                staff_group: domain::role::StaffGroup::parse(&group)
                    .ok_or_else(|| corrupt(format!("unknown staff group {group}")))?,
                headcount: r.try_get(2)?,
                wte: r.try_get(3)?,
            })
        })
        .collect()
}
