//! Sites, rooms and vacancies of a practice (or the PCN, for vacancies).
pub(crate) use crate::access::site_checked;
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::rota::stale::{Checked, Watch};
use crate::{Change, commit_with_audit, json};
use domain::FieldError;
use domain::org::Employer;
use domain::room::{RoomForm, SiteForm};
use domain::vacancy::VacancyForm;
use store::sites::vacancies::VacancyRecord;
use store::sites::{RoomRecord, SiteRecord};

/// A site with its rooms, for the sites page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SiteWithRooms {
    pub site: SiteRecord,
    pub rooms: Vec<RoomRecord>,
}

fn name_taken(error: AppError, what: &str) -> AppError {
    match error {
        AppError::Conflict(_) => AppError::Invalid(
            FieldError::new("name", format!("There is already {what} with this name")).into(),
        ),
        other => other,
    }
}

facade! {
    /// Sites and rooms, and the vacancies of a practice (`app.sites()`).
    pub struct Sites => sites;
}

impl Sites<'_> {
    pub async fn list_sites(&self, actor: &Actor, ods: &str) -> AppResult<Vec<SiteWithRooms>> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::View, Tenant::Practice(ods)).await?;
        let sites = store::sites::list_sites(&mut conn, &[ods.to_string()]).await?;
        let mut out = Vec::new();
        for site in sites {
            let rooms = store::sites::list_rooms(&mut conn, std::slice::from_ref(&site.id)).await?;
            out.push(SiteWithRooms { site, rooms });
        }
        Ok(out)
    }

    pub async fn add_site(&self, actor: &Actor, ods: &str, form: &SiteForm) -> AppResult<String> {
        let mut tx = self.store().begin().await?;
        access::authorize(&mut tx, actor, Permission::Manage, Tenant::Practice(ods)).await?;
        let draft = form.parse()?;
        let id = store::new_id();
        store::sites::insert_site(&mut tx, &id, ods, &draft)
            .await
            .map_err(|e| name_taken(e.into(), "a site"))?;
        let now = self.now();
        let change = Change {
            action: "created",
            entity: "site",
            entity_id: &id,
            tenant: ods,
            before: None,
            after: json(&draft),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(id)
    }

    /// The site a room or request is about, checked against the actor.
    async fn managed_site(
        &self,
        conn: &mut store::Conn,
        actor: &Actor,
        site_id: &str,
        permission: Permission,
    ) -> AppResult<SiteRecord> {
        site_checked(conn, actor, site_id, permission)
            .await
            .map_err(|e| match e {
                AppError::Forbidden => AppError::NotFound,
                other => other,
            })
    }

    pub async fn add_room(
        &self,
        actor: &Actor,
        site_id: &str,
        form: &RoomForm,
    ) -> AppResult<String> {
        let mut tx = self.store().begin().await?;
        let site = self
            .managed_site(&mut tx, actor, site_id, Permission::Manage)
            .await?;
        let draft = form.parse()?;
        let id = store::new_id();
        store::sites::insert_room(&mut tx, &id, site_id, &draft)
            .await
            .map_err(|e| name_taken(e.into(), "a room at this site"))?;
        let now = self.now();
        let change = Change {
            action: "created",
            entity: "room",
            entity_id: &id,
            tenant: &site.practice_ods,
            before: None,
            after: json(&draft),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(id)
    }

    /// A room and its site, if the actor may see them.
    pub async fn get_room(
        &self,
        actor: &Actor,
        room_id: &str,
    ) -> AppResult<(SiteRecord, RoomRecord)> {
        let mut conn = self.store().conn().await?;
        let room = store::sites::get_room(&mut conn, room_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let site = self
            .managed_site(&mut conn, actor, &room.site_id, Permission::View)
            .await?;
        Ok((site, room))
    }

    pub async fn update_room(
        &self,
        actor: &Actor,
        room_id: &str,
        form: &RoomForm,
    ) -> AppResult<String> {
        self.update_room_checked(actor, room_id, form, true)
            .await?
            .done()
            .ok_or_else(|| AppError::Internal("a confirmed change was not saved".into()))
    }

    /// `update_room`, checked against the published rotas first: a room that no longer
    /// serves the sessions a rota booked in it is saved only when `confirmed`.
    pub async fn update_room_checked(
        &self,
        actor: &Actor,
        room_id: &str,
        form: &RoomForm,
        confirmed: bool,
    ) -> AppResult<Checked<String>> {
        let mut tx = self.store().begin().await?;
        let before = store::sites::get_room(&mut tx, room_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let site = self
            .managed_site(&mut tx, actor, &before.site_id, Permission::Manage)
            .await?;
        let draft = form.parse()?;
        let watch = Watch::start(
            &mut tx,
            std::slice::from_ref(&site.practice_ods),
            &[],
            self.today(),
        )
        .await?;
        store::sites::update_room(&mut tx, room_id, &draft)
            .await
            .map_err(|e| name_taken(e.into(), "a room at this site"))?;
        let what = format!("Changing room {}", draft.name);
        if let Some(breaks) = self
            .rota()
            .settle_watch(&mut tx, &watch, confirmed, &what, None)
            .await?
        {
            return Ok(Checked::Confirm(breaks));
        }
        let now = self.now();
        let change = Change {
            action: "updated",
            entity: "room",
            entity_id: room_id,
            tenant: &site.practice_ods,
            before: json(&before.room),
            after: json(&draft),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        self.notifications().email_nudge();
        Ok(Checked::Done(site.practice_ods))
    }

    pub async fn delete_room(&self, actor: &Actor, room_id: &str) -> AppResult<String> {
        self.delete_room_checked(actor, room_id, true)
            .await?
            .done()
            .ok_or_else(|| AppError::Internal("a confirmed change was not saved".into()))
    }

    /// `delete_room`, checked against the published rotas first: removing a room a
    /// published rota books is done only when `confirmed`.
    pub async fn delete_room_checked(
        &self,
        actor: &Actor,
        room_id: &str,
        confirmed: bool,
    ) -> AppResult<Checked<String>> {
        let mut tx = self.store().begin().await?;
        let before = store::sites::get_room(&mut tx, room_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let site = self
            .managed_site(&mut tx, actor, &before.site_id, Permission::Manage)
            .await?;
        let watch = Watch::start(
            &mut tx,
            std::slice::from_ref(&site.practice_ods),
            &[],
            self.today(),
        )
        .await?;
        store::sites::delete_room(&mut tx, room_id).await?;
        let what = format!("Removing room {}", before.room.name);
        if let Some(breaks) = self
            .rota()
            .settle_watch(&mut tx, &watch, confirmed, &what, None)
            .await?
        {
            return Ok(Checked::Confirm(breaks));
        }
        let now = self.now();
        let change = Change {
            action: "deleted",
            entity: "room",
            entity_id: room_id,
            tenant: &site.practice_ods,
            before: json(&before.room),
            after: None,
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        self.notifications().email_nudge();
        Ok(Checked::Done(site.practice_ods))
    }

    /// Records a vacancy of a practice or of the PCN.
    pub async fn add_vacancy(
        &self,
        actor: &Actor,
        employer: &Employer,
        form: &VacancyForm,
    ) -> AppResult<String> {
        let mut tx = self.store().begin().await?;
        access::authorize(
            &mut tx,
            actor,
            Permission::Manage,
            crate::register::employer_tenant(employer),
        )
        .await?;
        let draft = form.parse()?;
        let id = store::new_id();
        let now = self.now();
        store::sites::vacancies::insert(&mut tx, &id, employer, &draft, &now).await?;
        let change = Change {
            action: "created",
            entity: "vacancy",
            entity_id: &id,
            tenant: employer.code(),
            before: None,
            after: json(&draft),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(id)
    }

    /// Marks a vacancy `filled` or `withdrawn`.
    pub async fn close_vacancy(
        &self,
        actor: &Actor,
        vacancy_id: &str,
        status: &str,
    ) -> AppResult<VacancyRecord> {
        let mut tx = self.store().begin().await?;
        let before = store::sites::vacancies::get(&mut tx, vacancy_id)
            .await?
            .ok_or(AppError::NotFound)?;
        access::authorize(
            &mut tx,
            actor,
            Permission::Manage,
            crate::register::employer_tenant(&before.employer),
        )
        .await?;
        if !["filled", "withdrawn", "open"].contains(&status) {
            return Err(AppError::Invalid(
                FieldError::new("status", format!("'{status}' is not a vacancy status")).into(),
            ));
        }
        store::sites::vacancies::set_status(&mut tx, vacancy_id, status).await?;
        let now = self.now();
        let change = Change {
            action: status,
            entity: "vacancy",
            entity_id: vacancy_id,
            tenant: before.employer.code(),
            before: json(&before.status),
            after: json(&status),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(before)
    }
}
