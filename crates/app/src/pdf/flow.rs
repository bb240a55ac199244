//! Reports laid out top to bottom on portrait A4: a title, headings, wrapped paragraphs,
//! tables whose rows wrap and continue on the next page under a repeated header, and
//! vector bar and line charts with axes, grid and legend. Pure: the result is [`Page`]s
//! for [`super::render`].
use super::{Colour, Page, printable, text_width, wrap};

pub const A4_W: f32 = 210.0;
pub const A4_H: f32 = 297.0;
const MARGIN: f32 = 15.0;
/// Content stops above the footer.
pub const BOTTOM: f32 = 18.0;
const BODY_PT: f32 = 9.0;
const TABLE_PT: f32 = 8.0;
const PAD: f32 = 1.4;
const CHART_H: f32 = 62.0;

/// A table column: its title, its share of the width, and whether it holds numbers
/// (aligned right).
#[derive(Debug, Clone)]
pub struct Column {
    pub title: String,
    pub width: f32,
    pub numeric: bool,
}

impl Column {
    pub fn text(title: &str, width: f32) -> Column {
        Column {
            title: title.to_string(),
            width,
            numeric: false,
        }
    }

    pub fn number(title: &str, width: f32) -> Column {
        Column {
            title: title.to_string(),
            width,
            numeric: true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
}

/// One named series of a chart, a value per category.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// Grouped bars, one a series in each category.
    Bars,
    /// A line a series across the categories.
    Lines,
}

#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    /// What the values count, shown beside the axis ("WTE", "appointments").
    pub unit: String,
    pub kind: ChartKind,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
}

/// A report being laid out.
pub struct Flow {
    pages: Vec<Page>,
    page: Page,
    y: f32,
}

impl Default for Flow {
    fn default() -> Self {
        Flow::new()
    }
}

impl Flow {
    pub fn new() -> Flow {
        Flow {
            pages: Vec::new(),
            page: Page::default(),
            y: A4_H - MARGIN,
        }
    }

    pub const WIDTH: f32 = A4_W - 2.0 * MARGIN;

    fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.page));
        self.y = A4_H - MARGIN;
    }

    /// Starts a new page unless `h` mm still fit on this one (or the page is empty).
    fn need(&mut self, h: f32) {
        if self.y - h < BOTTOM && !self.page.items.is_empty() {
            self.new_page();
        }
    }

    fn lines(&mut self, text: &str, size: f32, bold: bool, leading: f32) {
        for line in wrap(&printable(text), size, bold, Self::WIDTH) {
            self.need(leading);
            self.y -= leading;
            self.page
                .text(MARGIN, self.y + leading * 0.25, size, bold, &line);
        }
    }

    pub fn title(&mut self, text: &str) {
        self.lines(text, 16.0, true, 7.5);
        self.y -= 2.0;
    }

    /// A section heading, kept with at least 25 mm of what follows.
    pub fn heading(&mut self, text: &str) {
        self.need(32.0);
        self.y -= 4.0;
        self.lines(text, 12.5, true, 6.0);
        self.y -= 1.0;
    }

    pub fn paragraph(&mut self, text: &str) {
        self.lines(text, BODY_PT, false, 4.3);
        self.y -= 1.5;
    }

    /// A small note under a table or chart.
    pub fn note(&mut self, text: &str) {
        self.lines(text, 7.5, false, 3.6);
        self.y -= 1.5;
    }

    fn table_header(&mut self, table: &Table, xs: &[(f32, f32)]) -> f32 {
        let cells: Vec<Vec<String>> = table
            .columns
            .iter()
            .zip(xs)
            .map(|(c, (_, w))| wrap(&printable(&c.title), TABLE_PT, true, w - 2.0 * PAD))
            .collect();
        let h = row_height(&cells);
        self.page
            .fill(MARGIN, self.y - h, Self::WIDTH, h, Colour::SHADE);
        self.draw_cells(table, xs, &cells, h, true);
        h
    }

    fn draw_cells(
        &mut self,
        table: &Table,
        xs: &[(f32, f32)],
        cells: &[Vec<String>],
        h: f32,
        bold: bool,
    ) {
        for ((column, (x, w)), lines) in table.columns.iter().zip(xs).zip(cells) {
            self.page.frame(*x, self.y - h, *w, h);
            let mut baseline = self.y - PAD - 2.8;
            for line in lines {
                let lx = if column.numeric && !bold {
                    x + w - PAD - text_width(line, TABLE_PT, bold)
                } else {
                    x + PAD
                };
                self.page.text(lx, baseline, TABLE_PT, bold, line);
                baseline -= LINE;
            }
        }
        self.y -= h;
    }

    /// A table; rows that do not fit continue on the next page under the header again.
    pub fn table(&mut self, table: &Table) {
        let total: f32 = table.columns.iter().map(|c| c.width).sum::<f32>().max(1e-3);
        let mut x = MARGIN;
        let xs: Vec<(f32, f32)> = table
            .columns
            .iter()
            .map(|c| {
                let w = c.width / total * Self::WIDTH;
                let at = (x, w);
                x += w;
                at
            })
            .collect();
        self.need(20.0);
        self.table_header(table, &xs);
        for row in &table.rows {
            let cells: Vec<Vec<String>> = xs
                .iter()
                .enumerate()
                .map(|(i, (_, w))| {
                    let text = row.get(i).map(String::as_str).unwrap_or("");
                    wrap(&printable(text), TABLE_PT, false, w - 2.0 * PAD)
                })
                .collect();
            let h = row_height(&cells);
            if self.y - h < BOTTOM {
                self.new_page();
                self.table_header(table, &xs);
            }
            self.draw_cells(table, &xs, &cells, h, false);
        }
        self.y -= 3.0;
    }

    /// A chart drawn as vector shapes: axis with gridlines, bars or lines, category labels
    /// and a legend.
    pub fn chart(&mut self, chart: &Chart) {
        let legend_rows = chart.series.len().div_ceil(3).max(1) as f32;
        self.need(CHART_H + 8.0 + legend_rows * 4.5);
        self.lines(&chart.title, 9.5, true, 4.6);
        let top = self.y - 2.0;
        let axis_w = 16.0;
        let left = MARGIN + axis_w;
        let right = MARGIN + Self::WIDTH;
        let bottom = top - CHART_H + 9.0;
        let (lo, hi, step) = scale(chart);
        let y_of = |v: f64| bottom + ((v - lo) / (hi - lo)) as f32 * (top - bottom);
        // Gridlines and their labels.
        let mut v = lo;
        while v <= hi + step * 1e-6 {
            let y = y_of(v);
            self.page
                .line(vec![(left, y), (right, y)], 0.15, Colour::GRID);
            let label = tick_label(v);
            let w = text_width(&label, 6.5, false);
            self.page.text(left - 1.5 - w, y - 1.0, 6.5, false, &label);
            v += step;
        }
        self.page
            .text(MARGIN, top + 1.5, 6.5, false, &printable(&chart.unit));
        let n = chart.categories.len().max(1);
        let cat_w = (right - left) / n as f32;
        let zero = y_of(0.0_f64.clamp(lo, hi));
        match chart.kind {
            ChartKind::Bars => {
                let k = chart.series.len().max(1) as f32;
                let bar_w = cat_w * 0.8 / k;
                for (s, series) in chart.series.iter().enumerate() {
                    let colour = Colour::SERIES[s % Colour::SERIES.len()];
                    for (c, value) in series.values.iter().enumerate() {
                        let x = left + c as f32 * cat_w + cat_w * 0.1 + s as f32 * bar_w;
                        let y = y_of(*value);
                        let (y0, h) = if y >= zero {
                            (zero, y - zero)
                        } else {
                            (y, zero - y)
                        };
                        if h > 0.0 {
                            self.page.fill(x, y0, bar_w, h, colour);
                        }
                    }
                }
            }
            ChartKind::Lines => {
                for (s, series) in chart.series.iter().enumerate() {
                    let colour = Colour::SERIES[s % Colour::SERIES.len()];
                    let points: Vec<(f32, f32)> = series
                        .values
                        .iter()
                        .enumerate()
                        .map(|(c, v)| (left + (c as f32 + 0.5) * cat_w, y_of(*v)))
                        .collect();
                    for (x, y) in &points {
                        self.page.fill(x - 0.6, y - 0.6, 1.2, 1.2, colour);
                    }
                    self.page.line(points, 0.5, colour);
                }
            }
        }
        self.page
            .line(vec![(left, zero), (right, zero)], 0.3, Colour::BORDER);
        self.page
            .line(vec![(left, bottom), (left, top)], 0.3, Colour::BORDER);
        // Category labels: every one that fits beside its neighbours.
        let widest = chart
            .categories
            .iter()
            .map(|c| text_width(&printable(c), 6.5, false))
            .fold(0.0, f32::max);
        let every = ((widest + 1.5) / cat_w).ceil().max(1.0) as usize;
        for (c, label) in chart.categories.iter().enumerate().step_by(every) {
            let label = printable(label);
            let w = text_width(&label, 6.5, false);
            let x = left + (c as f32 + 0.5) * cat_w - w / 2.0;
            self.page
                .text(x.max(MARGIN), bottom - 4.0, 6.5, false, &label);
        }
        // Legend.
        let mut y = bottom - 9.0;
        for row in chart.series.chunks(3).enumerate() {
            let (r, series) = row;
            for (i, s) in series.iter().enumerate() {
                let colour = Colour::SERIES[(r * 3 + i) % Colour::SERIES.len()];
                let x = left + i as f32 * (right - left) / 3.0;
                self.page.fill(x, y, 3.0, 2.5, colour);
                let name = wrap(&printable(&s.name), 7.0, false, (right - left) / 3.0 - 6.0);
                if let Some(first) = name.first() {
                    self.page.text(x + 4.5, y + 0.3, 7.0, false, first);
                }
            }
            y -= 4.5;
        }
        self.y = y - 1.0;
    }

    /// The pages, each with a footer: `left` and "Page X of Y".
    pub fn finish(mut self, left: &str) -> Vec<Page> {
        if !self.page.items.is_empty() || self.pages.is_empty() {
            self.pages.push(self.page);
        }
        let total = self.pages.len();
        for (i, page) in self.pages.iter_mut().enumerate() {
            page.text(MARGIN, 9.0, 7.5, false, &printable(left));
            let right = format!("Page {} of {total}", i + 1);
            let w = text_width(&right, 7.5, false);
            page.text(A4_W - MARGIN - w, 9.0, 7.5, false, &right);
        }
        self.pages
    }
}

const LINE: f32 = 3.4;

fn row_height(cells: &[Vec<String>]) -> f32 {
    let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    lines as f32 * LINE + 2.0 * PAD
}

/// The axis: from below the smallest value (or 0) to above the largest (or 0), in steps of
/// 1, 2 or 5 × a power of ten, about five of them.
fn scale(chart: &Chart) -> (f64, f64, f64) {
    let values = chart.series.iter().flat_map(|s| s.values.iter().copied());
    let (min, max) = values
        .filter(|v| v.is_finite())
        .fold((0.0_f64, 0.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let range = if max - min <= 0.0 { 1.0 } else { max - min };
    let raw = range / 5.0;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power);
    let lo = (min / step).floor() * step;
    let hi = ((max / step).ceil() * step).max(lo + step);
    (lo, hi, step)
}

fn tick_label(v: f64) -> String {
    figure(v)
}

/// A figure as people write it: thousands separated, at most two decimal places.
pub fn figure(value: f64) -> String {
    let text = format!("{:.2}", (value * 100.0).round() / 100.0);
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let (sign, digits) = match whole.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", whole),
    };
    let mut out = String::from(sign);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    let fraction = fraction.trim_end_matches('0');
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    if out == "-0" { "0".into() } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::Item;

    fn table(rows: usize) -> Table {
        Table {
            columns: vec![Column::text("Staff group", 3.0), Column::number("WTE", 1.0)],
            rows: (0..rows)
                .map(|i| vec![format!("Group number {i} with a long name that wraps onto a second line of its cell"), format!("{i}")])
                .collect(),
        }
    }

    #[test]
    fn long_tables_continue_under_their_header_and_stay_inside_the_page() {
        let mut flow = Flow::new();
        flow.title("Evidence pack");
        flow.table(&table(120));
        let pages = flow.finish("Snapshot test");
        assert!(pages.len() >= 3, "{} pages", pages.len());
        for page in &pages {
            assert!(
                page.texts().contains(&"Staff group"),
                "header on every page"
            );
            for item in &page.items {
                if let Item::Text {
                    x,
                    y,
                    size,
                    bold,
                    text,
                } = item
                {
                    assert!(*x >= MARGIN - 1e-3, "{text}");
                    assert!(
                        x + text_width(text, *size, *bold) <= A4_W - MARGIN + 1e-3,
                        "{text}"
                    );
                    assert!(*y >= 8.0, "{text} at {y}");
                }
            }
        }
        let all: Vec<String> = pages
            .iter()
            .flat_map(|p| p.texts().into_iter().map(str::to_string))
            .collect();
        assert!(all.contains(&"119".to_string()));
        assert!(all.contains(&format!("Page {} of {}", pages.len(), pages.len())));
    }

    #[test]
    fn charts_are_shapes_scaled_to_their_values() {
        let chart = Chart {
            title: "WTE by staff group".into(),
            unit: "WTE".into(),
            kind: ChartKind::Bars,
            categories: vec!["GP".into(), "Nurses".into()],
            series: vec![Series {
                name: "WTE".into(),
                values: vec![8.0, 4.0],
            }],
        };
        let mut flow = Flow::new();
        flow.chart(&chart);
        let pages = flow.finish("");
        let bars: Vec<f32> = pages[0]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Fill { h, colour, .. } if *colour == Colour::SERIES[0] && *h > 3.0 => {
                    Some(*h)
                }
                _ => None,
            })
            .collect();
        assert_eq!(bars.len(), 2, "{bars:?}");
        assert!((bars[0] - 2.0 * bars[1]).abs() < 1e-3, "{bars:?}");
        assert_eq!(scale(&chart), (0.0, 8.0, 2.0));
        assert_eq!(tick_label(12500.0), "12,500");
    }
}
