//! Email through SMTP with `lettre`, and the reminder job that uses it.
use anyhow::Context;
use app::training::{Email, Mailer};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Sends through an SMTP server given as a URL: `smtp://host:25` (plain, for a relay on
/// the same network), `smtp://user:pass@host:587?tls=required` (STARTTLS) or
/// `smtps://user:pass@host:465` (TLS).
#[derive(Debug)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    pub fn new(url: &str, from: &str) -> anyhow::Result<SmtpMailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .with_context(|| format!("'{}' is not an SMTP URL", crate::redact(url)))?
            .build();
        let from = from
            .parse()
            .with_context(|| format!("'{from}' is not an email address to send from"))?;
        Ok(SmtpMailer { transport, from })
    }
}

impl Mailer for SmtpMailer {
    async fn send(&self, email: &Email) -> Result<(), String> {
        let to: Mailbox = email.to.parse().map_err(|e| format!("{e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&email.subject)
            .body(email.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

impl app::mail::Mailer for SmtpMailer {
    fn send<'a>(&'a self, email: &'a Email) -> app::mail::Sending<'a> {
        Box::pin(Mailer::send(self, email))
    }
}

/// Runs the training, appraisal and revalidation reminders once an hour for as long as the server runs. The claims in
/// the database make each reminder go once however often this runs, and from however many
/// processes.
pub async fn reminder_loop(app: app::App, mailer: SmtpMailer) {
    loop {
        match app.send_training_reminders(&mailer, app.today()).await {
            Ok(summary) => tracing::info!("training reminders: {summary}"),
            Err(error) => tracing::warn!("training reminders failed: {error}"),
        }
        match app.send_development_reminders(&mailer, app.today()).await {
            Ok(summary) => tracing::info!("development reminders: {summary}"),
            Err(error) => tracing::warn!("development reminders failed: {error}"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
}
