//! Seeds: the real files in `shared/data` (and a few made here) each target starts from.
use super::*;

pub(super) fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The first `lines` lines of a file (whole lines, line ends kept).
pub(super) fn head(bytes: &[u8], lines: usize) -> Vec<u8> {
    let mut end = 0;
    for _ in 0..lines {
        match bytes[end..].iter().position(|b| *b == b'\n') {
            Some(at) => end += at + 1,
            None => return bytes.to_vec(),
        }
    }
    bytes[..end].to_vec()
}

pub(super) fn csv_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv" || e == "txt"))
        .collect();
    files.sort();
    files
}

pub(super) fn drafts() -> Vec<domain::staff::StaffDraft> {
    let rows = [
        "Dr Ada Example,ada.example@nhs.net,01632 960001,salaried_gp,practice,Y99901,0.67,6,minor surgery; coil fitting,2024-04-01,,Y99901",
        "\"Lee, Sam\",sam.lee@nhs.net,+44 1632 960002,clinical_pharmacist,pcn,U99901,1,9,,2023-01-09,2027-03-31,Y99901; Y99902",
        "Jo Reception,,,receptionist,practice,Y99902,0.5,4.5,,2025-11-03,,Y99902",
    ];
    let text = format!("{}\n{}\n", import::STAFF_HEADER.join(","), rows.join("\n"));
    import::read_staff("seed.csv", text.as_bytes())
        .expect("seed rows are valid")
        .into_iter()
        .map(|r| r.draft)
        .collect()
}

pub(super) fn seeds_staff_csv(data: &Path) -> Vec<Vec<u8>> {
    let written = import::write_staff_csv(&drafts());
    let crlf = String::from_utf8_lossy(&written)
        .replace('\n', "\r\n")
        .into_bytes();
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(&crlf);
    let mut seeds = vec![import::staff_template_csv(), written, crlf, bom];
    // Real CSVs of another layout: the header check and CSV quoting see real text.
    for path in csv_files(&data.join("nhs/pcn_workforce")).iter().take(3) {
        seeds.push(head(&read(path), 8));
    }
    seeds
}

pub(super) fn epcn_workbook() -> Vec<u8> {
    let csv = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../import/tests/data/epcn_snee.csv"),
    )
    .expect("the ePCN fixture");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(import::EPCN_SHEET).expect("a valid name");
    for (r, line) in csv
        .trim_start_matches('\u{feff}')
        .lines()
        .take(12)
        .enumerate()
    {
        for (c, cell) in line.split(',').enumerate() {
            let cell = cell.trim_matches('"');
            match cell.parse::<f64>() {
                Ok(n) if r > 0 => sheet.write_number(r as u32, c as u16, n),
                _ => sheet.write_string(r as u32, c as u16, cell),
            }
            .expect("in range");
        }
    }
    book.save_to_buffer().expect("in memory")
}

pub(super) fn seeds_xlsx(_: &Path) -> Vec<Vec<u8>> {
    let drafts = drafts();
    vec![
        import::write_staff_xlsx(&drafts).expect("a workbook"),
        import::write_staff_xlsx(&drafts[..1]).expect("a workbook"),
        epcn_workbook(),
    ]
}

/// A workbook's worksheet and shared strings, joined by `PART_SEPARATOR`.
pub(super) fn parts_of(workbook: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(workbook)).expect("a zip");
    let mut part = |name: &str| -> Vec<u8> {
        let mut out = Vec::new();
        if let Ok(mut file) = zip.by_name(name) {
            std::io::Read::read_to_end(&mut file, &mut out).expect("readable");
        }
        out
    };
    let mut out = part("xl/worksheets/sheet1.xml");
    out.extend_from_slice(PART_SEPARATOR);
    out.extend_from_slice(&part("xl/sharedStrings.xml"));
    out
}

pub(super) fn seeds_xlsx_parts(data: &Path) -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = seeds_xlsx(data).iter().map(|w| parts_of(w)).collect();
    // Inline strings and numbers, no shared strings.
    seeds.push(
        br#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:B2"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" t="inlineStr"><is><t>email</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Ada</t></is></c><c r="B2"><v>1.5</v></c></row></sheetData></worksheet>"#
            .to_vec(),
    );
    seeds
}

pub(super) fn seeds_epcn(_: &Path) -> Vec<Vec<u8>> {
    let fixture =
        read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../import/tests/data/epcn_snee.csv"));
    vec![head(&fixture, 12), head(&fixture, 3)]
}

pub(super) fn seeds_ods(data: &Path) -> Vec<Vec<u8>> {
    let file = read(&data.join("nhs/ods_practices/epraccur_DEC2019_SNEE.csv"));
    vec![
        head(&file, 10),
        file[file.len().saturating_sub(2_000)..].to_vec(),
    ]
    .into_iter()
    .map(|s| {
        // Start at a line.
        match s.iter().position(|b| *b == b'\n') {
            Some(at) if s.len() < file.len() && !s.starts_with(b"\"") => s[at + 1..].to_vec(),
            _ => s,
        }
    })
    .collect()
}

pub(super) fn seeds_lists(data: &Path) -> Vec<Vec<u8>> {
    let file = read(&data.join("nhs/patients_registered/gp-reg-pat-prac-all_JAN2021_SNEE.csv"));
    vec![head(&file, 12), head(&file, 2)]
}

pub(super) fn seeds_gpad(data: &Path) -> Vec<Vec<u8>> {
    let mut files = csv_files(&data.join("nhs/appointments_gp"));
    files.extend(csv_files(&data.join("nhs/appointments_gp/regions")));
    let mut seeds: Vec<Vec<u8>> = files.iter().map(|p| head(&read(p), 25)).collect();
    // The daily sub-ICB layout (no copy is published small enough to keep).
    seeds.push(
        b"SUB_ICB_LOCATION_CODE,SUB_ICB_LOCATION_ONS_CODE,SUB_ICB_LOCATION_NAME,ICB_ONS_CODE,REGION_ONS_CODE,Appointment_Date,APPT_STATUS,HCP_TYPE,APPT_MODE,TIME_BETWEEN_BOOK_AND_APPT,COUNT_OF_APPOINTMENTS\r\n06L,E38000086,NHS Suffolk and North East Essex ICB - 06L,E54000023,E40000007,03JAN2024,Attended,GP,Face-to-Face,Same Day,1200\r\n06L,E38000086,NHS Suffolk and North East Essex ICB - 06L,E54000023,E40000007,03JAN2024,DNA,Other Practice staff,Telephone,1 Day,35\r\n"
            .to_vec(),
    );
    seeds
}

pub(super) fn seeds_payments(data: &Path) -> Vec<Vec<u8>> {
    csv_files(&data.join("nhs/gp_payments"))
        .iter()
        .map(|p| head(&read(p), 6))
        .collect()
}

pub(super) fn seeds_instances(data: &Path) -> Vec<Vec<u8>> {
    csv_files(&data.join("shift-scheduling/instances"))
        .iter()
        .map(|p| read(p))
        .collect()
}

pub(super) fn seeds_rosters(_: &Path) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(7);
    let mut seeds = Vec::new();
    for (pick, problem) in roster_problems().iter().enumerate() {
        let mut roster = rota::Roster::empty(problem.staff.len(), problem.days);
        for e in 0..problem.staff.len() {
            for d in 0..problem.days {
                if rng.below(3) > 0 {
                    roster.set(e, d, Some(rng.below(problem.shifts.len() as u64) as usize));
                }
            }
        }
        let mut seed = vec![pick as u8];
        seed.extend_from_slice(rota::write_roster(problem, &roster).as_bytes());
        seeds.push(seed);
    }
    seeds
}
