//! The reminder job that sends email through SMTP (`app::mail::SmtpMailer`).
use app::mail::SmtpMailer;

/// The SMTP mailer for a URL and sender, or why not.
pub fn smtp(url: &str, from: &str) -> anyhow::Result<SmtpMailer> {
    SmtpMailer::new(url, from).map_err(anyhow::Error::msg)
}

/// Runs the training, appraisal and revalidation reminders once an hour for as long as the server runs. The claims in
/// the database make each reminder go once however often this runs, and from however many
/// processes.
pub async fn reminder_loop(app: app::App, mailer: SmtpMailer) {
    loop {
        match app
            .training()
            .send_training_reminders(&mailer, app.today())
            .await
        {
            Ok(summary) => tracing::info!("training reminders: {summary}"),
            Err(error) => tracing::warn!("training reminders failed: {error}"),
        }
        match app
            .development()
            .send_development_reminders(&mailer, app.today())
            .await
        {
            Ok(summary) => tracing::info!("development reminders: {summary}"),
            Err(error) => tracing::warn!("development reminders failed: {error}"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
}
