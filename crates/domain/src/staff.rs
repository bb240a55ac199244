//! A member of the team: who they are, their role and contract (WTE, sessions a week), who
//! employs them and where they work.
use crate::error::{FieldError, FieldErrors, parse_date, parse_optional_date, parse_required};
use crate::org::{Employer, OdsCode};
use crate::role::Role;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Whole-time equivalent: 1.0 is a full-time contract (37.5 hours, or 9 GP sessions).
pub const MAX_WTE: f64 = 1.5;
/// Sessions a week above this are not a plausible contract (11 sessions incl. extended access).
pub const MAX_SESSIONS_PER_WEEK: f64 = 11.0;

/// Parses a WTE, which must lie in (0, 1.5].
pub fn parse_wte(text: &str) -> Result<f64, FieldError> {
    let text = text.trim();
    let value: f64 = text.parse().map_err(|_| {
        FieldError::new(
            "wte",
            format!("'{text}' is not a number: enter the WTE like 0.8"),
        )
    })?;
    if !(value > 0.0 && value <= MAX_WTE && value.is_finite()) {
        return Err(FieldError::new(
            "wte",
            format!("WTE must be more than 0 and at most {MAX_WTE}, not {text}"),
        ));
    }
    Ok(value)
}

/// Parses sessions a week, which must lie in [0, 11]; half sessions are allowed.
pub fn parse_sessions(text: &str) -> Result<f64, FieldError> {
    let text = text.trim();
    let value: f64 = text.parse().map_err(|_| {
        FieldError::new(
            "sessions_per_week",
            format!("'{text}' is not a number of sessions"),
        )
    })?;
    if !(0.0..=MAX_SESSIONS_PER_WEEK).contains(&value) || (value * 2.0).fract() != 0.0 {
        return Err(FieldError::new(
            "sessions_per_week",
            format!(
                "Sessions a week must be a whole or half number from 0 to {MAX_SESSIONS_PER_WEEK}, not {text}"
            ),
        ));
    }
    Ok(value)
}

/// Checks an email address's shape (one `@`, a dot in the domain, no spaces).
pub fn parse_email(text: &str) -> Result<String, FieldError> {
    let email = text.trim().to_ascii_lowercase();
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !email.contains(char::is_whitespace)
        }
        None => false,
    };
    if email.is_empty() {
        return Err(FieldError::new("email", "Enter an email address"));
    }
    if !valid || email.len() > 254 {
        return Err(FieldError::new(
            "email",
            format!(
                "'{}' is not an email address like name@example.nhs.uk",
                text.trim()
            ),
        ));
    }
    Ok(email)
}

/// Splits a list typed as `a; b, c` or `a|b` into trimmed, de-duplicated items.
pub fn parse_list(text: &str) -> Vec<String> {
    let mut items: Vec<String> = text
        .split([';', ',', '|', '\n'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    items.sort();
    items.dedup();
    items
}

/// A person as entered in a form, an import row or the API: all text, not yet checked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StaffForm {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub role: String,
    /// `practice` or `pcn`.
    pub employer: String,
    /// The employing practice's ODS code or the PCN code.
    pub employer_code: String,
    pub wte: String,
    pub sessions_per_week: String,
    /// Separated by `;`.
    pub skills: String,
    pub start_date: String,
    pub end_date: String,
    /// ODS codes of the practices the person works at, separated by `;` (or, from a form's
    /// ticked boxes, one value each).
    #[serde(deserialize_with = "one_or_many")]
    pub practices: String,
}

/// A text field that may also arrive as several values (ticked boxes), joined with `;`.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(text) => text,
        OneOrMany::Many(items) => items.join(";"),
    })
}

/// A checked person, ready to store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffDraft {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Role,
    pub employer: Employer,
    pub wte: f64,
    pub sessions_per_week: f64,
    pub skills: Vec<String>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub practices: Vec<OdsCode>,
}

impl StaffForm {
    /// Checks every field and returns every problem at once.
    pub fn parse(&self) -> Result<StaffDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = errors.take(parse_required("name", "the person's name", &self.name, 120));
        let email = if self.email.trim().is_empty() {
            Some(None)
        } else {
            errors.take(parse_email(&self.email).map(Some))
        };
        let phone = self.phone.trim();
        let phone = if phone.is_empty() {
            Some(None)
        } else if phone.len() > 30
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +()-".contains(c))
        {
            errors.push(FieldError::new(
                "phone",
                format!("'{phone}' is not a phone number"),
            ));
            None
        } else {
            Some(Some(phone.to_string()))
        };
        let role = errors.take(Role::parse(&self.role));
        let employer = errors.take(Employer::parse(&self.employer, &self.employer_code));
        let wte = errors.take(parse_wte(&self.wte));
        let sessions = errors.take(parse_sessions(&self.sessions_per_week));
        let start = errors.take(parse_date("start_date", &self.start_date));
        let end = errors.take(parse_optional_date("end_date", &self.end_date));
        if let (Some(start), Some(Some(end))) = (start, end)
            && end < start
        {
            errors.push(FieldError::new(
                "end_date",
                format!("End date {end} is before the start date {start}"),
            ));
        }
        let mut practices = Vec::new();
        for code in parse_list(&self.practices) {
            match OdsCode::parse(&code) {
                Ok(code) => practices.push(code),
                Err(e) => errors.push(FieldError::new("practices", e.message)),
            }
        }
        // Canonical order: the employing practice first, then the others by code.
        if let Some(Employer::Practice(own)) = &employer {
            practices.retain(|p| p != own);
            practices.insert(0, own.clone());
        }
        if practices.is_empty() && errors.message_for("practices").is_none() {
            errors.push(FieldError::new(
                "practices",
                "Enter at least one practice the person works at",
            ));
        }
        errors.clone().into_result()?;
        Ok(StaffDraft {
            name: name.expect("checked"),
            email: email.expect("checked"),
            phone: phone.expect("checked"),
            role: role.expect("checked"),
            employer: employer.expect("checked"),
            wte: wte.expect("checked"),
            sessions_per_week: sessions.expect("checked"),
            skills: parse_list(&self.skills),
            start_date: start.expect("checked"),
            end_date: end.expect("checked"),
            practices,
        })
    }
}

impl StaffDraft {
    /// The form a draft came from, for editing and exporting.
    pub fn to_form(&self) -> StaffForm {
        StaffForm {
            name: self.name.clone(),
            email: self.email.clone().unwrap_or_default(),
            phone: self.phone.clone().unwrap_or_default(),
            role: self.role.code().to_string(),
            employer: self.employer.kind().to_string(),
            employer_code: self.employer.code().to_string(),
            wte: format_number(self.wte),
            sessions_per_week: format_number(self.sessions_per_week),
            skills: self.skills.join("; "),
            start_date: self.start_date.to_string(),
            end_date: self.end_date.map(|d| d.to_string()).unwrap_or_default(),
            practices: self
                .practices
                .iter()
                .map(OdsCode::as_str)
                .collect::<Vec<_>>()
                .join("; "),
        }
    }

    /// The share of the contract that belongs to the practices `in_scope` picks out: a
    /// person's sessions are split evenly between the practices they work at, so a practice
    /// counts 1 / (their practices) and a PCN every member practice they work at. Capacity
    /// (`app::demand`) and rotas (`app::rota`) both split by this.
    pub fn share_of(&self, in_scope: impl Fn(&OdsCode) -> bool) -> f64 {
        if self.practices.is_empty() {
            return 1.0;
        }
        let here = self.practices.iter().filter(|p| in_scope(p)).count();
        here as f64 / self.practices.len() as f64
    }

    /// Whether the person is employed on `day`: on or after their start date and on or
    /// before their end date. The one rule every page, report, reminder and rota follows
    /// (`store::register::Employed` is the same rule in SQL).
    pub fn employed_on(&self, day: NaiveDate) -> bool {
        self.employment_on(day) == Employment::Current
    }

    /// Whether the person is employed on any day from `from` to `to` (both included).
    pub fn employed_during(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.days_employed(from, to) > 0
    }

    /// How many days from `from` to `to` (both included) the person is employed.
    pub fn days_employed(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let first = self.start_date.max(from);
        let last = self.end_date.map_or(to, |end| end.min(to));
        ((last - first).num_days() + 1).max(0)
    }

    /// Where the person stands on `day`: in post, starting later, or gone.
    pub fn employment_on(&self, day: NaiveDate) -> Employment {
        if day < self.start_date {
            Employment::Starting
        } else if self.end_date.is_some_and(|end| end < day) {
            Employment::Left
        } else {
            Employment::Current
        }
    }
}

/// Where a person stands on a day, against their start and end dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Employment {
    /// Started, and not past their end date.
    Current,
    /// Their start date is still to come.
    Starting,
    /// Their end date has passed.
    Left,
}

impl Employment {
    pub const ALL: [Employment; 3] = [Employment::Current, Employment::Starting, Employment::Left];

    pub fn code(self) -> &'static str {
        match self {
            Employment::Current => "current",
            Employment::Starting => "starting",
            Employment::Left => "left",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Employment::Current => "Current",
            Employment::Starting => "Starting",
            Employment::Left => "Left",
        }
    }

    pub fn parse(code: &str) -> Option<Employment> {
        Employment::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// Shows a number without a trailing `.0` (`1`, `0.8`).
pub fn format_number(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> StaffForm {
        StaffForm {
            name: "Dr Ada Example".into(),
            email: "Ada@Example.nhs.uk".into(),
            role: "Salaried GP".into(),
            employer: "practice".into(),
            employer_code: "y00001".into(),
            wte: "0.8".into(),
            sessions_per_week: "7".into(),
            skills: "minor surgery; coil fitting".into(),
            start_date: "2024-04-01".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_form_parses_and_round_trips() {
        let draft = form().parse().unwrap();
        assert_eq!(draft.email.as_deref(), Some("ada@example.nhs.uk"));
        assert_eq!(draft.practices, vec![OdsCode::parse("Y00001").unwrap()]);
        assert_eq!(draft.to_form().parse().unwrap(), draft);
    }

    #[test]
    fn a_contract_is_shared_evenly_between_the_practices_worked_at() {
        let mut draft = form().parse().unwrap();
        draft.practices = ["Y00001", "Y00002", "Y00003"]
            .iter()
            .map(|c| OdsCode::parse(c).unwrap())
            .collect();
        assert_eq!(draft.share_of(|p| p.as_str() == "Y00002"), 1.0 / 3.0);
        assert_eq!(draft.share_of(|p| p.as_str() != "Y00003"), 2.0 / 3.0);
        assert_eq!(draft.share_of(|_| true), 1.0);
        assert_eq!(draft.share_of(|p| p.as_str() == "Y00009"), 0.0);
    }

    #[test]
    fn every_bad_field_is_reported() {
        let bad = StaffForm {
            name: " ".into(),
            wte: "2".into(),
            role: "wizard".into(),
            start_date: "2024-05-01".into(),
            end_date: "2024-04-01".into(),
            ..form()
        };
        let errors = bad.parse().unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["name", "role", "wte", "end_date"]);
    }

    #[test]
    fn wte_bounds() {
        assert!(parse_wte("1.5").is_ok());
        assert!(parse_wte("0").is_err());
        assert!(parse_wte("1.6").is_err());
        assert!(parse_wte("NaN").is_err());
        assert!(parse_sessions("4.5").is_ok());
        assert!(parse_sessions("4.2").is_err());
    }

    #[test]
    fn employment_follows_the_start_and_end_dates() {
        let d = |t: &str| NaiveDate::parse_from_str(t, "%Y-%m-%d").unwrap();
        let mut draft = form().parse().unwrap();
        draft.start_date = d("2026-03-01");
        draft.end_date = Some(d("2026-11-30"));
        assert_eq!(draft.employment_on(d("2026-02-28")), Employment::Starting);
        assert!(draft.employed_on(d("2026-03-01")));
        assert!(draft.employed_on(d("2026-11-30")));
        assert_eq!(draft.employment_on(d("2026-12-01")), Employment::Left);
        assert_eq!(draft.days_employed(d("2026-11-01"), d("2026-11-30")), 30);
        assert_eq!(draft.days_employed(d("2026-02-01"), d("2026-03-10")), 10);
        assert_eq!(draft.days_employed(d("2026-12-01"), d("2026-12-31")), 0);
        assert!(!draft.employed_during(d("2026-12-01"), d("2026-12-31")));
        assert!(draft.employed_during(d("2026-11-30"), d("2026-12-31")));
    }

    #[test]
    fn practices_arrive_as_one_text_or_as_ticked_boxes() {
        let one: StaffForm = serde_json::from_str(r#"{"practices": "Y1; Y2"}"#).unwrap();
        assert_eq!(one.practices, "Y1; Y2");
        let many: StaffForm = serde_json::from_str(r#"{"practices": ["Y1", "Y2"]}"#).unwrap();
        assert_eq!(many.practices, "Y1;Y2");
        assert!(serde_json::from_str::<StaffForm>(r#"{"practices": 5}"#).is_err());
    }
}
