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

/// A series left out: its (area, HCP type) and why.
pub type LeftOut = ((String, String), String);

/// Series from each area × HCP type's monthly counts, checked: one with a month missing
/// between its first and last, or with under 3 months, is left out with the reason, as is
/// one whose months differ from the rest of its area's (an area's series share their
/// months). Returns the series (sorted by area and HCP type) and those left out.
pub fn checked_series(
    counts: BTreeMap<(String, String), BTreeMap<Month, u64>>,
) -> (Vec<Series>, Vec<LeftOut>) {
    let mut left_out = Vec::new();
    let mut whole: Vec<((String, String), Month, Vec<f64>)> = Vec::new();
    for (key, months) in counts {
        let (Some((&first, _)), Some((&last, _))) =
            (months.first_key_value(), months.last_key_value())
        else {
            left_out.push((key, "no months".to_string()));
            continue;
        };
        let span = first.months_until(last) as usize + 1;
        if span != months.len() {
            let missing: Vec<String> = (0..span as i32)
                .map(|i| first.plus(i))
                .filter(|m| !months.contains_key(m))
                .map(|m| m.to_string())
                .collect();
            let shown = if missing.len() > 3 {
                format!("{} and {} more", missing[..3].join(", "), missing.len() - 3)
            } else {
                missing.join(", ")
            };
            left_out.push((key, format!("misses {shown} between {first} and {last}")));
            continue;
        }
        if months.len() < 3 {
            left_out.push((
                key,
                format!(
                    "has {} months ({first} to {last}): at least 3 are needed",
                    months.len()
                ),
            ));
            continue;
        }
        whole.push((key, first, months.values().map(|&v| v as f64).collect()));
    }
    // The months most of an area's series run over.
    let mut runs: BTreeMap<&str, BTreeMap<(Month, usize), usize>> = BTreeMap::new();
    for ((area, _), start, values) in &whole {
        *runs
            .entry(area)
            .or_default()
            .entry((*start, values.len()))
            .or_default() += 1;
    }
    let common: BTreeMap<String, (Month, usize)> = runs
        .into_iter()
        .map(|(area, counts)| {
            let run = counts
                .into_iter()
                .max_by_key(|&((start, len), n)| (n, len, std::cmp::Reverse(start)))
                .map(|(run, _)| run)
                .expect("a run");
            (area.to_string(), run)
        })
        .collect();
    let mut series = Vec::new();
    for ((area, hcp), start, values) in whole {
        let (s, len) = common[&area];
        if (start, values.len()) != (s, len) {
            let reason = format!(
                "runs from {start} to {}, the rest of {area} from {s} to {}",
                start.plus(values.len() as i32 - 1),
                s.plus(len as i32 - 1)
            );
            left_out.push(((area, hcp), reason));
            continue;
        }
        series.push(Series {
            area_code: area,
            hcp_type: hcp,
            appt_mode: None,
            start,
            values,
        });
    }
    (series, left_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_short_series_and_odd_runs_are_left_out_with_why() {
        let m = |y, n| Month::new(y, n).unwrap();
        let run = |from: Month, n: i32, skip: Option<i32>| -> BTreeMap<Month, u64> {
            (0..n)
                .filter(|i| Some(*i) != skip)
                .map(|i| (from.plus(i), 10 + i as u64))
                .collect()
        };
        let key = |a: &str, h: &str| (a.to_string(), h.to_string());
        let counts = BTreeMap::from([
            (key("A", "GP"), run(m(2019, 3), 6, None)),
            (key("A", "Other"), run(m(2019, 3), 6, None)),
            (key("A", "Unknown"), run(m(2019, 4), 5, None)),
            (key("B", "GP"), run(m(2019, 3), 6, Some(2))),
            (key("C", "GP"), run(m(2019, 3), 2, None)),
        ]);
        let (series, left_out) = checked_series(counts);
        assert_eq!(series.len(), 2);
        assert_eq!(series[0].values, vec![10.0, 11.0, 12.0, 13.0, 14.0, 15.0]);
        let why: BTreeMap<_, _> = left_out.into_iter().collect();
        assert_eq!(
            why[&key("A", "Unknown")],
            "runs from 2019-04 to 2019-08, the rest of A from 2019-03 to 2019-08"
        );
        assert_eq!(
            why[&key("B", "GP")],
            "misses 2019-05 between 2019-03 and 2019-08"
        );
        assert_eq!(
            why[&key("C", "GP")],
            "has 2 months (2019-03 to 2019-04): at least 3 are needed"
        );
    }
}
