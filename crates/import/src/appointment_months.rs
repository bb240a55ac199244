//! A GPAD file read for forecasting: monthly appointments by area × HCP type, where a bad
//! row spoils only its own series. Unlike [`crate::read_appointments`] (which an import
//! uses, all or nothing), a negative or non-numeric count, or a month repeated (a run of an
//! area's rows for a month or day identical to an earlier run of the same area and month),
//! leaves that area × HCP type out with the reason, and the rest of the file is kept.
//!
//! Several rows with the same labels are not a repeat on their own: a merged CCG's file
//! holds one row per predecessor (summed here as the import does).
use crate::appointments::{DAILY_COLUMNS, MONTHLY_COLUMNS};
use crate::problems::{ImportError, quote};
use chrono::{Datelike, NaiveDate};
use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::io::Read;

/// (area code, HCP type).
pub type SeriesKey = (String, String);

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AppointmentMonths {
    /// Appointments by series and month (the first day of the month), series without a
    /// problem only.
    pub months: BTreeMap<SeriesKey, BTreeMap<NaiveDate, u64>>,
    /// Series left out, with the first reason found (row numbers as a spreadsheet shows
    /// them, the header being row 1).
    pub left_out: BTreeMap<SeriesKey, String>,
    /// Rows that belong to no series (an empty area or HCP type, a bad date), with why.
    pub bad_rows: Vec<String>,
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// `MAR2019` (monthly) or `03MAR2019` (daily) → that month's first day and the day.
fn parse_period(daily: bool, text: &str) -> Option<(NaiveDate, NaiveDate)> {
    let text = text.trim();
    if !text.is_ascii() {
        return None;
    }
    let (day, rest) = match (daily, text.len()) {
        (false, 7) => (1, text),
        (true, 9) => (text[..2].parse().ok()?, &text[2..]),
        _ => return None,
    };
    let month = MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(&rest[..3]))? as u32
        + 1;
    let year: i32 = rest[3..].parse().ok()?;
    if !(1990..=2200).contains(&year) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    Some((date.with_day(1).expect("day 1"), date))
}

/// Reads a whole file. Only a file that cannot be read as CSV, or whose header is neither
/// GPAD layout, is an error.
pub fn read_appointment_months(
    file_name: &str,
    reader: impl Read,
) -> Result<AppointmentMonths, ImportError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = csv::StringRecord::new();
    let not_csv = |e: csv::Error| ImportError::file(file_name, format!("is not valid CSV: {e}"));
    if !csv.read_record(&mut record).map_err(not_csv)? {
        return Err(ImportError::file(file_name, "the file is empty"));
    }
    let header: Vec<String> = record
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let has = |names: &[&str]| {
        names
            .iter()
            .all(|n| header.iter().any(|h| h.eq_ignore_ascii_case(n)))
    };
    let daily = if has(&MONTHLY_COLUMNS) {
        false
    } else if has(&DAILY_COLUMNS) {
        true
    } else {
        return Err(ImportError::file(
            file_name,
            "is not a GPAD appointments file: the header has neither CCG_CODE … Appointment_Month … nor SUB_ICB_LOCATION_CODE … Appointment_Date …",
        ));
    };
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
            .expect("checked")
    };
    let (area_col, period_col) = if daily {
        (column("SUB_ICB_LOCATION_CODE"), column("Appointment_Date"))
    } else {
        (column("CCG_CODE"), column("Appointment_Month"))
    };
    let hcp_col = column("HCP_TYPE");
    let count_col = column("COUNT_OF_APPOINTMENTS");
    let key_cols = [
        column("APPT_STATUS"),
        column("APPT_MODE"),
        column("TIME_BETWEEN_BOOK_AND_APPT"),
    ];

    let mut out = AppointmentMonths::default();
    let mut blocks = Blocks::default();
    let mut row = 1usize;
    while csv.read_record(&mut record).map_err(not_csv)? {
        row += 1;
        let get = |i: usize| record.get(i).unwrap_or("").trim();
        let (area, hcp) = (get(area_col), get(hcp_col));
        if record.len() != header.len() || area.is_empty() || hcp.is_empty() {
            out.bad_rows.push(format!(
                "row {row}: has {} fields (the header has {}), or no area or HCP type",
                record.len(),
                header.len()
            ));
            continue;
        }
        let key = (area.to_string(), hcp.to_string());
        if out.left_out.contains_key(&key) {
            continue;
        }
        let period = get(period_col);
        let Some((month, _)) = parse_period(daily, period) else {
            out.left_out.insert(
                key,
                format!(
                    "row {row}: {}: {} is not {}",
                    header[period_col],
                    quote(period),
                    if daily {
                        "a date like 03JAN2024"
                    } else {
                        "a month like MAR2019"
                    }
                ),
            );
            continue;
        };
        let raw = get(count_col);
        let Ok(count) = raw.parse::<i64>() else {
            out.left_out.insert(
                key,
                format!(
                    "row {row}: COUNT_OF_APPOINTMENTS: {} is not a whole number",
                    quote(raw)
                ),
            );
            continue;
        };
        if count < 0 {
            out.left_out.insert(
                key,
                format!("row {row}: COUNT_OF_APPOINTMENTS: {count} is negative"),
            );
            continue;
        }
        blocks.row(
            &mut out,
            row,
            area,
            period,
            [
                get(hcp_col),
                get(key_cols[0]),
                get(key_cols[1]),
                get(key_cols[2]),
                raw,
            ],
            &key,
        );
        *out.months.entry(key).or_default().entry(month).or_default() += count as u64;
    }
    blocks.finish(&mut out);
    for key in out.left_out.keys() {
        out.months.remove(key);
    }
    Ok(out)
}

/// A run being read: area, period text, first row, its rows' labels and counts, the
/// series in it.
type Run = (String, String, usize, Vec<String>, BTreeSet<SeriesKey>);
/// (area, period) → (hash of a run's rows, first row, last row) of each finished run.
type Finished = HashMap<(String, String), Vec<(u64, usize, usize)>>;

/// Runs of rows of one area and month (or day), to find a run repeated.
#[derive(Default)]
struct Blocks {
    /// The run being read: area, period text, first row, its rows' labels and counts,
    /// the series in it.
    current: Option<Run>,
    last_row: usize,
    /// Finished runs: (area, period) → (hash of its rows, first row, last row).
    done: Finished,
}

impl Blocks {
    fn row(
        &mut self,
        out: &mut AppointmentMonths,
        row: usize,
        area: &str,
        period: &str,
        fields: [&str; 5],
        key: &SeriesKey,
    ) {
        let same = self
            .current
            .as_ref()
            .is_some_and(|(a, p, ..)| a == area && p == period);
        if !same {
            self.finish(out);
            self.current = Some((
                area.to_string(),
                period.to_string(),
                row,
                Vec::new(),
                BTreeSet::new(),
            ));
        }
        let (_, _, _, rows, keys) = self.current.as_mut().expect("a run");
        rows.push(fields.join("\u{1f}"));
        keys.insert(key.clone());
        self.last_row = row;
    }

    fn finish(&mut self, out: &mut AppointmentMonths) {
        let Some((area, period, first, mut rows, keys)) = self.current.take() else {
            return;
        };
        rows.sort();
        let mut hasher = DefaultHasher::new();
        rows.hash(&mut hasher);
        let hash = hasher.finish();
        let earlier = self.done.entry((area, period.clone())).or_default();
        if let Some((_, from, to)) = earlier.iter().find(|(h, ..)| *h == hash) {
            for key in keys {
                out.left_out.entry(key).or_insert_with(|| {
                    format!(
                        "{period} is repeated: rows {first} to {} are the same as rows {from} to {to}",
                        self.last_row
                    )
                });
            }
        }
        earlier.push((hash, first, self.last_row));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "CCG_CODE,CCG_ONS_CODE,CCG_NAME,STP_ONS,STPNM,REGION_ONS_CODE,REGION_NAME,Appointment_Month,APPT_STATUS,HCP_TYPE,APPT_MODE,TIME_BETWEEN_BOOK_AND_APPT,COUNT_OF_APPOINTMENTS";

    fn row(area: &str, month: &str, hcp: &str, lead: &str, count: &str) -> String {
        format!(
            "{area},E1,\"NHS A, B and C CCG\",E5,S,E4,R,{month},Attended,{hcp},Telephone,{lead},{count}"
        )
    }

    #[test]
    fn a_bad_row_leaves_out_only_its_series() {
        let text = [
            HEADER.to_string(),
            row("A", "MAR2019", "GP", "Same Day", "3"),
            row("A", "MAR2019", "GP", "1 Day", "4"),
            row("A", "APR2019", "GP", "Same Day", "5"),
            row("A", "MAR2019", "Unknown", "Same Day", "-1"),
            row("B", "MAR2019", "GP", "Same Day", "x"),
            row("C", "MAR2019", "GP", "Same Day", "1"),
            row("C", "APR2019", "GP", "Same Day", "2"),
            row("C", "MAR2019", "GP", "Same Day", "1"),
            row("D", "MAY2O19", "GP", "Same Day", "1"),
            // A merged CCG: one row per predecessor, the same labels, summed.
            row("E", "MAR2019", "GP", "Same Day", "1"),
            row("E", "MAR2019", "GP", "Same Day", "1"),
            row("E", "APR2019", "GP", "Same Day", "1"),
            row("E", "APR2019", "GP", "Same Day", "2"),
        ]
        .join("\n");
        let m = read_appointment_months("f.csv", text.as_bytes()).unwrap();
        let mar = NaiveDate::from_ymd_opt(2019, 3, 1).unwrap();
        let apr = NaiveDate::from_ymd_opt(2019, 4, 1).unwrap();
        let a = &m.months[&("A".to_string(), "GP".to_string())];
        assert_eq!((a[&mar], a[&apr]), (7, 5));
        let e = &m.months[&("E".to_string(), "GP".to_string())];
        assert_eq!((e[&mar], e[&apr]), (2, 3));
        assert_eq!(m.months.len(), 2);
        let why = |area: &str, hcp: &str| m.left_out[&(area.to_string(), hcp.to_string())].clone();
        assert_eq!(
            why("A", "Unknown"),
            "row 5: COUNT_OF_APPOINTMENTS: -1 is negative"
        );
        assert_eq!(
            why("B", "GP"),
            "row 6: COUNT_OF_APPOINTMENTS: 'x' is not a whole number"
        );
        assert_eq!(
            why("C", "GP"),
            "MAR2019 is repeated: rows 9 to 9 are the same as rows 7 to 7"
        );
        assert_eq!(
            why("D", "GP"),
            "row 10: Appointment_Month: 'MAY2O19' is not a month like MAR2019"
        );
    }

    #[test]
    fn a_file_of_another_kind_is_refused() {
        let err = read_appointment_months("f.csv", "a,b\n1,2\n".as_bytes()).unwrap_err();
        assert!(
            err.to_string().contains("not a GPAD appointments file"),
            "{err}"
        );
    }
}
