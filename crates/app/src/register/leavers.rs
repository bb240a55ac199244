//! Leavers: from the day after a person's end date their accounts are disabled (which ends
//! their sessions) and they are taken out of every rota not yet published. A published rota
//! that still books them is left as published and flagged by `rota::check`.
use crate::{AppResult, Change, audit, json, long_date};
use serde::Serialize;

/// What `Register::apply_leavers` closed for one person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaverApplied {
    pub staff_id: String,
    pub name: String,
    pub end_date: chrono::NaiveDate,
    /// The emails of the accounts disabled.
    pub accounts_disabled: Vec<String>,
    /// The sessions taken out of unpublished rotas.
    pub sessions_removed: Vec<store::register::leavers::RemovedSession>,
}

impl LeaverApplied {
    /// One line for the server's log, with no personal detail beyond the record's id.
    pub fn summary(&self) -> String {
        format!(
            "leaver {} (left on {}): {} account(s) disabled, {} rota session(s) removed",
            self.staff_id,
            long_date(self.end_date),
            self.accounts_disabled.len(),
            self.sessions_removed.len()
        )
    }
}

impl crate::register::Register<'_> {
    /// Closes what every leaver still holds: each person whose end date is before today
    /// and who has an account still open, or a session after their end date in a rota not
    /// yet published, has both closed in one transaction with one audit row (`left`).
    /// Running it again finds nothing, so each person is audited once.
    pub async fn apply_leavers(&self) -> AppResult<Vec<LeaverApplied>> {
        let today = self.today();
        let pending = {
            let mut conn = self.store().conn().await?;
            store::register::leavers::pending(&mut conn, today).await?
        };
        let mut done = Vec::with_capacity(pending.len());
        for leaver in pending {
            let mut tx = self.store().begin().await?;
            let accounts_disabled =
                store::register::leavers::disable_accounts(&mut tx, &leaver.staff_id).await?;
            let sessions_removed = store::register::leavers::remove_from_unpublished_rotas(
                &mut tx,
                &leaver.staff_id,
                leaver.end_date,
            )
            .await?;
            if accounts_disabled.is_empty() && sessions_removed.is_empty() {
                // Another server closed them first: nothing to record twice.
                continue;
            }
            let applied = LeaverApplied {
                staff_id: leaver.staff_id.clone(),
                name: leaver.name,
                end_date: leaver.end_date,
                accounts_disabled,
                sessions_removed,
            };
            let now = self.now();
            audit(
                &mut tx,
                None,
                Change {
                    action: "left",
                    entity: "staff",
                    entity_id: &leaver.staff_id,
                    tenant: &leaver.employer_code,
                    before: None,
                    after: json(&serde_json::json!({
                        "end_date": applied.end_date,
                        "accounts_disabled": applied.accounts_disabled.len(),
                        "sessions_removed": applied.sessions_removed,
                    })),
                },
                &now,
            )
            .await?;
            tx.commit().await.map_err(store::StoreError::from)?;
            done.push(applied);
        }
        Ok(done)
    }
}
