//! NHS Digital's *Patients Registered at a GP Practice* totals file (`gp-reg-pat-prac-all`).
use crate::problems::{ImportError, Problems, quote};
use crate::rows::{Limits, csv_rows};
use chrono::NaiveDate;
use domain::org::OdsCode;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct ListSize {
    pub ods_code: OdsCode,
    pub extract_date: NaiveDate,
    pub patients: i64,
    pub ccg_code: String,
}

const REQUIRED: [&str; 4] = ["EXTRACT_DATE", "CODE", "NUMBER_OF_PATIENTS", "CCG_CODE"];

/// Parses dates like `01JAN2021`.
fn parse_extract_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    // ASCII only: the slicing below is by byte (found by the fuzzer: `0\u{feff}1JAN7`).
    if text.len() != 9 || !text.is_ascii() {
        return None;
    }
    let month = text[2..5].to_ascii_lowercase();
    let titled = format!(
        "{}{}{}",
        &text[..2],
        month[..1].to_ascii_uppercase(),
        &month[1..]
    );
    NaiveDate::parse_from_str(&format!("{titled}{}", &text[5..]), "%d%b%Y").ok()
}

/// Rows of a list-size file at most: the national totals file has about 6,700 practices,
/// and the files by sex and age (whose other rows are passed over) a few hundred thousand.
pub const LIST_MAX_ROWS: usize = 1_000_000;

const LIST_LIMITS: Limits = Limits {
    what: "a list-size file",
    max_rows: LIST_MAX_ROWS,
    max_cell_chars: 1_000,
    header: true,
};

/// Reads list sizes: one row per practice (rows for other sexes or ages are passed over).
pub fn read_list_sizes(file_name: &str, bytes: &[u8]) -> Result<Vec<ListSize>, ImportError> {
    let text = crate::published_csv(file_name, bytes, "the list-size file")?;
    let mut columns: Option<Columns> = None;
    let mut problems = Problems::default();
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut first = true;
    csv_rows(file_name, text, LIST_LIMITS, |row, record| {
        if std::mem::replace(&mut first, false) {
            columns = Some(list_columns(file_name, row, record)?);
            return Ok(());
        }
        let Some(c) = &columns else {
            return Ok(());
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            return Ok(());
        }
        let get = |c: usize| record.get(c).map(|f| f.trim()).unwrap_or_default();
        let is_all = |c: Option<usize>| c.is_none_or(|c| get(c).eq_ignore_ascii_case("ALL"));
        if !is_all(c.sex) || !is_all(c.age) {
            return Ok(());
        }
        let code = match OdsCode::parse(get(c.code)) {
            Ok(code) => code,
            Err(e) => {
                problems.add(row, "CODE", e.message);
                return problems.stop_if_full(file_name);
            }
        };
        let Some(extract_date) = parse_extract_date(get(c.date)) else {
            problems.add(
                row,
                "EXTRACT_DATE",
                format!("{} is not a date like 01JAN2021", quote(get(c.date))),
            );
            return problems.stop_if_full(file_name);
        };
        let patients = match get(c.count).parse::<i64>() {
            Ok(n) if n >= 0 => n,
            _ => {
                problems.add(
                    row,
                    "NUMBER_OF_PATIENTS",
                    format!("{} is not a whole number of patients", quote(get(c.count))),
                );
                return problems.stop_if_full(file_name);
            }
        };
        if let Some(first) = seen.get(code.as_str()) {
            problems.add(row, "CODE", format!("{code} is also on row {first}"));
            return problems.stop_if_full(file_name);
        }
        seen.insert(code.to_string(), row);
        out.push(ListSize {
            ods_code: code,
            extract_date,
            patients,
            ccg_code: get(c.ccg).to_string(),
        });
        Ok(())
    })?;
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

struct Columns {
    date: usize,
    code: usize,
    count: usize,
    ccg: usize,
    sex: Option<usize>,
    age: Option<usize>,
}

fn list_columns(file_name: &str, row: usize, record: &[String]) -> Result<Columns, ImportError> {
    let header: Vec<String> = record
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = if i == 0 {
                h.trim_start_matches('\u{feff}')
            } else {
                h
            };
            h.trim().to_ascii_uppercase()
        })
        .collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !header.iter().any(|h| h == c))
        .collect();
    if !missing.is_empty() {
        return Err(ImportError {
            file: file_name.to_string(),
            problems: vec![crate::RowProblem {
                person: None,
                row: Some(row),
                field: None,
                message: format!(
                    "the header has no column {}: this is not the gp-reg-pat-prac-all file",
                    missing.join(", ")
                ),
            }],
        });
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    Ok(Columns {
        date: col("EXTRACT_DATE").expect("checked"),
        code: col("CODE").expect("checked"),
        count: col("NUMBER_OF_PATIENTS").expect("checked"),
        ccg: col("CCG_CODE").expect("checked"),
        sex: col("SEX"),
        age: col("AGE"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_like_01jan2021() {
        assert_eq!(
            parse_extract_date("01JAN2021"),
            NaiveDate::from_ymd_opt(2021, 1, 1)
        );
        assert_eq!(parse_extract_date("FOO2020"), None);
        // Found by the fuzzer: nine bytes that are not nine characters panicked.
        assert_eq!(parse_extract_date("0\u{feff}1JAN7"), None);
        assert_eq!(parse_extract_date("01JA\u{202e}N0"), None);
        assert_eq!(parse_extract_date("\u{202e}JAN2021"), None);
    }

    #[test]
    fn bad_counts_and_duplicates_are_named() {
        let text = "PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS\nX,01JAN2021,GP,06L,E1,D83001,CO7 6RT,ALL,ALL,-5\nX,01JAN2021,GP,06L,E1,D83002,CO7 6RT,ALL,ALL,10\nX,01JAN2021,GP,06L,E1,D83002,CO7 6RT,ALL,ALL,10\n";
        let error = read_list_sizes("l.csv", text.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("l.csv:2: NUMBER_OF_PATIENTS: '-5' is not a whole number"),
            "{error}"
        );
        assert!(
            error.contains("l.csv:4: CODE: D83002 is also on row 3"),
            "{error}"
        );
    }
}
