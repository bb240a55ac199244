//! The rate tables, kept by the system administrator: maximum reimbursable amounts (a new
//! version for each change, with its source and the day it takes effect) and the £ per
//! weighted patient of each year.
use crate::access::Actor;
use crate::error::{AppError, AppResult};
use crate::{App, Change, commit_with_audit, json};
use domain::account::UserRole;
use domain::arrs::{FinancialYear, RateForm};
use domain::{FieldError, FieldErrors};
use store::arrs::{RateRecord, SumRate};

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

impl App {
    pub async fn arrs_rates(&self, actor: &Actor) -> AppResult<RatesView> {
        admin_only(actor)?;
        let mut conn = self.store().conn().await?;
        Ok(RatesView {
            rates: store::arrs::list_rates(&mut conn).await?,
            sum_rates: store::arrs::list_sum_rates(&mut conn).await?,
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
        store::arrs::insert_rate(&mut tx, &id, &draft, &now, &actor.email).await?;
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
        let before = store::arrs::list_sum_rates(&mut tx)
            .await?
            .into_iter()
            .find(|r| r.year == record.year);
        store::arrs::upsert_sum_rate(&mut tx, &record).await?;
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
