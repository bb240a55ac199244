//! The team register: listing, adding and changing people.
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::rota::stale::{Checked, Watch, person_scopes};
use crate::{Change, commit_with_audit, json};
use domain::account::UserRole;
use domain::org::Employer;
use domain::staff::{StaffDraft, StaffForm, parse_email};
use domain::{FieldError, FieldErrors};
use store::Conn;
use store::register::{StaffFilter, StaffRecord, StaffScope};

pub mod leavers;
pub mod person_data;

/// The tenant that owns a person's record: their employer.
pub(crate) fn employer_tenant(employer: &Employer) -> Tenant<'_> {
    match employer {
        Employer::Practice(ods) => Tenant::Practice(ods.as_str()),
        Employer::Pcn(code) => Tenant::Pcn(code.as_str()),
    }
}

/// Checks that the practices and sites of a draft exist and are within the actor's reach
/// (for the command line, `actor` is `None`: only existence is checked).
pub(crate) async fn check_placement(
    conn: &mut Conn,
    actor: Option<&Actor>,
    draft: &StaffDraft,
    site_ids: &[String],
) -> AppResult<()> {
    let mut errors = FieldErrors::default();
    for ods in &draft.practices {
        let Some(practice) = store::organisations::get(conn, ods.as_str()).await? else {
            errors.push(FieldError::new(
                "practices",
                format!("{ods} is not a practice in gpteam"),
            ));
            continue;
        };
        let reachable = match actor {
            None => true,
            Some(actor) => match actor.role {
                UserRole::PracticeManager => practice.ods_code == actor.org,
                UserRole::PcnManager => practice.pcn_code.as_deref() == Some(actor.org.as_str()),
                UserRole::SystemAdmin => true,
                UserRole::Staff | UserRole::IcsViewer => false,
            },
        };
        if !reachable {
            errors.push(FieldError::new(
                "practices",
                format!("You cannot place people at {ods}: it is not one of your practices"),
            ));
        }
    }
    if let Employer::Pcn(code) = &draft.employer
        && store::organisations::get_pcn(conn, code.as_str())
            .await?
            .is_none()
    {
        errors.push(FieldError::new(
            "employer_code",
            format!("{code} is not a PCN in gpteam"),
        ));
    }
    if let Employer::Practice(ods) = &draft.employer
        && store::organisations::get(conn, ods.as_str())
            .await?
            .is_none()
    {
        errors.push(FieldError::new(
            "employer_code",
            format!("{ods} is not a practice in gpteam"),
        ));
    }
    for site_id in site_ids {
        let site = store::sites::get_site(conn, site_id).await?;
        if !site.is_some_and(|s| draft.practices.iter().any(|p| p.as_str() == s.practice_ods)) {
            errors.push(FieldError::new(
                "sites",
                "Choose sites of the practices the person works at",
            ));
            break;
        }
    }
    errors.into_result().map_err(AppError::Invalid)
}

/// Whether someone the actor can see or manage (anyone, for the command line) already has
/// this email, other than the person `except`. Emails are unique per employer only, and a
/// person in another tenant is never mentioned: the answer for an address used only
/// elsewhere is the same as for an address used nowhere.
pub(crate) async fn email_used_in_reach(
    conn: &mut Conn,
    actor: Option<&Actor>,
    email: Option<&str>,
    except: Option<&str>,
) -> AppResult<bool> {
    let Some(email) = email else {
        return Ok(false);
    };
    for id in store::register::find_ids_by_email(conn, email).await? {
        if Some(id.as_str()) == except {
            continue;
        }
        let Some(person) = store::register::get(conn, &id).await? else {
            continue;
        };
        if in_reach(conn, actor, &person).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether the actor may see or change this person (the command line may do anything).
pub(crate) async fn in_reach(
    conn: &mut Conn,
    actor: Option<&Actor>,
    person: &StaffRecord,
) -> AppResult<bool> {
    let Some(actor) = actor else {
        return Ok(true);
    };
    Ok(access::can_view_staff(conn, actor, person).await?
        || access::can_manage_staff(conn, actor, person).await?)
}

fn email_taken() -> AppError {
    AppError::Invalid(
        FieldError::new(
            "email",
            "This email address is already used by another person",
        )
        .into(),
    )
}

/// Turns a duplicate-email conflict into a message beside the email field.
pub(crate) fn email_conflict(error: AppError) -> AppError {
    match error {
        AppError::Conflict(message) if message.to_lowercase().contains("email") => email_taken(),
        other => other,
    }
}

facade! {
    /// The staff register: people, their leaving, and their personal data (`app.register()`).
    pub struct Register => register;
}

impl Register<'_> {
    /// Everyone who works at a practice, narrowed by the filter.
    pub async fn list_staff(
        &self,
        actor: &Actor,
        ods: &str,
        filter: &StaffFilter,
    ) -> AppResult<Vec<StaffRecord>> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::View, Tenant::Practice(ods)).await?;
        Ok(store::register::list(&mut conn, StaffScope::WorksAt(ods), filter).await?)
    }

    /// The people employed by the PCN itself (shared across member practices).
    pub async fn list_pcn_team(&self, actor: &Actor, pcn: &str) -> AppResult<Vec<StaffRecord>> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::View, Tenant::Pcn(pcn)).await?;
        let filter = StaffFilter {
            employer_kind: Some("pcn".into()),
            ..Default::default()
        };
        let team = store::register::list(&mut conn, StaffScope::Pcn(pcn), &filter).await?;
        Ok(team
            .into_iter()
            .filter(|s| s.draft.employer.code() == pcn)
            .collect())
    }

    /// One person, if the actor may see them.
    pub async fn get_staff(&self, actor: &Actor, staff_id: &str) -> AppResult<StaffRecord> {
        let mut conn = self.store().conn().await?;
        access::visible_staff(&mut conn, actor, staff_id).await
    }

    /// Whether the actor may edit this person's whole record.
    pub async fn may_manage_staff(&self, actor: &Actor, person: &StaffRecord) -> AppResult<bool> {
        let mut conn = self.store().conn().await?;
        access::can_manage_staff(&mut conn, actor, person).await
    }

    /// Adds a person to the register (marking any published rota it breaks).
    pub async fn create_staff(
        &self,
        actor: &Actor,
        form: &StaffForm,
        site_ids: &[String],
    ) -> AppResult<String> {
        self.create_staff_checked(actor, form, site_ids, true)
            .await?
            .done()
            .ok_or_else(|| AppError::Internal("a confirmed change was not saved".into()))
    }

    /// `create_staff`, checked against the published rotas first: a starter who breaks
    /// one (a fixed session the rota does not give them) is saved only when `confirmed`.
    pub async fn create_staff_checked(
        &self,
        actor: &Actor,
        form: &StaffForm,
        site_ids: &[String],
        confirmed: bool,
    ) -> AppResult<Checked<String>> {
        let draft = form.parse()?;
        let mut tx = self.store().begin().await?;
        access::authorize(
            &mut tx,
            actor,
            Permission::Manage,
            employer_tenant(&draft.employer),
        )
        .await?;
        check_placement(&mut tx, Some(actor), &draft, site_ids).await?;
        if email_used_in_reach(&mut tx, Some(actor), draft.email.as_deref(), None).await? {
            return Err(email_taken());
        }
        let id = store::new_id();
        let now = self.now();
        let (practices, pcns) = person_scopes(&draft);
        let watch = Watch::start(&mut tx, &practices, &pcns, self.today()).await?;
        store::register::insert(&mut tx, &id, &draft, site_ids, &now)
            .await
            .map_err(|e| email_conflict(e.into()))?;
        let what = format!("Adding {}", draft.name);
        let about = Some(id.as_str());
        if let Some(breaks) = self
            .rota()
            .settle_watch(&mut tx, &watch, confirmed, &what, about)
            .await?
        {
            return Ok(Checked::Confirm(breaks));
        }
        let change = Change {
            action: "created",
            entity: "staff",
            entity_id: &id,
            tenant: draft.employer.code(),
            before: None,
            after: json(&draft),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        self.notifications().email_nudge();
        Ok(Checked::Done(id))
    }

    /// Replaces a person's record; the actor must manage both the old and the new employer.
    /// A change that breaks a published rota is saved, and the rota marked.
    pub async fn update_staff(
        &self,
        actor: &Actor,
        staff_id: &str,
        form: &StaffForm,
        site_ids: &[String],
    ) -> AppResult<()> {
        self.update_staff_checked(actor, staff_id, form, site_ids, true)
            .await?
            .done()
            .ok_or_else(|| AppError::Internal("a confirmed change was not saved".into()))
    }

    /// `update_staff`, checked against the published rotas first: a change that breaks
    /// one (an end date, a contract, a site) is saved only when `confirmed`; else nothing
    /// is saved and the breaks come back.
    pub async fn update_staff_checked(
        &self,
        actor: &Actor,
        staff_id: &str,
        form: &StaffForm,
        site_ids: &[String],
        confirmed: bool,
    ) -> AppResult<Checked<()>> {
        let mut tx = self.store().begin().await?;
        let before = access::visible_staff(&mut tx, actor, staff_id).await?;
        if !access::can_manage_staff(&mut tx, actor, &before).await? {
            return Err(AppError::Forbidden);
        }
        let draft = form.parse()?;
        access::authorize(
            &mut tx,
            actor,
            Permission::Manage,
            employer_tenant(&draft.employer),
        )
        .await?;
        check_placement(&mut tx, Some(actor), &draft, site_ids).await?;
        if email_used_in_reach(&mut tx, Some(actor), draft.email.as_deref(), Some(staff_id)).await?
        {
            return Err(email_taken());
        }
        let now = self.now();
        let (mut practices, mut pcns) = person_scopes(&before.draft);
        let (more_practices, more_pcns) = person_scopes(&draft);
        practices.extend(more_practices);
        pcns.extend(more_pcns);
        practices.sort();
        practices.dedup();
        pcns.sort();
        pcns.dedup();
        let watch = Watch::start(&mut tx, &practices, &pcns, self.today()).await?;
        store::register::update(&mut tx, staff_id, &draft, site_ids, &now)
            .await
            .map_err(|e| email_conflict(e.into()))?;
        let what = format!("Changing {}'s record", draft.name);
        let about = Some(staff_id);
        if let Some(breaks) = self
            .rota()
            .settle_watch(&mut tx, &watch, confirmed, &what, about)
            .await?
        {
            return Ok(Checked::Confirm(breaks));
        }
        let change = Change {
            action: "updated",
            entity: "staff",
            entity_id: staff_id,
            tenant: draft.employer.code(),
            before: json(&before.draft),
            after: json(&draft),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        // An end date already past takes effect now, not at the next hourly run.
        if draft.end_date.is_some_and(|end| end < self.today()) {
            self.apply_leavers().await?;
        }
        self.notifications().email_nudge();
        Ok(Checked::Done(()))
    }

    /// A member of staff changes their own email and phone.
    pub async fn update_own_contact(
        &self,
        actor: &Actor,
        email: &str,
        phone: &str,
    ) -> AppResult<()> {
        let staff_id = actor.staff_id.as_deref().ok_or(AppError::NotFound)?;
        let mut errors = FieldErrors::default();
        let email = if email.trim().is_empty() {
            Some(None)
        } else {
            errors.take(parse_email(email).map(Some))
        };
        let phone = phone.trim();
        if phone.len() > 30
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +()-".contains(c))
        {
            errors.push(FieldError::new(
                "phone",
                format!("'{phone}' is not a phone number"),
            ));
        }
        errors.into_result()?;
        let email = email.expect("checked");
        let mut tx = self.store().begin().await?;
        let before = store::register::get(&mut tx, staff_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let now = self.now();
        let phone = (!phone.is_empty()).then_some(phone);
        store::register::update_contact(&mut tx, staff_id, email.as_deref(), phone, &now)
            .await
            .map_err(|e| email_conflict(e.into()))?;
        let after = serde_json::json!({ "email": email, "phone": phone });
        let before_contact =
            serde_json::json!({ "email": before.draft.email, "phone": before.draft.phone });
        let change = Change {
            action: "updated contact",
            entity: "staff",
            entity_id: staff_id,
            tenant: before.draft.employer.code(),
            before: json(&before_contact),
            after: json(&after),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(())
    }
}
