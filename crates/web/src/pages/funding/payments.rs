//! Practice income pages: a practice's NHS payment lines over the years, and a PCN's totals
//! per year for its member practices. Each has a server-rendered SVG chart (with a title,
//! a description and the table as its text alternative) and a table with the years as
//! columns, scrolling in its own box.
use crate::AppState;
use crate::auth::CurrentUser;
use crate::csrf::CsrfToken;
use crate::error::WebError;
use crate::layout::PageCtx;
use crate::pages::chart::escape;
use crate::pages::page_ctx;
use crate::pages::register::practice::thousands;
use app::funding::payments::{PaymentYear, PcnPayments, PracticePayments};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use import::PaymentKind;
use std::fmt::Write;

/// Pence as whole pounds: 123456789 → "£1,234,568".
pub(crate) fn pounds_of(pence: i64) -> String {
    let whole = (pence as f64 / 100.0).round() as i64;
    let sign = if whole < 0 { "-" } else { "" };
    format!("{sign}£{}", thousands(whole.abs()))
}

/// Pounds to the penny: 123.456 → "£123.46".
fn pounds_pence(value: f64) -> String {
    let pence = (value * 100.0).round() as i64;
    let sign = if pence < 0 { "-" } else { "" };
    let pence = pence.abs();
    format!("{sign}£{}.{:02}", thousands(pence / 100), pence % 100)
}

fn patients(value: Option<f64>) -> String {
    match value {
        Some(n) if n.fract() == 0.0 => thousands(n as i64),
        Some(n) => format!(
            "{}{}",
            thousands(n.trunc() as i64),
            &format!("{:.2}", n.fract())[1..]
        ),
        None => "–".into(),
    }
}

/// One row of a table with the years as columns.
pub(crate) struct YearRow {
    pub label: String,
    /// The row heads a group or closes it (shown in bold).
    pub strong: bool,
    pub cells: Vec<String>,
}

/// A group of rows under a heading row.
pub(crate) struct RowGroup {
    pub heading: String,
    pub rows: Vec<YearRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "payments_practice.html")]
pub(crate) struct PracticePage {
    ctx: PageCtx,
    ods: String,
    name: String,
    years: Vec<String>,
    chart: String,
    groups: Vec<RowGroup>,
    /// The real practices whose published payments the demo shows, in words.
    stand_ins: Vec<String>,
    files: Vec<String>,
}

pub(crate) async fn practice_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
) -> Result<Response, WebError> {
    let payments = state
        .app
        .funding()
        .practice_payments(&user.actor, &ods)
        .await?;
    let page = PracticePage {
        ctx: page_ctx(&user.actor, &token, &format!("/practices/{ods}/payments")),
        ods: payments.ods_code.clone(),
        name: payments.name.clone(),
        years: payments.years.iter().map(|y| y.year.label()).collect(),
        chart: practice_chart(&payments),
        groups: practice_groups(&payments.years),
        stand_ins: stand_ins(&payments),
        files: {
            let mut files: Vec<String> = payments
                .years
                .iter()
                .map(|y| format!("{}: {}", y.year.label(), y.file_name))
                .collect();
            files.dedup();
            files
        },
    };
    Ok((token, page).into_response())
}

fn stand_ins(payments: &PracticePayments) -> Vec<String> {
    let mut out: Vec<String> = payments
        .years
        .iter()
        .filter(|y| y.published_code != payments.ods_code)
        .map(|y| format!("{} ({})", title_case(&y.published_name), y.published_code))
        .collect();
    out.dedup();
    out
}

/// NHS Digital's names are in capitals: "EAST HILL SURGERY" → "East Hill Surgery".
fn title_case(text: &str) -> String {
    text.split_whitespace()
        .map(|w| {
            let lower = w.to_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) if !["and", "of", "the"].contains(&lower.as_str()) => {
                    first.to_uppercase().chain(chars).collect()
                }
                _ => lower,
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every published column of any year, in the order the newest file has them (older
/// columns that later files dropped after them); a year without the column shows "–".
fn line_names(years: &[PaymentYear], kind: PaymentKind) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for year in years.iter().rev() {
        for line in year.lines.iter().filter(|l| l.kind == kind) {
            if !names.contains(&line.name) {
                names.push(line.name.clone());
            }
        }
    }
    names
}

fn line_rows(years: &[PaymentYear], kind: PaymentKind) -> Vec<YearRow> {
    line_names(years, kind)
        .into_iter()
        .filter(|name| kind != PaymentKind::Total || name != import::PAYMENTS_TOTAL)
        .map(|name| YearRow {
            cells: years
                .iter()
                .map(|y| {
                    y.lines
                        .iter()
                        .find(|l| l.name == name)
                        .map(|l| pounds_of(l.pence))
                        .unwrap_or_else(|| "–".into())
                })
                .collect(),
            strong: false,
            label: name,
        })
        .collect()
}

fn practice_groups(years: &[PaymentYear]) -> Vec<RowGroup> {
    let summary = vec![
        YearRow {
            label: import::PAYMENTS_TOTAL.into(),
            strong: true,
            cells: years.iter().map(|y| pounds_of(y.total_pence)).collect(),
        },
        YearRow {
            label: "Per registered patient".into(),
            strong: false,
            cells: years
                .iter()
                .map(|y| {
                    y.per_patient()
                        .map(pounds_pence)
                        .unwrap_or_else(|| "–".into())
                })
                .collect(),
        },
        YearRow {
            label: "Per weighted patient".into(),
            strong: false,
            cells: years
                .iter()
                .map(|y| {
                    y.per_weighted_patient()
                        .map(pounds_pence)
                        .unwrap_or_else(|| "–".into())
                })
                .collect(),
        },
        YearRow {
            label: "Registered patients".into(),
            strong: false,
            cells: years
                .iter()
                .map(|y| patients(y.registered_patients))
                .collect(),
        },
        YearRow {
            label: "Weighted patients".into(),
            strong: false,
            cells: years
                .iter()
                .map(|y| patients(y.weighted_patients))
                .collect(),
        },
    ];
    vec![
        RowGroup {
            heading: "Total and per patient".into(),
            rows: summary,
        },
        RowGroup {
            heading: "Payment lines making up the total".into(),
            rows: line_rows(years, PaymentKind::Line),
        },
        RowGroup {
            heading: "Outside the total: deductions, PCN and COVID-19 payments".into(),
            rows: line_rows(years, PaymentKind::Outside),
        },
        RowGroup {
            heading: "Other totals as published".into(),
            rows: line_rows(years, PaymentKind::Total),
        },
    ]
    .into_iter()
    .filter(|g| !g.rows.is_empty())
    .collect()
}

/// Lines drawn on their own in a practice's chart; the rest are one segment.
const CHART_LINES: usize = 5;

fn practice_chart(payments: &PracticePayments) -> String {
    let years = &payments.years;
    if years.is_empty() {
        return String::new();
    }
    // The largest lines over all the years, each drawn where it is positive.
    let mut sums: Vec<(String, i64)> = line_names(years, PaymentKind::Line)
        .into_iter()
        .map(|name| {
            let sum = years
                .iter()
                .flat_map(|y| y.lines.iter().filter(|l| l.name == name))
                .map(|l| l.pence.max(0))
                .sum();
            (name, sum)
        })
        .collect();
    sums.sort_by_key(|s| std::cmp::Reverse(s.1));
    let top: Vec<String> = sums
        .into_iter()
        .take(CHART_LINES)
        .filter(|(_, sum)| *sum > 0)
        .map(|(name, _)| name)
        .collect();
    let amount = |y: &PaymentYear, name: &str| {
        y.lines
            .iter()
            .find(|l| l.name == name)
            .map(|l| l.pence.max(0))
            .unwrap_or(0)
    };
    let mut series: Vec<(String, Vec<i64>)> = top
        .iter()
        .map(|name| {
            (
                name.clone(),
                years.iter().map(|y| amount(y, name)).collect(),
            )
        })
        .collect();
    series.push((
        "All other lines".into(),
        years
            .iter()
            .map(|y| (y.total_pence - top.iter().map(|n| amount(y, n)).sum::<i64>()).max(0))
            .collect(),
    ));
    let totals = years
        .iter()
        .map(|y| format!("{} {}", y.year.label(), pounds_of(y.total_pence)))
        .collect::<Vec<_>>()
        .join("; ");
    stacked_bars(
        "practice-payments",
        &format!("{}: NHS payments by financial year", payments.name),
        &format!(
            "Total NHS payments to general practice, split into its {} largest lines and all other lines: {totals}. The table below has every line.",
            top.len()
        ),
        &years.iter().map(|y| y.year.label()).collect::<Vec<_>>(),
        &series,
        true,
    )
}

/// NHS colours for the segments, in order; the last segment ("all other") is grey.
const COLOURS: [&str; 7] = [
    "#005eb8", "#41b6e6", "#007f3b", "#ffb81c", "#330072", "#ae2573", "#ed8b00",
];
const OTHER_COLOUR: &str = "#aeb7bd";

/// A stacked bar chart, one bar a year, values in pence; the key is drawn beside the bars.
/// With `last_is_rest` the last series ("all other lines") is grey.
pub(crate) fn stacked_bars(
    id: &str,
    title: &str,
    description: &str,
    years: &[String],
    series: &[(String, Vec<i64>)],
    last_is_rest: bool,
) -> String {
    let (width, height) = (880.0, 356.0);
    let (left, plot_right, top, bottom) = (84.0, 520.0, 16.0, 56.0);
    let plot = crate::pages::chart::Plot {
        left,
        right: plot_right,
        top,
        bottom: height - bottom,
    };
    let totals: Vec<i64> = (0..years.len())
        .map(|i| series.iter().map(|(_, v)| v[i].max(0)).sum())
        .collect();
    let max = totals.iter().copied().max().unwrap_or(0).max(100) as f64 / 100.0 * 1.05;
    let step = crate::pages::chart::nice_step(max / 4.0);
    let max = (max / step).ceil() * step;
    let y = |pounds: f64| top + (height - top - bottom) * (1.0 - pounds / max);
    let slot = (plot_right - left) / years.len().max(1) as f64;
    let bar = (slot * 0.6).min(90.0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="gpteam-chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"##,
        escape(title),
        escape(description)
    );
    crate::pages::chart::y_grid(&mut svg, &plot, max, step, short_pounds);
    crate::pages::chart::y_title(&mut svg, &plot, "NHS payments in the year");
    crate::pages::chart::x_title(&mut svg, &plot, "Financial year");
    let colour = |i: usize| {
        if last_is_rest && i + 1 == series.len() {
            OTHER_COLOUR
        } else {
            COLOURS[i % COLOURS.len()]
        }
    };
    for (i, year) in years.iter().enumerate() {
        let x = left + slot * (i as f64 + 0.5);
        let mut base = 0.0;
        for (s, (name, values)) in series.iter().enumerate() {
            let pounds = values[i].max(0) as f64 / 100.0;
            if pounds <= 0.0 {
                continue;
            }
            let _ = write!(
                svg,
                r##"<rect x="{:.1}" y="{:.1}" width="{bar:.1}" height="{:.1}" fill="{}"><title>{} {}: {}</title></rect>"##,
                x - bar / 2.0,
                y(base + pounds),
                y(base) - y(base + pounds),
                colour(s),
                escape(year),
                escape(name),
                pounds_of(values[i])
            );
            base += pounds;
        }
        let _ = write!(
            svg,
            r##"<text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="12" fill="#4c6272">{}</text><text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="11" fill="#212b32">{}</text>"##,
            height - bottom + 18.0,
            escape(year),
            y(base) - 4.0,
            short_pounds(totals[i] as f64 / 100.0)
        );
    }
    // The key, top segment first, as the bars stack.
    for (row, (s, (name, _))) in series.iter().enumerate().rev().enumerate() {
        let ky = top + 8.0 + row as f64 * 22.0;
        let _ = write!(
            svg,
            r##"<rect x="540" y="{:.1}" width="14" height="14" fill="{}"/><text x="560" y="{:.1}" font-size="12" fill="#212b32">{}</text>"##,
            ky - 11.0,
            colour(s),
            ky,
            escape(&clip(name, 48))
        );
    }
    svg.push_str("</svg>");
    svg
}

fn clip(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(chars - 1).collect::<String>())
    }
}

/// £1.2m, £350k, £900.
fn short_pounds(pounds: f64) -> String {
    if pounds >= 1_000_000.0 {
        let m = pounds / 1_000_000.0;
        if (m - m.round()).abs() < 0.05 {
            format!("£{:.0}m", m)
        } else {
            format!("£{m:.1}m")
        }
    } else if pounds >= 1_000.0 {
        format!("£{:.0}k", pounds / 1_000.0)
    } else {
        format!("£{pounds:.0}")
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "payments_pcn.html")]
pub(crate) struct PcnPage {
    ctx: PageCtx,
    code: String,
    name: String,
    years: Vec<String>,
    chart: String,
    rows: Vec<YearRow>,
    /// Member practices with no figures in a year's file, in words.
    gaps: Vec<String>,
    /// Whether the user may open the member practices' own pages.
    practice_links: bool,
    practices: Vec<(String, String)>,
    /// Demo practices showing a real practice's figures: "Riverside Surgery: Tiptree …".
    stand_ins: Vec<String>,
}

pub(crate) async fn pcn_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let payments = state.app.funding().pcn_payments(&user.actor, &code).await?;
    let practice_links = state
        .app
        .authorize(&user.actor, app::Permission::View, app::Tenant::Pcn(&code))
        .await
        .is_ok();
    let page = PcnPage {
        ctx: page_ctx(&user.actor, &token, &format!("/pcns/{code}/payments")),
        code: payments.code.clone(),
        name: payments.name.clone(),
        years: payments.years.iter().map(|y| y.year.label()).collect(),
        chart: pcn_chart(&payments),
        rows: pcn_rows(&payments),
        gaps: payments
            .years
            .iter()
            .filter(|y| !y.missing().is_empty())
            .map(|y| format!("{}: {}", y.year.label(), y.missing().join(", ")))
            .collect(),
        practice_links,
        practices: payments
            .years
            .first()
            .map(|y| {
                y.practices
                    .iter()
                    .map(|p| (p.ods_code.clone(), p.name.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        stand_ins: {
            let mut out: Vec<String> = payments
                .years
                .iter()
                .flat_map(|y| &y.practices)
                .filter_map(|p| {
                    let (name, code) = p.stand_in.as_ref()?;
                    Some(format!("{}: {} ({code})", p.name, title_case(name)))
                })
                .collect();
            out.sort();
            out.dedup();
            out
        },
    };
    Ok((token, page).into_response())
}

fn pcn_rows(payments: &PcnPayments) -> Vec<YearRow> {
    let years = &payments.years;
    let members = years.first().map(|y| y.practices.len()).unwrap_or(0);
    let mut rows: Vec<YearRow> = (0..members)
        .map(|i| YearRow {
            label: years[0].practices[i].name.clone(),
            strong: false,
            cells: years
                .iter()
                .map(|y| {
                    y.practices[i]
                        .total_pence
                        .map(pounds_of)
                        .unwrap_or_else(|| "–".into())
                })
                .collect(),
        })
        .collect();
    rows.push(YearRow {
        label: "The PCN's practices together".into(),
        strong: true,
        cells: years.iter().map(|y| pounds_of(y.total_pence)).collect(),
    });
    rows.push(YearRow {
        label: "Per registered patient".into(),
        strong: false,
        cells: years
            .iter()
            .map(|y| {
                y.per_patient()
                    .map(pounds_pence)
                    .unwrap_or_else(|| "–".into())
            })
            .collect(),
    });
    rows.push(YearRow {
        label: "Per weighted patient".into(),
        strong: false,
        cells: years
            .iter()
            .map(|y| {
                y.per_weighted_patient()
                    .map(pounds_pence)
                    .unwrap_or_else(|| "–".into())
            })
            .collect(),
    });
    rows.push(YearRow {
        label: "Registered patients".into(),
        strong: false,
        cells: years
            .iter()
            .map(|y| patients(Some(y.registered_patients)))
            .collect(),
    });
    rows
}

fn pcn_chart(payments: &PcnPayments) -> String {
    let years = &payments.years;
    if years.is_empty() {
        return String::new();
    }
    let series: Vec<(String, Vec<i64>)> = (0..years[0].practices.len())
        .map(|i| {
            (
                years[0].practices[i].name.clone(),
                years
                    .iter()
                    .map(|y| y.practices[i].total_pence.unwrap_or(0))
                    .collect(),
            )
        })
        .collect();
    let totals = years
        .iter()
        .map(|y| format!("{} {}", y.year.label(), pounds_of(y.total_pence)))
        .collect::<Vec<_>>()
        .join("; ");
    stacked_bars(
        "pcn-payments",
        &format!(
            "{}: NHS payments to the member practices by financial year",
            payments.name
        ),
        &format!(
            "Total NHS payments to general practice, one segment a member practice: {totals}. The table below has each practice's figures."
        ),
        &years.iter().map(|y| y.year.label()).collect::<Vec<_>>(),
        &series,
        false,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_patients_as_people_read_them() {
        assert_eq!(pounds_of(114_351_192), "£1,143,512");
        assert_eq!(pounds_of(-20_047_439), "-£200,474");
        assert_eq!(pounds_pence(159.876), "£159.88");
        assert_eq!(patients(Some(19_463.75)), "19,463.75");
        assert_eq!(patients(Some(10_255.0)), "10,255");
        assert_eq!(short_pounds(1_500_000.0), "£1.5m");
        assert_eq!(short_pounds(250_000.0), "£250k");
        assert_eq!(title_case("EAST HILL SURGERY"), "East Hill Surgery");
    }

    #[test]
    fn the_chart_has_a_title_a_description_and_a_bar_a_year() {
        let svg = stacked_bars(
            "t",
            "A & B",
            "Totals <here>",
            &["2021/22".into(), "2022/23".into()],
            &[
                ("Global Sum".into(), vec![10_000, 20_000]),
                ("All other lines".into(), vec![5_000, 0]),
            ],
            true,
        );
        assert!(
            svg.contains(r#"<title id="t-title">A &amp; B</title>"#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"<desc id="t-desc">Totals &lt;here&gt;</desc>"#),
            "{svg}"
        );
        assert_eq!(
            svg.matches("<rect").count(),
            3 + 2,
            "three segments and two keys"
        );
        assert!(svg.contains("2022/23 Global Sum: £200"), "{svg}");
    }
}
