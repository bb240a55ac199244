//! Wellbeing: only what the anonymity threshold allows (docs/design/wellbeing-anonymity.md).
//! Closed periods only; a group's count and mean only when at least the threshold answered.
//!
//! A practice's pack shows what its wellbeing page shows (`build_periods`). A PCN's pack
//! shows the PCN as a whole per closed period — but the practice pages show each practice
//! at or above the threshold, so "PCN minus the practices shown" must not single out a
//! small practice: the whole is shown only when the practices below the threshold hold
//! none or at least the threshold between them ([`whole_may_show`]). Its practice lines are
//! the PCN page's (`shown_parts`). An ICS's pack shows each PCN's last closed period under
//! the same rule, and no ICS total.
use super::{PackScope, Part, figure};
use crate::App;
use crate::error::AppResult;
use crate::pdf::flow::{Chart, ChartKind, Column, Flow, Series, Table};
use crate::wellbeing::{build_periods, checkin_tenant, questionnaire};
use chrono::{Duration, NaiveDate};
use domain::wellbeing::{MIN_THRESHOLD, Period, StoredAnswer, shown_parts, summarise};
use import::{Cell, Sheet};
use serde::{Deserialize, Serialize};

/// Closed periods shown in a trend.
const TREND_PERIODS: usize = 6;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WellbeingLine {
    /// The practice or PCN.
    pub label: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// `None` when withheld: below the threshold, or a count that would single one out.
    pub responses: Option<usize>,
    /// Mean over all questions on the 1–5 scale, when shown.
    pub overall_mean: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WellbeingSection {
    /// The threshold applied (`None` for an ICS: each PCN sets its own, never below 5).
    pub threshold: Option<u32>,
    /// The practice or PCN as a whole, by closed period, oldest first.
    pub trend: Vec<WellbeingLine>,
    /// The practices of the PCN, or the PCNs of the ICS, in the last closed period.
    pub units: Vec<WellbeingLine>,
}

/// Whether a whole may be shown beside parts that are each shown where they reach the
/// threshold: it must reach the threshold, and the parts below it must hold none or at
/// least the threshold between them, or "whole minus the parts shown" gives them away.
pub fn whole_may_show(counts: &[usize], threshold: u32) -> bool {
    let t = threshold.max(MIN_THRESHOLD) as usize;
    let total: usize = counts.iter().sum();
    let hidden: usize = counts.iter().filter(|c| **c < t).sum();
    total >= t && (hidden == 0 || hidden >= t)
}

/// The closed periods of `weeks` weeks from the first answered to the last closed.
fn closed_periods(answers: &[StoredAnswer], open: Period, weeks: u32) -> Vec<Period> {
    let Some(first) = answers
        .iter()
        .map(|a| a.period_start)
        .filter(|s| *s < open.start)
        .min()
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut period = Period::containing(first, weeks);
    while period.start < open.start {
        out.push(period);
        period = Period::starting(period.next_start(), weeks);
    }
    out
}

/// A PCN's whole for each closed period (the last `keep`), and its practices' lines for
/// the last closed one.
async fn pcn_lines(
    conn: &mut store::Conn,
    pcn: &store::organisations::PcnRecord,
    today: NaiveDate,
    keep: usize,
) -> AppResult<(u32, Vec<WellbeingLine>, Vec<WellbeingLine>)> {
    let (q, _) = questionnaire(conn, &pcn.code).await?;
    let threshold = q.settings.threshold;
    let weeks = q.settings.period_weeks;
    let practices =
        store::organisations::list(conn, store::organisations::PracticeScope::Pcn(&pcn.code))
            .await?;
    let codes: Vec<String> = practices.iter().map(|p| p.ods_code.clone()).collect();
    let answers: Vec<StoredAnswer> = store::wellbeing::answers(conn, &q.id, &[])
        .await?
        .into_iter()
        .filter(|a| codes.contains(&a.practice_ods))
        .collect();
    let open = Period::containing(today, weeks);
    let periods = closed_periods(&answers, open, weeks);
    let mut trend = Vec::new();
    for period in periods.iter().rev().take(keep).rev() {
        let here: Vec<&StoredAnswer> = answers
            .iter()
            .filter(|a| a.period_start == period.start)
            .collect();
        let counts: Vec<usize> = codes
            .iter()
            .map(|c| here.iter().filter(|a| &a.practice_ods == c).count())
            .collect();
        let show = whole_may_show(&counts, threshold);
        trend.push(WellbeingLine {
            label: pcn.name.clone(),
            period_start: period.start,
            period_end: period.end,
            responses: show.then_some(here.len()),
            overall_mean: show.then(|| {
                summarise(
                    &q.settings.questions,
                    &here.iter().map(|a| &a.answers).collect::<Vec<_>>(),
                )
                .overall_mean
            }),
        });
    }
    let last = Period::starting(
        open.start - Duration::days(i64::from(weeks.max(1)) * 7),
        weeks,
    );
    let here: Vec<&StoredAnswer> = answers
        .iter()
        .filter(|a| a.period_start == last.start)
        .collect();
    let counts: Vec<usize> = codes
        .iter()
        .map(|c| here.iter().filter(|a| &a.practice_ods == c).count())
        .collect();
    let shown = shown_parts(&counts, threshold);
    let units = practices
        .iter()
        .zip(counts.iter().zip(&shown))
        .map(|(p, (&n, &show))| WellbeingLine {
            label: p.name.clone(),
            period_start: last.start,
            period_end: last.end,
            responses: show.then_some(n),
            overall_mean: show.then(|| {
                let mine: Vec<_> = here
                    .iter()
                    .filter(|a| a.practice_ods == p.ods_code)
                    .map(|a| &a.answers)
                    .collect();
                summarise(&q.settings.questions, &mine).overall_mean
            }),
        })
        .collect();
    Ok((threshold, trend, units))
}

pub(crate) async fn gather(
    app: &App,
    scope: PackScope<'_>,
    today: NaiveDate,
) -> AppResult<WellbeingSection> {
    // Publishes periods that have closed, as every read of results does first.
    app.wellbeing().close_wellbeing_periods().await?;
    let mut conn = app.store().conn().await?;
    match scope {
        PackScope::Practice(ods) => {
            let practice = store::organisations::get(&mut conn, ods)
                .await?
                .ok_or(crate::AppError::NotFound)?;
            let tenant = checkin_tenant(&mut conn, ods).await?;
            let (q, _) = questionnaire(&mut conn, &tenant).await?;
            let answers = store::wellbeing::answers(
                &mut conn,
                &q.id,
                std::slice::from_ref(&practice.ods_code),
            )
            .await?;
            let open = Period::containing(today, q.settings.period_weeks);
            let periods = build_periods(&q.settings, &answers, open);
            let trend = periods
                .iter()
                .rev()
                .take(TREND_PERIODS)
                .rev()
                .map(|p| WellbeingLine {
                    label: practice.name.clone(),
                    period_start: p.period.start,
                    period_end: p.period.end,
                    responses: p.responses,
                    overall_mean: p.results.as_ref().map(|r| r.overall_mean),
                })
                .collect();
            Ok(WellbeingSection {
                threshold: Some(q.settings.threshold),
                trend,
                units: Vec::new(),
            })
        }
        PackScope::Pcn(code) => {
            let pcn = store::organisations::get_pcn(&mut conn, code)
                .await?
                .ok_or(crate::AppError::NotFound)?;
            let (threshold, trend, units) =
                pcn_lines(&mut conn, &pcn, today, TREND_PERIODS).await?;
            Ok(WellbeingSection {
                threshold: Some(threshold),
                trend,
                units,
            })
        }
        PackScope::Ics(code) => {
            let mut units = Vec::new();
            for pcn in store::organisations::list_pcns(&mut conn, Some(code)).await? {
                let (_, trend, _) = pcn_lines(&mut conn, &pcn, today, 1).await?;
                units.extend(trend);
            }
            Ok(WellbeingSection {
                threshold: None,
                trend: Vec::new(),
                units,
            })
        }
    }
}

fn count(line: &WellbeingLine) -> String {
    line.responses
        .map(|n| n.to_string())
        .unwrap_or_else(|| "withheld".into())
}

fn mean(line: &WellbeingLine) -> String {
    line.overall_mean
        .map(figure)
        .unwrap_or_else(|| "withheld".into())
}

fn period(line: &WellbeingLine) -> String {
    format!(
        "{} to {}",
        line.period_start.format("%-d %b %Y"),
        line.period_end.format("%-d %b %Y")
    )
}

impl Part for WellbeingSection {
    fn pdf(&self, flow: &mut Flow) {
        flow.heading("Wellbeing");
        flow.paragraph(&format!(
            "Anonymous pulse check-ins, closed periods only. A group's answers are shown only when at least {} answered, and never in a way that lets a smaller group be worked out; otherwise \"withheld\". The mean is over all questions on a scale of 1 (strongly disagree) to 5 (strongly agree).",
            self.threshold
                .map(|t| t.max(MIN_THRESHOLD).to_string())
                .unwrap_or_else(|| "the PCN's threshold (never below 5)".into())
        ));
        if self.trend.is_empty() && self.units.is_empty() {
            flow.paragraph("No closed check-in period has answers yet.");
            return;
        }
        let columns = |first: &str| {
            vec![
                Column::text(first, 3.0),
                Column::text("Period", 2.6),
                Column::number("Answers", 1.2),
                Column::number("Mean (1–5)", 1.3),
            ]
        };
        let row = |l: &WellbeingLine| vec![l.label.clone(), period(l), count(l), mean(l)];
        if !self.trend.is_empty() {
            flow.table(&Table {
                columns: columns("Whole"),
                rows: self.trend.iter().map(row).collect(),
            });
            if self
                .trend
                .iter()
                .filter(|l| l.overall_mean.is_some())
                .count()
                >= 2
            {
                let shown: Vec<&WellbeingLine> = self
                    .trend
                    .iter()
                    .filter(|l| l.overall_mean.is_some())
                    .collect();
                flow.chart(&Chart {
                    title: "Mean wellbeing score by period (periods withheld are left out)".into(),
                    unit: "mean (1–5)".into(),
                    kind: ChartKind::Lines,
                    categories: shown
                        .iter()
                        .map(|l| l.period_start.format("%b %Y").to_string())
                        .collect(),
                    series: vec![Series {
                        name: "Mean over all questions".into(),
                        values: shown.iter().filter_map(|l| l.overall_mean).collect(),
                    }],
                });
            }
        }
        if !self.units.is_empty() {
            flow.table(&Table {
                columns: columns(if self.threshold.is_some() {
                    "Practice"
                } else {
                    "PCN"
                }),
                rows: self.units.iter().map(row).collect(),
            });
        }
    }

    fn sheets(&self) -> Vec<Sheet> {
        let cell_n = |v: Option<f64>| v.map(Cell::Number).unwrap_or(Cell::Text("withheld".into()));
        let rows = self
            .trend
            .iter()
            .map(|l| ("Whole", l))
            .chain(self.units.iter().map(|l| ("Part", l)))
            .map(|(kind, l)| {
                vec![
                    Cell::Text(kind.into()),
                    Cell::Text(l.label.clone()),
                    Cell::Text(l.period_start.to_string()),
                    Cell::Text(l.period_end.to_string()),
                    cell_n(l.responses.map(|n| n as f64)),
                    cell_n(l.overall_mean),
                ]
            })
            .collect();
        vec![Sheet {
            name: "Wellbeing".into(),
            header: [
                "Line",
                "Practice or PCN",
                "Period from",
                "Period to",
                "Answers",
                "Mean (1-5)",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_is_withheld_when_it_would_single_out_a_small_practice() {
        // 10 at one practice (shown on its page) and 2 at another: 12 − 10 = 2.
        assert!(!whole_may_show(&[10, 2], 5));
        assert!(whole_may_show(&[10, 0], 5));
        assert!(
            whole_may_show(&[10, 3, 2], 5),
            "the small ones together reach 5"
        );
        assert!(
            !whole_may_show(&[2, 2], 5),
            "below the threshold altogether"
        );
        assert!(whole_may_show(&[3, 3], 5));
        assert!(!whole_may_show(&[3, 3], 7));
        // Never below 5, whatever the setting.
        assert!(!whole_may_show(&[4], 2));
    }
}
