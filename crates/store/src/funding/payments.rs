//! NHS Payments to General Practice: each practice's payments per financial year, every
//! money column by its published name, in whole pence.
use crate::{Result, corrupt};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeSet;

/// One money column of one practice's year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentLineRow {
    pub name: String,
    /// `line`, `outside` or `total` (see the migration).
    pub kind: String,
    pub amount_pence: i64,
}

/// One practice's payments for one financial year.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentYearRow {
    pub ods_code: String,
    /// The calendar year the financial year starts in: 2022 for 2022/23.
    pub year_start: i32,
    /// The practice as the file names it (another practice's in the demo).
    pub published_code: String,
    pub published_name: String,
    pub registered_patients: Option<f64>,
    pub weighted_patients: Option<f64>,
    /// "Total NHS Payments to General Practice".
    pub total_pence: i64,
    pub file_name: String,
    pub imported_at: String,
    /// In the file's column order.
    pub lines: Vec<PaymentLineRow>,
}

/// The ODS codes of every practice in the register, to match a file's rows against.
pub async fn practice_codes(conn: &mut AnyConnection) -> Result<BTreeSet<String>> {
    let rows = sqlx::query("SELECT ods_code FROM practices")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| r.try_get::<String, _>(0).map_err(Into::into))
        .collect()
}

/// The total stored for a practice and year, before it is replaced (for the audit row).
pub async fn stored_total(
    conn: &mut AnyConnection,
    ods_code: &str,
    year_start: i32,
) -> Result<Option<i64>> {
    let row = sqlx::query(
        "SELECT total_pence FROM payment_years WHERE ods_code = $1 AND year_start = $2",
    )
    .bind(ods_code)
    .bind(i64::from(year_start))
    .fetch_optional(conn)
    .await?;
    Ok(match row {
        Some(row) => Some(row.try_get(0)?),
        None => None,
    })
}

/// Rows of lines written by one statement (4 values each, well inside both engines' limits).
const LINES_A_STATEMENT: usize = 200;

/// Stores a practice's year, replacing what was stored for that practice and year.
pub async fn replace_year(conn: &mut AnyConnection, year: &PaymentYearRow) -> Result<()> {
    let year_start = i64::from(year.year_start);
    // The lines go with their year (ON DELETE CASCADE), deleted explicitly as well so that
    // neither engine's foreign-key setting matters.
    sqlx::query("DELETE FROM payment_lines WHERE ods_code = $1 AND year_start = $2")
        .bind(&year.ods_code)
        .bind(year_start)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM payment_years WHERE ods_code = $1 AND year_start = $2")
        .bind(&year.ods_code)
        .bind(year_start)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO payment_years (ods_code, year_start, published_code, published_name,
             registered_patients, weighted_patients, total_pence, file_name, imported_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&year.ods_code)
    .bind(year_start)
    .bind(&year.published_code)
    .bind(&year.published_name)
    .bind(year.registered_patients)
    .bind(year.weighted_patients)
    .bind(year.total_pence)
    .bind(&year.file_name)
    .bind(&year.imported_at)
    .execute(&mut *conn)
    .await?;
    for (chunk_at, chunk) in year.lines.chunks(LINES_A_STATEMENT).enumerate() {
        let mut sql = String::from(
            "INSERT INTO payment_lines (ods_code, year_start, position, name, kind, amount_pence) VALUES ",
        );
        for i in 0..chunk.len() {
            let p = i * 4;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "($1, $2, ${}, ${}, ${}, ${})",
                p + 3,
                p + 4,
                p + 5,
                p + 6
            ));
        }
        let mut query = sqlx::query(&sql).bind(&year.ods_code).bind(year_start);
        for (i, line) in chunk.iter().enumerate() {
            let position = (chunk_at * LINES_A_STATEMENT + i) as i64;
            query = query
                .bind(position)
                .bind(&line.name)
                .bind(&line.kind)
                .bind(line.amount_pence);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Every stored year of these practices, oldest first, each with its lines.
pub async fn years_of(
    conn: &mut AnyConnection,
    ods_codes: &[String],
) -> Result<Vec<PaymentYearRow>> {
    let mut out = Vec::new();
    for ods in ods_codes {
        let rows = sqlx::query(
            "SELECT ods_code, year_start, published_code, published_name, registered_patients,
                    weighted_patients, total_pence, file_name, imported_at
             FROM payment_years WHERE ods_code = $1 ORDER BY year_start",
        )
        .bind(ods)
        .fetch_all(&mut *conn)
        .await?;
        let lines = sqlx::query(
            "SELECT year_start, name, kind, amount_pence FROM payment_lines
             WHERE ods_code = $1 ORDER BY year_start, position",
        )
        .bind(ods)
        .fetch_all(&mut *conn)
        .await?;
        for row in rows {
            let year_start: i64 = row.try_get("year_start")?;
            let year_lines = lines
                .iter()
                .filter(|l| l.try_get::<i64, _>("year_start").ok() == Some(year_start))
                .map(|l| {
                    Ok(PaymentLineRow {
                        name: l.try_get("name")?,
                        kind: l.try_get("kind")?,
                        amount_pence: l.try_get("amount_pence")?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            out.push(PaymentYearRow {
                ods_code: row.try_get("ods_code")?,
                year_start: i32::try_from(year_start).map_err(corrupt)?,
                published_code: row.try_get("published_code")?,
                published_name: row.try_get("published_name")?,
                registered_patients: row.try_get("registered_patients")?,
                weighted_patients: row.try_get("weighted_patients")?,
                total_pence: row.try_get("total_pence")?,
                file_name: row.try_get("file_name")?,
                imported_at: row.try_get("imported_at")?,
                lines: year_lines,
            });
        }
    }
    Ok(out)
}
