//! Sending the account emails (invitations, password resets) from the web tier: a small
//! trait the binary implements with SMTP (`lettre`) or, with no SMTP set, the server log.
use crate::training::Email;
use std::future::Future;
use std::pin::Pin;

/// A boxed send, so the web tier can hold any mailer behind `Arc<dyn Mailer>`.
pub type Sending<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// Sends one email. An error is the reason it could not be sent, for the server log.
pub trait Mailer: Send + Sync + std::fmt::Debug {
    fn send<'a>(&'a self, email: &'a Email) -> Sending<'a>;
}

/// With no SMTP server, the message (and so the link in it) goes to the server log: the
/// one place such a link may be written, for whoever runs the server to pass on.
#[derive(Debug, Default)]
pub struct LogMailer;

impl Mailer for LogMailer {
    fn send<'a>(&'a self, email: &'a Email) -> Sending<'a> {
        Box::pin(async move {
            tracing::info!(
                to = %email.to,
                subject = %email.subject,
                "no SMTP server is set, so this email is written here instead of sent:\n{}",
                email.body
            );
            Ok(())
        })
    }
}
