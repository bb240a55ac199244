//! Tables read row by row, CSV or XLSX, within limits. A file is never read whole into rows:
//! each row is handed to the caller and dropped, so memory is the file's bytes, one row and
//! whatever the caller keeps. A file over a limit is refused as soon as the limit is passed,
//! with a message naming the file, the row and the field, and never quoting more than a
//! short start of a long cell.
//!
//! A workbook is inspected before `calamine` reads it: every entry of the zip is decompressed
//! once into a counter (the sizes a zip declares may lie), and an entry or a total over the
//! limits, an absurd compression ratio, or a shared-string table declaring more strings than
//! could be read is refused. The sheet is then read cell by cell (`calamine`'s cell reader,
//! not its `Range`, which allocates the sheet's whole bounding box).
use crate::problems::{ImportError, RowProblem, quote};
use crate::{FileKind, csv_text, detect_kind};
use std::borrow::Cow;
use std::io::{Cursor, Read};

/// Columns read at most; a non-empty cell further right is refused.
pub const MAX_COLUMNS: usize = 256;
/// One entry of a workbook, decompressed, at most.
pub const MAX_XLSX_ENTRY_BYTES: u64 = 40 * 1024 * 1024;
/// All entries of a workbook, decompressed, at most.
pub const MAX_XLSX_TOTAL_BYTES: u64 = 80 * 1024 * 1024;
/// Entries larger than this must not compress more than `MAX_XLSX_RATIO` to one.
pub const XLSX_RATIO_FROM_BYTES: u64 = 1024 * 1024;
/// Deflate reaches about 1,000 : 1 on a run of one byte; real worksheets stay far below this.
pub const MAX_XLSX_RATIO: u64 = 200;
/// Entries in a workbook at most (Excel writes about a dozen).
pub const MAX_XLSX_ENTRIES: usize = 1_000;
/// Strings a workbook's shared-string table may declare (`calamine` reserves room for them).
pub const MAX_SHARED_STRINGS: u64 = 1_000_000;

/// What one reader accepts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// What the file is, for messages: "a team register file".
    pub what: &'static str,
    /// Rows read at most, the header and blank rows included.
    pub max_rows: usize,
    /// Characters in one cell at most.
    pub max_cell_chars: usize,
    /// Whether the first non-blank row is a header naming the fields (for messages).
    pub header: bool,
}

fn problem(
    file_name: &str,
    row: Option<usize>,
    field: Option<String>,
    message: String,
) -> ImportError {
    ImportError {
        file: file_name.to_string(),
        problems: vec![RowProblem {
            person: None,
            row,
            field,
            message,
        }],
    }
}

/// A reader's error (`calamine`, `zip`), which may quote the file, cut to a short line.
fn brief(error: impl std::fmt::Display) -> String {
    let text = error.to_string();
    let mut out: String = text
        .chars()
        .take(120)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().nth(120).is_some() {
        out.push('…');
    }
    out
}

fn too_many_rows(file_name: &str, limits: &Limits) -> ImportError {
    ImportError::file(
        file_name,
        format!(
            "has more than {} rows: {} can have at most {} rows (split it into several files)",
            thousands(limits.max_rows),
            limits.what,
            thousands(limits.max_rows)
        ),
    )
}

pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A spreadsheet's name for a 0-based column: A, B, … Z, AA, …
pub(crate) fn column_letters(mut col: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII")
}

/// Names fields for messages: by the header once it has been read, else by column letter.
#[derive(Default)]
struct FieldNames {
    header: Option<Vec<String>>,
}

impl FieldNames {
    fn name(&self, col: usize) -> String {
        match self.header.as_ref().and_then(|h| h.get(col)) {
            Some(name) if !name.trim().is_empty() => {
                let name = name.trim().trim_start_matches('\u{feff}');
                if name.chars().count() > 40 {
                    format!("column {}", column_letters(col))
                } else {
                    name.to_string()
                }
            }
            _ => format!("column {}", column_letters(col)),
        }
    }

    fn saw(&mut self, limits: &Limits, cells: &[String]) {
        if limits.header && self.header.is_none() && cells.iter().any(|c| !c.trim().is_empty()) {
            self.header = Some(cells.to_vec());
        }
    }
}

fn check_cell(
    file_name: &str,
    limits: &Limits,
    names: &FieldNames,
    row: usize,
    col: usize,
    text: &str,
) -> Result<(), ImportError> {
    if col >= MAX_COLUMNS {
        return Err(problem(
            file_name,
            Some(row),
            Some(format!("column {}", column_letters(col))),
            format!(
                "{} has a cell in column {}: files have at most {MAX_COLUMNS} columns",
                limits.what,
                column_letters(col)
            ),
        ));
    }
    if text.len() > limits.max_cell_chars {
        let chars = text.chars().count();
        if chars > limits.max_cell_chars {
            return Err(problem(
                file_name,
                Some(row),
                Some(names.name(col)),
                format!(
                    "{} is {} characters long: a cell can hold at most {}",
                    quote(text),
                    thousands(chars),
                    thousands(limits.max_cell_chars)
                ),
            ));
        }
    }
    Ok(())
}

/// Reads `bytes` (CSV or XLSX, told by their first bytes) and hands each row to `each` with
/// its number as a spreadsheet shows it. In a workbook, the sheet named `sheet` (any case)
/// when there is one, otherwise the first. `each` stops the reading by returning an error.
pub(crate) fn for_each_row(
    file_name: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    limits: Limits,
    each: impl FnMut(usize, &[String]) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    match detect_kind(file_name, bytes)? {
        FileKind::Csv => csv_rows(file_name, csv_text(file_name, bytes)?, limits, each),
        FileKind::Xlsx => xlsx_rows(file_name, bytes, sheet, limits, each),
    }
}

/// Line numbers of byte offsets read in increasing order, in time linear in the text.
struct Lines<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            bytes: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of the record the reader places at byte `offset`. After a CRLF (as
    /// Excel writes) or a blank line the reader's offset points at line ends before the
    /// record, so they are skipped first.
    fn at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.bytes.len());
        let start = offset
            + self.bytes[offset..]
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
        if start >= self.offset {
            self.line += self.bytes[self.offset..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.offset = start;
        }
        self.line
    }
}

/// CSV text row by row: one record and one row of cells are reused throughout.
pub(crate) fn csv_rows(
    file_name: &str,
    text: &str,
    limits: Limits,
    mut each: impl FnMut(usize, &[String]) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut cells: Vec<String> = Vec::new();
    let mut lines = Lines::new(text);
    let mut names = FieldNames::default();
    let mut count = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let row = e.position().map(|p| lines.at(p.byte() as usize));
                let message = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => "is not UTF-8 text".to_string(),
                    _ => format!("is not valid CSV: {e}"),
                };
                return Err(problem(file_name, row, None, message));
            }
        }
        count += 1;
        if count > limits.max_rows {
            return Err(too_many_rows(file_name, &limits));
        }
        // Counted from the byte offset: the reader's own line count is off by one in files
        // with CRLF line ends, as Excel writes them.
        let row = record
            .position()
            .map(|p| lines.at(p.byte() as usize))
            .unwrap_or(count);
        for (col, field) in record.iter().enumerate() {
            if col >= MAX_COLUMNS && field.trim().is_empty() {
                continue;
            }
            check_cell(file_name, &limits, &names, row, col, field)?;
        }
        let width = record.len().min(MAX_COLUMNS);
        cells.truncate(width);
        for (col, field) in record.iter().take(width).enumerate() {
            match cells.get_mut(col) {
                Some(cell) => {
                    cell.clear();
                    cell.push_str(field);
                }
                None => cells.push(field.to_string()),
            }
        }
        names.saw(&limits, &cells);
        each(row, &cells)?;
    }
    Ok(())
}

/// Refuses a workbook whose entries, decompressed, would be too large, compress absurdly,
/// or declare more shared strings than can be read. Each entry is decompressed once into a
/// counter, so a zip that lies about its sizes is caught too.
pub(crate) fn inspect_xlsx(file_name: &str, bytes: &[u8]) -> Result<(), ImportError> {
    let unreadable = |e: &dyn std::fmt::Display| {
        ImportError::file(
            file_name,
            format!("is not a readable XLSX workbook: {}", brief(e)),
        )
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    if zip.len() > MAX_XLSX_ENTRIES {
        return Err(ImportError::file(
            file_name,
            format!(
                "the workbook holds {} parts: a workbook can hold at most {}",
                thousands(zip.len()),
                thousands(MAX_XLSX_ENTRIES)
            ),
        ));
    }
    let mb = |n: u64| format!("{:.1} MB", n as f64 / 1_048_576.0);
    let mut total = 0u64;
    let mut buffer = vec![0u8; 64 * 1024];
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index).map_err(|e| unreadable(&e))?;
        let full_name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let name = quote(&full_name);
        let declared = entry.size();
        let compressed = entry.compressed_size().max(1);
        let over = |size: u64, total: u64| -> Option<String> {
            if size > MAX_XLSX_ENTRY_BYTES {
                Some(format!(
                    "part {name} of the workbook unpacks to more than {}: a part can be at most {}",
                    mb(size.min(MAX_XLSX_ENTRY_BYTES + 1)),
                    mb(MAX_XLSX_ENTRY_BYTES)
                ))
            } else if total > MAX_XLSX_TOTAL_BYTES {
                Some(format!(
                    "the workbook unpacks to more than {}: a workbook can unpack to at most {}",
                    mb(MAX_XLSX_TOTAL_BYTES),
                    mb(MAX_XLSX_TOTAL_BYTES)
                ))
            } else if size > XLSX_RATIO_FROM_BYTES && size / compressed > MAX_XLSX_RATIO {
                Some(format!(
                    "part {name} of the workbook unpacks {} times larger than it is stored: this is not a real worksheet (a zip bomb?)",
                    thousands((size / compressed) as usize)
                ))
            } else {
                None
            }
        };
        if let Some(message) = over(declared, total.saturating_add(declared)) {
            return Err(ImportError::file(file_name, message));
        }
        let shared_strings = full_name
            .to_ascii_lowercase()
            .ends_with("sharedstrings.xml");
        let mut scan = CountScan::default();
        let mut refs = RefScan::default();
        let mut size = 0u64;
        loop {
            let n = match entry.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => return Err(unreadable(&e)),
            };
            size += n as u64;
            if let Some(message) = over(size, total + size) {
                return Err(ImportError::file(file_name, message));
            }
            if let Some(bad) = refs.feed(&buffer[..n]) {
                return Err(ImportError::file(
                    file_name,
                    format!(
                        "part {name} of the workbook refers to cell {}, beyond the last cell of a sheet (XFD1048576)",
                        quote(&bad)
                    ),
                ));
            }
            if shared_strings && let Some(count) = scan.feed(&buffer[..n]) {
                let limit = MAX_SHARED_STRINGS.min(declared.max(size) / 4 + 16);
                if count > limit {
                    return Err(ImportError::file(
                        file_name,
                        format!(
                            "the workbook declares {} shared strings: at most {} can be read",
                            if count == u64::MAX {
                                "too many".to_string()
                            } else {
                                thousands(count as usize)
                            },
                            thousands(limit as usize)
                        ),
                    ));
                }
            }
        }
        if let Some(message) = over(size.max(declared), total + size.max(declared)) {
            return Err(ImportError::file(file_name, message));
        }
        total += size;
    }
    Ok(())
}

/// Finds the largest `uniqueCount="…"` value in a shared-string table read in chunks,
/// whatever the quotes or spaces around `=`.
#[derive(Default)]
struct CountScan {
    tail: Vec<u8>,
}

impl CountScan {
    const KEEP: usize = 64;

    fn feed(&mut self, chunk: &[u8]) -> Option<u64> {
        let mut text = std::mem::take(&mut self.tail);
        text.extend_from_slice(chunk);
        let mut largest: Option<u64> = None;
        let mut from = 0;
        while let Some(at) = find(&text[from..], b"uniqueCount") {
            let mut i = from + at + 11;
            from = i;
            while i < text.len() && text[i].is_ascii_whitespace() {
                i += 1;
            }
            if text.get(i) != Some(&b'=') {
                continue;
            }
            i += 1;
            while i < text.len() && text[i].is_ascii_whitespace() {
                i += 1;
            }
            if !matches!(text.get(i), Some(b'"' | b'\'')) {
                continue;
            }
            i += 1;
            let digits = text[i..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                continue;
            }
            let value = std::str::from_utf8(&text[i..i + digits])
                .ok()
                .and_then(|d| d.parse::<u64>().ok())
                .unwrap_or(u64::MAX);
            largest = Some(largest.map_or(value, |l| l.max(value)));
        }
        let keep = text.len().min(Self::KEEP);
        self.tail = text[text.len() - keep..].to_vec();
        largest
    }
}

/// Finds cell references (`r="B12"`, `ref="A1:C3"`) beyond the last cell a sheet can have,
/// in a part read in chunks. `calamine` 0.38 adds up a reference's digits and letters in a
/// `u32` without checking, which overflows (a panic in a build with overflow checks, a
/// wrong cell in one without) on `r="18446744073709551616"`: such a workbook is refused here.
#[derive(Default)]
struct RefScan {
    tail: Vec<u8>,
}

impl RefScan {
    const KEEP: usize = 96;

    /// The first bad reference in the text read so far, if any.
    fn feed(&mut self, chunk: &[u8]) -> Option<String> {
        let mut text = std::mem::take(&mut self.tail);
        text.extend_from_slice(chunk);
        let mut from = 0;
        while let Some(at) = text[from..].iter().position(|b| *b == b'r') {
            let start = from + at;
            from = start + 1;
            // An attribute's name starts after a space, or straight after the closing quote
            // of the attribute before it (`a="1"r="2"`, which calamine reads too).
            if start == 0 || !matches!(text[start - 1], b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'')
            {
                continue;
            }
            let mut i = start + 1;
            if text[i..].starts_with(b"ef") {
                i += 2;
            }
            while i < text.len() && text[i].is_ascii_whitespace() {
                i += 1;
            }
            if text.get(i) != Some(&b'=') {
                continue;
            }
            i += 1;
            while i < text.len() && text[i].is_ascii_whitespace() {
                i += 1;
            }
            let Some(&quote_mark) = text.get(i).filter(|q| matches!(q, b'"' | b'\'')) else {
                continue;
            };
            let value_start = i + 1;
            let Some(len) = text[value_start..].iter().position(|b| *b == quote_mark) else {
                // Cut by the chunk: read again with the next one (the tail keeps it), unless
                // it is already longer than any reference.
                if text.len() - value_start > Self::KEEP / 2 {
                    return Some(String::from_utf8_lossy(&text[value_start..]).into_owned());
                }
                break;
            };
            let value = &text[value_start..value_start + len];
            let fits = value.split(|b| b.is_ascii_whitespace()).all(|range| {
                let cells: Option<Vec<(u32, u32)>> =
                    range.split(|b| *b == b':').map(reference_fits).collect();
                // A range must not run backwards (calamine subtracts its ends unchecked).
                cells.is_some_and(|cells| match cells[..] {
                    [(c1, r1), (c2, r2)] => c1 <= c2 && r1 <= r2,
                    _ => true,
                })
            });
            if !fits {
                return Some(String::from_utf8_lossy(value).into_owned());
            }
        }
        let keep = text.len().min(Self::KEEP);
        self.tail = text[text.len() - keep..].to_vec();
        None
    }
}

/// One reference (`B12`, `$B$12`, `B`, `12`, or anything that is not a reference at all)
/// as (column, row), when it stays within XFD1048576.
fn reference_fits(reference: &[u8]) -> Option<(u32, u32)> {
    let reference: Vec<u8> = reference.iter().copied().filter(|b| *b != b'$').collect();
    let letters = reference
        .iter()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    let digits = reference[letters..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if letters > 3 || digits > 7 {
        return None;
    }
    let column = reference[..letters].iter().fold(0u32, |n, b| {
        n * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1
    });
    let row = reference[letters..letters + digits]
        .iter()
        .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
    (column <= 16_384 && row <= 1_048_576).then_some((column, row))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The text of a workbook cell as the readers compare it.
fn cell_text<'a>(value: &'a calamine::DataRef<'_>) -> Cow<'a, str> {
    use calamine::DataRef;
    match value {
        DataRef::Empty => Cow::Borrowed(""),
        DataRef::String(s) => Cow::Borrowed(s),
        DataRef::SharedString(s) => Cow::Borrowed(s),
        DataRef::Float(f) => Cow::Owned(domain::staff::format_number(*f)),
        DataRef::Int(n) => Cow::Owned(n.to_string()),
        DataRef::Bool(b) => Cow::Owned(b.to_string()),
        DataRef::DateTime(d) => Cow::Owned(
            d.as_datetime()
                .map(|d| d.date().to_string())
                .unwrap_or_else(|| d.to_string()),
        ),
        DataRef::DateTimeIso(s) => Cow::Borrowed(s.get(..10).unwrap_or(s)),
        DataRef::DurationIso(s) => Cow::Borrowed(s),
        DataRef::Error(e) => Cow::Owned(format!("#{e:?}")),
    }
}

/// A workbook row by row, from `calamine`'s cell reader.
fn xlsx_rows(
    file_name: &str,
    bytes: &[u8],
    sheet: Option<&str>,
    limits: Limits,
    mut each: impl FnMut(usize, &[String]) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    use calamine::Reader;
    inspect_xlsx(file_name, bytes)?;
    let unreadable = |e: calamine::XlsxError| {
        ImportError::file(
            file_name,
            format!("is not a readable XLSX workbook: {}", brief(e)),
        )
    };
    let mut book = calamine::Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let sheets = book.sheet_names();
    let name = sheet
        .and_then(|wanted| {
            sheets
                .iter()
                .find(|s| s.trim().eq_ignore_ascii_case(wanted))
        })
        .or_else(|| sheets.first())
        .cloned()
        .ok_or_else(|| ImportError::file(file_name, "the workbook has no sheets"))?;
    let mut cells_reader = book.worksheet_cells_reader(&name).map_err(|e| {
        ImportError::file(
            file_name,
            format!("the sheet {} cannot be read: {}", quote(&name), brief(&e)),
        )
    })?;
    let mut names = FieldNames::default();
    let mut cells: Vec<String> = Vec::new();
    let mut current: Option<u32> = None;
    let mut count = 0usize;
    let mut emit = |names: &mut FieldNames, row: u32, cells: &mut Vec<String>| {
        names.saw(&limits, cells);
        let result = each(row as usize + 1, cells);
        cells.clear();
        result
    };
    loop {
        let cell = match cells_reader.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(e) => {
                return Err(problem(
                    file_name,
                    current.map(|r| r as usize + 1),
                    None,
                    format!("the sheet {} cannot be read: {}", quote(&name), brief(&e)),
                ));
            }
        };
        let (row, col) = cell.get_position();
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        if current != Some(row) {
            if let Some(previous) = current {
                if row < previous {
                    return Err(problem(
                        file_name,
                        Some(row as usize + 1),
                        None,
                        format!(
                            "the sheet's rows are out of order (row {} after row {})",
                            row as usize + 1,
                            previous as usize + 1
                        ),
                    ));
                }
                emit(&mut names, previous, &mut cells)?;
            }
            current = Some(row);
            count += 1;
            if count > limits.max_rows {
                return Err(too_many_rows(file_name, &limits));
            }
        }
        let col = col as usize;
        check_cell(file_name, &limits, &names, row as usize + 1, col, &text)?;
        if cells.len() <= col {
            cells.resize(col + 1, String::new());
        }
        cells[col] = text.into_owned();
    }
    if let Some(row) = current {
        emit(&mut names, row, &mut cells)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_as_a_spreadsheet_does() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(255), "IV");
        assert_eq!(thousands(50_000), "50,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn shared_string_counts_are_found_across_chunks() {
        let mut scan = CountScan::default();
        assert_eq!(scan.feed(b"<sst xmlns=\"x\" count=\"3\" uniqueC"), None);
        assert_eq!(scan.feed(b"ount = '99999999999'>"), Some(99_999_999_999));
        let mut scan = CountScan::default();
        assert_eq!(scan.feed(b"<sst count=\"500\" uniqueCount=\"12"), Some(12));
        assert_eq!(scan.feed(b"34\"><si><t>count=5</t></si>"), Some(1234));
    }

    #[test]
    fn references_beyond_the_last_cell_are_found_across_chunks() {
        let mut scan = RefScan::default();
        assert_eq!(
            scan.feed(b"<dimension ref=\"A1:XFD1048576\"/><row r=\"1\"><c r=\"B"),
            None
        );
        assert_eq!(
            scan.feed(b"2\" t=\"s\"><v>1</v></c></row><row r=\"18446744"),
            None
        );
        assert_eq!(
            scan.feed(b"073709551616\">"),
            Some("18446744073709551616".to_string())
        );
        let mut scan = RefScan::default();
        assert_eq!(
            scan.feed(b"<mergeCell ref='A1:XFE1'/>"),
            Some("A1:XFE1".to_string())
        );
        let mut scan = RefScan::default();
        assert_eq!(
            scan.feed(b"<c r=\"AAAAAAAAA1\">"),
            Some("AAAAAAAAA1".to_string())
        );
        let mut scan = RefScan::default();
        assert_eq!(
            scan.feed(b"<f t=\"shared\" ref=\"$A$1:$B$1048576\" si=\"0\">"),
            None
        );
        assert_eq!(
            scan.feed(b"<t xml:space=\"preserve\">for r=\"x\"</t>"),
            None
        );
        let mut scan = RefScan::default();
        assert_eq!(
            scan.feed(b"<dimension ref=\"n1:L4\"/>"),
            Some("n1:L4".to_string())
        );
    }

    #[test]
    fn lines_are_counted_once_each() {
        let text = "a\r\nb\r\n\r\nc\n";
        let mut lines = Lines::new(text);
        assert_eq!(lines.at(0), 1);
        assert_eq!(lines.at(1), 2);
        assert_eq!(lines.at(4), 4);
    }
}
