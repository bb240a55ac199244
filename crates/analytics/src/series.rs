//! Monthly appointment series: one per area × HCP type, over one shared run of months.
use crate::calendar::Month;
use serde::Serialize;
use std::collections::BTreeMap;

/// Appointments of one area, HCP type and month (summed over status, mode and lead time).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthlyCount {
    pub area_code: String,
    pub hcp_type: String,
    /// Set when series are kept apart by mode too (face-to-face, telephone, …).
    pub appt_mode: Option<String>,
    pub month: Month,
    pub appointments: u64,
}

/// One area × HCP type series: `values[i]` is the count of month `start + i`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub area_code: String,
    pub hcp_type: String,
    pub appt_mode: Option<String>,
    pub start: Month,
    pub values: Vec<f64>,
}

impl Series {
    pub fn month(&self, index: usize) -> Month {
        self.start.plus(index as i32)
    }

    pub fn last_month(&self) -> Month {
        self.month(self.values.len() - 1)
    }

    /// The first `len` months.
    pub fn head(&self, len: usize) -> Series {
        Series {
            values: self.values[..len].to_vec(),
            ..self.clone()
        }
    }
}

/// The key of a series: area, HCP type and (optionally) mode.
pub type SeriesKey = (String, String, Option<String>);

/// The series of a set of counts, sorted by area, HCP type and mode, and the keys of series
/// left out because they miss a month of the counts' full run of months.
pub fn build_series<'a>(
    counts: impl IntoIterator<Item = &'a MonthlyCount>,
) -> (Vec<Series>, Vec<SeriesKey>) {
    type Cells<'a> = BTreeMap<(&'a str, &'a str, Option<&'a str>), BTreeMap<Month, u64>>;
    let mut cells: Cells = BTreeMap::new();
    let mut first: Option<Month> = None;
    let mut last: Option<Month> = None;
    for c in counts {
        *cells
            .entry((
                c.area_code.as_str(),
                c.hcp_type.as_str(),
                c.appt_mode.as_deref(),
            ))
            .or_default()
            .entry(c.month)
            .or_default() += c.appointments;
        first = Some(first.map_or(c.month, |f| f.min(c.month)));
        last = Some(last.map_or(c.month, |l| l.max(c.month)));
    }
    let (Some(first), Some(last)) = (first, last) else {
        return (Vec::new(), Vec::new());
    };
    let len = first.months_until(last) as usize + 1;
    let mut series = Vec::new();
    let mut skipped = Vec::new();
    for ((area, hcp, mode), months) in cells {
        if months.len() == len {
            series.push(Series {
                area_code: area.to_string(),
                hcp_type: hcp.to_string(),
                appt_mode: mode.map(str::to_string),
                start: first,
                values: months.values().map(|&v| v as f64).collect(),
            });
        } else {
            skipped.push((area.to_string(), hcp.to_string(), mode.map(str::to_string)));
        }
    }
    (series, skipped)
}
