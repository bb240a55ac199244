//! Use cases of gpteam. See README.md.
//!
//! Every public method takes the acting user (`Actor`), checks permissions through
//! `access`, runs its writes in one transaction and writes an audit row for each change.

/// Declares a capability's facade: a small view of the `App` holding one capability's use
/// cases, reached by its accessor (`app.rota()`, `app.training()`…), so callers find a use
/// case by its capability rather than in one flat list. The facade derefs to the `App`, so
/// its methods read the store, clock and settings as the App's own would.
macro_rules! facade {
    ($(#[$doc:meta])* pub struct $name:ident => $accessor:ident;) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug)]
        pub struct $name<'a> {
            app: &'a crate::App,
        }

        impl std::ops::Deref for $name<'_> {
            type Target = crate::App;

            fn deref(&self) -> &crate::App {
                self.app
            }
        }

        impl crate::App {
            $(#[$doc])*
            pub fn $accessor(&self) -> $name<'_> {
                $name { app: self }
            }
        }
    };
}

pub mod access;
pub mod accounts;
pub mod audit;
pub mod clock;
pub mod demand;
pub mod demo_load;
pub mod development;
pub mod due_notices;
pub mod error;
pub mod estates;
pub mod evidence;
pub mod funding;
pub mod housekeeping;
pub mod imports;
pub mod leave;
pub mod mail;
pub mod notifications;
pub mod organisations;
pub mod pdf;
pub mod register;
pub mod rota;
pub mod sites;
pub mod training;
pub mod wellbeing;

pub use access::{Actor, Permission, Tenant};
pub use error::{AppError, AppResult};

use serde::Serialize;
use store::Store;

/// The application: the store plus the rules. Cheap to clone; holds no per-user state.
#[derive(Clone, Debug)]
pub struct App {
    store: Store,
    clock: clock::Clock,
    /// Seals wellbeing answers while their period is open (a key kept outside the
    /// database); random unless the binary loads the deployment's key file.
    wellbeing_key: wellbeing::SealKey,
    /// The ICS viewer's figures, kept for a short time (off unless the server sets it).
    ics_figures: std::sync::Arc<organisations::dashboards::IcsFigures>,
    /// How notification emails are sent; `None`: this server sends no email.
    email: Option<notifications::EmailSetup>,
    /// Wakes the notification email sender once a change that queued email commits.
    nudge: std::sync::Arc<tokio::sync::Notify>,
    /// A person is not reminded of one training topic twice within this many days.
    training_reminder_days: i64,
}

impl App {
    pub fn new(store: Store) -> App {
        App::with_clock(store, clock::Clock::system())
    }

    /// An application reading the time from `clock` (tests set a fixed one).
    pub fn with_clock(store: Store, clock: clock::Clock) -> App {
        App {
            store,
            clock,
            wellbeing_key: wellbeing::SealKey::random(),
            ics_figures: std::sync::Arc::new(organisations::dashboards::IcsFigures::default()),
            email: None,
            nudge: std::sync::Arc::new(tokio::sync::Notify::new()),
            training_reminder_days: training::chase::DEFAULT_INTERVAL_DAYS,
        }
    }

    /// The same application keeping an ICS's aggregate figures for up to `keep` before
    /// counting again. Counting a whole ICS (about 20,000 people) takes tens of
    /// milliseconds of database time, too much to repeat on every look at ICS scale; the
    /// ICS page says when its figures were counted. Zero (the default) counts every time.
    pub fn with_ics_figures_kept_for(mut self, keep: std::time::Duration) -> App {
        self.ics_figures =
            std::sync::Arc::new(organisations::dashboards::IcsFigures::keeping(keep));
        self
    }

    /// The same application sealing wellbeing answers under `key` (the deployment's key
    /// file: every process of one deployment must use the same key).
    pub fn with_wellbeing_key(mut self, key: wellbeing::SealKey) -> App {
        self.wellbeing_key = key;
        self
    }

    pub fn wellbeing_key(&self) -> &wellbeing::SealKey {
        &self.wellbeing_key
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn clock(&self) -> &clock::Clock {
        &self.clock
    }

    /// Today in England (Europe/London), where every user of gpteam works.
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.today()
    }

    /// Now, as stored (RFC 3339 in UTC).
    pub(crate) fn now(&self) -> String {
        store::timestamp(self.clock.now())
    }
}

/// A date as people in England write it, in emails: 3 March 2026.
pub(crate) fn long_date(date: chrono::NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// One change, as the audit log records it.
pub(crate) struct Change<'a> {
    /// A past-tense verb: `created`, `updated`, `approved`...
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    /// The organisation the record belongs to.
    pub tenant: &'a str,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A record as JSON for the audit log.
pub(crate) fn json<T: Serialize>(value: &T) -> Option<String> {
    Some(serde_json::to_string(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")))
}

/// Writes one audit row: who did what to which record, with the record before and after.
/// `actor` is `None` for the command line, run by whoever holds the database.
pub(crate) async fn audit(
    conn: &mut store::Conn,
    actor: Option<&Actor>,
    change: Change<'_>,
    at: &str,
) -> AppResult<()> {
    let entry = store::audit::AuditEntry {
        at: at.to_string(),
        user_id: actor.map(|a| a.user_id.clone()),
        user_email: Some(
            actor
                .map(|a| a.email.clone())
                .unwrap_or_else(|| "command line".into()),
        ),
        action: change.action.to_string(),
        entity: change.entity.to_string(),
        entity_id: change.entity_id.to_string(),
        tenant: change.tenant.to_string(),
        before_json: change.before,
        after_json: change.after,
    };
    store::audit::insert(conn, &entry).await?;
    Ok(())
}

/// Writes the change's audit row and commits the transaction: the last step of every use
/// case that changes one record.
pub(crate) async fn commit_with_audit(
    mut tx: store::Tx,
    actor: Option<&Actor>,
    change: Change<'_>,
    at: &str,
) -> AppResult<()> {
    audit(&mut tx, actor, change, at).await?;
    tx.commit().await.map_err(store::StoreError::from)?;
    Ok(())
}

impl App {
    /// Checks a permission on a practice or PCN, for callers that act on a path's tenant.
    pub async fn authorize(
        &self,
        actor: &Actor,
        permission: Permission,
        tenant: Tenant<'_>,
    ) -> AppResult<()> {
        let mut conn = self.store.conn().await?;
        access::authorize(&mut conn, actor, permission, tenant).await
    }
}
