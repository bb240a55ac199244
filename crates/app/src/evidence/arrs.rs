//! ARRS use, headroom and forecast for the financial year of the snapshot's day, from
//! `Funding::arrs_summary` (a PCN's aggregates, no names): a PCN's figures and its months; an
//! ICS's one line a PCN and a total; a practice's its PCN's figures when the actor may see
//! them, else a sentence saying the PCN claims ARRS. Amounts are the ledger page's
//! (`domain::arrs::money`, to the penny); a missing sum is shown as missing, never £0.
use super::{PackScope, Part};
use crate::App;
use crate::access::Actor;
use crate::error::{AppError, AppResult};
use crate::funding::arrs::ArrsSummary;
use crate::pdf::flow::{Chart, ChartKind, Column, Flow, Series, Table};
use chrono::NaiveDate;
use domain::arrs::{FinancialYear, money};
use import::{Cell, Sheet};
use serde::{Deserialize, Serialize};

/// One PCN's year (or the ICS's total).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArrsLine {
    pub code: String,
    pub name: String,
    /// `None` while the £ per weighted patient or the weighted population is missing.
    pub sum: Option<f64>,
    pub claimed: f64,
    pub committed: f64,
    pub forecast: f64,
    pub headroom: Option<f64>,
    pub forecast_unclaimed: Option<f64>,
    pub warnings: Vec<String>,
}

/// One month of a PCN's year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArrsMonth {
    /// `YYYY-MM`.
    pub month: String,
    pub label: String,
    /// `none`, `draft`, `checked` or `submitted`.
    pub status: String,
    pub claimed: f64,
    pub forecast: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArrsSection {
    /// `2026/27`.
    pub year: String,
    /// Why no figures are shown (a practice whose manager may not see the PCN's ledger,
    /// or a practice in no PCN).
    pub note: Option<String>,
    /// One line (a PCN's or a practice's PCN's), or one a PCN of the ICS.
    pub pcns: Vec<ArrsLine>,
    /// The ICS's total; `sum` and `headroom` missing when any PCN's are.
    pub total: Option<ArrsLine>,
    /// The months of a single PCN's year.
    pub months: Vec<ArrsMonth>,
}

fn line(code: &str, name: &str, s: &ArrsSummary) -> ArrsLine {
    ArrsLine {
        code: code.to_string(),
        name: name.to_string(),
        sum: s.sum,
        claimed: s.claimed,
        committed: s.committed,
        forecast: s.forecast,
        headroom: s.headroom,
        forecast_unclaimed: s.forecast_unclaimed,
        warnings: s.warnings.clone(),
    }
}

/// The ICS's total: amounts summed; the sum, headroom and unclaimed only when every PCN has
/// a sum.
fn total(lines: &[ArrsLine], code: &str, name: &str) -> ArrsLine {
    let all = |f: fn(&ArrsLine) -> Option<f64>| -> Option<f64> {
        lines
            .iter()
            .map(f)
            .sum::<Option<f64>>()
            .map(domain::arrs::pence)
    };
    let missing = lines.iter().filter(|l| l.sum.is_none()).count();
    ArrsLine {
        code: code.to_string(),
        name: name.to_string(),
        sum: all(|l| l.sum),
        claimed: domain::arrs::pence(lines.iter().map(|l| l.claimed).sum()),
        committed: domain::arrs::pence(lines.iter().map(|l| l.committed).sum()),
        forecast: domain::arrs::pence(lines.iter().map(|l| l.forecast).sum()),
        headroom: all(|l| l.headroom),
        forecast_unclaimed: all(|l| l.forecast_unclaimed),
        warnings: if missing > 0 {
            vec![format!(
                "The sum of {missing} PCN{} is missing, so the ICS's sum and headroom are not totalled.",
                if missing == 1 { "" } else { "s" }
            )]
        } else {
            Vec::new()
        },
    }
}

pub(crate) async fn gather(
    app: &App,
    actor: &Actor,
    scope: PackScope<'_>,
    today: NaiveDate,
) -> AppResult<ArrsSection> {
    let year = FinancialYear::of(today);
    let mut section = ArrsSection {
        year: year.label(),
        note: None,
        pcns: Vec::new(),
        total: None,
        months: Vec::new(),
    };
    let pcns: Vec<store::organisations::PcnRecord> = {
        let mut conn = app.store().conn().await?;
        match scope {
            PackScope::Pcn(code) => store::organisations::get_pcn(&mut conn, code)
                .await?
                .into_iter()
                .collect(),
            PackScope::Ics(code) => store::organisations::list_pcns(&mut conn, Some(code)).await?,
            PackScope::Practice(ods) => {
                let pcn = store::organisations::get(&mut conn, ods)
                    .await?
                    .and_then(|p| p.pcn_code);
                match pcn {
                    Some(pcn) => store::organisations::get_pcn(&mut conn, &pcn)
                        .await?
                        .into_iter()
                        .collect(),
                    None => {
                        section.note = Some(
                            "ARRS is claimed by a PCN, and this practice is in no PCN.".into(),
                        );
                        Vec::new()
                    }
                }
            }
        }
    };
    for pcn in &pcns {
        let summary = match app.funding().arrs_summary(actor, &pcn.code, year).await {
            Ok(s) => s,
            // A practice manager does not see the PCN's ledger: the pack says so.
            Err(AppError::Forbidden) if matches!(scope, PackScope::Practice(_)) => {
                section.note = Some(format!(
                    "ARRS is claimed by the PCN, {} ({}); its figures are in the PCN's own pack.",
                    pcn.name, pcn.code
                ));
                continue;
            }
            Err(e) => return Err(e),
        };
        if pcns.len() == 1 {
            section.months = summary
                .months
                .iter()
                .map(|m| ArrsMonth {
                    month: m.month.to_string(),
                    label: m.month.label(),
                    status: m.status.clone(),
                    claimed: m.claimed,
                    forecast: m.forecast,
                })
                .collect();
        }
        section.pcns.push(line(&pcn.code, &pcn.name, &summary));
    }
    if let PackScope::Ics(code) = scope {
        section.total = Some(total(&section.pcns, code, "All PCNs"));
    }
    Ok(section)
}

fn opt(value: Option<f64>) -> String {
    value.map(money).unwrap_or_else(|| "missing".into())
}

fn opt_cell(value: Option<f64>) -> Cell {
    value.map_or_else(|| Cell::Text("missing".into()), Cell::Number)
}

fn status_words(status: &str) -> &'static str {
    match status {
        "draft" => "Draft",
        "checked" => "Checked",
        "submitted" => "Submitted",
        _ => "Not drafted",
    }
}

impl ArrsSection {
    fn single_pdf(&self, l: &ArrsLine, flow: &mut Flow) {
        flow.paragraph(&format!(
            "{} ({}), {}: sum {}; claimed to date {}; committed to 31 March by current posts {}; forecast {}; headroom {}; forecast unclaimed on 31 March {}.",
            l.name,
            l.code,
            self.year,
            opt(l.sum),
            money(l.claimed),
            money(l.committed),
            money(l.forecast),
            opt(l.headroom),
            opt(l.forecast_unclaimed)
        ));
        for w in shown_warnings(&l.warnings) {
            flow.paragraph(&format!("Warning: {w}"));
        }
        if self.months.is_empty() {
            return;
        }
        flow.table(&Table {
            columns: vec![
                Column::text("Month", 2.0),
                Column::text("Claim", 2.0),
                Column::number("Claimed", 1.6),
                Column::number("Forecast", 1.6),
            ],
            rows: self
                .months
                .iter()
                .map(|m| {
                    vec![
                        m.label.clone(),
                        status_words(&m.status).into(),
                        money(m.claimed),
                        money(m.forecast),
                    ]
                })
                .collect(),
        });
        if self
            .months
            .iter()
            .all(|m| m.claimed == 0.0 && m.forecast == 0.0)
        {
            return;
        }
        flow.chart(&Chart {
            title: format!(
                "ARRS claims by month, {} (submitted, and forecast)",
                self.year
            ),
            unit: "£".into(),
            kind: ChartKind::Bars,
            categories: self.months.iter().map(|m| short_month(&m.month)).collect(),
            series: vec![
                Series {
                    name: "Claimed".into(),
                    values: self.months.iter().map(|m| m.claimed).collect(),
                },
                Series {
                    name: "Forecast".into(),
                    values: self.months.iter().map(|m| m.forecast).collect(),
                },
            ],
        });
    }
}

/// The warnings the PDF prints: the first three, then how many more the annex lists.
fn shown_warnings(warnings: &[String]) -> Vec<String> {
    const SHOWN: usize = 3;
    let mut out: Vec<String> = warnings.iter().take(SHOWN).cloned().collect();
    if warnings.len() > SHOWN {
        out.push(format!(
            "{} more, listed in the annex (sheet ARRS).",
            warnings.len() - SHOWN
        ));
    }
    out
}

/// "Apr" for `2026-04`.
fn short_month(key: &str) -> String {
    NaiveDate::parse_from_str(&format!("{key}-01"), "%Y-%m-%d")
        .map(|d| d.format("%b").to_string())
        .unwrap_or_else(|_| key.to_string())
}

impl Part for ArrsSection {
    fn pdf(&self, flow: &mut Flow) {
        flow.heading(&format!("ARRS use, headroom and forecast, {}", self.year));
        if let Some(note) = &self.note {
            flow.paragraph(note);
        }
        match (&self.total, self.pcns.as_slice()) {
            (_, []) => {}
            (None, [one]) => self.single_pdf(one, flow),
            _ => {
                let mut rows: Vec<Vec<String>> = Vec::new();
                for l in self.pcns.iter().chain(&self.total) {
                    rows.push(vec![
                        if Some(l) == self.total.as_ref() {
                            l.name.clone()
                        } else {
                            format!("{} ({})", l.name, l.code)
                        },
                        opt(l.sum),
                        money(l.claimed),
                        money(l.committed),
                        opt(l.headroom),
                        opt(l.forecast_unclaimed),
                    ]);
                }
                flow.table(&Table {
                    columns: vec![
                        Column::text("PCN", 3.0),
                        Column::number("Sum", 1.7),
                        Column::number("Claimed", 1.7),
                        Column::number("Committed", 1.7),
                        Column::number("Headroom", 1.7),
                        Column::number("Forecast unclaimed", 1.7),
                    ],
                    rows,
                });
                for l in &self.pcns {
                    for w in shown_warnings(&l.warnings) {
                        flow.note(&format!("{}: {w}", l.name));
                    }
                }
                for w in self.total.iter().flat_map(|t| &t.warnings) {
                    flow.note(w);
                }
            }
        }
        if !self.pcns.is_empty() {
            flow.note("The sum is the £ per weighted patient × the PCN's weighted population on 1 January before the year. Claimed: submitted claims; committed: what current posts claim to 31 March at the maximum rates in force (NHS England's ARRS rates, each with its source in gpteam); headroom: sum less both.");
        }
    }

    fn sheets(&self) -> Vec<Sheet> {
        let mut sheets = vec![Sheet {
            name: "ARRS".into(),
            header: [
                "Year",
                "PCN code",
                "PCN",
                "Sum (GBP)",
                "Claimed (GBP)",
                "Committed (GBP)",
                "Forecast (GBP)",
                "Headroom (GBP)",
                "Forecast unclaimed (GBP)",
                "Warnings",
            ]
            .map(String::from)
            .to_vec(),
            rows: self
                .pcns
                .iter()
                .chain(&self.total)
                .map(|l| {
                    vec![
                        Cell::Text(self.year.clone()),
                        Cell::Text(l.code.clone()),
                        Cell::Text(l.name.clone()),
                        opt_cell(l.sum),
                        Cell::Number(l.claimed),
                        Cell::Number(l.committed),
                        Cell::Number(l.forecast),
                        opt_cell(l.headroom),
                        opt_cell(l.forecast_unclaimed),
                        Cell::Text(l.warnings.join(" ")),
                    ]
                })
                .chain(self.note.iter().map(|n| {
                    vec![
                        Cell::Text(self.year.clone()),
                        Cell::Text(String::new()),
                        Cell::Text(n.clone()),
                    ]
                }))
                .collect(),
        }];
        if !self.months.is_empty() {
            sheets.push(Sheet {
                name: "ARRS months".into(),
                header: ["Month", "Claim", "Claimed (GBP)", "Forecast (GBP)"]
                    .map(String::from)
                    .to_vec(),
                rows: self
                    .months
                    .iter()
                    .map(|m| {
                        vec![
                            Cell::Text(m.month.clone()),
                            Cell::Text(status_words(&m.status).into()),
                            Cell::Number(m.claimed),
                            Cell::Number(m.forecast),
                        ]
                    })
                    .collect(),
            });
        }
        sheets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pcn(code: &str, sum: Option<f64>, claimed: f64) -> ArrsLine {
        ArrsLine {
            code: code.into(),
            name: format!("PCN {code}"),
            sum,
            claimed,
            committed: 100.0,
            forecast: claimed + 100.0,
            headroom: sum.map(|s| s - claimed - 100.0),
            forecast_unclaimed: sum.map(|s| (s - claimed - 100.0).max(0.0)),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn an_ics_total_leaves_the_sum_missing_when_a_pcn_has_none() {
        let both = [pcn("A", Some(1000.0), 200.0), pcn("B", Some(500.5), 50.25)];
        let t = total(&both, "QZZ", "All PCNs");
        assert_eq!(t.sum, Some(1500.5));
        assert_eq!(t.claimed, 250.25);
        assert_eq!(t.headroom, Some(1500.5 - 250.25 - 200.0));
        assert!(t.warnings.is_empty());
        let one_missing = [pcn("A", Some(1000.0), 200.0), pcn("B", None, 50.0)];
        let t = total(&one_missing, "QZZ", "All PCNs");
        assert_eq!(t.sum, None);
        assert_eq!(t.headroom, None);
        assert_eq!(t.claimed, 250.0);
        assert_eq!(t.warnings.len(), 1);
        let section = ArrsSection {
            year: "2026/27".into(),
            note: None,
            pcns: one_missing.to_vec(),
            total: Some(t),
            months: Vec::new(),
        };
        let sheet = &section.sheets()[0];
        assert_eq!(sheet.rows.len(), 3);
        assert_eq!(sheet.rows[1][3], Cell::Text("missing".into()));
        assert_eq!(sheet.rows[2][3], Cell::Text("missing".into()));
    }
}
