//! Training compliance: for each topic of the catalogue, how many people it is required of
//! and how many are in date, expiring soon, expired or missing — the training matrix's
//! cells counted (`training::build_matrix`), no names. An ICS's pack adds its PCNs' matrices
//! up by topic name.
use super::{PackScope, Part, figure};
use crate::App;
use crate::access::Tenant;
use crate::error::AppResult;
use crate::pdf::flow::{Column, Flow, Table};
use crate::training::{MatrixFilter, build_matrix};
use chrono::NaiveDate;
use domain::training::ComplianceStatus;
use import::{Cell, Sheet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TopicLine {
    pub topic: String,
    /// People the topic is required of.
    pub required: usize,
    pub in_date: usize,
    pub expiring: usize,
    pub expired: usize,
    pub missing: usize,
}

impl TopicLine {
    /// In date or expiring soon (still valid today), in per cent of those required.
    pub fn compliance_percent(&self) -> Option<f64> {
        (self.required > 0).then(|| {
            ((self.in_date + self.expiring) as f64 * 1000.0 / self.required as f64).round() / 10.0
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSection {
    pub topics: Vec<TopicLine>,
}

impl TrainingSection {
    pub fn overall(&self) -> TopicLine {
        let mut all = TopicLine {
            topic: "All topics".into(),
            ..TopicLine::default()
        };
        for t in &self.topics {
            all.required += t.required;
            all.in_date += t.in_date;
            all.expiring += t.expiring;
            all.expired += t.expired;
            all.missing += t.missing;
        }
        all
    }
}

pub(crate) async fn gather(
    app: &App,
    scope: PackScope<'_>,
    today: NaiveDate,
) -> AppResult<TrainingSection> {
    let mut conn = app.store().conn().await?;
    let tenants: Vec<(bool, String)> = match scope {
        PackScope::Practice(ods) => vec![(true, ods.to_string())],
        PackScope::Pcn(code) => vec![(false, code.to_string())],
        PackScope::Ics(code) => store::organisations::list_pcns(&mut conn, Some(code))
            .await?
            .into_iter()
            .map(|p| (false, p.code))
            .collect(),
    };
    let mut lines: BTreeMap<String, TopicLine> = BTreeMap::new();
    for (practice, code) in &tenants {
        let tenant = if *practice {
            Tenant::Practice(code)
        } else {
            Tenant::Pcn(code)
        };
        let matrix = build_matrix(&mut conn, tenant, &MatrixFilter::default(), today).await?;
        for (i, topic) in matrix.topics.iter().enumerate() {
            let name = if topic.topic.level.is_empty() {
                topic.topic.name.clone()
            } else {
                format!("{} ({})", topic.topic.name, topic.topic.level)
            };
            let line = lines.entry(name.clone()).or_insert_with(|| TopicLine {
                topic: name,
                ..TopicLine::default()
            });
            for person in &matrix.people {
                match person.cells[i].status {
                    ComplianceStatus::InDate => line.in_date += 1,
                    ComplianceStatus::Expiring => line.expiring += 1,
                    ComplianceStatus::Expired => line.expired += 1,
                    ComplianceStatus::Missing => line.missing += 1,
                    ComplianceStatus::NotRequired => continue,
                }
                line.required += 1;
            }
        }
    }
    Ok(TrainingSection {
        topics: lines.into_values().collect(),
    })
}

fn percent(line: &TopicLine) -> String {
    line.compliance_percent()
        .map(|p| format!("{}%", figure(p)))
        .unwrap_or_else(|| "–".into())
}

impl Part for TrainingSection {
    fn pdf(&self, flow: &mut Flow) {
        flow.heading("Training compliance");
        if self.topics.is_empty() {
            flow.paragraph("No training catalogue is kept here yet.");
            return;
        }
        let overall = self.overall();
        flow.paragraph(&format!(
            "{} of required training is in date ({} of {} person-topics; {} expiring soon, {} expired, {} missing).",
            percent(&overall),
            overall.in_date + overall.expiring,
            overall.required,
            overall.expiring,
            overall.expired,
            overall.missing
        ));
        let rows: Vec<Vec<String>> = self
            .topics
            .iter()
            .chain(std::iter::once(&overall))
            .map(|t| {
                vec![
                    t.topic.clone(),
                    t.required.to_string(),
                    t.in_date.to_string(),
                    t.expiring.to_string(),
                    t.expired.to_string(),
                    t.missing.to_string(),
                    percent(t),
                ]
            })
            .collect();
        flow.table(&Table {
            columns: vec![
                Column::text("Topic", 4.0),
                Column::number("Required of", 1.4),
                Column::number("In date", 1.2),
                Column::number("Expiring soon", 1.4),
                Column::number("Expired", 1.2),
                Column::number("Missing", 1.2),
                Column::number("Compliant", 1.3),
            ],
            rows,
        });
    }

    fn sheets(&self) -> Vec<Sheet> {
        let n = |x: usize| Cell::Number(x as f64);
        let overall = self.overall();
        vec![Sheet {
            name: "Training".into(),
            header: [
                "Topic",
                "Required of",
                "In date",
                "Expiring soon",
                "Expired",
                "Missing",
                "Compliant (%)",
            ]
            .map(String::from)
            .to_vec(),
            rows: self
                .topics
                .iter()
                .chain(std::iter::once(&overall))
                .map(|t| {
                    vec![
                        Cell::Text(t.topic.clone()),
                        n(t.required),
                        n(t.in_date),
                        n(t.expiring),
                        n(t.expired),
                        n(t.missing),
                        t.compliance_percent()
                            .map(Cell::Number)
                            .unwrap_or(Cell::Text(String::new())),
                    ]
                })
                .collect(),
        }]
    }
}
