//! Wellbeing use cases, one file a job: answering the pulse check-in (`checkin`), sealing
//! answers while their period is open (`seal`), publishing them when it closes (`close`),
//! the reports that show a closed period only when enough people answered (`report`), and
//! the workload signals that contracts and leave allow (`workload`). This file holds what
//! they share, the check-in's settings and the support services.
//!
//! Anonymity by construction (docs/design/wellbeing-anonymity.md): the "who answered"
//! marker and the answer are written in separate transactions; the answer is a sealed box
//! under a key outside the database until its period closes, then joins the results in
//! shuffled order with a fresh random id. Results of an open period are never shown, and a
//! closed period's only when at least the threshold answered. The audit row records that
//! the person answered in a period — never what they answered.
mod checkin;
mod close;
mod report;
mod seal;
mod workload;

pub use checkin::CurrentCheckin;
pub use close::has_closed;
pub use report::{
    GroupReport, PcnWellbeing, PeriodReport, PracticeLine, WellbeingReport, build_periods,
};
pub use seal::{SealError, SealKey};
pub use workload::{
    LeaveSignal, MyWorkload, TeamWorkload, UnavailableSignal, leave_signal, rota_signals,
};

use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::{Change, commit_with_audit, json};
use domain::account::UserRole;
use domain::org::Employer;
use domain::staff::Employment;
use domain::wellbeing::{
    CheckinSettings, ServiceForm, SettingsForm, SupportService, national_services,
};
use store::Conn;
use store::register::StaffRecord;
use store::wellbeing::QuestionnaireRecord;

/// The practice a person's answers count towards: the employing practice, or for
/// PCN-employed staff the first practice they work at.
pub fn home_practice(person: &StaffRecord) -> Option<String> {
    match &person.draft.employer {
        Employer::Practice(ods) => Some(ods.to_string()),
        Employer::Pcn(_) => person.draft.practices.first().map(|p| p.to_string()),
    }
}

/// Whose check-in a practice uses: its PCN's, or its own when it is in no PCN.
pub(crate) async fn checkin_tenant(conn: &mut Conn, practice_ods: &str) -> AppResult<String> {
    let practice = store::organisations::get(conn, practice_ods)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(practice.pcn_code.unwrap_or(practice.ods_code))
}

/// The tenant's questionnaire: the stored one, or the defaults under a fixed id (stored on
/// first use).
pub(crate) async fn questionnaire(
    conn: &mut Conn,
    tenant: &str,
) -> AppResult<(QuestionnaireRecord, bool)> {
    Ok(
        match store::wellbeing::active_questionnaire(conn, tenant).await? {
            Some(q) => (q, true),
            None => (
                QuestionnaireRecord {
                    id: format!("default-{tenant}"),
                    tenant_code: tenant.to_string(),
                    settings: CheckinSettings::default(),
                    created_at: String::new(),
                },
                false,
            ),
        },
    )
}

facade! {
    /// Wellbeing check-ins, workload and the anonymous report (`app.wellbeing()`).
    pub struct Wellbeing => wellbeing;
}

impl Wellbeing<'_> {
    pub(crate) async fn me(&self, conn: &mut Conn, actor: &Actor) -> AppResult<StaffRecord> {
        let staff_id = actor.staff_id.as_deref().ok_or(AppError::Forbidden)?;
        store::register::get(conn, staff_id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The actor's own record, if they are employed today: a starter is asked from their
    /// first day and a leaver no more after their last, so neither answers for a team
    /// they are not in.
    pub(crate) async fn me_in_post(
        &self,
        conn: &mut Conn,
        actor: &Actor,
    ) -> AppResult<StaffRecord> {
        let me = self.me(conn, actor).await?;
        let today = self.today();
        match me.draft.employment_on(today) {
            Employment::Current => Ok(me),
            Employment::Starting => Err(AppError::Conflict(format!(
                "The wellbeing check-in opens to you on your first day, {}.",
                crate::long_date(me.draft.start_date)
            ))),
            Employment::Left => Err(AppError::Conflict(
                "The wellbeing check-in is for people in post; your employment has ended.".into(),
            )),
        }
    }

    /// Changes the PCN's check-in. New questions or a new period length start a new
    /// questionnaire (answers to different questions are never mixed); a new threshold
    /// applies to the current one.
    pub async fn set_checkin_settings(
        &self,
        actor: &Actor,
        pcn: &str,
        form: &SettingsForm,
    ) -> AppResult<CheckinSettings> {
        let mut tx = self.store().begin().await?;
        access::authorize(&mut tx, actor, Permission::Manage, Tenant::Pcn(pcn)).await?;
        let settings = form.parse()?;
        let (q, stored) = questionnaire(&mut tx, pcn).await?;
        let now = self.now();
        let id = if settings.questions != q.settings.questions
            || settings.period_weeks != q.settings.period_weeks
        {
            let record = QuestionnaireRecord {
                id: store::new_id(),
                tenant_code: pcn.to_string(),
                settings: settings.clone(),
                created_at: now.clone(),
            };
            store::wellbeing::insert_questionnaire(&mut tx, &record).await?;
            record.id
        } else {
            if !stored {
                let record = QuestionnaireRecord {
                    created_at: now.clone(),
                    ..q.clone()
                };
                store::wellbeing::insert_questionnaire(&mut tx, &record).await?;
            }
            store::wellbeing::set_threshold(&mut tx, &q.id, settings.threshold).await?;
            q.id.clone()
        };
        let change = Change {
            action: "updated",
            entity: "wellbeing_questionnaire",
            entity_id: &id,
            tenant: pcn,
            before: json(&q.settings),
            after: json(&settings),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(settings)
    }

    /// The organisation whose support services a user sees.
    async fn services_tenant(&self, conn: &mut Conn, actor: &Actor) -> AppResult<Option<String>> {
        match actor.role {
            UserRole::PcnManager => Ok(Some(actor.org.clone())),
            UserRole::PracticeManager => Ok(Some(checkin_tenant(conn, &actor.org).await?)),
            UserRole::Staff => {
                let me = self.me(conn, actor).await?;
                match home_practice(&me) {
                    Some(ods) => Ok(Some(checkin_tenant(conn, &ods).await?)),
                    None => Ok(None),
                }
            }
            UserRole::IcsViewer | UserRole::SystemAdmin => Ok(None),
        }
    }

    /// The support services for the actor: their PCN's local ones, then national ones.
    pub async fn support_services(&self, actor: &Actor) -> AppResult<Vec<SupportService>> {
        let mut conn = self.store().conn().await?;
        let mut out = Vec::new();
        if let Some(tenant) = self.services_tenant(&mut conn, actor).await? {
            out.extend(
                store::wellbeing::services(&mut conn, &tenant)
                    .await?
                    .into_iter()
                    .map(|s| s.service),
            );
        }
        out.extend(national_services());
        Ok(out)
    }

    pub async fn add_support_service(
        &self,
        actor: &Actor,
        pcn: &str,
        form: &ServiceForm,
    ) -> AppResult<String> {
        let mut tx = self.store().begin().await?;
        access::authorize(&mut tx, actor, Permission::Manage, Tenant::Pcn(pcn)).await?;
        let service = form.parse()?;
        let id = store::new_id();
        let now = self.now();
        store::wellbeing::insert_service(&mut tx, &id, pcn, &service, &now).await?;
        let change = Change {
            action: "created",
            entity: "support_service",
            entity_id: &id,
            tenant: pcn,
            before: None,
            after: json(&service),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(id)
    }

    pub async fn remove_support_service(
        &self,
        actor: &Actor,
        pcn: &str,
        id: &str,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        access::authorize(&mut tx, actor, Permission::Manage, Tenant::Pcn(pcn)).await?;
        if id.trim().is_empty() {
            return Err(AppError::Invalid(
                domain::FieldError::new("service_id", "Choose a service to remove").into(),
            ));
        }
        let before = store::wellbeing::services(&mut tx, pcn)
            .await?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or(AppError::NotFound)?;
        store::wellbeing::delete_service(&mut tx, pcn, id).await?;
        let now = self.now();
        let change = Change {
            action: "deleted",
            entity: "support_service",
            entity_id: id,
            tenant: pcn,
            before: json(&before.service),
            after: None,
        };
        commit_with_audit(tx, Some(actor), change, &now).await
    }
}
