//! Reminder emails: each person's expiring training and each manager's weekly digest, each
//! message claimed before it is sent.
use super::*;

pub use crate::mail::Email;

/// Sends email and waits for the answer; the binary gives `mail::SmtpMailer`.
pub trait Mailer: Sync {
    fn send(&self, email: &Email) -> impl Future<Output = Result<(), String>> + Send;
}

impl Mailer for crate::mail::SmtpMailer {
    async fn send(&self, email: &Email) -> Result<(), String> {
        self.deliver(email).await
    }
}

/// Sends a message whose reminders are already claimed (`kind`, recipient, each `about`);
/// when it cannot be sent the claims are given back so the next run tries again, and the
/// problem is added to `failed`. Returns whether it was sent.
pub(crate) async fn send_claimed<M: Mailer>(
    conn: &mut Conn,
    mailer: &M,
    message: &Email,
    claims: &[(&str, &str, &str)],
    failed: &mut Vec<String>,
) -> AppResult<bool> {
    match mailer.send(message).await {
        Ok(()) => Ok(true),
        Err(problem) => {
            for (kind, recipient, about) in claims {
                store::training::release_reminder(conn, kind, recipient, about).await?;
            }
            failed.push(format!("{}: {problem}", message.to));
            Ok(false)
        }
    }
}

/// What a reminder run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReminderSummary {
    pub people_reminded: usize,
    pub digests_sent: usize,
    pub failed: Vec<String>,
}

impl std::fmt::Display for ReminderSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "reminded {} people of training expiring within {REMIND_WITHIN_DAYS} days, sent {} weekly digests",
            self.people_reminded, self.digests_sent
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

impl super::Training<'_> {
    /// Emails each person whose training expires within 30 days (once per record and
    /// expiry date) and each manager a weekly digest (once per ISO week) of what is expired,
    /// expiring or missing in their team. Each message is claimed in the database before it
    /// is sent, so several processes never send one twice; a failed send gives the claim back.
    pub async fn send_training_reminders<M: Mailer>(
        &self,
        mailer: &M,
        today: NaiveDate,
    ) -> AppResult<ReminderSummary> {
        let mut summary = ReminderSummary::default();
        let now = self.now();
        let mut conn = self.store().conn().await?;
        remind_people(&mut conn, mailer, today, &now, &mut summary).await?;
        send_digests(&mut conn, mailer, today, &now, &mut summary).await?;
        if summary.people_reminded + summary.digests_sent > 0 {
            let change = Change {
                action: "sent",
                entity: "training_reminders",
                entity_id: &today.to_string(),
                tenant: "system",
                before: None,
                after: json(&(summary.people_reminded, summary.digests_sent)),
            };
            audit(&mut conn, None, change, &now).await?;
        }
        Ok(summary)
    }
}

/// Each person with an email, once however many practices they work at, practice by
/// practice.
async fn remind_people<M: Mailer>(
    conn: &mut Conn,
    mailer: &M,
    today: NaiveDate,
    now: &str,
    summary: &mut ReminderSummary,
) -> AppResult<()> {
    let practices =
        store::organisations::list(conn, store::organisations::PracticeScope::All).await?;
    let mut reminded: BTreeSet<String> = BTreeSet::new();
    for practice in &practices {
        let tenant = Tenant::Practice(&practice.ods_code);
        let catalogue = catalogue_of(conn, tenant).await?;
        ensure_defaults(conn, None, &catalogue.seed_owner, now).await?;
        let matrix = build_matrix(conn, tenant, &MatrixFilter::default(), today).await?;
        for row in &matrix.people {
            let Some(email) = row.email.clone() else {
                continue;
            };
            if !reminded.insert(row.staff_id.clone()) {
                continue;
            }
            remind_person(conn, mailer, &matrix, row, email, today, now, summary).await?;
        }
    }
    Ok(())
}

/// One person's reminder of the training expiring within `REMIND_WITHIN_DAYS`, each record
/// claimed first; nothing when they asked for training notices in their inbox only.
#[allow(clippy::too_many_arguments)]
async fn remind_person<M: Mailer>(
    conn: &mut Conn,
    mailer: &M,
    matrix: &TrainingMatrix,
    row: &MatrixRow,
    email: String,
    today: NaiveDate,
    now: &str,
    summary: &mut ReminderSummary,
) -> AppResult<()> {
    // Someone whose account says "not by email" for training has the notice
    // in their inbox only (`Notifications::notify_due`).
    let mut wants = true;
    for user_id in store::notifications::accounts_of_staff(conn, &row.staff_id).await? {
        wants &= store::notifications::wants_email(
            conn,
            &user_id,
            crate::notifications::Kind::Training.code(),
        )
        .await?;
    }
    if !wants {
        return Ok(());
    }
    let mut due = Vec::new();
    for (topic, cell) in matrix.topics.iter().zip(&row.cells) {
        let Some(expires) = cell.expires_on else {
            continue;
        };
        let days = (expires - today).num_days();
        if !(0..=REMIND_WITHIN_DAYS).contains(&days) {
            continue;
        }
        let about = format!("{}:{expires}", topic.id);
        if store::training::claim_reminder(conn, "training_expiry", &row.staff_id, &about, now)
            .await?
        {
            due.push((topic.topic.title(), expires, about));
        }
    }
    if due.is_empty() {
        return Ok(());
    }
    let lines: Vec<String> = due
        .iter()
        .map(|(title, expires, _)| format!("- {title}: expires on {}", long_date(*expires)))
        .collect();
    let message = Email {
        to: email,
        subject: format!(
            "Training to renew by {}",
            long_date(due.iter().map(|d| d.1).min().unwrap_or(today))
        ),
        body: format!(
            "Dear {},\n\nThis training expires within the next {REMIND_WITHIN_DAYS} days:\n\n{}\n\nPlease book a refresher and add the new record in gpteam (My training). Your manager can verify it there.\n",
            row.name,
            lines.join("\n")
        ),
    };
    let claims: Vec<(&str, &str, &str)> = due
        .iter()
        .map(|(_, _, about)| ("training_expiry", row.staff_id.as_str(), about.as_str()))
        .collect();
    if send_claimed(conn, mailer, &message, &claims, &mut summary.failed).await? {
        summary.people_reminded += 1;
    }
    Ok(())
}

/// Each practice and PCN manager's weekly digest of their team, once per ISO week.
async fn send_digests<M: Mailer>(
    conn: &mut Conn,
    mailer: &M,
    today: NaiveDate,
    now: &str,
    summary: &mut ReminderSummary,
) -> AppResult<()> {
    let week = today.iso_week();
    let about = format!("{}-W{:02}", week.year(), week.week());
    for manager in store::accounts::list_managers(conn).await? {
        let tenant = match manager.role {
            UserRole::PracticeManager => Tenant::Practice(&manager.org_code),
            UserRole::PcnManager => Tenant::Pcn(&manager.org_code),
            _ => continue,
        };
        let catalogue = match catalogue_of(conn, tenant).await {
            Ok(c) => c,
            Err(AppError::NotFound) => continue,
            Err(other) => return Err(other),
        };
        ensure_defaults(conn, None, &catalogue.seed_owner, now).await?;
        let matrix = build_matrix(conn, tenant, &MatrixFilter::default(), today).await?;
        let Some(body) = digest_body(&manager.display_name, &matrix) else {
            continue;
        };
        if !store::training::claim_reminder(conn, "training_digest", &manager.id, &about, now)
            .await?
        {
            continue;
        }
        let message = Email {
            to: manager.email.clone(),
            subject: format!("Team training this week ({})", manager.org_code),
            body,
        };
        let claims = [("training_digest", manager.id.as_str(), about.as_str())];
        if send_claimed(conn, mailer, &message, &claims, &mut summary.failed).await? {
            summary.digests_sent += 1;
        }
    }
    Ok(())
}

/// The weekly digest for a manager, or `None` when everyone is in date.
fn digest_body(name: &str, matrix: &TrainingMatrix) -> Option<String> {
    let mut sections = Vec::new();
    for (wanted, heading) in [
        (ComplianceStatus::Expired, "Expired"),
        (ComplianceStatus::Expiring, "Expiring within 60 days"),
        (ComplianceStatus::Missing, "Missing"),
    ] {
        let mut lines = Vec::new();
        for row in &matrix.people {
            let topics: Vec<String> = matrix
                .topics
                .iter()
                .zip(&row.cells)
                .filter(|(_, c)| c.status == wanted)
                .map(|(t, c)| match c.expires_on {
                    Some(d) => format!("{} ({})", t.topic.title(), long_date(d)),
                    None => t.topic.title(),
                })
                .collect();
            if !topics.is_empty() {
                lines.push(format!("- {}: {}", row.name, topics.join(", ")));
            }
        }
        if !lines.is_empty() {
            sections.push(format!("{heading}:\n{}", lines.join("\n")));
        }
    }
    if sections.is_empty() {
        return None;
    }
    Some(format!(
        "Dear {name},\n\nYour team's training this week:\n\n{}\n\nThe training matrix in gpteam has the details and an export.\n",
        sections.join("\n\n")
    ))
}
