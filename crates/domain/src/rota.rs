//! The rota in general practice's own terms: sessions (morning, afternoon, enhanced-access
//! evening, Saturday), the cover a site needs in each, a person's rota rules (fixed sessions,
//! days never worked, evening and Saturday limits, appointments a session) and the safe
//! working limits that are hard rules of every rota.
use crate::error::{FieldError, FieldErrors};
use crate::role::{Role, StaffGroup};
use chrono::{NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

/// A GP's planned patient contacts in a day may not exceed this (BMA safe working guidance).
pub const MAX_CONTACTS_PER_DAY: u32 = 25;
/// Consulting time in one clinical session (4 h 10 min) may not exceed 3 hours.
pub const MAX_CONSULTING_MINUTES_PER_SESSION: u32 = 180;
/// Least rest between the end of one working day and the start of the next.
pub const MIN_REST_HOURS: u32 = 11;
/// Appointments a clinical session when a person's rules say nothing (15-minute slots, 3 h).
pub const DEFAULT_APPOINTMENTS_PER_SESSION: u32 = 12;
/// Minutes an appointment when a person's rules say nothing.
pub const DEFAULT_APPOINTMENT_MINUTES: u32 = 15;
/// Longest rota a manager can generate at once.
pub const MAX_WEEKS: u32 = 13;

/// A session of the day, in the order of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Session {
    Am,
    Pm,
    /// PCN enhanced access, weekday evenings.
    Evening,
    /// PCN enhanced access, Saturday.
    Saturday,
}

impl Session {
    pub const ALL: [Session; 4] = [
        Session::Am,
        Session::Pm,
        Session::Evening,
        Session::Saturday,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Session::Am => "am",
            Session::Pm => "pm",
            Session::Evening => "evening",
            Session::Saturday => "saturday",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Session::Am => "AM",
            Session::Pm => "PM",
            Session::Evening => "Evening",
            Session::Saturday => "Saturday",
        }
    }

    pub fn parse(text: &str) -> Result<Session, FieldError> {
        let wanted = text.trim();
        Session::ALL
            .into_iter()
            .find(|s| {
                s.code().eq_ignore_ascii_case(wanted) || s.label().eq_ignore_ascii_case(wanted)
            })
            .ok_or_else(|| {
                FieldError::new(
                    "session",
                    format!("'{wanted}' is not a session: use AM, PM, evening or Saturday"),
                )
            })
    }

    /// The default times: AM 08:00–13:00, PM 13:00–18:30, evening 18:30–20:00, Saturday
    /// 09:00–17:00.
    pub fn default_times(self) -> SessionTimes {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("valid time");
        match self {
            Session::Am => SessionTimes::new(t(8, 0), t(13, 0)),
            Session::Pm => SessionTimes::new(t(13, 0), t(18, 30)),
            Session::Evening => SessionTimes::new(t(18, 30), t(20, 0)),
            Session::Saturday => SessionTimes::new(t(9, 0), t(17, 0)),
        }
    }

    /// What the session counts towards a contract's sessions a week: a Saturday is a day
    /// (two sessions), an evening half a session.
    pub fn contract_halves(self) -> u32 {
        match self {
            Session::Am | Session::Pm => 2,
            Session::Evening => 1,
            Session::Saturday => 4,
        }
    }

    /// Whether the session can fall on a day of the week.
    pub fn on(self, day: Weekday) -> bool {
        match self {
            Session::Saturday => day == Weekday::Sat,
            _ => day.num_days_from_monday() < 5,
        }
    }

    /// Planned patient contacts in this session for someone booked `per_session` an ordinary
    /// session: an evening is 1.5 hours of a 4 h 10 min session, a Saturday is two sessions.
    pub fn contacts(self, per_session: u32) -> u32 {
        match self {
            Session::Am | Session::Pm => per_session,
            Session::Evening => per_session * 90 / 250,
            Session::Saturday => per_session * 2,
        }
    }
}

/// When a session starts and ends at a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionTimes {
    pub starts: NaiveTime,
    pub ends: NaiveTime,
}

impl SessionTimes {
    pub fn new(starts: NaiveTime, ends: NaiveTime) -> SessionTimes {
        SessionTimes { starts, ends }
    }

    /// Parses `HH:MM` start and end for a form; the end must come after the start.
    pub fn parse(starts: &str, ends: &str) -> Result<SessionTimes, FieldErrors> {
        let mut errors = FieldErrors::default();
        let time = |field: &'static str, text: &str| {
            NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| {
                FieldError::new(field, format!("'{}' is not a time like 08:00", text.trim()))
            })
        };
        let s = errors.take(time("starts", starts));
        let e = errors.take(time("ends", ends));
        if let (Some(s), Some(e)) = (s, e)
            && e <= s
        {
            errors.push(FieldError::new(
                "ends",
                "The session must end after it starts",
            ));
        }
        errors.into_result()?;
        Ok(SessionTimes::new(s.expect("checked"), e.expect("checked")))
    }

    pub fn minutes(&self) -> u32 {
        (self.ends - self.starts).num_minutes().max(0) as u32
    }
}

/// The sessions one person works on one day at one site: the optimiser's unit. A day is at
/// most one of these, so nobody is in two places in the same session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DayPattern {
    Am,
    Pm,
    AmPm,
    PmEvening,
    Saturday,
}

impl DayPattern {
    pub const ALL: [DayPattern; 5] = [
        DayPattern::Am,
        DayPattern::Pm,
        DayPattern::AmPm,
        DayPattern::PmEvening,
        DayPattern::Saturday,
    ];

    pub fn sessions(self) -> &'static [Session] {
        match self {
            DayPattern::Am => &[Session::Am],
            DayPattern::Pm => &[Session::Pm],
            DayPattern::AmPm => &[Session::Am, Session::Pm],
            DayPattern::PmEvening => &[Session::Pm, Session::Evening],
            DayPattern::Saturday => &[Session::Saturday],
        }
    }

    /// The pattern made of exactly these sessions, if there is one.
    pub fn of(sessions: &[Session]) -> Option<DayPattern> {
        let mut wanted = sessions.to_vec();
        wanted.sort();
        wanted.dedup();
        DayPattern::ALL
            .into_iter()
            .find(|p| p.sessions() == wanted.as_slice())
    }

    pub fn label(self) -> &'static str {
        match self {
            DayPattern::Am => "AM",
            DayPattern::Pm => "PM",
            DayPattern::AmPm => "AM + PM",
            DayPattern::PmEvening => "PM + evening",
            DayPattern::Saturday => "Saturday",
        }
    }

    pub fn contract_halves(self) -> u32 {
        self.sessions().iter().map(|s| s.contract_halves()).sum()
    }

    pub fn contacts(self, per_session: u32) -> u32 {
        self.sessions()
            .iter()
            .map(|s| s.contacts(per_session))
            .sum()
    }

    pub fn on(self, day: Weekday) -> bool {
        self.sessions().iter().all(|s| s.on(day))
    }
}

/// Who a cover requirement counts: a staff group, one role, or anyone with a skill.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CoverNeed {
    Group(StaffGroup),
    Role(Role),
    Skill(String),
}

impl CoverNeed {
    /// The stored form: `group:gp`, `role:practice_nurse`, `skill:minor surgery`.
    pub fn code(&self) -> String {
        match self {
            CoverNeed::Group(g) => format!("group:{}", g.code()),
            CoverNeed::Role(r) => format!("role:{}", r.code()),
            CoverNeed::Skill(s) => format!("skill:{s}"),
        }
    }

    pub fn label(&self) -> String {
        match self {
            CoverNeed::Group(g) => g.label().to_string(),
            CoverNeed::Role(r) => r.label().to_string(),
            CoverNeed::Skill(s) => format!("anyone with {s}"),
        }
    }

    pub fn parse(text: &str) -> Result<CoverNeed, FieldError> {
        let text = text.trim();
        let bad = || {
            FieldError::new(
                "need",
                format!("'{text}' is not a staff group, role or skill (like group:gp)"),
            )
        };
        let (kind, value) = text.split_once(':').ok_or_else(bad)?;
        match kind.trim() {
            "group" => StaffGroup::parse(value.trim())
                .map(CoverNeed::Group)
                .ok_or_else(bad),
            "role" => Role::parse(value).map(CoverNeed::Role).map_err(|_| bad()),
            "skill" if !value.trim().is_empty() => {
                Ok(CoverNeed::Skill(value.trim().to_lowercase()))
            }
            _ => Err(bad()),
        }
    }

    /// Whether a person with this role and skills counts towards the need.
    pub fn counts(&self, role: Role, skills: &[String]) -> bool {
        match self {
            CoverNeed::Group(g) => role.staff_group() == *g,
            CoverNeed::Role(r) => role == *r,
            CoverNeed::Skill(s) => skills.iter().any(|k| k.eq_ignore_ascii_case(s)),
        }
    }
}

/// How many people of a kind a site needs in one session of one day of the week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverRequirement {
    pub site_id: String,
    pub weekday: Weekday,
    pub session: Session,
    pub need: CoverNeed,
    /// Fewer is a gap the rota reports.
    pub minimum: u32,
    /// What the manager would like; short of it costs less than short of the minimum.
    pub ideal: u32,
}

/// A cover requirement as typed (the template form, the API, a CSV row).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CoverForm {
    pub site_id: String,
    /// `mon` … `sat` (or the full name).
    pub weekday: String,
    pub session: String,
    pub need: String,
    pub minimum: String,
    pub ideal: String,
}

/// Most people a single cover requirement may ask for.
pub const MAX_COVER: u32 = 60;

impl CoverForm {
    pub fn parse(&self) -> Result<CoverRequirement, FieldErrors> {
        let mut errors = FieldErrors::default();
        let weekday = errors.take(parse_weekday("weekday", &self.weekday));
        let session = errors.take(Session::parse(&self.session));
        let need = errors.take(CoverNeed::parse(&self.need));
        let minimum = errors.take(parse_count("minimum", &self.minimum, MAX_COVER));
        let ideal = if self.ideal.trim().is_empty() {
            minimum
        } else {
            errors.take(parse_count("ideal", &self.ideal, MAX_COVER))
        };
        if let (Some(min), Some(ideal)) = (minimum, ideal)
            && ideal < min
        {
            errors.push(FieldError::new(
                "ideal",
                format!("The ideal ({ideal}) cannot be below the minimum ({min})"),
            ));
        }
        if let (Some(day), Some(session)) = (weekday, session)
            && !session.on(day)
        {
            errors.push(FieldError::new(
                "session",
                format!(
                    "There is no {} session on {}",
                    session.label(),
                    weekday_name(day)
                ),
            ));
        }
        if self.site_id.trim().is_empty() {
            errors.push(FieldError::new("site_id", "Choose a site"));
        }
        errors.into_result()?;
        Ok(CoverRequirement {
            site_id: self.site_id.trim().to_string(),
            weekday: weekday.expect("checked"),
            session: session.expect("checked"),
            need: need.expect("checked"),
            minimum: minimum.expect("checked"),
            ideal: ideal.expect("checked"),
        })
    }
}

/// Days a rota covers: Monday to Saturday.
pub const ROTA_WEEKDAYS: [Weekday; 6] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
];

pub fn weekday_code(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// Parses `mon`, `Monday` or `0` (Monday) to `5` (Saturday).
pub fn parse_weekday(field: &'static str, text: &str) -> Result<Weekday, FieldError> {
    let wanted = text.trim();
    if let Ok(n) = wanted.parse::<usize>()
        && n < ROTA_WEEKDAYS.len()
    {
        return Ok(ROTA_WEEKDAYS[n]);
    }
    ROTA_WEEKDAYS
        .into_iter()
        .chain([Weekday::Sun])
        .find(|d| {
            weekday_code(*d).eq_ignore_ascii_case(wanted)
                || weekday_name(*d).eq_ignore_ascii_case(wanted)
        })
        .ok_or_else(|| FieldError::new(field, format!("'{wanted}' is not a day of the week")))
}

fn parse_count(field: &'static str, text: &str, max: u32) -> Result<u32, FieldError> {
    let text = text.trim();
    match text.parse::<u32>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(FieldError::new(
            field,
            format!("Enter a whole number from 0 to {max}, not '{text}'"),
        )),
    }
}

fn parse_optional_count(
    field: &'static str,
    text: &str,
    max: u32,
) -> Result<Option<u32>, FieldError> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        parse_count(field, text, max).map(Some)
    }
}

/// One person's rota rules beyond their contract's sessions a week.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotaRules {
    /// Sessions worked every week, e.g. Monday AM.
    pub fixed_sessions: Vec<(Weekday, Session)>,
    pub days_never: Vec<Weekday>,
    pub max_evenings_month: Option<u32>,
    pub max_saturdays_month: Option<u32>,
    /// Booked appointments in an ordinary session; `None` for the default.
    pub appointments_per_session: Option<u32>,
    pub appointment_minutes: Option<u32>,
}

impl RotaRules {
    pub fn appointments(&self) -> u32 {
        self.appointments_per_session
            .unwrap_or(DEFAULT_APPOINTMENTS_PER_SESSION)
    }

    /// Fixed sessions as stored: `mon:am;tue:pm`.
    pub fn fixed_text(&self) -> String {
        self.fixed_sessions
            .iter()
            .map(|(d, s)| format!("{}:{}", weekday_code(*d), s.code()))
            .collect::<Vec<_>>()
            .join(";")
    }

    pub fn days_never_text(&self) -> String {
        self.days_never
            .iter()
            .map(|d| weekday_code(*d))
            .collect::<Vec<_>>()
            .join(";")
    }
}

/// A person's rota rules as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RotaRulesForm {
    /// `Monday AM; tue:pm`.
    pub fixed_sessions: String,
    /// `Wednesday; fri`.
    pub days_never: String,
    pub max_evenings_month: String,
    pub max_saturdays_month: String,
    pub appointments_per_session: String,
    pub appointment_minutes: String,
}

impl RotaRulesForm {
    pub fn parse(&self) -> Result<RotaRules, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut fixed = Vec::new();
        for item in split_items(&self.fixed_sessions) {
            let parts: Vec<&str> = item.split([':', ' ']).filter(|p| !p.is_empty()).collect();
            let parsed = match parts.as_slice() {
                [day, session] => parse_weekday("fixed_sessions", day).and_then(|d| {
                    let s = Session::parse(session)
                        .map_err(|e| FieldError::new("fixed_sessions", e.message))?;
                    if s.on(d) {
                        Ok((d, s))
                    } else {
                        Err(FieldError::new(
                            "fixed_sessions",
                            format!("There is no {} session on {}", s.label(), weekday_name(d)),
                        ))
                    }
                }),
                _ => Err(FieldError::new(
                    "fixed_sessions",
                    format!("'{item}' is not a day and session like 'Monday AM'"),
                )),
            };
            if let Some(f) = errors.take(parsed) {
                fixed.push(f);
            }
        }
        fixed.sort_by_key(|(d, s)| (d.num_days_from_monday(), *s));
        fixed.dedup();
        let mut never = Vec::new();
        for item in split_items(&self.days_never) {
            if let Some(d) = errors.take(parse_weekday("days_never", item)) {
                never.push(d);
            }
        }
        never.sort_by_key(|d| d.num_days_from_monday());
        never.dedup();
        for (d, s) in &fixed {
            if never.contains(d) {
                errors.push(FieldError::new(
                    "fixed_sessions",
                    format!(
                        "{} {} is a fixed session but {} is a day never worked",
                        weekday_name(*d),
                        s.label(),
                        weekday_name(*d)
                    ),
                ));
            }
        }
        let evenings = errors.take(parse_optional_count(
            "max_evenings_month",
            &self.max_evenings_month,
            31,
        ));
        let saturdays = errors.take(parse_optional_count(
            "max_saturdays_month",
            &self.max_saturdays_month,
            5,
        ));
        let appointments = errors.take(parse_optional_count(
            "appointments_per_session",
            &self.appointments_per_session,
            60,
        ));
        let minutes = errors.take(parse_optional_count(
            "appointment_minutes",
            &self.appointment_minutes,
            60,
        ));
        if let Some(Some(0)) = minutes {
            errors.push(FieldError::new(
                "appointment_minutes",
                "An appointment lasts at least 1 minute",
            ));
        }
        if let (Some(a), Some(m)) = (appointments.flatten(), minutes.flatten())
            && a * m > MAX_CONSULTING_MINUTES_PER_SESSION
        {
            errors.push(FieldError::new(
                "appointments_per_session",
                format!(
                    "{a} appointments of {m} minutes is {} minutes of consulting in a session, over the safe limit of {MAX_CONSULTING_MINUTES_PER_SESSION}",
                    a * m
                ),
            ));
        } else if let Some(a) = appointments.flatten()
            && minutes.flatten().is_none()
            && a * DEFAULT_APPOINTMENT_MINUTES > MAX_CONSULTING_MINUTES_PER_SESSION
        {
            errors.push(FieldError::new(
                "appointment_minutes",
                format!(
                    "{a} appointments a session need appointments of at most {} minutes to keep consulting within {MAX_CONSULTING_MINUTES_PER_SESSION} minutes: enter the appointment length",
                    MAX_CONSULTING_MINUTES_PER_SESSION / a.max(1)
                ),
            ));
        }
        errors.into_result()?;
        Ok(RotaRules {
            fixed_sessions: fixed,
            days_never: never,
            max_evenings_month: evenings.flatten(),
            max_saturdays_month: saturdays.flatten(),
            appointments_per_session: appointments.flatten(),
            appointment_minutes: minutes.flatten(),
        })
    }

    /// The form showing stored rules.
    pub fn from_rules(rules: &RotaRules) -> RotaRulesForm {
        let n = |v: Option<u32>| v.map(|v| v.to_string()).unwrap_or_default();
        RotaRulesForm {
            fixed_sessions: rules
                .fixed_sessions
                .iter()
                .map(|(d, s)| format!("{} {}", weekday_name(*d), s.label()))
                .collect::<Vec<_>>()
                .join("; "),
            days_never: rules
                .days_never
                .iter()
                .map(|d| weekday_name(*d))
                .collect::<Vec<_>>()
                .join("; "),
            max_evenings_month: n(rules.max_evenings_month),
            max_saturdays_month: n(rules.max_saturdays_month),
            appointments_per_session: n(rules.appointments_per_session),
            appointment_minutes: n(rules.appointment_minutes),
        }
    }
}

fn split_items(text: &str) -> impl Iterator<Item = &str> {
    text.split([';', ',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// What a rota period is: its first day (a Monday) and how many weeks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotaPeriod {
    pub from: chrono::NaiveDate,
    pub weeks: u32,
}

impl RotaPeriod {
    pub fn parse(from: &str, weeks: &str) -> Result<RotaPeriod, FieldErrors> {
        let mut errors = FieldErrors::default();
        let from = errors.take(crate::error::parse_date("from", from));
        if let Some(d) = from
            && d.weekday() != Weekday::Mon
        {
            errors.push(FieldError::new(
                "from",
                format!(
                    "A rota starts on a Monday; {d} is a {}",
                    weekday_name(d.weekday())
                ),
            ));
        }
        let weeks = errors.take(match weeks.trim().parse::<u32>() {
            Ok(w) if (1..=MAX_WEEKS).contains(&w) => Ok(w),
            _ => Err(FieldError::new(
                "weeks",
                format!(
                    "Enter a number of weeks from 1 to {MAX_WEEKS}, not '{}'",
                    weeks.trim()
                ),
            )),
        });
        errors.into_result()?;
        Ok(RotaPeriod {
            from: from.expect("checked"),
            weeks: weeks.expect("checked"),
        })
    }

    pub fn days(&self) -> impl Iterator<Item = chrono::NaiveDate> + '_ {
        (0..self.weeks * 7).map(|i| self.from + chrono::Days::new(u64::from(i)))
    }

    pub fn last_day(&self) -> chrono::NaiveDate {
        self.from + chrono::Days::new(u64::from(self.weeks * 7 - 1))
    }
}

use chrono::Datelike;

/// What a person asks of one session: to work it, or to have it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionWish {
    Work,
    Off,
}

impl SessionWish {
    pub const ALL: [SessionWish; 2] = [SessionWish::Work, SessionWish::Off];

    pub fn code(self) -> &'static str {
        match self {
            SessionWish::Work => "work",
            SessionWish::Off => "off",
        }
    }

    /// In a sentence: "to work", "to have off".
    pub fn label(self) -> &'static str {
        match self {
            SessionWish::Work => "Would like to work it",
            SessionWish::Off => "Would like it off",
        }
    }

    pub fn parse(text: &str) -> Result<SessionWish, FieldError> {
        let wanted = text.trim();
        SessionWish::ALL
            .into_iter()
            .find(|w| w.code().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                FieldError::new(
                    "wish",
                    "Choose whether you would like to work the session or have it off",
                )
            })
    }
}

/// Longest note on a session request.
pub const MAX_SESSION_REQUEST_NOTE: usize = 200;

/// A session request as typed: the date, the session, the wish and a note.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionRequestForm {
    pub date: String,
    pub session: String,
    pub wish: String,
    pub note: String,
}

/// A session request, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRequest {
    pub date: chrono::NaiveDate,
    pub session: Session,
    pub wish: SessionWish,
    pub note: Option<String>,
}

impl SessionRequestForm {
    /// Checks every field at once: a date from `today` on, a session that runs on that day
    /// (Saturday sessions on Saturdays, the others on weekdays), a wish, a short note.
    pub fn parse(&self, today: chrono::NaiveDate) -> Result<SessionRequest, FieldErrors> {
        use chrono::Datelike;
        let mut errors = FieldErrors::default();
        let date = errors.take(if self.date.trim().is_empty() {
            Err(FieldError::new("date", "Enter the date of the session"))
        } else {
            crate::error::parse_date("date", &self.date).and_then(|d| {
                if d < today {
                    Err(FieldError::new("date", "Choose today or a later date"))
                } else {
                    Ok(d)
                }
            })
        });
        let session = errors.take(if self.session.trim().is_empty() {
            Err(FieldError::new("session", "Choose the session"))
        } else {
            Session::parse(&self.session)
        });
        let wish = errors.take(SessionWish::parse(&self.wish));
        if let (Some(d), Some(s)) = (date, session)
            && !s.on(d.weekday())
        {
            errors.push(FieldError::new(
                "session",
                format!(
                    "There is no {} session on a {}",
                    s.label(),
                    weekday_name(d.weekday())
                ),
            ));
        }
        let note = self.note.trim();
        if note.chars().count() > MAX_SESSION_REQUEST_NOTE {
            errors.push(FieldError::new(
                "note",
                format!("Keep the note to {MAX_SESSION_REQUEST_NOTE} characters"),
            ));
        }
        errors.into_result()?;
        Ok(SessionRequest {
            date: date.expect("checked"),
            session: session.expect("checked"),
            wish: wish.expect("checked"),
            note: (!note.is_empty()).then(|| note.to_string()),
        })
    }
}

#[cfg(test)]
#[path = "rota_tests.rs"]
mod tests;
