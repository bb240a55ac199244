//! Closing a period: its sealed answers are opened, shuffled and written to the results in
//! one transaction, each under a fresh random id, and the boxes deleted. Run before every
//! read of results, so a report never shows a closed period half published.
use super::seal::{self, SealedAnswer};
use crate::error::{AppError, AppResult};
use chrono::NaiveDate;
use domain::role::StaffGroup;
use domain::wellbeing::{Answers, Period};
use rand::seq::SliceRandom;

/// Whether a period has closed by `today`: its last day is over.
pub fn has_closed(period: &Period, today: NaiveDate) -> bool {
    period.end < today
}

impl super::Wellbeing<'_> {
    /// Publishes the sealed answers of every period that has closed; returns how many.
    /// A box this process's key cannot open (sealed under another key) is left in place
    /// and logged, never deleted: the operator may still bring the right key back.
    pub async fn close_wellbeing_periods(&self) -> AppResult<usize> {
        let today = self.today();
        let due: Vec<(String, String)> = {
            let mut conn = self.store().conn().await?;
            store::wellbeing::pending_periods(&mut conn)
                .await?
                .into_iter()
                .filter(|(_, start, weeks)| {
                    NaiveDate::parse_from_str(start, "%Y-%m-%d")
                        .map(|s| has_closed(&Period::starting(s, *weeks), today))
                        .unwrap_or(false)
                })
                .map(|(q, start, _)| (q, start))
                .collect()
        };
        let mut published = 0;
        for (questionnaire_id, start) in due {
            published += self.close_period(&questionnaire_id, &start).await?;
        }
        Ok(published)
    }

    async fn close_period(&self, questionnaire_id: &str, start: &str) -> AppResult<usize> {
        let context = seal::context(questionnaire_id, start);
        let mut tx = self.store().begin().await?;
        let rows = store::wellbeing::pending(&mut tx, questionnaire_id, start).await?;
        let mut opened: Vec<SealedAnswer> = Vec::with_capacity(rows.len());
        for row in rows {
            match self.wellbeing_key().open(&context, &row.sealed) {
                // Deleting first claims the box: another process closing the same period
                // at once deletes nothing and so publishes nothing twice.
                Ok(answer) => {
                    if store::wellbeing::take_pending(&mut tx, &row.id).await? {
                        opened.push(answer);
                    }
                }
                Err(e) => tracing::warn!(
                    "wellbeing: a sealed answer of the period starting {start} was kept: {e}"
                ),
            }
        }
        opened.shuffle(&mut rand::rngs::OsRng);
        for answer in &opened {
            let group = StaffGroup::parse(&answer.staff_group).ok_or_else(|| {
                AppError::Internal(format!("staff group '{}'", answer.staff_group))
            })?;
            let answers = Answers {
                scores: answer.scores.clone(),
                comment: answer.comment.clone(),
            };
            store::wellbeing::insert_answer(
                &mut tx,
                questionnaire_id,
                start,
                &answer.practice_ods,
                group,
                &answers,
            )
            .await?;
        }
        tx.commit().await.map_err(store::StoreError::from)?;
        Ok(opened.len())
    }
}
