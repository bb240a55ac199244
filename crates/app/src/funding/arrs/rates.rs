//! The rate tables, kept by the system administrator: maximum reimbursable amounts (a new
//! version for each change, with its source and the day it takes effect) and the £ per
//! weighted patient of each year.
use crate::access::Actor;
use crate::error::{AppError, AppResult};
use crate::{Change, commit_with_audit, json};
use domain::account::UserRole;
use domain::arrs::{FinancialYear, RateForm};
use domain::{FieldError, FieldErrors};
use store::funding::arrs::{RateRecord, SumRate};

/// The audit rows' organisation for national rates.
const NATIONAL: &str = "national";

/// Both rate tables for the administrator's page.
#[derive(Debug, Clone, PartialEq)]
pub struct RatesView {
    pub rates: Vec<RateRecord>,
    pub sum_rates: Vec<SumRate>,
}

fn admin_only(actor: &Actor) -> AppResult<()> {
    if actor.role == UserRole::SystemAdmin {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

impl super::Funding<'_> {
    pub async fn arrs_rates(&self, actor: &Actor) -> AppResult<RatesView> {
        admin_only(actor)?;
        let mut conn = self.store().conn().await?;
        Ok(RatesView {
            rates: store::funding::arrs::list_rates(&mut conn).await?,
            sum_rates: store::funding::arrs::list_sum_rates(&mut conn).await?,
        })
    }

    /// Records a new rate version (never an edit in place), audited. A version effective
    /// from an earlier day than today changes the months it covers: those not yet submitted
    /// take it directly and those submitted get backdated lines in the next draft.
    pub async fn add_arrs_rate(&self, actor: &Actor, form: &RateForm) -> AppResult<String> {
        admin_only(actor)?;
        let draft = form.parse()?;
        let id = store::new_id();
        let now = self.now();
        let mut tx = self.store().begin().await?;
        store::funding::arrs::insert_rate(&mut tx, &id, &draft, &now, &actor.email).await?;
        commit_with_audit(
            tx,
            Some(actor),
            Change {
                action: "created",
                entity: "arrs_rate",
                entity_id: &id,
                tenant: NATIONAL,
                before: None,
                after: json(&draft),
            },
            &now,
        )
        .await?;
        Ok(id)
    }

    /// Sets the £ per weighted patient of a year with its source, audited.
    pub async fn set_arrs_sum_rate(
        &self,
        actor: &Actor,
        year: &str,
        gbp_per_weighted_patient: &str,
        source: &str,
    ) -> AppResult<()> {
        admin_only(actor)?;
        let mut errors = FieldErrors::default();
        let year = errors.take(FinancialYear::parse(year));
        let rate = errors.take(
            match gbp_per_weighted_patient
                .trim()
                .trim_start_matches('£')
                .parse::<f64>()
            {
                Ok(v) if v > 0.0 && v < 1_000.0 => Ok(v),
                _ => Err(FieldError::new(
                    "gbp_per_weighted_patient",
                    "Enter the £ per weighted patient, like 26.631",
                )),
            },
        );
        let source = errors.take(domain::error::parse_required(
            "source",
            "the source of the figure (a document or page and its date)",
            source,
            500,
        ));
        errors.clone().into_result()?;
        let record = SumRate {
            year: year.expect("checked"),
            gbp_per_weighted_patient: rate.expect("checked"),
            source: source.expect("checked"),
            updated_at: self.now(),
        };
        let mut tx = self.store().begin().await?;
        let before = store::funding::arrs::list_sum_rates(&mut tx)
            .await?
            .into_iter()
            .find(|r| r.year == record.year);
        store::funding::arrs::upsert_sum_rate(&mut tx, &record).await?;
        let now = self.now();
        commit_with_audit(
            tx,
            Some(actor),
            Change {
                action: if before.is_some() {
                    "updated"
                } else {
                    "created"
                },
                entity: "arrs_sum_rate",
                entity_id: &record.year.code(),
                tenant: NATIONAL,
                before: before.as_ref().and_then(json),
                after: json(&record),
            },
            &now,
        )
        .await
    }
}

/// An indicative yearly cost of one WTE of `role` from `month` on, for a what-if post the
/// manager gave no cost for: the ARRS maximum in force then (`rate_for`), else the latest
/// maximum recorded before it — an estimate of cost only: claims never borrow another
/// year's rate. `None` when the table has no single rate for the role (none recorded, or
/// several bands), and the caller falls back on `analytics::scenario::yearly_cost_per_wte`.
pub fn indicative_cost_per_wte(
    rates: &[domain::arrs::Rate],
    role: domain::role::Role,
    area: domain::arrs::Area,
    month: domain::arrs::ClaimMonth,
) -> Option<f64> {
    if let Some(rate) = domain::arrs::rate_for(rates, role, "", area, month) {
        return Some(rate.annual_max);
    }
    let earlier: Vec<&domain::arrs::Rate> = rates
        .iter()
        .filter(|r| r.role == role && r.area == area && r.effective_from <= month.first_day())
        .collect();
    let latest = earlier.iter().map(|r| r.effective_from).max()?;
    let at_latest: Vec<&&domain::arrs::Rate> = earlier
        .iter()
        .filter(|r| r.effective_from == latest)
        .collect();
    let mut bands: Vec<&str> = at_latest.iter().map(|r| r.band.as_str()).collect();
    bands.sort();
    bands.dedup();
    if bands.len() > 1 {
        return None;
    }
    at_latest
        .into_iter()
        .max_by(|a, b| a.created_at.cmp(&b.created_at))
        .map(|r| r.annual_max)
}

/// The yearly cost of one WTE for a what-if post with no cost given: the rate table's
/// ([`indicative_cost_per_wte`]), else the pure fallback of `analytics::scenario`. GPs are
/// always the fallback's pay-range midpoint: the ARRS GP maximum caps the reimbursement of
/// newly qualified GPs and is no estimate of a salaried GP's cost.
pub fn what_if_cost_per_wte(
    rates: &[domain::arrs::Rate],
    role: domain::role::Role,
    area: domain::arrs::Area,
    month: domain::arrs::ClaimMonth,
) -> f64 {
    let from_table = if role.staff_group() == domain::role::StaffGroup::Gp {
        None
    } else {
        indicative_cost_per_wte(rates, role, area, month)
    };
    from_table.unwrap_or_else(|| analytics::scenario::yearly_cost_per_wte(role))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use domain::arrs::{Area, ClaimMonth, Rate};
    use domain::role::Role;

    fn rate(role: Role, band: &str, max: f64, from: &str) -> Rate {
        Rate {
            id: format!("{from}-{band}"),
            role,
            band: band.into(),
            area: Area::National,
            annual_max: max,
            share: 1.0,
            effective_from: NaiveDate::parse_from_str(from, "%Y-%m-%d").unwrap(),
            source: "test".into(),
            created_at: format!("{from}T00:00:00Z"),
        }
    }

    #[test]
    fn a_what_if_cost_comes_from_the_rate_table_before_the_fallback() {
        let cp = Role::ClinicalPharmacist;
        let rates = vec![
            rate(cp, "", 62_340.0, "2023-07-01"),
            rate(cp, "7–8a", 66_972.0, "2025-04-01"),
            rate(Role::PracticeNurse, "5", 30_000.0, "2025-04-01"),
            rate(Role::PracticeNurse, "6", 40_000.0, "2025-04-01"),
        ];
        let month = |y, m| ClaimMonth { year: y, month: m };
        let n = Area::National;
        // In force in its own year.
        assert_eq!(
            indicative_cost_per_wte(&rates, cp, n, month(2025, 6)),
            Some(66_972.0)
        );
        assert_eq!(
            indicative_cost_per_wte(&rates, cp, n, month(2023, 9)),
            Some(62_340.0)
        );
        // A year with no rate: the latest recorded before it, for a cost only.
        assert_eq!(
            indicative_cost_per_wte(&rates, cp, n, month(2027, 1)),
            Some(66_972.0)
        );
        // Before any rate, or with several bands: none, and the fallback.
        assert_eq!(indicative_cost_per_wte(&rates, cp, n, month(2022, 5)), None);
        assert_eq!(
            indicative_cost_per_wte(&rates, Role::PracticeNurse, n, month(2025, 6)),
            None
        );
        // GPs: the pay-range midpoint even with an ARRS GP maximum recorded.
        let mut with_gp = rates.clone();
        with_gp.push(rate(Role::SalariedGp, "", 82_418.0, "2025-04-01"));
        assert_eq!(
            what_if_cost_per_wte(&with_gp, Role::SalariedGp, n, month(2025, 6)),
            analytics::scenario::yearly_cost_per_wte(Role::SalariedGp)
        );
        assert_eq!(
            what_if_cost_per_wte(&with_gp, cp, n, month(2025, 6)),
            66_972.0
        );
    }
}
