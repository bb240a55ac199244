//! Two-factor sign-in: TOTP codes from an authenticator app (RFC 6238: SHA-1, 6 digits,
//! 30-second steps, one step of clock skew either way) with single-use recovery codes.
//! Optional for everyone, required for system administrators.
//!
//! A code works once: the last time step an account used is stored, and only a later step
//! is accepted. Recovery codes are stored only as SHA-256 hashes (they are random, 50 bits
//! each, so a slow hash adds nothing). Neither the secret nor a code ever reaches the audit
//! log. The time is the app's clock, so a test (or `GPTEAM_NOW`) that fixes it fixes the
//! codes too.
use crate::access::Actor;
use crate::access::actor_of;
use crate::error::{AppError, AppResult};
use domain::FieldError;
use domain::account::UserRole;
use sha2::{Digest, Sha256};
use totp_rs::{Builder, Secret, Totp};

/// Recovery codes made when two-factor sign-in is turned on.
pub const RECOVERY_CODES: usize = 10;
/// How long a checked password waits for its second factor.
pub const PENDING_LOGIN_SECONDS: i64 = 300;
/// The name authenticator apps show beside the account.
const ISSUER: &str = "gpteam";
/// Letters and digits of recovery codes: no 0/o, 1/l/i to misread.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// The outcome of the password step of logging in.
#[derive(Debug, Clone, PartialEq)]
pub enum LoginStep {
    /// No second factor is set up: the user is logged in.
    SignedIn(Actor),
    /// The password was right; a code from the authenticator app (or a recovery code) is
    /// needed before the session starts.
    CodeNeeded { user_id: String },
}

/// A fresh secret to set up, as the page shows it. Nothing is stored until a code from it
/// is confirmed.
#[derive(Debug, Clone)]
pub struct TwoFactorSetup {
    /// Base32, for typing into an app by hand.
    pub secret: String,
    pub otpauth_url: String,
    /// The otpauth URL as a QR code, PNG in base64 (for a `data:` URI).
    pub qr_png_base64: String,
}

/// Where an account stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    /// A system administrator must have it on, and cannot turn it off.
    pub required: bool,
    pub recovery_codes_left: i64,
}

fn invalid(field: &'static str, message: &str) -> AppError {
    AppError::Invalid(FieldError::new(field, message).into())
}

fn totp(secret: &str, account: &str) -> AppResult<Totp> {
    let bytes = Secret::try_from_base32(secret)
        .map_err(|_| invalid("secret", "The set-up key is not valid: start again"))?;
    Builder::new()
        .with_secret(bytes)
        .with_account_name(account.replace(':', ""))
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(|_| invalid("secret", "The set-up key is not valid: start again"))
}

/// The time step of a 6-digit code valid at `unix_seconds` (within one step either way),
/// or `None`. Spaces in the code are ignored.
pub fn matching_step(secret: &str, code: &str, unix_seconds: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    totp(secret, "").ok()?.check(&code, unix_seconds)
}

/// The code an authenticator app shows at `unix_seconds` for this secret.
pub fn code_at(secret: &str, unix_seconds: u64) -> AppResult<String> {
    Ok(totp(secret, "")?.generate(unix_seconds).to_string())
}

/// A new random secret of 160 bits (RFC 4226's recommended length), in base32.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = vec![0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    Secret::from(bytes).to_base32()
}

/// A new recovery code, `xxxxx-xxxxx`.
fn new_recovery_code() -> String {
    use rand::Rng;
    let mut rng = rand::rngs::OsRng;
    let mut code = String::with_capacity(11);
    for i in 0..10 {
        if i == 5 {
            code.push('-');
        }
        let at = rng.gen_range(0..RECOVERY_ALPHABET.len());
        code.push(char::from(RECOVERY_ALPHABET[at]));
    }
    code
}

/// The stored form of a recovery code: SHA-256 of its letters and digits in lower case,
/// so "ABCDE FGHIJ" and "abcde-fghij" are the same code.
fn recovery_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Sha256::digest(normal.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn looks_like_totp(code: &str) -> bool {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit())
}

impl crate::accounts::Accounts<'_> {
    fn unix_now(&self) -> u64 {
        u64::try_from(self.clock().now().timestamp()).unwrap_or(0)
    }

    /// Checks a code (authenticator or recovery) for the account and uses it up. False for
    /// a wrong code or one used before. `change` names what the code was used for.
    async fn use_code(
        &self,
        conn: &mut store::Conn,
        user_id: &str,
        secret: &str,
        code: &str,
    ) -> AppResult<bool> {
        if looks_like_totp(code) {
            return match matching_step(secret, code, self.unix_now()) {
                Some(step) => {
                    let step = i64::try_from(step).unwrap_or(i64::MAX);
                    Ok(store::accounts::two_factor::use_step(conn, user_id, step).await?)
                }
                None => Ok(false),
            };
        }
        let hash = recovery_hash(code);
        Ok(
            store::accounts::two_factor::use_recovery_code(conn, user_id, &hash, &self.now())
                .await?,
        )
    }

    /// Whether the account has two-factor sign-in on, must have it, and its codes left.
    pub async fn two_factor_status(&self, actor: &Actor) -> AppResult<TwoFactorStatus> {
        let mut conn = self.store().conn().await?;
        let state = store::accounts::two_factor::get(&mut conn, &actor.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let left =
            store::accounts::two_factor::unused_recovery_codes(&mut conn, &actor.user_id).await?;
        Ok(TwoFactorStatus {
            enabled: state.enabled,
            required: actor.role == UserRole::SystemAdmin,
            recovery_codes_left: if state.enabled { left } else { 0 },
        })
    }

    /// True for a system administrator who has not yet set up two-factor sign-in: every
    /// page sends them to set it up first.
    pub async fn needs_two_factor_setup(&self, actor: &Actor) -> AppResult<bool> {
        if actor.role != UserRole::SystemAdmin {
            return Ok(false);
        }
        let mut conn = self.store().conn().await?;
        let state = store::accounts::two_factor::get(&mut conn, &actor.user_id).await?;
        Ok(!state.is_some_and(|s| s.enabled))
    }

    /// A secret to set up (fresh when `secret` is `None`, or the one being confirmed again
    /// after a wrong code), with its otpauth URL and QR code. Stores nothing.
    pub fn two_factor_setup(
        &self,
        actor: &Actor,
        secret: Option<&str>,
    ) -> AppResult<TwoFactorSetup> {
        let secret = secret.map_or_else(new_secret, str::to_string);
        let totp = totp(&secret, &actor.email)?;
        let otpauth_url = totp
            .to_url()
            .map_err(|e| AppError::Internal(format!("an otpauth URL: {e}")))?;
        let qr_png_base64 = totp
            .to_qr_base64()
            .map_err(|e| AppError::Internal(format!("a QR code: {e}")))?;
        Ok(TwoFactorSetup {
            secret,
            otpauth_url,
            qr_png_base64,
        })
    }

    /// Turns two-factor sign-in on with `secret` once `code` shows the app has it. Returns
    /// the recovery codes, which are shown once and stored only as hashes.
    pub async fn enable_two_factor(
        &self,
        actor: &Actor,
        secret: &str,
        code: &str,
    ) -> AppResult<Vec<String>> {
        let secret = secret.trim().to_ascii_uppercase();
        if code.trim().is_empty() {
            return Err(invalid(
                "code",
                "Enter the 6-digit code your authenticator app shows",
            ));
        }
        let mut tx = self.store().begin().await?;
        let state = store::accounts::two_factor::get(&mut tx, &actor.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        if state.enabled {
            return Err(AppError::Conflict(
                "Two-factor sign-in is already on for this account".into(),
            ));
        }
        let step = matching_step(&secret, code, self.unix_now()).ok_or_else(|| {
            invalid(
                "code",
                "The code is not correct: enter the 6-digit code your authenticator app shows now",
            )
        })?;
        store::accounts::two_factor::set(&mut tx, &actor.user_id, Some(&secret)).await?;
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        store::accounts::two_factor::use_step(&mut tx, &actor.user_id, step).await?;
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
        let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
        let now = self.now();
        store::accounts::two_factor::replace_recovery_codes(&mut tx, &actor.user_id, &hashes, &now)
            .await?;
        let change = crate::Change {
            action: "two_factor_enabled",
            entity: "account",
            entity_id: &actor.user_id,
            tenant: &actor.org,
            before: crate::json(&serde_json::json!({ "two_factor": false })),
            after: crate::json(
                &serde_json::json!({ "two_factor": true, "recovery_codes": RECOVERY_CODES }),
            ),
        };
        crate::commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(codes)
    }

    /// Turns two-factor sign-in off, given a current code or an unused recovery code. A
    /// system administrator cannot.
    pub async fn disable_two_factor(&self, actor: &Actor, code: &str) -> AppResult<()> {
        if actor.role == UserRole::SystemAdmin {
            return Err(invalid(
                "code",
                "A system administrator must keep two-factor sign-in on",
            ));
        }
        if code.trim().is_empty() {
            return Err(invalid(
                "code",
                "Enter the 6-digit code your authenticator app shows, or a recovery code",
            ));
        }
        let mut tx = self.store().begin().await?;
        let state = store::accounts::two_factor::get(&mut tx, &actor.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let secret = match (state.enabled, state.secret) {
            (true, Some(secret)) => secret,
            _ => {
                return Err(AppError::Conflict(
                    "Two-factor sign-in is not on for this account".into(),
                ));
            }
        };
        if !self
            .use_code(&mut tx, &actor.user_id, &secret, code)
            .await?
        {
            return Err(invalid(
                "code",
                "The code is not correct, or it has been used already",
            ));
        }
        store::accounts::two_factor::set(&mut tx, &actor.user_id, None).await?;
        let change = crate::Change {
            action: "two_factor_disabled",
            entity: "account",
            entity_id: &actor.user_id,
            tenant: &actor.org,
            before: crate::json(&serde_json::json!({ "two_factor": true })),
            after: crate::json(&serde_json::json!({ "two_factor": false })),
        };
        let now = self.now();
        crate::commit_with_audit(tx, Some(actor), change, &now).await
    }

    /// The second step of logging in, after `login` answered `CodeNeeded`: checks a code
    /// from the authenticator app or a recovery code. A wrong code counts as a failed
    /// log-in from `client`, against the same limit as a wrong password.
    pub async fn complete_login(
        &self,
        user_id: &str,
        code: &str,
        client: &str,
    ) -> AppResult<Actor> {
        let at = store::timestamp(self.clock().now());
        // A wrong code counts against the account as a wrong password does.
        let account = {
            let mut conn = self.store().conn().await?;
            store::accounts::get(&mut conn, user_id)
                .await?
                .filter(|u| !u.disabled)
                .ok_or(AppError::Unauthenticated)?
                .email
        };
        let attempt = self.start_attempt(client, &account).await?;
        let mut tx = self.store().begin().await?;
        let user = store::accounts::get(&mut tx, user_id)
            .await?
            .filter(|u| !u.disabled)
            .ok_or(AppError::Unauthenticated)?;
        let state = store::accounts::two_factor::get(&mut tx, user_id)
            .await?
            .unwrap_or_default();
        let secret = match (state.enabled, state.secret) {
            (true, Some(secret)) => secret,
            _ => return Err(AppError::Unauthenticated),
        };
        let recovery = !looks_like_totp(code);
        let ok = self.use_code(&mut tx, user_id, &secret, code).await?;
        if !ok {
            tx.commit().await.map_err(store::StoreError::from)?;
            return Err(AppError::BadCode);
        }
        self.finish_attempt(&mut tx, &attempt, store::accounts::AttemptOutcome::SignedIn)
            .await?;
        store::accounts::set_last_login(&mut tx, user_id, &at).await?;
        let actor = actor_of(user);
        if recovery {
            // Using up a recovery code changes what the account holds: audited, without it.
            let left = store::accounts::two_factor::unused_recovery_codes(&mut tx, user_id).await?;
            let change = crate::Change {
                action: "recovery_code_used",
                entity: "account",
                entity_id: user_id,
                tenant: &actor.org,
                before: None,
                after: crate::json(&serde_json::json!({ "recovery_codes_left": left })),
            };
            crate::commit_with_audit(tx, Some(&actor), change, &at).await?;
        } else {
            tx.commit().await.map_err(store::StoreError::from)?;
        }
        Ok(actor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238's SHA-1 test key ("12345678901234567890") in base32.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_match_the_rfc_test_vectors() {
        // RFC 6238 appendix B gives 8 digits; the 6-digit code is the last six.
        assert_eq!(code_at(RFC_SECRET, 59).unwrap(), "287082");
        assert_eq!(code_at(RFC_SECRET, 1_111_111_109).unwrap(), "081804");
        assert_eq!(code_at(RFC_SECRET, 1_234_567_890).unwrap(), "005924");
    }

    #[test]
    fn a_code_matches_within_one_step_either_way_and_no_further() {
        let at = 1_234_567_890; // step 41_152_263
        let step = at / 30;
        let code = code_at(RFC_SECRET, at).unwrap();
        assert_eq!(matching_step(RFC_SECRET, &code, at), Some(step));
        assert_eq!(matching_step(RFC_SECRET, &code, at + 30), Some(step));
        assert_eq!(matching_step(RFC_SECRET, &code, at - 30), Some(step));
        assert_eq!(matching_step(RFC_SECRET, &code, at + 60), None);
        assert_eq!(matching_step(RFC_SECRET, &code, at - 60), None);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(matching_step(RFC_SECRET, &spaced, at), Some(step));
    }

    #[test]
    fn wrong_codes_and_other_secrets_do_not_match() {
        let at = 1_234_567_890;
        let code = code_at(RFC_SECRET, at).unwrap();
        let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
        assert_eq!(matching_step(RFC_SECRET, &wrong, at), None);
        assert_eq!(matching_step(&new_secret(), &code, at), None);
        assert_eq!(matching_step(RFC_SECRET, "12345", at), None);
        assert_eq!(matching_step(RFC_SECRET, "abcdef", at), None);
        assert_eq!(matching_step("not base32!", &code, at), None);
    }

    #[test]
    fn recovery_codes_are_random_and_hashed_ignoring_case_and_separators() {
        let a = new_recovery_code();
        let b = new_recovery_code();
        assert_ne!(a, b);
        assert_eq!(a.len(), 11);
        assert_eq!(&a[5..6], "-");
        assert!(!looks_like_totp(&a));
        assert_eq!(
            recovery_hash(&a),
            recovery_hash(&a.to_uppercase().replace('-', " "))
        );
        assert_ne!(recovery_hash(&a), recovery_hash(&b));
        assert_eq!(recovery_hash(&a).len(), 64);
    }

    #[test]
    fn a_new_secret_is_160_bits_of_base32() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        assert!(Secret::try_from_base32(&secret).is_ok());
        assert_ne!(secret, new_secret());
    }
}
