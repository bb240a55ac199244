//! Demand and capacity pages for a practice and a PCN: the chart (history, forecast with
//! its 80 % interval, safe capacity, the shortfall shaded) and the table behind it.
use super::page_ctx;
use super::practice::thousands;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebError;
use crate::layout::PageCtx;
use analytics::capacity::{GP, GapRow, OTHER_STAFF};
use app::Tenant;
use app::demand::DemandCapacity;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum_csrf::CsrfToken;
use std::fmt::Write;

pub(crate) struct TableRow {
    month: String,
    forecast: bool,
    demand: String,
    interval: String,
    capacity: String,
    gap: String,
    short: bool,
}

pub(crate) struct HcpSection {
    title: &'static str,
    id: &'static str,
    chart: String,
    summary: String,
    rows: Vec<TableRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "demand.html")]
pub(crate) struct DemandPage {
    ctx: PageCtx,
    caption: String,
    title: String,
    back: String,
    view: DemandCapacity,
    sections: Vec<HcpSection>,
    basis: Vec<String>,
    last_data: String,
    shifts: String,
    per_session: String,
}

pub(crate) async fn practice_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(ods): Path<String>,
) -> Result<Response, WebError> {
    let view = state
        .app
        .demand_capacity(&user.actor, Tenant::Practice(&ods))
        .await?;
    let ctx = page_ctx(&user.actor, &token, &format!("/practices/{ods}/demand"))?;
    Ok((
        token,
        page(
            ctx,
            format!("Practice {ods}"),
            format!("/practices/{ods}"),
            view,
        ),
    )
        .into_response())
}

pub(crate) async fn pcn_page(
    State(state): State<AppState>,
    user: CurrentUser,
    token: CsrfToken,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let view = state
        .app
        .demand_capacity(&user.actor, Tenant::Pcn(&code))
        .await?;
    let ctx = page_ctx(&user.actor, &token, &format!("/pcns/{code}/demand"))?;
    Ok((
        token,
        page(
            ctx,
            format!("Primary Care Network {code}"),
            format!("/pcns/{code}"),
            view,
        ),
    )
        .into_response())
}

fn page(ctx: PageCtx, caption: String, back: String, view: DemandCapacity) -> DemandPage {
    let sections = [(GP, "GP appointments", "gp"), (OTHER_STAFF, "Other practice staff appointments", "other")]
        .into_iter()
        .filter_map(|(hcp, title, id)| {
            let rows: Vec<&GapRow> = view.rows.iter().filter(|r| r.hcp_type == hcp).collect();
            if rows.is_empty() {
                return None;
            }
            let forecast: Vec<&&GapRow> = rows.iter().filter(|r| r.forecast).collect();
            let short_months = forecast.iter().filter(|r| r.gap() < 0.0).count();
            let total_gap: f64 = forecast.iter().map(|r| r.gap()).sum();
            let summary = if short_months == 0 {
                format!("Safe capacity covers the forecast in all {} months ahead.", forecast.len())
            } else {
                format!(
                    "Short of safe capacity in {short_months} of the {} months ahead: {} appointments in all, about {} a week.",
                    forecast.len(),
                    thousands((-forecast.iter().filter(|r| r.gap() < 0.0).map(|r| r.gap()).sum::<f64>()).round() as i64),
                    thousands((-total_gap.min(0.0) / (forecast.len() as f64 * 52.0 / 12.0)).round() as i64),
                )
            };
            Some(HcpSection {
                title,
                id,
                chart: chart(title, &rows),
                summary,
                rows: rows
                    .iter()
                    .map(|r| TableRow {
                        month: month_label(r.month),
                        forecast: r.forecast,
                        demand: thousands(r.demand.round() as i64),
                        interval: match (r.lower_80, r.upper_80) {
                            (Some(l), Some(u)) => format!("{} to {}", thousands(l.round() as i64), thousands(u.round() as i64)),
                            _ => "recorded".into(),
                        },
                        capacity: thousands(r.capacity.round() as i64),
                        gap: thousands(r.gap().round() as i64).replace('-', "−"),
                        short: r.gap() < 0.0,
                    })
                    .collect(),
            })
        })
        .collect();
    let basis = view
        .areas
        .iter()
        .map(|a| {
            format!(
                "{} ({}): {} months of appointments; {} practices in gpteam with {} registered patients",
                a.name,
                a.code,
                a.months,
                a.practices,
                thousands(a.patients)
            )
        })
        .collect();
    let per_session = view
        .rules
        .per_session
        .iter()
        .filter(|(_, n)| **n > 0.0)
        .map(|(g, n)| format!("{} {}", g.label(), super::number(*n)))
        .collect::<Vec<_>>()
        .join(", ");
    DemandPage {
        ctx,
        caption,
        title: view.title.clone(),
        back,
        sections,
        basis,
        last_data: view.last_data_month.map(month_label).unwrap_or_default(),
        shifts: view
            .level_shifts
            .iter()
            .map(|m| month_label(*m))
            .collect::<Vec<_>>()
            .join(", "),
        per_session,
        view,
    }
}

fn month_label(m: analytics::Month) -> String {
    m.first_day().format("%b %Y").to_string()
}

/// An SVG chart: recorded demand (solid), forecast (dashed) in its 80 % band, safe capacity
/// (green), and the shortfall where demand is above capacity (red).
fn chart(title: &str, rows: &[&GapRow]) -> String {
    let (width, height) = (760.0, 300.0);
    let (left, right, top, bottom) = (70.0, 16.0, 16.0, 40.0);
    let n = rows.len();
    let max = rows
        .iter()
        .map(|r| r.upper_80.unwrap_or(r.demand).max(r.capacity).max(r.demand))
        .fold(1.0f64, f64::max)
        * 1.08;
    let step = nice_step(max / 4.0);
    let max = (max / step).ceil() * step;
    let x = |i: usize| left + (width - left - right) * (i as f64 + 0.5) / n as f64;
    let y = |v: f64| top + (height - top - bottom) * (1.0 - v / max);
    let path = |points: &[(f64, f64)]| {
        points
            .iter()
            .enumerate()
            .map(|(i, (px, py))| format!("{}{px:.1},{py:.1}", if i == 0 { "M" } else { "L" }))
            .collect::<String>()
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="gpteam-chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-{id}-title" xmlns="http://www.w3.org/2000/svg"><title id="chart-{id}-title">{title}: recorded and forecast demand against safe capacity by month (the table below has the figures)</title>"##,
        id = title.len()
    );
    // Grid and axis labels.
    let mut v = 0.0;
    while v <= max + 1e-9 {
        let _ = write!(
            svg,
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#d8dde0"/><text x="{}" y="{:.1}" text-anchor="end" font-size="12" fill="#4c6272">{}</text>"##,
            width - right,
            left - 6.0,
            y(v) + 4.0,
            thousands(v as i64),
            yy = y(v)
        );
        v += step;
    }
    for (i, r) in rows.iter().enumerate() {
        if r.month.month % 3 == 1 || i == 0 {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{}" text-anchor="middle" font-size="12" fill="#4c6272">{}</text>"##,
                x(i),
                height - bottom + 18.0,
                month_label(r.month)
            );
        }
    }
    // The 80 % band of the forecast.
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
            r##"<path d="{}Z" fill="#005eb8" fill-opacity="0.15"/>"##,
            path(&points)
        );
    }
    // The shortfall: between demand and capacity where demand is higher.
    for (i, r) in rows.iter().enumerate() {
        if r.demand > r.capacity {
            let half = (width - left - right) / n as f64 / 2.0;
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
    svg.push_str("</svg>");
    svg
}

fn nice_step(raw: f64) -> f64 {
    let magnitude = 10f64.powf(raw.max(1.0).log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude)
}
