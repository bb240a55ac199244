//! One-time links: the first-run set-up link, invitations and password resets. A link's
//! token is 43 random letters and digits; only its SHA-256 is stored, and it is spent in
//! the same transaction as the change it makes, so it works once.
use super::{may_grant, org_known, org_names, org_pcn, password};
use crate::Change;
use crate::access::Actor;
use crate::error::{AppError, AppResult};
use crate::mail::Email;
use crate::mail::Mailer;
use chrono::Duration;
use domain::account::UserRole;
use domain::staff::parse_email;
use domain::{FieldError, FieldErrors};
use sha2::{Digest, Sha256};
use store::accounts::tokens::{Purpose, TokenRow};

/// How long each kind of link works.
pub const SETUP_VALID_HOURS: i64 = 1;
pub const INVITATION_VALID_DAYS: i64 = 7;
pub const RESET_VALID_HOURS: i64 = 1;
/// Reset emails sent to one address in an hour, at most.
pub const RESETS_PER_HOUR: i64 = 3;

/// Why a link no longer works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadLink {
    /// No such link (mistyped, or never made).
    Unknown,
    /// Already used (or, for the set-up link, an account now exists).
    Used,
    Expired,
}

/// A link that works, as its page describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenLink {
    pub email: String,
    pub role: Option<UserRole>,
    /// The organisation's name (empty for a system administrator).
    pub organisation: String,
}

/// The result of using a link: done, or why it no longer works.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkOutcome<T> {
    Done(T),
    Dead(DeadLink),
}

/// What someone accepting a link chose.
#[derive(Debug, Clone, Default)]
pub struct NewAccount {
    pub name: String,
    /// Only the first-run set-up asks for the address; an invitation carries it.
    pub email: String,
    pub password: String,
    /// The password typed again, on the pages (the API sends it once).
    pub password_again: Option<String>,
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

fn new_row(
    purpose: Purpose,
    email: &str,
    role: &str,
    org: &str,
    now: chrono::DateTime<chrono::Utc>,
    valid: Duration,
) -> (String, TokenRow) {
    let token = crate::accounts::credentials::random_token();
    let row = TokenRow {
        id: store::new_id(),
        token_hash: token_hash(&token),
        purpose,
        email: email.into(),
        role: role.into(),
        org_code: org.into(),
        staff_id: None,
        user_id: None,
        created_by: None,
        created_at: store::timestamp(now),
        expires_at: store::timestamp(now + valid),
        used_at: None,
    };
    (token, row)
}

impl super::Accounts<'_> {
    /// The token of a link that still works, or why it does not.
    async fn live_token(
        &self,
        conn: &mut store::Conn,
        purpose: Purpose,
        token: &str,
    ) -> AppResult<Result<TokenRow, DeadLink>> {
        let Some(row) = store::accounts::tokens::find(conn, purpose, &token_hash(token)).await?
        else {
            return Ok(Err(DeadLink::Unknown));
        };
        if row.used_at.is_some() {
            return Ok(Err(DeadLink::Used));
        }
        if row.expires_at <= self.now() {
            return Ok(Err(DeadLink::Expired));
        }
        if purpose == Purpose::Setup && store::accounts::count(conn).await? > 0 {
            return Ok(Err(DeadLink::Used));
        }
        Ok(Ok(row))
    }

    /// What a link's page shows: who it is for, or why it no longer works.
    pub async fn open_link(
        &self,
        purpose: Purpose,
        token: &str,
    ) -> AppResult<Result<OpenLink, DeadLink>> {
        let mut conn = self.store().conn().await?;
        let row = match self.live_token(&mut conn, purpose, token).await? {
            Ok(row) => row,
            Err(dead) => return Ok(Err(dead)),
        };
        let names = org_names(&mut conn).await?;
        Ok(Ok(OpenLink {
            organisation: names.get(&row.org_code).cloned().unwrap_or_default(),
            role: UserRole::parse(&row.role),
            email: row.email,
        }))
    }

    /// With no account at all, makes the first-run set-up link's token (valid one hour);
    /// `None` once any account exists.
    pub async fn create_setup_link(&self) -> AppResult<Option<String>> {
        let mut tx = self.store().begin().await?;
        if store::accounts::count(&mut tx).await? > 0 {
            return Ok(None);
        }
        let (token, row) = new_row(
            Purpose::Setup,
            "",
            UserRole::SystemAdmin.code(),
            "",
            self.clock().now(),
            Duration::hours(SETUP_VALID_HOURS),
        );
        store::accounts::tokens::insert(&mut tx, &row).await?;
        let now = self.now();
        let change = Change {
            action: "created",
            entity: "set-up link",
            entity_id: &row.id,
            tenant: "",
            before: None,
            after: crate::json(&serde_json::json!({ "expires_at": row.expires_at })),
        };
        crate::commit_with_audit(tx, None, change, &now).await?;
        Ok(Some(token))
    }

    /// Creates the first system administrator through the set-up link.
    pub async fn complete_setup(
        &self,
        token: &str,
        form: &NewAccount,
    ) -> AppResult<LinkOutcome<Actor>> {
        let mut tx = self.store().begin().await?;
        let row = match self.live_token(&mut tx, Purpose::Setup, token).await? {
            Ok(row) => row,
            Err(dead) => return Ok(LinkOutcome::Dead(dead)),
        };
        let mut errors = FieldErrors::default();
        let email = errors.take(parse_email(&form.email));
        let actor = self.new_account(&mut tx, &row, email, form, errors).await?;
        Ok(LinkOutcome::Done(
            self.spend_and_audit(tx, &row, actor, "set up").await?,
        ))
    }

    /// Checks the chosen name and password and inserts the account a link grants.
    async fn new_account(
        &self,
        tx: &mut store::Tx,
        row: &TokenRow,
        email: Option<String>,
        form: &NewAccount,
        mut errors: FieldErrors,
    ) -> AppResult<Actor> {
        let name = errors.take(domain::error::parse_required(
            "name",
            "your full name",
            &form.name,
            120,
        ));
        if let Some(email) = &email {
            errors.take(password::check(
                &form.password,
                form.password_again.as_deref(),
                &[&form.name, email],
            ));
        }
        errors.into_result()?;
        let email = email.expect("checked");
        if store::accounts::find_by_email(tx, &email).await?.is_some() {
            return Err(AppError::Invalid(
                FieldError::new(
                    "email",
                    format!("{email} already has an account: log in instead"),
                )
                .into(),
            ));
        }
        let role = UserRole::parse(&row.role)
            .ok_or_else(|| AppError::Internal(format!("a link for the role '{}'", row.role)))?;
        let user = store::accounts::UserRecord {
            id: store::new_id(),
            email,
            password_hash: crate::accounts::credentials::hash_password(&form.password)?,
            role,
            org_code: row.org_code.clone(),
            staff_id: row.staff_id.clone(),
            display_name: name.expect("checked"),
            demo: false,
            disabled: false,
            last_login_at: None,
            session_epoch: 0,
        };
        let now = self.now();
        store::accounts::insert(tx, &user, &now).await?;
        // The new account's session starts at once: that is its first log-in.
        store::accounts::set_last_login(tx, &user.id, &now).await?;
        Ok(crate::access::actor_of(user))
    }

    /// Spends the link and writes the new account's audit row, in the same transaction.
    async fn spend_and_audit(
        &self,
        mut tx: store::Tx,
        row: &TokenRow,
        actor: Actor,
        how: &str,
    ) -> AppResult<Actor> {
        let now = self.now();
        if !store::accounts::tokens::mark_used(&mut tx, &row.id, &now).await? {
            return Err(AppError::Conflict("This link has just been used".into()));
        }
        let change = Change {
            action: "created",
            entity: "account",
            entity_id: &actor.user_id,
            tenant: &actor.org,
            before: None,
            after: crate::json(
                &serde_json::json!({ "email": actor.email, "role": actor.role.code(), "organisation": actor.org, "by": how }),
            ),
        };
        crate::commit_with_audit(tx, Some(&actor), change, &now).await?;
        Ok(actor)
    }

    /// Invites an address to a role at an organisation: a one-time link, valid 7 days, is
    /// emailed. Returns the invitation's id. A role or organisation outside the actor's
    /// authority is `Forbidden`. An address that already has an account is answered the
    /// same way (the id, a pending invitation, the audit row), and is emailed a "you have
    /// been added" note with the log-in link instead of a set-up link, so an inviter cannot
    /// learn whether an address has an account anywhere.
    pub async fn invite(
        &self,
        actor: &Actor,
        email: &str,
        role: &str,
        organisation: &str,
        mailer: &dyn Mailer,
        public_url: &str,
    ) -> AppResult<String> {
        super::require_account_manager(actor)?;
        let mut errors = FieldErrors::default();
        let email = errors.take(parse_email(email));
        let role = UserRole::parse(role.trim());
        if role.is_none() {
            errors.push(FieldError::new(
                "role",
                "Choose the role the person will have",
            ));
        }
        errors.into_result()?;
        let (email, role) = (email.expect("checked"), role.expect("checked"));
        let organisation = if role == UserRole::SystemAdmin {
            String::new()
        } else {
            organisation.trim().to_ascii_uppercase()
        };
        let mut tx = self.store().begin().await?;
        if !org_known(&mut tx, role, &organisation).await? {
            return Err(AppError::Invalid(
                FieldError::new(
                    "organisation",
                    format!(
                        "Choose an organisation a {} belongs to",
                        role.label().to_lowercase()
                    ),
                )
                .into(),
            ));
        }
        let pcn = org_pcn(&mut tx, role, &organisation).await?;
        if !may_grant(actor, role, &organisation, pcn.as_deref()) {
            return Err(AppError::Forbidden);
        }
        // Whether the address has an account (perhaps in another PCN) changes only the
        // email the address receives: the inviter gets the same answer, the same pending
        // invitation and the same audit row either way, so inviting tells them nothing.
        let has_account = store::accounts::find_by_email(&mut tx, &email)
            .await?
            .is_some();
        let (token, mut row) = new_row(
            Purpose::Invitation,
            &email,
            role.code(),
            &organisation,
            self.clock().now(),
            Duration::days(INVITATION_VALID_DAYS),
        );
        row.created_by = Some(actor.user_id.clone());
        // Linked to the person's record when the inviter can see someone with that address
        // (an address may be used by several employers: the one at the invited organisation
        // first); people the inviter cannot see are passed over in silence.
        row.staff_id = visible_person(&mut tx, actor, &email, &organisation).await?;
        store::accounts::tokens::insert(&mut tx, &row).await?;
        let names = org_names(&mut tx).await?;
        let org_name = names.get(&organisation).cloned().unwrap_or_default();
        let now = self.now();
        let change = Change {
            action: "invited",
            entity: "invitation",
            entity_id: &row.id,
            tenant: &organisation,
            before: None,
            after: crate::json(
                &serde_json::json!({ "email": email, "role": role.code(), "organisation": organisation, "expires_at": row.expires_at }),
            ),
        };
        crate::commit_with_audit(tx, Some(actor), change, &now).await?;
        let at = if org_name.is_empty() {
            String::new()
        } else {
            format!(" at {org_name}")
        };
        let base = public_url.trim_end_matches('/');
        let role_words = role.label().to_lowercase();
        let message = if has_account {
            // The account holder learns the address was invited; the inviter learns nothing.
            Email {
                to: email,
                subject: "You have been added to gpteam".into(),
                body: format!(
                    "{} has added you to gpteam as {role_words}{at}.\n\nThis address already has a gpteam account, so there is nothing to set up: log in as usual here:\n{base}/login\n\nA gpteam account has one role. If this should change yours, tell {} (who was not told that you already have an account) or your gpteam administrator. If you did not expect this email, ignore it: nothing has changed.\n",
                    actor.name, actor.name
                ),
            }
        } else {
            Email {
                to: email,
                subject: "You are invited to gpteam".into(),
                body: format!(
                    "{} has invited you to gpteam as {role_words}{at}.\n\nChoose your password here to start (the link works once, for 7 days):\n{base}/invitations/{token}\n\nIf you did not expect this email, ignore it: nothing happens without the link.\n",
                    actor.name
                ),
            }
        };
        mailer.send(&message).await.map_err(|e| {
            AppError::Internal(format!("the invitation email could not be sent: {e}"))
        })?;
        Ok(row.id)
    }

    /// Accepts an invitation: creates the account with the chosen name and password.
    pub async fn accept_invitation(
        &self,
        token: &str,
        form: &NewAccount,
    ) -> AppResult<LinkOutcome<Actor>> {
        let mut tx = self.store().begin().await?;
        let row = match self.live_token(&mut tx, Purpose::Invitation, token).await? {
            Ok(row) => row,
            Err(dead) => return Ok(LinkOutcome::Dead(dead)),
        };
        if store::accounts::find_by_email(&mut tx, &row.email)
            .await?
            .is_some()
        {
            // Someone made the account another way since: the link has done its work.
            return Ok(LinkOutcome::Dead(DeadLink::Used));
        }
        let actor = self
            .new_account(
                &mut tx,
                &row,
                Some(row.email.clone()),
                form,
                FieldErrors::default(),
            )
            .await?;
        Ok(LinkOutcome::Done(
            self.spend_and_audit(tx, &row, actor, "invitation").await?,
        ))
    }

    /// Asks for a password reset. Whether or not the address has an account, the same work
    /// is done up to the database, and the caller answers the same; an account (not
    /// disabled, under `RESETS_PER_HOUR`) is emailed a one-time link valid one hour.
    pub async fn request_password_reset(
        &self,
        email: &str,
        mailer: &dyn Mailer,
        public_url: &str,
    ) -> AppResult<()> {
        let Ok(email) = parse_email(email) else {
            return Ok(());
        };
        let now = self.clock().now();
        let (token, mut row) = new_row(
            Purpose::PasswordReset,
            &email,
            "",
            "",
            now,
            Duration::hours(RESET_VALID_HOURS),
        );
        let mut tx = self.store().begin().await?;
        let user = store::accounts::find_by_email(&mut tx, &email).await?;
        if let Some(user) = &user {
            // Requests for one account one after another, so the limit holds.
            store::accounts::lock(&mut tx, &user.id).await?;
        }
        let since = store::timestamp(now - Duration::hours(1));
        let recent =
            store::accounts::tokens::count_since(&mut tx, Purpose::PasswordReset, &email, &since)
                .await?;
        let Some(user) = user.filter(|u| !u.disabled && recent < RESETS_PER_HOUR) else {
            return Ok(());
        };
        row.role = user.role.code().into();
        row.org_code = user.org_code.clone();
        row.user_id = Some(user.id.clone());
        store::accounts::tokens::insert(&mut tx, &row).await?;
        let change = Change {
            action: "requested password reset",
            entity: "account",
            entity_id: &user.id,
            tenant: &user.org_code,
            before: None,
            after: crate::json(&serde_json::json!({ "expires_at": row.expires_at })),
        };
        crate::commit_with_audit(tx, None, change, &store::timestamp(now)).await?;
        let message = Email {
            to: user.email,
            subject: "Reset your gpteam password".into(),
            body: format!(
                "Someone (we hope you) asked to reset the password of your gpteam account.\n\nChoose a new password here (the link works once, for one hour):\n{}/password-reset/{token}\n\nIf you did not ask, ignore this email: your password stays as it is.\n",
                public_url.trim_end_matches('/')
            ),
        };
        mailer
            .send(&message)
            .await
            .map_err(|e| AppError::Internal(format!("the reset email could not be sent: {e}")))
    }

    /// Sets a new password through a reset link; every session of the account ends and
    /// every other reset link for it dies.
    pub async fn reset_password(
        &self,
        token: &str,
        new: &str,
        again: Option<&str>,
    ) -> AppResult<LinkOutcome<()>> {
        let mut tx = self.store().begin().await?;
        let row = match self
            .live_token(&mut tx, Purpose::PasswordReset, token)
            .await?
        {
            Ok(row) => row,
            Err(dead) => return Ok(LinkOutcome::Dead(dead)),
        };
        let user = match row.user_id.as_deref() {
            Some(id) => store::accounts::get(&mut tx, id).await?,
            None => None,
        };
        let Some(user) = user.filter(|u| !u.disabled && u.email == row.email) else {
            return Ok(LinkOutcome::Dead(DeadLink::Unknown));
        };
        password::check(new, again, &[&user.display_name, &user.email])
            .map_err(|e| AppError::Invalid(e.into()))?;
        store::accounts::set_password_hash(
            &mut tx,
            &user.id,
            &crate::accounts::credentials::hash_password(new)?,
        )
        .await?;
        store::accounts::bump_session_epoch(&mut tx, &user.id).await?;
        let now = self.now();
        if !store::accounts::tokens::mark_used(&mut tx, &row.id, &now).await? {
            return Ok(LinkOutcome::Dead(DeadLink::Used));
        }
        store::accounts::tokens::spend_all(&mut tx, Purpose::PasswordReset, &user.email, &now)
            .await?;
        let change = Change {
            action: "reset password",
            entity: "account",
            entity_id: &user.id,
            tenant: &user.org_code,
            before: None,
            after: None,
        };
        crate::commit_with_audit(tx, None, change, &now).await?;
        Ok(LinkOutcome::Done(()))
    }
}

/// The person with this email whom the actor can see: the one employed by (or working at)
/// the invited organisation first, else the oldest record.
async fn visible_person(
    conn: &mut store::Conn,
    actor: &Actor,
    email: &str,
    organisation: &str,
) -> AppResult<Option<String>> {
    let mut seen = Vec::new();
    for id in store::register::find_ids_by_email(conn, email).await? {
        if let Some(person) = store::register::get(conn, &id).await?
            && crate::access::can_view_staff(conn, actor, &person).await?
        {
            seen.push(person);
        }
    }
    let here = |p: &store::register::StaffRecord| {
        p.draft.employer.code() == organisation
            || p.draft.practices.iter().any(|o| o.as_str() == organisation)
    };
    Ok(seen
        .iter()
        .find(|p| here(p))
        .or(seen.first())
        .map(|p| p.id.clone()))
}
