//! Leavers: the people whose end date has passed and who still hold an open account or a
//! session in an unpublished rota after it; and the writes that close both.
use crate::Result;
use chrono::NaiveDate;
use sqlx::{AnyConnection, Row};

/// A person whose end date has passed and who still has something to close.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaver {
    pub staff_id: String,
    pub name: String,
    pub end_date: NaiveDate,
    /// The organisation that employs them (practice ODS code or PCN code).
    pub employer_code: String,
}

/// People whose end date is before `today` with an account not yet disabled or a session
/// after their end date in a rota not yet published.
pub async fn pending(conn: &mut AnyConnection, today: NaiveDate) -> Result<Vec<Leaver>> {
    let rows = sqlx::query(
        "SELECT s.id, s.name, s.end_date, s.employer_code FROM staff s
         WHERE s.end_date IS NOT NULL AND s.end_date < $1
           AND (EXISTS (SELECT 1 FROM users u WHERE u.staff_id = s.id AND u.disabled = 0)
             OR EXISTS (SELECT 1 FROM rota_assignments a JOIN rotas r ON r.id = a.rota_id
                        WHERE a.staff_id = s.id AND a.day > s.end_date AND r.published_at IS NULL))
         ORDER BY s.end_date, s.name, s.id",
    )
    .bind(today.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let end: String = r.try_get(2)?;
            Ok(Leaver {
                staff_id: r.try_get(0)?,
                name: r.try_get(1)?,
                end_date: crate::parse_date(&end)?,
                employer_code: r.try_get(3)?,
            })
        })
        .collect()
}

/// Disables every account of the person that is still open and ends its sessions; returns
/// the emails of the accounts disabled.
pub async fn disable_accounts(conn: &mut AnyConnection, staff_id: &str) -> Result<Vec<String>> {
    // RETURNING names only the rows this statement changed, so two servers running at once
    // never both count the same account.
    let mut emails: Vec<String> = sqlx::query(
        "UPDATE users SET disabled = 1, session_epoch = session_epoch + 1
         WHERE staff_id = $1 AND disabled = 0 RETURNING email",
    )
    .bind(staff_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| r.try_get(0))
    .collect::<std::result::Result<_, _>>()?;
    emails.sort();
    Ok(emails)
}

/// One session removed from an unpublished rota.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RemovedSession {
    pub rota_id: String,
    pub day: String,
    pub session: String,
    pub site_id: String,
}

/// Deletes the person's sessions after `end_date` from rotas not yet published, raising
/// each changed rota's version so an editor holding the old one is told; returns them.
pub async fn remove_from_unpublished_rotas(
    conn: &mut AnyConnection,
    staff_id: &str,
    end_date: NaiveDate,
) -> Result<Vec<RemovedSession>> {
    let end = end_date.to_string();
    let mut removed: Vec<RemovedSession> = sqlx::query(
        "DELETE FROM rota_assignments
         WHERE staff_id = $1 AND day > $2
           AND rota_id IN (SELECT id FROM rotas WHERE published_at IS NULL)
         RETURNING rota_id, day, session, site_id",
    )
    .bind(staff_id)
    .bind(&end)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(RemovedSession {
            rota_id: r.try_get(0)?,
            day: r.try_get(1)?,
            session: r.try_get(2)?,
            site_id: r.try_get(3)?,
        })
    })
    .collect::<Result<_>>()?;
    removed.sort_by(|a, b| (&a.rota_id, &a.day, &a.session).cmp(&(&b.rota_id, &b.day, &b.session)));
    let mut rotas: Vec<&str> = removed.iter().map(|r| r.rota_id.as_str()).collect();
    rotas.dedup();
    for rota in rotas {
        sqlx::query("UPDATE rotas SET version = version + 1 WHERE id = $1")
            .bind(rota)
            .execute(&mut *conn)
            .await?;
    }
    Ok(removed)
}

/// People booked in a published rota of a scope (`practice` or `pcn` and its code) on a
/// day from `from` to `to`: a rota page lists them even after they have left, to flag it.
pub async fn booked_in_published(
    conn: &mut AnyConnection,
    scope_kind: &str,
    scope_code: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<String>> {
    sqlx::query(
        "SELECT DISTINCT a.staff_id FROM rota_assignments a JOIN rotas r ON r.id = a.rota_id
         WHERE r.scope_kind = $1 AND r.scope_code = $2 AND r.published_at IS NOT NULL
           AND a.day >= $3 AND a.day <= $4
         ORDER BY a.staff_id",
    )
    .bind(scope_kind)
    .bind(scope_code)
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| Ok(r.try_get(0)?))
    .collect()
}
