//! NHS Digital's *NHS Payments to General Practice* file, practice level, one financial year
//! (`nhs-payments-gp-practice…csv`), read as published.
//!
//! The publisher's columns change from year to year (54 in 2019/20, 75 in 2022/23, with
//! renamed and mislabelled headers), so nothing is fixed per year: columns are found by
//! their header name (ignoring case, spacing, underscores and a UTF-8 BOM), and the file's
//! own shape says what each money column is. Descriptive columns (region, CCG or sub-ICB,
//! PCN, address, contract type…) come first, then the two patient counts, then the money:
//! every column after the patient counts is a money column except the per-patient averages.
//! The columns before `Total NHS Payments to General Practice` are the lines that make up
//! that total; columns named `Total NHS Payments…` are the publisher's totals; the others
//! after it (deductions, PCN and COVID-19 payments) are payments outside the headline total.
//!
//! The file does not say which financial year it covers: its published name does
//! (`…2022-23…`, `…22-23…`), or the caller gives it.
use crate::problems::{ImportError, Problems, quote};
use crate::rows::{Limits, csv_rows};
use domain::org::OdsCode;
use std::collections::BTreeMap;
use std::fmt;

/// A financial year, 1 April to 31 March, by the calendar year it starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct FinancialYear(pub i32);

impl FinancialYear {
    /// Reads `2022-23`, `2022/23`, `2022-2023`, `22-23` or `2022`.
    pub fn parse(text: &str) -> Option<FinancialYear> {
        let runs = digit_runs(text.trim());
        let year = match runs.as_slice() {
            [one] if one.len() == 4 => one.parse().ok(),
            [a, b] => year_of_pair(a, b),
            _ => None,
        }?;
        // Only what runs of digits alone make of it: `2022-23abc` is not a year.
        let plain = text
            .trim()
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '/' | '_' | ' '));
        (plain && (1990..2100).contains(&year)).then_some(FinancialYear(year))
    }

    /// The year a published file's name gives: `nhs-payments-gp-practice-2022-23.csv`,
    /// `NHSPaymentsGP-22-23-prac-csv.csv`.
    pub fn from_file_name(file_name: &str) -> Option<FinancialYear> {
        let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
        let runs = digit_runs(base);
        runs.windows(2)
            .find_map(|w| year_of_pair(&w[0], &w[1]))
            .map(FinancialYear)
    }

    /// `2022-23`, as the API and the URLs write it.
    pub fn code(self) -> String {
        format!("{}-{:02}", self.0, (self.0 + 1) % 100)
    }

    /// `2022/23`, as people write it.
    pub fn label(self) -> String {
        format!("{}/{:02}", self.0, (self.0 + 1) % 100)
    }
}

impl fmt::Display for FinancialYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

fn digit_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut run = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    runs
}

/// `2022` and `23`, `2022` and `2023`, or `22` and `23`: the year starting in 2022.
fn year_of_pair(a: &str, b: &str) -> Option<i32> {
    let first: i32 = match a.len() {
        4 => a.parse().ok()?,
        2 => 2000 + a.parse::<i32>().ok()?,
        _ => return None,
    };
    let next: i32 = b.parse().ok()?;
    let follows = match b.len() {
        4 => next == first + 1,
        2 => next == (first + 1) % 100,
        _ => false,
    };
    (follows && (1990..2100).contains(&first)).then_some(first)
}

/// What a money column of the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    /// A line of `Total NHS Payments to General Practice` (it comes before the total).
    Line,
    /// A payment outside the headline total: deductions, PCN and COVID-19 payments.
    Outside,
    /// One of the publisher's totals (`Total NHS Payments…`).
    Total,
}

impl PaymentKind {
    pub fn code(self) -> &'static str {
        match self {
            PaymentKind::Line => "line",
            PaymentKind::Outside => "outside",
            PaymentKind::Total => "total",
        }
    }

    pub fn parse(code: &str) -> Option<PaymentKind> {
        match code {
            "line" => Some(PaymentKind::Line),
            "outside" => Some(PaymentKind::Outside),
            "total" => Some(PaymentKind::Total),
            _ => None,
        }
    }
}

/// One money column as published: its header (trimmed) and what it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PaymentColumn {
    pub name: String,
    pub kind: PaymentKind,
}

/// One practice's row.
#[derive(Debug, Clone, PartialEq)]
pub struct PracticePayments {
    /// The row as a spreadsheet numbers it (the header is row 1).
    pub row: usize,
    pub ods_code: OdsCode,
    /// The practice's name as the file gives it.
    pub name: String,
    pub registered_patients: Option<f64>,
    pub weighted_patients: Option<f64>,
    /// `Total NHS Payments to General Practice`, in pence.
    pub total_pence: i64,
    /// Each money column's amount in pence, in the order of `PaymentsFile::columns`; `None`
    /// where the cell is empty.
    pub amounts: Vec<Option<i64>>,
}

/// A whole file: the year, its money columns and every practice.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentsFile {
    pub year: FinancialYear,
    pub columns: Vec<PaymentColumn>,
    pub practices: Vec<PracticePayments>,
}

/// The header naming the headline total.
pub const PAYMENTS_TOTAL: &str = "Total NHS Payments to General Practice";
const PRACTICE_CODE: &str = "Practice Code";
const PRACTICE_NAME: &str = "Practice Name";
const REGISTERED: &str = "Number of Registered Patients (Last Known Figure)";
const WEIGHTED: &str = "Number of Weighted Patients (Last Known Figure)";

/// Rows at most: the national file has about 6,700 practices.
pub const PAYMENTS_MAX_ROWS: usize = 100_000;

/// An amount of more than this many pounds in one cell is refused (a national total is a
/// few billion pounds; this keeps every sum far inside 64 bits).
const MAX_POUNDS: i64 = 100_000_000_000;

const PAYMENTS_LIMITS: Limits = Limits {
    what: "an NHS Payments to General Practice file",
    max_rows: PAYMENTS_MAX_ROWS,
    max_cell_chars: 1_000,
    header: true,
};

/// A header as compared: no BOM, lower case, `_` as a space, spaces squashed.
fn squash(text: &str) -> String {
    text.trim_start_matches('\u{feff}')
        .replace('_', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// An amount as published (`1143511.92`, `-200474.39`; a `£` and thousands commas are
/// allowed), in pence. `Ok(None)` for an empty cell or the publisher's `N/A`.
pub fn parse_pence(text: &str) -> Result<Option<i64>, String> {
    let trimmed = text.trim();
    if not_given(trimmed) {
        return Ok(None);
    }
    let bad = || format!("{} is not an amount in pounds and pence", quote(trimmed));
    let (negative, rest) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    let rest = rest.strip_prefix('£').unwrap_or(rest).replace(',', "");
    let (pounds, pence) = match rest.split_once('.') {
        Some((pounds, pence)) => (pounds, pence),
        None => (rest.as_str(), ""),
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if pounds.is_empty() || !digits(pounds) || !digits(pence) || pence.len() > 2 {
        return Err(bad());
    }
    if pounds.len() > 12 {
        return Err(format!(
            "{} is more than £{MAX_POUNDS} in one cell",
            quote(trimmed)
        ));
    }
    let pounds: i64 = pounds.parse().map_err(|_| bad())?;
    if pounds > MAX_POUNDS {
        return Err(format!(
            "{} is more than £{MAX_POUNDS} in one cell",
            quote(trimmed)
        ));
    }
    let pence: i64 = match pence.len() {
        0 => 0,
        1 => pence.parse::<i64>().map_err(|_| bad())? * 10,
        _ => pence.parse().map_err(|_| bad())?,
    };
    let value = pounds * 100 + pence;
    Ok(Some(if negative { -value } else { value }))
}

/// An empty cell, or `N/A` as the publisher writes where a figure does not apply.
fn not_given(trimmed: &str) -> bool {
    trimmed.is_empty() || trimmed.eq_ignore_ascii_case("n/a")
}

fn parse_patients(text: &str) -> Result<Option<f64>, String> {
    let trimmed = text.trim().replace(',', "");
    if not_given(&trimmed) {
        return Ok(None);
    }
    match trimmed.parse::<f64>() {
        Ok(n) if n.is_finite() && (0.0..=100_000_000.0).contains(&n) => Ok(Some(n)),
        _ => Err(format!(
            "{} is not a number of patients",
            quote(text.trim())
        )),
    }
}

/// Where the columns read are.
struct Columns {
    code: usize,
    name: Option<usize>,
    registered: usize,
    weighted: usize,
    total: usize,
    /// Each money column's index in the row.
    money: Vec<usize>,
    /// The header as published, for naming fields.
    header: Vec<String>,
}

fn find_columns(
    file_name: &str,
    row: usize,
    header: &[String],
) -> Result<(Columns, Vec<PaymentColumn>), ImportError> {
    let names: Vec<String> = header.iter().map(|h| squash(h)).collect();
    let exact = |wanted: &str| names.iter().position(|n| *n == squash(wanted));
    // The patient counts by their start: the figure's date in brackets may change.
    let starting = |wanted: &str| {
        exact(wanted).or_else(|| {
            let start = squash(wanted.split(" (").next().unwrap_or(wanted));
            names.iter().position(|n| n.starts_with(&start))
        })
    };
    let code = exact(PRACTICE_CODE);
    let registered = starting(REGISTERED);
    let weighted = starting(WEIGHTED);
    let total = exact(PAYMENTS_TOTAL);
    let missing: Vec<String> = [
        (PRACTICE_CODE, code),
        (REGISTERED, registered),
        (WEIGHTED, weighted),
        (PAYMENTS_TOTAL, total),
    ]
    .iter()
    .filter(|(_, at)| at.is_none())
    .map(|(name, _)| format!("'{name}'"))
    .collect();
    let (Some(code), Some(registered), Some(weighted), Some(total)) =
        (code, registered, weighted, total)
    else {
        return Err(ImportError {
            file: file_name.to_string(),
            problems: vec![crate::RowProblem {
                person: None,
                row: Some(row),
                field: None,
                message: format!(
                    "the header has no column {}: this is not NHS Digital's NHS Payments to General Practice file",
                    missing.join(", ")
                ),
            }],
        });
    };
    let first_money = registered.max(weighted) + 1;
    if total < first_money {
        return Err(ImportError {
            file: file_name.to_string(),
            problems: vec![crate::RowProblem {
person: None,
                row: Some(row),
                field: Some(PAYMENTS_TOTAL.into()),
                message: "comes before the patient counts: the payments follow them in the published file".into(),
            }],
        });
    }
    let mut money = Vec::new();
    let mut columns = Vec::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, name) in names.iter().enumerate().skip(first_money) {
        if name.is_empty() || name.starts_with("average payments") {
            continue;
        }
        if let Some(first) = seen.insert(name, i) {
            return Err(ImportError {
                file: file_name.to_string(),
                problems: vec![crate::RowProblem {
                    person: None,
                    row: Some(row),
                    field: Some(header[i].trim().to_string()),
                    message: format!(
                        "the header names this column twice (columns {} and {})",
                        crate::rows::column_letters(first),
                        crate::rows::column_letters(i)
                    ),
                }],
            });
        }
        let kind = if name.starts_with("total nhs payments") {
            PaymentKind::Total
        } else if i < total {
            PaymentKind::Line
        } else {
            PaymentKind::Outside
        };
        money.push(i);
        columns.push(PaymentColumn {
            name: header[i].trim_start_matches('\u{feff}').trim().to_string(),
            kind,
        });
    }
    let found = Columns {
        code,
        name: exact(PRACTICE_NAME),
        registered,
        weighted,
        total,
        money,
        header: header
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect(),
    };
    Ok((found, columns))
}

/// Reads a whole payments file for `year` (or the year its name gives), or every problem in it.
pub fn read_payments(
    file_name: &str,
    bytes: &[u8],
    year: Option<FinancialYear>,
) -> Result<PaymentsFile, ImportError> {
    let text = crate::published_csv(
        file_name,
        bytes,
        "the NHS Payments to General Practice file",
    )?;
    let mut found: Option<(Columns, Vec<PaymentColumn>)> = None;
    let mut problems = Problems::default();
    let mut practices = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    csv_rows(file_name, text, PAYMENTS_LIMITS, |row, cells| {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return Ok(());
        }
        let Some((columns, _)) = &found else {
            found = Some(find_columns(file_name, row, cells)?);
            return Ok(());
        };
        if let Some(practice) = read_row(row, cells, columns, &mut problems, &mut seen) {
            practices.push(practice);
        }
        problems.stop_if_full(file_name)
    })?;
    let Some((_, columns)) = found else {
        return Err(ImportError::file(file_name, "the file is empty"));
    };
    if practices.is_empty() && problems.0.is_empty() {
        return Err(ImportError::file(
            file_name,
            "the file has no rows below the header",
        ));
    }
    // The layout is checked first: a file of another kind is named as such whatever its name.
    let from_name = FinancialYear::from_file_name(file_name);
    let year = match (year, from_name) {
        (Some(given), Some(named)) if given != named => {
            return Err(ImportError::file(
                file_name,
                format!("the file's name says {named} but the year given is {given}"),
            ));
        }
        (Some(year), _) | (None, Some(year)) => year,
        (None, None) => {
            return Err(ImportError::file(
                file_name,
                "the file's name does not say which financial year it covers: give the year, like 2022-23",
            ));
        }
    };
    problems.finish(
        file_name,
        PaymentsFile {
            year,
            columns,
            practices,
        },
    )
}

fn read_row(
    row: usize,
    cells: &[String],
    c: &Columns,
    problems: &mut Problems,
    seen: &mut BTreeMap<String, usize>,
) -> Option<PracticePayments> {
    let get = |i: usize| cells.get(i).map(String::as_str).unwrap_or_default();
    let before = problems.0.len();
    let code = match OdsCode::parse(get(c.code).trim()) {
        Ok(code) => Some(code),
        Err(e) => {
            problems.add(row, &c.header[c.code], e.message);
            None
        }
    };
    if let Some(code) = &code {
        if let Some(first) = seen.get(code.as_str()) {
            problems.add(
                row,
                &c.header[c.code],
                format!("{code} is also on row {first}"),
            );
        } else {
            seen.insert(code.to_string(), row);
        }
    }
    let mut patients = |i: usize| match parse_patients(get(i)) {
        Ok(n) => n,
        Err(message) => {
            problems.add(row, &c.header[i], message);
            None
        }
    };
    let registered_patients = patients(c.registered);
    let weighted_patients = patients(c.weighted);
    let mut amounts = Vec::with_capacity(c.money.len());
    for &i in &c.money {
        match parse_pence(get(i)) {
            Ok(amount) => amounts.push(amount),
            Err(message) => {
                problems.add(row, &c.header[i], message);
                amounts.push(None);
            }
        }
    }
    let total_at = c.money.iter().position(|&i| i == c.total);
    let total_pence = total_at.and_then(|at| amounts[at]);
    if total_pence.is_none() && problems.0.len() == before {
        problems.add(
            row,
            &c.header[c.total],
            "is empty: every practice has a total",
        );
    }
    if problems.0.len() > before {
        return None;
    }
    Some(PracticePayments {
        row,
        ods_code: code?,
        name: c
            .name
            .map(|i| get(i).trim().to_string())
            .unwrap_or_default(),
        registered_patients,
        weighted_patients,
        total_pence: total_pence?,
        amounts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_from_published_names() {
        let year = |name: &str| FinancialYear::from_file_name(name).map(|y| y.0);
        assert_eq!(
            year("nhs-payments-gp-practice_2019-20_SNEE.csv"),
            Some(2019)
        );
        assert_eq!(year("NHSPaymentsGP-22-23-prac-csv.csv"), Some(2022));
        assert_eq!(year("/tmp/2021-2022/payments.csv"), None);
        assert_eq!(year("payments 2021-2022.csv"), Some(2021));
        assert_eq!(year("payments.csv"), None);
        assert_eq!(year("payments-2019-21.csv"), None);
        assert_eq!(FinancialYear::parse("2022-23"), Some(FinancialYear(2022)));
        assert_eq!(FinancialYear::parse("2022/23"), Some(FinancialYear(2022)));
        assert_eq!(FinancialYear::parse("2022"), Some(FinancialYear(2022)));
        assert_eq!(FinancialYear::parse("2022-24"), None);
        assert_eq!(FinancialYear::parse("2022-23x"), None);
        assert_eq!(FinancialYear::parse("9999"), None);
        assert_eq!(FinancialYear(2099).code(), "2099-00");
        assert_eq!(FinancialYear(2022).label(), "2022/23");
    }

    #[test]
    fn amounts_in_pence() {
        assert_eq!(parse_pence("1143511.92"), Ok(Some(114_351_192)));
        assert_eq!(parse_pence("-200474.39"), Ok(Some(-20_047_439)));
        assert_eq!(parse_pence(" 0 "), Ok(Some(0)));
        assert_eq!(parse_pence("36.3"), Ok(Some(3_630)));
        assert_eq!(parse_pence("£1,234.5"), Ok(Some(123_450)));
        assert_eq!(parse_pence(""), Ok(None));
        assert_eq!(parse_pence("N/A"), Ok(None));
        for bad in [
            "12a",
            "1.234",
            ".5",
            "-",
            "1e5",
            "NaN",
            "99999999999999",
            "1.-2",
        ] {
            assert!(parse_pence(bad).is_err(), "{bad}");
        }
    }

    const HEADER: &str = "Practice Code,Practice Name,Number of Registered Patients (Last Known Figure),Number of Weighted Patients (Last Known Figure),Average payments per registered patient,Global Sum,Total QOF Payments,Total NHS Payments to General Practice,Deductions,PCN Workforce,Total NHS Payments including PCN Workforce\n";

    #[test]
    fn columns_are_sorted_by_where_they_stand() {
        let text = format!("\u{feff}{HEADER}D83001,A,100,110.5,5,300.10,200,500.10,-20,7,507.10\n");
        let file = read_payments("x_2022-23.csv", text.as_bytes(), None).unwrap();
        assert_eq!(file.year, FinancialYear(2022));
        let kinds: Vec<(&str, PaymentKind)> = file
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("Global Sum", PaymentKind::Line),
                ("Total QOF Payments", PaymentKind::Line),
                (PAYMENTS_TOTAL, PaymentKind::Total),
                ("Deductions", PaymentKind::Outside),
                ("PCN Workforce", PaymentKind::Outside),
                (
                    "Total NHS Payments including PCN Workforce",
                    PaymentKind::Total
                ),
            ]
        );
        let p = &file.practices[0];
        assert_eq!(p.total_pence, 50_010);
        assert_eq!(p.weighted_patients, Some(110.5));
        assert_eq!(p.amounts[0], Some(30_010));
    }

    #[test]
    fn bad_cells_are_named_by_row_and_column() {
        let text = format!(
            "{HEADER}D83001,A,100,110,5,300x,200,500,0,0,500\nD83001,B,-4,1,1,1,1,2,0,0,2\n"
        );
        let error = read_payments("p_2022-23.csv", text.as_bytes(), None)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(
                "p_2022-23.csv:2: Global Sum: '300x' is not an amount in pounds and pence"
            ),
            "{error}"
        );
        assert!(
            error.contains("p_2022-23.csv:3: Practice Code: D83001 is also on row 2"),
            "{error}"
        );
        assert!(
            error.contains("p_2022-23.csv:3: Number of Registered Patients (Last Known Figure): '-4' is not a number of patients"),
            "{error}"
        );
    }

    #[test]
    fn another_layout_is_refused_naming_the_missing_columns() {
        let error = read_payments(
            "staff_2022-23.csv",
            b"name,email,role\nA,a@x.example,gp\n",
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains("staff_2022-23.csv:1: the header has no column 'Practice Code', 'Number of Registered Patients (Last Known Figure)'"),
            "{error}"
        );
        let one = format!("{HEADER}D83001,A,1,1,1,1,1,2,0,0,2\n");
        let error = read_payments("p.csv", one.as_bytes(), None)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("does not say which financial year"),
            "{error}"
        );
        let error = read_payments("p_2021-22.csv", one.as_bytes(), Some(FinancialYear(2022)))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("says 2021/22 but the year given is 2022/23"),
            "{error}"
        );
    }
}
