//! Accounts people run themselves: who may invite whom and manage which accounts, the
//! list of accounts, disabling and enabling, changing a role and changing one's password.
//! The one-time links (first-run set-up, invitations, resets) are in `links`.
//!
//! The authority rule (`may_grant`), for inviting to a role at an organisation and for
//! managing an account that has that role there:
//! - a system administrator: any role at any organisation;
//! - a PCN manager: practice managers and staff of the PCN's practices, and other PCN
//!   managers of their own PCN;
//! - a practice manager: staff of their own practice;
//! - staff and ICS viewers: nobody.
//!
//! Nobody disables their own account or changes their own role. A role is changed only
//! between roles held at the same kind of organisation (practice manager and staff, at the
//! account's practice), so the account's organisation never changes.
pub mod credentials;
pub mod login;
pub mod two_factor;

pub mod links;
pub mod password;

use crate::Change;
use crate::access::Actor;
use crate::error::{AppError, AppResult};
use domain::FieldError;
use domain::account::UserRole;
use std::collections::BTreeMap;
use store::Conn;
use store::accounts::UserRecord;

/// Whether `actor` may invite someone to `role` at `org`, or manage an account holding it.
/// `org_pcn` is the PCN of `org` when `org` is a practice.
pub(crate) fn may_grant(actor: &Actor, role: UserRole, org: &str, org_pcn: Option<&str>) -> bool {
    let own = actor.org.as_str();
    match actor.role {
        UserRole::SystemAdmin => true,
        UserRole::PcnManager => match role {
            UserRole::PracticeManager | UserRole::Staff => org_pcn == Some(own),
            UserRole::PcnManager => org == own,
            UserRole::SystemAdmin | UserRole::IcsViewer => false,
        },
        UserRole::PracticeManager => role == UserRole::Staff && org == own,
        UserRole::Staff | UserRole::IcsViewer => false,
    }
}

/// Whether the role belongs to a practice (its organisation is a practice's ODS code).
fn at_practice(role: UserRole) -> bool {
    matches!(role, UserRole::PracticeManager | UserRole::Staff)
}

/// The PCN of the organisation when the role is held at a practice.
pub(crate) async fn org_pcn(
    conn: &mut Conn,
    role: UserRole,
    org: &str,
) -> AppResult<Option<String>> {
    if !at_practice(role) {
        return Ok(None);
    }
    Ok(store::organisations::get(conn, org)
        .await?
        .and_then(|p| p.pcn_code))
}

/// Whether the organisation exists for the role (none for a system administrator).
pub(crate) async fn org_known(conn: &mut Conn, role: UserRole, org: &str) -> AppResult<bool> {
    Ok(match role {
        UserRole::PracticeManager | UserRole::Staff => {
            store::organisations::get(conn, org).await?.is_some()
        }
        UserRole::PcnManager => store::organisations::get_pcn(conn, org).await?.is_some(),
        UserRole::IcsViewer => store::organisations::ics_exists(conn, org).await?,
        UserRole::SystemAdmin => org.is_empty(),
    })
}

/// Refuses anyone who can manage no account at all (staff, ICS viewers).
pub(crate) fn require_account_manager(actor: &Actor) -> AppResult<()> {
    match actor.role {
        UserRole::SystemAdmin | UserRole::PcnManager | UserRole::PracticeManager => Ok(()),
        UserRole::Staff | UserRole::IcsViewer => Err(AppError::Forbidden),
    }
}

/// One account as the accounts page and `GET /api/accounts` show it.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: UserRole,
    pub org_code: String,
    /// The organisation's name (empty for a system administrator).
    pub organisation: String,
    /// The last log-in as shown in England, or `None` when never.
    pub last_login: Option<String>,
    pub disabled: bool,
    /// The account is the actor's own (not disabled or re-roled by them).
    pub own: bool,
    /// The roles the actor may change this account to (besides its own).
    pub other_roles: Vec<UserRole>,
}

/// An organisation someone may be invited to, with the roles open there.
#[derive(Debug, Clone, PartialEq)]
pub struct InviteTarget {
    pub code: String,
    pub name: String,
    pub roles: Vec<UserRole>,
}

/// The names of organisations by code.
pub(crate) async fn org_names(conn: &mut Conn) -> AppResult<BTreeMap<String, String>> {
    Ok(store::accounts::organisation_names(conn)
        .await?
        .into_iter()
        .collect())
}

facade! {
    /// Accounts: signing in, invitations and links, two-factor sign-in (`app.accounts()`).
    pub struct Accounts => accounts;
}

impl Accounts<'_> {
    /// The accounts within the actor's authority, by email.
    pub async fn list(&self, actor: &Actor) -> AppResult<Vec<AccountView>> {
        require_account_manager(actor)?;
        let mut conn = self.store().conn().await?;
        let names = org_names(&mut conn).await?;
        let mut views = Vec::new();
        for user in store::accounts::list_all(&mut conn).await? {
            let pcn = org_pcn(&mut conn, user.role, &user.org_code).await?;
            if !may_grant(actor, user.role, &user.org_code, pcn.as_deref()) {
                continue;
            }
            let own = user.id == actor.user_id;
            let other_roles = if own {
                Vec::new()
            } else {
                UserRole::ALL
                    .into_iter()
                    .filter(|r| *r != user.role && at_practice(*r) && at_practice(user.role))
                    .filter(|r| may_grant(actor, *r, &user.org_code, pcn.as_deref()))
                    .collect()
            };
            views.push(AccountView {
                organisation: names.get(&user.org_code).cloned().unwrap_or_default(),
                last_login: user
                    .last_login_at
                    .as_deref()
                    .map(crate::clock::show_timestamp),
                id: user.id,
                name: user.display_name,
                email: user.email,
                role: user.role,
                org_code: user.org_code,
                disabled: user.disabled,
                own,
                other_roles,
            });
        }
        Ok(views)
    }

    /// The organisations and roles the actor may invite people to.
    pub async fn invite_targets(&self, actor: &Actor) -> AppResult<Vec<InviteTarget>> {
        require_account_manager(actor)?;
        let mut conn = self.store().conn().await?;
        let mut targets = Vec::new();
        if actor.role == UserRole::SystemAdmin {
            targets.push(InviteTarget {
                code: String::new(),
                name: "The whole deployment".into(),
                roles: vec![UserRole::SystemAdmin],
            });
        }
        let names = org_names(&mut conn).await?;
        for (code, name) in &names {
            let mut roles = Vec::new();
            for role in UserRole::ALL {
                if role == UserRole::SystemAdmin || !org_known(&mut conn, role, code).await? {
                    continue;
                }
                let pcn = org_pcn(&mut conn, role, code).await?;
                if may_grant(actor, role, code, pcn.as_deref()) {
                    roles.push(role);
                }
            }
            if !roles.is_empty() {
                targets.push(InviteTarget {
                    code: code.clone(),
                    name: name.clone(),
                    roles,
                });
            }
        }
        Ok(targets)
    }

    /// Loads an account the actor has authority over; others are `NotFound`.
    async fn managed_account(
        &self,
        conn: &mut Conn,
        actor: &Actor,
        id: &str,
    ) -> AppResult<UserRecord> {
        require_account_manager(actor)?;
        let user = store::accounts::get(conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let pcn = org_pcn(conn, user.role, &user.org_code).await?;
        if may_grant(actor, user.role, &user.org_code, pcn.as_deref()) {
            Ok(user)
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Disables (ending every session) or enables an account within the actor's authority.
    pub async fn set_account_disabled(
        &self,
        actor: &Actor,
        id: &str,
        disabled: bool,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let user = self.managed_account(&mut tx, actor, id).await?;
        if user.id == actor.user_id {
            return Err(AppError::Conflict(
                "You cannot disable or enable your own account: ask another administrator".into(),
            ));
        }
        store::accounts::set_disabled(&mut tx, &user.id, disabled).await?;
        if disabled {
            store::accounts::bump_session_epoch(&mut tx, &user.id).await?;
        }
        let now = self.now();
        let change = Change {
            action: if disabled { "disabled" } else { "enabled" },
            entity: "account",
            entity_id: &user.id,
            tenant: &user.org_code,
            before: crate::json(
                &serde_json::json!({ "email": user.email, "disabled": user.disabled }),
            ),
            after: crate::json(&serde_json::json!({ "email": user.email, "disabled": disabled })),
        };
        crate::commit_with_audit(tx, Some(actor), change, &now).await
    }

    /// Changes an account's role, between roles held at its organisation and within the
    /// actor's authority for both the old and the new role.
    pub async fn change_account_role(&self, actor: &Actor, id: &str, role: &str) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let user = self.managed_account(&mut tx, actor, id).await?;
        // Someone with no other role to give this account may not change its role at all.
        let mut grantable = false;
        for other in UserRole::ALL {
            let pcn = org_pcn(&mut tx, other, &user.org_code).await?;
            grantable |= other != user.role
                && at_practice(other)
                && at_practice(user.role)
                && may_grant(actor, other, &user.org_code, pcn.as_deref());
        }
        if !grantable {
            return Err(AppError::Forbidden);
        }
        let role = UserRole::parse(role)
            .ok_or_else(|| AppError::Invalid(FieldError::new("role", "Choose a role").into()))?;
        if user.id == actor.user_id {
            return Err(AppError::Conflict(
                "You cannot change your own role: ask another administrator".into(),
            ));
        }
        if role == user.role {
            return Ok(());
        }
        let pcn = org_pcn(&mut tx, role, &user.org_code).await?;
        if !(at_practice(role) && at_practice(user.role)) {
            return Err(AppError::Invalid(
                FieldError::new(
                    "role",
                    format!(
                        "A {} account cannot become a {}: invite the person to the new role instead",
                        user.role.label().to_lowercase(),
                        role.label().to_lowercase()
                    ),
                )
                .into(),
            ));
        }
        if !may_grant(actor, role, &user.org_code, pcn.as_deref()) {
            return Err(AppError::Forbidden);
        }
        store::accounts::set_role(&mut tx, &user.id, role).await?;
        let now = self.now();
        let change = Change {
            action: "changed role",
            entity: "account",
            entity_id: &user.id,
            tenant: &user.org_code,
            before: crate::json(
                &serde_json::json!({ "email": user.email, "role": user.role.code() }),
            ),
            after: crate::json(&serde_json::json!({ "email": user.email, "role": role.code() })),
        };
        crate::commit_with_audit(tx, Some(actor), change, &now).await
    }

    /// Changes the actor's own password: the current one must be right and the new one
    /// strong. Every session of the account ends (the caller starts the current one again).
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        again: &str,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let user = store::accounts::get(&mut tx, &actor.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let right = crate::accounts::credentials::verify_off_executor(
            current.to_string(),
            user.password_hash.clone(),
        )
        .await;
        if !right {
            return Err(AppError::Invalid(
                FieldError::new("current_password", "Your current password is not right").into(),
            ));
        }
        password::check(new, Some(again), &[&user.display_name, &user.email])
            .map_err(|e| AppError::Invalid(e.into()))?;
        store::accounts::set_password_hash(
            &mut tx,
            &user.id,
            &crate::accounts::credentials::hash_password(new)?,
        )
        .await?;
        store::accounts::bump_session_epoch(&mut tx, &user.id).await?;
        let now = self.now();
        let change = Change {
            action: "changed password",
            entity: "account",
            entity_id: &user.id,
            tenant: &user.org_code,
            before: None,
            after: None,
        };
        crate::commit_with_audit(tx, Some(actor), change, &now).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: UserRole, org: &str) -> Actor {
        Actor {
            user_id: "u".into(),
            email: "e".into(),
            name: "n".into(),
            role,
            org: org.into(),
            staff_id: None,
            unread_notifications: 0,
            org_name: String::new(),
        }
    }

    #[test]
    fn who_may_invite_whom() {
        use UserRole::*;
        let pcn = actor(PcnManager, "U1");
        let practice = actor(PracticeManager, "Y1");
        let cases = [
            (&pcn, PracticeManager, "Y1", Some("U1"), true),
            (&pcn, Staff, "Y1", Some("U1"), true),
            (&pcn, PracticeManager, "Y2", Some("U2"), false),
            (&pcn, PcnManager, "U1", None, true),
            (&pcn, PcnManager, "U2", None, false),
            (&pcn, SystemAdmin, "", None, false),
            (&pcn, IcsViewer, "QZZ", None, false),
            (&practice, Staff, "Y1", Some("U1"), true),
            (&practice, Staff, "Y2", Some("U1"), false),
            (&practice, PracticeManager, "Y1", Some("U1"), false),
        ];
        for (who, role, org, org_pcn, expected) in cases {
            assert_eq!(
                may_grant(who, role, org, org_pcn),
                expected,
                "{:?} → {role:?} at {org}",
                who.role
            );
        }
        assert!(may_grant(&actor(SystemAdmin, ""), IcsViewer, "QZZ", None));
        assert!(!may_grant(&actor(Staff, "Y1"), Staff, "Y1", Some("U1")));
        assert!(!may_grant(
            &actor(IcsViewer, "QZZ"),
            Staff,
            "Y1",
            Some("U1")
        ));
    }
}
