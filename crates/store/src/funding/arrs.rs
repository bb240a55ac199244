//! The ARRS ledger's tables: rate versions, £ per weighted patient, each PCN's year
//! settings, posts, and monthly claims with their lines.
use crate::{Result, StoreError, corrupt, parse_date, parse_optional_date};
use domain::arrs::{Area, ClaimMonth, Engagement, FinancialYear, Post, PostTerms, Rate, RateDraft};
use domain::role::Role;
use sqlx::{AnyConnection, Row};

const RATE_COLUMNS: &str = "id, role, band, area, annual_max_gbp, funding_share, effective_from, source, created_at, created_by";

/// A rate version with who recorded it (`seed` for the research file's figures).
#[derive(Debug, Clone, PartialEq)]
pub struct RateRecord {
    pub rate: Rate,
    pub created_by: String,
}

fn rate_record(r: &sqlx::any::AnyRow) -> Result<RateRecord> {
    let role: String = r.try_get(1)?;
    let area: String = r.try_get(3)?;
    let from: String = r.try_get(6)?;
    Ok(RateRecord {
        rate: Rate {
            id: r.try_get(0)?,
            role: Role::parse(&role).map_err(corrupt)?,
            band: r.try_get(2)?,
            area: Area::parse(&area).map_err(corrupt)?,
            annual_max: r.try_get(4)?,
            share: r.try_get(5)?,
            effective_from: parse_date(&from)?,
            source: r.try_get(7)?,
            created_at: r.try_get(8)?,
        },
        created_by: r.try_get(9)?,
    })
}

/// Every rate version, by role, area and date.
pub async fn list_rates(conn: &mut AnyConnection) -> Result<Vec<RateRecord>> {
    let rows = sqlx::query(&format!(
        "SELECT {RATE_COLUMNS} FROM arrs_rates ORDER BY role, area, band, effective_from, created_at"
    ))
    .fetch_all(conn)
    .await?;
    rows.iter().map(rate_record).collect()
}

pub async fn insert_rate(
    conn: &mut AnyConnection,
    id: &str,
    draft: &RateDraft,
    created_at: &str,
    created_by: &str,
) -> Result<()> {
    sqlx::query(&format!(
        "INSERT INTO arrs_rates ({RATE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(id)
    .bind(draft.role.code())
    .bind(&draft.band)
    .bind(draft.area.code())
    .bind(draft.annual_max)
    .bind(draft.share)
    .bind(draft.effective_from.to_string())
    .bind(&draft.source)
    .bind(created_at)
    .bind(created_by)
    .execute(conn)
    .await?;
    Ok(())
}

/// The national £ per weighted patient of one year.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SumRate {
    pub year: FinancialYear,
    pub gbp_per_weighted_patient: f64,
    pub source: String,
    pub updated_at: String,
}

pub async fn list_sum_rates(conn: &mut AnyConnection) -> Result<Vec<SumRate>> {
    let rows = sqlx::query(
        "SELECT financial_year, gbp_per_weighted_patient, source, updated_at FROM arrs_sum_rates
         ORDER BY financial_year",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SumRate {
                year: FinancialYear::parse(&r.try_get::<String, _>(0)?).map_err(corrupt)?,
                gbp_per_weighted_patient: r.try_get(1)?,
                source: r.try_get(2)?,
                updated_at: r.try_get(3)?,
            })
        })
        .collect()
}

pub async fn upsert_sum_rate(conn: &mut AnyConnection, rate: &SumRate) -> Result<()> {
    sqlx::query(
        "INSERT INTO arrs_sum_rates (financial_year, gbp_per_weighted_patient, source, updated_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (financial_year) DO UPDATE SET gbp_per_weighted_patient = $2, source = $3,
             updated_at = $4",
    )
    .bind(rate.year.code())
    .bind(rate.gbp_per_weighted_patient)
    .bind(&rate.source)
    .bind(&rate.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// A PCN's settings for a year: its weighted population on 1 January before it, and area.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PcnYear {
    pub weighted_population: Option<f64>,
    pub area: Area,
}

pub async fn pcn_year(
    conn: &mut AnyConnection,
    pcn: &str,
    year: FinancialYear,
) -> Result<Option<PcnYear>> {
    let row = sqlx::query(
        "SELECT weighted_population, area FROM arrs_pcn_years WHERE pcn_code = $1 AND financial_year = $2",
    )
    .bind(pcn)
    .bind(year.code())
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(PcnYear {
            weighted_population: r.try_get(0)?,
            area: Area::parse(&r.try_get::<String, _>(1)?).map_err(corrupt)?,
        })
    })
    .transpose()
}

pub async fn upsert_pcn_year(
    conn: &mut AnyConnection,
    pcn: &str,
    year: FinancialYear,
    settings: &PcnYear,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO arrs_pcn_years (pcn_code, financial_year, weighted_population, area, updated_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (pcn_code, financial_year) DO UPDATE SET weighted_population = $3, area = $4,
             updated_at = $5",
    )
    .bind(pcn)
    .bind(year.code())
    .bind(settings.weighted_population)
    .bind(settings.area.code())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn upsert_post(
    conn: &mut AnyConnection,
    staff_id: &str,
    pcn: &str,
    terms: &PostTerms,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO arrs_posts (staff_id, pcn_code, band, wte, engagement, monthly_salary_gbp,
             employer_ni_gbp, employer_pension_gbp, previous_post_ended, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (staff_id) DO UPDATE SET pcn_code = $2, band = $3, wte = $4, engagement = $5,
             monthly_salary_gbp = $6, employer_ni_gbp = $7, employer_pension_gbp = $8,
             previous_post_ended = $9, updated_at = $10",
    )
    .bind(staff_id)
    .bind(pcn)
    .bind(&terms.band)
    .bind(terms.wte)
    .bind(terms.engagement.code())
    .bind(terms.monthly_salary)
    .bind(terms.employer_ni)
    .bind(terms.employer_pension)
    .bind(terms.previous_post_ended.map(|d| d.to_string()))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

const POST_SELECT: &str =
    "SELECT p.staff_id, s.name, s.role, p.band, p.wte, s.start_date, s.end_date,
        s.employer_code, p.engagement, p.monthly_salary_gbp, p.employer_ni_gbp,
        p.employer_pension_gbp, p.previous_post_ended, p.pcn_code
     FROM arrs_posts p JOIN staff s ON s.id = p.staff_id";

fn post(r: &sqlx::any::AnyRow) -> Result<(String, Post)> {
    let role: String = r.try_get(2)?;
    let start: String = r.try_get(5)?;
    let engagement: String = r.try_get(8)?;
    Ok((
        r.try_get(13)?,
        Post {
            staff_id: r.try_get(0)?,
            name: r.try_get(1)?,
            role: Role::parse(&role).map_err(corrupt)?,
            band: r.try_get(3)?,
            wte: r.try_get(4)?,
            start: parse_date(&start)?,
            end: parse_optional_date(r.try_get(6)?)?,
            employer: r.try_get(7)?,
            engagement: Engagement::parse(&engagement).map_err(corrupt)?,
            monthly_salary: r.try_get(9)?,
            employer_ni: r.try_get(10)?,
            employer_pension: r.try_get(11)?,
            previous_post_ended: parse_optional_date(r.try_get(12)?)?,
        },
    ))
}

/// The PCN's posts, by name.
pub async fn list_posts(conn: &mut AnyConnection, pcn: &str) -> Result<Vec<Post>> {
    let rows = sqlx::query(&format!(
        "{POST_SELECT} WHERE p.pcn_code = $1 ORDER BY s.name, p.staff_id"
    ))
    .bind(pcn)
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| post(r).map(|(_, p)| p)).collect()
}

/// A person's post and the PCN that claims it.
pub async fn get_post(conn: &mut AnyConnection, staff_id: &str) -> Result<Option<(String, Post)>> {
    let row = sqlx::query(&format!("{POST_SELECT} WHERE p.staff_id = $1"))
        .bind(staff_id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| post(&r)).transpose()
}

/// A claim for one month, as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClaimRow {
    pub pcn_code: String,
    pub month: ClaimMonth,
    /// `draft`, `checked` or `submitted`.
    pub status: String,
    pub total: f64,
    pub drafted_at: String,
    pub drafted_by: String,
    pub checked_at: Option<String>,
    pub checked_by: Option<String>,
    pub submitted_at: Option<String>,
    pub submitted_by: Option<String>,
}

/// One line of a claim: one post for one month (`for_month` earlier than the claim's month
/// for a backdated difference).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LineRow {
    pub staff_id: String,
    pub for_month: ClaimMonth,
    pub backdated: bool,
    pub role: Role,
    pub band: String,
    pub wte: f64,
    pub engagement: Engagement,
    pub employer: String,
    pub start_date: chrono::NaiveDate,
    pub end_date: Option<chrono::NaiveDate>,
    pub days_in_post: i64,
    pub days_in_month: i64,
    pub monthly_salary: f64,
    pub employer_ni: f64,
    pub employer_pension: f64,
    pub actual_cost: f64,
    pub annual_max: f64,
    pub maximum: f64,
    pub share: f64,
    pub claim: f64,
    pub rate_id: String,
    pub rate_source: String,
}

const CLAIM_COLUMNS: &str =
    "pcn_code, month, status, total_gbp, drafted_at, drafted_by, checked_at,
    checked_by, submitted_at, submitted_by";

fn claim_row(r: &sqlx::any::AnyRow) -> Result<ClaimRow> {
    Ok(ClaimRow {
        pcn_code: r.try_get(0)?,
        month: ClaimMonth::parse(&r.try_get::<String, _>(1)?).map_err(corrupt)?,
        status: r.try_get(2)?,
        total: r.try_get(3)?,
        drafted_at: r.try_get(4)?,
        drafted_by: r.try_get(5)?,
        checked_at: r.try_get(6)?,
        checked_by: r.try_get(7)?,
        submitted_at: r.try_get(8)?,
        submitted_by: r.try_get(9)?,
    })
}

pub async fn get_claim(
    conn: &mut AnyConnection,
    pcn: &str,
    month: ClaimMonth,
) -> Result<Option<ClaimRow>> {
    let row = sqlx::query(&format!(
        "SELECT {CLAIM_COLUMNS} FROM arrs_claims WHERE pcn_code = $1 AND month = $2"
    ))
    .bind(pcn)
    .bind(month.to_string())
    .fetch_optional(conn)
    .await?;
    row.map(|r| claim_row(&r)).transpose()
}

/// The claims of a PCN's year, by month.
pub async fn list_claims(
    conn: &mut AnyConnection,
    pcn: &str,
    year: FinancialYear,
) -> Result<Vec<ClaimRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {CLAIM_COLUMNS} FROM arrs_claims WHERE pcn_code = $1 AND financial_year = $2
         ORDER BY month"
    ))
    .bind(pcn)
    .bind(year.code())
    .fetch_all(conn)
    .await?;
    rows.iter().map(claim_row).collect()
}

/// Stores a draft claim and its lines, replacing an earlier draft or checked claim of the
/// month. A submitted claim is never replaced: `Invalid` names the month.
pub async fn replace_draft(
    conn: &mut AnyConnection,
    claim: &ClaimRow,
    lines: &[LineRow],
) -> Result<()> {
    if let Some(existing) = get_claim(conn, &claim.pcn_code, claim.month).await?
        && existing.status == "submitted"
    {
        return Err(StoreError::Invalid(format!(
            "The claim for {} was submitted and is locked",
            claim.month.label()
        )));
    }
    let month = claim.month.to_string();
    sqlx::query("DELETE FROM arrs_claim_lines WHERE pcn_code = $1 AND month = $2")
        .bind(&claim.pcn_code)
        .bind(&month)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "DELETE FROM arrs_claims WHERE pcn_code = $1 AND month = $2 AND status <> 'submitted'",
    )
    .bind(&claim.pcn_code)
    .bind(&month)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO arrs_claims (pcn_code, month, financial_year, status, total_gbp, drafted_at, drafted_by)
         VALUES ($1, $2, $3, 'draft', $4, $5, $6)",
    )
    .bind(&claim.pcn_code)
    .bind(&month)
    .bind(claim.month.financial_year().code())
    .bind(claim.total)
    .bind(&claim.drafted_at)
    .bind(&claim.drafted_by)
    .execute(&mut *conn)
    .await?;
    for (i, l) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO arrs_claim_lines (id, pcn_code, month, line_no, staff_id, for_month, backdated,
                 role, band, wte, engagement, employer, start_date, end_date, days_in_post,
                 days_in_month, monthly_salary_gbp, employer_ni_gbp, employer_pension_gbp,
                 actual_cost_gbp, annual_max_gbp, maximum_gbp, funding_share, claim_gbp, rate_id,
                 rate_source)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19, $20, $21, $22, $23, $24, $25, $26)",
        )
        .bind(crate::new_id())
        .bind(&claim.pcn_code)
        .bind(&month)
        .bind(i as i64)
        .bind(&l.staff_id)
        .bind(l.for_month.to_string())
        .bind(i32::from(l.backdated))
        .bind(l.role.code())
        .bind(&l.band)
        .bind(l.wte)
        .bind(l.engagement.code())
        .bind(&l.employer)
        .bind(l.start_date.to_string())
        .bind(l.end_date.map(|d| d.to_string()))
        .bind(l.days_in_post)
        .bind(l.days_in_month)
        .bind(l.monthly_salary)
        .bind(l.employer_ni)
        .bind(l.employer_pension)
        .bind(l.actual_cost)
        .bind(l.annual_max)
        .bind(l.maximum)
        .bind(l.share)
        .bind(l.claim)
        .bind(&l.rate_id)
        .bind(&l.rate_source)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Moves a claim from one status to the next (`draft` → `checked` → `submitted`) with one
/// conditional update; `false` when the claim was not in status `from`.
pub async fn set_status(
    conn: &mut AnyConnection,
    pcn: &str,
    month: ClaimMonth,
    from: &str,
    to: &str,
    at: &str,
    by: &str,
) -> Result<bool> {
    let sql = match to {
        "checked" => {
            "UPDATE arrs_claims SET status = 'checked', checked_at = $4, checked_by = $5
             WHERE pcn_code = $1 AND month = $2 AND status = $3"
        }
        "submitted" => {
            "UPDATE arrs_claims SET status = 'submitted', submitted_at = $4, submitted_by = $5
             WHERE pcn_code = $1 AND month = $2 AND status = $3"
        }
        other => return Err(StoreError::Invalid(format!("unknown claim status {other}"))),
    };
    let done = sqlx::query(sql)
        .bind(pcn)
        .bind(month.to_string())
        .bind(from)
        .bind(at)
        .bind(by)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

const LINE_COLUMNS: &str =
    "l.staff_id, l.for_month, l.backdated, l.role, l.band, l.wte, l.engagement,
    l.employer, l.start_date, l.end_date, l.days_in_post, l.days_in_month, l.monthly_salary_gbp,
    l.employer_ni_gbp, l.employer_pension_gbp, l.actual_cost_gbp, l.annual_max_gbp, l.maximum_gbp,
    l.funding_share, l.claim_gbp, l.rate_id, l.rate_source";

fn line_row(r: &sqlx::any::AnyRow) -> Result<LineRow> {
    let role: String = r.try_get(3)?;
    let engagement: String = r.try_get(6)?;
    let start: String = r.try_get(8)?;
    Ok(LineRow {
        staff_id: r.try_get(0)?,
        for_month: ClaimMonth::parse(&r.try_get::<String, _>(1)?).map_err(corrupt)?,
        backdated: r.try_get::<i32, _>(2)? != 0,
        role: Role::parse(&role).map_err(corrupt)?,
        band: r.try_get(4)?,
        wte: r.try_get(5)?,
        engagement: Engagement::parse(&engagement).map_err(corrupt)?,
        employer: r.try_get(7)?,
        start_date: parse_date(&start)?,
        end_date: parse_optional_date(r.try_get(9)?)?,
        days_in_post: r.try_get(10)?,
        days_in_month: r.try_get(11)?,
        monthly_salary: r.try_get(12)?,
        employer_ni: r.try_get(13)?,
        employer_pension: r.try_get(14)?,
        actual_cost: r.try_get(15)?,
        annual_max: r.try_get(16)?,
        maximum: r.try_get(17)?,
        share: r.try_get(18)?,
        claim: r.try_get(19)?,
        rate_id: r.try_get(20)?,
        rate_source: r.try_get(21)?,
    })
}

/// The lines of one claim, in order.
pub async fn claim_lines(
    conn: &mut AnyConnection,
    pcn: &str,
    month: ClaimMonth,
) -> Result<Vec<LineRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {LINE_COLUMNS} FROM arrs_claim_lines l WHERE l.pcn_code = $1 AND l.month = $2
         ORDER BY l.line_no"
    ))
    .bind(pcn)
    .bind(month.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter().map(line_row).collect()
}

/// Every line of the PCN's submitted claims made in the year (the claim's month in it),
/// with the claim's month.
pub async fn submitted_lines(
    conn: &mut AnyConnection,
    pcn: &str,
    year: FinancialYear,
) -> Result<Vec<(ClaimMonth, LineRow)>> {
    let rows = sqlx::query(&format!(
        "SELECT {LINE_COLUMNS}, l.month FROM arrs_claim_lines l
         JOIN arrs_claims c ON c.pcn_code = l.pcn_code AND c.month = l.month
         WHERE l.pcn_code = $1 AND c.financial_year = $2 AND c.status = 'submitted'
         ORDER BY l.month, l.line_no"
    ))
    .bind(pcn)
    .bind(year.code())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let month = ClaimMonth::parse(&r.try_get::<String, _>(22)?).map_err(corrupt)?;
            Ok((month, line_row(r)?))
        })
        .collect()
}
