//! What every forecaster reads from a history and what it returns: the method and its
//! options, the forecast types, and the shape of a series — its log working-day rate, level
//! shifts and yearly profile. [`crate::forecast::forecast_all`] is the entry point.
use crate::calendar::Month;
use crate::england::{ENGLAND_2019_20, EnglandProfile};
use crate::series::Series;
use serde::Serialize;

/// Which forecaster runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Last month's appointments per working day, a yearly profile pooled with England's,
    /// and a partial recovery after a fall; intervals from the backtest's errors
    /// ([`crate::rate`]).
    Rate,
    /// The earlier forecaster: ETS on the working-day rate after level shifts.
    Ets,
}

impl Method {
    /// The method's name in the bench's columns.
    pub fn code(self) -> &'static str {
        match self {
            Method::Rate => "gpteam",
            Method::Ets => "ets",
        }
    }

    /// What the method does, in a manager's words.
    pub fn description(self) -> &'static str {
        match self {
            Method::Rate => {
                "last month's appointments per working day, times each coming month's working days, adjusted by the yearly pattern (this staff group's, leaning on England's while there is only a year or two of undisturbed history) and, after a fall, a partial return towards the level before it"
            }
            Method::Ets => {
                "exponential smoothing of the appointments per working day after level shifts"
            }
        }
    }
}

/// Tuning of the forecaster; `Default` is what the product and the CLI use, for every area.
#[derive(Debug, Clone, Copy)]
pub struct ForecastOptions {
    pub method: Method,
    /// Smallest move of the log daily rate that counts as a level shift.
    pub shift_threshold: f64,
    /// A shift must also exceed this many times the median month-to-month move.
    pub shift_noise_multiple: f64,
    /// Fewest months since the last shift to fit the level on those months alone.
    pub min_segment_fit: usize,
    /// Coverage of the prediction interval (of [`Method::Ets`]; [`Method::Rate`]'s 80 %
    /// interval comes from the backtest's errors).
    pub interval_level: f64,
    /// [`Method::Rate`]: whether a yearly profile is used at all.
    pub yearly_profile: bool,
    /// [`Method::Rate`]: a series' own yearly profile is weighted `years / (years + this)`
    /// against England's (or, for a type England's has not, its area's total's), `years`
    /// being the undisturbed years it is read from.
    pub profile_prior_years: f64,
    /// [`Method::Rate`]: England's yearly profile by HCP type, which a series' own leans on.
    pub england: Option<EnglandProfile>,
    /// [`Method::Rate`]: after a fall, the share of the gap to the level before it that is
    /// still open a month later (so `1 - this` of the gap closes each month).
    pub recovery_keep: f64,
    /// [`Method::Rate`]: a fall older than this many months counts as the new normal.
    pub recovery_months: usize,
}

impl Default for ForecastOptions {
    fn default() -> Self {
        ForecastOptions {
            method: Method::Rate,
            shift_threshold: 0.2,
            shift_noise_multiple: 4.0,
            min_segment_fit: 8,
            interval_level: 0.8,
            yearly_profile: true,
            profile_prior_years: 2.0,
            england: Some(ENGLAND_2019_20),
            recovery_keep: 0.9,
            recovery_months: 24,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ForecastPoint {
    pub month: Month,
    pub working_days: u32,
    pub forecast: f64,
    pub lower_80: f64,
    pub upper_80: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesForecast {
    pub area_code: String,
    pub hcp_type: String,
    pub appt_mode: Option<String>,
    pub points: Vec<ForecastPoint>,
    /// First months of each level shift found in the area's history.
    pub level_shifts: Vec<Month>,
    /// Whether a yearly profile could be estimated (a year without a shift).
    pub seasonal: bool,
    pub method: Method,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ForecastError {
    #[error("{area_code} {hcp_type}: at least 3 months of history are needed, found {months}")]
    TooShort {
        area_code: String,
        hcp_type: String,
        months: usize,
    },
}

/// The area's series' months, or the error of an area with under 3.
pub(crate) fn check_length(members: &[&Series]) -> Result<usize, ForecastError> {
    let first = members[0];
    let len = first.values.len();
    if len < 3 {
        return Err(ForecastError::TooShort {
            area_code: first.area_code.clone(),
            hcp_type: first.hcp_type.clone(),
            months: len,
        });
    }
    Ok(len)
}

/// log(appointments per working day); a month with no appointments counts as half of one.
pub(crate) fn log_daily_rate(values: &[f64], working_days: &[f64]) -> Vec<f64> {
    values
        .iter()
        .zip(working_days)
        .map(|(v, d)| (v.max(0.5) / d).ln())
        .collect()
}

/// Indexes where a new level begins.
pub(crate) fn level_shifts(y: &[f64], options: &ForecastOptions) -> Vec<usize> {
    let mut moves: Vec<f64> = y.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    if moves.is_empty() {
        return Vec::new();
    }
    moves.sort_by(f64::total_cmp);
    let typical_move = moves[moves.len() / 2];
    let threshold = options
        .shift_threshold
        .max(options.shift_noise_multiple * typical_move);
    let mut shifts = Vec::new();
    let mut segment_start = 0;
    let mut t = 1;
    while t + 1 < y.len() {
        let base = &y[segment_start.max(t.saturating_sub(6))..t];
        if base.len() >= 3 {
            let level = median(base);
            let (a, b) = (y[t] - level, y[t + 1] - level);
            if a.abs() > threshold && b.abs() > threshold && a.signum() == b.signum() {
                shifts.push(t);
                segment_start = t;
                t += 2;
                continue;
            }
        }
        t += 1;
    }
    shifts
}

pub(crate) fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

/// Log factors by calendar month, centred on zero.
pub(crate) struct YearlyProfile {
    pub(crate) factors: [f64; 12],
    pub(crate) estimated: bool,
    /// The fewest undisturbed months any calendar month's factor is read from.
    pub(crate) years: usize,
}

impl YearlyProfile {
    pub(crate) fn factor(&self, month: Month) -> f64 {
        self.factors[month.month as usize - 1]
    }
}

pub(crate) fn yearly_profile(y: &[f64], months: &[Month], shifts: &[usize]) -> YearlyProfile {
    let mut sums = [0.0; 12];
    let mut counts = [0usize; 12];
    let mut bounds = vec![0];
    bounds.extend_from_slice(shifts);
    bounds.push(y.len());
    for pair in bounds.windows(2) {
        let (start, mut end) = (pair[0], pair[1]);
        if end < y.len() {
            end -= 1; // the month before a shift straddles two levels
        }
        if end <= start || end - start < 12 {
            continue;
        }
        let segment = &y[start..end];
        let mean = segment.iter().sum::<f64>() / segment.len() as f64;
        // Over two years or more, a straight line takes out growth before the profile is read.
        let slope = if segment.len() >= 24 {
            least_squares_slope(segment)
        } else {
            0.0
        };
        let centre = (segment.len() as f64 - 1.0) / 2.0;
        for (i, value) in segment.iter().enumerate() {
            let m = months[start + i].month as usize - 1;
            sums[m] += value - mean - slope * (i as f64 - centre);
            counts[m] += 1;
        }
    }
    if counts.contains(&0) {
        return YearlyProfile {
            factors: [0.0; 12],
            estimated: false,
            years: 0,
        };
    }
    let mut factors = [0.0; 12];
    for m in 0..12 {
        factors[m] = sums[m] / counts[m] as f64;
    }
    let mean = factors.iter().sum::<f64>() / 12.0;
    factors.iter_mut().for_each(|f| *f -= mean);
    YearlyProfile {
        factors,
        estimated: true,
        years: counts.iter().copied().min().unwrap_or(0),
    }
}

fn least_squares_slope(y: &[f64]) -> f64 {
    let n = y.len() as f64;
    let x_mean = (n - 1.0) / 2.0;
    let y_mean = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, v) in y.iter().enumerate() {
        let dx = i as f64 - x_mean;
        sxy += dx * (v - y_mean);
        sxx += dx * dx;
    }
    if sxx == 0.0 { 0.0 } else { sxy / sxx }
}
