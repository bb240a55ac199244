//! Leave: annual, study, sick and other absence, requested by staff and decided by managers.
use crate::error::{FieldError, FieldErrors, parse_date};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveKind {
    Annual,
    Study,
    Sick,
    Parental,
    Other,
}

impl LeaveKind {
    pub const ALL: [LeaveKind; 5] = [
        LeaveKind::Annual,
        LeaveKind::Study,
        LeaveKind::Sick,
        LeaveKind::Parental,
        LeaveKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LeaveKind::Annual => "annual",
            LeaveKind::Study => "study",
            LeaveKind::Sick => "sick",
            LeaveKind::Parental => "parental",
            LeaveKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LeaveKind::Annual => "Annual leave",
            LeaveKind::Study => "Study leave",
            LeaveKind::Sick => "Sickness",
            LeaveKind::Parental => "Parental leave",
            LeaveKind::Other => "Other",
        }
    }

    pub fn parse(text: &str) -> Result<LeaveKind, FieldError> {
        LeaveKind::ALL
            .into_iter()
            .find(|k| {
                k.code().eq_ignore_ascii_case(text.trim())
                    || k.label().eq_ignore_ascii_case(text.trim())
            })
            .ok_or_else(|| {
                FieldError::new("kind", format!("'{}' is not a kind of leave", text.trim()))
            })
    }
}

/// Where a request stands. Only a manager moves it from `Requested`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveStatus {
    Requested,
    Approved,
    Refused,
    Cancelled,
}

impl LeaveStatus {
    pub fn code(self) -> &'static str {
        match self {
            LeaveStatus::Requested => "requested",
            LeaveStatus::Approved => "approved",
            LeaveStatus::Refused => "refused",
            LeaveStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<LeaveStatus> {
        [
            LeaveStatus::Requested,
            LeaveStatus::Approved,
            LeaveStatus::Refused,
            LeaveStatus::Cancelled,
        ]
        .into_iter()
        .find(|s| s.code() == text)
    }

    /// A decision can be made only on a pending request.
    pub fn decide(self, approve: bool) -> Result<LeaveStatus, FieldError> {
        match self {
            LeaveStatus::Requested => Ok(if approve {
                LeaveStatus::Approved
            } else {
                LeaveStatus::Refused
            }),
            other => Err(FieldError::new(
                "status",
                format!("This request is already {}", other.code()),
            )),
        }
    }
}

/// A leave request as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LeaveForm {
    pub kind: String,
    pub start_date: String,
    pub end_date: String,
    pub note: String,
}

/// A checked leave request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeaveDraft {
    pub kind: LeaveKind,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub note: Option<String>,
}

/// Longest single request accepted (parental leave can be a year).
pub const MAX_LEAVE_DAYS: i64 = 366;

impl LeaveForm {
    pub fn parse(&self) -> Result<LeaveDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = errors.take(LeaveKind::parse(&self.kind));
        let start = errors.take(parse_date("start_date", &self.start_date));
        let end = errors.take(parse_date("end_date", &self.end_date));
        if let (Some(start), Some(end)) = (start, end) {
            if end < start {
                errors.push(FieldError::new(
                    "end_date",
                    format!("The last day {end} is before the first day {start}"),
                ));
            } else if (end - start).num_days() >= MAX_LEAVE_DAYS {
                errors.push(FieldError::new(
                    "end_date",
                    "A single request can cover at most a year",
                ));
            }
        }
        let note = self.note.trim();
        if note.chars().count() > 500 {
            errors.push(FieldError::new(
                "note",
                "The note must be 500 characters or fewer",
            ));
        }
        errors.into_result()?;
        Ok(LeaveDraft {
            kind: kind.expect("checked"),
            start_date: start.expect("checked"),
            end_date: end.expect("checked"),
            note: (!note.is_empty()).then(|| note.to_string()),
        })
    }
}

impl LeaveDraft {
    /// Whether the leave covers any day of the week starting `monday`.
    pub fn overlaps(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.start_date <= to && from <= self.end_date
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_wrong_order_are_refused() {
        let form = LeaveForm {
            kind: "annual".into(),
            start_date: "2026-05-04".into(),
            end_date: "2026-05-01".into(),
            note: String::new(),
        };
        let errors = form.parse().unwrap_err();
        assert_eq!(errors.0[0].field, "end_date");
    }

    #[test]
    fn only_pending_requests_are_decided() {
        assert_eq!(
            LeaveStatus::Requested.decide(true).unwrap(),
            LeaveStatus::Approved
        );
        assert!(LeaveStatus::Approved.decide(false).is_err());
    }
}
