//! The one clock: "now" as an instant and "today" as a date in England (Europe/London),
//! whatever the server's own time zone. Tests and browser walks set it.
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Europe::London;
use std::sync::{Arc, RwLock};

/// The system clock, or a fixed instant that a test moves by hand.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    fixed: Option<Arc<RwLock<DateTime<Utc>>>>,
}

impl Clock {
    /// The machine's clock.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock stopped at `at` until `set` moves it.
    pub fn fixed(at: DateTime<Utc>) -> Clock {
        Clock {
            fixed: Some(Arc::new(RwLock::new(at))),
        }
    }

    /// Moves a fixed clock (every clone sees the move); the system clock ignores it.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(fixed) = &self.fixed {
            *fixed.write().unwrap_or_else(|e| e.into_inner()) = at;
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.fixed {
            Some(fixed) => *fixed.read().unwrap_or_else(|e| e.into_inner()),
            None => Utc::now(),
        }
    }

    /// Today's date in England.
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&London).date_naive()
    }
}

/// An instant as a person in England reads it (wall-clock time in Europe/London).
pub fn local(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&London).naive_local()
}

/// The date in England of a stored timestamp (RFC 3339, UTC).
pub fn local_date(stored: &str) -> Option<NaiveDate> {
    DateTime::parse_from_rfc3339(stored)
        .ok()
        .map(|at| local(at.with_timezone(&Utc)).date())
}

/// A stored timestamp (RFC 3339, UTC) shown in England: "3 March 2026, 14:05". Text that
/// is not a timestamp is shown as it is.
pub fn show_timestamp(stored: &str) -> String {
    match DateTime::parse_from_rfc3339(stored) {
        Ok(at) => local(at.with_timezone(&Utc))
            .format("%-d %B %Y, %H:%M")
            .to_string(),
        Err(_) => stored.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn today_is_the_date_in_london() {
        // 23:30 UTC on 30 June is already 1 July in London (BST, UTC+1).
        let clock = Clock::fixed(Utc.with_ymd_and_hms(2026, 6, 30, 23, 30, 0).unwrap());
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
        // In winter London is on UTC.
        clock.set(Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap());
        assert_eq!(
            clock.today(),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        );
        assert_eq!(show_timestamp("2026-07-01T13:05:00Z"), "1 July 2026, 14:05");
        assert_eq!(
            local_date("2026-06-30T23:30:00Z"),
            NaiveDate::from_ymd_opt(2026, 7, 1)
        );
    }
}
