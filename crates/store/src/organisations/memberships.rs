//! Practice-to-PCN membership with history: which PCN a practice belongs to on any day,
//! and the PCN's practices on any day. `practices.pcn_code` holds the membership today,
//! recomputed by `refresh_current` after each change and by the daily refresh.
use crate::Result;
use sqlx::{AnyConnection, Row};

/// One spell of a practice in a PCN, both dates inclusive (`until_date` `None` while open).
/// Dates are ISO `YYYY-MM-DD` text, so they compare in order as text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Membership {
    pub ods_code: String,
    pub pcn_code: String,
    pub from_date: String,
    pub until_date: Option<String>,
}

fn from_row(row: sqlx::any::AnyRow) -> Result<Membership> {
    Ok(Membership {
        ods_code: row.try_get(0)?,
        pcn_code: row.try_get(1)?,
        from_date: row.try_get(2)?,
        until_date: row.try_get(3)?,
    })
}

/// A practice's memberships, oldest first.
pub async fn history(conn: &mut AnyConnection, ods_code: &str) -> Result<Vec<Membership>> {
    let rows = sqlx::query(
        "SELECT ods_code, pcn_code, from_date, until_date FROM pcn_memberships
         WHERE ods_code = $1 ORDER BY from_date",
    )
    .bind(ods_code)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(from_row).collect()
}

/// Every membership of a PCN's practices, oldest first.
pub async fn of_pcn(conn: &mut AnyConnection, pcn_code: &str) -> Result<Vec<Membership>> {
    let rows = sqlx::query(
        "SELECT ods_code, pcn_code, from_date, until_date FROM pcn_memberships
         WHERE pcn_code = $1 ORDER BY from_date, ods_code",
    )
    .bind(pcn_code)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(from_row).collect()
}

/// The PCN a practice belongs to on `date` (`YYYY-MM-DD`), if any. A practice with no
/// membership rows (placed directly with `practices::set_pcn`) counts by its `pcn_code`.
pub async fn pcn_on(
    conn: &mut AnyConnection,
    ods_code: &str,
    date: &str,
) -> Result<Option<String>> {
    let row = sqlx::query(
        "SELECT pcn_code FROM pcn_memberships
         WHERE ods_code = $1 AND from_date <= $2 AND (until_date IS NULL OR until_date >= $2)
         UNION ALL
         SELECT p.pcn_code FROM practices p
         WHERE p.ods_code = $1 AND p.pcn_code IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM pcn_memberships m WHERE m.ods_code = p.ods_code)",
    )
    .bind(ods_code)
    .bind(date)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.try_get(0)).transpose()?)
}

/// The ODS codes of the practices in a PCN on `date`, in code order (with, as in
/// `pcn_on`, practices that have no membership rows and this PCN as their `pcn_code`).
pub async fn practices_on(
    conn: &mut AnyConnection,
    pcn_code: &str,
    date: &str,
) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT ods_code FROM pcn_memberships
         WHERE pcn_code = $1 AND from_date <= $2 AND (until_date IS NULL OR until_date >= $2)
         UNION
         SELECT p.ods_code FROM practices p
         WHERE p.pcn_code = $1
           AND NOT EXISTS (SELECT 1 FROM pcn_memberships m WHERE m.ods_code = p.ods_code)
         ORDER BY ods_code",
    )
    .bind(pcn_code)
    .bind(date)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(|r| Ok(r.try_get(0)?)).collect()
}

/// Adds one membership. Two starting on the same day for a practice are a `Conflict`.
pub async fn insert(conn: &mut AnyConnection, membership: &Membership) -> Result<()> {
    sqlx::query(
        "INSERT INTO pcn_memberships (ods_code, pcn_code, from_date, until_date)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(&membership.ods_code)
    .bind(&membership.pcn_code)
    .bind(&membership.from_date)
    .bind(&membership.until_date)
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends the membership that started on `from_date` on `until_date` (inclusive).
pub async fn close(
    conn: &mut AnyConnection,
    ods_code: &str,
    from_date: &str,
    until_date: &str,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE pcn_memberships SET until_date = $3 WHERE ods_code = $1 AND from_date = $2",
    )
    .bind(ods_code)
    .bind(from_date)
    .bind(until_date)
    .execute(conn)
    .await?;
    if done.rows_affected() == 0 {
        return Err(crate::StoreError::NotFound);
    }
    Ok(())
}

/// Sets `practices.pcn_code` of one practice to its membership on `date`.
pub async fn refresh_practice(conn: &mut AnyConnection, ods_code: &str, date: &str) -> Result<()> {
    let pcn = pcn_on(&mut *conn, ods_code, date).await?;
    crate::organisations::set_pcn(conn, ods_code, pcn.as_deref()).await
}

/// Sets every practice's `pcn_code` to its membership on `date`; returns how many changed.
/// A practice with no membership rows is left as it is (it was never placed through them).
pub async fn refresh_current(conn: &mut AnyConnection, date: &str) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE practices SET pcn_code = (
             SELECT m.pcn_code FROM pcn_memberships m
             WHERE m.ods_code = practices.ods_code AND m.from_date <= $1
               AND (m.until_date IS NULL OR m.until_date >= $1)
             ORDER BY m.from_date DESC LIMIT 1)
         WHERE EXISTS (SELECT 1 FROM pcn_memberships e WHERE e.ods_code = practices.ods_code)
           AND pcn_code IS DISTINCT FROM (
             SELECT m.pcn_code FROM pcn_memberships m
             WHERE m.ods_code = practices.ods_code AND m.from_date <= $1
               AND (m.until_date IS NULL OR m.until_date >= $1)
             ORDER BY m.from_date DESC LIMIT 1)",
    )
    .bind(date)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
