//! Notifications: each person's inbox in gpteam, written by the use cases where something
//! happens (in the same transaction as the change), and the same by email when the server
//! can send email and the person wants that kind by email. Emails leave through a queue in
//! the database (`notifications.email_state`), sent by `Notifications::deliver_notification_emails`
//! after the change has committed, so a failed send never undoes the change and several
//! server processes never send one twice. The text says what happened, never a health
//! detail (no leave reason, no sickness).
use crate::access::Actor;
use crate::error::{AppError, AppResult};
use crate::mail::Email;
use crate::{App, Change, commit_with_audit, json};
use domain::account::UserRole;
use std::sync::Arc;
use store::Conn;
use store::notifications::NotificationRow;

/// What a notification is about; a person chooses by kind which come by email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A leave request to decide, or a decision on one's own leave.
    Leave,
    /// A swap, cover or session request to decide, or the outcome of one's own.
    Swap,
    /// A rota published, or one's published sessions changed.
    Rota,
    /// Training expiring or expired, and reminders from a manager.
    Training,
    /// An ARRS claim month ended and its claim is not yet submitted.
    ArrsClaim,
    /// A published rota a change broke (for its managers, to repair).
    RotaChanged,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Leave,
        Kind::Swap,
        Kind::Rota,
        Kind::RotaChanged,
        Kind::Training,
        Kind::ArrsClaim,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Leave => "leave",
            Kind::Swap => "swap",
            Kind::Rota => "rota",
            Kind::Training => "training",
            Kind::ArrsClaim => "arrs_claim",
            Kind::RotaChanged => "rota_changed",
        }
    }

    pub fn parse(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The kind in the users' words, as the settings page lists it.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Leave => "Leave requests and decisions",
            Kind::Swap => "Swap, cover and session requests and their outcomes",
            Kind::Rota => "Rotas published or changed",
            Kind::Training => "Training expiring or expired, and reminders",
            Kind::ArrsClaim => "ARRS claims to submit",
            Kind::RotaChanged => "Published rotas broken by a change, to repair",
        }
    }

    /// Whether a person in this role can receive this kind at all.
    pub fn reaches(self, role: UserRole) -> bool {
        match self {
            Kind::ArrsClaim => role == UserRole::PcnManager,
            Kind::RotaChanged => matches!(role, UserRole::PracticeManager | UserRole::PcnManager),
            _ => !matches!(role, UserRole::IcsViewer | UserRole::SystemAdmin),
        }
    }
}

/// One thing that happened, to tell someone.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub kind: Kind,
    /// What happened in plain words, without health details.
    pub text: String,
    /// A path inside gpteam where it can be seen or acted on.
    pub link: String,
    /// The member of staff the notice is about, if any: erasing them removes it.
    pub about_staff: Option<String>,
}

impl Notice {
    pub fn new(kind: Kind, text: impl Into<String>, link: impl Into<String>) -> Notice {
        Notice {
            kind,
            text: text.into(),
            link: link.into(),
            about_staff: None,
        }
    }

    pub fn about(mut self, staff_id: &str) -> Notice {
        self.about_staff = Some(staff_id.to_string());
        self
    }
}

/// How this server sends email: set by the binary when an SMTP server is configured.
#[derive(Debug, Clone)]
pub struct EmailSetup {
    pub mailer: Arc<dyn crate::mail::Mailer>,
    /// The SMTP server, its password hidden, for the administrator.
    pub via: String,
    /// The address people reach gpteam at, for links (no trailing slash).
    pub public_url: String,
}

/// One notification as its reader sees it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NotificationView {
    pub id: String,
    pub kind: Kind,
    pub text: String,
    pub link: String,
    pub created_at: String,
    pub read: bool,
}

impl NotificationView {
    fn of(row: NotificationRow) -> AppResult<NotificationView> {
        Ok(NotificationView {
            kind: Kind::parse(&row.kind)
                .ok_or_else(|| AppError::Internal(format!("notification kind '{}'", row.kind)))?,
            read: row.read_at.is_some(),
            id: row.id,
            text: row.text,
            link: row.link,
            created_at: row.created_at,
        })
    }
}

/// Whether this server sends email, as the settings and training pages say it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EmailStatus {
    pub on: bool,
    /// For an administrator only: why email is off, or the server it goes through and
    /// recent failures.
    pub detail: Option<String>,
}

/// A person's notification settings page.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationSettings {
    /// Each kind that can reach the person, and whether they want it by email.
    pub choices: Vec<(Kind, bool)>,
    pub email: EmailStatus,
}

/// What one run of the email sender did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliverySummary {
    pub sent: usize,
    pub failed: usize,
}

/// A send is tried this many times before it is given up.
const MAX_ATTEMPTS: i64 = 5;
/// A claim older than this belongs to a sender that died: another may take it.
const CLAIM_SECONDS: i64 = 300;
/// How many notifications the inbox shows and the API returns.
pub const INBOX_LIMIT: i64 = 200;

facade! {
    /// Notifications: a person's inbox, sending, and notices of things falling due (`app.notifications()`).
    pub struct Notifications => notifications;
}

impl Notifications<'_> {
    /// Puts a notice in one account's inbox (and the email queue when email is on and the
    /// person wants the kind by email). Runs inside the caller's transaction.
    pub(crate) async fn notify_user(
        &self,
        conn: &mut Conn,
        user_id: &str,
        notice: &Notice,
    ) -> AppResult<()> {
        self.notify_user_with(conn, user_id, notice, true).await
    }

    /// As `notify_user`; with `email_allowed` false the notice is for the inbox only
    /// (its email copy is sent another way).
    pub(crate) async fn notify_user_with(
        &self,
        conn: &mut Conn,
        user_id: &str,
        notice: &Notice,
        email_allowed: bool,
    ) -> AppResult<()> {
        let emailed = email_allowed
            && self.email_on()
            && store::notifications::wants_email(conn, user_id, notice.kind.code()).await?;
        let row = NotificationRow {
            id: store::new_id(),
            user_id: user_id.to_string(),
            kind: notice.kind.code().to_string(),
            text: notice.text.clone(),
            link: notice.link.clone(),
            about_staff_id: notice.about_staff.clone(),
            created_at: self.now(),
            read_at: None,
            email_state: if emailed { "due" } else { "none" }.to_string(),
        };
        store::notifications::insert(conn, &row).await?;
        Ok(())
    }

    /// Tells a member of staff through their account, if they have one.
    pub(crate) async fn notify_staff(
        &self,
        conn: &mut Conn,
        staff_id: &str,
        notice: &Notice,
    ) -> AppResult<usize> {
        let accounts = store::notifications::accounts_of_staff(conn, staff_id).await?;
        for user_id in &accounts {
            self.notify_user(conn, user_id, notice).await?;
        }
        Ok(accounts.len())
    }

    /// Tells the managers of a practice (its practice managers) or of a PCN (its PCN
    /// managers), `org_code` being its ODS or PCN code; `except` (the actor) is not told of
    /// what they did themselves.
    pub(crate) async fn notify_managers(
        &self,
        conn: &mut Conn,
        org_code: &str,
        except: Option<&str>,
        notice: &Notice,
    ) -> AppResult<()> {
        for user_id in store::notifications::managers_of(conn, org_code).await? {
            if Some(user_id.as_str()) != except {
                self.notify_user(conn, &user_id, notice).await?;
            }
        }
        Ok(())
    }

    /// Wakes the email sender after a change that queued email has committed.
    pub(crate) fn email_nudge(&self) {
        if self.email_on() {
            self.nudge.notify_one();
        }
    }

    /// The actor's notifications, newest first.
    pub async fn list(&self, actor: &Actor) -> AppResult<Vec<NotificationView>> {
        let mut conn = self.store().conn().await?;
        store::notifications::list(&mut conn, &actor.user_id, INBOX_LIMIT)
            .await?
            .into_iter()
            .map(NotificationView::of)
            .collect()
    }

    /// How many of the actor's notifications are unread (for the header).
    pub async fn unread_notifications(&self, user_id: &str) -> AppResult<i64> {
        let mut conn = self.store().conn().await?;
        Ok(store::notifications::unread_count(&mut conn, user_id).await?)
    }

    /// Marks one of the actor's own notifications read; someone else's is not found.
    /// Reading is the person's own view of their inbox, not a change to anyone's record, so
    /// it writes no audit row.
    pub async fn mark_notification_read(
        &self,
        actor: &Actor,
        id: &str,
    ) -> AppResult<NotificationView> {
        let mut tx = self.store().begin().await?;
        // Found (as the actor's own) before the write.
        store::notifications::get_own(&mut tx, &actor.user_id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        store::notifications::mark_read(&mut tx, &actor.user_id, id, &self.now()).await?;
        let row = store::notifications::get_own(&mut tx, &actor.user_id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        tx.commit().await.map_err(store::StoreError::from)?;
        NotificationView::of(row)
    }

    /// Marks every notification of the actor's read; returns how many were unread.
    pub async fn mark_all_notifications_read(&self, actor: &Actor) -> AppResult<u64> {
        let mut conn = self.store().conn().await?;
        Ok(store::notifications::mark_all_read(&mut conn, &actor.user_id, &self.now()).await?)
    }

    /// Whether email is on for this server; the detail only for a system administrator.
    pub async fn email_status(&self, actor: &Actor) -> AppResult<EmailStatus> {
        if actor.role != UserRole::SystemAdmin {
            return Ok(EmailStatus {
                on: self.email_on(),
                detail: None,
            });
        }
        let detail = match &self.email {
            None => "No SMTP server is set for this server, so gpteam sends no email: \
                     set GPTEAM_SMTP_URL (or --smtp-url) and restart gpteam."
                .to_string(),
            Some(setup) => {
                let since = store::timestamp(self.clock().now() - chrono::Duration::days(1));
                let mut conn = self.store().conn().await?;
                let (failures, last) =
                    store::notifications::email_failures_since(&mut conn, &since).await?;
                let mut text = format!("Email is sent through {}.", setup.via);
                if failures > 0 {
                    text.push_str(&format!(
                        " {failures} {} in the last 24 hours could not be sent{}.",
                        if failures == 1 { "email" } else { "emails" },
                        last.map(|l| format!(": {l}")).unwrap_or_default()
                    ));
                }
                text
            }
        };
        Ok(EmailStatus {
            on: self.email_on(),
            detail: Some(detail),
        })
    }

    /// The actor's settings: which kinds come by email, and whether email is on.
    pub async fn notification_settings(&self, actor: &Actor) -> AppResult<NotificationSettings> {
        let email = self.email_status(actor).await?;
        let mut conn = self.store().conn().await?;
        let stored = store::notifications::email_choices(&mut conn, &actor.user_id).await?;
        let choices = Kind::ALL
            .into_iter()
            .filter(|k| k.reaches(actor.role))
            .map(|k| {
                let wanted = stored
                    .iter()
                    .find(|(code, _)| code == k.code())
                    .is_none_or(|(_, wanted)| *wanted);
                (k, wanted)
            })
            .collect();
        Ok(NotificationSettings { choices, email })
    }

    /// Saves which kinds the actor wants by email (every kind not in `wanted` is inbox
    /// only), with an audit row.
    pub async fn set_notification_emails(&self, actor: &Actor, wanted: &[Kind]) -> AppResult<()> {
        let mut tx = self.store().begin().await?;
        let mut after = Vec::new();
        for kind in Kind::ALL.into_iter().filter(|k| k.reaches(actor.role)) {
            let email = wanted.contains(&kind);
            store::notifications::set_email_choice(&mut tx, &actor.user_id, kind.code(), email)
                .await?;
            after.push((kind.code(), email));
        }
        let now = self.now();
        let change = Change {
            action: "updated",
            entity: "notification_emails",
            entity_id: &actor.user_id,
            tenant: &actor.org,
            before: None,
            after: json(&after),
        };
        commit_with_audit(tx, Some(actor), change, &now).await
    }

    /// Emails the notifications waiting in the queue. Each is claimed first (so two
    /// processes never send one twice); a failed send goes back to the queue and is given
    /// up after 5 attempts, with the reason kept for the administrator.
    pub async fn deliver_notification_emails(&self) -> AppResult<DeliverySummary> {
        let Some(setup) = &self.email else {
            return Ok(DeliverySummary::default());
        };
        let mut summary = DeliverySummary::default();
        loop {
            let now = self.clock().now();
            let stale = store::timestamp(now - chrono::Duration::seconds(CLAIM_SECONDS));
            let mut conn = self.store().conn().await?;
            let due = store::notifications::claim_due_emails(
                &mut conn,
                &store::timestamp(now),
                &stale,
                50,
            )
            .await?;
            if due.is_empty() {
                return Ok(summary);
            }
            let mut failed = false;
            for email in due {
                let message = notification_email(&email, &setup.public_url);
                match setup.mailer.send(&message).await {
                    Ok(()) => {
                        store::notifications::email_sent(&mut conn, &email.id).await?;
                        summary.sent += 1;
                    }
                    Err(problem) => {
                        let give_up = email.attempts + 1 >= MAX_ATTEMPTS;
                        store::notifications::email_not_sent(
                            &mut conn, &email.id, &problem, give_up,
                        )
                        .await?;
                        summary.failed += 1;
                        failed = true;
                    }
                }
            }
            if failed {
                // What failed is back in the queue: the next run tries it again.
                return Ok(summary);
            }
        }
    }
}

/// "on 3 March 2027" or "from 3 March to 7 March 2027", for a notice about days.
pub(crate) fn days_text(start: chrono::NaiveDate, end: chrono::NaiveDate) -> String {
    if start == end {
        format!("on {}", crate::long_date(start))
    } else {
        format!(
            "from {} to {}",
            crate::long_date(start),
            crate::long_date(end)
        )
    }
}

/// The email copy of a notification.
fn notification_email(due: &store::notifications::DueEmail, public_url: &str) -> Email {
    let mut subject: String = due.text.chars().take(90).collect();
    if subject.len() < due.text.len() {
        subject.push('…');
    }
    Email {
        to: due.to.clone(),
        subject: format!("gpteam: {subject}"),
        body: format!(
            "Dear {},\n\n{}\n\nSee it in gpteam: {public_url}{}\n\nYou can choose which notifications come by email at {public_url}/account/notifications.\n",
            due.name, due.text, due.link
        ),
    }
}

impl App {
    /// The same application sending notification emails through `setup`.
    pub fn with_email(mut self, setup: EmailSetup) -> App {
        self.email = Some(setup);
        self
    }

    /// Whether this server can send email.
    pub fn email_on(&self) -> bool {
        self.email.is_some()
    }

    /// Sends queued notification emails for as long as the server runs: at once when a
    /// change queues one (`email_nudge`), and every 30 seconds for those queued by other
    /// processes or waiting after a failure.
    pub async fn run_email_delivery(self) {
        loop {
            match self.notifications().deliver_notification_emails().await {
                Ok(summary) if summary.failed > 0 => tracing::warn!(
                    "notification emails: {} sent, {} not sent (they are tried again)",
                    summary.sent,
                    summary.failed
                ),
                Ok(_) => {}
                Err(error) => tracing::warn!("notification emails failed: {error}"),
            }
            tokio::select! {
                () = self.nudge.notified() => {}
                () = tokio::time::sleep(std::time::Duration::from_secs(30)) => {}
            }
        }
    }
}
