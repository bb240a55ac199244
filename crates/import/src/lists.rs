//! NHS Digital's *Patients Registered at a GP Practice* totals file (`gp-reg-pat-prac-all`).
use crate::problems::{ImportError, Problems};
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
    if text.len() != 9 {
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

/// Reads list sizes: one row per practice (rows for other sexes or ages are passed over).
pub fn read_list_sizes(file_name: &str, bytes: &[u8]) -> Result<Vec<ListSize>, ImportError> {
    let text = crate::published_csv(file_name, bytes, "the list-size file")?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| ImportError::file(file_name, format!("is not valid CSV: {e}")))?
        .iter()
        .map(|h| h.trim().to_ascii_uppercase())
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
                row: Some(1),
                field: None,
                message: format!(
                    "the header has no column {}: this is not the gp-reg-pat-prac-all file",
                    missing.join(", ")
                ),
            }],
        });
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    let (date_col, code_col, count_col, ccg_col) = (
        col("EXTRACT_DATE").unwrap(),
        col("CODE").unwrap(),
        col("NUMBER_OF_PATIENTS").unwrap(),
        col("CCG_CODE").unwrap(),
    );
    let (sex_col, age_col) = (col("SEX"), col("AGE"));
    let mut problems = Problems::default();
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for (index, record) in reader.records().enumerate() {
        let row = index + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.add_row(row, format!("is not valid CSV: {e}"));
                continue;
            }
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |c: usize| record.get(c).unwrap_or_default().trim();
        let is_all = |c: Option<usize>| c.is_none_or(|c| get(c).eq_ignore_ascii_case("ALL"));
        if !is_all(sex_col) || !is_all(age_col) {
            continue;
        }
        let code = match OdsCode::parse(get(code_col)) {
            Ok(code) => code,
            Err(e) => {
                problems.add(row, "CODE", e.message);
                continue;
            }
        };
        let Some(extract_date) = parse_extract_date(get(date_col)) else {
            problems.add(
                row,
                "EXTRACT_DATE",
                format!("'{}' is not a date like 01JAN2021", get(date_col)),
            );
            continue;
        };
        let patients = match get(count_col).parse::<i64>() {
            Ok(n) if n >= 0 => n,
            _ => {
                problems.add(
                    row,
                    "NUMBER_OF_PATIENTS",
                    format!("'{}' is not a whole number of patients", get(count_col)),
                );
                continue;
            }
        };
        if let Some(first) = seen.get(code.as_str()) {
            problems.add(row, "CODE", format!("{code} is also on row {first}"));
            continue;
        }
        seen.insert(code.to_string(), row);
        out.push(ListSize {
            ods_code: code,
            extract_date,
            patients,
            ccg_code: get(ccg_col).to_string(),
        });
    }
    if out.is_empty() && problems.0.is_empty() {
        return Err(ImportError::file(
            file_name,
            "the file has no rows below the header",
        ));
    }
    problems.finish(file_name, out)
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
