//! Safe capacity from the team, practice demand from the area's rate, and the gap.
//!
//! Defaults follow the BMA's safe-working guidance: 15-minute appointments and at most
//! 3 hours of consulting in a 4 h 10 min session (12 appointments a session), and at most
//! 25 contacts a GP a day. A practice can change appointments a session per staff group.
use crate::calendar::{Month, is_working_day};
use crate::clinicians::ClinicianType;
pub use crate::clinicians::{GP, OTHER_STAFF};
use chrono::NaiveDate;
use domain::role::StaffGroup;
use serde::Serialize;
use std::collections::BTreeMap;

/// The GPAD HCP type a staff group's appointments are counted under; none for admin staff.
pub fn hcp_type(group: StaffGroup) -> Option<&'static str> {
    match group {
        StaffGroup::Gp => Some(GP),
        StaffGroup::Nurses | StaffGroup::DirectPatientCare => Some(OTHER_STAFF),
        StaffGroup::AdminNonClinical => None,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityRules {
    /// Appointments a session by staff group.
    pub per_session: BTreeMap<StaffGroup, f64>,
    /// Most patient contacts a GP a day.
    pub gp_daily_limit: f64,
}

/// 3 hours of consulting a session in 15-minute appointments.
pub const SAFE_APPOINTMENTS_PER_SESSION: f64 = 12.0;
pub const SAFE_GP_CONTACTS_PER_DAY: f64 = 25.0;

impl Default for CapacityRules {
    fn default() -> Self {
        CapacityRules {
            per_session: [
                (StaffGroup::Gp, SAFE_APPOINTMENTS_PER_SESSION),
                (StaffGroup::Nurses, SAFE_APPOINTMENTS_PER_SESSION),
                (StaffGroup::DirectPatientCare, SAFE_APPOINTMENTS_PER_SESSION),
                (StaffGroup::AdminNonClinical, 0.0),
            ]
            .into(),
            gp_daily_limit: SAFE_GP_CONTACTS_PER_DAY,
        }
    }
}

/// One person's contract as capacity sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    pub group: StaffGroup,
    /// The clinician type of the person's role ([`ClinicianType::of`]).
    pub clinician: ClinicianType,
    pub sessions_per_week: f64,
    /// The part of their sessions given to the practice (1 when they work at one practice).
    pub share: f64,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// Approved leave, day by day.
    pub leave: Vec<NaiveDate>,
}

impl CapacityRules {
    /// Safe appointments one person gives on one working day.
    fn per_day(&self, c: &Contract) -> f64 {
        let sessions_a_day = c.sessions_per_week / 5.0;
        let per_session = self.per_session.get(&c.group).copied().unwrap_or(0.0);
        let day = sessions_a_day * per_session;
        let day = if c.group == StaffGroup::Gp {
            day.min(self.gp_daily_limit)
        } else {
            day
        };
        day * c.share
    }

    /// Safe appointments by HCP type on each working day of `month`: contracts in force
    /// that day, less approved leave. `as_of` stands in for days before it (a month in the
    /// past is supplied by today's team).
    pub fn month(
        &self,
        contracts: &[Contract],
        month: Month,
        as_of: NaiveDate,
    ) -> BTreeMap<&'static str, f64> {
        let mut out = BTreeMap::new();
        for (t, v) in self.month_by_type(contracts, month, as_of) {
            if let Some(hcp) = t.hcp_type() {
                *out.entry(hcp).or_insert(0.0) += v;
            }
        }
        out
    }

    /// [`CapacityRules::month`] by clinician type: every clinical type the contracts have
    /// (admin staff give no appointments and are left out).
    pub fn month_by_type(
        &self,
        contracts: &[Contract],
        month: Month,
        as_of: NaiveDate,
    ) -> BTreeMap<ClinicianType, f64> {
        let mut out = BTreeMap::new();
        for day in month.days().filter(|d| is_working_day(*d)) {
            let on = day.max(as_of);
            for c in contracts {
                if c.clinician.hcp_type().is_none() {
                    continue;
                }
                if c.start > on || c.end.is_some_and(|e| e < on) || c.leave.contains(&day) {
                    continue;
                }
                *out.entry(c.clinician).or_insert(0.0) += self.per_day(c);
            }
        }
        out
    }
}

/// A practice's share of its area's demand: its registered patients over the area's.
pub fn list_share(practice_patients: f64, area_patients: f64) -> f64 {
    if area_patients > 0.0 {
        practice_patients / area_patients
    } else {
        0.0
    }
}

/// The team's HCP type of a GPAD label (`GP`, `Other Practice staff`); `None` for
/// `Unknown` and any label a team cannot supply.
pub fn hcp_type_known(label: &str) -> Option<&'static str> {
    [GP, OTHER_STAFF].into_iter().find(|h| *h == label)
}

/// Demand against capacity for one HCP type and month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapRow {
    pub month: Month,
    pub hcp_type: String,
    pub working_days: u32,
    /// Recorded appointments (history) or the forecast.
    pub demand: f64,
    pub lower_80: Option<f64>,
    pub upper_80: Option<f64>,
    pub capacity: f64,
    pub forecast: bool,
}

impl GapRow {
    pub fn empty(month: Month, hcp_type: &str, forecast: bool) -> GapRow {
        GapRow {
            month,
            hcp_type: hcp_type.to_string(),
            working_days: month.working_days(),
            demand: 0.0,
            lower_80: None,
            upper_80: None,
            capacity: 0.0,
            forecast,
        }
    }

    /// Capacity less demand: negative is a shortfall.
    pub fn gap(&self) -> f64 {
        self.capacity - self.demand
    }
}

/// Relative weight of Monday … Friday (mean 1), from daily counts of working days; `None`
/// without at least four of each weekday.
pub fn weekday_profile(days: &[(NaiveDate, f64)]) -> Option<[f64; 5]> {
    let mut sums = [0.0; 5];
    let mut counts = [0usize; 5];
    for (d, v) in days {
        if is_working_day(*d) {
            let w = chrono::Datelike::weekday(d).num_days_from_monday() as usize;
            sums[w] += v;
            counts[w] += 1;
        }
    }
    if counts.iter().any(|&c| c < 4) {
        return None;
    }
    let means: Vec<f64> = (0..5).map(|w| sums[w] / counts[w] as f64).collect();
    let overall = means.iter().sum::<f64>() / 5.0;
    if overall <= 0.0 {
        return None;
    }
    let mut profile = [0.0; 5];
    for (p, m) in profile.iter_mut().zip(&means) {
        *p = m / overall;
    }
    Some(profile)
}

/// Splits a month's figure over its working days (by the weekday profile when there is
/// one, else evenly) and sums it by week (weeks begin on Monday; a week across two months
/// takes its days from each).
pub fn by_week(monthly: &[(Month, f64)], profile: Option<[f64; 5]>) -> Vec<(NaiveDate, f64)> {
    let weekday = |d: &NaiveDate| chrono::Datelike::weekday(d).num_days_from_monday() as usize;
    let weight = |d: &NaiveDate| profile.map_or(1.0, |p| p[weekday(d)]);
    let mut weeks: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    for (month, value) in monthly {
        let days: Vec<NaiveDate> = month.days().filter(|d| is_working_day(*d)).collect();
        let total_weight: f64 = days.iter().map(weight).sum();
        if total_weight <= 0.0 {
            continue;
        }
        for d in &days {
            let monday = *d - chrono::Duration::days(weekday(d) as i64);
            *weeks.entry(monday).or_default() += value * weight(d) / total_weight;
        }
    }
    weeks.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn safe_capacity_by_hand() {
        let rules = CapacityRules::default();
        let gp = Contract {
            group: StaffGroup::Gp,
            clinician: ClinicianType::Gp,
            sessions_per_week: 10.0, // 2 a day: 24 appointments, under the limit of 25
            share: 1.0,
            start: d(2020, 1, 1),
            end: None,
            leave: vec![d(2023, 5, 2), d(2023, 5, 3)],
        };
        let nurse = Contract {
            group: StaffGroup::Nurses,
            clinician: ClinicianType::Nurse,
            sessions_per_week: 5.0,
            share: 0.5,
            start: d(2023, 5, 15),
            end: None,
            leave: vec![],
        };
        let admin = Contract {
            group: StaffGroup::AdminNonClinical,
            clinician: ClinicianType::Admin,
            sessions_per_week: 10.0,
            share: 1.0,
            start: d(2020, 1, 1),
            end: None,
            leave: vec![],
        };
        // May 2023: 23 weekdays less 1, 8 and 29 May = 20 working days.
        let may = Month::new(2023, 5).unwrap();
        assert_eq!(may.working_days(), 20);
        let cap = rules.month(&[gp.clone(), nurse.clone(), admin], may, d(2023, 1, 1));
        assert_eq!(cap[GP], 18.0 * 24.0);
        // From 15 May: 15–19, 22–26, 30–31 = 12 working days × 1 session × 12 × 0.5.
        assert_eq!(cap[OTHER_STAFF], 12.0 * 6.0);
        assert_eq!(cap.len(), 2);
        let by_type = rules.month_by_type(&[gp.clone(), nurse.clone()], may, d(2023, 1, 1));
        assert_eq!(by_type[&ClinicianType::Gp], 18.0 * 24.0);
        assert_eq!(by_type[&ClinicianType::Nurse], 12.0 * 6.0);
        assert_eq!(by_type.len(), 2);
        // A GP on 12 sessions a week would plan 28.8 a day: held at 25.
        let long = Contract {
            sessions_per_week: 12.0,
            leave: vec![],
            ..gp
        };
        assert_eq!(rules.month(&[long], may, d(2023, 1, 1))[GP], 20.0 * 25.0);
    }

    #[test]
    fn weeks_take_days_from_each_month() {
        // 1 June 2023 is a Thursday: the week of 29 May (a bank holiday) has 30–31 May
        // (2 of May's 20 working days) and 1–2 June (2 of June's 22).
        let months = [
            (Month::new(2023, 5).unwrap(), 200.0),
            (Month::new(2023, 6).unwrap(), 220.0),
        ];
        let weeks = by_week(&months, None);
        let week = weeks.iter().find(|(m, _)| *m == d(2023, 5, 29)).unwrap();
        assert!(
            (week.1 - (2.0 * 10.0 + 2.0 * 10.0)).abs() < 1e-9,
            "{week:?}"
        );
        let total: f64 = weeks.iter().map(|w| w.1).sum();
        assert!((total - 420.0).abs() < 1e-9);
        // Mondays twice as busy as other days: the weekday profile moves demand to them.
        let days: Vec<(NaiveDate, f64)> = Month::new(2023, 3)
            .unwrap()
            .days()
            .chain(Month::new(2023, 4).unwrap().days())
            .map(|day| {
                let monday = chrono::Datelike::weekday(&day) == chrono::Weekday::Mon;
                (day, if monday { 200.0 } else { 100.0 })
            })
            .collect();
        let profile = weekday_profile(&days).unwrap();
        assert!((profile[0] / profile[1] - 2.0).abs() < 1e-9);
        let weighted = by_week(&months, Some(profile));
        let total: f64 = weighted.iter().map(|w| w.1).sum();
        assert!((total - 420.0).abs() < 1e-9, "the months' total is kept");
        // The week of 29 May has no Monday (a bank holiday), so it gets less than evenly.
        let week = weighted.iter().find(|(m, _)| *m == d(2023, 5, 29)).unwrap();
        assert!(week.1 < 40.0, "{week:?}");
    }
}
