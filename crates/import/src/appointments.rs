//! NHS England's *Appointments in General Practice* (GPAD) CSV files, in either published
//! layout: the monthly CCG-level "Regional CSV" or the daily sub-ICB file. The layout is
//! told from the header. The file is streamed and summed as it is read, by area × day or
//! month × HCP type × mode × status (the booking lead time is summed over), so a national
//! month of millions of rows needs memory only for the sums.
use crate::problems::{ImportError, Problems, RowProblem, clip, quote};
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

/// Data rows read at most: a national year of the daily file is about 15 million.
pub const APPOINTMENT_MAX_ROWS: u64 = 20_000_000;
/// Bytes in one line at most (the longest published line is under 300).
pub const APPOINTMENT_MAX_LINE_BYTES: usize = 64 * 1024;
/// Bytes in one field at most.
pub const APPOINTMENT_MAX_FIELD_BYTES: usize = 1_000;
/// Distinct areas, and distinct labels of each kind (HCP type, mode, status), at most.
pub const APPOINTMENT_MAX_AREAS: usize = 10_000;
pub const APPOINTMENT_MAX_LABELS: usize = 1_000;
/// Distinct sums (area × day × HCP type × mode × status) at most: a national year of the
/// daily file has about 2 million.
pub const APPOINTMENT_MAX_SUMS: usize = 10_000_000;

/// Passes bytes through, failing once a line runs longer than `max` bytes, so a file with
/// no line ends cannot make the CSV reader hold all of it as one record.
struct LineLimit<R> {
    inner: R,
    run: usize,
    max: usize,
}

impl<R: Read> Read for LineLimit<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            if b == b'\n' {
                self.run = 0;
            } else {
                self.run += 1;
                if self.run > self.max {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!(
                            "a line is longer than {} KB: GPAD lines are a few hundred bytes",
                            self.max / 1024
                        ),
                    ));
                }
            }
        }
        Ok(n)
    }
}

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
        .from_reader(LineLimit {
            inner: reader,
            run: 0,
            max: APPOINTMENT_MAX_LINE_BYTES,
        });
    let mut record = csv::ByteRecord::new();
    let not_csv = |e: csv::Error| {
        let message = match e.kind() {
            csv::ErrorKind::Io(e) => format!("cannot be read: {e}"),
            _ => format!("is not valid CSV: {e}"),
        };
        ImportError::file(file_name, message)
    };
    let header_read = csv.read_byte_record(&mut record).map_err(not_csv)?;
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

    while csv.read_byte_record(&mut record).map_err(not_csv)? {
        rows_read += 1;
        if rows_read > APPOINTMENT_MAX_ROWS {
            return Err(ImportError::file(
                file_name,
                format!(
                    "has more than {} rows: a GPAD file can have at most {} (split it by month)",
                    crate::rows::thousands(APPOINTMENT_MAX_ROWS as usize),
                    crate::rows::thousands(APPOINTMENT_MAX_ROWS as usize)
                ),
            ));
        }
        // Rows as a spreadsheet numbers them, the header being row 1 (the csv crate's line
        // positions lag by one on CRLF files, so they are not used).
        let row = rows_read as usize + 1;
        if problems.full() {
            break;
        }
        if let Some(i) = record
            .iter()
            .position(|f| f.len() > APPOINTMENT_MAX_FIELD_BYTES)
        {
            let name = header.get(i).map_or("", String::as_str);
            let shown = String::from_utf8_lossy(&record[i]);
            problems.add(
                row,
                name,
                format!(
                    "{} is {} bytes long: a field can hold at most {APPOINTMENT_MAX_FIELD_BYTES}",
                    quote(&shown),
                    record[i].len()
                ),
            );
            continue;
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
                        format!("{} belongs to the other GPAD layout: expected {expected} (one file must have one layout)", quote(shown))
                    } else {
                        format!("{} is not {expected}", quote(shown))
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
                        format!(
                            "{} is not a whole number of appointments (0 or more)",
                            quote(raw)
                        ),
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
        // Keyed by the trimmed text, as stored: " 06L" and "06L" are one area.
        let area = area.trim_ascii();
        let area_id = match area_index.get(area) {
            Some(&id) => id,
            None => {
                if area_codes.len() >= APPOINTMENT_MAX_AREAS {
                    return Err(too_many(
                        file_name,
                        row,
                        &header[area_col],
                        "areas",
                        APPOINTMENT_MAX_AREAS,
                    ));
                }
                let code = String::from_utf8_lossy(area).to_string();
                let name = field(name_col).unwrap_or("").to_string();
                areas.insert(code.clone(), name);
                area_codes.push(code);
                let id = area_codes.len() as u32 - 1;
                area_index.insert(area.to_vec(), id);
                id
            }
        };
        let mut label = |raw: &[u8], col: usize| {
            labels.id(raw).ok_or_else(|| {
                too_many(
                    file_name,
                    row,
                    &header[col],
                    "labels",
                    APPOINTMENT_MAX_LABELS,
                )
            })
        };
        let key = (
            area_id,
            period.num_days_from_ce(),
            label(hcp, hcp_col)?,
            label(mode, mode_col)?,
            label(status, status_col)?,
        );
        if sums.len() >= APPOINTMENT_MAX_SUMS && !sums.contains_key(&key) {
            return Err(ImportError::file(
                file_name,
                format!(
                    "has more than {} distinct area, day and appointment kinds: split it by month",
                    crate::rows::thousands(APPOINTMENT_MAX_SUMS)
                ),
            ));
        }
        let sum = sums.entry(key).or_default();
        match sum.checked_add(count) {
            Some(total) => *sum = total,
            None => problems.add(
                row,
                &header[count_col],
                "the appointments of this area, day and kind add up to more than can be counted",
            ),
        }
    }
    if rows_read == 0 && problems.0.is_empty() {
        return Err(ImportError::file(file_name, "has a header but no rows"));
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

fn too_many(file_name: &str, row: usize, field: &str, what: &str, max: usize) -> ImportError {
    ImportError {
        file: file_name.to_string(),
        problems: vec![RowProblem {
            person: None,
            row: Some(row),
            field: Some(clip(field)),
            message: format!(
                "the file has more than {} different {what} in this column: this is not a GPAD file",
                crate::rows::thousands(max)
            ),
        }],
    }
}

fn detect_format(file_name: &str, header: &[String]) -> Result<AppointmentFormat, ImportError> {
    let has = |name: &str| header.iter().any(|h| h.eq_ignore_ascii_case(name));
    let header_problem = |message: String| ImportError {
        file: file_name.to_string(),
        problems: vec![RowProblem {
            person: None,
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
                person: None,
                row: Some(1),
                field: Some((*name).to_string()),
                message: format!("is missing from the header of a {} file", format.label()),
            });
        }
    }
    for name in header {
        if !expected.iter().any(|e| e.eq_ignore_ascii_case(name)) {
            problems.push(RowProblem {
                person: None,
                row: Some(1),
                field: Some(clip(name)),
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
    /// The label's id, keyed by its trimmed text; `None` past `3 × APPOINTMENT_MAX_LABELS`
    /// labels (HCP types, modes and statuses share the table).
    fn id(&mut self, raw: &[u8]) -> Option<u32> {
        let raw = raw.trim_ascii();
        if let Some(&id) = self.ids.get(raw) {
            return Some(id);
        }
        if self.texts.len() >= 3 * APPOINTMENT_MAX_LABELS {
            return None;
        }
        let text = String::from_utf8_lossy(raw).to_string();
        self.texts.push(text);
        let id = self.texts.len() as u32 - 1;
        self.ids.insert(raw.to_vec(), id);
        Some(id)
    }

    fn text(&self, id: u32) -> &str {
        &self.texts[id as usize]
    }
}
