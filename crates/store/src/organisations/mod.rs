//! Organisations: the ICS, PCNs, practices and their registered list sizes.
use crate::Result;
use sqlx::{AnyConnection, Row, any::AnyRow};

pub mod memberships;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PracticeRecord {
    pub ods_code: String,
    pub name: String,
    pub pcn_code: Option<String>,
    pub address: String,
    pub postcode: String,
    pub commissioner: String,
    pub phone: Option<String>,
    pub open_date: Option<String>,
    /// The registered list size from the newest extract, if any was imported.
    pub list_size: Option<i64>,
    pub list_size_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PcnRecord {
    pub code: String,
    pub name: String,
    pub ics_code: Option<String>,
}

/// A practice's reference data as published (ODS) or entered.
#[derive(Debug, Clone, PartialEq)]
pub struct PracticeDetails {
    pub ods_code: String,
    pub name: String,
    pub address: String,
    pub postcode: String,
    pub commissioner: String,
    pub phone: Option<String>,
    pub open_date: Option<String>,
}

/// Which practices to list.
#[derive(Debug, Clone)]
pub enum PracticeScope<'a> {
    All,
    One(&'a str),
    Pcn(&'a str),
    Ics(&'a str),
}

pub async fn insert_ics(conn: &mut AnyConnection, code: &str, name: &str) -> Result<()> {
    sqlx::query("INSERT INTO ics (code, name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = excluded.name")
        .bind(code)
        .bind(name)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn insert_pcn(conn: &mut AnyConnection, pcn: &PcnRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO pcns (code, name, ics_code) VALUES ($1, $2, $3)
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, ics_code = excluded.ics_code",
    )
    .bind(&pcn.code)
    .bind(&pcn.name)
    .bind(&pcn.ics_code)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get_pcn(conn: &mut AnyConnection, code: &str) -> Result<Option<PcnRecord>> {
    let row = sqlx::query("SELECT code, name, ics_code FROM pcns WHERE code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await?;
    row.map(|r| -> Result<PcnRecord> {
        Ok(PcnRecord {
            code: r.try_get(0)?,
            name: r.try_get(1)?,
            ics_code: r.try_get(2)?,
        })
    })
    .transpose()
}

pub async fn list_pcns(conn: &mut AnyConnection, ics_code: Option<&str>) -> Result<Vec<PcnRecord>> {
    let rows = match ics_code {
        Some(ics) => {
            sqlx::query("SELECT code, name, ics_code FROM pcns WHERE ics_code = $1 ORDER BY name")
                .bind(ics)
                .fetch_all(conn)
                .await?
        }
        None => {
            sqlx::query("SELECT code, name, ics_code FROM pcns ORDER BY name")
                .fetch_all(conn)
                .await?
        }
    };
    rows.into_iter()
        .map(|r| {
            Ok(PcnRecord {
                code: r.try_get(0)?,
                name: r.try_get(1)?,
                ics_code: r.try_get(2)?,
            })
        })
        .collect()
}

/// Creates the practice or updates its published details; keeps its PCN membership.
/// Returns `true` when it was created.
pub async fn upsert_details(
    conn: &mut AnyConnection,
    details: &PracticeDetails,
    now: &str,
) -> Result<bool> {
    let exists = sqlx::query("SELECT 1 FROM practices WHERE ods_code = $1")
        .bind(&details.ods_code)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    if exists {
        sqlx::query(
            "UPDATE practices SET name = $2, address = $3, postcode = $4, commissioner = $5, phone = $6, open_date = $7, updated_at = $8
             WHERE ods_code = $1",
        )
    } else {
        sqlx::query(
            "INSERT INTO practices (ods_code, name, address, postcode, commissioner, phone, open_date, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
    }
    .bind(&details.ods_code)
    .bind(&details.name)
    .bind(&details.address)
    .bind(&details.postcode)
    .bind(&details.commissioner)
    .bind(&details.phone)
    .bind(&details.open_date)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(!exists)
}

pub async fn set_pcn(
    conn: &mut AnyConnection,
    ods_code: &str,
    pcn_code: Option<&str>,
) -> Result<()> {
    let done = sqlx::query("UPDATE practices SET pcn_code = $2 WHERE ods_code = $1")
        .bind(ods_code)
        .bind(pcn_code)
        .execute(conn)
        .await?;
    if done.rows_affected() == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(())
}

const SELECT: &str = "SELECT p.ods_code, p.name, p.pcn_code, p.address, p.postcode, p.commissioner, p.phone, p.open_date,
        (SELECT l.patients FROM list_sizes l WHERE l.ods_code = p.ods_code ORDER BY l.extract_date DESC LIMIT 1),
        (SELECT l.extract_date FROM list_sizes l WHERE l.ods_code = p.ods_code ORDER BY l.extract_date DESC LIMIT 1)
     FROM practices p";

fn from_row(row: AnyRow) -> Result<PracticeRecord> {
    Ok(PracticeRecord {
        ods_code: row.try_get(0)?,
        name: row.try_get(1)?,
        pcn_code: row.try_get(2)?,
        address: row.try_get(3)?,
        postcode: row.try_get(4)?,
        commissioner: row.try_get(5)?,
        phone: row.try_get(6)?,
        open_date: row.try_get(7)?,
        list_size: row.try_get(8)?,
        list_size_date: row.try_get(9)?,
    })
}

pub async fn get(conn: &mut AnyConnection, ods_code: &str) -> Result<Option<PracticeRecord>> {
    let row = sqlx::query(&format!("{SELECT} WHERE p.ods_code = $1"))
        .bind(ods_code)
        .fetch_optional(conn)
        .await?;
    row.map(from_row).transpose()
}

pub async fn list(
    conn: &mut AnyConnection,
    scope: PracticeScope<'_>,
) -> Result<Vec<PracticeRecord>> {
    let rows = match scope {
        PracticeScope::All => sqlx::query(&format!("{SELECT} ORDER BY p.name")).fetch_all(conn).await?,
        PracticeScope::One(ods) => {
            sqlx::query(&format!("{SELECT} WHERE p.ods_code = $1")).bind(ods).fetch_all(conn).await?
        }
        PracticeScope::Pcn(pcn) => {
            sqlx::query(&format!("{SELECT} WHERE p.pcn_code = $1 ORDER BY p.name")).bind(pcn).fetch_all(conn).await?
        }
        PracticeScope::Ics(ics) => {
            sqlx::query(&format!(
                "{SELECT} WHERE p.pcn_code IN (SELECT code FROM pcns WHERE ics_code = $1) ORDER BY p.name"
            ))
            .bind(ics)
            .fetch_all(conn)
            .await?
        }
    };
    rows.into_iter().map(from_row).collect()
}

/// Stores one practice's list size for an extract date (replacing the same extract).
/// Returns `false` when the practice is not in the database.
pub async fn set_list_size(
    conn: &mut AnyConnection,
    ods_code: &str,
    extract_date: &str,
    patients: i64,
) -> Result<bool> {
    let exists = sqlx::query("SELECT 1 FROM practices WHERE ods_code = $1")
        .bind(ods_code)
        .fetch_optional(&mut *conn)
        .await?
        .is_some();
    if !exists {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO list_sizes (ods_code, extract_date, patients) VALUES ($1, $2, $3)
         ON CONFLICT (ods_code, extract_date) DO UPDATE SET patients = excluded.patients",
    )
    .bind(ods_code)
    .bind(extract_date)
    .bind(patients)
    .execute(conn)
    .await?;
    Ok(true)
}

pub async fn count(conn: &mut AnyConnection) -> Result<i64> {
    let row = sqlx::query("SELECT COUNT(*) FROM practices")
        .fetch_one(conn)
        .await?;
    Ok(row.try_get(0)?)
}

pub async fn ics_exists(conn: &mut AnyConnection, code: &str) -> Result<bool> {
    Ok(sqlx::query("SELECT 1 FROM ics WHERE code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await?
        .is_some())
}

/// An Integrated Care System (its ICB's code and name).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IcsRecord {
    pub code: String,
    pub name: String,
}

/// Adds an ICS; an existing code is a `Conflict` (never overwritten).
pub async fn create_ics(conn: &mut AnyConnection, code: &str, name: &str) -> Result<()> {
    sqlx::query("INSERT INTO ics (code, name) VALUES ($1, $2)")
        .bind(code)
        .bind(name)
        .execute(conn)
        .await?;
    Ok(())
}

/// Adds a PCN; an existing code is a `Conflict` (never overwritten).
pub async fn create_pcn(conn: &mut AnyConnection, pcn: &PcnRecord) -> Result<()> {
    sqlx::query("INSERT INTO pcns (code, name, ics_code) VALUES ($1, $2, $3)")
        .bind(&pcn.code)
        .bind(&pcn.name)
        .bind(&pcn.ics_code)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn get_ics(conn: &mut AnyConnection, code: &str) -> Result<Option<IcsRecord>> {
    let row = sqlx::query("SELECT code, name FROM ics WHERE code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await?;
    row.map(|r| -> Result<IcsRecord> {
        Ok(IcsRecord {
            code: r.try_get(0)?,
            name: r.try_get(1)?,
        })
    })
    .transpose()
}

pub async fn list_ics(conn: &mut AnyConnection) -> Result<Vec<IcsRecord>> {
    let rows = sqlx::query("SELECT code, name FROM ics ORDER BY name")
        .fetch_all(conn)
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok(IcsRecord {
                code: r.try_get(0)?,
                name: r.try_get(1)?,
            })
        })
        .collect()
}

/// Finds an ICS or a PCN by name, ignoring case (`table` is `ics` or `pcns`).
pub async fn code_by_name(
    conn: &mut AnyConnection,
    table: NamedTable,
    name: &str,
) -> Result<Option<String>> {
    let sql = match table {
        NamedTable::Ics => "SELECT code FROM ics WHERE LOWER(name) = LOWER($1)",
        NamedTable::Pcns => "SELECT code FROM pcns WHERE LOWER(name) = LOWER($1)",
    };
    let row = sqlx::query(sql)
        .bind(name.trim())
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// The organisations looked up by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedTable {
    Ics,
    Pcns,
}

/// The ICS of a PCN that holds a practice commissioned by `commissioner` (a Sub ICB
/// location code, as the ODS file and the ePCN file give it).
pub async fn ics_of_commissioner(
    conn: &mut AnyConnection,
    commissioner: &str,
) -> Result<Option<String>> {
    let row = sqlx::query(
        "SELECT n.ics_code FROM practices p JOIN pcns n ON n.code = p.pcn_code
         WHERE p.commissioner = $1 AND n.ics_code IS NOT NULL
         ORDER BY n.ics_code LIMIT 1",
    )
    .bind(commissioner)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}
