//! File formats in and out. See README.md.
//!
//! Every reader parses the whole file and returns either all its rows or all its problems,
//! so the caller can store a file all-or-nothing.

mod appointment_months;
mod appointments;
mod arrs;
mod evidence;
pub mod ical;
mod lists;
mod ods;
mod payments;
mod pcn_membership;
mod problems;
mod rows;
mod staff;
mod staff_files;
mod table;

pub use appointment_months::{AppointmentMonths, read_appointment_months};
pub use appointments::{
    APPOINTMENT_MAX_ROWS, AppointmentCount, AppointmentFile, AppointmentFormat, DAILY_COLUMNS,
    MONTHLY_COLUMNS, read_appointments,
};
pub use arrs::{POSTS_HEADER, PostRow, post_problems, read_arrs_posts};
pub use evidence::{EvidenceKind, MAX_EVIDENCE_BYTES, check_evidence, safe_file_name};
pub use ical::{CalendarEvent, ical_text, write_calendar};
pub use lists::LIST_MAX_ROWS;
pub use lists::{ListSize, read_list_sizes};
pub use ods::ODS_MAX_ROWS;
pub use ods::{OdsFile, OdsPractice, read_ods_practices};
pub use payments::{
    FinancialYear, PAYMENTS_MAX_ROWS, PAYMENTS_TOTAL, PaymentColumn, PaymentKind, PaymentsFile,
    PracticePayments, parse_pence, read_payments,
};
pub use pcn_membership::EPCN_MAX_ROWS;
pub use pcn_membership::{
    EPCN_COLUMNS, EPCN_SHEET, PcnMembershipRow, parse_epcn_date, read_pcn_membership,
};
pub use problems::{ImportError, MAX_KEPT_PROBLEMS, RowProblem, clip, quote};
pub use rows::{
    MAX_COLUMNS, MAX_SHARED_STRINGS, MAX_XLSX_ENTRIES, MAX_XLSX_ENTRY_BYTES, MAX_XLSX_RATIO,
    MAX_XLSX_TOTAL_BYTES,
};
pub use staff::{
    STAFF_CELL_CHARS, STAFF_HEADER, STAFF_LIMITS_ROWS, StaffFormRow, StaffRow, check_staff_forms,
    read_staff, read_staff_forms, role_list,
};
pub use staff_files::{staff_template_csv, staff_template_xlsx, write_staff_csv, write_staff_xlsx};
pub use table::{
    Cell, FORMULA_STARTS, Sheet, csv_cell, write_csv_record, write_table_csv, write_table_xlsx,
    write_workbook,
};

/// Files larger than this are refused before they are read.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;

/// What a file is, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Csv,
    Xlsx,
}

/// Tells CSV from XLSX and refuses anything else, an empty file or an oversized one.
pub fn detect_kind(file_name: &str, bytes: &[u8]) -> Result<FileKind, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::file(file_name, "the file is empty"));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ImportError::file(
            file_name,
            format!(
                "the file is {:.1} MB: files up to {} MB can be imported",
                bytes.len() as f64 / 1_048_576.0,
                MAX_FILE_BYTES / 1_048_576
            ),
        ));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Ok(FileKind::Xlsx);
    }
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    if sample.contains(&0)
        || std::str::from_utf8(strip_bom(sample)).is_err() && !valid_prefix(sample)
    {
        return Err(ImportError::file(
            file_name,
            "is not a CSV or XLSX file (CSV must be UTF-8 text)",
        ));
    }
    Ok(FileKind::Csv)
}

/// A sample cut mid-character is still UTF-8 up to the cut.
fn valid_prefix(sample: &[u8]) -> bool {
    match std::str::from_utf8(sample) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && e.valid_up_to() + 4 > sample.len(),
    }
}

pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Reads CSV text (without a BOM) as UTF-8, naming the file when it is not.
pub(crate) fn csv_text<'a>(file_name: &str, bytes: &'a [u8]) -> Result<&'a str, ImportError> {
    std::str::from_utf8(strip_bom(bytes)).map_err(|e| {
        ImportError::file(
            file_name,
            format!("is not UTF-8 text (byte {})", e.valid_up_to()),
        )
    })
}

/// The text of a published NHS CSV file (`what` names it); an Excel workbook is refused.
pub(crate) fn published_csv<'a>(
    file_name: &str,
    bytes: &'a [u8],
    what: &str,
) -> Result<&'a str, ImportError> {
    if detect_kind(file_name, bytes)? == FileKind::Xlsx {
        return Err(ImportError::file(
            file_name,
            format!("is an Excel workbook: {what} is CSV as published"),
        ));
    }
    csv_text(file_name, bytes)
}
