//! Answering the check-in: once a period, in two transactions that share nothing but the
//! period. The first writes the "who answered" marker and its audit row; only after it has
//! committed does the second write the answer, sealed, to `wellbeing_pending`. So no
//! transaction, and no row, holds both who and what.
use super::seal::{self, SealedAnswer};
use super::{checkin_tenant, home_practice, questionnaire};
use crate::access::Actor;
use crate::error::{AppError, AppResult};
use crate::{Change, commit_with_audit, json};
use domain::role::StaffGroup;
use domain::wellbeing::{AnswerForm, Period};
use serde::Serialize;
use store::wellbeing::QuestionnaireRecord;

/// The check-in open to a person now.
#[derive(Debug, Clone, Serialize)]
pub struct CurrentCheckin {
    pub questionnaire_id: String,
    pub questions: Vec<String>,
    pub period: Period,
    pub period_weeks: u32,
    /// Whether the person has answered in this period already.
    pub answered: bool,
    pub practice_ods: String,
    pub staff_group: StaffGroup,
    pub threshold: u32,
}

impl super::Wellbeing<'_> {
    /// The check-in open to the actor now, and whether they have answered it.
    pub async fn current_checkin(&self, actor: &Actor) -> AppResult<CurrentCheckin> {
        let mut conn = self.store().conn().await?;
        let me = self.me_in_post(&mut conn, actor).await?;
        let practice = home_practice(&me).ok_or(AppError::NotFound)?;
        let tenant = checkin_tenant(&mut conn, &practice).await?;
        let (q, _) = questionnaire(&mut conn, &tenant).await?;
        let period = Period::containing(self.today(), q.settings.period_weeks);
        let answered =
            store::wellbeing::has_answered(&mut conn, &me.id, &period.start.to_string()).await?;
        Ok(CurrentCheckin {
            questionnaire_id: q.id,
            questions: q.settings.questions,
            period,
            period_weeks: q.settings.period_weeks,
            answered,
            practice_ods: practice,
            staff_group: me.draft.role.staff_group(),
            threshold: q.settings.threshold,
        })
    }

    /// Stores the actor's answers for this period, anonymously. A second answer in the
    /// same period is a `Conflict`; bad answers are `Invalid`, naming each field. Either
    /// way nothing is stored.
    pub async fn submit_checkin(&self, actor: &Actor, form: &AnswerForm) -> AppResult<Period> {
        let mut tx = self.store().begin().await?;
        let me = self.me_in_post(&mut tx, actor).await?;
        let practice = home_practice(&me).ok_or(AppError::NotFound)?;
        let tenant = checkin_tenant(&mut tx, &practice).await?;
        let (q, stored) = questionnaire(&mut tx, &tenant).await?;
        let answers = form.parse(&q.settings.questions)?;
        let period = Period::containing(self.today(), q.settings.period_weeks);
        let start = period.start.to_string();
        // Sealed before anything is written: the box holds the practice and staff group
        // (a report needs them), never the person.
        let sealed = self
            .wellbeing_key()
            .seal(
                &seal::context(&q.id, &start),
                &SealedAnswer::new(&practice, me.draft.role.staff_group(), &answers),
            )
            .map_err(|e| AppError::Internal(e.to_string()))?;
        if !stored {
            let record = QuestionnaireRecord {
                created_at: self.now(),
                ..q.clone()
            };
            store::wellbeing::insert_questionnaire(&mut tx, &record).await?;
        }
        if !store::wellbeing::mark_answered(&mut tx, &me.id, &start).await? {
            return Err(AppError::Conflict(format!(
                "You have already answered the check-in for {} to {}. The next one opens on {}.",
                period.start.format("%-d %B"),
                period.end.format("%-d %B %Y"),
                period.next_start().format("%-d %B %Y")
            )));
        }
        let now = self.now();
        // What the person did, never what they answered.
        let change = Change {
            action: "answered",
            entity: "wellbeing_checkin",
            entity_id: &start,
            tenant: &practice,
            before: None,
            after: json(&serde_json::json!({ "period_start": start })),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        // The answer, in a transaction of its own.
        if let Err(e) = self.store_sealed(&q.id, &start, &sealed).await {
            // Not stored: take the marker back so the person can answer again.
            let mut conn = self.store().conn().await?;
            store::wellbeing::unmark_answered(&mut conn, &me.id, &start).await?;
            return Err(e);
        }
        Ok(period)
    }

    async fn store_sealed(
        &self,
        questionnaire_id: &str,
        start: &str,
        sealed: &str,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        store::wellbeing::insert_pending(&mut tx, questionnaire_id, start, sealed).await?;
        tx.commit().await.map_err(store::StoreError::from)?;
        Ok(())
    }
}
