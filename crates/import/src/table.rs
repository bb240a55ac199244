//! Plain tables (a header and rows of text) out as CSV or an Excel workbook, for exports
//! such as the training matrix.
use crate::ImportError;
use std::borrow::Cow;

/// First characters that make a spreadsheet read a CSV cell as a formula (OWASP's list).
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `text` is a plain decimal number such as `-12` or `-0.5` (which a spreadsheet
/// reads as that number, not as a formula).
fn is_number(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    !(whole.is_empty() && fraction.is_empty())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// A cell made safe for a CSV file that may be opened in a spreadsheet: text starting with
/// `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` so it is shown, not run
/// (OWASP's advice against formula injection). Numbers such as `-3` stay numbers. The team
/// register import takes the `'` off again, so an export reads back unchanged.
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) && !is_number(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Writes one record with every cell passed through `csv_cell`: every CSV export goes
/// through here.
pub fn write_csv_record<W: std::io::Write, T: AsRef<str>>(
    writer: &mut csv::Writer<W>,
    record: impl IntoIterator<Item = T>,
) -> csv::Result<()> {
    writer.write_record(
        record
            .into_iter()
            .map(|cell| csv_cell(cell.as_ref()).into_owned()),
    )
}

/// The table as CSV (RFC 4180 quoting by the `csv` crate), formula-leading cells made safe.
pub fn write_table_csv(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    write_csv_record(&mut writer, header).expect("writing to memory");
    for row in rows {
        write_csv_record(&mut writer, row).expect("writing to memory");
    }
    writer.into_inner().expect("writing to memory")
}

/// The table as one worksheet named `sheet_name`, header in bold and frozen.
pub fn write_table_xlsx(
    sheet_name: &str,
    header: &[String],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, ImportError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let fail = |e: rust_xlsxwriter::XlsxError| ImportError::file("export.xlsx", e.to_string());
    sheet.set_name(sheet_name).map_err(fail)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (col, name) in header.iter().enumerate() {
        let col =
            u16::try_from(col).map_err(|e| ImportError::file("export.xlsx", e.to_string()))?;
        sheet
            .write_string_with_format(0, col, name, &bold)
            .map_err(fail)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r =
            u32::try_from(i + 1).map_err(|e| ImportError::file("export.xlsx", e.to_string()))?;
        for (col, value) in row.iter().enumerate() {
            let col =
                u16::try_from(col).map_err(|e| ImportError::file("export.xlsx", e.to_string()))?;
            sheet.write_string(r, col, value).map_err(fail)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(fail)?;
    sheet.autofit();
    workbook.save_to_buffer().map_err(fail)
}

/// One cell of a workbook sheet: text (never read as a formula: it is written as a string)
/// or a number.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
}

/// One sheet of a workbook: a bold, frozen header and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// The sheets as one workbook titled `title`, dated `created` (year, month, day) rather
/// than now, so the same sheets give the same bytes.
pub fn write_workbook(
    sheets: &[Sheet],
    title: &str,
    created: (u16, u8, u8),
) -> Result<Vec<u8>, ImportError> {
    let fail = |e: rust_xlsxwriter::XlsxError| ImportError::file("annex.xlsx", e.to_string());
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let date =
        rust_xlsxwriter::ExcelDateTime::from_ymd(created.0, created.1, created.2).map_err(fail)?;
    workbook.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title(title)
            .set_creation_datetime(&date),
    );
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for s in sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(&s.name).map_err(fail)?;
        for (col, name) in (0u16..).zip(&s.header) {
            sheet
                .write_string_with_format(0, col, name, &bold)
                .map_err(fail)?;
        }
        for (r, row) in (1u32..).zip(&s.rows) {
            for (col, cell) in (0u16..).zip(row) {
                match cell {
                    Cell::Text(text) => sheet.write_string(r, col, text).map_err(fail)?,
                    Cell::Number(n) => sheet.write_number(r, col, *n).map_err(fail)?,
                };
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(fail)?;
        sheet.autofit();
    }
    workbook.save_to_buffer().map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Reader, Xlsx};

    #[test]
    fn formula_leading_text_is_neutralised_and_numbers_are_not() {
        for (cell, written) in [
            (
                "=HYPERLINK(\"http://x.example\",\"y\")",
                "'=HYPERLINK(\"http://x.example\",\"y\")",
            ),
            ("+44 1632 960001", "'+44 1632 960001"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            ("-", "'-"),
            ("-1e5", "'-1e5"),
            ("-3", "-3"),
            ("-0.5", "-0.5"),
            ("+2", "+2"),
            ("-.5", "-.5"),
            ("12", "12"),
            ("Dr A = B", "Dr A = B"),
            ("", ""),
            ("'already", "'already"),
        ] {
            assert_eq!(csv_cell(cell), written, "{cell:?}");
        }
    }

    #[test]
    fn every_table_cell_is_written_safe() {
        let header = vec!["=name".to_string(), "gap".to_string()];
        let rows = vec![vec!["@evil".to_string(), "-2".to_string()]];
        let csv = String::from_utf8(write_table_csv(&header, &rows)).unwrap();
        assert_eq!(csv, "'=name,gap\n'@evil,-2\n");
    }

    #[test]
    fn csv_and_xlsx_hold_the_same_cells() {
        let header = vec!["name".to_string(), "Fire safety".to_string()];
        let rows = vec![vec![
            "Dr A, Example".to_string(),
            "expired 2026-01-01".to_string(),
        ]];
        let csv = String::from_utf8(write_table_csv(&header, &rows)).unwrap();
        assert_eq!(
            csv,
            "name,Fire safety\n\"Dr A, Example\",expired 2026-01-01\n"
        );
        let bytes = write_table_xlsx("Training", &header, &rows).unwrap();
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("Training").unwrap();
        assert_eq!(
            range.get_value((1, 0)).unwrap().to_string(),
            "Dr A, Example"
        );
        assert_eq!(range.get_value((0, 1)).unwrap().to_string(), "Fire safety");
    }
}
