//! The ODS `epraccur` file of GP practices and prescribing cost centres, as published: no
//! header row, 27 quoted fields (see NHS Digital's field specification).
use crate::problems::{ImportError, Problems, quote};
use crate::rows::{Limits, csv_rows};
use chrono::NaiveDate;
use domain::org::{OdsCode, parse_postcode};
use std::collections::BTreeMap;

/// An active GP practice from the file.
#[derive(Debug, Clone, PartialEq)]
pub struct OdsPractice {
    pub ods_code: OdsCode,
    pub name: String,
    /// Address lines 1–5, the non-empty ones joined by ", ".
    pub address: String,
    pub postcode: String,
    /// The commissioner (CCG or sub-ICB) code.
    pub commissioner: String,
    pub open_date: Option<NaiveDate>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OdsFile {
    pub practices: Vec<OdsPractice>,
    /// Rows that are not active GP practices (closed, dormant, proposed, or another setting).
    pub skipped: usize,
}

const FIELDS: usize = 27;
const STATUS_ACTIVE: &str = "A";
const SETTING_GP_PRACTICE: &str = "4";

/// Rows of an `epraccur` file at most: the national file has about 12,000.
pub const ODS_MAX_ROWS: usize = 100_000;

const ODS_LIMITS: Limits = Limits {
    what: "the ODS epraccur file",
    max_rows: ODS_MAX_ROWS,
    max_cell_chars: 1_000,
    header: false,
};

/// Reads `epraccur`: keeps active GP practices (status `A`, prescribing setting `4`).
pub fn read_ods_practices(file_name: &str, bytes: &[u8]) -> Result<OdsFile, ImportError> {
    let text = crate::published_csv(file_name, bytes, "the ODS epraccur file")?;
    let mut problems = Problems::default();
    let mut practices = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut skipped = 0;
    let mut first = true;
    csv_rows(file_name, text, ODS_LIMITS, |row, record| {
        if record.iter().all(|f| f.trim().is_empty()) {
            return Ok(());
        }
        let is_first = std::mem::replace(&mut first, false);
        if is_first
            && record.first().is_some_and(|f| {
                f.eq_ignore_ascii_case("PUBLICATION") || f.to_ascii_lowercase().contains("code")
            })
        {
            return Err(ImportError::file(
                file_name,
                "has a header row, so it is not the ODS epraccur file (which has none): for list sizes use the list-sizes import",
            ));
        }
        if record.len() != FIELDS {
            problems.add_row(
                row,
                format!(
                    "expected {FIELDS} fields as in the epraccur specification, found {}",
                    record.len()
                ),
            );
            return problems.stop_if_full(file_name);
        }
        let field = |n: usize| {
            record
                .get(n - 1)
                .map(|f| f.trim().to_string())
                .unwrap_or_default()
        };
        if field(13) != STATUS_ACTIVE || field(26) != SETTING_GP_PRACTICE {
            skipped += 1;
            return Ok(());
        }
        let code = match OdsCode::parse(&field(1)) {
            Ok(code) => code,
            Err(e) => {
                problems.add(row, "organisation_code", e.message);
                return problems.stop_if_full(file_name);
            }
        };
        if let Some(first) = seen.get(code.as_str()) {
            problems.add(
                row,
                "organisation_code",
                format!("{code} is also on row {first}"),
            );
            return problems.stop_if_full(file_name);
        }
        seen.insert(code.to_string(), row);
        let name = field(2);
        if name.is_empty() {
            problems.add(row, "name", "the practice has no name");
        }
        let postcode = match parse_postcode(&field(10)) {
            Ok(p) => p,
            Err(e) => {
                problems.add(row, "postcode", e.message);
                String::new()
            }
        };
        let open_date = match field(11).as_str() {
            "" => None,
            text => match NaiveDate::parse_from_str(text, "%Y%m%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    problems.add(
                        row,
                        "open_date",
                        format!("{} is not a date in the form YYYYMMDD", quote(text)),
                    );
                    None
                }
            },
        };
        let address = (5..=9)
            .map(field)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        let phone = Some(field(18)).filter(|p| !p.is_empty());
        practices.push(OdsPractice {
            ods_code: code,
            name,
            address,
            postcode,
            commissioner: field(15),
            open_date,
            phone,
        });
        problems.stop_if_full(file_name)
    })?;
    if practices.is_empty() && skipped == 0 && problems.0.is_empty() {
        return Err(ImportError::file(file_name, "the file is empty"));
    }
    problems.finish(file_name, OdsFile { practices, skipped })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(code: &str, status: &str, setting: &str) -> String {
        format!(
            "\"{code}\",\"A PRACTICE\",\"Y61\",\"Q79\",\"1 ROAD\",\"\",\"TOWN\",\"\",\"\",\"CO7 6RT\",\"19740401\",\"\",\"{status}\",\"B\",\"06L\",\"20130401\",\"\",\"01206 298272\",\"\",\"\",\"\",\"0\",\"\",\"06L\",\"\",\"{setting}\",\"\"\r\n"
        )
    }

    #[test]
    fn keeps_active_gp_practices_and_counts_the_rest() {
        let text = [
            line("D83001", "A", "4"),
            line("D83002", "C", "4"),
            line("D83003", "A", "0"),
        ]
        .concat();
        let file = read_ods_practices("e.csv", text.as_bytes()).unwrap();
        assert_eq!(file.practices.len(), 1);
        assert_eq!(file.skipped, 2);
        assert_eq!(file.practices[0].address, "1 ROAD, TOWN");
        assert_eq!(
            file.practices[0].open_date,
            NaiveDate::from_ymd_opt(1974, 4, 1)
        );
    }

    #[test]
    fn wrong_field_counts_duplicates_and_headers_are_named() {
        let text = [
            line("D83001", "A", "4"),
            line("D83001", "A", "4"),
            "\"D83009\",\"SHORT\"\r\n".to_string(),
        ]
        .concat();
        let error = read_ods_practices("e.csv", text.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("e.csv:2: organisation_code: D83001 is also on row 1"),
            "{error}"
        );
        assert!(error.contains("e.csv:3: expected 27 fields"), "{error}");
        let list_sizes = b"PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS\r\n";
        assert!(
            read_ods_practices("l.csv", list_sizes)
                .unwrap_err()
                .to_string()
                .contains("has a header row")
        );
    }
}
