//! Who may do what, in one place. Every use case asks `App::authorize` (or one of the staff
//! and leave checks below, built on the same rules) before it reads or writes anything; the
//! web and CLI never decide permissions themselves.
//!
//! The rules, by account role:
//! - practice manager: view and manage their own practice (its register, sites, rooms,
//!   vacancies, leave, imports); see PCN-employed people who work at it.
//! - PCN manager: view and manage the PCN and every member practice.
//! - staff: their own record, contact details and leave only.
//! - ICS viewer: aggregated figures for the PCNs of their system; never a named person.
//! - system administrator: runs the deployment (organisations, reference data, accounts)
//!   and reaches every organisation.
use crate::error::{AppError, AppResult};
use domain::account::UserRole;
use domain::org::Employer;
use store::Conn;
use store::register::StaffRecord;

/// The logged-in user, loaded from the session for each request.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub role: UserRole,
    /// PCN code, practice ODS code or ICS code, by role.
    pub org: String,
    /// The person's own staff record, when the account belongs to a member of staff.
    pub staff_id: Option<String>,
    /// Unread notifications when the actor was loaded (for the page header).
    pub unread_notifications: i64,
    /// The name of `org` when the actor was loaded (for the page header); empty if unknown.
    pub org_name: String,
}

/// The organisation a request is about.
#[derive(Debug, Clone, Copy)]
pub enum Tenant<'a> {
    Practice(&'a str),
    Pcn(&'a str),
}

/// What the request wants to do to the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read named records (the register, leave, rooms).
    View,
    /// Change records.
    Manage,
    /// Read aggregated counts only (no personal data).
    ViewAggregates,
}

/// Where the tenant sits, loaded once per check.
struct Placement {
    practice: Option<String>,
    pcn: Option<String>,
    ics: Option<String>,
}

async fn placement(conn: &mut Conn, tenant: Tenant<'_>) -> AppResult<Placement> {
    match tenant {
        Tenant::Practice(ods) => {
            let practice = store::organisations::get(conn, ods)
                .await?
                .ok_or(AppError::NotFound)?;
            let ics = match &practice.pcn_code {
                Some(pcn) => store::organisations::get_pcn(conn, pcn)
                    .await?
                    .and_then(|p| p.ics_code),
                None => None,
            };
            Ok(Placement {
                practice: Some(practice.ods_code),
                pcn: practice.pcn_code,
                ics,
            })
        }
        Tenant::Pcn(code) => {
            let pcn = store::organisations::get_pcn(conn, code)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(Placement {
                practice: None,
                pcn: Some(pcn.code),
                ics: pcn.ics_code,
            })
        }
    }
}

/// The decision itself: pure, so it can be read and tested as a table.
fn allowed(actor: &Actor, permission: Permission, place: &Placement) -> bool {
    let org = Some(actor.org.as_str());
    match actor.role {
        UserRole::SystemAdmin => true,
        UserRole::PracticeManager => place.practice.as_deref() == org,
        UserRole::PcnManager => place.pcn.as_deref() == org,
        UserRole::IcsViewer => {
            permission == Permission::ViewAggregates && place.ics.as_deref() == org
        }
        UserRole::Staff => false,
    }
}

/// Checks a permission on a tenant. An unknown tenant is `NotFound`; a known one outside
/// the user's reach is `Forbidden` — and both reveal nothing else.
pub async fn authorize(
    conn: &mut Conn,
    actor: &Actor,
    permission: Permission,
    tenant: Tenant<'_>,
) -> AppResult<()> {
    let place = placement(conn, tenant).await?;
    let permission_met = allowed(actor, permission, &place)
        // Whoever may view named records may also see the aggregates.
        || (permission == Permission::ViewAggregates && allowed(actor, Permission::View, &place));
    if permission_met {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// [`authorize`] for a PCN already read from the store, without reading it again.
pub fn authorize_read_pcn(
    actor: &Actor,
    permission: Permission,
    pcn: &store::organisations::PcnRecord,
) -> AppResult<()> {
    let place = Placement {
        practice: None,
        pcn: Some(pcn.code.clone()),
        ics: pcn.ics_code.clone(),
    };
    let permission_met = allowed(actor, permission, &place)
        || (permission == Permission::ViewAggregates && allowed(actor, Permission::View, &place));
    if permission_met {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Whether the actor may see a person's record.
pub async fn can_view_staff(
    conn: &mut Conn,
    actor: &Actor,
    person: &StaffRecord,
) -> AppResult<bool> {
    if actor.staff_id.as_deref() == Some(person.id.as_str()) {
        return Ok(true);
    }
    match actor.role {
        UserRole::SystemAdmin => Ok(true),
        UserRole::PracticeManager => Ok(person
            .draft
            .practices
            .iter()
            .any(|p| p.as_str() == actor.org)),
        UserRole::PcnManager => {
            if can_manage_staff(conn, actor, person).await? {
                return Ok(true);
            }
            for ods in &person.draft.practices {
                let practice = store::organisations::get(conn, ods.as_str()).await?;
                if practice.and_then(|p| p.pcn_code).as_deref() == Some(actor.org.as_str()) {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        UserRole::Staff | UserRole::IcsViewer => Ok(false),
    }
}

/// Whether the actor may change a person's record (beyond their own contact details).
pub async fn can_manage_staff(
    conn: &mut Conn,
    actor: &Actor,
    person: &StaffRecord,
) -> AppResult<bool> {
    match actor.role {
        UserRole::SystemAdmin => Ok(true),
        UserRole::PracticeManager => Ok(
            matches!(&person.draft.employer, Employer::Practice(ods) if ods.as_str() == actor.org),
        ),
        UserRole::PcnManager => match &person.draft.employer {
            Employer::Pcn(code) => Ok(code.as_str() == actor.org),
            Employer::Practice(ods) => {
                let practice = store::organisations::get(conn, ods.as_str()).await?;
                Ok(practice.and_then(|p| p.pcn_code).as_deref() == Some(actor.org.as_str()))
            }
        },
        UserRole::Staff | UserRole::IcsViewer => Ok(false),
    }
}

/// Loads a person and checks the actor may see them; unknown and hidden look alike.
pub async fn visible_staff(
    conn: &mut Conn,
    actor: &Actor,
    staff_id: &str,
) -> AppResult<StaffRecord> {
    let person = store::register::get(conn, staff_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if can_view_staff(conn, actor, &person).await? {
        Ok(person)
    } else {
        Err(AppError::NotFound)
    }
}

/// The organisation an audit row or a change belongs to.
pub fn tenant_of(employer: &Employer) -> String {
    employer.code().to_string()
}

/// A site once the actor's right to it (on its practice) is checked: `NotFound` for no such
/// site, `Forbidden` for someone else's.
pub(crate) async fn site_checked(
    conn: &mut store::Conn,
    actor: &Actor,
    site_id: &str,
    permission: Permission,
) -> AppResult<store::sites::SiteRecord> {
    let site = store::sites::get_site(conn, site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    authorize(
        conn,
        actor,
        permission,
        Tenant::Practice(&site.practice_ods),
    )
    .await?;
    Ok(site)
}

/// The actor an account acts as (without its unread count and organisation name, which
/// the session adds).
pub(crate) fn actor_of(user: store::accounts::UserRecord) -> Actor {
    Actor {
        user_id: user.id,
        email: user.email,
        name: user.display_name,
        role: user.role,
        org: user.org_code,
        staff_id: user.staff_id,
        unread_notifications: 0,
        org_name: String::new(),
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

    fn practice(ods: &str, pcn: &str, ics: &str) -> Placement {
        Placement {
            practice: Some(ods.into()),
            pcn: Some(pcn.into()),
            ics: Some(ics.into()),
        }
    }

    #[test]
    fn the_rules_as_a_table() {
        let own = practice("Y99901", "U99901", "QZZ");
        let other = practice("Y10001", "U10001", "QZY");
        let cases = [
            (
                UserRole::PracticeManager,
                "Y99901",
                Permission::Manage,
                &own,
                true,
            ),
            (
                UserRole::PracticeManager,
                "Y99902",
                Permission::View,
                &own,
                false,
            ),
            (
                UserRole::PcnManager,
                "U99901",
                Permission::Manage,
                &own,
                true,
            ),
            (
                UserRole::PcnManager,
                "U99901",
                Permission::View,
                &other,
                false,
            ),
            (
                UserRole::IcsViewer,
                "QZZ",
                Permission::ViewAggregates,
                &own,
                true,
            ),
            (UserRole::IcsViewer, "QZZ", Permission::View, &own, false),
            (
                UserRole::IcsViewer,
                "QZZ",
                Permission::ViewAggregates,
                &other,
                false,
            ),
            (UserRole::Staff, "Y99901", Permission::View, &own, false),
            (UserRole::SystemAdmin, "", Permission::Manage, &other, true),
        ];
        for (role, org, permission, place, expected) in cases {
            assert_eq!(
                allowed(&actor(role, org), permission, place),
                expected,
                "{role:?} {org} {permission:?}"
            );
        }
    }
}
