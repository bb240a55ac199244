//! Chasing training from the matrix: a manager reminds one person, or everyone whose
//! training is expiring or expired, after a preview of who gets what. A reminder is a
//! notification (`crate::notifications`, kind training) — in the person's inbox, and by
//! email when the server sends email and they want it — and a row of the history. Nobody
//! is reminded of one topic twice within the interval (7 days unless the server sets
//! another); the preview says who is held back and until when.
use crate::access::{self, Actor, Permission, Tenant};
use crate::error::{AppError, AppResult};
use crate::notifications::{Kind, Notice};
use crate::training::{MatrixFilter, TrainingMatrix};
use crate::{App, Change, commit_with_audit, json, long_date};
use chrono::NaiveDate;
use domain::training::ComplianceStatus;
use std::collections::BTreeMap;

/// Days within which a person is not reminded of the same topic again, by default.
pub const DEFAULT_INTERVAL_DAYS: i64 = 7;

/// One topic to remind a person of.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ChaseTopic {
    pub topic_id: String,
    pub title: String,
    /// `Expiring` or `Expired`.
    pub status: ComplianceStatus,
    pub expires_on: Option<NaiveDate>,
}

impl ChaseTopic {
    /// "Fire safety (expired 3 March 2026)".
    pub fn describe(&self) -> String {
        match (self.status, self.expires_on) {
            (ComplianceStatus::Expired, Some(d)) => {
                format!("{} (expired {})", self.title, long_date(d))
            }
            (_, Some(d)) => format!("{} (expires {})", self.title, long_date(d)),
            _ => self.title.clone(),
        }
    }
}

/// One person in a preview: what they will be reminded of, and what is held back.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ChaseLine {
    pub staff_id: String,
    pub name: String,
    pub topics: Vec<ChaseTopic>,
    /// Topics reminded within the interval: each with the day it was last reminded.
    pub held_back: Vec<(ChaseTopic, NaiveDate)>,
    /// Whether they have a gpteam account (and so an inbox); without one they cannot be
    /// reminded.
    pub has_account: bool,
    /// Whether the reminder also goes by email (email on, and the person wants it).
    pub by_email: bool,
}

/// Who gets what, before anything is sent.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ChasePreview {
    pub org_name: String,
    pub interval_days: i64,
    pub email_on: bool,
    pub lines: Vec<ChaseLine>,
}

impl ChasePreview {
    /// The people who will get a reminder.
    pub fn to_remind(&self) -> impl Iterator<Item = &ChaseLine> {
        self.lines
            .iter()
            .filter(|l| l.has_account && !l.topics.is_empty())
    }
}

/// What a send did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChaseOutcome {
    pub people: usize,
    pub topics: usize,
    pub emailed: usize,
}

/// One send in the history.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ChaseBatch {
    pub sent_at: String,
    pub sent_by: String,
    /// (person, topics as described then, emailed) per person reminded.
    pub people: Vec<(String, Vec<String>, bool)>,
}

impl crate::training::Training<'_> {
    /// Who would be reminded of what: everyone expiring or expired in the practice's or
    /// PCN's matrix, or only `staff_id`.
    pub async fn training_chase_preview(
        &self,
        actor: &Actor,
        tenant: Tenant<'_>,
        staff_id: Option<&str>,
    ) -> AppResult<ChasePreview> {
        self.authorize(actor, Permission::Manage, tenant).await?;
        let matrix = self
            .training_matrix(actor, tenant, &MatrixFilter::default())
            .await?;
        let mut conn = self.store().conn().await?;
        self.chase_lines(&mut conn, &matrix, staff_id).await
    }

    async fn chase_lines(
        &self,
        conn: &mut store::Conn,
        matrix: &TrainingMatrix,
        staff_id: Option<&str>,
    ) -> AppResult<ChasePreview> {
        let since = self.clock().now() - chrono::Duration::days(self.training_reminder_days);
        let recent: BTreeMap<(String, String), String> =
            store::training::chase::reminded_since(conn, &store::timestamp(since))
                .await?
                .into_iter()
                .map(|(staff, topic, at)| ((staff, topic), at))
                .collect();
        let mut lines = Vec::new();
        for row in &matrix.people {
            if staff_id.is_some_and(|id| id != row.staff_id) {
                continue;
            }
            let mut line = ChaseLine {
                staff_id: row.staff_id.clone(),
                name: row.name.clone(),
                topics: Vec::new(),
                held_back: Vec::new(),
                has_account: false,
                by_email: false,
            };
            for (topic, cell) in matrix.topics.iter().zip(&row.cells) {
                if !matches!(
                    cell.status,
                    ComplianceStatus::Expiring | ComplianceStatus::Expired
                ) {
                    continue;
                }
                let chase = ChaseTopic {
                    topic_id: topic.id.clone(),
                    title: topic.topic.title(),
                    status: cell.status,
                    expires_on: cell.expires_on,
                };
                match recent.get(&(row.staff_id.clone(), topic.id.clone())) {
                    Some(at) => line
                        .held_back
                        .push((chase, crate::clock::local_date(at).unwrap_or(self.today()))),
                    None => line.topics.push(chase),
                }
            }
            if line.topics.is_empty() && line.held_back.is_empty() {
                continue;
            }
            let accounts = store::notifications::accounts_of_staff(conn, &row.staff_id).await?;
            line.has_account = !accounts.is_empty();
            if let Some(user_id) = accounts.first() {
                line.by_email = self.email_on()
                    && store::notifications::wants_email(conn, user_id, Kind::Training.code())
                        .await?;
            }
            lines.push(line);
        }
        if let Some(id) = staff_id
            && lines.is_empty()
            && !matrix.people.iter().any(|p| p.staff_id == id)
        {
            return Err(AppError::NotFound);
        }
        Ok(ChasePreview {
            org_name: matrix.org_name.clone(),
            interval_days: self.training_reminder_days,
            email_on: self.email_on(),
            lines,
        })
    }

    /// Sends the reminders the preview shows (worked out again now, so a reminder sent
    /// meanwhile is not repeated): a notification to each person, a history row per topic
    /// and one audit row for the send.
    pub async fn send_training_chase(
        &self,
        actor: &Actor,
        tenant: Tenant<'_>,
        staff_id: Option<&str>,
    ) -> AppResult<ChaseOutcome> {
        self.authorize(actor, Permission::Manage, tenant).await?;
        let matrix = self
            .training_matrix(actor, tenant, &MatrixFilter::default())
            .await?;
        let owner = match tenant {
            Tenant::Practice(code) | Tenant::Pcn(code) => code.to_string(),
        };
        let mut tx = self.store().begin().await?;
        // Checked again inside the transaction that writes, before its first write.
        access::authorize(&mut tx, actor, Permission::Manage, tenant).await?;
        let preview = self.chase_lines(&mut tx, &matrix, staff_id).await?;
        let batch_id = store::new_id();
        let now = self.now();
        let mut outcome = ChaseOutcome {
            people: 0,
            topics: 0,
            emailed: 0,
        };
        let mut sent = Vec::new();
        for line in preview.to_remind() {
            let described: Vec<String> = line.topics.iter().map(ChaseTopic::describe).collect();
            let text = format!(
                "{} asks you to renew your training: {}. Add the new record in My training once done.",
                actor.name,
                described.join(", ")
            );
            let notice = Notice::new(Kind::Training, text, "/me/training").about(&line.staff_id);
            self.notifications()
                .notify_staff(&mut tx, &line.staff_id, &notice)
                .await?;
            for topic in &line.topics {
                let row = store::training::chase::ReminderRow {
                    id: store::new_id(),
                    batch_id: batch_id.clone(),
                    owner_code: owner.clone(),
                    staff_id: line.staff_id.clone(),
                    topic_id: topic.topic_id.clone(),
                    status: topic.status.code().to_string(),
                    expires_on: topic.expires_on.map(|d| d.to_string()),
                    sent_at: now.clone(),
                    sent_by: actor.user_id.clone(),
                    emailed: line.by_email,
                };
                store::training::chase::insert(&mut tx, &row).await?;
            }
            outcome.people += 1;
            outcome.topics += line.topics.len();
            outcome.emailed += usize::from(line.by_email);
            let topics: Vec<&str> = line.topics.iter().map(|t| t.topic_id.as_str()).collect();
            sent.push((line.staff_id.clone(), topics.join(";")));
        }
        if outcome.people == 0 {
            return Err(AppError::Conflict(
                "No one has training to remind them of: everyone listed was reminded within the interval, or has no gpteam account".into(),
            ));
        }
        let change = Change {
            action: "sent",
            entity: "training_reminder",
            entity_id: &batch_id,
            tenant: &owner,
            before: None,
            after: json(&sent),
        };
        commit_with_audit(tx, Some(actor), change, &now).await?;
        self.notifications().email_nudge();
        Ok(outcome)
    }

    /// The reminders sent from a practice's or PCN's matrix, newest send first.
    pub async fn training_chase_history(
        &self,
        actor: &Actor,
        tenant: Tenant<'_>,
    ) -> AppResult<Vec<ChaseBatch>> {
        let mut conn = self.store().conn().await?;
        access::authorize(&mut conn, actor, Permission::Manage, tenant).await?;
        let owner = match tenant {
            Tenant::Practice(code) | Tenant::Pcn(code) => code,
        };
        let rows = store::training::chase::history(&mut conn, owner, 1000).await?;
        let mut batches: Vec<ChaseBatch> = Vec::new();
        let mut batch_ids: Vec<String> = Vec::new();
        for row in rows {
            let status = ComplianceStatus::parse(&row.status).unwrap_or(ComplianceStatus::Expiring);
            let topic = ChaseTopic {
                topic_id: String::new(),
                title: row.topic,
                status,
                expires_on: row
                    .expires_on
                    .as_deref()
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
            }
            .describe();
            if batch_ids.last() != Some(&row.batch_id) {
                batch_ids.push(row.batch_id.clone());
                batches.push(ChaseBatch {
                    sent_at: row.sent_at.clone(),
                    sent_by: row.sent_by.clone(),
                    people: Vec::new(),
                });
            }
            let batch = batches.last_mut().expect("pushed above");
            match batch.people.last_mut() {
                Some((name, topics, _)) if *name == row.staff_name => topics.push(topic),
                _ => batch
                    .people
                    .push((row.staff_name.clone(), vec![topic], row.emailed)),
            }
        }
        Ok(batches)
    }
}

impl App {
    /// The same application with another reminder interval (days, at least 1).
    pub fn with_training_reminder_days(mut self, days: i64) -> App {
        self.training_reminder_days = days.max(1);
        self
    }

    pub fn training_reminder_days(&self) -> i64 {
        self.training_reminder_days
    }
}
