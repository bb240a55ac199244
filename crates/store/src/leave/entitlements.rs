//! Leave rules of an employer and each person's entitlement by leave year.
use crate::rota::marks;
use crate::{Result, corrupt, parse_date};
use chrono::NaiveDate;
use domain::leave_balance::{EntitlementDraft, LeavePolicy, LeaveUnit};
use sqlx::{AnyConnection, Row};

/// The employer's leave rules, if it has set any.
pub async fn policy(conn: &mut AnyConnection, owner_code: &str) -> Result<Option<LeavePolicy>> {
    Ok(policies(conn, &[owner_code.to_string()])
        .await?
        .into_iter()
        .next()
        .map(|(_, p)| p))
}

/// The leave rules of those of `owner_codes` that have set any, by code.
pub async fn policies(
    conn: &mut AnyConnection,
    owner_codes: &[String],
) -> Result<Vec<(String, LeavePolicy)>> {
    if owner_codes.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT owner_code, year_start_month, full_time_days, carry_over_days, unit
         FROM leave_policies WHERE owner_code IN ({}) ORDER BY owner_code",
        marks(1, owner_codes.len())
    );
    let mut query = sqlx::query(&sql);
    for code in owner_codes {
        query = query.bind(code);
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            let month: i64 = r.try_get(1)?;
            let unit: String = r.try_get(4)?;
            Ok((
                r.try_get(0)?,
                LeavePolicy {
                    year_start_month: u32::try_from(month).map_err(corrupt)?,
                    full_time_days: r.try_get(2)?,
                    carry_over_days: r.try_get(3)?,
                    unit: LeaveUnit::parse(&unit).map_err(corrupt)?,
                },
            ))
        })
        .collect()
}

pub async fn set_policy(
    conn: &mut AnyConnection,
    owner_code: &str,
    policy: &LeavePolicy,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO leave_policies (owner_code, year_start_month, full_time_days, carry_over_days, unit, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (owner_code) DO UPDATE SET year_start_month = excluded.year_start_month,
           full_time_days = excluded.full_time_days, carry_over_days = excluded.carry_over_days,
           unit = excluded.unit, updated_at = excluded.updated_at",
    )
    .bind(owner_code)
    .bind(i64::from(policy.year_start_month))
    .bind(policy.full_time_days)
    .bind(policy.carry_over_days)
    .bind(policy.unit.code())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A person's own entitlement for one leave year.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EntitlementRow {
    pub staff_id: String,
    pub year_start: NaiveDate,
    pub draft: EntitlementDraft,
    pub updated_at: String,
}

/// Every year's entitlement of `staff_ids`, by person and year.
pub async fn list(conn: &mut AnyConnection, staff_ids: &[String]) -> Result<Vec<EntitlementRow>> {
    if staff_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT staff_id, year_start, full_time_days, carried_over_hours, updated_at
         FROM leave_entitlements WHERE staff_id IN ({}) ORDER BY staff_id, year_start",
        marks(1, staff_ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in staff_ids {
        query = query.bind(id);
    }
    query
        .fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            let year: String = r.try_get(1)?;
            Ok(EntitlementRow {
                staff_id: r.try_get(0)?,
                year_start: parse_date(&year)?,
                draft: EntitlementDraft {
                    full_time_days: r.try_get(2)?,
                    carried_over_hours: r.try_get(3)?,
                },
                updated_at: r.try_get(4)?,
            })
        })
        .collect()
}

/// Sets (or replaces) a person's entitlement for the leave year starting `year_start`.
pub async fn set(
    conn: &mut AnyConnection,
    staff_id: &str,
    year_start: NaiveDate,
    draft: &EntitlementDraft,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO leave_entitlements (staff_id, year_start, full_time_days, carried_over_hours, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (staff_id, year_start) DO UPDATE SET full_time_days = excluded.full_time_days,
           carried_over_hours = excluded.carried_over_hours, updated_at = excluded.updated_at",
    )
    // Not a cached statement: PostgreSQL would keep the parameter types of the first call,
    // and a NULL there (either figure left to the rules) is not typed as a double.
    .persistent(false)
    .bind(staff_id)
    .bind(year_start.to_string())
    .bind(draft.full_time_days)
    .bind(draft.carried_over_hours)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
