//! Demand against capacity: the forecast months ahead by clinician type (GPAD's HCP type),
//! with safe capacity and the gap, as the demand page computes them
//! (`Demand::demand_capacity`); an ICS's pack sums its PCNs'.
use super::{PackScope, Part, figure, round2};
use crate::App;
use crate::access::{Actor, Tenant};
use crate::error::AppResult;
use crate::pdf::flow::{Chart, ChartKind, Column, Flow, Series, Table};
use import::{Cell, Sheet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandLine {
    /// `YYYY-MM`.
    pub month: String,
    /// "GP" or "Other Practice staff", as GPAD names them.
    pub hcp_type: String,
    /// Appointments forecast for the month.
    pub demand: f64,
    /// Safe appointments the team can offer in the month.
    pub capacity: f64,
    /// Capacity less demand: negative is a shortfall.
    pub gap: f64,
    /// The forecast's 80 % range (for an ICS, the sum of its PCNs' ranges).
    #[serde(default)]
    pub lower_80: Option<f64>,
    #[serde(default)]
    pub upper_80: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandSection {
    /// The last month of recorded appointments the forecast starts from (`YYYY-MM`).
    pub last_data_month: Option<String>,
    pub lines: Vec<DemandLine>,
    /// How each area's forecast was made and how it did in backtest.
    #[serde(default)]
    pub forecast_notes: Vec<crate::demand::forecast_note::ForecastNote>,
}

impl DemandSection {
    /// The gap summed over the months for one clinician type.
    pub fn total_gap(&self, hcp_type: &str) -> f64 {
        round2(
            self.lines
                .iter()
                .filter(|l| l.hcp_type == hcp_type)
                .map(|l| l.gap)
                .sum(),
        )
    }

    fn types(&self) -> Vec<String> {
        let mut types: Vec<String> = self.lines.iter().map(|l| l.hcp_type.clone()).collect();
        types.sort();
        types.dedup();
        types
    }

    fn months(&self) -> Vec<String> {
        let mut months: Vec<String> = self.lines.iter().map(|l| l.month.clone()).collect();
        months.sort();
        months.dedup();
        months
    }
}

fn month_key(m: analytics::Month) -> String {
    format!("{:04}-{:02}", m.year, m.month)
}

/// "Jan 2027" for `2027-01`.
fn month_label(key: &str) -> String {
    chrono::NaiveDate::parse_from_str(&format!("{key}-01"), "%Y-%m-%d")
        .map(|d| d.format("%b %Y").to_string())
        .unwrap_or_else(|_| key.to_string())
}

pub(crate) async fn gather(
    app: &App,
    actor: &Actor,
    scope: PackScope<'_>,
) -> AppResult<DemandSection> {
    let tenants: Vec<String> = match scope {
        PackScope::Practice(_) | PackScope::Pcn(_) => vec![scope.code().to_string()],
        PackScope::Ics(code) => {
            let mut conn = app.store().conn().await?;
            store::organisations::list_pcns(&mut conn, Some(code))
                .await?
                .into_iter()
                .map(|p| p.code)
                .collect()
        }
    };
    type Sums = (f64, f64, Option<f64>, Option<f64>);
    let mut sums: BTreeMap<(String, String), Sums> = BTreeMap::new();
    let mut notes: BTreeMap<String, crate::demand::forecast_note::ForecastNote> = BTreeMap::new();
    let mut last = None;
    for code in &tenants {
        let tenant = match scope {
            PackScope::Practice(_) => Tenant::Practice(code),
            _ => Tenant::Pcn(code),
        };
        let d = app.demand().demand_capacity(actor, tenant).await?;
        last = last.max(d.last_data_month);
        for note in d.forecast_notes {
            notes.entry(note.area_code.clone()).or_insert(note);
        }
        for row in d.rows.iter().filter(|r| r.forecast) {
            let entry = sums
                .entry((month_key(row.month), row.hcp_type.clone()))
                .or_default();
            entry.0 += row.demand;
            entry.1 += row.capacity;
            if let (Some(lo), Some(hi)) = (row.lower_80, row.upper_80) {
                entry.2 = Some(entry.2.unwrap_or(0.0) + lo);
                entry.3 = Some(entry.3.unwrap_or(0.0) + hi);
            }
        }
    }
    let lines = sums
        .into_iter()
        .map(
            |((month, hcp_type), (demand, capacity, lower, upper))| DemandLine {
                month,
                hcp_type,
                demand: round2(demand),
                capacity: round2(capacity),
                gap: round2(capacity - demand),
                lower_80: lower.map(round2),
                upper_80: upper.map(round2),
            },
        )
        .collect();
    Ok(DemandSection {
        last_data_month: last.map(month_key),
        lines,
        forecast_notes: notes.into_values().collect(),
    })
}

impl Part for DemandSection {
    fn pdf(&self, flow: &mut Flow) {
        flow.heading("Demand against capacity");
        if self.lines.is_empty() {
            flow.paragraph(
                "No appointment data covers these practices yet, so there is no forecast.",
            );
            return;
        }
        let types = self.types();
        let summary: Vec<String> = types
            .iter()
            .map(|t| {
                format!(
                    "{t}: gap {} appointments over the months shown",
                    figure(self.total_gap(t).round())
                )
            })
            .collect();
        flow.paragraph(&format!(
            "Forecast appointments (the area's appointments per registered patient, from GPAD{}) against the safe capacity of the team's contracts and published rotas, less approved leave. {}.",
            self.last_data_month
                .as_deref()
                .map(|m| format!(", recorded to {}", month_label(m)))
                .unwrap_or_default(),
            summary.join("; ")
        ));
        if let Some(first) = self.forecast_notes.first() {
            let mut text = format!("How the forecast was made: {}.", first.method_description);
            for note in &self.forecast_notes {
                text.push(' ');
                text.push_str(&note.backtest_sentence());
            }
            text.push(' ');
            text.push_str(first.interval_sentence());
            flow.paragraph(&text);
        }
        flow.table(&Table {
            columns: vec![
                Column::text("Month", 1.3),
                Column::text("Clinician type", 2.1),
                Column::number("Demand", 1.3),
                Column::text("80 % range", 1.9),
                Column::number("Capacity", 1.3),
                Column::number("Gap", 1.2),
            ],
            rows: self
                .lines
                .iter()
                .map(|l| {
                    vec![
                        month_label(&l.month),
                        l.hcp_type.clone(),
                        figure(l.demand.round()),
                        match (l.lower_80, l.upper_80) {
                            (Some(lo), Some(hi)) => {
                                format!("{} to {}", figure(lo.round()), figure(hi.round()))
                            }
                            _ => String::new(),
                        },
                        figure(l.capacity.round()),
                        figure(l.gap.round()),
                    ]
                })
                .collect(),
        });
        let months = self.months();
        let value = |t: &str, m: &str| {
            self.lines
                .iter()
                .find(|l| l.hcp_type == t && l.month == m)
                .map(|l| l.gap)
                .unwrap_or(0.0)
        };
        flow.chart(&Chart {
            title:
                "Gap by month and clinician type (capacity less demand; below zero is a shortfall)"
                    .into(),
            unit: "appointments".into(),
            kind: ChartKind::Bars,
            categories: months.iter().map(|m| month_label(m)).collect(),
            series: types
                .iter()
                .map(|t| Series {
                    name: t.clone(),
                    values: months.iter().map(|m| value(t, m)).collect(),
                })
                .collect(),
        });
        flow.note("Source: NHS England, Appointments in General Practice (official statistics in development; PCN and enhanced-access appointments are only partly recorded).");
    }

    fn sheets(&self) -> Vec<Sheet> {
        vec![Sheet {
            name: "Demand and capacity".into(),
            header: [
                "Month",
                "Clinician type",
                "Demand",
                "Lower 80 %",
                "Upper 80 %",
                "Capacity",
                "Gap",
            ]
            .map(String::from)
            .to_vec(),
            rows: self
                .lines
                .iter()
                .map(|l| {
                    vec![
                        Cell::Text(l.month.clone()),
                        Cell::Text(l.hcp_type.clone()),
                        Cell::Number(l.demand),
                        l.lower_80.map_or(Cell::Text(String::new()), Cell::Number),
                        l.upper_80.map_or(Cell::Text(String::new()), Cell::Number),
                        Cell::Number(l.capacity),
                        Cell::Number(l.gap),
                    ]
                })
                .collect(),
        }]
    }
}
