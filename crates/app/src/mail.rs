//! Sending email: a small trait with an SMTP implementation (`lettre`) and, with no SMTP
//! set, one that writes account emails (invitations, resets) to the server log.
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::future::Future;
use std::pin::Pin;

/// One email to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
}

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

/// Sends through an SMTP server given as a URL: `smtp://host:25` (plain, for a relay on
/// the same network), `smtp://user:pass@host:587?tls=required` (STARTTLS) or
/// `smtps://user:pass@host:465` (TLS).
#[derive(Debug)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    /// The mailer, or the reason the URL or the sender's address cannot be used.
    pub fn new(url: &str, from: &str) -> Result<SmtpMailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("'{}' is not an SMTP URL: {e}", redact_url(url)))?
            .build();
        let from = from
            .parse()
            .map_err(|e| format!("'{from}' is not an email address to send from: {e}"))?;
        Ok(SmtpMailer { transport, from })
    }

    pub(crate) async fn deliver(&self, email: &Email) -> Result<(), String> {
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

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, email: &'a Email) -> Sending<'a> {
        Box::pin(self.deliver(email))
    }
}

/// A URL with any password replaced by `***`, for logs and pages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
