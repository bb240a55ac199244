//! The rota as a PDF to print or send: landscape A4, one page (or more, when a site's week
//! is long) per site and week, each a table of days (Monday to Saturday) × sessions listing
//! who works there (name, role, room), with the rota's status at the top and the date it
//! was made and "Page X of Y" at the foot.
//!
//! Pure: a [`RotaDetail`] in, bytes out. Laying out ([`layout`]) is apart from drawing
//! ([`crate::pdf::render`], shared with the evidence pack), so the tests can check that no
//! text leaves its cell or the page; widths are the embedded font's own.
use super::{RotaDetail, RotaSite};
use crate::pdf::{Colour, Item, Page, text_width, wrap};
use chrono::NaiveDate;
use domain::rota::Session;

pub use crate::pdf::{PdfError, printable};

/// Millimetres: landscape A4.
const PAGE_W: f32 = 297.0;
const PAGE_H: f32 = 210.0;
const MARGIN: f32 = 12.0;
const TABLE_W: f32 = PAGE_W - 2.0 * MARGIN;
const LABEL_W: f32 = 24.0;
const DAY_W: f32 = (TABLE_W - LABEL_W) / 6.0;
const PAD: f32 = 1.5;
/// Text in a cell is wrapped to this width.
pub(crate) const CELL_TEXT_W: f32 = DAY_W - 2.0 * PAD;
/// The table stops above the footer.
pub(crate) const BOTTOM: f32 = 15.0;
const HEADER_H: f32 = 7.0;
const MIN_ROW: f32 = 12.0;
const BODY_PT: f32 = 8.0;
const LINE: f32 = 3.6;
const SPACER: f32 = 1.4;
/// A row is split onto the next page rather than leaving fewer lines than this at the foot.
const MIN_SPLIT: f32 = 4.0 * LINE;

/// One line of a cell; an empty text is the space between two people.
#[derive(Debug, Clone)]
struct CellLine {
    text: String,
    bold: bool,
    height: f32,
}

fn height(lines: &[CellLine]) -> f32 {
    lines.iter().map(|l| l.height).sum()
}

/// How many of `lines` fit in `avail` mm, cut between two people where one fits whole.
fn fitting(lines: &[CellLine], avail: f32) -> usize {
    let mut used = 0.0;
    let n = lines
        .iter()
        .take_while(|l| {
            used += l.height;
            used <= avail + 1e-3
        })
        .count();
    let mid_person = lines.get(n).is_some_and(|l| !l.text.is_empty());
    match lines[..n].iter().rposition(|l| l.text.is_empty()) {
        Some(spacer) if mid_person && spacer > 0 => spacer,
        _ => n,
    }
}

/// The lines of one cell: each person's name in bold, then role and room.
fn cell_lines(people: &[(String, String)]) -> Vec<CellLine> {
    let mut lines = Vec::new();
    for (i, (name, detail)) in people.iter().enumerate() {
        if i > 0 {
            lines.push(CellLine {
                text: String::new(),
                bold: false,
                height: SPACER,
            });
        }
        for (text, bold) in [(name, true), (detail, false)] {
            for l in wrap(&printable(text), BODY_PT, bold, CELL_TEXT_W) {
                lines.push(CellLine {
                    text: l,
                    bold,
                    height: LINE,
                });
            }
        }
    }
    lines
}

/// A session row of one site's week: its label and each day's people.
struct Row {
    label: &'static str,
    /// Days (Monday first) on which the session does not apply, shaded.
    not_applicable: [bool; 6],
    cells: Vec<Vec<CellLine>>,
}

/// The heading of every page of one site's week.
struct Heading {
    title: String,
    lines: Vec<String>,
    days: Vec<String>,
}

fn monday_of(detail: &RotaDetail, week: u32) -> NaiveDate {
    detail.period.from + chrono::Days::new(u64::from((week - 1) * 7))
}

/// "PCN U99901" or "Practice Y99901".
/// A PCN rota read for one practice says so: "PCN U99901, for practice Y99901".
pub fn scope_label(detail: &RotaDetail) -> String {
    let scope = if detail.row.scope_kind == "pcn" {
        format!("PCN {}", detail.row.scope_code)
    } else {
        format!("Practice {}", detail.row.scope_code)
    };
    match &detail.reader_practice {
        Some(ods) => format!("{scope}, for practice {ods}"),
        None => scope,
    }
}

fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

fn status_line(detail: &RotaDetail) -> String {
    let published = detail
        .row
        .published_at
        .as_deref()
        .and_then(crate::clock::local_date);
    let status = match published {
        Some(day) => format!("Status: published on {}", long_date(day)),
        None => "Status: draft, not published to staff".to_string(),
    };
    format!(
        "Rota of {}, {} {} from {}. {status}",
        scope_label(detail),
        detail.period.weeks,
        if detail.period.weeks == 1 {
            "week"
        } else {
            "weeks"
        },
        long_date(detail.period.from)
    )
}

fn rows_of(detail: &RotaDetail, site: &RotaSite, monday: NaiveDate) -> Vec<Row> {
    let dates: Vec<NaiveDate> = (0..6).map(|i| monday + chrono::Days::new(i)).collect();
    let room_name = |id: &Option<String>| {
        id.as_ref().and_then(|id| {
            detail
                .rooms
                .iter()
                .find(|(r, _)| r == id)
                .map(|(_, n)| n.clone())
        })
    };
    let people_in = |date: NaiveDate, session: Session| -> Vec<(String, String)> {
        detail
            .people
            .iter()
            .filter_map(|p| {
                let a = detail.assignments.iter().find(|a| {
                    a.staff_id == p.id
                        && a.date == date
                        && a.session == session
                        && a.site_id == site.id
                })?;
                let detail_text = match room_name(&a.room_id) {
                    Some(room) => format!("{}, {room}", p.role.label()),
                    None => p.role.label().to_string(),
                };
                Some((p.name.clone(), detail_text))
            })
            .collect()
    };
    let mut sessions = vec![Session::Am, Session::Pm, Session::Evening];
    let saturday = dates[5];
    let saturday_used = detail
        .assignments
        .iter()
        .any(|a| a.site_id == site.id && a.date == saturday && a.session == Session::Saturday);
    if saturday_used {
        sessions.push(Session::Saturday);
    }
    sessions
        .into_iter()
        .map(|session| {
            let mut not_applicable = [false; 6];
            if session == Session::Saturday {
                not_applicable[..5].fill(true);
            }
            Row {
                label: session.label(),
                not_applicable,
                cells: dates
                    .iter()
                    .map(|d| cell_lines(&people_in(*d, session)))
                    .collect(),
            }
        })
        .collect()
}

/// Starts a page: title, status, the header row. Returns the page and the y of the table's
/// next row.
fn start_page(heading: &Heading, continued: bool) -> (Page, f32) {
    let mut page = Page::default();
    let mut y = PAGE_H - MARGIN;
    let title = if continued {
        format!("{} (continued)", heading.title)
    } else {
        heading.title.clone()
    };
    for line in wrap(&printable(&title), 15.0, true, TABLE_W) {
        y -= 6.5;
        page.text(MARGIN, y + 1.2, 15.0, true, &line);
    }
    for text in &heading.lines {
        for line in wrap(&printable(text), 9.5, false, TABLE_W) {
            y -= 4.6;
            page.text(MARGIN, y + 1.0, 9.5, false, &line);
        }
    }
    y -= 3.0;
    page.fill(MARGIN, y - HEADER_H, TABLE_W, HEADER_H, Colour::SHADE);
    page.items.push(Item::Frame {
        x: MARGIN,
        y: y - HEADER_H,
        w: LABEL_W,
        h: HEADER_H,
    });
    page.text(MARGIN + PAD, y - 4.8, 9.0, true, "Session");
    for (i, day) in heading.days.iter().enumerate() {
        let x = MARGIN + LABEL_W + i as f32 * DAY_W;
        page.items.push(Item::Frame {
            x,
            y: y - HEADER_H,
            w: DAY_W,
            h: HEADER_H,
        });
        page.text(x + PAD, y - 4.8, 9.0, true, day);
    }
    (page, y - HEADER_H)
}

/// Draws one piece of a row (all of it, or what fits on this page) `h` mm tall from `top`.
fn draw_row(page: &mut Page, row: &Row, pieces: &[&[CellLine]], top: f32, h: f32, continued: bool) {
    page.items.push(Item::Frame {
        x: MARGIN,
        y: top - h,
        w: LABEL_W,
        h,
    });
    page.text(MARGIN + PAD, top - PAD - 3.4, 9.0, true, row.label);
    if continued {
        page.text(MARGIN + PAD, top - PAD - 7.0, 7.0, false, "continued");
    }
    for (i, lines) in pieces.iter().enumerate() {
        let x = MARGIN + LABEL_W + i as f32 * DAY_W;
        if row.not_applicable[i] {
            page.fill(x, top - h, DAY_W, h, Colour::SHADE);
        }
        page.items.push(Item::Frame {
            x,
            y: top - h,
            w: DAY_W,
            h,
        });
        let mut line_top = top - PAD;
        for line in lines.iter() {
            if !line.text.is_empty() {
                page.text(x + PAD, line_top - 2.7, BODY_PT, line.bold, &line.text);
            }
            line_top -= line.height;
        }
    }
}

/// Lays out one site's week, continuing on further pages when its rows are too tall.
fn layout_site_week(detail: &RotaDetail, site: &RotaSite, week: u32) -> Vec<Page> {
    let monday = monday_of(detail, week);
    let rows = rows_of(detail, site, monday);
    let mut lines = vec![status_line(detail)];
    if rows.iter().all(|r| r.cells.iter().all(Vec::is_empty)) {
        lines.push("Nobody is booked at this site this week.".into());
    }
    let heading = Heading {
        title: format!(
            "{}: week commencing {}",
            site.name,
            monday.format("%A %-d %B %Y")
        ),
        lines,
        days: (0..6)
            .map(|i| {
                (monday + chrono::Days::new(i))
                    .format("%a %-d %b")
                    .to_string()
            })
            .collect(),
    };
    let mut pages = Vec::new();
    let (mut page, mut y) = start_page(&heading, false);
    let mut rows_on_page = 0;
    for row in &rows {
        let mut starts = vec![0usize; row.cells.len()];
        let mut continued = false;
        loop {
            // A piece never starts with the space between two people.
            for (c, start) in starts.iter_mut().enumerate() {
                while row.cells[c].get(*start).is_some_and(|l| l.text.is_empty()) {
                    *start += 1;
                }
            }
            let rest: Vec<&[CellLine]> = row
                .cells
                .iter()
                .zip(&starts)
                .map(|(cell, s)| &cell[*s..])
                .collect();
            let need = rest.iter().map(|l| height(l)).fold(0.0, f32::max);
            let avail = y - BOTTOM - 2.0 * PAD;
            if need.max(MIN_ROW - 2.0 * PAD) <= avail {
                let h = (need + 2.0 * PAD).max(MIN_ROW);
                draw_row(&mut page, row, &rest, y, h, continued);
                y -= h;
                rows_on_page += 1;
                break;
            }
            if rows_on_page > 0 && avail < MIN_SPLIT {
                pages.push(std::mem::take(&mut page));
                (page, y) = start_page(&heading, true);
                rows_on_page = 0;
                continue;
            }
            let taken: Vec<usize> = rest
                .iter()
                .map(|l| {
                    if l.is_empty() {
                        0
                    } else {
                        fitting(l, avail).max(1)
                    }
                })
                .collect();
            let pieces: Vec<&[CellLine]> = rest.iter().zip(&taken).map(|(l, n)| &l[..*n]).collect();
            draw_row(&mut page, row, &pieces, y, y - BOTTOM, continued);
            for (s, n) in starts.iter_mut().zip(&taken) {
                *s += n;
            }
            pages.push(std::mem::take(&mut page));
            (page, y) = start_page(&heading, true);
            rows_on_page = 0;
            continued = true;
        }
    }
    pages.push(page);
    pages
}

/// Lays out the pages for these sites and weeks (1-based), site by site, week by week.
pub(crate) fn layout(detail: &RotaDetail, sites: &[&RotaSite], weeks: &[u32]) -> Vec<Page> {
    let mut pages = Vec::new();
    for site in sites {
        for week in weeks {
            pages.extend(layout_site_week(detail, site, *week));
        }
    }
    if pages.is_empty() {
        let mut page = Page::default();
        page.text(
            MARGIN,
            PAGE_H - MARGIN - 6.0,
            15.0,
            true,
            &printable(&format!("Rota of {}", scope_label(detail))),
        );
        page.text(
            MARGIN,
            PAGE_H - MARGIN - 12.0,
            9.5,
            false,
            "No sites are recorded for this rota.",
        );
        pages.push(page);
    }
    pages
}

/// The footer of page `n` of `total`.
fn footer(generated: NaiveDate, n: usize, total: usize) -> [Item; 2] {
    let right = format!("Page {n} of {total}");
    [
        Item::Text {
            x: MARGIN,
            y: 8.0,
            size: 8.0,
            bold: false,
            text: format!("Generated on {} by gpteam", long_date(generated)),
        },
        Item::Text {
            x: PAGE_W - MARGIN - text_width(&right, 8.0, false),
            y: 8.0,
            size: 8.0,
            bold: false,
            text: right,
        },
    ]
}

/// Draws the rota for these sites and weeks (1-based) as a PDF, dated `generated`.
pub fn render(
    detail: &RotaDetail,
    sites: &[&RotaSite],
    weeks: &[u32],
    generated: NaiveDate,
) -> Result<Vec<u8>, PdfError> {
    let mut pages = layout(detail, sites, weeks);
    let total = pages.len();
    for (i, page) in pages.iter_mut().enumerate() {
        page.items.extend(footer(generated, i + 1, total));
    }
    crate::pdf::render(
        pages,
        PAGE_W,
        PAGE_H,
        &printable(&format!("Rota of {}", scope_label(detail))),
    )
}

/// A file name for the download: `rota-riverside-surgery-week-2026-11-30.pdf`.
pub fn file_name(detail: &RotaDetail, site: Option<&RotaSite>, week: Option<u32>) -> String {
    let who = match site {
        Some(s) => slug(&s.name),
        None => slug(&detail.row.scope_code),
    };
    let when = match week {
        Some(w) => format!("week-{}", monday_of(detail, w)),
        None => format!("{}-{}-weeks", detail.period.from, detail.period.weeks),
    };
    format!("rota-{who}-{when}.pdf")
}

/// Lower-case ASCII letters and digits joined by single hyphens.
fn slug(text: &str) -> String {
    let ascii = deunicode::deunicode(text).to_ascii_lowercase();
    let words: Vec<&str> = ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut slug = words.join("-");
    slug.truncate(60);
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() { "site".into() } else { slug }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rota::{Assignment, RotaPerson};
    use domain::role::Role;
    use domain::rota::RotaPeriod;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    /// A one-week rota at one site with `n` people on Monday morning.
    fn detail(n: usize, name: impl Fn(usize) -> String) -> RotaDetail {
        let monday = day("2026-11-30");
        let people: Vec<RotaPerson> = (0..n)
            .map(|i| RotaPerson {
                id: format!("p{i}"),
                name: name(i),
                role: Role::SalariedGp,
                practices: vec!["Y99901".into()],
                site_ids: vec!["s1".into()],
            })
            .collect();
        let assignments = people
            .iter()
            .map(|p| Assignment {
                staff_id: p.id.clone(),
                date: monday,
                session: Session::Am,
                site_id: "s1".into(),
                room_id: Some("r1".into()),
            })
            .collect();
        RotaDetail {
            row: store::rota::RotaRow {
                id: "rota".into(),
                scope_kind: "practice".into(),
                scope_code: "Y99901".into(),
                starts_on: monday.to_string(),
                weeks: 1,
                time_limit_seconds: 1,
                status: "done".into(),
                progress: 1.0,
                hard_violations: Some(0),
                soft_penalty: Some(0),
                problems_json: None,
                error: None,
                cancel_requested: false,
                worker: None,
                heartbeat_at: None,
                created_by: None,
                created_at: "2026-11-23T09:00:00Z".into(),
                started_at: None,
                finished_at: None,
                published_at: None,
                published_by: None,
                version: 1,
            },
            period: RotaPeriod {
                from: monday,
                weeks: 1,
            },
            people,
            sites: vec![RotaSite {
                id: "s1".into(),
                name: "Riverside Surgery".into(),
                practice_ods: "Y99901".into(),
            }],
            rooms: vec![("r1".into(), "Consulting room 1".into())],
            assignments,
            locked: Vec::new(),
            problems: Vec::new(),
            conflicts: Vec::new(),
            reader_practice: None,
            stale_problems: Vec::new(),
        }
    }

    fn texts(page: &Page) -> Vec<&str> {
        page.items
            .iter()
            .filter_map(|i| match i {
                Item::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_long_cell_continues_on_the_next_page_and_nothing_leaves_its_cell() {
        let d = detail(80, |i| {
            format!("Person number {i} with a rather long double-barrelled name")
        });
        let pages = layout(&d, &[&d.sites[0]], &[1]);
        assert!(pages.len() >= 3, "{} pages", pages.len());
        assert!(texts(&pages[1]).iter().any(|t| t.ends_with("(continued)")));
        // Every person appears once, in order, across the pages.
        let all: Vec<String> = pages
            .iter()
            .flat_map(|p| texts(p).into_iter().map(str::to_string))
            .collect();
        let joined = all.join("\n");
        let mut at = 0;
        for i in 0..80 {
            let name = format!("Person number {i} ");
            let found = joined[at..].find(&name).unwrap_or_else(|| panic!("{name}"));
            at += found + name.len();
        }
        for page in &pages {
            for item in &page.items {
                if let Item::Text {
                    x,
                    y,
                    size,
                    bold,
                    text,
                } = item
                {
                    assert!(*y >= BOTTOM, "{text} below the table at {y}");
                    assert!(
                        x + text_width(text, *size, *bold) <= PAGE_W - MARGIN + 1e-3,
                        "{text}"
                    );
                    // A role and room line follows its person's name, never alone
                    // at the top of a continued cell.
                    if !bold && *size == BODY_PT {
                        assert!(
                            page.items.iter().any(|other| matches!(other,
                                Item::Text { x: x2, y: y2, .. } if x2 == x && (y2 - y - LINE).abs() < 1e-3)),
                            "{text} starts a cell"
                        );
                    }
                    if *x > MARGIN + LABEL_W {
                        let column = ((x - MARGIN - LABEL_W) / DAY_W).floor();
                        let right = MARGIN + LABEL_W + (column + 1.0) * DAY_W;
                        assert!(
                            x + text_width(text, *size, *bold) <= right - PAD + 1e-3,
                            "{text}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_pdf_has_the_site_people_status_and_page_numbers() {
        let d = detail(3, |i| format!("Nurse {i}"));
        let bytes = render(&d, &[&d.sites[0]], &[1], day("2026-11-28")).unwrap();
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        assert_eq!(doc.get_pages().len(), 1);
        // Wrapped lines join up again with a space.
        let text = doc.extract_text(&[1]).unwrap();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for wanted in [
            "Riverside Surgery: week commencing Monday 30 November 2026",
            "Nurse 2",
            "Salaried GP, Consulting room 1",
            "draft, not published",
            "Generated on 28 November 2026",
            "Page 1 of 1",
        ] {
            assert!(text.contains(wanted), "{wanted} in {text}");
        }
    }

    #[test]
    fn file_names_are_plain() {
        let d = detail(1, |_| "A".into());
        assert_eq!(
            file_name(&d, Some(&d.sites[0]), Some(1)),
            "rota-riverside-surgery-week-2026-11-30.pdf"
        );
        assert_eq!(
            file_name(&d, None, None),
            "rota-y99901-2026-11-30-1-weeks.pdf"
        );
    }
}
