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

#[test]
fn the_real_gpad_file_sums_to_its_published_total() {
    let name = "Regional_CSV_SuffolkNEEssex_MAR2019-FEB2021.csv";
    let bytes = read(&format!("appointments_gp/{name}"));
    let file = import::read_appointments(name, bytes.as_slice()).unwrap();
    assert_eq!(file.format, import::AppointmentFormat::MonthlyCcg);
    assert_eq!(file.rows_read, 13_832);
    assert_eq!(file.areas.len(), 3);
    assert_eq!(file.areas["06L"], "NHS Ipswich and East Suffolk CCG");
    assert_eq!(file.area_months.len(), 3 * 24);
    // The sum of COUNT_OF_APPOINTMENTS over every row, computed independently of the
    // reader by splitting the lines.
    let text = std::str::from_utf8(&bytes).unwrap();
    let expected: u64 = text
        .lines()
        .skip(1)
        .map(|l| {
            l.trim_end()
                .rsplit(',')
                .next()
                .unwrap()
                .parse::<u64>()
                .unwrap()
        })
        .sum();
    let total: u64 = file.counts.iter().map(|c| c.appointments).sum();
    assert_eq!(total, expected);
    // Labels are kept exactly as published.
    assert!(
        file.counts
            .iter()
            .any(|c| c.hcp_type == "Other Practice staff")
    );
    let jan_gp_06l: u64 = file
        .counts
        .iter()
        .filter(|c| {
            c.area_code == "06L"
                && c.hcp_type == "GP"
                && c.period_start == chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap()
        })
        .map(|c| c.appointments)
        .sum();
    assert_eq!(jan_gp_06l, 91_465);
}

const DAILY_HEADER: &str = "SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_ONS_CODE,SUB_ICB_LOCATION_NAME,ICB_ONS_CODE,REGION_ONS_CODE,Appointment_Date,APPT_STATUS,HCP_TYPE,APPT_MODE,TIME_BETWEEN_BOOK_AND_APPT,COUNT_OF_APPOINTMENTS";

#[test]
fn the_daily_sub_icb_layout_is_detected_and_summed_by_day() {
    let text = format!(
        "\u{feff}{DAILY_HEADER}\r\n\
         06L,E38000086,\"NHS Suffolk, Ipswich\",E54000023,E40000007,03JAN2024,Attended,GP,Face-to-Face,Same Day,10\r\n\
         06L,E38000086,\"NHS Suffolk, Ipswich\",E54000023,E40000007,03JAN2024,Attended,GP,Face-to-Face,8  to 14 Days,5\r\n\
         06L,E38000086,\"NHS Suffolk, Ipswich\",E54000023,E40000007,04JAN2024,DNA,GP,Telephone,1 Day,2\r\n"
    );
    let file = import::read_appointments("daily.csv", text.as_bytes()).unwrap();
    assert_eq!(file.format, import::AppointmentFormat::DailySubIcb);
    assert_eq!(file.rows_read, 3);
    assert_eq!(file.areas["06L"], "NHS Suffolk, Ipswich");
    assert_eq!(file.counts.len(), 2);
    assert_eq!(file.counts[0].appointments, 15);
    assert_eq!(file.counts[0].period_start.to_string(), "2024-01-03");
    assert_eq!(file.area_months.len(), 1);
}

#[test]
fn bad_gpad_files_name_row_and_column() {
    let read = |text: &str| {
        import::read_appointments("bad.csv", text.as_bytes())
            .unwrap_err()
            .to_string()
    };
    let monthly_header = import::MONTHLY_COLUMNS.join(",");
    let row = |month: &str, count: &str| {
        format!(
            "06L,E38000086,NHS X,E54000023,STP,E40000007,East,{month},Attended,GP,Face-to-Face,Same Day,{count}"
        )
    };
    assert_eq!(read(""), "bad.csv: the file is empty");
    assert_eq!(
        read(&format!("{monthly_header}\n")),
        "bad.csv: has a header but no rows"
    );
    let err = read(&format!(
        "{monthly_header}\n{}\n{}\n{}\n{}\n",
        row("FOO2020", "5"),
        row("MAR2020", "-3"),
        row("MAR2020", "2.5"),
        row("03JAN2024", "1"),
    ));
    assert_eq!(
        err,
        "bad.csv:2: Appointment_Month: 'FOO2020' is not a month like MAR2019\n\
         bad.csv:3: COUNT_OF_APPOINTMENTS: '-3' is not a whole number of appointments (0 or more)\n\
         bad.csv:4: COUNT_OF_APPOINTMENTS: '2.5' is not a whole number of appointments (0 or more)\n\
         bad.csv:5: Appointment_Month: '03JAN2024' belongs to the other GPAD layout: expected a month like MAR2019 (one file must have one layout)"
    );
    // A daily header pasted under a monthly file.
    let err = read(&format!(
        "{monthly_header}\n{}\n{DAILY_HEADER}\n",
        row("MAR2020", "1")
    ));
    assert!(
        err.starts_with("bad.csv:3: a header of the other GPAD layout"),
        "{err}"
    );
    // Missing and unknown columns.
    let err = read(&format!(
        "{}\n",
        monthly_header.replace("HCP_TYPE", "CLINICIAN")
    ));
    assert!(
        err.contains("bad.csv:1: HCP_TYPE: is missing from the header"),
        "{err}"
    );
    assert!(
        err.contains("bad.csv:1: CLINICIAN: is not a column of the monthly"),
        "{err}"
    );
    let err = read("a,b\n1,2\n");
    assert!(
        err.contains("this is not a GPAD appointments file"),
        "{err}"
    );
}

fn epcn_fixture() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/epcn_snee.csv"
    ))
    .unwrap()
}

#[test]
fn the_epcn_file_is_read_with_its_bom_crlf_quotes_and_three_date_forms() {
    let rows = import::read_pcn_membership("epcn_snee.csv", &epcn_fixture()).unwrap();
    assert_eq!(rows.len(), 10);
    let wickhambrook = rows
        .iter()
        .find(|r| r.ods_code.as_str() == "D83003")
        .unwrap();
    assert_eq!(wickhambrook.practice_name, "WICKHAMBROOK SURGERY");
    assert_eq!(wickhambrook.pcn_code.as_str(), "U39025");
    assert_eq!(wickhambrook.pcn_name, "WGGL PCN");
    assert_eq!(wickhambrook.pcn_sub_icb, "07K");
    // Written 20190701 in the file; D83014 is written 2019-07-01 and the rest 01/07/2019.
    let pcn_start = chrono::NaiveDate::from_ymd_opt(2019, 7, 1).unwrap();
    let starts: Vec<_> = rows.iter().map(|r| (r.row, r.start)).collect();
    assert!(
        rows.iter()
            .filter(|r| r.row < 11)
            .all(|r| r.start == pcn_start),
        "{starts:?}"
    );
    assert_eq!(wickhambrook.end, None);
    let ended = rows
        .iter()
        .find(|r| r.pcn_code.as_str() == "U26878")
        .unwrap();
    assert_eq!(ended.row, 10);
    assert_eq!(ended.pcn_name, "BARRACK LANE & IVRY STREET PCN");
    assert_eq!(ended.end, chrono::NaiveDate::from_ymd_opt(2020, 3, 31));
}

#[test]
fn the_epcn_header_is_matched_without_case_or_spaces_and_extra_columns_pass() {
    let file = "partner organisation code , PARTNERNAME,Practice Parent Sub ICB Location Code,Practice Parent Sub ICB Location Name,Extra,PCN Code,PCN Name,PCN Parent Sub ICB Location Code,PCN Parent Sub ICB Location Name,Practice to PCN Relationship Start Date,Practice to PCN Relationship End Date\n\
        D83005,ANGEL HILL SURGERY,07K,West Suffolk,x,U98785,BURY ST EDMONDS PCN,07K,West Suffolk,01/07/2019,\n";
    let rows = import::read_pcn_membership("epcn.csv", file.as_bytes()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].pcn_code.as_str(), "U98785");
}

#[test]
fn every_bad_epcn_row_is_named_by_row_and_column() {
    let header = import::EPCN_COLUMNS.join(",");
    let file = format!(
        "{header}\n\
         D83005,ANGEL HILL SURGERY,07K,West Suffolk,X98785,BURY ST EDMONDS PCN,07K,West Suffolk,01/07/2019,\n\
         D83038,MOUNT FARM SURGERY,07K,West Suffolk,U98785,BURY ST EDMONDS PCN,07K,West Suffolk,1st July,\n\
         D83610,SWAN SURGERY,07K,West Suffolk,U98785,BURY ST EDMONDS PCN,07K,West Suffolk,01/07/2019,30/06/2019\n"
    );
    let error = import::read_pcn_membership("epcn.csv", file.as_bytes()).unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("epcn.csv:2: PCN Code: 'X98785' is not a PCN code"),
        "{text}"
    );
    assert!(
        text.contains(
            "epcn.csv:3: Practice to PCN Relationship Start Date: '1st July' is not a date"
        ),
        "{text}"
    );
    assert!(
        text.contains("epcn.csv:4: Practice to PCN Relationship End Date: the membership ends"),
        "{text}"
    );
    let missing = import::read_pcn_membership(
        "epcn.csv",
        b"Partner Organisation Code,PCN Code\nD83005,U98785\n",
    )
    .unwrap_err()
    .to_string();
    assert!(
        missing.contains("is not the ePCN core-partner file"),
        "{missing}"
    );
}

#[test]
fn the_epcn_workbook_is_read_from_its_named_sheet() {
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet()
        .set_name("Notes")
        .unwrap()
        .write(0, 0, "About this file")
        .unwrap();
    let sheet = book.add_worksheet().set_name(import::EPCN_SHEET).unwrap();
    for (c, name) in import::EPCN_COLUMNS.iter().enumerate() {
        sheet.write(0, c as u16, *name).unwrap();
    }
    let cells = [
        "D83021",
        "HAVERHILL FAMILY PRACTICE",
        "07K",
        "West Suffolk",
        "U52763",
        "HAVERHILL PCN",
        "07K",
        "West Suffolk",
        "2019-07-01",
        "",
    ];
    for (c, value) in cells.iter().enumerate() {
        sheet.write(1, c as u16, *value).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let rows = import::read_pcn_membership("epcn.xlsx", &bytes).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].ods_code.as_str(), "D83021");
    assert_eq!(rows[0].pcn_name, "HAVERHILL PCN");
}

/// Every file in `gp_payments`, found by listing the folder (a file added later is tested too).
fn payments_files() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(format!("{NHS}/gp_payments"))
        .expect("the payments folder")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    assert!(files.len() >= 4, "the payments files are missing");
    files
}

/// The file read on its own with the `csv` crate: practice code → (total in pence, registered
/// patients, the published average per registered patient).
fn published_totals(bytes: &[u8]) -> Vec<(String, i64, f64, Option<f64>)> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (code, total, registered, average) = (
        at("Practice Code"),
        at("Total NHS Payments to General Practice"),
        at("Number of Registered Patients (Last Known Figure)"),
        at("Average payments per registered patient"),
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let pounds: f64 = r[total].parse().unwrap();
            (
                r[code].to_string(),
                (pounds * 100.0).round() as i64,
                r[registered].parse().unwrap(),
                r[average].parse().ok(),
            )
        })
        .collect()
}

#[test]
fn every_payments_file_gives_each_practice_its_published_total() {
    for (name, bytes) in payments_files() {
        let file = import::read_payments(&name, &bytes, None).unwrap_or_else(|e| panic!("{e}"));
        let published = published_totals(&bytes);
        assert_eq!(file.practices.len(), published.len(), "{name}");
        let headline = file
            .columns
            .iter()
            .position(|c| c.name == import::PAYMENTS_TOTAL)
            .unwrap();
        let mut summed = 0;
        for (practice, (code, total, registered, average)) in file.practices.iter().zip(&published)
        {
            assert_eq!(practice.ods_code.as_str(), code, "{name}");
            assert_eq!(practice.total_pence, *total, "{name} {code}");
            assert_eq!(practice.amounts[headline], Some(*total), "{name} {code}");
            assert_eq!(
                practice.registered_patients,
                Some(*registered),
                "{name} {code}"
            );
            // The lines before the total add up to it wherever the file's own figures do.
            let lines: i64 = file
                .columns
                .iter()
                .zip(&practice.amounts)
                .filter(|(c, _)| c.kind == import::PaymentKind::Line)
                .map(|(_, a)| a.unwrap_or(0))
                .sum();
            if lines == *total {
                summed += 1;
            }
            if let Some(average) = average
                && *registered > 0.0
            {
                let per_patient = *total as f64 / 100.0 / registered;
                assert!(
                    (per_patient - average).abs() < 0.006,
                    "{name} {code}: {per_patient} {average}"
                );
            }
        }
        assert_eq!(
            summed,
            published.len(),
            "{name}: the lines add up to the total on every row"
        );
        eprintln!(
            "{name}: {} practices, {} money columns",
            published.len(),
            file.columns.len()
        );
    }
}

#[test]
fn other_layouts_are_refused_as_payments_files() {
    for (path, missing) in [
        (
            "patients_registered/gp-reg-pat-prac-all_JAN2021_SNEE.csv",
            "'Practice Code'",
        ),
        ("ods_practices/epraccur_DEC2019_SNEE.csv", "'Practice Code'"),
        (
            "appointments_gp/Regional_CSV_SuffolkNEEssex_MAR2019-FEB2021.csv",
            "'Practice Code'",
        ),
    ] {
        let name = "payments_2022-23.csv";
        let error = import::read_payments(name, &read(path), None)
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with(&format!("{name}:1: the header has no column {missing}")),
            "{path}: {error}"
        );
    }
    let staff = import::staff_template_csv();
    let error = import::read_payments("team_2022-23.csv", &staff, None)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("team_2022-23.csv:1: the header has no column 'Practice Code'"),
        "{error}"
    );
}
