//! "How this forecast was made": the method the demand forecast used and how it did in a
//! backtest on the area's own history, for the demand page and the evidence pack.
use analytics::rolling::{AreaEvidence, area_evidence};
use analytics::{ForecastOptions, Month, Series};
use serde::{Deserialize, Serialize};

/// Origins of an area's own backtest (its last months with a month after them).
pub const NOTE_ORIGINS: usize = 6;
/// Months ahead scored from each.
pub const NOTE_HORIZON: usize = 6;

/// One area's note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastNote {
    pub area_code: String,
    pub area_name: String,
    /// The method's code (`gpteam`) and what it does, in a manager's words.
    pub method: String,
    pub method_description: String,
    /// The area's backtest, when its history is long enough (14 months or more).
    pub backtest: Option<NoteBacktest>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteBacktest {
    /// First and last origin (`YYYY-MM`) and their count.
    pub first_origin: String,
    pub last_origin: String,
    pub origins: usize,
    pub horizon: usize,
    /// Mean MASE ÷ the better of naive and seasonal-naive: below 1 beats them.
    pub ratio: f64,
    /// The same for last month's appointments per working day × working days.
    pub working_day_naive_ratio: f64,
    /// Share of the months scored inside the 80 % range.
    pub coverage_80: Option<f64>,
}

fn key(m: Month) -> String {
    format!("{:04}-{:02}", m.year, m.month)
}

/// The note of one area from its complete series (all HCP types).
pub fn note(area_code: &str, area_name: &str, series: &[Series]) -> ForecastNote {
    let options = ForecastOptions::default();
    let backtest =
        area_evidence(series, NOTE_ORIGINS, NOTE_HORIZON, &options).map(|e: AreaEvidence| {
            NoteBacktest {
                first_origin: e.origins.first().map(|m| key(*m)).unwrap_or_default(),
                last_origin: e.origins.last().map(|m| key(*m)).unwrap_or_default(),
                origins: e.origins.len(),
                horizon: e.horizon,
                ratio: e.forecaster.ratio,
                working_day_naive_ratio: e.working_day_naive.ratio,
                coverage_80: e.forecaster.coverage_80,
            }
        });
    ForecastNote {
        area_code: area_code.to_string(),
        area_name: area_name.to_string(),
        method: options.method.code().to_string(),
        method_description: options.method.description().to_string(),
        backtest,
    }
}

/// "Jan 2021" for `2021-01`.
fn month_label(key: &str) -> String {
    chrono::NaiveDate::parse_from_str(&format!("{key}-01"), "%Y-%m-%d")
        .map(|d| d.format("%b %Y").to_string())
        .unwrap_or_else(|_| key.to_string())
}

impl ForecastNote {
    pub fn interval_sentence(&self) -> &'static str {
        INTERVAL_SENTENCE
    }

    /// The backtest in one sentence, in users' words.
    pub fn backtest_sentence(&self) -> String {
        let Some(b) = &self.backtest else {
            return format!(
                "{} ({}): under 14 months of appointments, too few to test the forecast on its own history yet.",
                self.area_name, self.area_code
            );
        };
        let percent = |r: f64| format!("{:.0} %", r * 100.0);
        let coverage = b
            .coverage_80
            .map(|c| {
                format!(
                    " {} of the actual months fell inside its 80 % range.",
                    percent(c)
                )
            })
            .unwrap_or_default();
        format!(
            "{} ({}): forecasting up to {} months ahead from each of the {} months {} to {}, its errors were {} of those of the better simple forecast (the last month, or the same month a year before); last month's appointments per working day alone scored {}.{}",
            self.area_name,
            self.area_code,
            b.horizon,
            b.origins,
            month_label(&b.first_origin),
            month_label(&b.last_origin),
            percent(b.ratio),
            percent(b.working_day_naive_ratio),
            coverage
        )
    }
}

fn whole(value: f64) -> String {
    let digits = (value.round().max(0.0) as u64).to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl super::DemandCapacity {
    /// The first forecast month of each HCP type with its 80 % range, e.g. "GP, Mar 2021:
    /// 12,300 (80 % range 11,000 to 13,700)".
    pub fn first_forecast_ranges(&self) -> Vec<String> {
        let mut seen = std::collections::BTreeSet::new();
        self.rows
            .iter()
            .filter(|r| r.forecast && seen.insert(r.hcp_type.clone()))
            .map(|r| {
                let range = match (r.lower_80, r.upper_80) {
                    (Some(lo), Some(hi)) => {
                        format!(" (80 % range {} to {})", whole(lo), whole(hi))
                    }
                    _ => String::new(),
                };
                format!(
                    "{}, {}: {} appointments{range}",
                    r.hcp_type,
                    r.month.first_day().format("%b %Y"),
                    whole(r.demand)
                )
            })
            .collect()
    }
}

/// What the 80 % range is, in one sentence.
pub const INTERVAL_SENTENCE: &str = "The 80 % range is the forecast up and down by a factor from the area's own month-to-month variation, sized by how far forecasts missed in a backtest over 17 areas of England: about 4 months in 5 should fall inside it.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_history_says_so_and_a_long_one_gives_figures() {
        let start = Month::new(2019, 3).unwrap();
        let values: Vec<f64> = (0..24)
            .map(|i| {
                100.0 * f64::from(start.plus(i).working_days()) * (1.0 + 0.02 * (i % 3) as f64)
            })
            .collect();
        let series = |n: usize| Series {
            area_code: "06L".into(),
            hcp_type: "GP".into(),
            appt_mode: None,
            start,
            values: values[..n].to_vec(),
        };
        let short = note("06L", "Ipswich", &[series(10)]);
        assert!(short.backtest.is_none());
        assert!(short.backtest_sentence().contains("too few to test"));
        let long = note("06L", "Ipswich", &[series(24)]);
        assert_eq!(long.method, "gpteam");
        let b = long.backtest.as_ref().unwrap();
        assert_eq!(
            (b.first_origin.as_str(), b.last_origin.as_str()),
            ("2020-08", "2021-01")
        );
        let sentence = long.backtest_sentence();
        assert!(
            sentence.contains("from each of the 6 months Aug 2020 to Jan 2021"),
            "{sentence}"
        );
        assert!(sentence.contains("80 % range"), "{sentence}");
    }
}
