//! NHS Digital's ePCN core-partner file: which practice belongs to which PCN, from when.
//! Read from CSV or from the published workbook (sheet "PCN Core Partner Details"); the
//! header is matched ignoring case and spaces, extra columns are passed over, and dates are
//! taken as published (`DD/MM/YYYY`, `YYYY-MM-DD` or `YYYYMMDD`; an empty end date is open).
use crate::problems::{ImportError, Problems, quote};
use crate::rows::{Limits, for_each_row};
use chrono::NaiveDate;
use domain::org::{OdsCode, PcnCode};
use std::collections::BTreeMap;

/// The workbook's sheet holding the partners.
pub const EPCN_SHEET: &str = "PCN Core Partner Details";

/// The columns read, as published.
pub const EPCN_COLUMNS: [&str; 10] = [
    "Partner Organisation Code",
    "Partner Name",
    "Practice Parent Sub ICB Location Code",
    "Practice Parent Sub ICB Location Name",
    "PCN Code",
    "PCN Name",
    "PCN Parent Sub ICB Location Code",
    "PCN Parent Sub ICB Location Name",
    "Practice to PCN Relationship Start Date",
    "Practice to PCN Relationship End Date",
];

/// One practice's membership of one PCN, as the file gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct PcnMembershipRow {
    /// The row as a spreadsheet numbers it (the header is row 1).
    pub row: usize,
    pub ods_code: OdsCode,
    pub practice_name: String,
    pub practice_sub_icb: String,
    pub pcn_code: PcnCode,
    pub pcn_name: String,
    pub pcn_sub_icb: String,
    pub start: NaiveDate,
    /// The last day of the membership, when it has ended.
    pub end: Option<NaiveDate>,
}

fn squash(text: &str) -> String {
    text.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

/// A date as the file publishes it: `DD/MM/YYYY`, `YYYY-MM-DD` or `YYYYMMDD`.
pub fn parse_epcn_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    // Spreadsheets may carry a time after the date.
    let text = text.split([' ', 'T']).next().unwrap_or(text);
    ["%d/%m/%Y", "%Y-%m-%d", "%Y%m%d"]
        .iter()
        .find_map(|format| NaiveDate::parse_from_str(text, format).ok())
}

/// Rows of an ePCN file at most: the national file has about 7,000 practices and their history.
pub const EPCN_MAX_ROWS: usize = 100_000;

const EPCN_LIMITS: Limits = Limits {
    what: "an ePCN core-partner file",
    max_rows: EPCN_MAX_ROWS,
    max_cell_chars: 1_000,
    header: true,
};

/// Reads every row of an ePCN core-partner file, or every problem in it.
pub fn read_pcn_membership(
    file_name: &str,
    bytes: &[u8],
) -> Result<Vec<PcnMembershipRow>, ImportError> {
    let mut columns: Option<[usize; 10]> = None;
    let mut problems = Problems::default();
    let mut out = Vec::new();
    let mut seen: BTreeMap<(String, NaiveDate), usize> = BTreeMap::new();
    for_each_row(
        file_name,
        bytes,
        Some(EPCN_SHEET),
        EPCN_LIMITS,
        |row, cells| {
            if cells.iter().all(|c| c.trim().is_empty()) {
                return Ok(());
            }
            let Some(columns) = &columns else {
                columns = Some(epcn_columns(file_name, row, cells)?);
                return Ok(());
            };
            read_row(row, cells, columns, &mut problems, &mut seen, &mut out);
            problems.stop_if_full(file_name)
        },
    )?;
    if columns.is_none() {
        return Err(ImportError::file(file_name, "the file is empty"));
    }
    if out.is_empty() && problems.0.is_empty() {
        return Err(ImportError::file(
            file_name,
            "the file has no rows below the header",
        ));
    }
    problems.finish(file_name, out)
}

fn epcn_columns(
    file_name: &str,
    header_row: usize,
    header: &[String],
) -> Result<[usize; 10], ImportError> {
    let names: Vec<String> = header.iter().map(|h| squash(h)).collect();
    let mut columns = [0usize; 10];
    let mut missing = Vec::new();
    for (i, wanted) in EPCN_COLUMNS.iter().enumerate() {
        match names.iter().position(|n| *n == squash(wanted)) {
            Some(at) => columns[i] = at,
            None => missing.push(*wanted),
        }
    }
    if missing.is_empty() {
        return Ok(columns);
    }
    let mut problems = Problems::default();
    problems.add_row(
        header_row,
        format!(
            "the header has no column {}: this is not the ePCN core-partner file",
            missing.join(", ")
        ),
    );
    Err(problems
        .finish(file_name, ())
        .expect_err("a problem was added"))
}

fn read_row(
    row: usize,
    cells: &[String],
    columns: &[usize; 10],
    problems: &mut Problems,
    seen: &mut BTreeMap<(String, NaiveDate), usize>,
    out: &mut Vec<PcnMembershipRow>,
) {
    let get = |i: usize| {
        cells
            .get(columns[i])
            .map(|c| c.trim().to_string())
            .unwrap_or_default()
    };
    let ods_code = OdsCode::parse(&get(0)).map_err(|e| e.message);
    let pcn_code = PcnCode::parse(&get(4)).map_err(|e| e.message);
    let start_text = get(8);
    let start = parse_epcn_date(&start_text);
    let end_text = get(9);
    let end = if end_text.is_empty() {
        Ok(None)
    } else {
        parse_epcn_date(&end_text).map(Some).ok_or(())
    };
    let mut bad = false;
    if let Err(message) = &ods_code {
        problems.add(row, EPCN_COLUMNS[0], message.clone());
        bad = true;
    }
    if get(1).is_empty() {
        problems.add(row, EPCN_COLUMNS[1], "Enter the practice's name");
        bad = true;
    }
    if let Err(message) = &pcn_code {
        problems.add(row, EPCN_COLUMNS[4], message.clone());
        bad = true;
    }
    if get(5).is_empty() {
        problems.add(row, EPCN_COLUMNS[5], "Enter the PCN's name");
        bad = true;
    }
    if start.is_none() {
        problems.add(
            row,
            EPCN_COLUMNS[8],
            format!(
                "{} is not a date like 01/04/2020, 2020-04-01 or 20200401",
                quote(&start_text)
            ),
        );
        bad = true;
    }
    if end.is_err() {
        problems.add(
            row,
            EPCN_COLUMNS[9],
            format!(
                "{} is not a date like 31/03/2023, 2023-03-31 or 20230331",
                quote(&end_text)
            ),
        );
        bad = true;
    }
    if bad {
        return;
    }
    let (Ok(ods_code), Ok(pcn_code), Some(start), Ok(end)) = (ods_code, pcn_code, start, end)
    else {
        return;
    };
    if let Some(end) = end
        && end < start
    {
        problems.add(
            row,
            EPCN_COLUMNS[9],
            format!("the membership ends ({end}) before it starts ({start})"),
        );
        return;
    }
    if let Some(first) = seen.get(&(ods_code.to_string(), start)) {
        problems.add(
            row,
            EPCN_COLUMNS[0],
            format!("{ods_code} already starts a membership on {start} on row {first}"),
        );
        return;
    }
    seen.insert((ods_code.to_string(), start), row);
    out.push(PcnMembershipRow {
        row,
        ods_code,
        practice_name: get(1),
        practice_sub_icb: get(2),
        pcn_code,
        pcn_name: get(5),
        pcn_sub_icb: get(6),
        start,
        end,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_in_each_published_form() {
        let day = NaiveDate::from_ymd_opt(2020, 4, 1);
        assert_eq!(parse_epcn_date("01/04/2020"), day);
        assert_eq!(parse_epcn_date("2020-04-01"), day);
        assert_eq!(parse_epcn_date("20200401"), day);
        assert_eq!(parse_epcn_date("2020-04-01 00:00:00"), day);
        assert_eq!(parse_epcn_date("1 April 2020"), None);
        assert_eq!(parse_epcn_date("31/02/2020"), None);
    }
}
