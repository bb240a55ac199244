//! Development beyond training: each person's CPD log and appraisal and revalidation dates
//! (with reminder emails), PCN coaching programmes, and managers' development plans.
//!
//! A coachee's notes are theirs alone: only [`Development::person_development`] on one's own record
//! reads them, and the audit row of a saved note records that a note was saved, never its text.
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::long_date;
use crate::training::{Email, Mailer, send_claimed};
use crate::{Change, audit, commit_with_audit, json};
use chrono::NaiveDate;
use domain::FieldError;
use domain::account::UserRole;
use domain::development::{
    Attendance, CpdForm, DatesForm, GoalForm, ProfessionalDates, ProgrammeForm, REMIND_WITHIN_DAYS,
    SessionForm, parse_note, revalidates,
};
use domain::training::ComplianceStatus;
use store::Conn;
use store::development::{CpdEntry, Enrolment, Goal, Programme, Session};
use store::register::{StaffFilter, StaffRecord, StaffScope};

/// A session as its coachee sees it: with their note. Others get `note: None`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SessionView {
    pub session: Session,
    pub note: Option<String>,
}

/// One programme a person is enrolled on, with its sessions.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CoachingView {
    pub programme: Programme,
    pub enrolment: Enrolment,
    pub sessions: Vec<SessionView>,
}

/// A linked training topic and where the person stands on it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LinkedTraining {
    pub topic_id: String,
    pub title: String,
    pub status: ComplianceStatus,
    pub expires_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GoalView {
    pub goal: Goal,
    pub training: Vec<LinkedTraining>,
    /// The linked coaching programme's name.
    pub coaching: Option<String>,
}

/// A person's development page.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PersonDevelopment {
    pub person: StaffRecord,
    /// Whether the viewer is the person themselves.
    pub own: bool,
    /// Whether the role revalidates (GPs and nurses).
    pub revalidates: bool,
    pub dates: ProfessionalDates,
    pub cpd: Vec<CpdEntry>,
    pub coaching: Vec<CoachingView>,
    /// Whether the person keeps a development plan (practice and PCN managers, on their
    /// own record).
    pub has_plan: bool,
    pub goals: Vec<GoalView>,
    /// Topics a goal may link: (id, title).
    pub topics: Vec<(String, String)>,
}

/// An enrolment with its sessions, for the PCN's coaching page (no notes).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EnrolmentSessions {
    pub enrolment: Enrolment,
    pub sessions: Vec<Session>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProgrammeView {
    pub programme: Programme,
    pub enrolments: Vec<EnrolmentSessions>,
}

/// A PCN's coaching: its programmes, who is enrolled, and the people who may be.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CoachingOverview {
    pub programmes: Vec<ProgrammeView>,
    /// (staff id, name and role) of everyone in the PCN.
    pub people: Vec<(String, String)>,
}

/// What a development reminder run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DevelopmentReminderSummary {
    pub people_reminded: usize,
    pub failed: Vec<String>,
}

impl std::fmt::Display for DevelopmentReminderSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "reminded {} people of an appraisal or revalidation due within {REMIND_WITHIN_DAYS} days",
            self.people_reminded
        )?;
        if !self.failed.is_empty() {
            write!(
                f,
                "; {} not sent: {}",
                self.failed.len(),
                self.failed.join("; ")
            )?;
        }
        Ok(())
    }
}

/// A person the actor may see as themselves or as their manager: (person, is self).
async fn subject(conn: &mut Conn, actor: &Actor, staff_id: &str) -> AppResult<(StaffRecord, bool)> {
    let person = access::visible_staff(conn, actor, staff_id).await?;
    let own = actor.staff_id.as_deref() == Some(staff_id);
    let is_manager = matches!(actor.role, UserRole::PracticeManager | UserRole::PcnManager);
    if !own && !is_manager {
        return Err(AppError::NotFound);
    }
    Ok((person, own))
}

/// The actor's own record, for what only the person may do.
async fn own_record(conn: &mut Conn, actor: &Actor) -> AppResult<StaffRecord> {
    let id = actor.staff_id.as_deref().ok_or(AppError::NotFound)?;
    store::register::get(conn, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Whether the actor keeps a development plan: a manager account on its own record.
fn keeps_plan(actor: &Actor) -> bool {
    matches!(actor.role, UserRole::PracticeManager | UserRole::PcnManager)
        && actor.staff_id.is_some()
}

/// A programme the actor manages (the PCN manager of its PCN); others see nothing.
async fn managed_programme(conn: &mut Conn, actor: &Actor, id: &str) -> AppResult<Programme> {
    let programme = store::development::get_programme(conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    access::authorize(
        conn,
        actor,
        Permission::Manage,
        Tenant::Pcn(&programme.pcn_code),
    )
    .await
    .map_err(|e| match e {
        AppError::Forbidden => AppError::NotFound,
        other => other,
    })?;
    Ok(programme)
}

async fn managed_enrolment(
    conn: &mut Conn,
    actor: &Actor,
    id: &str,
) -> AppResult<(Programme, Enrolment)> {
    let enrolment = store::development::get_enrolment(conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let programme = managed_programme(conn, actor, &enrolment.programme_id).await?;
    Ok((programme, enrolment))
}

fn goal_errors_for_links(
    form: &GoalForm,
    topics: &[(String, String)],
    enrolments: &[Enrolment],
) -> domain::FieldErrors {
    let mut errors = domain::FieldErrors::default();
    if form
        .topic_ids
        .iter()
        .filter(|t| !t.trim().is_empty())
        .any(|t| !topics.iter().any(|(id, _)| id == t.trim()))
    {
        errors.push(FieldError::new(
            "topic_ids",
            "Choose training topics from the list",
        ));
    }
    let enrolment = form.enrolment_id.trim();
    if !enrolment.is_empty() && !enrolments.iter().any(|e| e.id == enrolment) {
        errors.push(FieldError::new(
            "enrolment_id",
            "Choose a coaching programme you are enrolled on",
        ));
    }
    errors
}

facade! {
    /// Development: CPD logs, appraisal and revalidation dates, coaching and development plans (`app.development()`).
    pub struct Development => development;
}

impl Development<'_> {
    /// A person's CPD, dates, coaching and plan, for themselves or their manager. Coaching
    /// notes are included only for the person themselves.
    pub async fn person_development(
        &self,
        actor: &Actor,
        staff_id: &str,
    ) -> AppResult<PersonDevelopment> {
        // Access first (the training page checks again, the same way).
        {
            let mut conn = self.store().conn().await?;
            subject(&mut conn, actor, staff_id).await?;
        }
        let training = self.training().person_training(actor, staff_id).await?;
        let mut conn = self.store().conn().await?;
        let (person, own) = subject(&mut conn, actor, staff_id).await?;
        let dates = store::development::get_dates(&mut conn, staff_id).await?;
        let cpd = store::development::list_cpd(&mut conn, staff_id).await?;
        let enrolments = store::development::list_enrolments_of_staff(&mut conn, staff_id).await?;
        let ids: Vec<String> = enrolments.iter().map(|e| e.id.clone()).collect();
        let sessions = store::development::list_sessions(&mut conn, &ids).await?;
        let mut coaching = Vec::new();
        for enrolment in enrolments {
            let programme = store::development::get_programme(&mut conn, &enrolment.programme_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let mut views = Vec::new();
            for session in sessions.iter().filter(|s| s.enrolment_id == enrolment.id) {
                let note = if own {
                    store::development::get_note(&mut conn, &session.id).await?
                } else {
                    None
                };
                views.push(SessionView {
                    session: session.clone(),
                    note,
                });
            }
            coaching.push(CoachingView {
                programme,
                enrolment,
                sessions: views,
            });
        }
        let has_plan = own && keeps_plan(actor);
        let goals = store::development::list_goals(&mut conn, staff_id).await?;
        let titles: std::collections::BTreeMap<&str, String> = training
            .catalogue
            .iter()
            .map(|t| (t.id.as_str(), t.topic.title()))
            .collect();
        let goals = goals
            .into_iter()
            .map(|goal| {
                let linked = goal
                    .draft
                    .topic_ids
                    .iter()
                    .map(|id| {
                        let required = training.required.iter().find(|(t, _)| &t.id == id);
                        let latest = training
                            .records
                            .iter()
                            .filter(|r| &r.draft.topic_id == id)
                            .map(|r| r.draft.completed_on)
                            .max();
                        let (status, expires_on) = match (required, latest) {
                            (Some((_, cell)), _) => (cell.status, cell.expires_on),
                            (None, Some(_)) => (ComplianceStatus::InDate, None),
                            (None, None) => (ComplianceStatus::NotRequired, None),
                        };
                        LinkedTraining {
                            topic_id: id.clone(),
                            title: titles
                                .get(id.as_str())
                                .cloned()
                                .unwrap_or_else(|| "A topic no longer in the catalogue".into()),
                            status,
                            expires_on,
                        }
                    })
                    .collect();
                let coaching_name = goal.draft.enrolment_id.as_ref().and_then(|e| {
                    coaching
                        .iter()
                        .find(|c| &c.enrolment.id == e)
                        .map(|c| c.programme.draft.name.clone())
                });
                GoalView {
                    goal,
                    training: linked,
                    coaching: coaching_name,
                }
            })
            .collect();
        Ok(PersonDevelopment {
            revalidates: revalidates(person.draft.role),
            person,
            own,
            dates,
            cpd,
            coaching,
            has_plan,
            goals,
            topics: training
                .catalogue
                .iter()
                .map(|t| (t.id.clone(), t.topic.title()))
                .collect(),
        })
    }

    /// The actor records a CPD activity in their own log.
    pub async fn add_cpd_entry(&self, actor: &Actor, form: &CpdForm) -> AppResult<String> {
        let mut tx = self.store().begin().await?;
        let person = own_record(&mut tx, actor).await?;
        let draft = form.parse(self.today())?;
        let now = self.now();
        let id = store::new_id();
        store::development::insert_cpd(&mut tx, &id, &person.id, &draft, &now).await?;
        let tenant = access::tenant_of(&person.draft.employer);
        let change = Change {
            action: "created",
            entity: "cpd_entry",
            entity_id: &id,
            tenant: &tenant,
            before: None,
            after: json(&draft),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(id)
    }

    /// Sets a person's appraisal and revalidation dates: the person or their manager.
    pub async fn set_professional_dates(
        &self,
        actor: &Actor,
        staff_id: &str,
        form: &DatesForm,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let (person, own) = subject(&mut tx, actor, staff_id).await?;
        if !own && !access::can_view_staff(&mut tx, actor, &person).await? {
            return Err(AppError::NotFound);
        }
        let dates = form.parse(person.draft.role)?;
        let before = store::development::get_dates(&mut tx, staff_id).await?;
        let now = self.now();
        store::development::set_dates(&mut tx, staff_id, &dates, &actor.user_id, &now).await?;
        let tenant = access::tenant_of(&person.draft.employer);
        let change = Change {
            action: "updated",
            entity: "professional_dates",
            entity_id: staff_id,
            tenant: &tenant,
            before: json(&before),
            after: json(&dates),
        };
        commit_with_audit(tx, Some(actor), change, &now).await
    }

    /// A PCN's coaching programmes and enrolments, for its PCN manager.
    pub async fn coaching_overview(&self, actor: &Actor, pcn: &str) -> AppResult<CoachingOverview> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::Manage, Tenant::Pcn(pcn)).await?;
        let programmes = store::development::list_programmes(&mut conn, pcn).await?;
        let enrolments = store::development::list_enrolments_of_pcn(&mut conn, pcn).await?;
        let ids: Vec<String> = enrolments.iter().map(|e| e.id.clone()).collect();
        let sessions = store::development::list_sessions(&mut conn, &ids).await?;
        let programmes = programmes
            .into_iter()
            .map(|programme| ProgrammeView {
                enrolments: enrolments
                    .iter()
                    .filter(|e| e.programme_id == programme.id)
                    .map(|e| EnrolmentSessions {
                        enrolment: e.clone(),
                        sessions: sessions
                            .iter()
                            .filter(|s| s.enrolment_id == e.id)
                            .cloned()
                            .collect(),
                    })
                    .collect(),
                programme,
            })
            .collect();
        let people = store::register::list(
            &mut conn,
            StaffScope::Pcn(pcn),
            &StaffFilter::employed_on(self.today()),
        )
        .await?
        .into_iter()
        .map(|p| (p.id, format!("{} ({})", p.draft.name, p.draft.role.label())))
        .collect();
        Ok(CoachingOverview { programmes, people })
    }

    pub async fn add_coaching_programme(
        &self,
        actor: &Actor,
        pcn: &str,
        form: &ProgrammeForm,
    ) -> AppResult<String> {
        let mut tx = self.store().begin().await?;
        access::authorize(&mut tx, actor, Permission::Manage, Tenant::Pcn(pcn)).await?;
        let draft = form.parse()?;
        let now = self.now();
        let id = store::new_id();
        store::development::insert_programme(&mut tx, &id, pcn, &draft, &now).await?;
        let change = Change {
            action: "created",
            entity: "coaching_programme",
            entity_id: &id,
            tenant: pcn,
            before: None,
            after: json(&draft),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(id)
    }

    /// Enrols a person of the PCN on one of its programmes.
    pub async fn enrol_on_programme(
        &self,
        actor: &Actor,
        pcn: &str,
        programme_id: &str,
        staff_id: &str,
    ) -> AppResult<String> {
        let mut tx = self.store().begin().await?;
        access::authorize(&mut tx, actor, Permission::Manage, Tenant::Pcn(pcn)).await?;
        let mut errors = domain::FieldErrors::default();
        let programme = match store::development::get_programme(&mut tx, programme_id.trim())
            .await?
            .filter(|p| p.pcn_code == pcn)
        {
            Some(p) => Some(p),
            None => {
                errors.push(FieldError::new(
                    "programme_id",
                    "Choose a programme from the list",
                ));
                None
            }
        };
        let person = if staff_id.trim().is_empty() {
            errors.push(FieldError::new("staff_id", "Choose the person to enrol"));
            None
        } else {
            match access::visible_staff(&mut tx, actor, staff_id.trim()).await {
                Ok(p) => Some(p),
                Err(AppError::NotFound) => {
                    errors.push(FieldError::new("staff_id", "Choose a person from the list"));
                    None
                }
                Err(other) => return Err(other),
            }
        };
        errors.into_result()?;
        let (Some(programme), Some(person)) = (programme, person) else {
            return Err(AppError::NotFound);
        };
        let now = self.now();
        let id = store::new_id();
        store::development::insert_enrolment(
            &mut tx,
            &id,
            &programme.id,
            &person.id,
            &actor.user_id,
            &now,
        )
        .await?;
        let change = Change {
            action: "enrolled",
            entity: "coaching_enrolment",
            entity_id: &id,
            tenant: pcn,
            before: None,
            after: json(&(&programme.id, &person.id)),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(id)
    }

    /// Books a session for an enrolment on one of the PCN's programmes.
    pub async fn book_coaching_session(
        &self,
        actor: &Actor,
        pcn: &str,
        form: &SessionForm,
    ) -> AppResult<String> {
        let mut tx = self.store().begin().await?;
        access::authorize(&mut tx, actor, Permission::Manage, Tenant::Pcn(pcn)).await?;
        let mut errors = match form.parse() {
            Ok(_) => domain::FieldErrors::default(),
            Err(errors) => errors,
        };
        let enrolment = match store::development::get_enrolment(&mut tx, form.enrolment_id.trim())
            .await?
        {
            Some(e) => {
                let programme = store::development::get_programme(&mut tx, &e.programme_id).await?;
                programme.filter(|p| p.pcn_code == pcn).map(|_| e)
            }
            None => None,
        };
        if enrolment.is_none() {
            errors.0.insert(
                0,
                FieldError::new("enrolment_id", "Choose who the session is for"),
            );
        }
        errors.into_result()?;
        let (draft, Some(enrolment)) = (form.parse()?, enrolment) else {
            return Err(AppError::NotFound);
        };
        let now = self.now();
        let id = store::new_id();
        store::development::insert_session(&mut tx, &id, &enrolment.id, &draft, &now).await?;
        let change = Change {
            action: "booked",
            entity: "coaching_session",
            entity_id: &id,
            tenant: pcn,
            before: None,
            after: json(&(&enrolment.id, &draft)),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(id)
    }

    /// Records whether the coachee attended. Returns the PCN code.
    pub async fn record_coaching_attendance(
        &self,
        actor: &Actor,
        session_id: &str,
        attendance: &str,
    ) -> AppResult<String> {
        let mut tx = self.store().begin().await?;
        let session = store::development::get_session(&mut tx, session_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (programme, _) = managed_enrolment(&mut tx, actor, &session.enrolment_id).await?;
        let attendance = Attendance::parse(attendance).map_err(domain::FieldErrors::from)?;
        store::development::set_attendance(&mut tx, session_id, attendance).await?;
        let change = Change {
            action: "updated",
            entity: "coaching_attendance",
            entity_id: session_id,
            tenant: &programme.pcn_code,
            before: json(&session.attendance),
            after: json(&attendance),
        };
        commit_with_audit(tx, Some(actor), change, &self.now()).await?;
        Ok(programme.pcn_code)
    }

    /// The coachee saves their private note on a session. Nobody else may; the audit row
    /// says a note was saved, not what it says.
    pub async fn save_coaching_note(
        &self,
        actor: &Actor,
        session_id: &str,
        note: &str,
    ) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let session = store::development::get_session(&mut tx, session_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let enrolment = store::development::get_enrolment(&mut tx, &session.enrolment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if actor.staff_id.as_deref() != Some(enrolment.staff_id.as_str()) {
            return Err(AppError::NotFound);
        }
        let person = own_record(&mut tx, actor).await?;
        let note = parse_note(note)?;
        let now = self.now();
        store::development::set_note(&mut tx, session_id, &note, &now).await?;
        let tenant = access::tenant_of(&person.draft.employer);
        let change = Change {
            action: "noted",
            entity: "coaching_session",
            entity_id: session_id,
            tenant: &tenant,
            before: None,
            after: None,
        };
        commit_with_audit(tx, Some(actor), change, &now).await
    }

    /// The actor's own topics and enrolments, for checking a goal's links.
    async fn goal_links(
        &self,
        actor: &Actor,
        staff_id: &str,
    ) -> AppResult<(Vec<(String, String)>, Vec<Enrolment>)> {
        let training = self.training().person_training(actor, staff_id).await?;
        let mut conn = self.store().conn().await?;
        let enrolments = store::development::list_enrolments_of_staff(&mut conn, staff_id).await?;
        let topics = training
            .catalogue
            .iter()
            .map(|t| (t.id.clone(), t.topic.title()))
            .collect();
        Ok((topics, enrolments))
    }

    /// A manager adds a goal to their own development plan.
    pub async fn add_development_goal(&self, actor: &Actor, form: &GoalForm) -> AppResult<String> {
        if !keeps_plan(actor) {
            return Err(AppError::NotFound);
        }
        let staff_id = actor.staff_id.clone().unwrap_or_default();
        let (topics, enrolments) = self.goal_links(actor, &staff_id).await?;
        let mut errors = match form.parse() {
            Ok(_) => domain::FieldErrors::default(),
            Err(errors) => errors,
        };
        errors
            .0
            .extend(goal_errors_for_links(form, &topics, &enrolments).0);
        errors.into_result()?;
        let draft = form.parse()?;
        let mut tx = self.store().begin().await?;
        let person = own_record(&mut tx, actor).await?;
        let now = self.now();
        let id = store::new_id();
        store::development::insert_goal(&mut tx, &id, &person.id, &draft, &now).await?;
        let tenant = access::tenant_of(&person.draft.employer);
        let change = Change {
            action: "created",
            entity: "development_goal",
            entity_id: &id,
            tenant: &tenant,
            before: None,
            after: json(&draft),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(id)
    }

    /// A manager updates a goal of their own plan (its status and progress, or anything).
    pub async fn update_development_goal(
        &self,
        actor: &Actor,
        goal_id: &str,
        form: &GoalForm,
    ) -> AppResult<()> {
        let goal = {
            let mut conn = self.store().conn().await?;
            store::development::get_goal(&mut conn, goal_id)
                .await?
                .ok_or(AppError::NotFound)?
        };
        if !keeps_plan(actor) || actor.staff_id.as_deref() != Some(goal.staff_id.as_str()) {
            return Err(AppError::NotFound);
        }
        let (topics, enrolments) = self.goal_links(actor, &goal.staff_id).await?;
        let mut errors = match form.parse() {
            Ok(_) => domain::FieldErrors::default(),
            Err(errors) => errors,
        };
        errors
            .0
            .extend(goal_errors_for_links(form, &topics, &enrolments).0);
        errors.into_result()?;
        let draft = form.parse()?;
        let mut tx = self.store().begin().await?;
        let person = own_record(&mut tx, actor).await?;
        let now = self.now();
        store::development::update_goal(&mut tx, goal_id, &draft, &now).await?;
        let tenant = access::tenant_of(&person.draft.employer);
        let change = Change {
            action: "updated",
            entity: "development_goal",
            entity_id: goal_id,
            tenant: &tenant,
            before: json(&goal.draft),
            after: json(&draft),
        };
        commit_with_audit(tx, Some(actor), change, &now).await
    }

    /// Emails each person whose appraisal or revalidation is due within 30 days, once per
    /// person and date. Each date is claimed in the database before the message is sent
    /// (so several processes never send one twice); a failed send gives the claims back.
    pub async fn send_development_reminders<M: Mailer>(
        &self,
        mailer: &M,
        today: NaiveDate,
    ) -> AppResult<DevelopmentReminderSummary> {
        let mut summary = DevelopmentReminderSummary::default();
        let now = self.now();
        let mut conn = self.store().conn().await?;
        let until = today + chrono::Duration::days(REMIND_WITHIN_DAYS);
        for person in store::development::dates_due(&mut conn, today, until).await? {
            let mut due = Vec::new();
            for (kind, what, date) in [
                ("appraisal_due", "Appraisal", person.dates.appraisal_due),
                (
                    "revalidation_due",
                    "Revalidation",
                    person.dates.revalidation_due,
                ),
            ] {
                let Some(date) = date.filter(|d| (today..=until).contains(d)) else {
                    continue;
                };
                let about = date.to_string();
                if store::training::claim_reminder(&mut conn, kind, &person.staff_id, &about, &now)
                    .await?
                {
                    due.push((kind, what, date, about));
                }
            }
            if due.is_empty() {
                continue;
            }
            let lines: Vec<String> = due
                .iter()
                .map(|(_, what, date, _)| format!("- {what}: due on {}", long_date(*date)))
                .collect();
            let message = Email {
                to: person.email.clone(),
                subject: format!(
                    "{} due by {}",
                    if due.len() == 1 {
                        due[0].1
                    } else {
                        "Appraisal and revalidation"
                    },
                    long_date(due.iter().map(|d| d.2).min().unwrap_or(today))
                ),
                body: format!(
                    "Dear {},\n\nDue within the next {REMIND_WITHIN_DAYS} days:\n\n{}\n\nYour CPD log in gpteam (My development) has what you recorded for it.\n",
                    person.name,
                    lines.join("\n")
                ),
            };
            let claims: Vec<(&str, &str, &str)> = due
                .iter()
                .map(|(kind, _, _, about)| (*kind, person.staff_id.as_str(), about.as_str()))
                .collect();
            if send_claimed(&mut conn, mailer, &message, &claims, &mut summary.failed).await? {
                summary.people_reminded += 1;
            }
        }
        if summary.people_reminded > 0 {
            let change = Change {
                action: "sent",
                entity: "development_reminders",
                entity_id: &today.to_string(),
                tenant: "system",
                before: None,
                after: json(&summary.people_reminded),
            };
            audit(&mut conn, None, change, &now).await?;
        }
        Ok(summary)
    }
}
