//! Wellbeing use cases: answering the pulse check-in, the reports that show a group only
//! when enough people in it answered, the check-in's settings, support services, and the
//! workload signals that contracts and leave allow (the rota, which most signals need, is
//! not in gpteam yet — the signals say so rather than guess).
//!
//! Anonymity: `submit_checkin` writes the answer through `store::wellbeing::insert_answer`,
//! which is given the practice and staff group only, and the marker through
//! `mark_answered`, which is given no answer. The audit row records that the person
//! answered in a period — never what they answered.
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::{App, Change, commit_with_audit, json};
use chrono::{Datelike, Duration, NaiveDate};
use domain::account::UserRole;
use domain::leave::{LeaveKind, LeaveStatus};
use domain::org::Employer;
use domain::role::StaffGroup;
use domain::staff::Employment;
use domain::wellbeing::{
    AnswerForm, CheckinSettings, GroupResults, Period, ServiceForm, SettingsForm, StoredAnswer,
    SupportService, national_services, shown_parts, summarise,
};
use serde::Serialize;
use store::Conn;
use store::leave::{LeaveRecord, LeaveScope};
use store::staff::{StaffFilter, StaffRecord, StaffScope};
use store::wellbeing::{QuestionnaireRecord, ServiceRecord};

/// The practice a person's answers count towards: the employing practice, or for
/// PCN-employed staff the first practice they work at.
pub fn home_practice(person: &StaffRecord) -> Option<String> {
    match &person.draft.employer {
        Employer::Practice(ods) => Some(ods.to_string()),
        Employer::Pcn(_) => person.draft.practices.first().map(|p| p.to_string()),
    }
}

/// Whose check-in a practice uses: its PCN's, or its own when it is in no PCN.
async fn checkin_tenant(conn: &mut Conn, practice_ods: &str) -> AppResult<String> {
    let practice = store::practices::get(conn, practice_ods)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(practice.pcn_code.unwrap_or(practice.ods_code))
}

/// The tenant's questionnaire: the stored one, or the defaults under a fixed id (stored on
/// first use).
async fn questionnaire(conn: &mut Conn, tenant: &str) -> AppResult<(QuestionnaireRecord, bool)> {
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

/// The check-in open to a person now.
#[derive(Debug, Clone, Serialize)]
pub struct CurrentCheckin {
    pub questionnaire_id: String,
    pub questions: Vec<String>,
    pub period: Period,
    pub period_weeks: u32,
    /// Whether the person has answered in this period already.
    pub answered: bool,
    pub practice_ods: String,
    pub staff_group: StaffGroup,
    pub threshold: u32,
}

/// One staff group's results in one period.
#[derive(Debug, Clone, Serialize)]
pub struct GroupReport {
    pub staff_group: StaffGroup,
    /// `None` when withheld: a count could still narrow down who answered.
    pub responses: Option<usize>,
    pub results: Option<GroupResults>,
}

/// One period of a practice's check-in.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodReport {
    pub period: Period,
    pub responses: usize,
    /// `None` when fewer than the threshold answered.
    pub results: Option<GroupResults>,
    pub groups: Vec<GroupReport>,
    /// Shown only with the results, sorted so their order says nothing about who or when.
    pub comments: Vec<String>,
}

impl PeriodReport {
    pub fn withheld(&self) -> bool {
        self.results.is_none()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct WellbeingReport {
    pub practice_ods: String,
    pub practice_name: String,
    pub tenant: String,
    pub questionnaire_id: String,
    pub settings: CheckinSettings,
    /// Oldest first; the current period is always last.
    pub periods: Vec<PeriodReport>,
}

impl WellbeingReport {
    pub fn current(&self) -> &PeriodReport {
        self.periods
            .last()
            .expect("the current period is always present")
    }
}

/// Builds a practice's report from its answers: pure, so the rules can be tested alone.
pub fn build_periods(
    settings: &CheckinSettings,
    answers: &[StoredAnswer],
    current: Period,
) -> Vec<PeriodReport> {
    let mut starts: Vec<NaiveDate> = answers.iter().map(|a| a.period_start).collect();
    starts.push(current.start);
    starts.sort();
    starts.dedup();
    starts
        .into_iter()
        .map(|start| {
            let here: Vec<&StoredAnswer> =
                answers.iter().filter(|a| a.period_start == start).collect();
            let responses = here.len();
            let shown = shown_parts(&[responses], settings.threshold)[0];
            let results = shown.then(|| {
                summarise(
                    &settings.questions,
                    &here.iter().map(|a| &a.answers).collect::<Vec<_>>(),
                )
            });
            let counts: Vec<usize> = StaffGroup::ALL
                .iter()
                .map(|g| here.iter().filter(|a| a.staff_group == *g).count())
                .collect();
            let group_shown = shown_parts(&counts, settings.threshold);
            let groups = StaffGroup::ALL
                .iter()
                .zip(counts.iter().zip(&group_shown))
                .map(|(group, (&count, &show))| {
                    let show = shown && show;
                    GroupReport {
                        staff_group: *group,
                        responses: show.then_some(count),
                        results: show.then(|| {
                            summarise(
                                &settings.questions,
                                &here
                                    .iter()
                                    .filter(|a| a.staff_group == *group)
                                    .map(|a| &a.answers)
                                    .collect::<Vec<_>>(),
                            )
                        }),
                    }
                })
                .collect();
            let mut comments: Vec<String> = if shown {
                here.iter()
                    .filter_map(|a| a.answers.comment.clone())
                    .collect()
            } else {
                Vec::new()
            };
            comments.sort();
            PeriodReport {
                period: Period::starting(start, settings.period_weeks),
                responses,
                results,
                groups,
                comments,
            }
        })
        .collect()
}

/// One practice's line on the PCN's page.
#[derive(Debug, Clone, Serialize)]
pub struct PracticeLine {
    pub ods_code: String,
    pub name: String,
    pub responses: usize,
    /// The mean over all questions, when the practice's answers may be shown.
    pub overall_mean: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PcnWellbeing {
    pub pcn_code: String,
    pub pcn_name: String,
    pub settings: CheckinSettings,
    pub period: Period,
    pub practices: Vec<PracticeLine>,
    pub services: Vec<ServiceRecord>,
}

/// A workload signal that needs the rota, named with the reason it cannot be shown yet.
#[derive(Debug, Clone, Serialize)]
pub struct UnavailableSignal {
    pub name: &'static str,
    pub why: &'static str,
}

/// The signals that need a planned rota; gpteam has no rota yet.
pub fn rota_signals() -> Vec<UnavailableSignal> {
    const WHY: &str = "Needs the rota, which gpteam does not hold yet: contracts give sessions a week, not the days and hours worked.";
    vec![
        UnavailableSignal {
            name: "Hours planned over contract",
            why: WHY,
        },
        UnavailableSignal {
            name: "Consecutive working days without a rest day",
            why: WHY,
        },
        UnavailableSignal {
            name: "Evenings and Saturdays worked a month",
            why: WHY,
        },
        UnavailableSignal {
            name: "Planned patient contacts a day over the safe limit of 25",
            why: WHY,
        },
    ]
}

/// Annual leave days a year for a full-time contract when gpteam holds no entitlement:
/// the NHS Agenda for Change entitlement on joining, bank holidays not included.
pub const DEFAULT_ANNUAL_LEAVE_DAYS: f64 = 27.0;
/// Behind on leave by at least this many days (a working week, pro rata) raises the signal.
pub const LEAVE_BEHIND_DAYS: f64 = 5.0;

/// Annual leave taken against the entitlement expected by this point of the leave year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaveSignal {
    /// The leave year: 1 April to 31 March.
    pub year_start: NaiveDate,
    pub year_end: NaiveDate,
    /// Days for the year, pro rata to WTE (at most 1) and to the part of the year employed.
    pub entitlement: f64,
    /// The share of the entitlement due by today.
    pub expected_by_now: f64,
    /// Approved annual leave up to today, in working days × WTE.
    pub taken: f64,
    /// Approved annual leave after today in this leave year.
    pub booked: f64,
    pub behind_by: f64,
    pub behind: bool,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The leave year (1 April – 31 March) holding `today`.
pub fn leave_year(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let year = if today.month() >= 4 {
        today.year()
    } else {
        today.year() - 1
    };
    let start = NaiveDate::from_ymd_opt(year, 4, 1).expect("a valid date");
    let end = NaiveDate::from_ymd_opt(year + 1, 3, 31).expect("a valid date");
    (start, end)
}

/// The leave signal of one person from their contract and their approved annual leave.
pub fn leave_signal(person: &StaffRecord, leave: &[LeaveRecord], today: NaiveDate) -> LeaveSignal {
    let (year_start, year_end) = leave_year(today);
    let wte = person.draft.wte.min(1.0);
    let employed_from = person.draft.start_date.max(year_start);
    let employed_to = person.draft.end_date.unwrap_or(year_end).min(year_end);
    let year_days = (year_end - year_start).num_days() as f64 + 1.0;
    let employed_days = ((employed_to - employed_from).num_days() as f64 + 1.0).max(0.0);
    let entitlement = DEFAULT_ANNUAL_LEAVE_DAYS * wte * employed_days / year_days;
    let elapsed = ((today.min(employed_to) - employed_from).num_days() as f64 + 1.0).max(0.0);
    let expected_by_now = if employed_days > 0.0 {
        entitlement * (elapsed / employed_days).min(1.0)
    } else {
        0.0
    };
    let (mut taken, mut booked) = (0.0, 0.0);
    for l in leave.iter().filter(|l| {
        l.staff_id == person.id
            && l.status == LeaveStatus::Approved
            && l.leave.kind == LeaveKind::Annual
    }) {
        let mut day = l.leave.start_date.max(year_start);
        let last = l.leave.end_date.min(year_end);
        while day <= last {
            if analytics::calendar::is_working_day(day) {
                if day <= today {
                    taken += wte;
                } else {
                    booked += wte;
                }
            }
            day += Duration::days(1);
        }
    }
    let behind_by = (expected_by_now - taken).max(0.0);
    LeaveSignal {
        year_start,
        year_end,
        entitlement: round1(entitlement),
        expected_by_now: round1(expected_by_now),
        taken: round1(taken),
        booked: round1(booked),
        behind_by: round1(behind_by),
        behind: behind_by >= LEAVE_BEHIND_DAYS * wte && wte > 0.0,
    }
}

/// A person's own workload signals.
#[derive(Debug, Clone, Serialize)]
pub struct MyWorkload {
    pub name: String,
    pub wte: f64,
    pub sessions_per_week: f64,
    pub leave: LeaveSignal,
    pub unavailable: Vec<UnavailableSignal>,
}

/// A team's workload signals: counts only, no names (leave is not a hard breach; hard
/// breaches — over the safe limit, no rest — need the rota).
#[derive(Debug, Clone, Serialize)]
pub struct TeamWorkload {
    pub people: usize,
    pub behind_on_leave: usize,
    /// Working days of leave due by now but not taken, over the whole team.
    pub days_behind: f64,
    pub year_start: NaiveDate,
    pub year_end: NaiveDate,
    pub unavailable: Vec<UnavailableSignal>,
}

impl App {
    async fn me(&self, conn: &mut Conn, actor: &Actor) -> AppResult<StaffRecord> {
        let staff_id = actor.staff_id.as_deref().ok_or(AppError::Forbidden)?;
        store::staff::get(conn, staff_id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The actor's own record, if they are employed today: a starter is asked from their
    /// first day and a leaver no more after their last, so neither answers for a team
    /// they are not in.
    async fn me_in_post(&self, conn: &mut Conn, actor: &Actor) -> AppResult<StaffRecord> {
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

    /// The check-in open to the actor now, and whether they have answered it.
    pub async fn current_checkin(&self, actor: &Actor) -> AppResult<CurrentCheckin> {
        let mut conn = self.store().conn().await?;
        let me = self.me_in_post(&mut conn, actor).await?;
        let practice = home_practice(&me).ok_or(AppError::NotFound)?;
        let tenant = checkin_tenant(&mut conn, &practice).await?;
        let (q, _) = questionnaire(&mut conn, &tenant).await?;
        let period = Period::containing(self.today(), q.settings.period_weeks);
        let answered =
            store::wellbeing::has_answered(&mut conn, &me.id, &period.start.to_string()).await?;
        Ok(CurrentCheckin {
            questionnaire_id: q.id,
            questions: q.settings.questions,
            period,
            period_weeks: q.settings.period_weeks,
            answered,
            practice_ods: practice,
            staff_group: me.draft.role.staff_group(),
            threshold: q.settings.threshold,
        })
    }

    /// Stores the actor's answers for this period, anonymously. A second answer in the
    /// same period is a `Conflict`; bad answers are `Invalid`, naming each field. Either
    /// way nothing is stored.
    pub async fn submit_checkin(&self, actor: &Actor, form: &AnswerForm) -> AppResult<Period> {
        let mut tx = self.store().begin().await?;
        let me = self.me_in_post(&mut tx, actor).await?;
        let practice = home_practice(&me).ok_or(AppError::NotFound)?;
        let tenant = checkin_tenant(&mut tx, &practice).await?;
        let (q, stored) = questionnaire(&mut tx, &tenant).await?;
        let answers = form.parse(&q.settings.questions)?;
        if !stored {
            let record = QuestionnaireRecord {
                created_at: self.now(),
                ..q.clone()
            };
            store::wellbeing::insert_questionnaire(&mut tx, &record).await?;
        }
        let period = Period::containing(self.today(), q.settings.period_weeks);
        let start = period.start.to_string();
        if !store::wellbeing::mark_answered(&mut tx, &me.id, &start).await? {
            return Err(AppError::Conflict(format!(
                "You have already answered the check-in for {} to {}. The next one opens on {}.",
                period.start.format("%-d %B"),
                period.end.format("%-d %B %Y"),
                period.next_start().format("%-d %B %Y")
            )));
        }
        store::wellbeing::insert_answer(
            &mut tx,
            &q.id,
            &start,
            &practice,
            me.draft.role.staff_group(),
            &answers,
        )
        .await?;
        let now = self.now();
        // What the person did, never what they answered.
        let change = Change {
            action: "answered",
            entity: "wellbeing_checkin",
            entity_id: &start,
            tenant: &practice,
            before: None,
            after: json(&serde_json::json!({ "period_start": start })),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        Ok(period)
    }

    /// A practice's check-in results by period, each group withheld below the threshold.
    pub async fn wellbeing_report(&self, actor: &Actor, ods: &str) -> AppResult<WellbeingReport> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::View, Tenant::Practice(ods)).await?;
        let practice = store::practices::get(&mut conn, ods)
            .await?
            .ok_or(AppError::NotFound)?;
        let tenant = checkin_tenant(&mut conn, ods).await?;
        let (q, _) = questionnaire(&mut conn, &tenant).await?;
        let answers =
            store::wellbeing::answers(&mut conn, &q.id, std::slice::from_ref(&practice.ods_code))
                .await?;
        let current = Period::containing(self.today(), q.settings.period_weeks);
        Ok(WellbeingReport {
            practice_ods: practice.ods_code,
            practice_name: practice.name,
            tenant,
            questionnaire_id: q.id,
            periods: build_periods(&q.settings, &answers, current),
            settings: q.settings,
        })
    }

    /// The PCN's check-in settings, its practices' answers this period and its services.
    pub async fn pcn_wellbeing(&self, actor: &Actor, pcn: &str) -> AppResult<PcnWellbeing> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::Manage, Tenant::Pcn(pcn)).await?;
        let record = store::practices::get_pcn(&mut conn, pcn)
            .await?
            .ok_or(AppError::NotFound)?;
        let (q, _) = questionnaire(&mut conn, pcn).await?;
        let period = Period::containing(self.today(), q.settings.period_weeks);
        let practices =
            store::practices::list(&mut conn, store::practices::PracticeScope::Pcn(pcn)).await?;
        let answers = store::wellbeing::answers(&mut conn, &q.id, &[]).await?;
        let current: Vec<&StoredAnswer> = answers
            .iter()
            .filter(|a| a.period_start == period.start)
            .collect();
        let counts: Vec<usize> = practices
            .iter()
            .map(|p| {
                current
                    .iter()
                    .filter(|a| a.practice_ods == p.ods_code)
                    .count()
            })
            .collect();
        let shown = shown_parts(&counts, q.settings.threshold);
        let lines = practices
            .iter()
            .zip(counts.iter().zip(&shown))
            .map(|(p, (&responses, &show))| PracticeLine {
                ods_code: p.ods_code.clone(),
                name: p.name.clone(),
                responses,
                overall_mean: show.then(|| {
                    let mine: Vec<_> = current
                        .iter()
                        .filter(|a| a.practice_ods == p.ods_code)
                        .map(|a| &a.answers)
                        .collect();
                    summarise(&q.settings.questions, &mine).overall_mean
                }),
            })
            .collect();
        let services = store::wellbeing::services(&mut conn, pcn).await?;
        Ok(PcnWellbeing {
            pcn_code: record.code,
            pcn_name: record.name,
            settings: q.settings,
            period,
            practices: lines,
            services,
        })
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

    /// The actor's own workload signals.
    pub async fn my_workload(&self, actor: &Actor) -> AppResult<MyWorkload> {
        let mut conn = self.store().conn().await?;
        let me = self.me(&mut conn, actor).await?;
        let leave = store::leave::list(&mut conn, LeaveScope::Staff(&me.id), None).await?;
        Ok(MyWorkload {
            name: me.draft.name.clone(),
            wte: me.draft.wte,
            sessions_per_week: me.draft.sessions_per_week,
            leave: leave_signal(&me, &leave, self.today()),
            unavailable: rota_signals(),
        })
    }

    /// The workload signals of everyone working at a practice, as counts.
    pub async fn team_workload(&self, actor: &Actor, ods: &str) -> AppResult<TeamWorkload> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::View, Tenant::Practice(ods)).await?;
        let today = self.today();
        let people: Vec<StaffRecord> = store::staff::list(
            &mut conn,
            StaffScope::WorksAt(ods),
            &StaffFilter::employed_on(today),
        )
        .await?;
        let leave = store::leave::list(&mut conn, LeaveScope::WorksAt(ods), None).await?;
        let signals: Vec<LeaveSignal> = people
            .iter()
            .map(|p| leave_signal(p, &leave, today))
            .collect();
        let (year_start, year_end) = leave_year(today);
        Ok(TeamWorkload {
            people: people.len(),
            behind_on_leave: signals.iter().filter(|s| s.behind).count(),
            days_behind: round1(signals.iter().map(|s| s.behind_by).sum()),
            year_start,
            year_end,
            unavailable: rota_signals(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::leave::LeaveDraft;
    use domain::wellbeing::Answers;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn answer(start: &str, group: StaffGroup, score: u8, comment: Option<&str>) -> StoredAnswer {
        StoredAnswer {
            period_start: day(start),
            practice_ods: "Y99901".into(),
            staff_group: group,
            answers: Answers {
                scores: vec![score; 5],
                comment: comment.map(str::to_string),
            },
        }
    }

    #[test]
    fn four_answers_are_withheld_and_five_are_shown() {
        let settings = CheckinSettings::default();
        let current = Period::starting(day("2026-03-02"), 4);
        let mut answers: Vec<StoredAnswer> = (0..4)
            .map(|i| {
                answer(
                    "2026-03-02",
                    StaffGroup::AdminNonClinical,
                    3 + (i % 2),
                    Some("Busy"),
                )
            })
            .collect();
        let report = build_periods(&settings, &answers, current);
        assert_eq!(report.len(), 1);
        assert_eq!(report[0].responses, 4);
        assert!(report[0].withheld());
        assert!(
            report[0].comments.is_empty(),
            "no comments below the threshold"
        );
        assert!(report[0].groups.iter().all(|g| g.responses.is_none()));

        answers.push(answer("2026-03-02", StaffGroup::Gp, 5, None));
        let report = build_periods(&settings, &answers, current);
        assert!(!report[0].withheld());
        assert_eq!(report[0].comments.len(), 4);
        // 4 admin answers and 1 GP: each group is below 5, so neither is shown.
        assert!(report[0].groups.iter().all(|g| g.results.is_none()));
    }

    #[test]
    fn leave_behind_pro_rata() {
        let draft = domain::staff::StaffForm {
            name: "A".into(),
            role: "receptionist".into(),
            employer: "practice".into(),
            employer_code: "Y99901".into(),
            wte: "1".into(),
            sessions_per_week: "10".into(),
            start_date: "2020-01-01".into(),
            ..Default::default()
        }
        .parse()
        .unwrap();
        let person = StaffRecord {
            id: "p".into(),
            draft,
            site_ids: vec![],
            created_at: String::new(),
            updated_at: String::new(),
        };
        let today = day("2026-10-01");
        let none = leave_signal(&person, &[], today);
        assert_eq!(none.year_start, day("2026-04-01"));
        // 184 of 365 days gone (1 April to 1 October, both counted): 27 × 184 / 365 = 13.6.
        assert_eq!(none.expected_by_now, 13.6);
        assert!(none.behind);
        let week = LeaveRecord {
            id: "l".into(),
            staff_id: "p".into(),
            staff_name: "A".into(),
            leave: LeaveDraft {
                kind: LeaveKind::Annual,
                start_date: day("2026-07-06"),
                end_date: day("2026-07-17"),
                note: None,
            },
            status: LeaveStatus::Approved,
            requested_at: String::new(),
            decided_by: None,
            decided_at: None,
        };
        let some = leave_signal(&person, &[week], today);
        assert_eq!(some.taken, 10.0);
        assert!(!some.behind, "3.6 days behind is under a week");
    }
}
