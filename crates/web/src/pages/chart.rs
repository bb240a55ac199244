//! The parts every chart of the pages shares: the nice axis steps, gridlines with their
//! labels, axis titles, tick labels under the plot thinned so none overlaps another, and a
//! marked moment (where a forecast starts). Charts are SVG written on the server; each page
//! keeps a table of the same figures beside its chart.
use std::fmt::Write;

pub(crate) const TEXT: &str = "#4c6272";
pub(crate) const INK: &str = "#212b32";
const GRID: &str = "#d8dde0";
/// Font size of tick labels and axis titles.
pub(crate) const FONT: f64 = 12.0;

/// The plot area inside a chart's view box: x from `left` to `right`, y from `top` to
/// `bottom` (all absolute).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plot {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

impl Plot {
    pub fn width(&self) -> f64 {
        self.right - self.left
    }

    /// The middle of slot `i` of `n` equal slots across the plot.
    pub fn slot_x(&self, i: usize, n: usize) -> f64 {
        self.left + self.width() * (i as f64 + 0.5) / n.max(1) as f64
    }

    /// The y of `v` on a scale from 0 (bottom) to `max` (top).
    pub fn y(&self, v: f64, max: f64) -> f64 {
        self.top + (self.bottom - self.top) * (1.0 - v / max)
    }
}

/// The first of 1, 2, 2.5, 5 × a power of ten at least `raw`.
pub(crate) fn nice_step(raw: f64) -> f64 {
    let magnitude = 10f64.powf(raw.max(1.0).log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude)
}

/// A scale's top and step for values up to `max`: about four gridlines, with headroom.
pub(crate) fn scale(max: f64) -> (f64, f64) {
    let max = max.max(1.0) * 1.08;
    let step = nice_step(max / 4.0);
    ((max / step).ceil() * step, step)
}

/// Text inside SVG markup (charts are inserted unescaped).
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The width a label of `text` takes at `font` pixels, generously (sans-serif figures and
/// letters average about 0.6 em).
pub(crate) fn text_width(text: &str, font: f64) -> f64 {
    text.chars().count() as f64 * font * 0.6
}

/// Gridlines from 0 to `max` every `step`, each labelled at the left of the plot.
pub(crate) fn y_grid(
    svg: &mut String,
    plot: &Plot,
    max: f64,
    step: f64,
    label: impl Fn(f64) -> String,
) {
    let mut v = 0.0;
    while v <= max + 1e-6 {
        let y = plot.y(v, max);
        let _ = write!(
            svg,
            r##"<line x1="{:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="{GRID}"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="{FONT}" fill="{TEXT}">{}</text>"##,
            plot.left,
            plot.right,
            plot.left - 6.0,
            y + 4.0,
            escape(&label(v))
        );
        v += step;
    }
}

/// The title of the y axis, turned to read upwards, at the chart's left edge.
pub(crate) fn y_title(svg: &mut String, plot: &Plot, text: &str) {
    let (x, y) = (FONT + 2.0, (plot.top + plot.bottom) / 2.0);
    let _ = write!(
        svg,
        r##"<text x="{x:.1}" y="{y:.1}" transform="rotate(-90 {x:.1} {y:.1})" text-anchor="middle" font-size="{FONT}" font-weight="600" fill="{INK}">{}</text>"##,
        escape(text)
    );
}

/// The title of the x axis, centred under the tick labels.
pub(crate) fn x_title(svg: &mut String, plot: &Plot, text: &str) {
    let _ = write!(
        svg,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="{FONT}" font-weight="600" fill="{INK}">{}</text>"##,
        (plot.left + plot.right) / 2.0,
        plot.bottom + 40.0,
        escape(text)
    );
}

/// Every how many slots a label can go so that no two overlap: the widest label and a
/// gap of half a label's height must fit in the space between two labelled slots.
pub(crate) fn label_every(labels: &[String], slot_width: f64) -> usize {
    let widest = labels
        .iter()
        .map(|l| text_width(l, FONT))
        .fold(0.0, f64::max);
    if slot_width <= 0.0 {
        return labels.len().max(1);
    }
    (((widest + FONT / 2.0) / slot_width).ceil() as usize).max(1)
}

/// The indexes of the slots labelled: every [`label_every`]-th, counted back from
/// `anchor` (a slot that must carry its label, such as the first month forecast).
pub(crate) fn labelled(labels: &[String], slot_width: f64, anchor: usize) -> Vec<usize> {
    let every = label_every(labels, slot_width);
    (0..labels.len())
        .filter(|i| i.abs_diff(anchor) % every == 0)
        .collect()
}

/// Labels under the plot's slots, only those [`labelled`] picks.
pub(crate) fn x_labels(svg: &mut String, plot: &Plot, labels: &[String], anchor: usize) {
    let n = labels.len();
    let slot = plot.width() / n.max(1) as f64;
    for i in labelled(labels, slot, anchor) {
        let _ = write!(
            svg,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="{FONT}" fill="{TEXT}">{}</text>"##,
            plot.slot_x(i, n),
            plot.bottom + 18.0,
            escape(&labels[i])
        );
    }
}

/// A dashed upright line at `x` across the plot, with `text` at its top to the right of
/// it (to the left when it would run past the plot), on a white halo over the lines.
pub(crate) fn marker(svg: &mut String, plot: &Plot, x: f64, text: &str) {
    let width = text_width(text, FONT);
    let (tx, anchor) = if x + 6.0 + width <= plot.right {
        (x + 6.0, "start")
    } else {
        (x - 6.0, "end")
    };
    let _ = write!(
        svg,
        r##"<line class="gpteam-chart__marker" x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}" stroke="{INK}" stroke-width="1.5" stroke-dasharray="4 3"/><text x="{tx:.1}" y="{:.1}" text-anchor="{anchor}" font-size="{FONT}" font-weight="600" fill="{INK}" stroke="#fff" stroke-width="4" paint-order="stroke">{}</text>"##,
        plot.top,
        plot.bottom,
        plot.top + FONT,
        escape(text)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn months(n: usize) -> Vec<String> {
        let names = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        (0..n)
            .map(|i| format!("{} {}", names[(i + 11) % 12], 2025 + i.div_ceil(12)))
            .collect()
    }

    #[test]
    fn tick_labels_never_overlap_at_any_width() {
        for n in [4, 12, 24, 36, 60] {
            for width in [300.0, 674.0, 900.0] {
                let labels = months(n);
                let plot = Plot {
                    left: 70.0,
                    right: 70.0 + width,
                    top: 10.0,
                    bottom: 200.0,
                };
                let slot = plot.width() / n as f64;
                let anchor = n / 2;
                let shown = labelled(&labels, slot, anchor);
                assert!(
                    shown.contains(&anchor),
                    "{n} at {width}: the anchor is labelled"
                );
                for pair in shown.windows(2) {
                    let gap = plot.slot_x(pair[1], n) - plot.slot_x(pair[0], n);
                    let half_widths = (text_width(&labels[pair[0]], FONT)
                        + text_width(&labels[pair[1]], FONT))
                        / 2.0;
                    assert!(
                        gap >= half_widths + FONT / 2.0 - 1e-9,
                        "{n} labels at {width}: {pair:?} overlap ({gap} < {half_widths})"
                    );
                }
            }
        }
        // Where there is room, every label is shown.
        assert_eq!(label_every(&months(4), 200.0), 1);
    }

    #[test]
    fn a_marker_near_the_right_edge_puts_its_text_on_the_left() {
        let plot = Plot {
            left: 0.0,
            right: 400.0,
            top: 0.0,
            bottom: 100.0,
        };
        let mut svg = String::new();
        marker(&mut svg, &plot, 390.0, "Forecast from Dec 2026");
        assert!(svg.contains(r#"text-anchor="end""#), "{svg}");
        let mut svg = String::new();
        marker(&mut svg, &plot, 10.0, "Forecast from Dec 2026");
        assert!(svg.contains(r#"text-anchor="start""#), "{svg}");
        assert_eq!(nice_step(230.0), 250.0);
        assert_eq!(scale(920.0), (1_000.0, 250.0));
        assert_eq!(escape("A & <B>"), "A &amp; &lt;B&gt;");
    }
}
