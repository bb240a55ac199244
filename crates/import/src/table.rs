//! Plain tables (a header and rows of text) out as CSV or an Excel workbook, for exports
//! such as the training matrix.
use crate::ImportError;

/// The table as CSV (RFC 4180 quoting by the `csv` crate).
pub fn write_table_csv(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).expect("writing to memory");
    for row in rows {
        writer.write_record(row).expect("writing to memory");
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

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Reader, Xlsx};

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
