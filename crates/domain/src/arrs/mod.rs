//! The Additional Roles Reimbursement Scheme (ARRS) in the users' words: financial years,
//! claim months, maximum reimbursable rates (data with a source, never constants), the
//! posts a PCN claims for and the monthly claim arithmetic.
//!
//! The claim for a post in a month is
//! `min(actual salary + employer NI + employer pension, annual maximum × WTE ÷ 12)`, both
//! pro rata for the days of the month in post, × the rate's funding share (NHS England's
//! Network Contract DES; see `docs/design/arrs-ledger.md`).
use crate::error::{FieldError, FieldErrors, parse_date, parse_optional_date, parse_required};
use crate::role::Role;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A financial year, 1 April to 31 March, named by the year it starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FinancialYear(pub i32);

impl FinancialYear {
    /// Parses `2025-26` (also `2025/26`): the second part must follow the first.
    pub fn parse(text: &str) -> Result<FinancialYear, FieldError> {
        let bad = || {
            FieldError::new(
                "year",
                format!(
                    "'{}' is not a financial year like 2025-26",
                    text.trim().chars().take(20).collect::<String>()
                ),
            )
        };
        let (start, end) = text.trim().split_once(['-', '/']).ok_or_else(bad)?;
        let start: i32 = start.parse().map_err(|_| bad())?;
        let end: i32 = end.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&start)
            || end != (start + 1) % 100
            || start.to_string().len() != 4
        {
            return Err(bad());
        }
        Ok(FinancialYear(start))
    }

    /// The year a day falls in.
    pub fn of(day: NaiveDate) -> FinancialYear {
        if day.month() >= 4 {
            FinancialYear(day.year())
        } else {
            FinancialYear(day.year() - 1)
        }
    }

    /// `2025-26`, as in addresses and the API.
    pub fn code(self) -> String {
        format!("{}-{:02}", self.0, (self.0 + 1) % 100)
    }

    /// `2025/26`, as people write it.
    pub fn label(self) -> String {
        format!("{}/{:02}", self.0, (self.0 + 1) % 100)
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 4, 1).expect("1 April exists")
    }

    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0 + 1, 3, 31).expect("31 March exists")
    }

    /// The twelve claim months, April to March.
    pub fn months(self) -> Vec<ClaimMonth> {
        (0..12)
            .map(|i| ClaimMonth::of(self.first_day()).plus(i))
            .collect()
    }

    /// 1 January before the year: the day the PCN's weighted population is taken.
    pub fn population_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.0, 1, 1).expect("1 January exists")
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        FinancialYear::of(day) == self
    }
}

impl fmt::Display for FinancialYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// A calendar month a claim is made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ClaimMonth {
    pub year: i32,
    pub month: u32,
}

impl ClaimMonth {
    /// Parses `2025-07`.
    pub fn parse(text: &str) -> Result<ClaimMonth, FieldError> {
        let text = text.trim();
        let parsed = text.split_once('-').and_then(|(y, m)| {
            let (year, month) = (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?);
            (y.len() == 4 && m.len() == 2 && (1..=12).contains(&month))
                .then_some(ClaimMonth { year, month })
        });
        parsed.ok_or_else(|| {
            FieldError::new(
                "month",
                format!(
                    "'{}' is not a month like 2025-07",
                    text.chars().take(20).collect::<String>()
                ),
            )
        })
    }

    pub fn of(day: NaiveDate) -> ClaimMonth {
        ClaimMonth {
            year: day.year(),
            month: day.month(),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    pub fn last_day(self) -> NaiveDate {
        self.plus(1).first_day().pred_opt().expect("a day before")
    }

    pub fn days(self) -> i64 {
        (self.last_day() - self.first_day()).num_days() + 1
    }

    pub fn plus(self, months: i32) -> ClaimMonth {
        let index = self.year * 12 + self.month as i32 - 1 + months;
        ClaimMonth {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }

    pub fn financial_year(self) -> FinancialYear {
        FinancialYear::of(self.first_day())
    }

    /// 1 for April … 12 for March.
    pub fn month_of_year(self) -> u32 {
        (self.month + 8) % 12 + 1
    }

    /// `July 2025`.
    pub fn label(self) -> String {
        self.first_day().format("%B %Y").to_string()
    }
}

impl fmt::Display for ClaimMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Where the post works, for London weighting (high-cost area supplement).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Area {
    National,
    OuterLondon,
    InnerLondon,
}

impl Area {
    pub const ALL: [Area; 3] = [Area::National, Area::OuterLondon, Area::InnerLondon];

    pub fn code(self) -> &'static str {
        match self {
            Area::National => "national",
            Area::OuterLondon => "outer_london",
            Area::InnerLondon => "inner_london",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Area::National => "National (outside London)",
            Area::OuterLondon => "Outer London",
            Area::InnerLondon => "Inner London",
        }
    }

    pub fn parse(text: &str) -> Result<Area, FieldError> {
        let t = text.trim();
        Area::ALL
            .into_iter()
            .find(|a| a.code().eq_ignore_ascii_case(t) || a.label().eq_ignore_ascii_case(t))
            .ok_or_else(|| {
                FieldError::new(
                    "area",
                    "Choose national, outer London or inner London".to_string(),
                )
            })
    }
}

/// How the person is engaged by the PCN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Engagement {
    Employed,
    Subcontracted,
    /// Employed by the mental health trust and deployed to the PCN (joint funding).
    MentalHealthTrust,
}

impl Engagement {
    pub const ALL: [Engagement; 3] = [
        Engagement::Employed,
        Engagement::Subcontracted,
        Engagement::MentalHealthTrust,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Engagement::Employed => "employed",
            Engagement::Subcontracted => "subcontracted",
            Engagement::MentalHealthTrust => "mental_health_trust",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Engagement::Employed => "Employed",
            Engagement::Subcontracted => "Subcontracted",
            Engagement::MentalHealthTrust => "Mental health trust",
        }
    }

    pub fn parse(text: &str) -> Result<Engagement, FieldError> {
        let t = text.trim();
        Engagement::ALL
            .into_iter()
            .find(|e| e.code().eq_ignore_ascii_case(t) || e.label().eq_ignore_ascii_case(t))
            .ok_or_else(|| {
                FieldError::new(
                    "engagement",
                    "Choose employed, subcontracted or mental health trust",
                )
            })
    }
}

/// A maximum reimbursable amount as stored: one version of one role, band and area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub id: String,
    pub role: Role,
    /// Agenda for Change band as the source gives it (`7–8a`, `5`), or empty.
    pub band: String,
    pub area: Area,
    /// £ a WTE a year, employer NI and pension included.
    pub annual_max: f64,
    /// The part of the cost ARRS pays: 1 for most roles, 0.5 for a jointly funded mental
    /// health practitioner.
    pub share: f64,
    pub effective_from: NaiveDate,
    pub source: String,
    /// When this version was recorded: a later version of the same role, band, area and
    /// day replaces an earlier one.
    pub created_at: String,
}

/// A rate as typed by an administrator.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RateForm {
    pub role: String,
    pub band: String,
    pub area: String,
    pub annual_max: String,
    pub share: String,
    pub effective_from: String,
    pub source: String,
}

/// A checked rate, ready to store as a new version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateDraft {
    pub role: Role,
    pub band: String,
    pub area: Area,
    pub annual_max: f64,
    pub share: f64,
    pub effective_from: NaiveDate,
    pub source: String,
}

/// Parses an amount of money, allowing `£` and thousands commas.
pub fn parse_money(field: &'static str, label: &str, text: &str) -> Result<f64, FieldError> {
    let cleaned = text.trim().replace([',', '£'], "");
    if cleaned.is_empty() {
        return Err(FieldError::new(field, format!("Enter {label}")));
    }
    match cleaned.parse::<f64>() {
        Ok(v) if (0.0..10_000_000.0).contains(&v) => Ok(v),
        _ => Err(FieldError::new(
            field,
            format!(
                "'{}' is not an amount in pounds like 3,250.00",
                text.trim().chars().take(20).collect::<String>()
            ),
        )),
    }
}

impl RateForm {
    pub fn parse(&self) -> Result<RateDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let role = errors.take(Role::parse(&self.role));
        let band = self.band.trim().to_string();
        if band.chars().count() > 20 || band.chars().any(char::is_control) {
            errors.push(FieldError::new(
                "band",
                "The band must be at most 20 characters",
            ));
        }
        let area = errors.take(Area::parse(&self.area));
        let annual_max = errors.take(
            parse_money("annual_max", "the maximum a WTE a year", &self.annual_max).and_then(|v| {
                if v > 0.0 {
                    Ok(v)
                } else {
                    Err(FieldError::new(
                        "annual_max",
                        "The maximum must be more than £0",
                    ))
                }
            }),
        );
        let share = if self.share.trim().is_empty() {
            Some(1.0)
        } else {
            errors.take(parse_share(&self.share))
        };
        let effective_from = if self.effective_from.trim().is_empty() {
            errors.push(FieldError::new(
                "effective_from",
                "Enter the date the rate takes effect, like 2025-04-01",
            ));
            None
        } else {
            errors.take(parse_date("effective_from", &self.effective_from))
        };
        let source = errors.take(parse_required(
            "source",
            "the source of the rate (a document or page and its date)",
            &self.source,
            500,
        ));
        errors.clone().into_result()?;
        Ok(RateDraft {
            role: role.expect("checked"),
            band,
            area: area.expect("checked"),
            annual_max: annual_max.expect("checked"),
            share: share.expect("checked"),
            effective_from: effective_from.expect("checked"),
            source: source.expect("checked"),
        })
    }
}

/// A funding share typed as `0.5` or `50%`.
fn parse_share(text: &str) -> Result<f64, FieldError> {
    let t = text.trim();
    let value = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|v| v / 100.0),
        None => t.parse::<f64>(),
    };
    match value {
        Ok(v) if v > 0.0 && v <= 1.0 => Ok(v),
        _ => Err(FieldError::new(
            "share",
            "The funding share must be above 0 and at most 100%, like 50% or 0.5",
        )),
    }
}

/// The rate in force for a role, band and area in a month: the version with the latest
/// effective date on or before the month's first day and within the month's financial year
/// (a year without rates of its own is missing, never filled from an earlier year), the
/// latest recorded when two share a day. An empty `band` matches the role's only band.
pub fn rate_for<'a>(
    rates: &'a [Rate],
    role: Role,
    band: &str,
    area: Area,
    month: ClaimMonth,
) -> Option<&'a Rate> {
    let year = month.financial_year();
    let candidates: Vec<&Rate> = rates
        .iter()
        .filter(|r| r.role == role && r.area == area)
        .filter(|r| r.effective_from <= month.first_day() && year.contains(r.effective_from))
        .collect();
    let band = band.trim();
    let matching: Vec<&Rate> = if band.is_empty() {
        let mut bands: Vec<&str> = candidates.iter().map(|r| r.band.as_str()).collect();
        bands.sort();
        bands.dedup();
        if bands.len() > 1 {
            return None;
        }
        candidates
    } else {
        candidates
            .into_iter()
            .filter(|r| r.band.eq_ignore_ascii_case(band))
            .collect()
    };
    matching
        .into_iter()
        .max_by(|a, b| (a.effective_from, &a.created_at).cmp(&(b.effective_from, &b.created_at)))
}

/// An ARRS post: the register's person with what the claim needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    pub staff_id: String,
    pub name: String,
    pub role: Role,
    pub band: String,
    pub wte: f64,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// The employing organisation's code (a member practice or the PCN).
    pub employer: String,
    pub engagement: Engagement,
    /// Actual pay for a whole month at this WTE.
    pub monthly_salary: f64,
    pub employer_ni: f64,
    pub employer_pension: f64,
    /// When the person last held a post in the PCN or a member practice (for additionality).
    pub previous_post_ended: Option<NaiveDate>,
}

impl Post {
    pub fn monthly_cost(&self) -> f64 {
        self.monthly_salary + self.employer_ni + self.employer_pension
    }

    /// Days of the month the person is in post (0 when not at all).
    pub fn days_in_post(&self, month: ClaimMonth) -> i64 {
        let from = self.start.max(month.first_day());
        let to = match self.end {
            Some(end) => end.min(month.last_day()),
            None => month.last_day(),
        };
        ((to - from).num_days() + 1).max(0)
    }
}

/// A post as typed in the form or a CSV row: all text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PostForm {
    pub band: String,
    /// Contracted hours a week (WTE = hours ÷ 37.5); or
    pub hours_per_week: String,
    /// GP sessions a week (WTE = sessions ÷ 9); or the WTE itself.
    pub gp_sessions: String,
    pub wte: String,
    pub engagement: String,
    pub monthly_salary: String,
    pub employer_ni: String,
    pub employer_pension: String,
    pub previous_post_ended: String,
}

/// The checked ARRS terms of a post (the rest comes from the register).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostTerms {
    pub band: String,
    pub wte: f64,
    pub engagement: Engagement,
    pub monthly_salary: f64,
    pub employer_ni: f64,
    pub employer_pension: f64,
    pub previous_post_ended: Option<NaiveDate>,
}

/// Hours a week in one whole-time equivalent.
pub const HOURS_PER_WTE: f64 = 37.5;
/// GP sessions a week in one whole-time equivalent.
pub const GP_SESSIONS_PER_WTE: f64 = 9.0;

impl PostForm {
    /// Checks every field; `register_wte` is used when no hours, sessions or WTE are given.
    pub fn parse(&self, register_wte: f64) -> Result<PostTerms, FieldErrors> {
        let mut errors = FieldErrors::default();
        let band = self.band.trim().to_string();
        if band.chars().count() > 20 || band.chars().any(char::is_control) {
            errors.push(FieldError::new(
                "band",
                "The band must be at most 20 characters",
            ));
        }
        let number = |field: &'static str, label: &str, text: &str| {
            text.trim().parse::<f64>().map_err(|_| {
                FieldError::new(
                    field,
                    format!(
                        "'{}' is not a number of {label}",
                        text.trim().chars().take(20).collect::<String>()
                    ),
                )
            })
        };
        let (wte_field, wte) = if !self.hours_per_week.trim().is_empty() {
            (
                "hours_per_week",
                number("hours_per_week", "hours", &self.hours_per_week).map(|h| h / HOURS_PER_WTE),
            )
        } else if !self.gp_sessions.trim().is_empty() {
            (
                "gp_sessions",
                number("gp_sessions", "sessions", &self.gp_sessions)
                    .map(|s| s / GP_SESSIONS_PER_WTE),
            )
        } else if !self.wte.trim().is_empty() {
            ("wte", number("wte", "WTE", &self.wte))
        } else {
            ("wte", Ok(register_wte))
        };
        let wte = errors.take(wte.and_then(|w| {
            if w > 0.0 && w <= crate::staff::MAX_WTE && w.is_finite() {
                Ok((w * 10_000.0).round() / 10_000.0)
            } else {
                Err(FieldError::new(
                    wte_field,
                    format!(
                        "The WTE must be more than 0 and at most 1.5 (37.5 hours or 9 GP sessions are 1 WTE), not {}",
                        crate::staff::format_number((w * 100.0).round() / 100.0)
                    ),
                ))
            }
        }));
        let engagement = errors.take(Engagement::parse(&self.engagement));
        let salary = errors.take(
            parse_money(
                "monthly_salary",
                "the actual monthly salary",
                &self.monthly_salary,
            )
            .and_then(|v| {
                if v > 0.0 {
                    Ok(v)
                } else {
                    Err(FieldError::new(
                        "monthly_salary",
                        "The monthly salary must be more than £0",
                    ))
                }
            }),
        );
        let ni = errors.take(parse_money(
            "employer_ni",
            "the employer's National Insurance a month (0 if none)",
            &self.employer_ni,
        ));
        let pension = errors.take(parse_money(
            "employer_pension",
            "the employer's pension contribution a month (0 if none)",
            &self.employer_pension,
        ));
        let previous = errors.take(parse_optional_date(
            "previous_post_ended",
            &self.previous_post_ended,
        ));
        errors.clone().into_result()?;
        Ok(PostTerms {
            band,
            wte: wte.expect("checked"),
            engagement: engagement.expect("checked"),
            monthly_salary: salary.expect("checked"),
            employer_ni: ni.expect("checked"),
            employer_pension: pension.expect("checked"),
            previous_post_ended: previous.expect("checked"),
        })
    }
}

/// Rounds to whole pence.
pub fn pence(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// One post's claim for one month, with every figure the claim line shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthClaim {
    pub month: ClaimMonth,
    pub days_in_post: i64,
    pub days_in_month: i64,
    /// Salary + employer NI + employer pension, pro rata for the days in post.
    pub actual_cost: f64,
    /// The rate's annual maximum (£ a WTE a year).
    pub annual_max: f64,
    /// Annual maximum × WTE ÷ 12, pro rata for the days in post.
    pub maximum: f64,
    pub share: f64,
    pub claim: f64,
}

/// The claim for a post in a month under a rate. A month the person is not in post at all
/// (before the start or after the end date) is refused, naming the month.
pub fn month_claim(post: &Post, month: ClaimMonth, rate: &Rate) -> Result<MonthClaim, FieldError> {
    let days = post.days_in_post(month);
    if days == 0 {
        let dates = match post.end {
            Some(end) => format!("from {} to {}", post.start, end),
            None => format!("from {}", post.start),
        };
        return Err(FieldError::new(
            "month",
            format!(
                "{} is not in post in {} (in post {dates})",
                post.name,
                month.label()
            ),
        ));
    }
    let fraction = days as f64 / month.days() as f64;
    let actual_cost = pence(post.monthly_cost() * fraction);
    let maximum = pence(rate.annual_max * post.wte / 12.0 * fraction);
    Ok(MonthClaim {
        month,
        days_in_post: days,
        days_in_month: month.days(),
        actual_cost,
        annual_max: rate.annual_max,
        maximum,
        share: rate.share,
        claim: pence(actual_cost.min(maximum) * rate.share),
    })
}

/// What a month already submitted should have claimed under a later rate, from the
/// figures frozen in its line (actual cost, WTE, days): the difference is claimed as a
/// backdated line in the next draft, and the submitted month is left as it was.
pub fn backdated_difference(
    actual_cost: f64,
    wte: f64,
    days_in_post: i64,
    days_in_month: i64,
    already_claimed: f64,
    rate: &Rate,
) -> f64 {
    let fraction = days_in_post as f64 / days_in_month.max(1) as f64;
    let maximum = pence(rate.annual_max * wte / 12.0 * fraction);
    pence(actual_cost.min(maximum) * rate.share - already_claimed)
}

/// Warnings about the year's forecast. From the sixth month of the year (September) on,
/// a forecast leaving more than 5% of the sum unclaimed, or passing the sum, is named.
pub fn forecast_warnings(
    year: FinancialYear,
    sum: f64,
    forecast: f64,
    today: NaiveDate,
) -> Vec<String> {
    let mut out = Vec::new();
    if sum <= 0.0 || today < ClaimMonth::of(year.first_day()).plus(5).first_day() {
        return out;
    }
    let unclaimed = sum - forecast;
    if unclaimed > 0.05 * sum {
        out.push(format!(
            "At this rate {} of {} goes unclaimed on 31 March {}.",
            money(unclaimed),
            money(sum),
            year.0 + 1
        ));
    }
    if forecast > sum {
        out.push(format!(
            "The forecast claims {} exceed the sum of {} by {}: the excess is the PCN's own cost.",
            money(forecast),
            money(sum),
            money(forecast - sum)
        ));
    }
    out
}

/// Roles the 2025/26 additionality rule for new nursing roles and healthcare support
/// workers covers.
fn new_nursing_role(role: Role) -> bool {
    matches!(
        role,
        Role::PracticeNurse | Role::HealthcareAssistant | Role::AdvancedNursePractitioner
    )
}

/// Additionality flags for a post (research §1.6): from 2025/26 a nursing post or a
/// healthcare support worker is not reimbursable when the person held a post in the PCN or
/// a member practice in the 12 months before starting (unless recruited to a specialist or
/// more senior nursing role, which the manager confirms).
pub fn additionality_flags(post: &Post, year: FinancialYear) -> Vec<String> {
    let mut out = Vec::new();
    if year.0 >= 2025
        && new_nursing_role(post.role)
        && let Some(ended) = post.previous_post_ended
        && ended < post.start
        && post.start <= ended + chrono::Months::new(12)
    {
        out.push(format!(
            "{} ({}) held a post in the PCN or a member practice until {}, within 12 months of starting on {}: from 2025/26 this post is not reimbursable unless it is a specialist or more senior nursing role.",
            post.name,
            post.role.label(),
            ended,
            post.start
        ));
    }
    out
}

/// Pounds with thousands separators and pence: £12,345.67.
pub fn money(value: f64) -> String {
    let negative = value < 0.0;
    let pence_total = (value.abs() * 100.0).round() as i64;
    let pounds = (pence_total / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in pounds.chars().enumerate() {
        if i > 0 && (pounds.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!(
        "{}£{grouped}.{:02}",
        if negative { "-" } else { "" },
        pence_total % 100
    )
}

#[cfg(test)]
mod tests;
