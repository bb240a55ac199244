//! The team register file: CSV or XLSX, one person a row, in the layout of `STAFF_HEADER`.
use crate::problems::{ImportError, Problems};
use crate::{FileKind, csv_text, detect_kind};
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

/// The 1-based line of the record the reader places at byte `offset` of `text`. After a
/// CRLF (as Excel writes) or a blank line the reader's offset points at line ends before
/// the record, so they are skipped first.
fn line_at(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    let offset = offset.min(bytes.len());
    let start = offset
        + bytes[offset..]
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
    bytes[..start].iter().filter(|b| **b == b'\n').count() + 1
}

/// Rows of cells as text, each with its row number. In a workbook, the sheet named `sheet`
/// when there is one, otherwise the first.
pub(crate) fn rows_of(
    file_name: &str,
    bytes: &[u8],
    sheet: Option<&str>,
) -> Result<Vec<(usize, Vec<String>)>, ImportError> {
    match detect_kind(file_name, bytes)? {
        FileKind::Csv => {
            let text = csv_text(file_name, bytes)?;
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes());
            let mut rows = Vec::new();
            for record in reader.records() {
                let record = record.map_err(|e| {
                    let row = e.position().map(|p| p.line() as usize);
                    ImportError {
                        file: file_name.to_string(),
                        problems: vec![crate::RowProblem {
                            row,
                            field: None,
                            message: format!("is not valid CSV: {e}"),
                        }],
                    }
                })?;
                // Counted from the byte offset: the reader's own line count is off by one
                // in files with CRLF line ends, as Excel writes them.
                let row = record
                    .position()
                    .map(|p| line_at(text, p.byte() as usize))
                    .unwrap_or(rows.len() + 1);
                rows.push((row, record.iter().map(str::to_string).collect()));
            }
            Ok(rows)
        }
        FileKind::Xlsx => {
            use calamine::{Data, Reader};
            let mut workbook = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
                .map_err(|e| {
                    ImportError::file(file_name, format!("is not a readable XLSX workbook: {e}"))
                })?;
            let index = sheet
                .and_then(|name| {
                    workbook
                        .sheet_names()
                        .iter()
                        .position(|s| s.trim().eq_ignore_ascii_case(name))
                })
                .unwrap_or(0);
            let range = workbook
                .worksheet_range_at(index)
                .ok_or_else(|| ImportError::file(file_name, "the workbook has no sheets"))?
                .map_err(|e| {
                    ImportError::file(file_name, format!("the first sheet cannot be read: {e}"))
                })?;
            let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
            let mut rows = Vec::new();
            for (i, cells) in range.rows().enumerate() {
                let texts = cells
                    .iter()
                    .map(|cell| match cell {
                        Data::Empty => String::new(),
                        Data::String(s) => s.clone(),
                        Data::Float(f) => domain::staff::format_number(*f),
                        Data::Int(n) => n.to_string(),
                        Data::Bool(b) => b.to_string(),
                        Data::DateTime(d) => d
                            .as_datetime()
                            .map(|d| d.date().to_string())
                            .unwrap_or_else(|| d.to_string()),
                        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_string(),
                        Data::DurationIso(s) => s.clone(),
                        Data::Error(e) => format!("#{e:?}"),
                    })
                    .collect();
                rows.push((first_row + i + 1, texts));
            }
            Ok(rows)
        }
    }
}

/// Reads the team register. Any bad row makes the whole file an error listing every problem.
pub fn read_staff(file_name: &str, bytes: &[u8]) -> Result<Vec<StaffRow>, ImportError> {
    let rows = rows_of(file_name, bytes, None)?;
    let mut rows = rows
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.trim().is_empty()));
    let Some((header_row, header)) = rows.next() else {
        return Err(ImportError::file(file_name, "the file is empty"));
    };
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
    let unknown: Vec<&str> = names
        .iter()
        .map(String::as_str)
        .filter(|n| !n.is_empty() && !STAFF_HEADER.contains(n))
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
        return problems.finish(file_name, Vec::new());
    }
    let column: BTreeMap<&str, usize> = STAFF_HEADER
        .iter()
        .map(|c| (*c, names.iter().position(|n| n == c).expect("checked")))
        .collect();
    let mut out = Vec::new();
    let mut emails: BTreeMap<String, usize> = BTreeMap::new();
    for (row, cells) in rows {
        let cell = |name: &str| {
            cells
                .get(column[name])
                .map(|c| c.trim().to_string())
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
                problems.add(row, "email", format!("{email} is also on row {first}"));
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
    }
    if out.is_empty() && problems.0.is_empty() {
        return Err(ImportError::file(
            file_name,
            "the file has no rows below the header",
        ));
    }
    problems.finish(file_name, out)
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
    writer
        .write_record(STAFF_HEADER)
        .expect("writing to memory");
    for draft in rows {
        writer
            .write_record(record(draft))
            .expect("writing to memory");
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
            let rows = super::rows_of("a.csv", text.as_bytes(), None).unwrap();
            let numbers: Vec<usize> = rows.iter().map(|r| r.0).collect();
            assert_eq!(numbers, [1, 2, 4], "{text:?}");
        }
    }
}
