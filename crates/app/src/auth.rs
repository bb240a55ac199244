//! Logging in: argon2 password hashes, and a limit on failed attempts per client address.
use crate::App;
use crate::access::Actor;
use crate::error::{AppError, AppResult};
use crate::two_factor::LoginStep;
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use domain::account::UserRole;
use domain::staff::parse_email;
use domain::{FieldError, FieldErrors};

/// Failed log-ins allowed from one client address in `ATTEMPT_WINDOW_SECONDS`.
pub const MAX_FAILED_ATTEMPTS: i64 = 10;
pub const ATTEMPT_WINDOW_SECONDS: i64 = 60;

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::Internal(format!("hashing a password: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash of no real password, checked when the email is unknown so that a wrong email
/// takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("no account has this password").unwrap_or_default())
}

impl App {
    /// Checks an email and password. `client` identifies where the attempt came from (the
    /// peer address); after too many failures from it, attempts are refused for a while.
    /// An account with two-factor sign-in on is not logged in yet: `complete_login` takes
    /// its code.
    pub async fn login(&self, email: &str, password: &str, client: &str) -> AppResult<LoginStep> {
        let mut conn = self.store().conn().await?;
        let now = chrono::Utc::now();
        let since = store::timestamp(now - chrono::Duration::seconds(ATTEMPT_WINDOW_SECONDS));
        if store::users::failures_since(&mut conn, client, &since).await? >= MAX_FAILED_ATTEMPTS {
            store::users::record_attempt(&mut conn, client, &store::timestamp(now), false).await?;
            return Err(AppError::TooManyAttempts);
        }
        let email = email.trim().to_ascii_lowercase();
        let user = store::users::find_by_email(&mut conn, &email).await?;
        let hash = user
            .as_ref()
            .map(|u| u.password_hash.clone())
            .unwrap_or_else(|| dummy_hash().to_string());
        let password = password.to_string();
        let verified = verify_off_executor(password, hash).await;
        let ok = verified && user.as_ref().is_some_and(|u| !u.disabled);
        store::users::record_attempt(&mut conn, client, &store::timestamp(now), ok).await?;
        match user {
            Some(user) if ok => {
                let two_factor = store::two_factor::get(&mut conn, &user.id).await?;
                if two_factor.is_some_and(|t| t.enabled) {
                    return Ok(LoginStep::CodeNeeded { user_id: user.id });
                }
                store::users::set_last_login(&mut conn, &user.id, &store::timestamp(now)).await?;
                Ok(LoginStep::SignedIn(actor_of(user)))
            }
            _ => Err(AppError::BadCredentials),
        }
    }

    /// The deployment's shared secret (for signing cookies), made once and kept in the
    /// database so every web instance uses the same one.
    pub async fn web_secret(&self) -> AppResult<String> {
        use rand::Rng;
        let mut conn = self.store().conn().await?;
        if let Some(secret) = store::settings::get(&mut conn, "web_secret").await? {
            return Ok(secret);
        }
        let secret: String = rand::thread_rng()
            .sample_iter(&rand::distributions::Alphanumeric)
            .take(64)
            .map(char::from)
            .collect();
        // Two instances starting together: the first write wins, and both read it back.
        store::settings::insert_if_absent(&mut conn, "web_secret", &secret).await?;
        Ok(store::settings::get(&mut conn, "web_secret")
            .await?
            .unwrap_or(secret))
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
                store::staff::find_id_by_email(&mut tx, &staff_email.trim().to_ascii_lowercase())
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
        let user = store::users::UserRecord {
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
        store::users::insert(&mut tx, &user, &now).await?;
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
        Ok(actor_of(user))
    }

    /// The epoch a session started now belongs to.
    pub async fn session_epoch(&self, user_id: &str) -> AppResult<i64> {
        Ok(self.active_user(user_id).await?.session_epoch)
    }

    async fn active_user(&self, user_id: &str) -> AppResult<store::users::UserRecord> {
        let mut conn = self.store().conn().await?;
        store::users::get(&mut conn, user_id)
            .await?
            .filter(|user| !user.disabled)
            .ok_or(AppError::Unauthenticated)
    }
}

/// Verifies on a blocking thread: argon2 is deliberately slow and must not stall the server.
pub(crate) async fn verify_off_executor(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

pub(crate) fn actor_of(user: store::users::UserRecord) -> Actor {
    Actor {
        user_id: user.id,
        email: user.email,
        name: user.display_name,
        role: user.role,
        org: user.org_code,
        staff_id: user.staff_id,
    }
}

/// A random token of 43 letters and digits (over 256 bits), for private links such as a
/// calendar feed.
pub fn random_token() -> String {
    use rand::Rng;
    rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(43)
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
