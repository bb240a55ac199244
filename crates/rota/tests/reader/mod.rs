//! The reader against the format's grammar (FORMAT.md of the data set): generated instances
//! are written in many textual forms the format allows — numbers with leading zeros, comment
//! and blank lines anywhere, trailing separators on records and lists, LF or CRLF, the
//! sections in another order — and each must read as the plain form does.
use rota::read_instance;
use rota::rng::Rng;

/// A field with its number written with 0–3 leading zeros; other fields as they are.
fn zeros(rng: &mut Rng, field: &str) -> String {
    if !field.is_empty() && field.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}{field}", "0".repeat(rng.below(4)))
    } else if let Some((id, n)) = field.split_once('=') {
        format!("{id}={}", zeros(rng, n))
    } else {
        field.to_string()
    }
}

/// One record in another allowed form: its numbers padded, `|` lists ending in `|`, and a
/// trailing comma (or, for a shift with no forbidden successors, its comma left off).
fn record(rng: &mut Rng, line: &str) -> String {
    let fields: Vec<String> = line
        .split(',')
        .map(|f| {
            let items: Vec<String> = f.split('|').map(|i| zeros(rng, i)).collect();
            let mut f = items.join("|");
            if items.len() > 1 && rng.chance(0.3) {
                f.push('|');
            }
            f
        })
        .collect();
    let mut out = fields.join(",");
    if out.ends_with(',') && rng.chance(0.5) {
        out.pop();
    } else if rng.chance(0.3) {
        out.push(',');
    }
    out
}

/// Comment and blank lines, 0–2 of them.
fn filler(rng: &mut Rng) -> Vec<String> {
    let pick = [
        "#",
        "# A comment, with commas | and bars: 1,2,3",
        "",
        "   ",
        "\t",
        "#SECTION_COVER is not a section here",
    ];
    (0..rng.below(3))
        .map(|_| pick[rng.below(pick.len())].to_string())
        .collect()
}

/// `text` (as `write_instance` writes it) in a form drawn from `rng`.
fn variant(rng: &mut Rng, text: &str) -> String {
    let mut sections: Vec<Vec<String>> = Vec::new();
    for line in text.lines() {
        if line.starts_with("SECTION_") {
            sections.push(vec![line.to_string()]);
        } else if let Some(section) = sections.last_mut()
            && !line.is_empty()
            && !line.starts_with('#')
        {
            section.push(line.to_string());
        }
    }
    // The horizon stays first half the time; the rest may come in any order.
    if rng.chance(0.5) {
        for i in (1..sections.len()).rev() {
            sections.swap(i, rng.below(i + 1));
        }
    }
    let mut lines: Vec<String> = filler(rng);
    for section in sections {
        let mut records = section.into_iter();
        lines.push(records.next().expect("a section line"));
        for r in records {
            lines.extend(filler(rng));
            lines.push(record(rng, &r));
        }
        lines.extend(filler(rng));
    }
    let crlf = rng.chance(0.5);
    let mut out = String::new();
    if rng.chance(0.2) {
        out.push('\u{feff}');
    }
    for line in lines {
        out.push_str(&line);
        out.push_str(if crlf { "\r\n" } else { "\n" });
    }
    if rng.chance(0.3) {
        // The last line may end without a line end.
        out.truncate(out.trim_end_matches(['\r', '\n']).len());
    }
    out
}

#[test]
fn every_form_the_format_allows_reads_as_the_plain_form() {
    let mut rng = Rng::new(19);
    for case in 0..200u64 {
        let mut p =
            rota::generate::generate(1 + rng.below(12), 1 + rng.below(4), 1 + rng.below(7), case);
        // A few shifts with no forbidden successor, written `D,480,`.
        p.shifts[0].forbidden_next.clear();
        let plain = rota::write_instance(&p);
        let want = read_instance(&plain).unwrap();
        let text = variant(&mut rng, &plain);
        let got = read_instance(&text).unwrap_or_else(|e| panic!("case {case}: {e}\n{text}"));
        assert_eq!(got.days, want.days, "case {case}");
        assert_eq!(got.shifts, want.shifts, "case {case}");
        assert_eq!(got.staff, want.staff, "case {case}");
        assert_eq!(got.on_requests, want.on_requests, "case {case}");
        assert_eq!(got.off_requests, want.off_requests, "case {case}");
        assert_eq!(got.cover, want.cover, "case {case}");
    }
}

#[test]
fn the_published_instances_read_the_same_in_every_allowed_form() {
    let mut rng = Rng::new(7);
    for n in 1..=12 {
        let path = format!("{}/instances/Instance{n}.txt", super::DATA);
        let plain = std::fs::read_to_string(path).unwrap();
        let want = read_instance(&plain).unwrap();
        for _ in 0..5 {
            let text = variant(&mut rng, &plain);
            let got = read_instance(&text).unwrap_or_else(|e| panic!("Instance{n}: {e}"));
            assert_eq!(got.staff, want.staff, "Instance{n}");
            assert_eq!(got.cover, want.cover, "Instance{n}");
            assert_eq!(got.on_requests, want.on_requests, "Instance{n}");
            assert_eq!(got.shifts, want.shifts, "Instance{n}");
        }
    }
}
