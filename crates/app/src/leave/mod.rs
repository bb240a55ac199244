//! Leave: staff request it, managers approve or refuse it.
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::notifications::{Kind, Notice, days_text};
use crate::rota::stale::{Checked, Watch};
use crate::{Change, commit_with_audit, json};
use domain::account::UserRole;
use domain::leave::{LeaveForm, LeaveStatus};
use store::leave::{LeaveRecord, LeaveScope};

pub mod balance;

facade! {
    /// Leave: requests, decisions and balances (`app.leave()`).
    pub struct Leave => leave;
}

impl Leave<'_> {
    /// The actor asks for leave for themselves.
    pub async fn request_leave(&self, actor: &Actor, form: &LeaveForm) -> AppResult<String> {
        let staff_id = actor.staff_id.as_deref().ok_or(AppError::Forbidden)?;
        let draft = form.parse()?;
        let mut tx = self.store().begin().await?;
        let me = store::register::get(&mut tx, staff_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let id = store::new_id();
        let now = self.now();
        store::leave::insert(&mut tx, &id, staff_id, &draft, LeaveStatus::Requested, &now).await?;
        let change = Change {
            action: "requested",
            entity: "leave",
            entity_id: &id,
            tenant: me.draft.employer.code(),
            before: None,
            after: json(&draft),
        };
        // The managers who decide it are told; the kind of leave and the note are not
        // in the notice (sick leave is a health detail).
        let notice = Notice::new(
            Kind::Leave,
            format!(
                "{} asked for leave {}.",
                me.draft.name,
                days_text(draft.start_date, draft.end_date)
            ),
            match me.draft.practices.first() {
                Some(ods) => format!("/practices/{ods}/leave"),
                None => "/".to_string(),
            },
        )
        .about(staff_id);
        for ods in &me.draft.practices {
            self.notifications()
                .notify_managers(&mut tx, ods.as_str(), Some(&actor.user_id), &notice)
                .await?;
        }
        if let domain::org::Employer::Pcn(pcn) = &me.draft.employer {
            self.notifications()
                .notify_managers(&mut tx, pcn.as_str(), Some(&actor.user_id), &notice)
                .await?;
        }
        commit_with_audit(tx, Some(actor), change, &now).await?;
        self.notifications().email_nudge();
        Ok(id)
    }

    /// The actor's own requests, newest first.
    pub async fn my_leave(&self, actor: &Actor) -> AppResult<Vec<LeaveRecord>> {
        let Some(staff_id) = actor.staff_id.as_deref() else {
            return Ok(Vec::new());
        };
        let mut conn = self.store().conn().await?;
        let mut leave = store::leave::list(&mut conn, LeaveScope::Staff(staff_id), None).await?;
        leave.reverse();
        Ok(leave)
    }

    /// Leave of everyone working at a practice.
    pub async fn practice_leave(&self, actor: &Actor, ods: &str) -> AppResult<Vec<LeaveRecord>> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::View, Tenant::Practice(ods)).await?;
        Ok(store::leave::list(&mut conn, LeaveScope::WorksAt(ods), None).await?)
    }

    /// The leave a user can see: their own for staff, their organisation's for managers.
    pub async fn visible_leave(&self, actor: &Actor) -> AppResult<Vec<LeaveRecord>> {
        let mut conn = self.store().conn().await?;
        match actor.role {
            UserRole::PracticeManager => {
                Ok(store::leave::list(&mut conn, LeaveScope::WorksAt(&actor.org), None).await?)
            }
            UserRole::PcnManager => {
                Ok(store::leave::list(&mut conn, LeaveScope::Pcn(&actor.org), None).await?)
            }
            UserRole::Staff => {
                drop(conn);
                self.my_leave(actor).await
            }
            UserRole::IcsViewer | UserRole::SystemAdmin => Err(AppError::Forbidden),
        }
    }

    /// Approves or refuses a pending request. The actor must manage the person. An
    /// approval that breaks a published rota is saved, and the rota marked.
    pub async fn decide_leave(
        &self,
        actor: &Actor,
        leave_id: &str,
        approve: bool,
    ) -> AppResult<LeaveRecord> {
        let decided = self
            .decide_leave_checked(actor, leave_id, approve, true)
            .await?;
        decided
            .done()
            .ok_or_else(|| AppError::Internal("a confirmed decision was not saved".into()))
    }

    /// `decide_leave`, checked against the published rotas first: an approval that breaks
    /// one is saved only when `confirmed`; else nothing is saved and the breaks come back
    /// (`crate::rota::stale`).
    pub async fn decide_leave_checked(
        &self,
        actor: &Actor,
        leave_id: &str,
        approve: bool,
        confirmed: bool,
    ) -> AppResult<Checked<LeaveRecord>> {
        let mut tx = self.store().begin().await?;
        let before = store::leave::get(&mut tx, leave_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let person = store::register::get(&mut tx, &before.staff_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !access::can_view_staff(&mut tx, actor, &person).await? {
            return Err(AppError::NotFound);
        }
        let may_decide = access::can_manage_staff(&mut tx, actor, &person).await?
            // A practice manager also decides for PCN staff working at their practice.
            || (actor.role == UserRole::PracticeManager && person.draft.practices.iter().any(|p| p.as_str() == actor.org));
        if !may_decide {
            return Err(AppError::Forbidden);
        }
        let status = before
            .status
            .decide(approve)
            .map_err(|e| AppError::Invalid(e.into()))?;
        let now = self.now();
        let watch = Watch::of_person(&mut tx, &person, approve, self.today()).await?;
        store::leave::set_status(&mut tx, leave_id, status, &actor.name, &now).await?;
        let what = format!("Approving leave for {}", person.draft.name);
        if let Some(breaks) = self
            .rota()
            .settle_watch(&mut tx, &watch, confirmed, &what, Some(&before.staff_id))
            .await?
        {
            return Ok(Checked::Confirm(breaks));
        }
        let change = Change {
            action: status.code(),
            entity: "leave",
            entity_id: leave_id,
            tenant: person.draft.employer.code(),
            before: json(&before.status),
            after: json(&status),
        };
        let notice = Notice::new(
            Kind::Leave,
            format!(
                "Your leave {} was {} by {}.",
                days_text(before.leave.start_date, before.leave.end_date),
                status.code(),
                actor.name
            ),
            "/me",
        )
        .about(&before.staff_id);
        self.notifications()
            .notify_staff(&mut tx, &before.staff_id, &notice)
            .await?;
        commit_with_audit(tx, Some(actor), change, &now).await?;
        self.notifications().email_nudge();
        let mut conn = self.store().conn().await?;
        store::leave::get(&mut conn, leave_id)
            .await?
            .ok_or(AppError::NotFound)
            .map(Checked::Done)
    }
}
