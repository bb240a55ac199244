//! Files built to exhaust the readers — zip bombs, huge cells, far-away cells, a million
//! rows — are refused quickly, with messages that name file, row and field and never quote
//! more than the start of a huge cell. Each file is generated here and kept small on disk
//! (nothing is written to disk at all).
use std::io::Write;
use std::time::{Duration, Instant};
use zip::write::SimpleFileOptions;

const NHS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/nhs");
const HEADER: &str = "name,email,phone,role,employer,employer_code,wte,sessions_per_week,skills,start_date,end_date,practices";

/// Writes one part of a zip, in chunks.
type Part<'a> = (&'a str, &'a dyn Fn(&mut dyn Write));

/// A zip of `parts`, each written by its closure in chunks (so no part is held whole).
fn zip_of(parts: &[Part]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(true);
    for (name, write) in parts {
        zip.start_file(*name, options).unwrap();
        write(&mut zip);
    }
    zip.finish().unwrap().into_inner()
}

fn repeat(byte: u8, total: usize) -> impl Fn(&mut dyn Write) {
    move |out: &mut dyn Write| {
        let chunk = vec![byte; 1 << 20];
        let mut left = total;
        while left > 0 {
            let n = left.min(chunk.len());
            out.write_all(&chunk[..n]).unwrap();
            left -= n;
        }
    }
}

fn text(content: &'static str) -> impl Fn(&mut dyn Write) {
    move |out: &mut dyn Write| out.write_all(content.as_bytes()).unwrap()
}

/// Reads and checks the refusal: quick, short, and without a long run of the bomb's byte.
fn refused(file_name: &str, bytes: &[u8]) -> String {
    let started = Instant::now();
    let error = import::read_staff(file_name, bytes)
        .expect_err("the file must be refused")
        .to_string();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    assert!(error.len() < 1_000, "a long message: {} bytes", error.len());
    assert!(!error.contains(&"a".repeat(60)), "{error}");
    assert!(error.starts_with(file_name), "{error}");
    error
}

#[test]
fn a_workbook_holding_one_256_mb_cell_is_refused_before_it_is_unpacked() {
    // The file: 256 MB of one letter in the shared strings, a few hundred KB zipped.
    let strings = |out: &mut dyn Write| {
        out.write_all(b"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"1\" uniqueCount=\"1\"><si><t>").unwrap();
        repeat(b'a', 256 << 20)(out);
        out.write_all(b"</t></si></sst>").unwrap();
    };
    let bytes = zip_of(&[
        ("[Content_Types].xml", &text("<Types/>")),
        ("xl/sharedStrings.xml", &strings),
    ]);
    assert!(bytes.len() < 1 << 20, "{} bytes", bytes.len());
    let error = refused("bomb.xlsx", &bytes);
    assert!(
        error.contains("bomb.xlsx: part 'xl/sharedStrings.xml' of the workbook unpacks to more than 40.0 MB: a part can be at most 40.0 MB"),
        "{error}"
    );
}

#[test]
fn a_workbook_whose_parts_compress_absurdly_or_add_up_is_refused() {
    let bytes = zip_of(&[("xl/worksheets/sheet1.xml", &repeat(b' ', 8 << 20))]);
    let error = refused("ratio.xlsx", &bytes);
    assert!(error.contains("unpacks"), "{error}");
    assert!(error.contains("times larger than it is stored"), "{error}");

    // Three parts of 30 MB of varied text: each under the part limit, together over 80 MB.
    let varied = |out: &mut dyn Write| {
        let mut line = 0u64;
        let mut written = 0;
        while written < 30 << 20 {
            let row = format!(
                "<row r=\"{line}\"><c><v>{}</v></c></row>",
                line.wrapping_mul(2_654_435_761) % 1_000_003
            );
            out.write_all(row.as_bytes()).unwrap();
            written += row.len();
            line += 1;
        }
    };
    let bytes = zip_of(&[("a.xml", &varied), ("b.xml", &varied), ("c.xml", &varied)]);
    let error = refused("total.xlsx", &bytes);
    assert!(
        error.contains("the workbook unpacks to more than 80.0 MB"),
        "{error}"
    );
}

#[test]
fn a_zip_that_lies_about_its_sizes_is_caught_while_unpacking() {
    let mut bytes = zip_of(&[("xl/sharedStrings.xml", &repeat(b'a', 64 << 20))]);
    // Declare 1,000 bytes unpacked, in the local header and the central directory.
    for (signature, at) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
        let start = bytes
            .windows(4)
            .position(|w| w == signature)
            .expect("header");
        bytes[start + at..start + at + 4].copy_from_slice(&1000u32.to_le_bytes());
    }
    let error = refused("liar.xlsx", &bytes);
    eprintln!("{error}");
    assert!(
        error.contains("unpacks to more than")
            || error.contains("times larger")
            || error.contains("is not a readable XLSX workbook"),
        "{error}"
    );
}

#[test]
fn a_shared_string_table_declaring_billions_of_strings_is_refused() {
    let strings = text(
        "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"1\" uniqueCount=\"4000000000\"><si><t>a</t></si></sst>",
    );
    let bytes = zip_of(&[("xl/sharedStrings.xml", &strings)]);
    let error = refused("strings.xlsx", &bytes);
    assert!(
        error.contains("the workbook declares 4,000,000,000 shared strings"),
        "{error}"
    );
}

/// A workbook whose first row is the team register's header.
fn workbook(write: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, name) in import::STAFF_HEADER.iter().enumerate() {
        sheet.write_string(0, col as u16, *name).unwrap();
    }
    write(sheet);
    book.save_to_buffer().unwrap()
}

#[test]
fn a_cell_in_the_far_corner_of_a_sheet_is_refused_not_allocated() {
    // calamine's Range would hold every cell between A1 and XFD1048576: 17 billion of them.
    let bytes = workbook(|sheet| {
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
    });
    let error = refused("corner.xlsx", &bytes);
    assert!(
        error.contains("corner.xlsx:1048576: column XFD: a team register file has a cell in column XFD: files have at most 256 columns"),
        "{error}"
    );
    // Far down in column A is read without allocating the rows between.
    let bytes = workbook(|sheet| {
        sheet.write_string(1_048_575, 0, "Dr Far Away").unwrap();
    });
    let error = refused("far.xlsx", &bytes);
    assert!(
        error.contains("far.xlsx:1048576 (Dr Far Away): "),
        "{error}"
    );
}

#[test]
fn a_huge_cell_is_named_by_row_and_field_and_quoted_only_in_part() {
    let long = "a".repeat(100_000);
    let csv = format!(
        "{HEADER}\nDr Ada Example,{long}@x.example,,salaried_gp,practice,Y99901,1,6,,2024-04-01,,Y99901\n"
    );
    let error = refused("long.csv", csv.as_bytes());
    assert_eq!(
        error,
        format!(
            "long.csv:2: email: '{}…' (100010 characters) is 100,010 characters long: a cell can hold at most 1,000",
            "a".repeat(40)
        )
    );
    // A cell of a workbook holds at most 32,767 characters.
    let bytes = workbook(|sheet| {
        sheet.write_string(1, 0, "Dr Ada Example").unwrap();
        sheet.write_string(2, 8, &long[..30_000]).unwrap();
    });
    let error = refused("long.xlsx", &bytes);
    assert!(error.starts_with("long.xlsx:3: skills: 'aaaa"), "{error}");
}

#[test]
fn a_million_row_csv_is_refused_at_the_row_cap_quickly() {
    // The file: a million short rows, about 9 MB.
    let mut csv = String::with_capacity(9 << 20);
    csv.push_str(HEADER);
    csv.push('\n');
    for _ in 0..1_000_000 {
        csv.push_str(",,,,,,,,\n");
    }
    assert!(csv.len() > 9_000_000 && csv.len() < import::MAX_FILE_BYTES);
    let started = Instant::now();
    let error = refused("million.csv", csv.as_bytes());
    assert_eq!(
        error,
        "million.csv: has more than 50,000 rows: a team register file can have at most 50,000 rows (split it into several files)"
    );
    eprintln!("refused in {:?}", started.elapsed());

    // Good rows too: the cap is on rows, whatever they hold.
    let mut csv = format!("{HEADER}\n");
    for i in 0..60_000 {
        csv.push_str(&format!(
            "Person {i},p{i}@x.example,,receptionist,practice,Y99901,1,6,,2024-04-01,,Y99901\n"
        ));
    }
    let error = refused("many.csv", csv.as_bytes());
    assert!(error.contains("has more than 50,000 rows"), "{error}");

    // Rows of nonsense stop after a thousand problems rather than listing a million.
    let mut csv = format!("{HEADER}\n");
    for _ in 0..1_000_000 {
        csv.push_str("x,y\n");
    }
    let error = import::read_staff("nonsense.csv", csv.as_bytes()).unwrap_err();
    assert_eq!(error.problems.len(), import::MAX_KEPT_PROBLEMS + 1);
    assert!(
        error
            .problems
            .last()
            .unwrap()
            .message
            .contains("reading stopped after 1000 problems")
    );
}

#[test]
fn a_workbook_over_the_row_cap_is_refused() {
    let bytes = workbook(|sheet| {
        for row in 1..50_001u32 {
            sheet.write_string(row, 0, " ").unwrap();
        }
    });
    let error = refused("rows.xlsx", &bytes);
    assert!(error.contains("has more than 50,000 rows"), "{error}");
}

#[test]
fn a_gpad_file_with_no_line_ends_or_a_huge_field_is_refused() {
    let header = import::MONTHLY_COLUMNS.join(",");
    let endless = format!("{header}\n{}", "x".repeat(1 << 20));
    let error = import::read_appointments("endless.csv", endless.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(error.contains("a line is longer than 64 KB"), "{error}");
    let wide = format!(
        "{header}\n06L,E1,{},E5,STP,E4,East,MAR2019,Attended,GP,Telephone,Same Day,5\n",
        "n".repeat(5_000)
    );
    let error = import::read_appointments("wide.csv", wide.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("wide.csv:2: CCG_NAME: 'nnnn"), "{error}");
    assert!(error.len() < 300, "{error}");
}

#[test]
fn every_real_nhs_file_reads_within_the_caps() {
    let dir = |d: &str| {
        let mut files: Vec<_> = std::fs::read_dir(format!("{NHS}/{d}"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "csv"))
            .collect();
        files.sort();
        files
    };
    let mut gpad = dir("appointments_gp");
    gpad.extend(dir("appointments_gp/regions"));
    assert_eq!(gpad.len(), 17);
    for path in gpad {
        let file = std::fs::File::open(&path).unwrap();
        let read =
            import::read_appointments(&path.display().to_string(), std::io::BufReader::new(file))
                .unwrap_or_else(|e| panic!("{e}"));
        assert!(read.rows_read > 4_000 && read.rows_read < import::APPOINTMENT_MAX_ROWS);
    }
    let ods = std::fs::read(format!("{NHS}/ods_practices/epraccur_DEC2019_SNEE.csv")).unwrap();
    assert_eq!(
        import::read_ods_practices("epraccur.csv", &ods)
            .unwrap()
            .practices
            .len(),
        99
    );
    let lists = std::fs::read(format!(
        "{NHS}/patients_registered/gp-reg-pat-prac-all_JAN2021_SNEE.csv"
    ))
    .unwrap();
    assert_eq!(
        import::read_list_sizes("lists.csv", &lists).unwrap().len(),
        95
    );
    let epcn = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/epcn_snee.csv"
    ))
    .unwrap();
    assert!(
        !import::read_pcn_membership("epcn.csv", &epcn)
            .unwrap()
            .is_empty()
    );
}

/// Found by the fuzzer (`crates/fuzz`): `calamine` 0.38 adds up a cell reference's digits
/// in a `u32` unchecked, and subtracts a range's ends unchecked; both panic in a build with
/// overflow checks. Such references are refused before `calamine` reads the sheet.
#[test]
fn cell_references_that_would_overflow_the_workbook_reader_are_refused() {
    for (sheet, shown) in [
        (
            "<worksheet><sheetData><row r=\"18446744073709551616\"><c r=\"A1\"><v>1</v></c></row></sheetData></worksheet>",
            "'18446744073709551616'",
        ),
        (
            "<worksheet><dimension ref=\"n1:L4\"/><sheetData/></worksheet>",
            "'n1:L4'",
        ),
    ] {
        let bytes = zip_of(&[("xl/worksheets/sheet1.xml", &text(sheet))]);
        let error = refused("refs.xlsx", &bytes);
        assert_eq!(
            error,
            format!(
                "refs.xlsx: part 'xl/worksheets/sheet1.xml' of the workbook refers to cell {shown}, beyond the last cell of a sheet (XFD1048576)"
            )
        );
    }
}

/// Found by the fuzzer: two rows of one area, day and kind whose counts add up past
/// `u64::MAX` overflowed the sum.
#[test]
fn gpad_counts_that_add_up_past_what_can_be_counted_are_a_problem() {
    let header = import::MONTHLY_COLUMNS.join(",");
    let row = "06L,E1,NHS Ipswich,E5,STP,E4,East,MAR2019,Attended,GP,Telephone,Same Day,18446744073709551615";
    let file = format!("{header}\n{row}\n{row}\n");
    let error = import::read_appointments("big.csv", file.as_bytes())
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "big.csv:3: COUNT_OF_APPOINTMENTS: the appointments of this area, day and kind add up to more than can be counted"
    );
}
