//! The ARRS ledger of a PCN and a financial year: the sum, what was claimed, what current
//! posts commit to 31 March, headroom and warnings; monthly claims (`claims`), posts
//! (`posts`), rates (`rates`) and what-if posts (`what_if`).
//!
//! Reading a year's aggregates (`arrs_summary`) is open to whoever may see the PCN's
//! aggregates (its PCN manager, an ICS viewer of its system, the administrator); the
//! ledger with named posts (`arrs_ledger`) and every change to the PCN manager and the
//! administrator; rates to the administrator.
pub mod claims;
mod demo;
pub mod lines;
pub mod posts;
pub mod rates;
pub mod what_if;

use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::{Change, commit_with_audit, json};
use chrono::NaiveDate;
use domain::arrs::{
    Area, ClaimMonth, FinancialYear, Post, Rate, additionality_flags, forecast_warnings, pence,
};
use domain::{FieldError, FieldErrors};
use lines::{MissingRate, backdated_lines, post_line};
use store::Conn;
use store::funding::arrs::{ClaimRow, LineRow, SumRate};

/// Everything a year's figures are worked out from.
#[derive(Debug, Clone)]
pub(crate) struct Inputs {
    pub posts: Vec<Post>,
    pub rates: Vec<Rate>,
    pub area: Area,
    pub weighted_population: Option<f64>,
    pub sum_rate: Option<SumRate>,
    pub claims: Vec<ClaimRow>,
    pub submitted: Vec<(ClaimMonth, LineRow)>,
}

pub(crate) async fn inputs(conn: &mut Conn, pcn: &str, year: FinancialYear) -> AppResult<Inputs> {
    let settings = store::funding::arrs::pcn_year(conn, pcn, year).await?;
    Ok(Inputs {
        posts: store::funding::arrs::list_posts(conn, pcn).await?,
        rates: store::funding::arrs::list_rates(conn)
            .await?
            .into_iter()
            .map(|r| r.rate)
            .collect(),
        area: settings.as_ref().map_or(Area::National, |s| s.area),
        weighted_population: settings.and_then(|s| s.weighted_population),
        sum_rate: store::funding::arrs::list_sum_rates(conn)
            .await?
            .into_iter()
            .find(|r| r.year == year),
        claims: store::funding::arrs::list_claims(conn, pcn, year).await?,
        submitted: store::funding::arrs::submitted_lines(conn, pcn, year).await?,
    })
}

/// One month of the ledger.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MonthSummary {
    pub month: ClaimMonth,
    /// `none`, `draft`, `checked` or `submitted`.
    pub status: String,
    /// The submitted claim's total (0 until submitted).
    pub claimed: f64,
    /// What the current posts claim for the month at the rates in force (the submitted
    /// total once submitted).
    pub forecast: f64,
}

/// A year's aggregates for a PCN: no personal data, so an ICS viewer and the evidence
/// pack may read them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ArrsSummary {
    pub pcn: String,
    pub year: FinancialYear,
    /// £ per weighted patient × weighted population; `None` while either is missing.
    pub sum: Option<f64>,
    pub gbp_per_weighted_patient: Option<f64>,
    pub sum_source: Option<String>,
    pub weighted_population: Option<f64>,
    pub area: Area,
    /// Submitted claims' totals.
    pub claimed: f64,
    /// Months not yet submitted, from current posts at the rates in force, and backdated
    /// differences owed for months submitted.
    pub committed: f64,
    /// `claimed + committed`.
    pub forecast: f64,
    /// `sum − forecast`.
    pub headroom: Option<f64>,
    /// What the forecast leaves unclaimed at 31 March (0 when it reaches the sum).
    pub forecast_unclaimed: Option<f64>,
    pub warnings: Vec<String>,
    pub months: Vec<MonthSummary>,
}

/// The figures of a year from its inputs, as on `today`.
pub(crate) fn summarise(
    pcn: &str,
    year: FinancialYear,
    inputs: &Inputs,
    today: NaiveDate,
) -> (ArrsSummary, Vec<MissingRate>) {
    let mut months = Vec::new();
    let mut missing = Vec::new();
    let (mut claimed, mut committed) = (0.0, 0.0);
    for month in year.months() {
        let claim = inputs.claims.iter().find(|c| c.month == month);
        let status = claim.map_or("none".to_string(), |c| c.status.clone());
        if let Some(c) = claim.filter(|c| c.status == "submitted") {
            claimed += c.total;
            months.push(MonthSummary {
                month,
                status,
                claimed: c.total,
                forecast: c.total,
            });
            continue;
        }
        let mut forecast = 0.0;
        for post in &inputs.posts {
            match post_line(post, &inputs.rates, inputs.area, month) {
                Ok(Some(line)) => forecast += line.claim,
                Ok(None) => {}
                Err(m) => missing.push(m),
            }
        }
        committed += forecast;
        months.push(MonthSummary {
            month,
            status,
            claimed: 0.0,
            forecast: pence(forecast),
        });
    }
    let after_year = ClaimMonth::of(year.last_day()).plus(1);
    committed += lines::total(&backdated_lines(
        &inputs.submitted,
        &inputs.rates,
        inputs.area,
        year,
        after_year,
    ));
    let (claimed, committed) = (pence(claimed), pence(committed));
    let forecast = pence(claimed + committed);
    let sum = match (&inputs.sum_rate, inputs.weighted_population) {
        (Some(rate), Some(population)) => Some(pence(rate.gbp_per_weighted_patient * population)),
        _ => None,
    };
    let mut warnings = Vec::new();
    match sum {
        Some(sum) => warnings.extend(forecast_warnings(year, sum, forecast, today)),
        None if inputs.sum_rate.is_none() => warnings.push(format!(
            "The £ per weighted patient for {} is missing (not published in the sources gpteam holds), so the PCN's sum and headroom cannot be worked out yet.",
            year.label()
        )),
        None => warnings.push(format!(
            "Enter the PCN's weighted population on 1 January {} to work out its sum and headroom for {}.",
            year.0,
            year.label()
        )),
    }
    missing.sort();
    missing.dedup_by(|a, b| a.role == b.role && a.band == b.band);
    warnings.extend(missing.iter().map(MissingRate::words));
    let summary = ArrsSummary {
        pcn: pcn.to_string(),
        year,
        sum,
        gbp_per_weighted_patient: inputs.sum_rate.as_ref().map(|r| r.gbp_per_weighted_patient),
        sum_source: inputs.sum_rate.as_ref().map(|r| r.source.clone()),
        weighted_population: inputs.weighted_population,
        area: inputs.area,
        claimed,
        committed,
        forecast,
        headroom: sum.map(|s| pence(s - forecast)),
        forecast_unclaimed: sum.map(|s| pence((s - forecast).max(0.0))),
        warnings,
        months,
    };
    (summary, missing)
}

/// A post's part of the year.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PostYear {
    pub post: Post,
    /// Submitted for the year so far (backdated lines included).
    pub claimed: f64,
    /// Forecast for the months not yet submitted.
    pub committed: f64,
}

/// The ledger page: the aggregates, each post's part and additionality flags.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ArrsLedger {
    pub summary: ArrsSummary,
    pub posts: Vec<PostYear>,
    pub flags: Vec<String>,
    /// Financial years with a page: the year before the first rate up to the next one.
    pub years: Vec<FinancialYear>,
    pub today: NaiveDate,
}

facade! {
    /// Funding: the ARRS ledger, posts, rates and claims, and practice payments (`app.funding()`).
    pub struct Funding => funding;
}

impl Funding<'_> {
    /// A year's aggregates for a PCN (sum, claimed, committed, headroom, forecast and the
    /// warnings), for the ledger, the API and the evidence pack.
    pub async fn arrs_summary(
        &self,
        actor: &Actor,
        pcn: &str,
        year: FinancialYear,
    ) -> AppResult<ArrsSummary> {
        let mut conn = self.store().conn().await?;
        access::authorize(
            &mut conn,
            actor,
            Permission::ViewAggregates,
            Tenant::Pcn(pcn),
        )
        .await?;
        let inputs = inputs(&mut conn, pcn, year).await?;
        Ok(summarise(pcn, year, &inputs, self.today()).0)
    }

    /// The ledger for the PCN manager: the year's aggregates with each post's part.
    pub async fn arrs_ledger(
        &self,
        actor: &Actor,
        pcn: &str,
        year: FinancialYear,
    ) -> AppResult<ArrsLedger> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::View, Tenant::Pcn(pcn)).await?;
        let inputs = inputs(&mut conn, pcn, year).await?;
        let today = self.today();
        let (summary, _) = summarise(pcn, year, &inputs, today);
        let submitted_months: Vec<ClaimMonth> = inputs
            .claims
            .iter()
            .filter(|c| c.status == "submitted")
            .map(|c| c.month)
            .collect();
        let register = store::register::list(
            &mut conn,
            store::register::StaffScope::Pcn(pcn),
            &store::register::StaffFilter::default(),
        )
        .await?;
        let mut posts = Vec::new();
        let mut flags = Vec::new();
        for post in &inputs.posts {
            let claimed = pence(
                inputs
                    .submitted
                    .iter()
                    .filter(|(_, l)| l.staff_id == post.staff_id)
                    .map(|(_, l)| l.claim)
                    .sum(),
            );
            let committed = pence(
                year.months()
                    .into_iter()
                    .filter(|m| !submitted_months.contains(m))
                    .filter_map(|m| {
                        post_line(post, &inputs.rates, inputs.area, m)
                            .ok()
                            .flatten()
                    })
                    .map(|l| l.claim)
                    .sum(),
            );
            let mut checked = post.clone();
            checked.previous_post_ended = previous_post_from_register(post, &register);
            if year.contains(post.start) || post.start < year.first_day() {
                flags.extend(additionality_flags(&checked, FinancialYear::of(post.start)));
            }
            posts.push(PostYear {
                post: post.clone(),
                claimed,
                committed,
            });
        }
        let first_rate_year = inputs
            .rates
            .iter()
            .map(|r| FinancialYear::of(r.effective_from))
            .min()
            .unwrap_or(year);
        let last = FinancialYear::of(today).0.max(year.0) + 1;
        let years = (first_rate_year.0.min(year.0)..=last)
            .map(FinancialYear)
            .collect();
        Ok(ArrsLedger {
            summary,
            posts,
            flags,
            years,
            today,
        })
    }

    /// Sets the PCN's weighted population on 1 January before the year, and its area
    /// (London weighting), audited.
    pub async fn set_arrs_year(
        &self,
        actor: &Actor,
        pcn: &str,
        year: FinancialYear,
        weighted_population: &str,
        area: &str,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        access::authorize(&mut tx, actor, Permission::Manage, Tenant::Pcn(pcn)).await?;
        let mut errors = FieldErrors::default();
        let text = weighted_population.trim().replace(',', "");
        let population = if text.is_empty() {
            Some(None)
        } else {
            errors.take(match text.parse::<f64>() {
                Ok(v) if v > 0.0 && v < 10_000_000.0 => Ok(Some(v)),
                _ => Err(FieldError::new(
                    "weighted_population",
                    format!(
                        "'{}' is not a weighted population like 52,310.5",
                        weighted_population
                            .trim()
                            .chars()
                            .take(20)
                            .collect::<String>()
                    ),
                )),
            })
        };
        let area = errors.take(Area::parse(area));
        errors.clone().into_result()?;
        let settings = store::funding::arrs::PcnYear {
            weighted_population: population.expect("checked"),
            area: area.expect("checked"),
        };
        let before = store::funding::arrs::pcn_year(&mut tx, pcn, year).await?;
        let now = self.now();
        store::funding::arrs::upsert_pcn_year(&mut tx, pcn, year, &settings, &now).await?;
        commit_with_audit(
            tx,
            Some(actor),
            Change {
                action: "updated",
                entity: "arrs_year",
                entity_id: &format!("{pcn}/{}", year.code()),
                tenant: pcn,
                before: before.as_ref().and_then(json),
                after: json(&settings),
            },
            &now,
        )
        .await
    }
}

/// The latest day the person's other records in the register (same email, or same name)
/// ended before this post began, or the date the manager entered, whichever is later.
fn previous_post_from_register(
    post: &Post,
    register: &[store::register::StaffRecord],
) -> Option<NaiveDate> {
    let me = register.iter().find(|r| r.id == post.staff_id);
    let email = me.and_then(|r| r.draft.email.clone());
    let found = register
        .iter()
        .filter(|r| r.id != post.staff_id)
        .filter(|r| {
            r.draft.name.eq_ignore_ascii_case(&post.name)
                || (email.is_some() && r.draft.email == email)
        })
        .filter_map(|r| r.draft.end_date)
        .filter(|end| *end < post.start)
        .max();
    found.max(post.previous_post_ended)
}

/// A financial year from an address (`2025-26`), its problem named `year`.
pub fn parse_year(text: &str) -> AppResult<FinancialYear> {
    FinancialYear::parse(text).map_err(|e| AppError::Invalid(e.into()))
}

/// A claim month from an address (`2025-07`) that must lie in `year`.
pub fn parse_month_in(text: &str, year: FinancialYear) -> AppResult<ClaimMonth> {
    let month = ClaimMonth::parse(text).map_err(|e| AppError::Invalid(e.into()))?;
    if month.financial_year() != year {
        return Err(AppError::Invalid(
            FieldError::new(
                "month",
                format!(
                    "{} is not in the financial year {}",
                    month.label(),
                    year.label()
                ),
            )
            .into(),
        ));
    }
    Ok(month)
}

impl Funding<'_> {
    /// Whether the actor may change the PCN's ARRS records (checked before an upload is
    /// read).
    pub async fn arrs_may_manage(&self, actor: &Actor, pcn: &str) -> AppResult<()> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::Manage, Tenant::Pcn(pcn)).await
    }
}

impl Funding<'_> {
    /// Whether the actor may read the PCN's ARRS aggregates (before any input is parsed).
    pub async fn arrs_may_view_aggregates(&self, actor: &Actor, pcn: &str) -> AppResult<()> {
        let mut conn = self.store().conn().await?;
        access::authorize(
            &mut conn,
            actor,
            Permission::ViewAggregates,
            Tenant::Pcn(pcn),
        )
        .await
    }

    /// Whether the actor may read the PCN's named ARRS records.
    pub async fn arrs_may_view(&self, actor: &Actor, pcn: &str) -> AppResult<()> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::View, Tenant::Pcn(pcn)).await
    }
}
