//! The team register file: CSV or XLSX, one person a row, in the layout of `STAFF_HEADER`.
use crate::problems::{ImportError, Problems, clip};
use crate::rows::{Limits, for_each_row};
use domain::staff::{StaffDraft, StaffForm};
use std::collections::BTreeMap;

/// The columns of the team register file, named as the fields of `StaffForm`.
pub const STAFF_HEADER: [&str; 12] = [
    "name",
    "email",
    "phone",
    "role",
    "employer",
    "employer_code",
    "wte",
    "sessions_per_week",
    "skills",
    "start_date",
    "end_date",
    "practices",
];

/// One checked person and the row they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffRow {
    pub row: usize,
    pub draft: StaffDraft,
}

/// What a team register file may hold.
pub const STAFF_LIMITS_ROWS: usize = 50_000;
/// Characters in one cell of a team register file at most.
pub const STAFF_CELL_CHARS: usize = 1_000;

const STAFF_LIMITS: Limits = Limits {
    what: "a team register file",
    max_rows: STAFF_LIMITS_ROWS,
    max_cell_chars: STAFF_CELL_CHARS,
    header: true,
};

/// A cell as read: trimmed, and without the `'` an export puts before a cell that would
/// otherwise start a spreadsheet formula (see `csv_cell`), so an export reads back as it was.
fn cell_value(cell: &str) -> String {
    let cell = cell.trim();
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(crate::table::FORMULA_STARTS) => rest.to_string(),
        _ => cell.to_string(),
    }
}

/// One row of a team register file as read, before any check: its number (as a spreadsheet
/// shows it) and its cells. A held import keeps these, so a manager can correct a cell and
/// check the file again without choosing it again.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StaffFormRow {
    pub row: usize,
    pub form: StaffForm,
}

impl StaffFormRow {
    /// The cell of the named field (a column of `STAFF_HEADER`).
    pub fn field_mut(&mut self, field: &str) -> Option<&mut String> {
        let f = &mut self.form;
        Some(match field {
            "name" => &mut f.name,
            "email" => &mut f.email,
            "phone" => &mut f.phone,
            "role" => &mut f.role,
            "employer" => &mut f.employer,
            "employer_code" => &mut f.employer_code,
            "wte" => &mut f.wte,
            "sessions_per_week" => &mut f.sessions_per_week,
            "skills" => &mut f.skills,
            "start_date" => &mut f.start_date,
            "end_date" => &mut f.end_date,
            "practices" => &mut f.practices,
            _ => return None,
        })
    }

    /// The name on the row, as problems show it: cut short, or `None` when there is none.
    pub fn person(&self) -> Option<String> {
        let name = self.form.name.trim();
        (!name.is_empty()).then(|| clip(name))
    }
}

/// Reads the team register. Any bad row makes the whole file an error listing every problem.
/// Rows are checked as they are read, so a file of nonsense stops after
/// `MAX_KEPT_PROBLEMS` problems.
pub fn read_staff(file_name: &str, bytes: &[u8]) -> Result<Vec<StaffRow>, ImportError> {
    let mut checker = Checker::default();
    each_form(file_name, bytes, |row| {
        checker.check(&row);
        checker.problems.stop_if_full(file_name)
    })?;
    checker.finish(file_name)
}

/// Reads the rows of a team register file without checking their cells: only a file that
/// cannot be read, a wrong header or a file without rows is an error here.
pub fn read_staff_forms(file_name: &str, bytes: &[u8]) -> Result<Vec<StaffFormRow>, ImportError> {
    let mut out = Vec::new();
    each_form(file_name, bytes, |row| {
        out.push(row);
        Ok(())
    })?;
    Ok(out)
}

/// Hands each row of the file to `each`. In a workbook, the sheet "Team" (the template's)
/// when there is one, else the first; a date cell, or a number in a date column (Excel's
/// serial day), becomes an ISO date.
fn each_form(
    file_name: &str,
    bytes: &[u8],
    mut each: impl FnMut(StaffFormRow) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let xlsx = crate::detect_kind(file_name, bytes)? == crate::FileKind::Xlsx;
    let mut column: Option<BTreeMap<&str, usize>> = None;
    let mut rows = 0usize;
    for_each_row(
        file_name,
        bytes,
        Some("Team"),
        STAFF_LIMITS,
        |row, cells| {
            if cells.iter().all(|c| c.trim().is_empty()) {
                return Ok(());
            }
            let Some(column) = &column else {
                column = Some(staff_columns(file_name, row, cells)?);
                return Ok(());
            };
            let cell = |name: &str| {
                let text = cells
                    .get(column[name])
                    .map(|c| cell_value(c))
                    .unwrap_or_default();
                if xlsx && name.ends_with("_date") {
                    serial_to_iso(text)
                } else {
                    text
                }
            };
            rows += 1;
            each(StaffFormRow {
                row,
                form: StaffForm {
                    name: cell("name"),
                    email: cell("email"),
                    phone: cell("phone"),
                    role: cell("role"),
                    employer: cell("employer"),
                    employer_code: cell("employer_code"),
                    wte: cell("wte"),
                    sessions_per_week: cell("sessions_per_week"),
                    skills: cell("skills"),
                    start_date: cell("start_date"),
                    end_date: cell("end_date"),
                    practices: cell("practices"),
                },
            })
        },
    )?;
    if column.is_none() {
        return Err(ImportError::file(file_name, "the file is empty"));
    }
    if rows == 0 {
        return Err(ImportError::file(
            file_name,
            "the file has no rows below the header",
        ));
    }
    Ok(())
}

/// A number in a workbook's date column is Excel's serial day (a cell formatted as a
/// number, or written by a program that does not set a date format): its ISO date.
fn serial_to_iso(text: String) -> String {
    let numeric = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && text.bytes().filter(|b| *b == b'.').count() <= 1;
    match numeric
        .then(|| text.parse::<f64>().ok())
        .flatten()
        .and_then(domain::dates::excel_serial_day)
    {
        Some(day) => day.to_string(),
        None => text,
    }
}

/// Checks every row read by `read_staff_forms`: all of them, or every problem (up to
/// `MAX_KEPT_PROBLEMS`), each naming the row and the person on it.
pub fn check_staff_forms(
    file_name: &str,
    rows: &[StaffFormRow],
) -> Result<Vec<StaffRow>, ImportError> {
    let mut checker = Checker::default();
    for row in rows {
        if checker.problems.full() {
            break;
        }
        checker.check(row);
    }
    checker.finish(file_name)
}

/// Checks rows one by one: each row's fields, and emails used twice in the file.
#[derive(Default)]
struct Checker {
    problems: Problems,
    out: Vec<StaffRow>,
    emails: BTreeMap<String, usize>,
    unknown_role: bool,
}

impl Checker {
    fn check(&mut self, r: &StaffFormRow) {
        let (row, person) = (r.row, r.person());
        let person = person.as_deref();
        let email = r.form.email.trim().to_ascii_lowercase();
        if !email.is_empty() {
            if let Some(first) = self.emails.get(&email) {
                self.problems.add_for(
                    row,
                    person,
                    "email",
                    format!("{} is also on row {first}", clip(&email)),
                );
            } else {
                self.emails.insert(email, row);
            }
        }
        match r.form.parse() {
            Ok(draft) => self.out.push(StaffRow { row, draft }),
            Err(errors) => {
                for e in errors.0 {
                    let message = if e.field == "role" && !r.form.role.trim().is_empty() {
                        self.unknown_role = true;
                        format!(
                            "{} is not a role: use a role name listed below, or its code",
                            crate::quote(r.form.role.trim())
                        )
                    } else {
                        e.message
                    };
                    self.problems.add_for(row, person, e.field, message);
                }
            }
        }
    }

    fn finish(mut self, file_name: &str) -> Result<Vec<StaffRow>, ImportError> {
        if self.unknown_role && !self.problems.full() {
            for note in role_list() {
                self.problems.add_note(note);
            }
        }
        self.problems.finish(file_name, self.out)
    }
}

/// The role names a team register file may use, one sentence a staff group (each short
/// enough to stay whole in a problem's message).
pub fn role_list() -> Vec<String> {
    domain::role::StaffGroup::ALL
        .iter()
        .map(|group| {
            let names: Vec<&str> = domain::role::Role::ALL
                .iter()
                .filter(|r| r.staff_group() == *group)
                .map(|r| r.label())
                .collect();
            format!("role names ({}): {}", group.label(), names.join(", "))
        })
        .collect()
}

/// A header cell as a column name: "Start date", "start-date" and "START_DATE" are all
/// `start_date`.
fn column_key(header: &str) -> String {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase()
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// Where each column of `STAFF_HEADER` is in the file's header, or what is wrong with it.
fn staff_columns(
    file_name: &str,
    header_row: usize,
    header: &[String],
) -> Result<BTreeMap<&'static str, usize>, ImportError> {
    let names: Vec<String> = header.iter().map(|h| column_key(h)).collect();
    let mut problems = Problems::default();
    let missing: Vec<&str> = STAFF_HEADER
        .iter()
        .copied()
        .filter(|c| !names.iter().any(|n| n == c))
        .collect();
    if !missing.is_empty() {
        problems.add_row(
            header_row,
            format!(
                "the header has no column {}: the first row must be the header {}",
                missing.join(", "),
                STAFF_HEADER.join(",")
            ),
        );
    }
    let unknown: Vec<String> = names
        .iter()
        .filter(|n| !n.is_empty() && !STAFF_HEADER.contains(&n.as_str()))
        .take(5)
        .map(|n| clip(n))
        .collect();
    if !unknown.is_empty() {
        problems.add_row(
            header_row,
            format!(
                "unknown column {}: the columns are {}",
                unknown.join(", "),
                STAFF_HEADER.join(",")
            ),
        );
    }
    if !problems.0.is_empty() {
        return Err(problems
            .finish(file_name, ())
            .expect_err("problems were found"));
    }
    Ok(STAFF_HEADER
        .iter()
        .map(|c| (*c, names.iter().position(|n| n == c).expect("checked")))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{staff_template_csv, write_staff_csv, write_staff_xlsx};

    const HEADER: &str = "name,email,phone,role,employer,employer_code,wte,sessions_per_week,skills,start_date,end_date,practices";

    fn person(role: &str, start: &str) -> String {
        format!(
            "{HEADER}\nJane Smith,jane@x.example,,{role},practice,Y99901,1,9,,{start},,Y99901\n"
        )
    }

    #[test]
    fn the_template_is_a_valid_file() {
        let rows = read_staff("template.csv", &staff_template_csv()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row, 2);
    }

    #[test]
    fn every_bad_field_names_its_row_and_person() {
        let csv = format!(
            "{HEADER}\nA One,a@x.example,,salaried_gp,practice,Y99901,abc,6,,2024-04-01,,Y99901\nB Two,b@x.example,,wizard,practice,Y99901,2,6,,2024-04-01,2024-01-01,Y99901\nC Three,a@x.example,,receptionist,practice,Y99901,1,6,,2024-04-01,,Y99901\n,d@x.example,,receptionist,practice,Y99901,1,6,,2024-04-01,,Y99901\n"
        );
        let error = read_staff("team.csv", csv.as_bytes()).unwrap_err();
        let text = error.to_string();
        for line in [
            "team.csv:2 (A One): wte: 'abc' is not a number",
            "team.csv:3 (B Two): role: 'wizard' is not a role: use a role name listed below, or its code",
            "team.csv: role names (GP): GP partner, Salaried GP, Locum GP, GP registrar",
            "team.csv:3 (B Two): wte: WTE must be more than 0 and at most 1.5, not 2",
            "team.csv:3 (B Two): end_date: End date 2024-01-01 is before the start date 2024-04-01",
            "team.csv:4 (C Three): email: a@x.example is also on row 2",
            "team.csv:5: name: Enter the person's name",
        ] {
            assert!(text.contains(line), "{line}\n{text}");
        }
        let notes: Vec<&str> = error
            .problems
            .iter()
            .filter(|p| p.row.is_none())
            .map(|p| p.message.as_str())
            .collect();
        assert_eq!(notes.len(), 4, "{notes:?}");
        assert!(notes[2].contains("Clinical pharmacist"), "{notes:?}");
        assert!(notes[3].ends_with("Estates and facilities"), "{notes:?}");
        assert_eq!(error.problems[0].person.as_deref(), Some("A One"));
    }

    #[test]
    fn dates_are_read_as_spreadsheets_write_them_never_month_first() {
        for written in ["04/01/2027", "4/1/2027", "2027-01-04", "4 Jan 2027"] {
            let rows = read_staff("team.csv", person("Salaried GP", written).as_bytes()).unwrap();
            assert_eq!(
                rows[0].draft.start_date.to_string(),
                "2027-01-04",
                "{written}"
            );
        }
        let error = read_staff("team.csv", person("Salaried GP", "31/02/2027").as_bytes())
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "team.csv:2 (Jane Smith): start_date: '31/02/2027' is not a real date: February 2027 has 28 days"
        );
        let error = read_staff("team.csv", person("Salaried GP", "01/13/2027").as_bytes())
            .unwrap_err()
            .to_string();
        assert!(error.contains("there is no month 13"), "{error}");
        // A bare number is a date only in a workbook (Excel's serial day).
        let error = read_staff("team.csv", person("Salaried GP", "46391").as_bytes())
            .unwrap_err()
            .to_string();
        assert!(error.contains("'46391' is not a date"), "{error}");
    }

    #[test]
    fn role_names_are_read_in_any_case_and_spacing() {
        for written in [
            "Clinical pharmacist",
            "clinical  PHARMACIST",
            "clinical_pharmacist",
        ] {
            let rows = read_staff("team.csv", person(written, "2027-01-04").as_bytes()).unwrap();
            assert_eq!(rows[0].draft.role, domain::role::Role::ClinicalPharmacist);
        }
    }

    #[test]
    fn workbook_dates_are_read_from_date_cells_numbers_and_text() {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for (col, name) in (0u16..).zip(STAFF_HEADER) {
            sheet.write_string(0, col, name).unwrap();
        }
        let row = |sheet: &mut rust_xlsxwriter::Worksheet, r: u32, name: &str, email: &str| {
            for (col, value) in (0u16..).zip([
                name,
                email,
                "",
                "Practice nurse",
                "practice",
                "Y99901",
                "1",
                "9",
                "",
                "",
                "",
                "Y99901",
            ]) {
                sheet.write_string(r, col, value).unwrap();
            }
        };
        row(sheet, 1, "Date Cell", "a@x.example");
        let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
        let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2027, 1, 4).unwrap();
        sheet.write_date_with_format(1, 9, &day, &date).unwrap();
        row(sheet, 2, "Serial Number", "b@x.example");
        sheet.write_number(2, 9, 46391.0).unwrap();
        sheet.write_number(2, 10, 46418.0).unwrap();
        row(sheet, 3, "Uk Text", "c@x.example");
        sheet.write_string(3, 9, "04/01/2027").unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let rows = read_staff("team.xlsx", &bytes).unwrap();
        let starts: Vec<String> = rows
            .iter()
            .map(|r| r.draft.start_date.to_string())
            .collect();
        assert_eq!(starts, ["2027-01-04"; 3]);
        assert_eq!(rows[1].draft.end_date.unwrap().to_string(), "2027-01-31");
    }

    #[test]
    fn headers_may_be_written_in_words() {
        let csv = "Name,Email,Phone,Role,Employer,Employer code,WTE,Sessions per week,Skills,Start date,End date,Practices\nJane Smith,,,GP partner,practice,Y99901,1,9,,01/04/2020,,Y99901\n";
        let rows = read_staff("team.csv", csv.as_bytes()).unwrap();
        assert_eq!(rows[0].draft.role, domain::role::Role::GpPartner);
    }

    #[test]
    fn a_corrected_row_checks_clean() {
        let mut rows =
            read_staff_forms("team.csv", person("wizard", "31/02/2027").as_bytes()).unwrap();
        assert!(check_staff_forms("team.csv", &rows).is_err());
        *rows[0].field_mut("role").unwrap() = "Clinical pharmacist".into();
        *rows[0].field_mut("start_date").unwrap() = "28/02/2027".into();
        assert!(rows[0].field_mut("nonsense").is_none());
        let checked = check_staff_forms("team.csv", &rows).unwrap();
        assert_eq!(checked[0].draft.start_date.to_string(), "2027-02-28");
    }

    #[test]
    fn missing_and_unknown_columns_are_named() {
        let error = read_staff("team.csv", b"name,email,wtf\nA,a@x.example,1\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("team.csv:1: the header has no column phone, role"),
            "{error}"
        );
        assert!(error.contains("unknown column wtf"), "{error}");
    }

    #[test]
    fn empty_header_only_binary_and_oversized_files_are_refused() {
        assert_eq!(
            read_staff("a.csv", b"").unwrap_err().to_string(),
            "a.csv: the file is empty"
        );
        assert_eq!(
            read_staff("a.csv", format!("{HEADER}\n").as_bytes())
                .unwrap_err()
                .to_string(),
            "a.csv: the file has no rows below the header"
        );
        let pdf = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< >>\x00\x00";
        assert!(
            read_staff("a.pdf", pdf)
                .unwrap_err()
                .to_string()
                .contains("is not a CSV or XLSX file")
        );
        let big = vec![b'a'; crate::MAX_FILE_BYTES + 1];
        assert!(
            read_staff("big.csv", &big)
                .unwrap_err()
                .to_string()
                .contains("files up to 20 MB can be imported")
        );
    }

    #[test]
    fn csv_and_xlsx_round_trip() {
        let rows = read_staff("template.csv", &staff_template_csv()).unwrap();
        let drafts: Vec<StaffDraft> = rows.into_iter().map(|r| r.draft).collect();
        let again: Vec<StaffDraft> = read_staff("out.csv", &write_staff_csv(&drafts))
            .unwrap()
            .into_iter()
            .map(|r| r.draft)
            .collect();
        assert_eq!(again, drafts);
        let xlsx = write_staff_xlsx(&drafts).unwrap();
        let again: Vec<StaffDraft> = read_staff("out.xlsx", &xlsx)
            .unwrap()
            .into_iter()
            .map(|r| r.draft)
            .collect();
        assert_eq!(again, drafts);
    }
}

#[cfg(test)]
mod row_numbers {
    #[test]
    fn rows_are_numbered_as_a_spreadsheet_does_with_lf_or_crlf() {
        for text in ["a,b\nc,d\n\ne,f\n", "a,b\r\nc,d\r\n\r\ne,f\r\n"] {
            let mut numbers = Vec::new();
            crate::rows::for_each_row(
                "a.csv",
                text.as_bytes(),
                None,
                super::STAFF_LIMITS,
                |row, _| {
                    numbers.push(row);
                    Ok(())
                },
            )
            .unwrap();
            assert_eq!(numbers, [1, 2, 4], "{text:?}");
        }
    }
}
