//! England's yearly profile of appointments per working day, by HCP type: the steadiest
//! seasonal shape there is, read from many areas' months at once, which a forecast of one
//! area leans on ([`crate::rate`]; docs/design/forecasting.md says why).
use crate::calendar::Month;
use crate::series::Series;
use serde::Serialize;

/// The HCP types of the GP appointments data (GPAD), as it spells them.
pub const HCP_TYPES: [&str; 3] = ["GP", "Other Practice staff", "Unknown"];

/// Log factors by calendar month (January first), centred on zero, for each of
/// [`HCP_TYPES`]; `None` for a type the profile was not read for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EnglandProfile {
    pub by_hcp_type: [Option<[f64; 12]>; 3],
}

/// The year the built-in profile is read from: March 2019 to February 2020, the last whole
/// year before the pandemic.
pub fn profile_year_start() -> Month {
    Month::new(2019, 3).expect("a month")
}

/// England's profile as read from the 17 areas (22 CCGs) of `shared/data/nhs/appointments_gp`
/// over March 2019 – February 2020 by [`EnglandProfile::from_series`]. `gpteam bench
/// forecast --england-profile` reads it again from any folder of GPAD files and says how far
/// it is from this one (a test checks it is the same on the repo's files).
pub const ENGLAND_2019_20: EnglandProfile = EnglandProfile {
    by_hcp_type: [
        Some(GP_2019_20),
        Some(OTHER_STAFF_2019_20),
        Some(UNKNOWN_2019_20),
    ],
};

#[rustfmt::skip]
const GP_2019_20: [f64; 12] = [
    0.040917, 0.010415, 0.043031, 0.005578, 0.000387, -0.011380,
    -0.034948, -0.094665, 0.009308, 0.014847, 0.030189, -0.013680,
];
#[rustfmt::skip]
const OTHER_STAFF_2019_20: [f64; 12] = [
    0.019115, 0.003530, -0.022072, -0.028638, -0.043945, -0.057499,
    -0.056884, -0.099348, 0.043801, 0.165971, 0.100111, -0.024143,
];
#[rustfmt::skip]
const UNKNOWN_2019_20: [f64; 12] = [
    0.018173, 0.008055, -0.009507, -0.018075, -0.058019, -0.087243,
    -0.119094, -0.155926, -0.018734, 0.183045, 0.171909, 0.085417,
];

impl EnglandProfile {
    /// The factors for a GPAD HCP type (its spelling, any case), if the profile has them.
    pub fn for_hcp_type(&self, hcp_type: &str) -> Option<&[f64; 12]> {
        HCP_TYPES
            .iter()
            .position(|t| t.eq_ignore_ascii_case(hcp_type.trim()))
            .and_then(|i| self.by_hcp_type[i].as_ref())
    }

    /// The profile of the sum of `series` (HCP-type series only, not by mode) over the 12
    /// months from `year_start`: for each HCP type, the log of the summed appointments per
    /// working day, less its mean over the year. Series that do not hold all 12 months are
    /// left out; `None` when no HCP type has any series left.
    pub fn from_series<'a>(
        series: impl IntoIterator<Item = &'a Series>,
        year_start: Month,
    ) -> Option<EnglandProfile> {
        let mut sums = [[0.0f64; 12]; 3];
        let mut seen = [false; 3];
        for s in series {
            let Some(t) = HCP_TYPES
                .iter()
                .position(|t| t.eq_ignore_ascii_case(s.hcp_type.trim()))
            else {
                continue;
            };
            let offset = s.start.months_until(year_start);
            if s.appt_mode.is_some() || offset < 0 || offset as usize + 12 > s.values.len() {
                continue;
            }
            for (i, sum) in sums[t].iter_mut().enumerate() {
                *sum += s.values[offset as usize + i];
            }
            seen[t] = true;
        }
        let by_hcp_type: [Option<[f64; 12]>; 3] = std::array::from_fn(|t| {
            seen[t].then(|| {
                let mut factors = [0.0; 12];
                for (i, sum) in sums[t].iter().enumerate() {
                    let month = year_start.plus(i as i32);
                    factors[month.month as usize - 1] =
                        (sum.max(0.5) / f64::from(month.working_days().max(1))).ln();
                }
                let mean = factors.iter().sum::<f64>() / 12.0;
                factors.iter_mut().for_each(|f| *f -= mean);
                factors
            })
        });
        by_hcp_type
            .iter()
            .any(Option::is_some)
            .then_some(EnglandProfile { by_hcp_type })
    }

    /// The largest difference between two profiles' factors, over the types both have.
    pub fn largest_difference(&self, other: &EnglandProfile) -> f64 {
        self.by_hcp_type
            .iter()
            .zip(&other.by_hcp_type)
            .filter_map(|(a, b)| Some((a.as_ref()?, b.as_ref()?)))
            .flat_map(|(a, b)| a.iter().zip(b).map(|(x, y)| (x - y).abs()))
            .fold(0.0, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(hcp: &str, start: Month, values: Vec<f64>) -> Series {
        Series {
            area_code: "A".into(),
            hcp_type: hcp.into(),
            appt_mode: None,
            start,
            values,
        }
    }

    #[test]
    fn the_profile_is_read_per_working_day_and_centred() {
        let start = profile_year_start();
        // 100 a working day every month, but 20 % more a day in October.
        let values: Vec<f64> = (0..14)
            .map(|i| {
                let m = start.plus(i);
                let rate = if m.month == 10 { 120.0 } else { 100.0 };
                rate * f64::from(m.working_days())
            })
            .collect();
        let p = EnglandProfile::from_series(&[series("gp", start, values)], start).unwrap();
        let gp = p.for_hcp_type("GP").unwrap();
        assert!(gp.iter().sum::<f64>().abs() < 1e-9);
        assert!((gp[9] - gp[0] - 1.2f64.ln()).abs() < 1e-9, "{gp:?}");
        assert!((gp[3] - gp[0]).abs() < 1e-9, "{gp:?}");
        assert!(p.for_hcp_type("Unknown").is_none());
        assert!(p.for_hcp_type("Nurse").is_none());
    }

    #[test]
    fn series_short_of_the_year_or_by_mode_are_left_out() {
        let start = profile_year_start();
        let short = series("GP", start.plus(1), vec![100.0; 12]);
        let by_mode = Series {
            appt_mode: Some("Telephone".into()),
            ..series("GP", start, vec![100.0; 12])
        };
        assert_eq!(EnglandProfile::from_series([&short, &by_mode], start), None);
    }

    #[test]
    fn the_built_in_profile_has_every_type() {
        for t in HCP_TYPES {
            let f = ENGLAND_2019_20.for_hcp_type(t).unwrap();
            assert!(f.iter().sum::<f64>().abs() < 1e-3, "{t}: {f:?}");
        }
        assert_eq!(ENGLAND_2019_20.largest_difference(&ENGLAND_2019_20), 0.0);
    }
}
