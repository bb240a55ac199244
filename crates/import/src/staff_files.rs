//! The team register written out: the export (CSV or XLSX, in the import layout) and the
//! templates managers fill in. Roles are written by name, as the register shows them; the
//! XLSX template offers them as a drop-down from its "Roles" sheet.
use crate::problems::ImportError;
use crate::staff::STAFF_HEADER;
use domain::role::Role;
use domain::staff::StaffDraft;
use rust_xlsxwriter::{DataValidation, ExcelDateTime, Format, Formula, Workbook, XlsxError};

fn record(draft: &StaffDraft) -> [String; 12] {
    let f = draft.to_form();
    [
        f.name,
        f.email,
        f.phone,
        draft.role.label().to_string(),
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

fn fail(e: XlsxError) -> ImportError {
    ImportError::file("export.xlsx", e.to_string())
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
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Team").map_err(fail)?;
    let bold = Format::new().set_bold();
    for (col, name) in (0u16..).zip(STAFF_HEADER) {
        sheet
            .write_string_with_format(0, col, name, &bold)
            .map_err(fail)?;
    }
    for (r, draft) in (1u32..).zip(rows) {
        for (col, value) in (0u16..).zip(record(draft)) {
            sheet.write_string(r, col, value).map_err(fail)?;
        }
    }
    sheet.autofit();
    workbook.save_to_buffer().map_err(fail)
}

/// The template's example person, by role name and with a UK date, as a manager writes them.
const EXAMPLE: [&str; 12] = [
    "Dr Ada Example",
    "ada.example@nhs.net",
    "01632 960001",
    "Salaried GP",
    "practice",
    "Y99901",
    "0.67",
    "6",
    "minor surgery; coil fitting",
    "01/04/2024",
    "",
    "Y99901",
];

/// The header and one example row, for managers to fill in (the role names are listed on
/// the import page and in the XLSX template).
pub fn staff_template_csv() -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    crate::write_csv_record(&mut writer, STAFF_HEADER).expect("writing to memory");
    crate::write_csv_record(&mut writer, EXAMPLE).expect("writing to memory");
    writer.into_inner().expect("writing to memory")
}

/// Rows of the template's team sheet that offer the role drop-down and date format.
const TEMPLATE_ROWS: u32 = 500;

/// The template as a workbook: a "Team" sheet (header, the example person, a role
/// drop-down and dd/mm/yyyy date cells on the first 500 rows) and a "Roles" sheet listing
/// every role's name, code and staff group.
pub fn staff_template_xlsx() -> Result<Vec<u8>, ImportError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let role_col = column_of("role");
    let team = workbook.add_worksheet();
    team.set_name("Team").map_err(fail)?;
    for (col, name) in (0u16..).zip(STAFF_HEADER) {
        team.write_string_with_format(0, col, name, &bold)
            .map_err(fail)?;
    }
    for (col, value) in (0u16..).zip(EXAMPLE) {
        if col == column_of("start_date") {
            let day = ExcelDateTime::from_ymd(2024, 4, 1).map_err(fail)?;
            team.write_date_with_format(1, col, &day, &date)
                .map_err(fail)?;
        } else if !value.is_empty() {
            team.write_string(1, col, value).map_err(fail)?;
        }
    }
    for field in ["start_date", "end_date"] {
        team.set_column_format(column_of(field), &date)
            .map_err(fail)?;
    }
    let last = Role::ALL.len() + 1;
    let roles = DataValidation::new()
        .allow_list_formula(Formula::new(format!("=Roles!$A$2:$A${last}")))
        .set_error_title("Not a role")
        .map_err(fail)?
        .set_error_message("Choose a role name from the list (the Roles sheet lists them all).")
        .map_err(fail)?;
    team.add_data_validation(1, role_col, TEMPLATE_ROWS, role_col, &roles)
        .map_err(fail)?;
    team.set_freeze_panes(1, 0).map_err(fail)?;
    team.autofit();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Roles").map_err(fail)?;
    for (col, name) in (0u16..).zip(["Role name", "Code", "Staff group"]) {
        sheet
            .write_string_with_format(0, col, name, &bold)
            .map_err(fail)?;
    }
    for (r, role) in (1u32..).zip(Role::ALL) {
        sheet.write_string(r, 0, role.label()).map_err(fail)?;
        sheet.write_string(r, 1, role.code()).map_err(fail)?;
        sheet
            .write_string(r, 2, role.staff_group().label())
            .map_err(fail)?;
    }
    sheet.autofit();
    workbook.save_to_buffer().map_err(fail)
}

fn column_of(field: &str) -> u16 {
    STAFF_HEADER
        .iter()
        .position(|c| *c == field)
        .expect("a column of the header") as u16
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read_staff;

    #[test]
    fn both_templates_read_back_as_the_example_person() {
        for (name, bytes) in [
            ("template.csv", staff_template_csv()),
            ("template.xlsx", staff_template_xlsx().unwrap()),
        ] {
            let rows = read_staff(name, &bytes).unwrap();
            assert_eq!(rows.len(), 1, "{name}");
            assert_eq!(rows[0].row, 2);
            let draft = &rows[0].draft;
            assert_eq!(draft.role, Role::SalariedGp, "{name}");
            assert_eq!(draft.start_date.to_string(), "2024-04-01", "{name}");
            assert_eq!(draft.name, "Dr Ada Example");
        }
    }

    #[test]
    fn the_xlsx_template_lists_every_role_and_offers_them_as_a_drop_down() {
        use calamine::{Reader, Xlsx};
        let bytes = staff_template_xlsx().unwrap();
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
        let roles = book.worksheet_range("Roles").unwrap();
        assert_eq!(roles.height(), Role::ALL.len() + 1);
        assert_eq!(
            roles.get_value((10, 0)).unwrap().to_string(),
            "Clinical pharmacist"
        );
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut sheet = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
            &mut sheet,
        )
        .unwrap();
        assert!(sheet.contains("Roles!$A$2:$A$34"), "{sheet}");
        assert_eq!(Role::ALL.len(), 33);
    }
}
