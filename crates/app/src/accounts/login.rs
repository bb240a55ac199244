//! Logging in: argon2 password hashes, and limits on failed attempts per client address
//! and per account.
use crate::access::Actor;
pub(crate) use crate::access::actor_of;
pub(crate) use crate::accounts::credentials::verify_off_executor;
pub use crate::accounts::credentials::{hash_password, random_token};
use crate::accounts::two_factor::LoginStep;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use domain::account::UserRole;
use domain::staff::parse_email;
use domain::{FieldError, FieldErrors};
use store::accounts::AttemptOutcome;

/// Failed log-ins allowed from one client address in `ATTEMPT_WINDOW_SECONDS`.
pub const MAX_FAILED_ATTEMPTS: i64 = 10;
pub const ATTEMPT_WINDOW_SECONDS: i64 = 60;
/// Failed log-ins allowed on one account (the email typed) in `ACCOUNT_WINDOW_SECONDS`,
/// since its last sign-in. The account unlocks itself as the failures age out.
pub const MAX_ACCOUNT_FAILURES: i64 = 10;
pub const ACCOUNT_WINDOW_SECONDS: i64 = 15 * 60;

/// When the limit on these failures (times, oldest first) lets another attempt through,
/// or `None` when it does now.
fn limit_until(failures: &[String], max: i64, window_seconds: i64) -> Option<DateTime<Utc>> {
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    if failures.len() < max {
        return None;
    }
    // Once this one ages out of the window, fewer than `max` are left.
    let deciding = &failures[failures.len() - max];
    let at = DateTime::parse_from_rfc3339(deciding)
        .ok()?
        .with_timezone(&Utc);
    Some(at + chrono::Duration::seconds(window_seconds))
}

/// Rounds up to the next whole minute, so "try again after 14:05" is true at 14:05.
fn to_next_minute(at: DateTime<Utc>) -> DateTime<Utc> {
    let seconds = at.timestamp();
    let up = seconds + (60 - seconds.rem_euclid(60)) % 60;
    DateTime::from_timestamp(up, 0).unwrap_or(at)
}

impl crate::accounts::Accounts<'_> {
    /// Starts a log-in attempt for `account` from `client`: counts their recent failures
    /// and, under both limits, records this attempt as failed until `finish_attempt` says
    /// otherwise, all under one lock, so concurrent attempts cannot pass the limit
    /// together. Over a limit nothing is recorded and the answer says when to try again.
    pub(crate) async fn start_attempt(&self, client: &str, account: &str) -> AppResult<String> {
        let now = self.clock().now();
        let client_since =
            store::timestamp(now - chrono::Duration::seconds(ATTEMPT_WINDOW_SECONDS));
        let account_since =
            store::timestamp(now - chrono::Duration::seconds(ACCOUNT_WINDOW_SECONDS));
        let mut tx = self.store().begin().await?;
        // Always address first, then account: two attempts never wait on each other's lock.
        store::accounts::lock_attempts(&mut tx, &format!("client:{client}")).await?;
        store::accounts::lock_attempts(&mut tx, &format!("account:{account}")).await?;
        let by_client = store::accounts::client_failures(&mut tx, client, &client_since).await?;
        let by_account =
            store::accounts::account_failures(&mut tx, account, &account_since).await?;
        let until = limit_until(&by_client, MAX_FAILED_ATTEMPTS, ATTEMPT_WINDOW_SECONDS).max(
            limit_until(&by_account, MAX_ACCOUNT_FAILURES, ACCOUNT_WINDOW_SECONDS),
        );
        if let Some(until) = until {
            tx.rollback().await.map_err(store::StoreError::from)?;
            let until = to_next_minute(until);
            return Err(AppError::TooManyAttempts {
                until,
                retry_after_seconds: (until - now).num_seconds().max(1),
            });
        }
        let id = store::accounts::record_account_attempt(
            &mut tx,
            client,
            account,
            &store::timestamp(now),
            AttemptOutcome::Failed,
        )
        .await?;
        tx.commit().await.map_err(store::StoreError::from)?;
        Ok(id)
    }

    /// Records how an attempt from `start_attempt` ended (a failure is already recorded).
    pub(crate) async fn finish_attempt(
        &self,
        conn: &mut store::Conn,
        id: &str,
        outcome: AttemptOutcome,
    ) -> AppResult<()> {
        if outcome != AttemptOutcome::Failed {
            store::accounts::set_attempt_outcome(conn, id, outcome).await?;
        }
        Ok(())
    }
}

/// A hash of no real password, checked when the email is unknown so that a wrong email
/// takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("no account has this password").unwrap_or_default())
}

impl crate::accounts::Accounts<'_> {
    /// Checks an email and password. `client` identifies where the attempt came from (the
    /// address of the person, as far as the server can tell); after too many failures
    /// from it, or on the account, attempts are refused for a while. An account with
    /// two-factor sign-in on is not logged in yet: `complete_login` takes its code.
    pub async fn login(&self, email: &str, password: &str, client: &str) -> AppResult<LoginStep> {
        let email = email.trim().to_ascii_lowercase();
        let attempt = self.start_attempt(client, &email).await?;
        let now = self.clock().now();
        let user = {
            let mut conn = self.store().conn().await?;
            store::accounts::find_by_email(&mut conn, &email).await?
        };
        let hash = user
            .as_ref()
            .map(|u| u.password_hash.clone())
            .unwrap_or_else(|| dummy_hash().to_string());
        let password = password.to_string();
        // No connection is held while argon2 works: many log-ins at once must not drain
        // the pool.
        let verified = verify_off_executor(password, hash).await;
        let ok = verified && user.as_ref().is_some_and(|u| !u.disabled);
        let mut conn = self.store().conn().await?;
        match user {
            Some(user) if ok => {
                let two_factor = store::accounts::two_factor::get(&mut conn, &user.id).await?;
                if two_factor.is_some_and(|t| t.enabled) {
                    self.finish_attempt(&mut conn, &attempt, AttemptOutcome::PasswordOnly)
                        .await?;
                    return Ok(LoginStep::CodeNeeded { user_id: user.id });
                }
                self.finish_attempt(&mut conn, &attempt, AttemptOutcome::SignedIn)
                    .await?;
                store::accounts::set_last_login(&mut conn, &user.id, &store::timestamp(now))
                    .await?;
                Ok(LoginStep::SignedIn(actor_of(user)))
            }
            _ => Err(AppError::BadCredentials),
        }
    }

    /// Creates an account (from the command line). The organisation must exist for the
    /// role; a staff account may be linked to the person with `staff_email`.
    pub async fn create_account(
        &self,
        email: &str,
        name: &str,
        role: UserRole,
        organisation: &str,
        staff_email: Option<&str>,
        password: &str,
    ) -> AppResult<String> {
        let mut errors = FieldErrors::default();
        let known_words = [name, email];
        let email = errors.take(parse_email(email));
        let name = errors.take(domain::error::parse_required(
            "name",
            "the person's name",
            name,
            120,
        ));
        errors.take(crate::accounts::password::check(
            password,
            None,
            &known_words,
        ));
        errors.into_result()?;
        let organisation = organisation.trim().to_ascii_uppercase();
        let mut tx = self.store().begin().await?;
        let known = crate::accounts::org_known(&mut tx, role, &organisation).await?;
        if !known {
            return Err(AppError::Invalid(
                FieldError::new(
                    "organisation",
                    format!(
                        "{organisation} is not a known organisation for a {}",
                        role.label()
                    ),
                )
                .into(),
            ));
        }
        let staff_id = match staff_email {
            Some(staff_email) => Some(
                store::register::find_id_by_email(
                    &mut tx,
                    &staff_email.trim().to_ascii_lowercase(),
                )
                .await?
                .ok_or_else(|| {
                    AppError::Invalid(
                        FieldError::new(
                            "staff_email",
                            format!("No person has the email {staff_email}"),
                        )
                        .into(),
                    )
                })?,
            ),
            None => None,
        };
        let user = store::accounts::UserRecord {
            id: store::new_id(),
            email: email.expect("checked"),
            password_hash: hash_password(password)?,
            role,
            org_code: organisation.clone(),
            staff_id,
            display_name: name.expect("checked"),
            demo: false,
            disabled: false,
            last_login_at: None,
            session_epoch: 0,
        };
        let now = self.now();
        store::accounts::insert(&mut tx, &user, &now).await?;
        let change = crate::Change {
            action: "created",
            entity: "account",
            entity_id: &user.id,
            tenant: &organisation,
            before: None,
            after: crate::json(
                &serde_json::json!({ "email": user.email, "role": role.code(), "organisation": organisation }),
            ),
        };
        crate::commit_with_audit(tx, None, change, &now).await?;
        Ok(user.id)
    }

    /// The actor behind a user id; a disabled or unknown account is `Unauthenticated`.
    pub async fn actor(&self, user_id: &str) -> AppResult<Actor> {
        Ok(actor_of(self.active_user(user_id).await?))
    }

    /// The actor behind a session: the account must be active and the session must have
    /// begun in the account's current epoch (a password change, a reset or disabling the
    /// account raises the epoch and so ends every older session).
    pub async fn session_actor(&self, user_id: &str, epoch: i64) -> AppResult<Actor> {
        let user = self.active_user(user_id).await?;
        if user.session_epoch != epoch {
            return Err(AppError::Unauthenticated);
        }
        let mut actor = actor_of(user);
        actor.unread_notifications = self
            .notifications()
            .unread_notifications(&actor.user_id)
            .await?;
        actor.org_name = self.org_name(&actor).await?;
        Ok(actor)
    }

    /// The name of the organisation the actor's role is about: their practice, PCN or ICS.
    async fn org_name(&self, actor: &Actor) -> AppResult<String> {
        let mut conn = self.store().conn().await?;
        let practice = match actor.role {
            UserRole::PracticeManager | UserRole::Staff => {
                store::organisations::get(&mut conn, &actor.org).await?
            }
            _ => None,
        };
        let name = match (actor.role, practice) {
            (_, Some(practice)) => Some(practice.name),
            // A member of staff employed by the PCN has the PCN's code.
            (UserRole::PcnManager | UserRole::Staff, None) => {
                store::organisations::get_pcn(&mut conn, &actor.org)
                    .await?
                    .map(|p| p.name)
            }
            (UserRole::IcsViewer, None) => store::organisations::get_ics(&mut conn, &actor.org)
                .await?
                .map(|i| i.name),
            (UserRole::PracticeManager | UserRole::SystemAdmin, None) => None,
        };
        Ok(name.filter(|n| !n.trim().is_empty()).unwrap_or_default())
    }

    /// The epoch a session started now belongs to.
    pub async fn session_epoch(&self, user_id: &str) -> AppResult<i64> {
        Ok(self.active_user(user_id).await?.session_epoch)
    }

    async fn active_user(&self, user_id: &str) -> AppResult<store::accounts::UserRecord> {
        let mut conn = self.store().conn().await?;
        store::accounts::get(&mut conn, user_id)
            .await?
            .filter(|user| !user.disabled)
            .ok_or(AppError::Unauthenticated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::credentials::verify_password;

    #[test]
    fn the_limit_lifts_when_the_deciding_failure_ages_out() {
        let at = |m: u32, s: u32| format!("2026-11-23T09:{m:02}:{s:02}Z");
        let nine: Vec<String> = (0..9).map(|i| at(i, 0)).collect();
        assert_eq!(limit_until(&nine, 10, 900), None);
        let twelve: Vec<String> = (0..12).map(|i| at(i, 30)).collect();
        // Once the third-oldest (09:02:30) is 15 minutes old, nine failures remain.
        let until = limit_until(&twelve, 10, 900).unwrap();
        assert_eq!(store::timestamp(until), "2026-11-23T09:17:30Z");
        assert_eq!(
            store::timestamp(to_next_minute(until)),
            "2026-11-23T09:18:00Z"
        );
        let whole = DateTime::parse_from_rfc3339("2026-11-23T09:18:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(to_next_minute(whole), whole);
    }

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert_ne!(a, b, "each hash has its own salt");
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &a));
        assert!(!verify_password("wrong", &a));
        assert!(!verify_password("anything", "not a hash"));
    }
}
