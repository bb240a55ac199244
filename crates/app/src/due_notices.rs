//! Notices nobody's action triggers, found by an hourly check: training expiring or
//! expired (to the person), and an ARRS claim month that has ended while its claim is not
//! submitted (to the PCN's managers). Each is claimed in `reminders_sent` first, so it is
//! written once however often, and from however many processes, the check runs.
use crate::access::Tenant;
use crate::error::AppResult;
use crate::long_date;
use crate::notifications::{Kind, Notice};
use crate::training::{MatrixFilter, build_matrix, seed_catalogue};
use chrono::NaiveDate;
use domain::arrs::ClaimMonth;
use domain::training::{ComplianceStatus, REMIND_WITHIN_DAYS};
use std::collections::BTreeSet;

/// What one check wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DueSummary {
    pub training: usize,
    pub claims: usize,
}

impl std::fmt::Display for DueSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} training notices, {} ARRS claim notices",
            self.training, self.claims
        )
    }
}

impl crate::notifications::Notifications<'_> {
    /// Writes the notices due today (see the module's documentation).
    pub async fn notify_due(&self, today: NaiveDate) -> AppResult<DueSummary> {
        let training = self.notify_training_due(today).await?;
        let claims = self.notify_claims_due(today).await?;
        Ok(DueSummary { training, claims })
    }

    /// "Your Fire safety training expires on 3 March 2027" once per record and expiry, and
    /// again once it has expired. Inbox only: the hourly reminder email
    /// (`send_training_reminders`) is its email copy, for those who want training by email.
    async fn notify_training_due(&self, today: NaiveDate) -> AppResult<usize> {
        let now = self.now();
        let mut conn = self.store().conn().await?;
        let practices =
            store::organisations::list(&mut conn, store::organisations::PracticeScope::All).await?;
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut written = 0;
        for practice in &practices {
            let tenant = Tenant::Practice(&practice.ods_code);
            seed_catalogue(&mut conn, tenant, &now).await?;
            let matrix = build_matrix(&mut conn, tenant, &MatrixFilter::default(), today).await?;
            for row in &matrix.people {
                if !seen.insert(row.staff_id.clone()) {
                    continue;
                }
                let accounts =
                    store::notifications::accounts_of_staff(&mut conn, &row.staff_id).await?;
                if accounts.is_empty() {
                    continue;
                }
                for (topic, cell) in matrix.topics.iter().zip(&row.cells) {
                    let Some(expires) = cell.expires_on else {
                        continue;
                    };
                    let text = match cell.status {
                        ComplianceStatus::Expired => format!(
                            "Your {} training expired on {}: book a refresher and add the new record.",
                            topic.topic.title(),
                            long_date(expires)
                        ),
                        _ if (expires - today).num_days() <= REMIND_WITHIN_DAYS => format!(
                            "Your {} training expires on {}: book a refresher.",
                            topic.topic.title(),
                            long_date(expires)
                        ),
                        _ => continue,
                    };
                    let about = format!("{}:{expires}:{}", topic.id, cell.status.code());
                    // One transaction: the claim and the notice stand or fall together.
                    let mut tx = self.store().begin().await?;
                    if !store::training::claim_reminder(
                        &mut tx,
                        "training_due_notice",
                        &row.staff_id,
                        &about,
                        &now,
                    )
                    .await?
                    {
                        continue;
                    }
                    let notice =
                        Notice::new(Kind::Training, text, "/me/training").about(&row.staff_id);
                    for user_id in &accounts {
                        self.notify_user_with(&mut tx, user_id, &notice, false)
                            .await?;
                    }
                    tx.commit().await.map_err(store::StoreError::from)?;
                    written += 1;
                }
            }
        }
        Ok(written)
    }

    /// "The ARRS claim for October 2026 has not been submitted" to each PCN manager of a
    /// PCN with ARRS posts, once per month, from the day after the month ends.
    async fn notify_claims_due(&self, today: NaiveDate) -> AppResult<usize> {
        let month = ClaimMonth::of(today).plus(-1);
        let month_code = format!("{:04}-{:02}", month.year, month.month);
        let mut conn = self.store().conn().await?;
        let pcns = store::organisations::list_pcns(&mut conn, None).await?;
        let mut written = 0;
        for pcn in pcns {
            if store::funding::arrs::list_posts(&mut conn, &pcn.code)
                .await?
                .is_empty()
            {
                continue;
            }
            let claim = store::funding::arrs::get_claim(&mut conn, &pcn.code, month).await?;
            if claim.is_some_and(|c| c.status == "submitted") {
                continue;
            }
            let mut tx = self.store().begin().await?;
            if !store::training::claim_reminder(
                &mut tx,
                "arrs_claim_due",
                &pcn.code,
                &month_code,
                &self.now(),
            )
            .await?
            {
                continue;
            }
            let notice = Notice::new(
                Kind::ArrsClaim,
                format!(
                    "The ARRS claim for {} is ready to submit: the month has ended and its claim has not been submitted.",
                    month.label()
                ),
                format!(
                    "/pcns/{}/arrs/{}/claims/{month_code}",
                    pcn.code,
                    month.financial_year().code()
                ),
            );
            self.notify_managers(&mut tx, &pcn.code, None, &notice)
                .await?;
            tx.commit().await.map_err(store::StoreError::from)?;
            written += 1;
        }
        if written > 0 {
            self.email_nudge();
        }
        Ok(written)
    }
}
