//! Fuzz targets for every file reader gpteam has, seeded with the real files in
//! `shared/data`, and a small mutation engine that runs them on the stable toolchain.
//!
//! Each target takes bytes, runs one reader, checks what must hold whatever the bytes (no
//! panic; every problem message short, so a huge cell is never echoed back) and returns a
//! signature of the outcome (which error, or success). The engine mutates the seed files
//! (bit flips, byte and token insertions, deletions, duplications, splices, interesting
//! numbers) and keeps any input whose outcome signature is new, so it works its way past
//! one check to the next without coverage instrumentation. Each target is a plain
//! `fn(&[u8])`, so a coverage-guided engine (libFuzzer through `cargo fuzz`, on nightly) can
//! call the same functions.
//!
//! Workbooks are fuzzed twice: as raw zip bytes, and through `xlsx_parts`, whose input is a
//! worksheet and a shared-string table (separated by `PART_SEPARATOR`) zipped into a valid
//! workbook, so mutations reach the XML rather than dying at the zip's checksums.
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One reader to fuzz.
pub struct Target {
    pub name: &'static str,
    /// Runs the reader on the input; panics when something that must hold does not.
    pub run: fn(&[u8]) -> u64,
    /// The seed inputs, from the real files.
    pub seeds: fn(&Path) -> Vec<Vec<u8>>,
    /// Bytes worth inserting (field separators, keywords, numbers at the edges).
    pub tokens: &'static [&'static [u8]],
    /// Inputs are cut to this many bytes.
    pub max_len: usize,
}

/// Every target, in the order they are run.
pub fn targets() -> Vec<Target> {
    vec![
        Target {
            name: "staff_csv",
            run: staff_csv,
            seeds: seeds_staff_csv,
            tokens: CSV_TOKENS,
            max_len: 16 * 1024,
        },
        Target {
            name: "staff_xlsx",
            run: staff_xlsx,
            seeds: seeds_xlsx,
            tokens: XML_TOKENS,
            max_len: 64 * 1024,
        },
        Target {
            name: "xlsx_parts",
            run: xlsx_parts,
            seeds: seeds_xlsx_parts,
            tokens: XML_TOKENS,
            max_len: 32 * 1024,
        },
        Target {
            name: "pcn_membership_csv",
            run: pcn_membership_csv,
            seeds: seeds_epcn,
            tokens: CSV_TOKENS,
            max_len: 16 * 1024,
        },
        Target {
            name: "ods_epraccur",
            run: ods_epraccur,
            seeds: seeds_ods,
            tokens: CSV_TOKENS,
            max_len: 16 * 1024,
        },
        Target {
            name: "list_sizes",
            run: list_sizes,
            seeds: seeds_lists,
            tokens: CSV_TOKENS,
            max_len: 16 * 1024,
        },
        Target {
            name: "gpad_appointments",
            run: gpad_appointments,
            seeds: seeds_gpad,
            tokens: GPAD_TOKENS,
            max_len: 16 * 1024,
        },
        Target {
            name: "gp_payments",
            run: gp_payments,
            seeds: seeds_payments,
            tokens: PAYMENTS_TOKENS,
            max_len: 16 * 1024,
        },
        Target {
            name: "rota_instance",
            run: rota_instance,
            seeds: seeds_instances,
            tokens: ROTA_TOKENS,
            max_len: 32 * 1024,
        },
        Target {
            name: "rota_roster",
            run: rota_roster,
            seeds: seeds_rosters,
            tokens: ROTA_TOKENS,
            max_len: 8 * 1024,
        },
    ]
}

/// The target of this name.
pub fn target(name: &str) -> Option<Target> {
    targets().into_iter().find(|t| t.name == name)
}

/// The tokens as a libFuzzer dictionary: one quoted token a line, bytes outside printable
/// ASCII (and `"` and `\\`) written as `\\xNN`.
pub fn libfuzzer_dictionary(tokens: &[&[u8]]) -> String {
    let mut out = String::new();
    for token in tokens {
        out.push('"');
        for &b in *token {
            if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
                out.push(b as char);
            } else {
                out.push_str(&format!("\\x{b:02X}"));
            }
        }
        out.push_str("\"\n");
    }
    out
}

/// `shared/data` beside the repository (or `$GPTEAM_SHARED_DATA`).
pub fn shared_data() -> PathBuf {
    std::env::var_os("GPTEAM_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
}

const CSV_TOKENS: &[&[u8]] = &[
    b",",
    b"\"",
    b"\"\"",
    b"\r\n",
    b"\n",
    b"\r",
    b"\t",
    b";",
    b"'",
    b"=",
    b"-",
    b"+",
    b"@",
    b"\xEF\xBB\xBF",
    b"\xC3\xA9",
    b"\xE2\x80\xAE",
    b"\xFF",
    b"\0",
    b"-1",
    b"0",
    b"1.5",
    b"NaN",
    b"inf",
    b"1e308",
    b"4294967296",
    b"18446744073709551616",
    b"9999999999999999999999",
    b"2024-04-01",
    b"01/04/2020",
    b"20200401",
    b"31/02/2020",
    b"01JAN2021",
    b"MAR2019",
    b"Y99901",
    b"U99901",
    b"D83001",
    b"ALL",
    b"practice",
    b"pcn",
    b"salaried_gp",
    b"a@x.example",
    b"PUBLICATION",
    b"CODE",
];

const XML_TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"/>",
    b"\"",
    b"'",
    b"&amp;",
    b"&#0;",
    b"&#x10FFFF;",
    b"<![CDATA[x]]>",
    b"<row r=\"1048576\">",
    b"<row r=\"0\">",
    b"<row r=\"4294967296\">",
    b"<c r=\"XFD1048576\">",
    b"<c r=\"A1\" t=\"s\"><v>0</v></c>",
    b"<c r=\"B2\" t=\"s\"><v>999999</v></c>",
    b"<c r=\"A2\" t=\"inlineStr\"><is><t>x</t></is></c>",
    b"<c r=\"A3\" t=\"n\"><v>1e308</v></c>",
    b"<c r=\"A4\" t=\"b\"><v>1</v></c>",
    b"<c r=\"A5\" t=\"e\"><v>#N/A</v></c>",
    b"<c r=\"A6\" t=\"d\"><v>2024-04-01T00:00:00</v></c>",
    b"<c r=\"A7\" s=\"99\"><v>45000</v></c>",
    b"<si><t>x</t></si>",
    b"<si><r><t>a</t></r><r><t>b</t></r></si>",
    b"uniqueCount=\"4294967295\"",
    b"<dimension ref=\"A1:XFD1048576\"/>",
    b"</sheetData>",
    b"<sheetData>",
    b"xml:space=\"preserve\"",
    b"<f t=\"shared\" si=\"999999\" ref=\"A1:A2\">A1</f>",
    b"-1",
    b"0",
    b"NaN",
    b"2024-04-01",
    b"\xEF\xBB\xBF",
];

const GPAD_TOKENS: &[&[u8]] = &[
    b",",
    b"\"",
    b"\r\n",
    b"\n",
    b" ",
    b"  ",
    b"MAR2019",
    b"FEB2021",
    b"29FEB2024",
    b"31APR2024",
    b"01JAN1989",
    b"01JAN2201",
    b"Appointment_Month",
    b"Appointment_Date",
    b"COUNT_OF_APPOINTMENTS",
    b"SUB_ICB_LOCATION_CODE",
    b"CCG_CODE",
    b"18446744073709551615",
    b"18446744073709551616",
    b"-1",
    b"0",
    b"\xEF\xBB\xBF",
    b"\xC3\xA9",
    b"\xFF",
    b"Attended",
    b"DNA",
    b"GP",
    b"Face-to-Face",
    b"Same Day",
];

const PAYMENTS_TOKENS: &[&[u8]] = &[
    b",",
    b"\"",
    b"\r\n",
    b"\n",
    b" ",
    b".",
    b"-",
    b"\xC2\xA3",
    b"N/A",
    b"0.005",
    b"-0.00",
    b"99999999999.99",
    b"100000000000",
    b"9223372036854775807",
    b"1e308",
    b"NaN",
    b"Practice Code",
    b"Practice_Code",
    b"Number of Registered Patients (Last Known Figure)",
    b"Number of Weighted Patients (Last Known Figure)",
    b"Total NHS Payments to General Practice",
    b"Total NHS Payments including PCN Workforce",
    b"Average payments per registered patient",
    b"Global Sum",
    b"D83001",
    b"\xEF\xBB\xBF",
    b"\xC3\xA9",
    b"\xFF",
];

const ROTA_TOKENS: &[&[u8]] = &[
    b",",
    b"|",
    b"=",
    b"\n",
    b"\r\n",
    b"\t",
    b"-",
    b" ",
    b"#",
    b"SECTION_HORIZON\n",
    b"SECTION_SHIFTS\n",
    b"SECTION_STAFF\n",
    b"SECTION_DAYS_OFF\n",
    b"SECTION_SHIFT_ON_REQUESTS\n",
    b"SECTION_SHIFT_OFF_REQUESTS\n",
    b"SECTION_COVER\n",
    b"0",
    b"7",
    b"14",
    b"4294967295",
    b"4294967294",
    b"2147483647",
    b"99999999",
    b"700000000",
    b"-1",
    b"D",
    b"E",
    b"L",
    b"N",
    b"\xC3\xA9",
];

/// An outcome's signature: which variant, ignoring numbers and quoted text, so one kind of
/// problem on any row counts once.
fn signature(kind: &str, text: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    kind.hash(&mut hasher);
    let mut quoted = false;
    for c in text.chars().take(160) {
        if c == '\'' {
            quoted = !quoted;
            continue;
        }
        if !quoted && !c.is_ascii_digit() {
            c.hash(&mut hasher);
        }
    }
    hasher.finish()
}

/// What must hold of any import result: a problem's message and field stay short whatever
/// the file held, and the whole error prints.
fn check_import<T>(result: &Result<T, import::ImportError>, rows: impl Fn(&T) -> usize) -> u64 {
    match result {
        Ok(value) => signature("ok", &rows(value).min(4).to_string()),
        Err(error) => {
            assert!(!error.problems.is_empty(), "an error with no problem");
            for p in &error.problems {
                assert!(
                    p.message.chars().count() <= 700,
                    "a message of {} characters: {:.200}",
                    p.message.chars().count(),
                    p.message
                );
                if let Some(field) = &p.field {
                    assert!(
                        field.chars().count() <= 700,
                        "a field name of {} characters",
                        field.len()
                    );
                }
            }
            let text = error.to_string();
            assert!(text.len() < 1 << 20, "an error of {} bytes", text.len());
            let first = &error.problems[0];
            signature(
                first.field.as_deref().unwrap_or("-"),
                &format!("{} {}", first.row.is_some(), first.message),
            )
        }
    }
}

pub fn staff_csv(data: &[u8]) -> u64 {
    check_import(&import::read_staff("fuzz.csv", data), Vec::len)
}

pub fn staff_xlsx(data: &[u8]) -> u64 {
    check_import(&import::read_staff("fuzz.xlsx", data), Vec::len)
}

/// Separates the worksheet from the shared-string table in an `xlsx_parts` input.
pub const PART_SEPARATOR: &[u8] = b"\n--PART--\n";

/// A workbook holding `sheet` as its one worksheet (named for the ePCN file, so both readers
/// read it) and `strings` as its shared strings, stored without compression.
pub fn workbook_of(sheet: &[u8], strings: &[u8]) -> Vec<u8> {
    const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
    const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="PCN Core Partner Details" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in [
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/sharedStrings.xml", strings),
    ] {
        zip.start_file(name, options).expect("in memory");
        zip.write_all(bytes).expect("in memory");
    }
    zip.finish().expect("in memory").into_inner()
}

pub fn xlsx_parts(data: &[u8]) -> u64 {
    let at = data
        .windows(PART_SEPARATOR.len())
        .position(|w| w == PART_SEPARATOR);
    let (sheet, strings) = match at {
        Some(at) => (&data[..at], &data[at + PART_SEPARATOR.len()..]),
        None => (data, &b""[..]),
    };
    let bytes = workbook_of(sheet, strings);
    let a = check_import(&import::read_staff("parts.xlsx", &bytes), Vec::len);
    let b = check_import(&import::read_pcn_membership("parts.xlsx", &bytes), Vec::len);
    a ^ b.rotate_left(1)
}

pub fn pcn_membership_csv(data: &[u8]) -> u64 {
    check_import(&import::read_pcn_membership("fuzz.csv", data), Vec::len)
}

pub fn ods_epraccur(data: &[u8]) -> u64 {
    check_import(&import::read_ods_practices("fuzz.csv", data), |f| {
        f.practices.len() + f.skipped
    })
}

pub fn list_sizes(data: &[u8]) -> u64 {
    check_import(&import::read_list_sizes("fuzz.csv", data), Vec::len)
}

pub fn gpad_appointments(data: &[u8]) -> u64 {
    let result = import::read_appointments("fuzz.csv", data);
    if let Ok(file) = &result {
        let rows: u64 = file.rows_read;
        assert!(rows <= import::APPOINTMENT_MAX_ROWS);
        assert!(file.counts.len() as u64 <= rows);
    }
    check_import(&result, |f| f.counts.len())
}

/// The payments reader on a file named for 2022/23: whatever it accepts has one total per
/// practice, a value for each money column, and no code twice.
pub fn gp_payments(data: &[u8]) -> u64 {
    let result = import::read_payments("nhs-payments-gp-practice_2022-23.csv", data, None);
    if let Ok(file) = &result {
        assert_eq!(file.year, import::FinancialYear(2022));
        let mut codes = std::collections::BTreeSet::new();
        for p in &file.practices {
            assert_eq!(p.amounts.len(), file.columns.len());
            assert!(codes.insert(p.ods_code.to_string()), "{} twice", p.ods_code);
            let headline = file
                .columns
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(import::PAYMENTS_TOTAL));
            if let Some(at) = headline {
                assert_eq!(p.amounts[at], Some(p.total_pence));
            }
        }
    }
    check_import(&result, |f| f.practices.len())
}

fn rota_signature<T>(result: &Result<T, rota::ParseError>) -> u64 {
    match result {
        Ok(_) => signature("ok", ""),
        Err(e) => {
            assert!(
                e.message.chars().count() <= 700,
                "a message of {} characters",
                e.message.len()
            );
            signature(&e.field, &e.message)
        }
    }
}

pub fn rota_instance(data: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(data);
    let result = rota::read_instance(&text);
    if let Ok(problem) = &result {
        // What is read writes out and reads back the same.
        let again = rota::read_instance(&rota::write_instance(problem))
            .expect("a written instance reads back");
        assert_eq!(again.days, problem.days);
        assert_eq!(again.staff.len(), problem.staff.len());
        assert_eq!(again.shifts.len(), problem.shifts.len());
        assert_eq!(again.cover.len(), problem.cover.len());
        let _ = rota::evaluate(
            problem,
            &rota::Roster::empty(problem.staff.len(), problem.days),
        );
    }
    rota_signature(&result)
}

/// The instances rosters are read against: the first byte of the input picks one.
fn roster_problems() -> &'static [rota::Problem] {
    static PROBLEMS: std::sync::OnceLock<Vec<rota::Problem>> = std::sync::OnceLock::new();
    PROBLEMS.get_or_init(|| {
        ["Instance1.txt", "Instance4.txt", "Instance10.txt"]
            .iter()
            .map(|name| {
                let path = shared_data().join("shift-scheduling/instances").join(name);
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                rota::read_instance(&text).expect("a benchmark instance")
            })
            .collect()
    })
}

pub fn rota_roster(data: &[u8]) -> u64 {
    let problems = roster_problems();
    let Some((&pick, rest)) = data.split_first() else {
        return 0;
    };
    let problem = &problems[pick as usize % problems.len()];
    let text = String::from_utf8_lossy(rest);
    let result = rota::read_roster(problem, &text);
    if let Ok(roster) = &result {
        let _ = rota::evaluate(problem, roster);
        let again = rota::read_roster(problem, &rota::write_roster(problem, roster))
            .expect("a written roster reads back");
        assert!(again == *roster, "a roster changed on writing and reading");
    }
    rota_signature(&result)
}

// ---- Seeds ----

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The first `lines` lines of a file (whole lines, line ends kept).
fn head(bytes: &[u8], lines: usize) -> Vec<u8> {
    let mut end = 0;
    for _ in 0..lines {
        match bytes[end..].iter().position(|b| *b == b'\n') {
            Some(at) => end += at + 1,
            None => return bytes.to_vec(),
        }
    }
    bytes[..end].to_vec()
}

fn csv_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv" || e == "txt"))
        .collect();
    files.sort();
    files
}

fn drafts() -> Vec<domain::staff::StaffDraft> {
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

fn seeds_staff_csv(data: &Path) -> Vec<Vec<u8>> {
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

fn epcn_workbook() -> Vec<u8> {
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

fn seeds_xlsx(_: &Path) -> Vec<Vec<u8>> {
    let drafts = drafts();
    vec![
        import::write_staff_xlsx(&drafts).expect("a workbook"),
        import::write_staff_xlsx(&drafts[..1]).expect("a workbook"),
        epcn_workbook(),
    ]
}

/// A workbook's worksheet and shared strings, joined by `PART_SEPARATOR`.
fn parts_of(workbook: &[u8]) -> Vec<u8> {
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

fn seeds_xlsx_parts(data: &Path) -> Vec<Vec<u8>> {
    let mut seeds: Vec<Vec<u8>> = seeds_xlsx(data).iter().map(|w| parts_of(w)).collect();
    // Inline strings and numbers, no shared strings.
    seeds.push(
        br#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:B2"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" t="inlineStr"><is><t>email</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Ada</t></is></c><c r="B2"><v>1.5</v></c></row></sheetData></worksheet>"#
            .to_vec(),
    );
    seeds
}

fn seeds_epcn(_: &Path) -> Vec<Vec<u8>> {
    let fixture =
        read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../import/tests/data/epcn_snee.csv"));
    vec![head(&fixture, 12), head(&fixture, 3)]
}

fn seeds_ods(data: &Path) -> Vec<Vec<u8>> {
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

fn seeds_lists(data: &Path) -> Vec<Vec<u8>> {
    let file = read(&data.join("nhs/patients_registered/gp-reg-pat-prac-all_JAN2021_SNEE.csv"));
    vec![head(&file, 12), head(&file, 2)]
}

fn seeds_gpad(data: &Path) -> Vec<Vec<u8>> {
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

fn seeds_payments(data: &Path) -> Vec<Vec<u8>> {
    csv_files(&data.join("nhs/gp_payments"))
        .iter()
        .map(|p| head(&read(p), 6))
        .collect()
}

fn seeds_instances(data: &Path) -> Vec<Vec<u8>> {
    csv_files(&data.join("shift-scheduling/instances"))
        .iter()
        .map(|p| read(p))
        .collect()
}

fn seeds_rosters(_: &Path) -> Vec<Vec<u8>> {
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

// ---- The engine ----

/// SplitMix64: small, fast and the same on every machine, so a run can be replayed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
}

const INTERESTING: &[&[u8]] = &[
    b"0",
    b"-1",
    b"1",
    b"7",
    b"255",
    b"256",
    b"65535",
    b"65536",
    b"2147483647",
    b"2147483648",
    b"4294967295",
    b"4294967296",
    b"9223372036854775807",
    b"18446744073709551615",
    b"18446744073709551616",
    b"99999999999999999999999",
    b"1e309",
    b"-0",
    b"0.000001",
];

/// Changes `input` by one to eight random edits, some from `tokens`, some from `other`.
pub fn mutate(rng: &mut Rng, input: &mut Vec<u8>, tokens: &[&[u8]], other: &[u8], max_len: usize) {
    let edits = 1 + rng.below(8);
    for _ in 0..edits {
        let len = input.len() as u64;
        let at = rng.below(len + 1) as usize;
        match rng.below(12) {
            0 if !input.is_empty() => {
                let i = rng.below(len) as usize;
                input[i] ^= 1 << rng.below(8);
            }
            1 if !input.is_empty() => {
                let i = rng.below(len) as usize;
                input[i] = rng.next_u64() as u8;
            }
            2 | 3 => {
                let token = tokens[rng.below(tokens.len() as u64) as usize];
                input.splice(at..at, token.iter().copied());
            }
            4 if !input.is_empty() => {
                let n = 1 + rng.below(len.min(64)) as usize;
                let start = rng.below(len) as usize;
                let end = (start + n).min(input.len());
                input.drain(start..end);
            }
            5 if !input.is_empty() => {
                // Copy a run of the input somewhere else (rows, cells, sections repeated).
                let start = rng.below(len) as usize;
                let n = 1 + rng.below((len - start as u64).min(512)) as usize;
                let run = input[start..start + n].to_vec();
                let times = if rng.below(8) == 0 {
                    1 + rng.below(16)
                } else {
                    1
                };
                for _ in 0..times {
                    let at = rng.below(input.len() as u64 + 1) as usize;
                    input.splice(at..at, run.iter().copied());
                }
            }
            6 => {
                // Replace a run of digits by an interesting number.
                let digits: Vec<usize> = (0..input.len())
                    .filter(|&i| {
                        input[i].is_ascii_digit() && (i == 0 || !input[i - 1].is_ascii_digit())
                    })
                    .collect();
                if let Some(&start) = digits.get(rng.below(digits.len() as u64) as usize) {
                    let end = start
                        + input[start..]
                            .iter()
                            .take_while(|b| b.is_ascii_digit())
                            .count();
                    let number = INTERESTING[rng.below(INTERESTING.len() as u64) as usize];
                    input.splice(start..end, number.iter().copied());
                }
            }
            7 if !other.is_empty() => {
                // Splice: this input's start with another seed's end.
                let from = rng.below(other.len() as u64) as usize;
                input.truncate(at);
                input.extend_from_slice(&other[from..]);
            }
            8 if !input.is_empty() => {
                input.truncate(rng.below(len) as usize);
            }
            9 => {
                let n = 1 + rng.below(16) as usize;
                for _ in 0..n {
                    input.insert(at.min(input.len()), rng.next_u64() as u8);
                }
            }
            10 if !input.is_empty() => {
                // Swap a separator for another: commas, quotes and line ends move.
                let i = rng.below(len) as usize;
                const SEPARATORS: [u8; 10] = [
                    b',', b'"', b'\n', b'\r', b'|', b'<', b'>', b' ', b'\t', b'=',
                ];
                input[i] = SEPARATORS[rng.below(10) as usize];
            }
            _ => {
                let token = INTERESTING[rng.below(INTERESTING.len() as u64) as usize];
                input.splice(at..at, token.iter().copied());
            }
        }
        if input.len() > max_len {
            input.truncate(max_len);
        }
    }
}

/// A panic (or an input slower than the limit) found by a run.
#[derive(Debug, Clone)]
pub struct Finding {
    pub execution: u64,
    pub message: String,
    pub input: Vec<u8>,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub executions: u64,
    pub elapsed: Duration,
    /// Distinct outcomes seen (and inputs kept in the pool).
    pub outcomes: usize,
    pub findings: Vec<Finding>,
    pub slowest: Duration,
}

/// Options of a run.
pub struct RunOptions {
    pub executions: u64,
    pub seed: u64,
    /// Stop early after this long.
    pub time_limit: Option<Duration>,
    /// An execution slower than this is a finding.
    pub slow: Duration,
    /// Called every `progress_every` executions.
    pub progress_every: u64,
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic".into())
}

/// Runs `target` on its seeds, then on `options.executions` mutants.
pub fn fuzz(
    target: &Target,
    seeds: Vec<Vec<u8>>,
    options: &RunOptions,
    mut progress: impl FnMut(&Report),
) -> Report {
    assert!(!seeds.is_empty(), "{}: no seeds", target.name);
    let started = Instant::now();
    let mut rng = Rng::new(options.seed);
    let mut report = Report::default();
    let mut pool: Vec<Vec<u8>> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let run = |input: &[u8], report: &mut Report| -> Option<u64> {
        let at = Instant::now();
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| (target.run)(input)));
        let took = at.elapsed();
        report.executions += 1;
        report.slowest = report.slowest.max(took);
        let execution = report.executions;
        let finding = |message: String| Finding {
            execution,
            message,
            input: input.to_vec(),
        };
        match outcome {
            Ok(signature) => {
                if took > options.slow {
                    report.findings.push(finding(format!("slow: {took:?}")));
                }
                Some(signature)
            }
            Err(payload) => {
                report.findings.push(finding(panic_text(payload.as_ref())));
                None
            }
        }
    };
    for seed in &seeds {
        if let Some(signature) = run(seed, &mut report)
            && seen.insert(signature)
        {
            pool.push(seed.clone());
        }
    }
    if pool.is_empty() {
        pool = seeds.clone();
    }
    while report.executions < options.executions {
        if options
            .time_limit
            .is_some_and(|limit| started.elapsed() > limit)
            || report.findings.len() >= 20
        {
            break;
        }
        // Mostly the seeds and the first outcomes; sometimes the newest finds.
        let base = &pool[rng.below(pool.len() as u64) as usize];
        let other = &seeds[rng.below(seeds.len() as u64) as usize];
        let mut input = base.clone();
        mutate(&mut rng, &mut input, target.tokens, other, target.max_len);
        if let Some(signature) = run(&input, &mut report)
            && seen.insert(signature)
            && pool.len() < 4_096
        {
            pool.push(input);
        }
        if options.progress_every > 0 && report.executions.is_multiple_of(options.progress_every) {
            report.elapsed = started.elapsed();
            report.outcomes = seen.len();
            progress(&report);
        }
    }
    std::panic::set_hook(previous_hook);
    report.elapsed = started.elapsed();
    report.outcomes = seen.len();
    report
}
