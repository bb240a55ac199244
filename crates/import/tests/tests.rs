//! The importers on the real NHS files in `../shared/data/nhs`.
const NHS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/nhs");

fn read(path: &str) -> Vec<u8> {
    std::fs::read(format!("{NHS}/{path}")).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_real_epraccur_file_has_99_active_gp_practices() {
    let file = import::read_ods_practices(
        "epraccur_DEC2019_SNEE.csv",
        &read("ods_practices/epraccur_DEC2019_SNEE.csv"),
    )
    .unwrap();
    assert_eq!(file.practices.len(), 99);
    assert_eq!(file.skipped, 89);
    let constable = file
        .practices
        .iter()
        .find(|p| p.ods_code.as_str() == "D83001")
        .unwrap();
    assert_eq!(constable.name, "CONSTABLE COUNTRY RURAL MEDICAL PRACTICE");
    assert_eq!(constable.postcode, "CO7 6RT");
    assert_eq!(constable.commissioner, "06L");
}

#[test]
fn the_real_list_size_file_has_95_practices_and_1034187_patients() {
    let rows = import::read_list_sizes(
        "gp-reg-pat-prac-all_JAN2021_SNEE.csv",
        &read("patients_registered/gp-reg-pat-prac-all_JAN2021_SNEE.csv"),
    )
    .unwrap();
    assert_eq!(rows.len(), 95);
    assert_eq!(rows.iter().map(|r| r.patients).sum::<i64>(), 1_034_187);
    assert!(
        rows.iter()
            .all(|r| r.extract_date == chrono::NaiveDate::from_ymd_opt(2021, 1, 1).unwrap())
    );
}

#[test]
fn each_file_is_refused_by_the_other_importer() {
    let lists = read("patients_registered/gp-reg-pat-prac-all_JAN2021_SNEE.csv");
    assert!(import::read_ods_practices("lists.csv", &lists).is_err());
    let ods = read("ods_practices/epraccur_DEC2019_SNEE.csv");
    let error = import::read_list_sizes("ods.csv", &ods)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("ods.csv:1: the header has no column"),
        "{error}"
    );
    assert!(import::read_staff("ods.csv", &ods).is_err());
    let pdf = read("ods_practices/epraccur_file_spec.pdf");
    assert!(
        import::read_staff("spec.pdf", &pdf)
            .unwrap_err()
            .to_string()
            .contains("is not a CSV or XLSX file")
    );
}
