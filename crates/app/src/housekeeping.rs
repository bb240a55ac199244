//! Housekeeping: personal data kept no longer than it is needed. Log-in attempts hold
//! addresses, account links hold emails, held imports hold a team file for an hour, and
//! expired sessions hold nothing useful; the
//! server's background worker runs `App::housekeeping` hourly.
use crate::App;
use crate::error::AppResult;

/// How long each kind of record is kept. Defaults are in `Retention::default`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Log-in attempts, counted from the attempt.
    pub login_attempts: chrono::Duration,
    /// Account links (set-up, invitations, resets), counted from use or expiry.
    pub account_tokens: chrono::Duration,
}

impl Default for Retention {
    /// 30 days of log-in attempts (enough to look into a complaint of a locked account);
    /// 30 days of spent or expired links (so a manager can see an invitation lapsed).
    fn default() -> Retention {
        Retention {
            login_attempts: chrono::Duration::days(30),
            account_tokens: chrono::Duration::days(30),
        }
    }
}

/// What one run removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub login_attempts: u64,
    pub account_tokens: u64,
    /// Imports held for correction whose hour has passed.
    pub held_imports: u64,
}

impl App {
    /// Deletes log-in attempts and spent or expired account links older than `retention`,
    /// and sessions past their expiry. Safe to run from several servers at once.
    pub async fn housekeeping(
        &self,
        sessions: Option<&store::accounts::sessions::SessionBackend>,
        retention: &Retention,
    ) -> AppResult<Purged> {
        let now = self.clock().now();
        let mut conn = self.store().conn().await?;
        let attempts_before = store::timestamp(now - retention.login_attempts);
        let login_attempts = store::accounts::purge_attempts(&mut conn, &attempts_before).await?;
        let tokens_before = store::timestamp(now - retention.account_tokens);
        let account_tokens = store::accounts::tokens::purge(&mut conn, &tokens_before).await?;
        let held_imports = store::imports::purge(&mut conn, &store::timestamp(now)).await?;
        if let Some(sessions) = sessions {
            store::accounts::sessions::purge_expired(sessions).await?;
        }
        Ok(Purged {
            login_attempts,
            account_tokens,
            held_imports,
        })
    }
}
