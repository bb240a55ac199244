//! PDF building shared by every document gpteam prints (the rota, the evidence pack): text
//! measured with the embedded font's own metrics, wrapping, and pages of simple items
//! (text, filled and framed boxes, lines) drawn by `krilla`. [`flow`] lays out reports
//! (headings, paragraphs, tables, vector bar and line charts) on top of this.
//!
//! The font is DejaVu Sans (regular and bold), committed under `crates/app/fonts` with its
//! licence (Bitstream Vera; DejaVu changes public domain) and embedded in the binary;
//! `krilla` subsets it into each PDF. Widths are measured by shaping the text with
//! `rustybuzz` exactly as `krilla` does when it draws, so what is measured is what is drawn.
//!
//! Coordinates are millimetres from the page's bottom-left corner; pure layout (a list of
//! [`Page`]s) is apart from drawing ([`render`]), so tests can check where text falls.
pub mod flow;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use std::sync::OnceLock;

static REGULAR_TTF: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");

pub const PT_TO_MM: f32 = 25.4 / 72.0;
const MM_TO_PT: f32 = 72.0 / 25.4;

fn face(bold: bool) -> &'static rustybuzz::Face<'static> {
    static REGULAR: OnceLock<rustybuzz::Face<'static>> = OnceLock::new();
    static BOLD: OnceLock<rustybuzz::Face<'static>> = OnceLock::new();
    let (cell, data) = if bold {
        (&BOLD, BOLD_TTF)
    } else {
        (&REGULAR, REGULAR_TTF)
    };
    cell.get_or_init(|| rustybuzz::Face::from_slice(data, 0).expect("the embedded font parses"))
}

fn font(bold: bool) -> Font {
    let data = if bold { BOLD_TTF } else { REGULAR_TTF };
    Font::new(data.into(), 0).expect("the embedded font parses")
}

/// The width of `text` in millimetres at `size` points, as `krilla` will draw it.
pub fn text_width(text: &str, size: f32, bold: bool) -> f32 {
    if text.is_empty() {
        return 0.0;
    }
    let face = face(bold);
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    let shaped = rustybuzz::shape(face, &[], buffer);
    let units: i64 = shaped
        .glyph_positions()
        .iter()
        .map(|p| i64::from(p.x_advance))
        .sum();
    units as f32 / face.units_per_em() as f32 * size * PT_TO_MM
}

/// Text the embedded font can show: a character it has no glyph for is spelled in ASCII
/// ("漢" becomes "Han") rather than drawn as an empty box.
pub fn printable(text: &str) -> String {
    let face = face(false);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || (c.is_whitespace() && c != ' ') {
            out.push(' ');
        } else if face.glyph_index(c).is_some() {
            out.push(c);
        } else {
            out.push_str(deunicode::deunicode_char(c).unwrap_or("?"));
        }
    }
    out
}

/// Breaks text into lines no wider than `width` mm, between words where it can and inside
/// a word too long for a line of its own.
pub fn wrap(text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
    let fits = |s: &str| text_width(s, size, bold) <= width;
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if fits(&candidate) {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            line.push(c);
            if !fits(&line) && line.chars().count() > 1 {
                line.pop();
                lines.push(std::mem::take(&mut line));
                line.push(c);
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A colour as red, green and blue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour(pub u8, pub u8, pub u8);

impl Colour {
    pub const BLACK: Colour = Colour(0, 0, 0);
    /// The shading of header rows.
    pub const SHADE: Colour = Colour(230, 230, 230);
    /// Borders.
    pub const BORDER: Colour = Colour(115, 115, 115);
    pub const GRID: Colour = Colour(216, 221, 224);
    /// NHS blue, dark blue, warm yellow, green, purple, orange: series colours of charts.
    pub const SERIES: [Colour; 6] = [
        Colour(0, 94, 184),
        Colour(0, 48, 135),
        Colour(255, 184, 28),
        Colour(0, 150, 57),
        Colour(51, 0, 114),
        Colour(237, 139, 0),
    ];
}

/// What one page shows, in millimetres from the page's bottom-left corner.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `y` is the text's baseline.
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    /// A filled box.
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        colour: Colour,
    },
    /// A box's border.
    Frame { x: f32, y: f32, w: f32, h: f32 },
    /// A line through these points.
    Line {
        points: Vec<(f32, f32)>,
        width: f32,
        colour: Colour,
    },
}

impl Item {
    /// The order of drawing: fills, then borders and lines, then text on top.
    fn layer(&self) -> u8 {
        match self {
            Item::Fill { .. } => 0,
            Item::Frame { .. } | Item::Line { .. } => 1,
            Item::Text { .. } => 2,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub items: Vec<Item>,
}

impl Page {
    pub fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        self.items.push(Item::Text {
            x,
            y,
            size,
            bold,
            text: text.to_string(),
        });
    }

    pub fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, colour: Colour) {
        self.items.push(Item::Fill { x, y, w, h, colour });
    }

    pub fn frame(&mut self, x: f32, y: f32, w: f32, h: f32) {
        self.items.push(Item::Frame { x, y, w, h });
    }

    pub fn line(&mut self, points: Vec<(f32, f32)>, width: f32, colour: Colour) {
        self.items.push(Item::Line {
            points,
            width,
            colour,
        });
    }

    /// Every text on the page, in the order drawn.
    pub fn texts(&self) -> Vec<&str> {
        self.items
            .iter()
            .filter_map(|i| match i {
                Item::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the PDF could not be made: {0}")]
pub struct PdfError(pub String);

fn paint(colour: Colour) -> krilla::paint::Paint {
    rgb::Color::new(colour.0, colour.1, colour.2).into()
}

/// Draws `pages` of `width` × `height` mm as a PDF titled `title`. The same pages give the
/// same bytes: no date or random identifier is written.
pub fn render(pages: Vec<Page>, width: f32, height: f32, title: &str) -> Result<Vec<u8>, PdfError> {
    let mut document = krilla::Document::new();
    document.set_metadata(
        krilla::metadata::Metadata::new()
            .title(title.to_string())
            .creator("gpteam".into())
            .language("en-GB".into()),
    );
    let (regular, bold) = (font(false), font(true));
    let settings = PageSettings::from_wh(width * MM_TO_PT, height * MM_TO_PT)
        .ok_or_else(|| PdfError("a page has no size".into()))?;
    // krilla's y runs down from the top, in points.
    let at = |x: f32, y: f32| (x * MM_TO_PT, (height - y) * MM_TO_PT);
    for page in pages {
        let mut items = page.items;
        items.sort_by_key(Item::layer);
        let mut p = document.start_page_with(settings.clone());
        let mut surface = p.surface();
        for item in items {
            match item {
                Item::Fill { x, y, w, h, colour } => {
                    let (left, top) = at(x, y + h);
                    if let Some(rect) = Rect::from_xywh(left, top, w * MM_TO_PT, h * MM_TO_PT) {
                        let mut path = PathBuilder::new();
                        path.push_rect(rect);
                        if let Some(path) = path.finish() {
                            surface.set_stroke(None);
                            surface.set_fill(Some(Fill {
                                paint: paint(colour),
                                ..Fill::default()
                            }));
                            surface.draw_path(&path);
                        }
                    }
                }
                Item::Frame { x, y, w, h } => {
                    let (left, top) = at(x, y + h);
                    if let Some(rect) = Rect::from_xywh(left, top, w * MM_TO_PT, h * MM_TO_PT) {
                        let mut path = PathBuilder::new();
                        path.push_rect(rect);
                        if let Some(path) = path.finish() {
                            stroke(&mut surface, &path, 0.3, Colour::BORDER);
                        }
                    }
                }
                Item::Line {
                    points,
                    width,
                    colour,
                } => {
                    let mut path = PathBuilder::new();
                    for (i, (x, y)) in points.iter().enumerate() {
                        let (px, py) = at(*x, *y);
                        if i == 0 {
                            path.move_to(px, py);
                        } else {
                            path.line_to(px, py);
                        }
                    }
                    if let Some(path) = path.finish() {
                        stroke(&mut surface, &path, width * MM_TO_PT, colour);
                    }
                }
                Item::Text {
                    x,
                    y,
                    size,
                    bold: is_bold,
                    text,
                } => {
                    let (px, py) = at(x, y);
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill::default()));
                    surface.draw_text(
                        Point::from_xy(px, py),
                        if is_bold {
                            bold.clone()
                        } else {
                            regular.clone()
                        },
                        size,
                        &text,
                        false,
                        TextDirection::LeftToRight,
                    );
                }
            }
        }
        surface.finish();
        p.finish();
    }
    document.finish().map_err(|e| PdfError(format!("{e:?}")))
}

fn stroke(
    surface: &mut krilla::surface::Surface<'_>,
    path: &krilla::geom::Path,
    width: f32,
    colour: Colour,
) {
    surface.set_fill(None);
    surface.set_stroke(Some(Stroke {
        paint: paint(colour),
        width,
        opacity: NormalizedF32::ONE,
        ..Stroke::default()
    }));
    surface.draw_path(path);
    surface.set_stroke(None);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_come_from_the_font_and_wider_text_measures_wider() {
        let narrow = text_width("iiii", 10.0, false);
        let wide = text_width("WWWW", 10.0, false);
        assert!(narrow > 0.0 && wide > 2.0 * narrow, "{narrow} {wide}");
        assert!(text_width("Rota", 10.0, true) > text_width("Rota", 10.0, false));
        // Doubling the size doubles the width.
        let w = text_width("Riverside Surgery", 8.0, false);
        assert!((text_width("Riverside Surgery", 16.0, false) - 2.0 * w).abs() < 1e-3);
    }

    #[test]
    fn wrapped_lines_fit_their_width_even_for_one_long_word() {
        let text = "Dr Alexandra Featherstonehaugh-Cholmondeley-Worthington Supercalifragilisticexpialidociousness";
        let lines = wrap(text, 8.0, true, 40.0);
        assert!(lines.len() >= 3, "{lines:?}");
        for l in &lines {
            assert!(text_width(l, 8.0, true) <= 40.0, "{l}");
        }
        assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
    }

    #[test]
    fn characters_the_font_lacks_are_spelled_in_ascii_and_the_rest_kept() {
        assert_eq!(printable("Łukasz Żółć — Zoë"), "Łukasz Żółć — Zoë");
        assert_eq!(printable("漢").trim(), "Han");
        assert_eq!(printable("A\tB"), "A B");
    }
}
