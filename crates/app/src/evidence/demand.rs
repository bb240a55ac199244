//! Demand against capacity: the forecast months ahead by clinician type (GPAD's HCP type),
//! with safe capacity and the gap, as the demand page computes them
//! (`App::demand_capacity`); an ICS's pack sums its PCNs'.
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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandSection {
    /// The last month of recorded appointments the forecast starts from (`YYYY-MM`).
    pub last_data_month: Option<String>,
    pub lines: Vec<DemandLine>,
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
            store::practices::list_pcns(&mut conn, Some(code))
                .await?
                .into_iter()
                .map(|p| p.code)
                .collect()
        }
    };
    let mut sums: BTreeMap<(String, String), (f64, f64)> = BTreeMap::new();
    let mut last = None;
    for code in &tenants {
        let tenant = match scope {
            PackScope::Practice(_) => Tenant::Practice(code),
            _ => Tenant::Pcn(code),
        };
        let d = app.demand_capacity(actor, tenant).await?;
        last = last.max(d.last_data_month);
        for row in d.rows.iter().filter(|r| r.forecast) {
            let entry = sums
                .entry((month_key(row.month), row.hcp_type.clone()))
                .or_default();
            entry.0 += row.demand;
            entry.1 += row.capacity;
        }
    }
    let lines = sums
        .into_iter()
        .map(|((month, hcp_type), (demand, capacity))| DemandLine {
            month,
            hcp_type,
            demand: round2(demand),
            capacity: round2(capacity),
            gap: round2(capacity - demand),
        })
        .collect();
    Ok(DemandSection {
        last_data_month: last.map(month_key),
        lines,
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
        flow.table(&Table {
            columns: vec![
                Column::text("Month", 1.4),
                Column::text("Clinician type", 2.4),
                Column::number("Demand", 1.5),
                Column::number("Capacity", 1.5),
                Column::number("Gap", 1.5),
            ],
            rows: self
                .lines
                .iter()
                .map(|l| {
                    vec![
                        month_label(&l.month),
                        l.hcp_type.clone(),
                        figure(l.demand.round()),
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
            header: ["Month", "Clinician type", "Demand", "Capacity", "Gap"]
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
                        Cell::Number(l.capacity),
                        Cell::Number(l.gap),
                    ]
                })
                .collect(),
        }]
    }
}
