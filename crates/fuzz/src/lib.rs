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

mod engine;
mod seeds;

pub use engine::*;
use seeds::*;

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
