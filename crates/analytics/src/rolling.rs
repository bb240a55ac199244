//! The rolling-origin backtest: for each origin month, fit on the months up to it, forecast
//! the next `horizon` (fewer where the data ends sooner) and score against what happened,
//! for the forecasters and the benchmarks side by side, over every series given.
use crate::backtest::{mase_scale, mean_absolute_error, naive, seasonal_naive, smape};
use crate::calendar::Month;
use crate::england::{EnglandProfile, profile_year_start};
use crate::forecast::{ForecastOptions, Method, SeriesForecast, forecast_all};
use crate::series::Series;
use serde::Serialize;
use std::collections::BTreeMap;

/// What a backtest compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Contender {
    Forecaster(Method),
    /// The forecaster in use without one of its parts, to show what the part adds.
    Without(Part),
    /// Month by month, the median of the forecaster in use, the ETS forecaster and the
    /// working-day naive (the combination issue 18 suggested trying).
    Median,
    /// Last month's appointments per working day × each coming month's working days.
    WorkingDayNaive,
    Naive,
    SeasonalNaive,
}

/// A part of [`Method::Rate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Part {
    /// The partial return towards the level before a fall.
    Recovery,
    /// The yearly profile.
    Profile,
    /// England's profile: the series' own leans on its area's total's instead (the
    /// forecaster before England's profile).
    England,
}

impl Contender {
    /// The options the forecaster runs with for this contender, if it is one.
    fn options(self, base: &ForecastOptions) -> Option<ForecastOptions> {
        match self {
            Contender::Forecaster(method) => Some(ForecastOptions { method, ..*base }),
            Contender::Without(Part::Recovery) => Some(ForecastOptions {
                method: Method::Rate,
                recovery_keep: 1.0,
                ..*base
            }),
            Contender::Without(Part::Profile) => Some(ForecastOptions {
                method: Method::Rate,
                yearly_profile: false,
                ..*base
            }),
            Contender::Without(Part::England) => Some(ForecastOptions {
                method: Method::Rate,
                england: None,
                profile_prior_years: 1.0,
                ..*base
            }),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Contender::Forecaster(m) => m.code(),
            Contender::Without(Part::Recovery) => "gpteam_no_recovery",
            Contender::Without(Part::Profile) => "gpteam_no_profile",
            Contender::Without(Part::England) => "gpteam_area_profile",
            Contender::Median => "median_of_3",
            Contender::WorkingDayNaive => "wd_naive",
            Contender::Naive => "naive",
            Contender::SeasonalNaive => "seasonal_naive",
        }
    }
}

/// What `gpteam bench forecast` runs: the forecaster in use, it without each part, the
/// one before it, their median with the working-day naive, and the three benchmarks.
pub const CONTENDERS: [Contender; 9] = [
    Contender::Forecaster(Method::Rate),
    Contender::Without(Part::Recovery),
    Contender::Without(Part::Profile),
    Contender::Without(Part::England),
    Contender::Forecaster(Method::Ets),
    Contender::Median,
    Contender::WorkingDayNaive,
    Contender::Naive,
    Contender::SeasonalNaive,
];

/// Last month's appointments per working day × each coming month's working days.
pub fn working_day_naive(train: &[f64], last_month: Month, horizon: usize) -> Vec<f64> {
    let last = *train.last().expect("a training value");
    let rate = last / f64::from(last_month.working_days().max(1));
    (1..=horizon as i32)
        .map(|h| rate * f64::from(last_month.plus(h).working_days()))
        .collect()
}

/// One series, origin and method.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollingScore {
    pub area_code: String,
    pub hcp_type: String,
    pub appt_mode: Option<String>,
    pub origin: Month,
    /// Months scored after the origin.
    pub horizon: usize,
    pub method: &'static str,
    pub mase: f64,
    pub smape: f64,
    /// Share of the months inside the 80 % interval; `None` for a method without one.
    pub covered_80: Option<f64>,
}

/// One method over every series and origin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodSummary {
    pub method: &'static str,
    /// Series × origins scored.
    pub scored: usize,
    pub mean_mase: f64,
    pub mean_smape: f64,
    /// Mean MASE ÷ the better (lower) of naive's and seasonal-naive's mean MASE.
    pub ratio: f64,
    /// Share of all months scored that fell inside the 80 % interval.
    pub coverage_80: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollingBacktest {
    pub scores: Vec<RollingScore>,
    /// Series and origins left out: (area, HCP type, origin, why).
    pub skipped: Vec<(String, String, Month, String)>,
}

impl RollingBacktest {
    /// Per method, in the order of `contenders`; empty when nothing was scored.
    pub fn summary(&self, contenders: &[Contender]) -> Vec<MethodSummary> {
        let mean = |code: &str| {
            let s: Vec<&RollingScore> = self.scores.iter().filter(|s| s.method == code).collect();
            let n = s.len();
            let mase = s.iter().map(|s| s.mase).sum::<f64>() / n.max(1) as f64;
            let smape = s.iter().map(|s| s.smape).sum::<f64>() / n.max(1) as f64;
            let (inside, months) = s
                .iter()
                .fold((0.0, 0usize), |(c, m), s| match s.covered_80 {
                    Some(share) => (c + share * s.horizon as f64, m + s.horizon),
                    None => (c, m),
                });
            let coverage = (months > 0).then(|| inside / months as f64);
            (n, mase, smape, coverage)
        };
        let better = mean(Contender::Naive.code())
            .1
            .min(mean(Contender::SeasonalNaive.code()).1);
        contenders
            .iter()
            .map(|c| {
                let (scored, mean_mase, mean_smape, coverage_80) = mean(c.code());
                MethodSummary {
                    method: c.code(),
                    scored,
                    mean_mase,
                    mean_smape,
                    ratio: mean_mase / better,
                    coverage_80,
                }
            })
            .filter(|s| s.scored > 0)
            .collect()
    }
}

/// Backtests every series from every origin. Series of one area must share their months
/// (as `build_series` makes them); areas may differ. An origin needs at least 3 months up
/// to it and 1 after it in an area, else that area is skipped there (and said so).
pub fn rolling_backtest(
    series: &[Series],
    origins: &[Month],
    horizon: usize,
    options: &ForecastOptions,
    contenders: &[Contender],
) -> RollingBacktest {
    let mut areas: BTreeMap<&str, Vec<&Series>> = BTreeMap::new();
    for s in series {
        areas.entry(&s.area_code).or_default().push(s);
    }
    let mut scores = Vec::new();
    let mut skipped = Vec::new();
    for members in areas.values() {
        let first = members[0];
        for &origin in origins {
            let fit_len = first.start.months_until(origin) + 1;
            let after = first.values.len() as i32 - fit_len;
            let why = if fit_len < 3 {
                Some(format!(
                    "{} months up to {origin}: at least 3 are needed",
                    fit_len.max(0)
                ))
            } else if after < 1 {
                Some(format!("no month after {origin} to score"))
            } else {
                None
            };
            if let Some(why) = why {
                for s in members {
                    skipped.push((s.area_code.clone(), s.hcp_type.clone(), origin, why.clone()));
                }
                continue;
            }
            let fit_len = fit_len as usize;
            let h = horizon.min(after as usize);
            let training: Vec<Series> = members.iter().map(|s| s.head(fit_len)).collect();
            // The forecasters' runs, and those the median needs.
            let mut needed: Vec<Contender> = contenders.to_vec();
            if contenders.contains(&Contender::Median) {
                needed.extend([
                    Contender::Forecaster(Method::Rate),
                    Contender::Forecaster(Method::Ets),
                ]);
            }
            let mut forecasts: Vec<(Contender, Vec<SeriesForecast>)> = Vec::new();
            for c in needed {
                if forecasts.iter().any(|(d, _)| *d == c) {
                    continue;
                }
                if let Some(o) = c.options(options)
                    && let Ok(f) = forecast_all(&training, h, &o)
                {
                    forecasts.push((c, f));
                }
            }
            let of = |c: Contender, i: usize| {
                forecasts
                    .iter()
                    .find(|(d, _)| *d == c)
                    .and_then(|(_, f)| f.get(i))
            };
            for (i, (full, train)) in members.iter().zip(&training).enumerate() {
                let actual = &full.values[fit_len..fit_len + h];
                let scale = mase_scale(&train.values);
                let wd = working_day_naive(&train.values, origin, h);
                for c in contenders {
                    let (points, interval) = match c {
                        Contender::Forecaster(_) | Contender::Without(_) => {
                            let Some(f) = of(*c, i) else {
                                continue;
                            };
                            let p: Vec<f64> = f.points.iter().map(|p| p.forecast).collect();
                            let inside = f
                                .points
                                .iter()
                                .zip(actual)
                                .filter(|(p, a)| p.lower_80 <= **a && **a <= p.upper_80)
                                .count();
                            (p, Some(inside as f64 / h as f64))
                        }
                        Contender::Median => {
                            let (Some(rate), Some(ets)) = (
                                of(Contender::Forecaster(Method::Rate), i),
                                of(Contender::Forecaster(Method::Ets), i),
                            ) else {
                                continue;
                            };
                            let p = (0..h)
                                .map(|k| {
                                    let mut three =
                                        [rate.points[k].forecast, ets.points[k].forecast, wd[k]];
                                    three.sort_by(f64::total_cmp);
                                    three[1]
                                })
                                .collect();
                            (p, None)
                        }
                        Contender::WorkingDayNaive => (wd.clone(), None),
                        Contender::Naive => (naive(&train.values, h), None),
                        Contender::SeasonalNaive => (seasonal_naive(&train.values, h), None),
                    };
                    scores.push(RollingScore {
                        area_code: full.area_code.clone(),
                        hcp_type: full.hcp_type.clone(),
                        appt_mode: full.appt_mode.clone(),
                        origin,
                        horizon: h,
                        method: c.code(),
                        mase: mean_absolute_error(&points, actual) / scale,
                        smape: smape(&points, actual),
                        covered_80: interval,
                    });
                }
            }
        }
    }
    RollingBacktest { scores, skipped }
}

/// `options` for backtesting `area` from `origin` without its own months in England's
/// profile: the profile read again from the other areas' series, and none before the
/// profile's year has ended (it would hold the months being forecast).
pub fn held_out(
    options: &ForecastOptions,
    series: &[Series],
    area: &str,
    origin: Month,
) -> ForecastOptions {
    let year = profile_year_start();
    let england = options.england.and_then(|_| {
        (origin >= year.plus(11))
            .then(|| {
                EnglandProfile::from_series(series.iter().filter(|s| s.area_code != area), year)
            })
            .flatten()
    });
    ForecastOptions {
        england,
        ..*options
    }
}

/// [`rolling_backtest`] with each area scored on [`held_out`] options: what the bench runs
/// over many areas, so no area is scored on a profile its own months made.
pub fn rolling_backtest_held_out(
    series: &[Series],
    origins: &[Month],
    horizon: usize,
    options: &ForecastOptions,
    contenders: &[Contender],
) -> RollingBacktest {
    let mut areas: Vec<&str> = series.iter().map(|s| s.area_code.as_str()).collect();
    areas.sort_unstable();
    areas.dedup();
    let mut out = RollingBacktest {
        scores: Vec::new(),
        skipped: Vec::new(),
    };
    for area in areas {
        let members: Vec<Series> = series
            .iter()
            .filter(|s| s.area_code == area)
            .cloned()
            .collect();
        for &origin in origins {
            let o = held_out(options, series, area, origin);
            let run = rolling_backtest(&members, &[origin], horizon, &o, contenders);
            out.scores.extend(run.scores);
            out.skipped.extend(run.skipped);
        }
    }
    out
}

/// One horizon's calibration of the 80 % range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HorizonCalibration {
    /// Months ahead (1-based).
    pub horizon: usize,
    pub months: usize,
    /// The 80th percentile of |log(actual / forecast)| ÷ the range's own log half-width:
    /// 1 when the range is right, above 1 when too narrow.
    pub q80: f64,
    /// The range's multiple of the noise now, and what would hold 80 % here.
    pub multiple: f64,
    pub calibrated: f64,
    /// Share of the months inside the range when each area's multiple is calibrated on
    /// the other areas only.
    pub leave_one_area_out: f64,
}

/// The 80 % range's errors by horizon over a rolling-origin backtest of the forecaster in
/// use (on [`held_out`] options), as multiples of the range's own half-width, with a leave-one-area-out check.
pub fn interval_calibration(
    series: &[Series],
    origins: &[Month],
    horizon: usize,
    options: &ForecastOptions,
) -> Vec<HorizonCalibration> {
    let mut areas: BTreeMap<&str, Vec<&Series>> = BTreeMap::new();
    for s in series {
        areas.entry(&s.area_code).or_default().push(s);
    }
    // (area, horizon) → standardised errors.
    let mut errors: BTreeMap<(usize, usize), Vec<f64>> = BTreeMap::new();
    for (a, members) in areas.values().enumerate() {
        let first = members[0];
        for &origin in origins {
            let fit_len = first.start.months_until(origin) + 1;
            let after = first.values.len() as i32 - fit_len;
            if fit_len < 3 || after < 1 {
                continue;
            }
            let fit_len = fit_len as usize;
            let h = horizon.min(after as usize);
            let training: Vec<Series> = members.iter().map(|s| s.head(fit_len)).collect();
            let options = held_out(options, series, &first.area_code, origin);
            let Ok(forecasts) = forecast_all(&training, h, &options) else {
                continue;
            };
            for (full, f) in members.iter().zip(&forecasts) {
                for (i, p) in f.points.iter().enumerate() {
                    let actual = full.values[fit_len + i].max(0.5);
                    let half = (p.upper_80 / p.forecast).ln();
                    if half > 0.0 && p.forecast > 0.0 {
                        let z = (actual / p.forecast).ln().abs() / half;
                        errors.entry((a, i + 1)).or_default().push(z);
                    }
                }
            }
        }
    }
    let quantile = |mut v: Vec<f64>, p: f64| -> f64 {
        if v.is_empty() {
            return f64::NAN;
        }
        v.sort_by(f64::total_cmp);
        let x = p * (v.len() - 1) as f64;
        let (lo, hi) = (x.floor() as usize, x.ceil() as usize);
        v[lo] + (v[hi] - v[lo]) * (x - lo as f64)
    };
    (1..=horizon)
        .filter_map(|h| {
            let all: Vec<f64> = errors
                .iter()
                .filter(|((_, hh), _)| *hh == h)
                .flat_map(|(_, v)| v.iter().copied())
                .collect();
            if all.is_empty() {
                return None;
            }
            let (mut inside, mut months) = (0usize, 0usize);
            for a in 0..areas.len() {
                let others: Vec<f64> = errors
                    .iter()
                    .filter(|((aa, hh), _)| *hh == h && *aa != a)
                    .flat_map(|(_, v)| v.iter().copied())
                    .collect();
                let limit = quantile(others, 0.8);
                if let Some(own) = errors.get(&(a, h)) {
                    months += own.len();
                    inside += own.iter().filter(|z| **z <= limit).count();
                }
            }
            let q80 = quantile(all.clone(), 0.8);
            let multiple = crate::rate::interval_multiple(h);
            Some(HorizonCalibration {
                horizon: h,
                months: all.len(),
                q80,
                multiple,
                calibrated: multiple * q80,
                leave_one_area_out: inside as f64 / months.max(1) as f64,
            })
        })
        .collect()
}

/// How the forecaster in use did on one area's own history: the last few origins that
/// leave a year and a month to fit on, each scored up to `horizon` months ahead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaEvidence {
    pub origins: Vec<Month>,
    pub horizon: usize,
    /// The forecaster in use, the working-day naive and the better of naive and
    /// seasonal-naive: mean MASE over the area's series and those origins.
    pub forecaster: MethodSummary,
    pub working_day_naive: MethodSummary,
}

/// The area's evidence, or `None` when its history is too short (under 14 months).
pub fn area_evidence(
    series: &[Series],
    origins: usize,
    horizon: usize,
    options: &ForecastOptions,
) -> Option<AreaEvidence> {
    let first = series.first()?;
    let len = first.values.len();
    if len < 14 {
        return None;
    }
    // The last month with a month after it; the first with 13 months up to it.
    let last = len - 2;
    let earliest = 12.max(last.saturating_sub(origins.max(1) - 1));
    let months: Vec<Month> = (earliest..=last).map(|i| first.month(i)).collect();
    let contenders = [
        Contender::Forecaster(options.method),
        Contender::WorkingDayNaive,
        Contender::Naive,
        Contender::SeasonalNaive,
    ];
    let run = rolling_backtest(series, &months, horizon, options, &contenders);
    let mut summary = run.summary(&contenders).into_iter();
    Some(AreaEvidence {
        origins: months,
        horizon,
        forecaster: summary.next()?,
        working_day_naive: summary.next()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(area: &str, start: Month, values: Vec<f64>) -> Series {
        Series {
            area_code: area.into(),
            hcp_type: "GP".into(),
            appt_mode: None,
            start,
            values,
        }
    }

    #[test]
    fn working_day_naive_by_hand() {
        // February 2021 had 20 working days, March 23, April 20 (Good Friday, Easter Monday).
        let feb = Month::new(2021, 2).unwrap();
        let f = working_day_naive(&[1.0, 2000.0], feb, 2);
        assert_eq!(f, vec![2300.0, 2000.0]);
    }

    #[test]
    fn origins_score_the_months_after_them_and_skip_what_cannot_be_scored() {
        let start = Month::new(2019, 1).unwrap();
        // A rate of 100 a working day: the working-day naive is exact, naive is not.
        let values: Vec<f64> = (0..18)
            .map(|i| 100.0 * f64::from(start.plus(i).working_days()))
            .collect();
        let s = [
            series("A", start, values.clone()),
            series("B", start.plus(6), values[6..18].to_vec()),
        ];
        let origins = [start.plus(13), start.plus(16), start.plus(17)];
        let run =
            rolling_backtest_held_out(&s, &origins, 3, &ForecastOptions::default(), &CONTENDERS);
        let a: Vec<&RollingScore> = run
            .scores
            .iter()
            .filter(|s| s.area_code == "A" && s.method == "wd_naive")
            .collect();
        // From month 13: 3 months; from month 16: 1 (the data ends at 17); 17: nothing.
        assert_eq!(a.iter().map(|s| s.horizon).collect::<Vec<_>>(), vec![3, 1]);
        assert!(
            a.iter()
                .all(|s| s.mase.abs() < 1e-9 && s.covered_80.is_none())
        );
        // B runs from month 6 to 17: its origin 13 is its 8th month, so it is scored too.
        assert_eq!(
            run.scores
                .iter()
                .filter(|s| s.area_code == "B" && s.method == "gpteam")
                .count(),
            2
        );
        assert!(run.skipped.iter().any(|(area, _, o, why)| area == "A"
            && *o == start.plus(17)
            && why.contains("no month after")));
        let summary = run.summary(&CONTENDERS);
        let wd = summary.iter().find(|s| s.method == "wd_naive").unwrap();
        assert_eq!(wd.scored, 4);
        assert!(wd.ratio.abs() < 1e-9);
        let ours = summary.iter().find(|s| s.method == "gpteam").unwrap();
        assert!(ours.coverage_80.is_some_and(|c| (0.0..=1.0).contains(&c)));
        // A flat daily rate is forecast exactly by the forecaster in use as well.
        assert!(ours.mean_mase < 1e-6, "{ours:?}");
    }

    #[test]
    fn an_area_is_backtested_on_englands_profile_without_its_own_months() {
        let year = profile_year_start();
        // A swings 20 % up each October; B is flat: England's profile from A alone has the
        // swing, from B alone none.
        let months = |rate: &dyn Fn(u32) -> f64| -> Vec<f64> {
            (0..24)
                .map(|i| {
                    let m = year.plus(i);
                    rate(m.month) * f64::from(m.working_days())
                })
                .collect()
        };
        let s = [
            series("A", year, months(&|m| if m == 10 { 120.0 } else { 100.0 })),
            series("B", year, months(&|_| 100.0)),
        ];
        let options = ForecastOptions::default();
        let after = year.plus(11);
        let october = |o: &ForecastOptions| o.england.unwrap().for_hcp_type("GP").unwrap()[9];
        assert!(october(&held_out(&options, &s, "A", after)).abs() < 1e-9);
        assert!(october(&held_out(&options, &s, "B", after)) > 0.1);
        // Before the profile's year has ended, none: it would hold the months forecast.
        assert_eq!(held_out(&options, &s, "B", after.plus(-1)).england, None);
        // Switched off stays off.
        let off = ForecastOptions {
            england: None,
            ..options
        };
        assert_eq!(held_out(&off, &s, "B", after).england, None);
    }

    #[test]
    fn an_area_is_judged_on_its_last_origins() {
        let start = Month::new(2019, 3).unwrap();
        let values: Vec<f64> = (0..24)
            .map(|i| 100.0 * f64::from(start.plus(i).working_days()) * (1.0 + 0.01 * i as f64))
            .collect();
        let e = area_evidence(
            &[series("A", start, values.clone())],
            6,
            6,
            &ForecastOptions::default(),
        )
        .unwrap();
        let names: Vec<String> = e.origins.iter().map(Month::to_string).collect();
        assert_eq!(
            names,
            [
                "2020-08", "2020-09", "2020-10", "2020-11", "2020-12", "2021-01"
            ]
        );
        assert_eq!(e.forecaster.scored, 6);
        assert_eq!(e.working_day_naive.method, "wd_naive");
        assert!(
            area_evidence(
                &[series("A", start, values[..13].to_vec())],
                6,
                6,
                &Default::default()
            )
            .is_none()
        );
    }
}
