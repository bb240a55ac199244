//! Demand and capacity, pure: parsed rows in, forecasts, capacity and gaps out. No I/O.
//!
//! - [`calendar`]: months, England and Wales bank holidays and working days.
//! - [`series`]: monthly appointment series per area × HCP type.
//! - [`forecast`]: the forecasters' types and the earlier ETS forecaster.
//! - [`rate`]: the forecaster in use (working-day rate, pooled yearly profile, recovery).
//! - [`rolling`]: the rolling-origin backtest over many areas, with the working-day naive.
//! - [`backtest`]: MASE and sMAPE against naive and seasonal-naive.
//! - [`clinicians`]: the team's clinician types and the national category each is counted under.
pub mod backtest;
pub mod calendar;
pub mod capacity;
pub mod clinicians;
pub mod england;
pub mod forecast;
pub mod history;
pub mod rate;
pub mod rolling;
pub mod scenario;
pub mod series;

pub use calendar::Month;
pub use forecast::{ForecastOptions, ForecastPoint, Method, SeriesForecast, forecast_all};
pub use series::{MonthlyCount, Series, build_series};
