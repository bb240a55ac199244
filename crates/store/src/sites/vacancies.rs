//! Vacancies: open posts and what not filling them costs.
use crate::{Result, StoreError, corrupt, parse_optional_date};
use domain::org::Employer;
use domain::role::Role;
use domain::vacancy::VacancyDraft;
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct VacancyRecord {
    pub id: String,
    pub employer: Employer,
    pub vacancy: VacancyDraft,
    /// `open`, `filled` or `withdrawn`.
    pub status: String,
    pub created_at: String,
}

pub async fn insert(
    conn: &mut AnyConnection,
    id: &str,
    employer: &Employer,
    vacancy: &VacancyDraft,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO vacancies (id, employer_kind, employer_code, role, staff_group, wte, opened_on, monthly_cost_gbp, notes, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10)",
    )
    .bind(id)
    .bind(employer.kind())
    .bind(employer.code())
    .bind(vacancy.role.code())
    .bind(vacancy.role.staff_group().code())
    .bind(vacancy.wte)
    .bind(vacancy.opened_on.map(|d| d.to_string()))
    .bind(vacancy.monthly_cost_gbp)
    .bind(&vacancy.notes)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_status(conn: &mut AnyConnection, id: &str, status: &str) -> Result<()> {
    let done = sqlx::query("UPDATE vacancies SET status = $2 WHERE id = $1")
        .bind(id)
        .bind(status)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Vacancies of some employers (practices by ODS code and the PCN by its code), in the
/// order of `employers`, then oldest first: one query however many employers (a PCN page
/// or the ICS summary asks for many).
pub async fn list(
    conn: &mut AnyConnection,
    employers: &[Employer],
    only_open: bool,
) -> Result<Vec<VacancyRecord>> {
    if employers.is_empty() {
        return Ok(Vec::new());
    }
    let conditions: Vec<String> = (0..employers.len())
        .map(|i| {
            format!(
                "(employer_kind = ${} AND employer_code = ${})",
                2 * i + 1,
                2 * i + 2
            )
        })
        .collect();
    let sql = format!(
        "SELECT id, role, wte, opened_on, monthly_cost_gbp, notes, status, created_at, employer_kind,
                employer_code
         FROM vacancies WHERE {} ORDER BY created_at, id",
        conditions.join(" OR ")
    );
    let mut query = sqlx::query(&sql);
    for employer in employers {
        query = query.bind(employer.kind()).bind(employer.code());
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut by_employer: Vec<Vec<VacancyRecord>> = vec![Vec::new(); employers.len()];
    for r in rows {
        let status: String = r.try_get(6)?;
        if only_open && status != "open" {
            continue;
        }
        let (kind, code): (String, String) = (r.try_get(8)?, r.try_get(9)?);
        let Some(at) = employers
            .iter()
            .position(|e| e.kind() == kind && e.code() == code)
        else {
            continue;
        };
        by_employer[at].push(record(&r, employers[at].clone())?);
    }
    Ok(by_employer.into_iter().flatten().collect())
}

/// A row of `id, role, wte, opened_on, monthly_cost_gbp, notes, status, created_at`.
fn record(r: &sqlx::any::AnyRow, employer: Employer) -> Result<VacancyRecord> {
    let role: String = r.try_get(1)?;
    Ok(VacancyRecord {
        id: r.try_get(0)?,
        employer,
        vacancy: VacancyDraft {
            role: Role::parse(&role).map_err(corrupt)?,
            wte: r.try_get(2)?,
            opened_on: parse_optional_date(r.try_get(3)?)?,
            monthly_cost_gbp: r.try_get(4)?,
            notes: r.try_get(5)?,
        },
        status: r.try_get(6)?,
        created_at: r.try_get(7)?,
    })
}

/// The open vacancies of every practice and PCN of an ICS (practices by their PCN today),
/// in one query, oldest first.
pub async fn list_open_in_ics(conn: &mut AnyConnection, ics: &str) -> Result<Vec<VacancyRecord>> {
    let rows = sqlx::query(
        "SELECT id, role, wte, opened_on, monthly_cost_gbp, notes, status, created_at, employer_kind,
                employer_code
         FROM vacancies
         WHERE status = 'open' AND (
             (employer_kind = 'pcn' AND employer_code IN (SELECT code FROM pcns WHERE ics_code = $1))
             OR (employer_kind = 'practice' AND employer_code IN (
                 SELECT p.ods_code FROM practices p JOIN pcns c ON c.code = p.pcn_code
                 WHERE c.ics_code = $1)))
         ORDER BY created_at, id",
    )
    .bind(ics)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let employer =
                Employer::parse(&r.try_get::<String, _>(8)?, &r.try_get::<String, _>(9)?)
                    .map_err(corrupt)?;
            record(r, employer)
        })
        .collect()
}

pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Option<VacancyRecord>> {
    let row = sqlx::query("SELECT employer_kind, employer_code FROM vacancies WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let employer = Employer::parse(&row.try_get::<String, _>(0)?, &row.try_get::<String, _>(1)?)
        .map_err(corrupt)?;
    Ok(list(conn, &[employer], false)
        .await?
        .into_iter()
        .find(|v| v.id == id))
}
