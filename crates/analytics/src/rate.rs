//! The forecaster the product uses ([`Method::Rate`]), chosen by the rolling-origin backtest
//! over 17 areas of England (`gpteam bench forecast`; docs/design/forecasting.md says why).
//!
//! For each area (its HCP types together for the level shifts, each type on its own for the
//! rest):
//! 1. Each month's count is divided by its working days (England and Wales) and the model
//!    works on the logarithm of that daily rate.
//! 2. Level shifts are found on the area's total (as [`crate::forecast`] does).
//! 3. A yearly profile is read from the stretches between shifts that are at least a year
//!    long; the series' own is shrunk towards England's for its HCP type
//!    ([`crate::england`]), its weight `years / (years + 2)` (one undisturbed year: a third),
//!    so a profile read from one year of one HCP type's noisy months leans on the steadiest
//!    shape there is. A series by mode, or of a type England's profile has not, leans on its
//!    area's total instead. Without a whole undisturbed year, England's profile alone.
//! 4. The level is the last month's rate, less its profile factor: no trend is ever fitted,
//!    so a fall is never extrapolated.
//! 5. After a fall (a downward shift in the last `recovery_months`), the level returns a
//!    tenth of the remaining way a month towards the level before the fall, never past it.
//! 6. The 80 % interval is the forecast × exp(± k_h × noise), the noise being the median
//!    month-to-month move of the series' adjusted rate and k_h the 80th percentile of the
//!    backtest's absolute errors in those units at horizon h ([`INTERVAL_MULTIPLES`]).
use crate::calendar::Month;
use crate::history::{
    ForecastError, ForecastOptions, ForecastPoint, Method, SeriesForecast, YearlyProfile,
    check_length, level_shifts, log_daily_rate, median, yearly_profile,
};
use crate::series::Series;

/// The 80th percentile of |log(actual / forecast)| ÷ the series' noise, at horizons 1 to 6
/// months, measured on the rolling-origin backtest of the 17 areas (`gpteam bench forecast
/// --calibrate`, origins 2020-06 to 2021-01: 4.65, 7.47, 8.92, 8.98, 7.70, 7.36; rounded and
/// made non-decreasing). Past 6 months the last grows with √h, unmeasured.
pub const INTERVAL_MULTIPLES: [f64; 6] = [4.7, 7.5, 8.9, 9.0, 9.0, 9.0];

/// The multiple of the noise the 80 % interval spans at `h` months ahead (1-based).
pub fn interval_multiple(h: usize) -> f64 {
    let n = INTERVAL_MULTIPLES.len();
    if h == 0 {
        INTERVAL_MULTIPLES[0]
    } else if h <= n {
        INTERVAL_MULTIPLES[h - 1]
    } else {
        INTERVAL_MULTIPLES[n - 1] * (h as f64 / n as f64).sqrt()
    }
}

/// The smallest noise an interval is built on (a 1 % move a month), so a flat history
/// cannot make a forecast look certain.
const MIN_NOISE: f64 = 0.01;

pub(crate) fn forecast_area(
    members: &[&Series],
    horizon: usize,
    options: &ForecastOptions,
) -> Result<Vec<SeriesForecast>, ForecastError> {
    let first = members[0];
    let len = check_length(members)?;
    let months: Vec<Month> = (0..len).map(|i| first.month(i)).collect();
    let working: Vec<f64> = months.iter().map(|m| m.working_days() as f64).collect();
    let total: Vec<f64> = (0..len)
        .map(|i| members.iter().map(|s| s.values[i]).sum())
        .collect();
    let area_rate = log_daily_rate(&total, &working);
    let shifts = level_shifts(&area_rate, options);
    let area_profile = yearly_profile(&area_rate, &months, &shifts);
    let future: Vec<Month> = (1..=horizon as i32)
        .map(|h| months[len - 1].plus(h))
        .collect();
    Ok(members
        .iter()
        .map(|s| {
            let rate = log_daily_rate(&s.values, &working);
            let own = yearly_profile(&rate, &months, &shifts);
            let profile = pooled_profile(s, &own, &area_profile, options);
            let factor = |m: Month| profile.map_or(0.0, |p| p[m.month as usize - 1]);
            let adjusted: Vec<f64> = rate
                .iter()
                .zip(&months)
                .map(|(r, m)| r - factor(*m))
                .collect();
            let levels = levels(&adjusted, &shifts, horizon, options);
            let noise = noise(&adjusted, &shifts);
            let points = future
                .iter()
                .zip(&levels)
                .enumerate()
                .map(|(h, (m, level))| {
                    let days = m.working_days();
                    let forecast = (level + factor(*m)).exp() * days as f64;
                    let spread = (interval_multiple(h + 1) * noise).exp();
                    ForecastPoint {
                        month: *m,
                        working_days: days,
                        forecast,
                        lower_80: forecast / spread,
                        upper_80: forecast * spread,
                    }
                })
                .collect();
            SeriesForecast {
                area_code: s.area_code.clone(),
                hcp_type: s.hcp_type.clone(),
                appt_mode: s.appt_mode.clone(),
                points,
                level_shifts: shifts.iter().map(|&i| months[i]).collect(),
                seasonal: profile.is_some(),
                method: Method::Rate,
            }
        })
        .collect())
}

/// The series' yearly log factors: its own profile, weighted `years / (years + prior)`, and
/// England's for its HCP type for the rest (its area's total's for a series by mode or of a
/// type England's profile has not). Without a whole undisturbed year of its own, England's
/// alone; `None` without either (or with the profile switched off).
fn pooled_profile(
    series: &Series,
    own: &YearlyProfile,
    area: &YearlyProfile,
    options: &ForecastOptions,
) -> Option<[f64; 12]> {
    if !options.yearly_profile {
        return None;
    }
    let england = options
        .england
        .as_ref()
        .filter(|_| series.appt_mode.is_none())
        .and_then(|e| e.for_hcp_type(&series.hcp_type));
    let steadier = match england {
        Some(factors) => Some(*factors),
        None => area.estimated.then_some(area.factors),
    };
    if !own.estimated {
        return england.copied();
    }
    let steadier = steadier?;
    let years = own.years as f64;
    let weight = years / (years + options.profile_prior_years.max(0.0));
    Some(std::array::from_fn(|m| {
        weight * own.factors[m] + (1.0 - weight) * steadier[m]
    }))
}

/// The adjusted log level of each month ahead: the last month's, moving back towards the
/// level before the latest recent fall, if it is below it.
fn levels(y: &[f64], shifts: &[usize], horizon: usize, options: &ForecastOptions) -> Vec<f64> {
    let last = y[y.len() - 1];
    let anchor = shifts
        .iter()
        .rev()
        .copied()
        .filter(|&s| y.len() - s <= options.recovery_months)
        .find_map(|s| {
            // The level before: up to a year of months before the shift, leaving out the
            // month just before it (it may have started to fall).
            let before = &y[s.saturating_sub(13)..s.saturating_sub(1)];
            if before.len() < 3 {
                return None;
            }
            let level = median(before);
            (level > y[s]).then_some(level)
        });
    let mut gap = match anchor {
        Some(level) if level > last => level - last,
        _ => 0.0,
    };
    (0..horizon)
        .map(|_| {
            gap *= options.recovery_keep.clamp(0.0, 1.0);
            match anchor {
                Some(level) if gap > 0.0 => level - gap,
                _ => last,
            }
        })
        .collect()
}

/// The median month-to-month move of the adjusted log rate, leaving out the moves into a
/// level shift; at least [`MIN_NOISE`].
fn noise(y: &[f64], shifts: &[usize]) -> f64 {
    let moves: Vec<f64> = (1..y.len())
        .filter(|t| !shifts.contains(t))
        .map(|t| (y[t] - y[t - 1]).abs())
        .collect();
    if moves.is_empty() {
        return MIN_NOISE * 5.0;
    }
    median(&moves).max(MIN_NOISE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::forecast_all;

    fn series(start: Month, values: Vec<f64>) -> Series {
        Series {
            area_code: "A".into(),
            hcp_type: "GP".into(),
            appt_mode: None,
            start,
            values,
        }
    }

    /// A daily rate of 1000 with a ±10 % yearly swing (cosine on the calendar month), a
    /// small alternating wobble, and from `fall_at` a fall to `after` of it.
    fn synthetic(start: Month, len: usize, fall_at: Option<(usize, f64)>) -> Vec<f64> {
        with_wobble(start, len, fall_at, 0.01)
    }

    fn with_wobble(
        start: Month,
        len: usize,
        fall_at: Option<(usize, f64)>,
        wobble: f64,
    ) -> Vec<f64> {
        (0..len)
            .map(|i| {
                let m = start.plus(i as i32);
                let season =
                    1.0 + 0.1 * ((m.month as f64 - 1.0) / 12.0 * std::f64::consts::TAU).cos();
                let wobble = if i % 2 == 0 {
                    1.0 + wobble
                } else {
                    1.0 - wobble
                };
                let level = match fall_at {
                    Some((f, after)) if i >= f => 1000.0 * after,
                    _ => 1000.0,
                };
                level * season * wobble * m.working_days() as f64
            })
            .collect()
    }

    #[test]
    fn a_flat_rate_is_carried_by_working_days() {
        // 100 a working day for 30 months, no shift: no recovery, and a profile of zeros
        // (its own and its area's; England's has a shape).
        let start = Month::new(2018, 1).unwrap();
        let values: Vec<f64> = (0..30)
            .map(|i| 100.0 * start.plus(i).working_days() as f64)
            .collect();
        let f = forecast_all(&[series(start, values)], 12, &on_the_area()).unwrap();
        assert_eq!(f[0].method, Method::Rate);
        assert!(f[0].level_shifts.is_empty());
        for p in &f[0].points {
            let want = 100.0 * p.working_days as f64;
            assert!((p.forecast - want).abs() < 1e-6, "{p:?}");
            // The noise floor: the interval is never a point.
            assert!(p.lower_80 < p.forecast && p.forecast < p.upper_80, "{p:?}");
        }
        // July 2020 (23 working days) above December 2020 (20; Christmas on a Friday,
        // Boxing Day moved to Monday 28th).
        assert_eq!(f[0].points[0].month.to_string(), "2020-07");
        assert!(f[0].points[0].forecast > f[0].points[5].forecast);
    }

    /// The options of a forecast leaning on its area's total, not England's.
    fn on_the_area() -> ForecastOptions {
        ForecastOptions {
            england: None,
            profile_prior_years: 1.0,
            ..Default::default()
        }
    }

    #[test]
    fn a_series_profile_leans_on_englands() {
        let start = Month::new(2019, 3).unwrap();
        let england = crate::england::ENGLAND_2019_20;
        let gp = england.for_hcp_type("GP").unwrap();
        // October over August, in logs, of a forecast's daily rates (from a February).
        let swing = |f: &SeriesForecast| {
            let rate = |m: u32| {
                let p = f.points.iter().find(|p| p.month.month == m).unwrap();
                (p.forecast / p.working_days as f64).ln()
            };
            rate(10) - rate(8)
        };
        let flat = |len: i32| -> Vec<f64> {
            (0..len)
                .map(|i| 1000.0 * f64::from(start.plus(i).working_days()))
                .collect()
        };
        // One flat undisturbed year of its own: England's profile weighs 1 - 1/3.
        let f = forecast_all(&[series(start, flat(12))], 12, &ForecastOptions::default()).unwrap();
        assert!(f[0].seasonal);
        let want = 2.0 / 3.0 * (gp[9] - gp[7]);
        assert!(
            (swing(&f[0]) - want).abs() < 1e-9,
            "{} {want}",
            swing(&f[0])
        );
        // Under a year of its own: England's alone.
        let f = forecast_all(&[series(start, flat(8))], 12, &ForecastOptions::default()).unwrap();
        assert!((swing(&f[0]) - (gp[9] - gp[7])).abs() < 1e-9);
        // A series by mode, or of a type England's profile has not, has no profile from it.
        let by_mode = Series {
            appt_mode: Some("Telephone".into()),
            ..series(start, flat(8))
        };
        let nurse = Series {
            hcp_type: "Nurse".into(),
            ..series(start, flat(8))
        };
        let f = forecast_all(&[by_mode, nurse], 12, &ForecastOptions::default()).unwrap();
        assert!(f.iter().all(|f| !f.seasonal && swing(f).abs() < 1e-9));
    }

    #[test]
    fn a_series_profile_leans_on_its_areas_total() {
        // Two whole undisturbed years: a series' own profile weighs 2/3, its area's 1/3.
        let start = Month::new(2018, 1).unwrap();
        let season = |m: u32| 1.0 + 0.1 * ((m as f64 - 1.0) / 12.0 * std::f64::consts::TAU).cos();
        // How much of its own swing from January to June a forecast carries (in logs).
        let share = |f: &SeriesForecast| {
            let rate = |h: usize| f.points[h].forecast / f.points[h].working_days as f64;
            assert_eq!(f.points[0].month.to_string(), "2020-01");
            assert_eq!(f.points[5].month.to_string(), "2020-06");
            (rate(5) / rate(0)).ln() / (season(6) / season(1)).ln()
        };
        let swinging = with_wobble(start, 24, None, 0.0);
        // Alone in its area, a series' profile is its area's: carried in full.
        let alone = forecast_all(&[series(start, swinging.clone())], 6, &on_the_area()).unwrap();
        assert!(alone[0].seasonal);
        assert!(
            (share(&alone[0]) - 1.0).abs() < 0.05,
            "{}",
            share(&alone[0])
        );
        // Beside a flat series of the same size, the area's total swings about half as
        // much: the swinging series carries 2/3 + 1/3 × 1/2 of its swing, the flat one
        // 1/3 × 1/2 of the other's.
        let flat: Vec<f64> = (0..24)
            .map(|i| 1000.0 * start.plus(i).working_days() as f64)
            .collect();
        let other = Series {
            hcp_type: "Other".into(),
            ..series(start, flat)
        };
        let f = forecast_all(&[series(start, swinging), other], 6, &on_the_area()).unwrap();
        assert_eq!(f[1].hcp_type, "Other");
        assert!((share(&f[0]) - 5.0 / 6.0).abs() < 0.05, "{}", share(&f[0]));
        assert!((share(&f[1]) - 1.0 / 6.0).abs() < 0.05, "{}", share(&f[1]));
        // Switched off, there is no profile.
        let options = ForecastOptions {
            yearly_profile: false,
            ..on_the_area()
        };
        let f = forecast_all(
            &[series(start, with_wobble(start, 24, None, 0.0))],
            6,
            &options,
        )
        .unwrap();
        assert!(!f[0].seasonal && share(&f[0]).abs() < 1e-9);
    }

    #[test]
    fn after_a_fall_the_level_returns_partway_and_never_past() {
        let start = Month::new(2018, 1).unwrap();
        let values = synthetic(start, 20, Some((15, 0.6)));
        let f = forecast_all(
            &[series(start, values.clone())],
            12,
            &ForecastOptions::default(),
        )
        .unwrap();
        assert_eq!(f[0].level_shifts, vec![start.plus(15)]);
        // Without the recovery the level stays where it was: the ratio of the two
        // forecasts is the recovery alone (the profile and the working days cancel).
        let options = ForecastOptions {
            recovery_keep: 1.0,
            ..Default::default()
        };
        let flat = forecast_all(&[series(start, values)], 12, &options).unwrap();
        let back: Vec<f64> = f[0]
            .points
            .iter()
            .zip(&flat[0].points)
            .map(|(p, q)| p.forecast / q.forecast)
            .collect();
        // Month by month it rises from the fallen level (about 600) towards the level
        // before the fall (1000), a tenth of the gap a month, and never reaches it.
        for w in back.windows(2) {
            assert!(w[1] > w[0], "{back:?}");
        }
        assert!(back[0] > 1.01 && back[11] < 1000.0 / 600.0, "{back:?}");
        // The share of the gap closed (about, as both levels are read off wobbling months).
        let closed = |h: usize| 1.0 - (1000.0 / 600.0 - back[h]) / (1000.0 / 600.0 - 1.0);
        assert!((closed(0) - 0.1).abs() < 0.05, "{}", closed(0));
        assert!(
            (closed(11) - (1.0 - 0.9f64.powi(12))).abs() < 0.1,
            "{}",
            closed(11)
        );
    }

    #[test]
    fn a_rise_is_not_pulled_back_and_an_old_fall_is_the_new_normal() {
        let start = Month::new(2016, 1).unwrap();
        // A rise to 1.5 at month 15: no recovery, the level is the last month's.
        let up = synthetic(start, 20, Some((15, 1.5)));
        let f = forecast_all(&[series(start, up.clone())], 3, &ForecastOptions::default()).unwrap();
        let options = ForecastOptions {
            recovery_keep: 1.0,
            ..Default::default()
        };
        let g = forecast_all(&[series(start, up)], 3, &options).unwrap();
        assert_eq!(f[0].points, g[0].points);
        // A fall 30 months before the end: older than 24 months, so no recovery either.
        let old = synthetic(start, 45, Some((15, 0.6)));
        let f = forecast_all(
            &[series(start, old.clone())],
            3,
            &ForecastOptions::default(),
        )
        .unwrap();
        let g = forecast_all(&[series(start, old)], 3, &options).unwrap();
        assert_eq!(f[0].points, g[0].points);
    }

    #[test]
    fn intervals_widen_with_the_horizon_and_the_noise() {
        assert_eq!(interval_multiple(1), INTERVAL_MULTIPLES[0]);
        assert_eq!(interval_multiple(6), INTERVAL_MULTIPLES[5]);
        assert!((interval_multiple(24) - 2.0 * INTERVAL_MULTIPLES[5]).abs() < 1e-12);
        let start = Month::new(2018, 1).unwrap();
        let calm = synthetic(start, 30, None);
        // A wobble every 5 months, which no yearly profile can take up.
        let noisy: Vec<f64> = calm
            .iter()
            .enumerate()
            .map(|(i, v)| v * [1.1, 0.9, 1.05, 0.95, 1.0][i % 5])
            .collect();
        let width = |values: Vec<f64>| -> Vec<f64> {
            let f = forecast_all(&[series(start, values)], 6, &ForecastOptions::default()).unwrap();
            f[0].points
                .iter()
                .map(|p| p.upper_80 / p.lower_80)
                .collect()
        };
        let (calm, noisy) = (width(calm), width(noisy));
        for h in 1..6 {
            assert!(
                calm[h] >= calm[h - 1] - 1e-12 && noisy[h] > calm[h],
                "{calm:?} {noisy:?}"
            );
        }
    }
}
