//! The demand forecasters. [`Method::Rate`] (in [`crate::rate`]) is the one the product uses,
//! chosen by the rolling-origin backtest over 17 areas (`gpteam bench forecast`,
//! docs/design/forecasting.md). [`Method::Ets`] is the forecaster before it, kept so the
//! bench can show the two side by side:
//!
//! For each area (all its HCP types together):
//! 1. Each month's count is divided by its working days (England and Wales), so Easter,
//!    Christmas and one-off bank holidays do not look like changes in demand; the model works
//!    on the logarithm of that daily rate.
//! 2. Level shifts (such as the fall of spring 2020) are found on the area's total: a month
//!    and the next both further than a threshold from the median of the months before them in
//!    the same segment. The threshold scales with the series' own month-to-month noise.
//! 3. The yearly profile (12 monthly factors) is estimated on the area's total from the
//!    segments between level shifts that are at least a year long, leaving out the month just
//!    before a shift (it is partly one level, partly the other).
//! 4. Each HCP type's rate, less the profile, is smoothed by an ETS model from `augurs-ets`
//!    (chosen by AICc; trend allowed only with two years to fit on) over the months since the
//!    last level shift, or over the whole history when that stretch is under 8 months. Its
//!    forecast and 80 % interval are turned back into appointments by the profile and each
//!    future month's working days.
use crate::calendar::Month;
pub use crate::history::{ForecastError, ForecastOptions, ForecastPoint, Method, SeriesForecast};
use crate::history::{check_length, level_shifts, log_daily_rate, yearly_profile};
use crate::series::Series;
use augurs_core::{Fit, Predict};
use augurs_ets::AutoETS;
use std::collections::BTreeMap;

/// Forecasts every series `horizon` months past its last month. Series of the same area
/// must share their months (as `build_series` makes them).
pub fn forecast_all(
    series: &[Series],
    horizon: usize,
    options: &ForecastOptions,
) -> Result<Vec<SeriesForecast>, ForecastError> {
    let mut areas: BTreeMap<&str, Vec<&Series>> = BTreeMap::new();
    for s in series {
        areas.entry(&s.area_code).or_default().push(s);
    }
    let mut out = Vec::with_capacity(series.len());
    for members in areas.values() {
        match options.method {
            Method::Rate => out.extend(crate::rate::forecast_area(members, horizon, options)?),
            Method::Ets => out.extend(forecast_area(members, horizon, options)?),
        }
    }
    Ok(out)
}

fn forecast_area(
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
    let profile = yearly_profile(&area_rate, &months, &shifts);

    let future: Vec<Month> = (1..=horizon as i32)
        .map(|h| months[len - 1].plus(h))
        .collect();
    members
        .iter()
        .map(|s| {
            let rate = log_daily_rate(&s.values, &working);
            let adjusted: Vec<f64> = rate
                .iter()
                .zip(&months)
                .map(|(r, m)| r - profile.factor(*m))
                .collect();
            let since_shift = shifts.last().copied().unwrap_or(0);
            let level = if len - since_shift >= options.min_segment_fit {
                smooth(&adjusted[since_shift..], horizon, options.interval_level)
            } else {
                smooth_short(&adjusted, since_shift, horizon, options.interval_level)
            };
            let points = future
                .iter()
                .enumerate()
                .map(|(h, m)| {
                    let days = m.working_days();
                    let scale = |log: f64| (log + profile.factor(*m)).exp() * days as f64;
                    ForecastPoint {
                        month: *m,
                        working_days: days,
                        forecast: scale(level.point[h]),
                        lower_80: scale(level.lower[h]),
                        upper_80: scale(level.upper[h]),
                    }
                })
                .collect();
            Ok(SeriesForecast {
                area_code: s.area_code.clone(),
                hcp_type: s.hcp_type.clone(),
                appt_mode: s.appt_mode.clone(),
                points,
                level_shifts: shifts.iter().map(|&i| months[i]).collect(),
                seasonal: profile.estimated,
                method: Method::Ets,
            })
        })
        .collect()
}

struct LevelForecast {
    point: Vec<f64>,
    lower: Vec<f64>,
    upper: Vec<f64>,
}

/// Exponential smoothing of the adjusted log rate by `augurs-ets` (AICc picks the model; a
/// trend is tried only with two years to fit on).
fn smooth(y: &[f64], horizon: usize, level: f64) -> LevelForecast {
    let spec = if y.len() >= 24 { "AZN" } else { "ANN" };
    let fitted = AutoETS::new(1, spec)
        .expect("a valid ETS specification")
        .fit(y)
        .and_then(|model| model.predict(horizon, level));
    match fitted {
        Ok(forecast)
            if forecast.point.iter().all(|v| v.is_finite()) && forecast.intervals.is_some() =>
        {
            let intervals = forecast.intervals.expect("checked");
            LevelForecast {
                point: forecast.point,
                lower: intervals.lower,
                upper: intervals.upper,
            }
        }
        _ => smooth_short(y, 0, horizon, level),
    }
}

/// Too few months since the last shift for `augurs-ets` to fit (it needs 7): simple
/// exponential smoothing over those months with the smoothing weight that best predicts
/// each next month, and an interval from the one-step errors of the whole history outside
/// the shifts (so a handful of months cannot make it look certain).
fn smooth_short(all: &[f64], since_shift: usize, horizon: usize, coverage: f64) -> LevelForecast {
    let window = &all[since_shift..];
    let run = |alpha: f64| {
        let mut level = window[0];
        let mut squared_error = 0.0;
        for v in &window[1..] {
            squared_error += (v - level).powi(2);
            level += alpha * (v - level);
        }
        (squared_error, level)
    };
    let (_, level) = (1..20)
        .map(|i| run(i as f64 / 20.0))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .expect("19 candidates");
    let moves: Vec<f64> = all
        .windows(2)
        .enumerate()
        .filter(|(i, _)| i + 1 != since_shift)
        .map(|(_, w)| w[1] - w[0])
        .collect();
    let sd = if moves.is_empty() {
        0.1
    } else {
        (moves.iter().map(|m| m * m).sum::<f64>() / moves.len() as f64).sqrt()
    };
    let z = normal_quantile(0.5 + coverage / 2.0);
    let spread = |h: usize| z * sd * ((h + 1) as f64).sqrt();
    LevelForecast {
        point: vec![level; horizon],
        lower: (0..horizon).map(|h| level - spread(h)).collect(),
        upper: (0..horizon).map(|h| level + spread(h)).collect(),
    }
}

/// The standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9).
fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383_577_518_672_69e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ets() -> ForecastOptions {
        ForecastOptions {
            method: Method::Ets,
            ..Default::default()
        }
    }

    fn series(area: &str, hcp: &str, start: Month, values: Vec<f64>) -> Series {
        Series {
            area_code: area.into(),
            hcp_type: hcp.into(),
            appt_mode: None,
            start,
            values,
        }
    }

    /// A steady daily rate with a yearly profile, then a fall to 60 % from month 24.
    fn synthetic(start: Month, len: usize, fall_at: Option<usize>) -> Vec<f64> {
        (0..len)
            .map(|i| {
                let m = start.plus(i as i32);
                let season =
                    1.0 + 0.1 * ((m.month as f64 - 1.0) / 12.0 * std::f64::consts::TAU).cos();
                let level = if fall_at.is_some_and(|f| i >= f) {
                    600.0
                } else {
                    1000.0
                };
                level * season * m.working_days() as f64
            })
            .collect()
    }

    #[test]
    fn finds_the_fall_and_forecasts_the_new_level() {
        let start = Month::new(2018, 1).unwrap();
        let s = series("A", "GP", start, synthetic(start, 36, Some(24)));
        let f = forecast_all(&[s], 6, &ets()).unwrap();
        assert_eq!(f[0].level_shifts, vec![start.plus(24)]);
        assert!(f[0].seasonal);
        let expected = synthetic(start, 42, Some(24));
        for (p, want) in f[0].points.iter().zip(&expected[36..]) {
            assert!((p.forecast / want - 1.0).abs() < 0.02, "{p:?} vs {want}");
            assert!(p.lower_80 <= p.forecast && p.forecast <= p.upper_80);
        }
    }

    #[test]
    fn working_days_shape_the_forecast() {
        // A flat daily rate: December 2020 (21 working days) gets less than October (22).
        let start = Month::new(2018, 1).unwrap();
        let values: Vec<f64> = (0..33)
            .map(|i| 100.0 * start.plus(i).working_days() as f64)
            .collect();
        let f = forecast_all(&[series("A", "GP", start, values)], 3, &ets()).unwrap();
        let p = &f[0].points;
        assert_eq!(p[0].month.to_string(), "2020-10");
        assert!((p[0].forecast - 2200.0).abs() < 1.0, "{:?}", p[0]);
        assert!((p[2].forecast - 2100.0).abs() < 1.0, "{:?}", p[2]);
        assert!(f[0].level_shifts.is_empty());
    }

    #[test]
    fn normal_quantiles() {
        assert!((normal_quantile(0.9) - 1.281_551_6).abs() < 1e-6);
        assert!((normal_quantile(0.975) - 1.959_964).abs() < 1e-6);
        assert!((normal_quantile(0.01) + 2.326_348).abs() < 1e-6);
    }

    #[test]
    fn too_short_is_an_error() {
        let start = Month::new(2020, 1).unwrap();
        let err = forecast_all(
            &[series("A", "GP", start, vec![1.0, 2.0])],
            1,
            &Default::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("at least 3 months"));
    }
}
