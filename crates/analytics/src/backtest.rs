//! Backtests: hold out the last months, forecast them, and score the forecaster beside the
//! naive and seasonal-naive benchmarks with MASE and sMAPE.
use crate::forecast::{ForecastError, ForecastOptions, forecast_all};
use crate::series::Series;
use serde::Serialize;

pub const METHODS: [&str; 3] = ["gpteam", "naive", "seasonal_naive"];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub area_code: String,
    pub hcp_type: String,
    pub appt_mode: Option<String>,
    pub method: &'static str,
    pub mase: f64,
    pub smape: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Backtest {
    pub holdout: usize,
    /// One score per series and method, series in order, methods as in [`METHODS`].
    pub scores: Vec<Score>,
}

impl Backtest {
    /// Mean MASE and sMAPE of one method over the series.
    pub fn mean(&self, method: &str) -> (f64, f64) {
        let scores: Vec<&Score> = self.scores.iter().filter(|s| s.method == method).collect();
        let n = scores.len().max(1) as f64;
        (
            scores.iter().map(|s| s.mase).sum::<f64>() / n,
            scores.iter().map(|s| s.smape).sum::<f64>() / n,
        )
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum BacktestError {
    #[error("cannot hold out {holdout} of {months} months: leave at least 3 to fit on")]
    HoldoutTooLong { holdout: usize, months: usize },
    #[error("there are no complete series to test")]
    NoSeries,
    #[error(transparent)]
    Forecast(#[from] ForecastError),
}

pub fn backtest(
    series: &[Series],
    holdout: usize,
    options: &ForecastOptions,
) -> Result<Backtest, BacktestError> {
    let months = series.first().ok_or(BacktestError::NoSeries)?.values.len();
    if holdout == 0 || holdout + 3 > months {
        return Err(BacktestError::HoldoutTooLong { holdout, months });
    }
    let train_len = months - holdout;
    let training: Vec<Series> = series.iter().map(|s| s.head(train_len)).collect();
    let ours = forecast_all(&training, holdout, options)?;
    let mut scores = Vec::with_capacity(series.len() * METHODS.len());
    for (full, train) in series.iter().zip(&training) {
        let actual = &full.values[train_len..];
        let mine = ours
            .iter()
            .find(|f| {
                f.area_code == full.area_code
                    && f.hcp_type == full.hcp_type
                    && f.appt_mode == full.appt_mode
            })
            .expect("a forecast for every series");
        let mine: Vec<f64> = mine.points.iter().map(|p| p.forecast).collect();
        let forecasts = [
            mine,
            naive(&train.values, holdout),
            seasonal_naive(&train.values, holdout),
        ];
        let scale = mase_scale(&train.values);
        for (method, forecast) in METHODS.iter().zip(forecasts) {
            scores.push(Score {
                area_code: full.area_code.clone(),
                hcp_type: full.hcp_type.clone(),
                appt_mode: full.appt_mode.clone(),
                method,
                mase: mean_absolute_error(&forecast, actual) / scale,
                smape: smape(&forecast, actual),
            });
        }
    }
    Ok(Backtest { holdout, scores })
}

/// The last value, repeated.
pub fn naive(train: &[f64], horizon: usize) -> Vec<f64> {
    vec![*train.last().expect("a training value"); horizon]
}

/// The value of the same month a year before; the naive forecast when under a year of data.
pub fn seasonal_naive(train: &[f64], horizon: usize) -> Vec<f64> {
    let t = train.len();
    if t < 12 {
        return naive(train, horizon);
    }
    (0..horizon).map(|h| train[t - 12 + h % 12]).collect()
}

/// The in-sample mean absolute seasonal (lag 12, or lag 1 with a year or less) difference;
/// 1 when that is zero.
pub fn mase_scale(train: &[f64]) -> f64 {
    let lag = if train.len() > 12 { 12 } else { 1 };
    let diffs: Vec<f64> = (lag..train.len())
        .map(|t| (train[t] - train[t - lag]).abs())
        .collect();
    let scale = diffs.iter().sum::<f64>() / diffs.len().max(1) as f64;
    if scale > 0.0 { scale } else { 1.0 }
}

pub fn mean_absolute_error(forecast: &[f64], actual: &[f64]) -> f64 {
    forecast
        .iter()
        .zip(actual)
        .map(|(f, a)| (f - a).abs())
        .sum::<f64>()
        / actual.len() as f64
}

/// Symmetric mean absolute percentage error, 0–200.
pub fn smape(forecast: &[f64], actual: &[f64]) -> f64 {
    forecast
        .iter()
        .zip(actual)
        .map(|(f, a)| {
            let denominator = f.abs() + a.abs();
            if denominator == 0.0 {
                0.0
            } else {
                200.0 * (f - a).abs() / denominator
            }
        })
        .sum::<f64>()
        / actual.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benchmarks_and_metrics_by_hand() {
        let train: Vec<f64> = (1..=14).map(f64::from).collect();
        assert_eq!(naive(&train, 2), vec![14.0, 14.0]);
        assert_eq!(seasonal_naive(&train, 3), vec![3.0, 4.0, 5.0]);
        assert_eq!(seasonal_naive(&train[..5], 2), vec![5.0, 5.0]);
        // Lag-12 differences of 1..14 are all 12.
        assert_eq!(mase_scale(&train), 12.0);
        assert_eq!(mase_scale(&train[..5]), 1.0);
        assert_eq!(mean_absolute_error(&[1.0, 5.0], &[2.0, 2.0]), 2.0);
        assert!((smape(&[100.0, 0.0], &[50.0, 0.0]) - 33.333).abs() < 0.001);
    }
}
