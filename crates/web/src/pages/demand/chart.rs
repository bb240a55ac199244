//! The demand-and-capacity chart: recorded demand (solid), the forecast (dashed) in its
//! 80 % range, safe capacity (green), the shortfall shaded red, where the forecast starts
//! marked, and a saved what-if's safe capacity (purple) when one is drawn.
use crate::pages::chart::{self, Plot};
use crate::pages::register::practice::thousands;
use analytics::capacity::GapRow;
use std::fmt::Write;

/// The capacity a what-if gives, drawn beside today's.
pub(crate) struct WhatIfLine<'a> {
    pub name: &'a str,
    /// Safe capacity under the scenario, month by month as the rows (none for history).
    pub capacity: Vec<Option<f64>>,
}

pub(crate) fn month_label(m: analytics::Month) -> String {
    m.first_day().format("%b %Y").to_string()
}

pub(crate) fn chart(
    title: &str,
    id: &str,
    rows: &[&GapRow],
    what_if: Option<&WhatIfLine<'_>>,
) -> String {
    let (width, height) = (760.0, 340.0);
    let plot = Plot {
        left: 78.0,
        right: width - 16.0,
        top: 16.0,
        bottom: height - 56.0,
    };
    let n = rows.len();
    let top_value = top_value(rows, what_if);
    let (max, step) = chart::scale(top_value);
    let x = |i: usize| plot.slot_x(i, n);
    let y = |v: f64| plot.y(v.max(0.0), max);
    let path = |points: &[(f64, f64)]| {
        points
            .iter()
            .enumerate()
            .map(|(i, (px, py))| format!("{}{px:.1},{py:.1}", if i == 0 { "M" } else { "L" }))
            .collect::<String>()
    };
    let first_forecast = (0..n).find(|&i| rows[i].forecast);
    let description = description(title, rows, first_forecast, what_if);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="gpteam-chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-{id}-title" xmlns="http://www.w3.org/2000/svg"><title id="chart-{id}-title">{}</title>"##,
        chart::escape(&description)
    );
    chart::y_grid(&mut svg, &plot, max, step, |v| thousands(v as i64));
    chart::y_title(&mut svg, &plot, "Appointments a month");
    let labels: Vec<String> = rows.iter().map(|r| month_label(r.month)).collect();
    chart::x_labels(&mut svg, &plot, &labels, first_forecast.unwrap_or(0));
    chart::x_title(&mut svg, &plot, "Month");
    // The 80 % range of the forecast, from the last recorded month so it joins the line.
    let band: Vec<usize> = (0..n).filter(|&i| rows[i].lower_80.is_some()).collect();
    if !band.is_empty() {
        let mut points: Vec<(f64, f64)> = band
            .iter()
            .map(|&i| (x(i), y(rows[i].upper_80.unwrap_or(0.0))))
            .collect();
        points.extend(
            band.iter()
                .rev()
                .map(|&i| (x(i), y(rows[i].lower_80.unwrap_or(0.0)))),
        );
        let _ = write!(
            svg,
            r##"<path class="gpteam-chart__band" d="{}Z" fill="#41b6e6" fill-opacity="0.35" stroke="#005eb8" stroke-opacity="0.5" stroke-width="1"/>"##,
            path(&points)
        );
    }
    // The shortfall: between demand and capacity where demand is higher.
    let half = plot.width() / n.max(1) as f64 / 2.0;
    for (i, r) in rows.iter().enumerate() {
        if r.demand > r.capacity {
            let _ = write!(
                svg,
                r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#d5281b" fill-opacity="0.25"/>"##,
                x(i) - half,
                y(r.demand),
                half * 2.0,
                y(r.capacity) - y(r.demand)
            );
        }
    }
    if let Some(f) = first_forecast {
        let at = if f == 0 {
            x(0) - half
        } else {
            (x(f - 1) + x(f)) / 2.0
        };
        chart::marker(
            &mut svg,
            &plot,
            at,
            &format!("Forecast from {}", month_label(rows[f].month)),
        );
    }
    let recorded: Vec<(f64, f64)> = (0..n)
        .filter(|&i| !rows[i].forecast)
        .map(|i| (x(i), y(rows[i].demand)))
        .collect();
    let last_recorded = (0..n).rfind(|&i| !rows[i].forecast);
    let forecast: Vec<(f64, f64)> = last_recorded
        .into_iter()
        .chain((0..n).filter(|&i| rows[i].forecast))
        .map(|i| (x(i), y(rows[i].demand)))
        .collect();
    let capacity: Vec<(f64, f64)> = (0..n).map(|i| (x(i), y(rows[i].capacity))).collect();
    let _ = write!(
        svg,
        r##"<path d="{}" fill="none" stroke="#007f3b" stroke-width="3"/><path d="{}" fill="none" stroke="#212b32" stroke-width="2.5"/><path d="{}" fill="none" stroke="#005eb8" stroke-width="2.5" stroke-dasharray="6 4"/>"##,
        path(&capacity),
        path(&recorded),
        path(&forecast)
    );
    if let Some(w) = what_if {
        let points: Vec<(f64, f64)> = (0..n)
            .filter_map(|i| Some((x(i), y(w.capacity.get(i).copied().flatten()?))))
            .collect();
        if !points.is_empty() {
            let _ = write!(
                svg,
                r##"<path class="gpteam-chart__what-if" d="{}" fill="none" stroke="#7c2855" stroke-width="3" stroke-dasharray="2 3"/>"##,
                path(&points)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The highest value the chart shows: demand, its 80 % range, capacity and the scenario's.
fn top_value(rows: &[&GapRow], what_if: Option<&WhatIfLine<'_>>) -> f64 {
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let scenario = what_if
                .and_then(|w| w.capacity.get(i).copied().flatten())
                .unwrap_or(0.0);
            r.upper_80
                .unwrap_or(r.demand)
                .max(r.capacity)
                .max(r.demand)
                .max(scenario)
        })
        .fold(1.0f64, f64::max)
}

/// The chart's text for a screen reader: what it shows, from when to when, where the
/// forecast starts and what the purple line is.
fn description(
    title: &str,
    rows: &[&GapRow],
    first_forecast: Option<usize>,
    what_if: Option<&WhatIfLine<'_>>,
) -> String {
    let mut description = format!(
        "{title}: recorded and forecast demand against safe capacity by month, from {} to {}",
        rows.first()
            .map(|r| month_label(r.month))
            .unwrap_or_default(),
        rows.last()
            .map(|r| month_label(r.month))
            .unwrap_or_default(),
    );
    if let Some(f) = first_forecast {
        let _ = write!(
            description,
            "; the forecast starts in {}",
            month_label(rows[f].month)
        );
    }
    if let Some(w) = what_if {
        let _ = write!(
            description,
            "; the purple line is safe capacity with the scenario “{}”",
            w.name
        );
    }
    description.push_str(" (the table below has the figures)");
    description
}

#[cfg(test)]
mod tests {
    use super::*;
    use analytics::Month;

    fn rows() -> Vec<GapRow> {
        let start = Month::new(2025, 12).unwrap();
        (0..24)
            .map(|i| {
                let forecast = i >= 12;
                let mut r = GapRow::empty(start.plus(i), "GP", forecast);
                r.demand = 2_600.0 + 10.0 * f64::from(i);
                r.capacity = 2_500.0;
                if forecast {
                    r.lower_80 = Some(r.demand - 200.0);
                    r.upper_80 = Some(r.demand + 200.0);
                }
                r
            })
            .collect()
    }

    #[test]
    fn the_chart_marks_the_forecast_draws_its_band_and_the_what_if() {
        let rows = rows();
        let refs: Vec<&GapRow> = rows.iter().collect();
        let plain = chart("GP appointments", "gp", &refs, None);
        assert!(plain.contains("Forecast from Dec 2026"), "{plain}");
        assert!(plain.contains("Appointments a month"));
        assert!(plain.contains(">Month<"));
        assert!(plain.contains(r#"class="gpteam-chart__band""#));
        assert!(!plain.contains("gpteam-chart__what-if"));
        // The first forecast month carries its label; its neighbours do not crowd it.
        assert!(plain.contains(">Dec 2026</text>"));
        assert!(!plain.contains(">Jan 2027</text>"));
        let what_if = WhatIfLine {
            name: "A <new> GP",
            capacity: (0..24).map(|i| (i >= 12).then_some(3_000.0)).collect(),
        };
        let drawn = chart("GP appointments", "gp", &refs, Some(&what_if));
        assert!(
            drawn.contains(r#"class="gpteam-chart__what-if""#),
            "{drawn}"
        );
        assert!(drawn.contains("“A &lt;new&gt; GP”"), "escaped in the title");
        // The line has a point for each forecast month only: one move and 11 lines.
        let line = drawn.split("gpteam-chart__what-if\" d=\"").nth(1).unwrap();
        let d = line.split('"').next().unwrap();
        assert_eq!(d.matches('M').count(), 1);
        assert_eq!(d.matches('L').count(), 11);
    }
}
