//! NHS England's *Appointments in General Practice* (GPAD) CSV files, in either published
//! layout: the monthly CCG-level "Regional CSV" or the daily sub-ICB file. The layout is
//! told from the header. The file is streamed and summed as it is read, by area × day or
//! month × HCP type × mode × status (the booking lead time is summed over), so a national
//! month of millions of rows needs memory only for the sums.
use crate::problems::{ImportError, Problems, RowProblem};
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;

/// Which published layout a file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum AppointmentFormat {
    /// `CCG_CODE … Appointment_Month …`: one row per CCG and month.
    MonthlyCcg,
    /// `SUB_ICB_LOCATION_CODE … Appointment_Date …`: one row per sub-ICB location and day.
    DailySubIcb,
}

impl AppointmentFormat {
    pub fn code(self) -> &'static str {
        match self {
            AppointmentFormat::MonthlyCcg => "monthly_ccg",
            AppointmentFormat::DailySubIcb => "daily_sub_icb",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AppointmentFormat::MonthlyCcg => "monthly, CCG level",
            AppointmentFormat::DailySubIcb => "daily, sub-ICB level",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            AppointmentFormat::MonthlyCcg => &MONTHLY_COLUMNS,
            AppointmentFormat::DailySubIcb => &DAILY_COLUMNS,
        }
    }

    fn period_column(self) -> &'static str {
        match self {
            AppointmentFormat::MonthlyCcg => "Appointment_Month",
            AppointmentFormat::DailySubIcb => "Appointment_Date",
        }
    }
}

pub const MONTHLY_COLUMNS: [&str; 13] = [
    "CCG_CODE",
    "CCG_ONS_CODE",
    "CCG_NAME",
    "STP_ONS",
    "STPNM",
    "REGION_ONS_CODE",
    "REGION_NAME",
    "Appointment_Month",
    "APPT_STATUS",
    "HCP_TYPE",
    "APPT_MODE",
    "TIME_BETWEEN_BOOK_AND_APPT",
    "COUNT_OF_APPOINTMENTS",
];

pub const DAILY_COLUMNS: [&str; 11] = [
    "SUB_ICB_LOCATION_CODE",
    "SUB_ICB_LOCATION_ONS_CODE",
    "SUB_ICB_LOCATION_NAME",
    "ICB_ONS_CODE",
    "REGION_ONS_CODE",
    "Appointment_Date",
    "APPT_STATUS",
    "HCP_TYPE",
    "APPT_MODE",
    "TIME_BETWEEN_BOOK_AND_APPT",
    "COUNT_OF_APPOINTMENTS",
];

/// Appointments summed over booking lead time.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AppointmentCount {
    pub area_code: String,
    /// The day, or the first day of the month for a monthly file.
    pub period_start: NaiveDate,
    pub hcp_type: String,
    pub appt_mode: String,
    pub appt_status: String,
    pub appointments: u64,
}

/// A whole file, read and summed.
#[derive(Debug, Clone, PartialEq)]
pub struct AppointmentFile {
    pub format: AppointmentFormat,
    /// Data rows read (the header not counted).
    pub rows_read: u64,
    /// Area code → name as the file gives it.
    pub areas: BTreeMap<String, String>,
    /// Every (area, first day of month) the file covers: what an import replaces.
    pub area_months: BTreeSet<(String, NaiveDate)>,
    pub counts: Vec<AppointmentCount>,
}

impl AppointmentFile {
    pub fn daily(&self) -> bool {
        self.format == AppointmentFormat::DailySubIcb
    }
}

/// Problems kept at most; reading stops after this many.
const MAX_KEPT: usize = 1000;

/// Reads a GPAD file from `reader`. Either every row is good and the whole file is
/// returned summed, or the problems come back naming row and column, and nothing is kept.
pub fn read_appointments(
    file_name: &str,
    reader: impl Read,
) -> Result<AppointmentFile, ImportError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 20)
        .from_reader(reader);
    let mut record = csv::ByteRecord::new();
    let header_read = csv
        .read_byte_record(&mut record)
        .map_err(|e| ImportError::file(file_name, format!("is not valid CSV: {e}")))?;
    if !header_read {
        return Err(ImportError::file(file_name, "the file is empty"));
    }
    let header: Vec<String> = record
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = String::from_utf8_lossy(h);
            let h = if i == 0 {
                h.trim_start_matches('\u{feff}')
            } else {
                &h
            };
            h.trim().to_string()
        })
        .collect();
    let format = detect_format(file_name, &header)?;
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
            .expect("checked")
    };
    let columns = format.columns();
    let (area_col, name_col, period_col, status_col, hcp_col, mode_col, count_col) = (
        column(columns[0]),
        column(columns[2]),
        column(format.period_column()),
        column("APPT_STATUS"),
        column("HCP_TYPE"),
        column("APPT_MODE"),
        column("COUNT_OF_APPOINTMENTS"),
    );
    let other_header: &[&str] = match format {
        AppointmentFormat::MonthlyCcg => &DAILY_COLUMNS,
        AppointmentFormat::DailySubIcb => &MONTHLY_COLUMNS,
    };

    let mut problems = Problems::default();
    let mut labels = Interner::default();
    let mut areas: BTreeMap<String, String> = BTreeMap::new();
    let mut area_index: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut area_codes: Vec<String> = Vec::new();
    let mut sums: HashMap<(u32, i32, u32, u32, u32), u64> = HashMap::new();
    let mut last_period: (Vec<u8>, Option<NaiveDate>) = (Vec::new(), None);
    let mut rows_read = 0u64;

    while csv
        .read_byte_record(&mut record)
        .map_err(|e| ImportError::file(file_name, format!("is not valid CSV: {e}")))?
    {
        rows_read += 1;
        // Rows as a spreadsheet numbers them, the header being row 1 (the csv crate's line
        // positions lag by one on CRLF files, so they are not used).
        let row = rows_read as usize + 1;
        if problems.0.len() >= MAX_KEPT {
            break;
        }
        if record.len() != header.len() {
            let looks_like_other = record.len() == other_header.len()
                && record
                    .iter()
                    .zip(other_header)
                    .all(|(f, h)| String::from_utf8_lossy(f).trim().eq_ignore_ascii_case(h));
            problems.add_row(
                row,
                if looks_like_other {
                    format!(
                        "a header of the other GPAD layout inside a {} file: one file must have one layout",
                        format.label()
                    )
                } else {
                    format!("has {} fields, the header has {}", record.len(), header.len())
                },
            );
            continue;
        }
        let field = |i: usize| std::str::from_utf8(&record[i]).map(str::trim);
        let mut bad = false;
        let mut text = |problems: &mut Problems, i: usize, name: &str| -> Option<&[u8]> {
            match field(i) {
                Ok("") => {
                    problems.add(row, name, "is empty");
                    bad = true;
                    None
                }
                Ok(_) => Some(&record[i]),
                Err(_) => {
                    problems.add(row, name, "is not UTF-8 text");
                    bad = true;
                    None
                }
            }
        };
        let area = text(&mut problems, area_col, &header[area_col]);
        let status = text(&mut problems, status_col, &header[status_col]);
        let hcp = text(&mut problems, hcp_col, &header[hcp_col]);
        let mode = text(&mut problems, mode_col, &header[mode_col]);
        let period_raw = text(&mut problems, period_col, &header[period_col]);
        let count_raw = text(&mut problems, count_col, &header[count_col]);
        let period = period_raw.and_then(|raw| {
            if last_period.0 != raw {
                last_period = (raw.to_vec(), parse_period(format, raw));
            }
            if last_period.1.is_none() {
                let shown = String::from_utf8_lossy(raw);
                let shown = shown.trim();
                let expected = match format {
                    AppointmentFormat::MonthlyCcg => "a month like MAR2019",
                    AppointmentFormat::DailySubIcb => "a date like 03JAN2024",
                };
                let mixed = parse_period(
                    match format {
                        AppointmentFormat::MonthlyCcg => AppointmentFormat::DailySubIcb,
                        AppointmentFormat::DailySubIcb => AppointmentFormat::MonthlyCcg,
                    },
                    raw,
                )
                .is_some();
                problems.add(
                    row,
                    &header[period_col],
                    if mixed {
                        format!("'{shown}' belongs to the other GPAD layout: expected {expected} (one file must have one layout)")
                    } else {
                        format!("'{shown}' is not {expected}")
                    },
                );
            }
            last_period.1
        });
        let count = count_raw.and_then(|raw| {
            let raw = std::str::from_utf8(raw).unwrap_or("").trim();
            match raw.parse::<u64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    problems.add(
                        row,
                        &header[count_col],
                        format!("'{raw}' is not a whole number of appointments (0 or more)"),
                    );
                    None
                }
            }
        });
        let (Some(area), Some(status), Some(hcp), Some(mode), Some(period), Some(count)) =
            (area, status, hcp, mode, period, count)
        else {
            continue;
        };
        if bad {
            continue;
        }
        let area_id = match area_index.get(area) {
            Some(&id) => id,
            None => {
                let code = String::from_utf8_lossy(area).trim().to_string();
                let name = field(name_col).unwrap_or("").to_string();
                areas.insert(code.clone(), name);
                area_codes.push(code);
                let id = area_codes.len() as u32 - 1;
                area_index.insert(area.to_vec(), id);
                id
            }
        };
        let key = (
            area_id,
            period.num_days_from_ce(),
            labels.id(hcp),
            labels.id(mode),
            labels.id(status),
        );
        *sums.entry(key).or_default() += count;
    }
    if rows_read == 0 && problems.0.is_empty() {
        return Err(ImportError::file(file_name, "has a header but no rows"));
    }
    if problems.0.len() >= MAX_KEPT {
        problems.0.push(RowProblem {
            row: None,
            field: None,
            message: format!("reading stopped after {MAX_KEPT} problems"),
        });
    }
    let mut area_months = BTreeSet::new();
    let mut counts: Vec<AppointmentCount> = sums
        .into_iter()
        .map(|((area, day, hcp, mode, status), appointments)| {
            let period_start = NaiveDate::from_num_days_from_ce_opt(day).expect("a parsed date");
            area_months.insert((
                area_codes[area as usize].clone(),
                period_start.with_day(1).expect("day 1 exists"),
            ));
            AppointmentCount {
                area_code: area_codes[area as usize].clone(),
                period_start,
                hcp_type: labels.text(hcp).to_string(),
                appt_mode: labels.text(mode).to_string(),
                appt_status: labels.text(status).to_string(),
                appointments,
            }
        })
        .collect();
    counts.sort();
    problems.finish(
        file_name,
        AppointmentFile {
            format,
            rows_read,
            areas,
            area_months,
            counts,
        },
    )
}

fn detect_format(file_name: &str, header: &[String]) -> Result<AppointmentFormat, ImportError> {
    let has = |name: &str| header.iter().any(|h| h.eq_ignore_ascii_case(name));
    let header_problem = |message: String| ImportError {
        file: file_name.to_string(),
        problems: vec![RowProblem {
            row: Some(1),
            field: None,
            message,
        }],
    };
    let format = match (has("Appointment_Month"), has("Appointment_Date")) {
        (true, true) => {
            return Err(header_problem(
                "the header has both Appointment_Month and Appointment_Date: one file must have one GPAD layout".into(),
            ));
        }
        (true, false) => AppointmentFormat::MonthlyCcg,
        (false, true) => AppointmentFormat::DailySubIcb,
        (false, false) => {
            return Err(header_problem(
                "the header has neither Appointment_Month (monthly CCG file) nor Appointment_Date (daily sub-ICB file): this is not a GPAD appointments file".into(),
            ));
        }
    };
    let expected = format.columns();
    let mut problems = Vec::new();
    for name in expected {
        if !has(name) {
            problems.push(RowProblem {
                row: Some(1),
                field: Some((*name).to_string()),
                message: format!("is missing from the header of a {} file", format.label()),
            });
        }
    }
    for name in header {
        if !expected.iter().any(|e| e.eq_ignore_ascii_case(name)) {
            problems.push(RowProblem {
                row: Some(1),
                field: Some(name.clone()),
                message: format!("is not a column of the {} GPAD file", format.label()),
            });
        }
    }
    if problems.is_empty() {
        Ok(format)
    } else {
        Err(ImportError {
            file: file_name.to_string(),
            problems,
        })
    }
}

/// `MAR2019` for a monthly file (the first of the month), `03JAN2024` for a daily one.
fn parse_period(format: AppointmentFormat, raw: &[u8]) -> Option<NaiveDate> {
    let text = std::str::from_utf8(raw).ok()?.trim();
    if !text.is_ascii() {
        return None;
    }
    let (day, rest) = match (format, text.len()) {
        (AppointmentFormat::MonthlyCcg, 7) => (1, text),
        (AppointmentFormat::DailySubIcb, 9) => (text[..2].parse().ok()?, &text[2..]),
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
    NaiveDate::from_ymd_opt(year, month, day)
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// Labels (HCP type, mode, status) kept exactly as published, double spaces and all.
#[derive(Default)]
struct Interner {
    ids: HashMap<Vec<u8>, u32>,
    texts: Vec<String>,
}

impl Interner {
    fn id(&mut self, raw: &[u8]) -> u32 {
        if let Some(&id) = self.ids.get(raw) {
            return id;
        }
        let text = String::from_utf8_lossy(raw).trim().to_string();
        self.texts.push(text);
        let id = self.texts.len() as u32 - 1;
        self.ids.insert(raw.to_vec(), id);
        id
    }

    fn text(&self, id: u32) -> &str {
        &self.texts[id as usize]
    }
}
