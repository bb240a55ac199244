//! Annual leave entitlements and balances, worked in hours so part-time contracts come out
//! right (the NHS Agenda for Change way, section 13):
//!
//! - A full-time entitlement is a number of days a year (the practice's setting, 27 by
//!   default) plus the bank holidays of the leave year that fall Monday to Friday, at 7.5
//!   hours a day. A person's entitlement is that × their WTE × the share of the leave year
//!   they are employed (starters and leavers), rounded up to the half hour.
//! - Bank holidays come out of the entitlement only when they fall on a day the person
//!   works (a part-timer who never works Fridays keeps the hours of a Good Friday).
//! - A day of annual leave uses the hours of the person's working day (their weekly hours
//!   over their working days), on working days that are not bank holidays.
//! - Unused hours carry over to the next leave year up to the practice's cap (in full-time
//!   days, pro rata to WTE).
//!
//! Pure: the bank holidays come in as a list (the app passes the England and Wales
//! calendar of `analytics::calendar`).
use crate::error::{FieldError, FieldErrors};
use crate::leave::LeaveStatus;
use crate::words::plural_f;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// Hours of a full-time week and day (NHS Agenda for Change).
pub const FULL_TIME_WEEK_HOURS: f64 = 37.5;
pub const FULL_TIME_DAY_HOURS: f64 = 7.5;
/// Days of annual leave a year for a full-time contract, bank holidays not included: the
/// Agenda for Change entitlement on joining.
pub const DEFAULT_FULL_TIME_DAYS: f64 = 27.0;
/// Full-time days that may be carried into the next leave year by default.
pub const DEFAULT_CARRY_OVER_DAYS: f64 = 5.0;
/// The NHS leave year starts on 1 April by default.
pub const DEFAULT_YEAR_START_MONTH: u32 = 4;
/// More than this many days a year is not a plausible entitlement.
pub const MAX_FULL_TIME_DAYS: f64 = 60.0;

/// How a practice shows leave: in days of the person's working day, or in hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveUnit {
    Days,
    Hours,
}

impl LeaveUnit {
    pub fn code(self) -> &'static str {
        match self {
            LeaveUnit::Days => "days",
            LeaveUnit::Hours => "hours",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LeaveUnit::Days => "Days",
            LeaveUnit::Hours => "Hours",
        }
    }

    pub fn parse(text: &str) -> Result<LeaveUnit, FieldError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "days" | "day" => Ok(LeaveUnit::Days),
            "hours" | "hour" => Ok(LeaveUnit::Hours),
            other => Err(FieldError::new(
                "unit",
                format!("'{other}' is not a unit of leave: choose days or hours"),
            )),
        }
    }
}

/// A practice's (or a PCN's, for the staff it employs) leave rules.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LeavePolicy {
    /// The month the leave year starts (1 = January).
    pub year_start_month: u32,
    /// Annual leave days a year for full time, bank holidays not included.
    pub full_time_days: f64,
    /// Full-time days that may be carried over, pro rata to WTE.
    pub carry_over_days: f64,
    pub unit: LeaveUnit,
}

impl Default for LeavePolicy {
    fn default() -> Self {
        LeavePolicy {
            year_start_month: DEFAULT_YEAR_START_MONTH,
            full_time_days: DEFAULT_FULL_TIME_DAYS,
            carry_over_days: DEFAULT_CARRY_OVER_DAYS,
            unit: LeaveUnit::Days,
        }
    }
}

impl LeavePolicy {
    pub fn year_of(&self, day: NaiveDate) -> LeaveYear {
        LeaveYear::containing(day, self.year_start_month)
    }

    /// Hours that may be carried over by someone on `wte`.
    pub fn carry_over_cap_hours(&self, wte: f64) -> f64 {
        self.carry_over_days * FULL_TIME_DAY_HOURS * wte
    }
}

/// The leave rules as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LeavePolicyForm {
    pub year_start_month: String,
    pub full_time_days: String,
    pub carry_over_days: String,
    pub unit: String,
}

pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn parse_days(field: &'static str, what: &str, text: &str, max: f64) -> Result<f64, FieldError> {
    let text = text.trim();
    let value: f64 = text.parse().map_err(|_| {
        FieldError::new(field, format!("Enter {what} as a number of days, like 27"))
    })?;
    if !value.is_finite() || !(0.0..=max).contains(&value) || (value * 2.0).fract() != 0.0 {
        return Err(FieldError::new(
            field,
            format!("Enter {what} as whole or half days from 0 to {max}, not {text}"),
        ));
    }
    Ok(value)
}

impl LeavePolicyForm {
    pub fn of(policy: &LeavePolicy) -> LeavePolicyForm {
        LeavePolicyForm {
            year_start_month: policy.year_start_month.to_string(),
            full_time_days: crate::staff::format_number(policy.full_time_days),
            carry_over_days: crate::staff::format_number(policy.carry_over_days),
            unit: policy.unit.code().to_string(),
        }
    }

    pub fn parse(&self) -> Result<LeavePolicy, FieldErrors> {
        let mut errors = FieldErrors::default();
        let month = self.year_start_month.trim();
        let month = match month.parse::<u32>().ok().filter(|m| (1..=12).contains(m)) {
            Some(m) => Some(m),
            None => MONTH_NAMES
                .iter()
                .position(|name| name.eq_ignore_ascii_case(month))
                .map(|i| i as u32 + 1)
                .or_else(|| {
                    errors.push(FieldError::new(
                        "year_start_month",
                        format!("'{month}' is not a month: choose the month the leave year starts"),
                    ));
                    None
                }),
        };
        let days = errors.take(parse_days(
            "full_time_days",
            "the full-time entitlement",
            &self.full_time_days,
            MAX_FULL_TIME_DAYS,
        ));
        let carry = errors.take(parse_days(
            "carry_over_days",
            "the days that may be carried over",
            &self.carry_over_days,
            MAX_FULL_TIME_DAYS,
        ));
        let unit = errors.take(LeaveUnit::parse(&self.unit));
        errors.into_result()?;
        Ok(LeavePolicy {
            year_start_month: month.expect("checked"),
            full_time_days: days.expect("checked"),
            carry_over_days: carry.expect("checked"),
            unit: unit.expect("checked"),
        })
    }
}

/// A leave year: from the first of its start month to the day before the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaveYear {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl LeaveYear {
    /// The leave year holding `day` when leave years start in `start_month`.
    pub fn containing(day: NaiveDate, start_month: u32) -> LeaveYear {
        let start_month = start_month.clamp(1, 12);
        let year = if day.month() >= start_month {
            day.year()
        } else {
            day.year() - 1
        };
        LeaveYear::starting(year, start_month)
    }

    fn starting(year: i32, month: u32) -> LeaveYear {
        let start = NaiveDate::from_ymd_opt(year, month, 1).expect("a valid date");
        let next = NaiveDate::from_ymd_opt(year + 1, month, 1).expect("a valid date");
        LeaveYear {
            start,
            end: next - Duration::days(1),
        }
    }

    pub fn previous(self) -> LeaveYear {
        LeaveYear::starting(self.start.year() - 1, self.start.month())
    }

    /// Calendar days in the year (365 or 366).
    pub fn days(self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    pub fn label(self) -> String {
        format!(
            "{} to {}",
            self.start.format("%-d %B %Y"),
            self.end.format("%-d %B %Y")
        )
    }
}

/// The working week of someone who never works `days_never` (from their rota rules):
/// Monday to Friday without those days, or all of Monday to Friday if that leaves none.
pub fn working_days(days_never: &[Weekday]) -> Vec<Weekday> {
    let week = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
    ];
    let days: Vec<Weekday> = week
        .into_iter()
        .filter(|d| !days_never.contains(d))
        .collect();
    if days.is_empty() { week.to_vec() } else { days }
}

/// Days of annual leave from `start` to `end` (both included): the days someone working
/// `working_days` works that are not bank holidays.
pub fn leave_days(
    working_days: &[Weekday],
    bank_holidays: &[NaiveDate],
    start: NaiveDate,
    end: NaiveDate,
) -> u32 {
    let mut day = start;
    let mut n = 0;
    while day <= end {
        let works = if working_days.is_empty() {
            day.weekday().num_days_from_monday() < 5
        } else {
            working_days.contains(&day.weekday())
        };
        if works && !bank_holidays.contains(&day) {
            n += 1;
        }
        day += Duration::days(1);
    }
    n
}

/// What a balance is worked from for one person.
#[derive(Debug, Clone, PartialEq)]
pub struct LeavePerson {
    pub wte: f64,
    /// The weekdays they work (see [`working_days`]).
    pub working_days: Vec<Weekday>,
    pub employed_from: NaiveDate,
    pub employed_to: Option<NaiveDate>,
    /// Full-time days a year, bank holidays not included (the policy's or their own).
    pub full_time_days: f64,
    /// Hours carried in from the previous leave year.
    pub carried_over_hours: f64,
}

/// One stretch of annual leave and where it stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeaveSpan {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub status: LeaveStatus,
}

/// A person's annual leave for one leave year, in hours.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaveBalance {
    pub year: LeaveYear,
    /// Hours of the person's working day.
    pub day_hours: f64,
    /// Weekly hours (37.5 × WTE).
    pub week_hours: f64,
    /// Annual leave and bank holidays for the year, pro rata.
    pub entitlement_hours: f64,
    pub carried_over_hours: f64,
    /// Bank holidays falling on the person's working days while employed this year.
    pub bank_holiday_hours: f64,
    pub bank_holidays_worked_days: u32,
    /// Approved annual leave up to and including today.
    pub taken_hours: f64,
    /// Approved annual leave after today.
    pub booked_hours: f64,
    /// Annual leave asked for and waiting for a decision.
    pub requested_hours: f64,
    /// Entitlement + carried over − bank holidays − taken − booked (negative: taken more
    /// than is due, e.g. a leaver).
    pub remaining_hours: f64,
    /// The share of the year's leave (without bank holidays) due by today.
    pub due_by_now_hours: f64,
    pub behind_by_hours: f64,
    /// A working week or more behind the leave due by now.
    pub behind: bool,
}

fn round_up_half_hour(hours: f64) -> f64 {
    // Agenda for Change rounds a pro rata entitlement up to the nearest half hour; the
    // small tolerance keeps 166.5 from becoming 167 through floating-point noise.
    ((hours * 2.0) - 1e-9).ceil() / 2.0
}

fn round2(hours: f64) -> f64 {
    (hours * 100.0).round() / 100.0
}

/// Works out a person's balance for `year` on `today`. `bank_holidays` may hold any days
/// (only those in the year count); `leave` is the person's annual leave of any status.
pub fn balance(
    year: LeaveYear,
    person: &LeavePerson,
    bank_holidays: &[NaiveDate],
    leave: &[LeaveSpan],
    today: NaiveDate,
) -> LeaveBalance {
    let week_hours = FULL_TIME_WEEK_HOURS * person.wte;
    let days = if person.working_days.is_empty() {
        5
    } else {
        person.working_days.len()
    };
    let day_hours = week_hours / days as f64;
    let works = |d: NaiveDate| {
        if person.working_days.is_empty() {
            d.weekday().num_days_from_monday() < 5
        } else {
            person.working_days.contains(&d.weekday())
        }
    };
    let from = person.employed_from.max(year.start);
    let to = person.employed_to.unwrap_or(year.end).min(year.end);
    let employed_days = ((to - from).num_days() + 1).max(0);
    let weekday_holidays = bank_holidays
        .iter()
        .filter(|d| year.start <= **d && **d <= year.end && d.weekday().num_days_from_monday() < 5)
        .count() as f64;
    let entitlement_hours = if employed_days == 0 {
        0.0
    } else {
        round_up_half_hour(
            (person.full_time_days + weekday_holidays)
                * FULL_TIME_DAY_HOURS
                * person.wte
                * employed_days as f64
                / year.days() as f64,
        )
    };
    let carried_over_hours = if employed_days == 0 {
        0.0
    } else {
        person.carried_over_hours
    };
    let bank_holidays_worked_days = bank_holidays
        .iter()
        .filter(|d| from <= **d && **d <= to && works(**d))
        .count() as u32;
    let bank_holiday_hours = bank_holidays_worked_days as f64 * day_hours;
    let (mut taken, mut booked, mut requested) = (0.0, 0.0, 0.0);
    for span in leave {
        let bucket = match span.status {
            LeaveStatus::Approved => None,
            LeaveStatus::Requested => Some(&mut requested),
            LeaveStatus::Refused | LeaveStatus::Cancelled => continue,
        };
        let hours = |first: NaiveDate, last: NaiveDate| {
            let first = first.max(span.start).max(from);
            let last = last.min(span.end).min(to);
            leave_days(&person.working_days, bank_holidays, first, last) as f64 * day_hours
        };
        match bucket {
            Some(requested) => *requested += hours(from, to),
            None => {
                taken += hours(from, today);
                booked += hours(today + Duration::days(1), to);
            }
        }
    }
    let to_take = entitlement_hours + carried_over_hours - bank_holiday_hours;
    let elapsed = ((today.min(to) - from).num_days() + 1).clamp(0, employed_days.max(0));
    let due_by_now = if employed_days > 0 {
        to_take.max(0.0) * elapsed as f64 / employed_days as f64
    } else {
        0.0
    };
    let behind_by = (due_by_now - taken).max(0.0);
    LeaveBalance {
        year,
        day_hours: round2(day_hours),
        week_hours: round2(week_hours),
        entitlement_hours,
        carried_over_hours: round2(carried_over_hours),
        bank_holiday_hours: round2(bank_holiday_hours),
        bank_holidays_worked_days,
        taken_hours: round2(taken),
        booked_hours: round2(booked),
        requested_hours: round2(requested),
        remaining_hours: round2(to_take - taken - booked),
        due_by_now_hours: round2(due_by_now),
        behind_by_hours: round2(behind_by),
        behind: week_hours > 0.0 && behind_by >= week_hours - 1e-9,
    }
}

/// Hours that carry into the next leave year: what was left, never below zero, at most
/// the cap.
pub fn carry_over(remaining_hours: f64, cap_hours: f64) -> f64 {
    round2(remaining_hours.clamp(0.0, cap_hours.max(0.0)))
}

impl LeaveBalance {
    /// An amount of hours in the unit the practice uses: "12.5 days", "1 day", "7.5 hours".
    pub fn text(&self, hours: f64, unit: LeaveUnit) -> String {
        amount_text(hours, self.day_hours, unit)
    }

    /// The same in the unit without the count's noun, for tables ("12.5").
    pub fn figure(&self, hours: f64, unit: LeaveUnit) -> f64 {
        amount(hours, self.day_hours, unit)
    }
}

/// Hours in the unit: days of `day_hours` (to a tenth) or hours (to a hundredth).
pub fn amount(hours: f64, day_hours: f64, unit: LeaveUnit) -> f64 {
    match unit {
        LeaveUnit::Days if day_hours > 0.0 => (hours / day_hours * 10.0).round() / 10.0,
        LeaveUnit::Days => 0.0,
        LeaveUnit::Hours => round2(hours),
    }
}

pub fn amount_text(hours: f64, day_hours: f64, unit: LeaveUnit) -> String {
    let n = amount(hours, day_hours, unit);
    match unit {
        LeaveUnit::Days => plural_f(n, "day", "days"),
        LeaveUnit::Hours => plural_f(n, "hour", "hours"),
    }
}

/// A person's own entitlement as a manager typed it: empty fields follow the policy
/// (full-time days) or the previous year (carried over).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EntitlementForm {
    /// Full-time days a year, bank holidays not included (e.g. 29 after five years).
    pub full_time_days: String,
    /// Carried over into this leave year, in the practice's unit.
    pub carried_over: String,
}

/// A checked entitlement: `None` follows the policy or the previous year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EntitlementDraft {
    pub full_time_days: Option<f64>,
    pub carried_over_hours: Option<f64>,
}

impl EntitlementForm {
    /// Checks the form for someone whose working day is `day_hours` long and who may carry
    /// over at most `cap_hours`.
    pub fn parse(
        &self,
        unit: LeaveUnit,
        day_hours: f64,
        cap_hours: f64,
    ) -> Result<EntitlementDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let days = if self.full_time_days.trim().is_empty() {
            Some(None)
        } else {
            errors.take(
                parse_days(
                    "full_time_days",
                    "the full-time entitlement",
                    &self.full_time_days,
                    MAX_FULL_TIME_DAYS,
                )
                .map(Some),
            )
        };
        let text = self.carried_over.trim();
        let carried = if text.is_empty() {
            Some(None)
        } else {
            match text.parse::<f64>() {
                Ok(n) if n.is_finite() && n >= 0.0 => {
                    let hours = match unit {
                        LeaveUnit::Days => n * day_hours,
                        LeaveUnit::Hours => n,
                    };
                    if hours > cap_hours + 1e-6 {
                        errors.push(FieldError::new(
                            "carried_over",
                            format!(
                                "At most {} can be carried over (the practice's cap, pro rata), not {text}",
                                amount_text(cap_hours, day_hours, unit)
                            ),
                        ));
                        None
                    } else {
                        Some(Some(round2(hours)))
                    }
                }
                _ => {
                    errors.push(FieldError::new(
                        "carried_over",
                        format!(
                            "Enter the leave carried over as a number of {}, like 2.5",
                            unit.code()
                        ),
                    ));
                    None
                }
            }
        };
        errors.into_result()?;
        Ok(EntitlementDraft {
            full_time_days: days.expect("checked"),
            carried_over_hours: carried.expect("checked"),
        })
    }
}

#[cfg(test)]
mod tests;
