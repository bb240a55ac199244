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

/// Reads the team register. Any bad row makes the whole file an error listing every problem.
pub fn read_staff(file_name: &str, bytes: &[u8]) -> Result<Vec<StaffRow>, ImportError> {
    let mut column: Option<BTreeMap<&str, usize>> = None;
    let mut problems = Problems::default();
    let mut out = Vec::new();
    let mut emails: BTreeMap<String, usize> = BTreeMap::new();
    for_each_row(file_name, bytes, None, STAFF_LIMITS, |row, cells| {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return Ok(());
        }
        let Some(column) = &column else {
            column = Some(staff_columns(file_name, row, cells)?);
            return Ok(());
        };
        let cell = |name: &str| {
            cells
                .get(column[name])
                .map(|c| cell_value(c))
                .unwrap_or_default()
        };
        let form = StaffForm {
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
        };
        let email = form.email.to_ascii_lowercase();
        if !email.is_empty() {
            if let Some(first) = emails.get(&email) {
                problems.add(
                    row,
                    "email",
                    format!("{} is also on row {first}", clip(&email)),
                );
            } else {
                emails.insert(email, row);
            }
        }
        match form.parse() {
            Ok(draft) => out.push(StaffRow { row, draft }),
            Err(errors) => {
                for e in errors.0 {
                    problems.add(row, e.field, e.message);
                }
            }
        }
        problems.stop_if_full(file_name)
    })?;
    if column.is_none() {
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

/// Where each column of `STAFF_HEADER` is in the file's header, or what is wrong with it.
fn staff_columns(
    file_name: &str,
    header_row: usize,
    header: &[String],
) -> Result<BTreeMap<&'static str, usize>, ImportError> {
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
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

fn record(draft: &StaffDraft) -> [String; 12] {
    let f = draft.to_form();
    [
        f.name,
        f.email,
        f.phone,
        f.role,
        f.employer,
        f.employer_code,
        f.wte,
        f.sessions_per_week,
        f.skills,
        f.start_date,
        f.end_date,
        f.practices,
    ]
}

/// The team as CSV in the import layout.
pub fn write_staff_csv(rows: &[StaffDraft]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    crate::write_csv_record(&mut writer, STAFF_HEADER).expect("writing to memory");
    for draft in rows {
        crate::write_csv_record(&mut writer, record(draft)).expect("writing to memory");
    }
    writer.into_inner().expect("writing to memory")
}

/// The team as an Excel workbook in the import layout.
pub fn write_staff_xlsx(rows: &[StaffDraft]) -> Result<Vec<u8>, ImportError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let fail = |e: rust_xlsxwriter::XlsxError| ImportError::file("export.xlsx", e.to_string());
    sheet.set_name("Team").map_err(fail)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (col, name) in STAFF_HEADER.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, *name, &bold)
            .map_err(fail)?;
    }
    for (i, draft) in rows.iter().enumerate() {
        for (col, value) in record(draft).iter().enumerate() {
            sheet
                .write_string(i as u32 + 1, col as u16, value)
                .map_err(fail)?;
        }
    }
    sheet.autofit();
    workbook.save_to_buffer().map_err(fail)
}

/// The header and one example row, for managers to fill in.
pub fn staff_template_csv() -> Vec<u8> {
    let mut text = STAFF_HEADER.join(",");
    text.push_str("\nDr Ada Example,ada.example@nhs.net,01632 960001,salaried_gp,practice,Y99901,0.67,6,minor surgery; coil fitting,2024-04-01,,Y99901\n");
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "name,email,phone,role,employer,employer_code,wte,sessions_per_week,skills,start_date,end_date,practices";

    #[test]
    fn the_template_is_a_valid_file() {
        let rows = read_staff("template.csv", &staff_template_csv()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row, 2);
    }

    #[test]
    fn every_bad_field_names_its_row() {
        let csv = format!(
            "{HEADER}\nA One,a@x.example,,salaried_gp,practice,Y99901,abc,6,,2024-04-01,,Y99901\nB Two,b@x.example,,wizard,practice,Y99901,2,6,,2024-04-01,2024-01-01,Y99901\nC Three,a@x.example,,receptionist,practice,Y99901,1,6,,2024-04-01,,Y99901\n"
        );
        let error = read_staff("team.csv", csv.as_bytes()).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("team.csv:2: wte: 'abc' is not a number"),
            "{text}"
        );
        assert!(
            text.contains("team.csv:3: role: 'wizard' is not a role"),
            "{text}"
        );
        assert!(
            text.contains("team.csv:3: wte: WTE must be more than 0 and at most 1.5, not 2"),
            "{text}"
        );
        assert!(
            text.contains(
                "team.csv:3: end_date: End date 2024-01-01 is before the start date 2024-04-01"
            ),
            "{text}"
        );
        assert!(
            text.contains("team.csv:4: email: a@x.example is also on row 2"),
            "{text}"
        );
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
