//! A solve's progress in the manager's words: "Solving: 40 s of 60. Best rota so far: 3
//! gaps below the minimum, 12 below the ideal, no hard rule broken." The optimiser reports
//! each better roster (`rota::Progress::cells`); the worker's heartbeat explains the newest
//! one at most once a second with `check` and the cover counts, and keeps the figures in
//! `rota_progress` for the page and the API to read.
use super::check;
use super::cover::{GapCounts, cover_lines, gap_counts};
use super::plan::{Model, RotaInput, build};
use crate::access::Actor;
use crate::error::AppResult;
use domain::words;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use store::rota::RotaRow;
use store::rota::progress::ProgressRow;

/// How often the newest roster is explained, at most.
const EXPLAIN_EVERY: Duration = Duration::from_secs(1);

/// The best roster of a running solve, as the optimiser reports it.
pub(crate) struct Watch {
    input: RotaInput,
    model: Model,
    best: Mutex<Best>,
}

#[derive(Default)]
struct Best {
    scores: Option<(u64, u64)>,
    cells: Vec<u16>,
    /// A roster came since the last explanation.
    fresh: bool,
    explained_at: Option<Instant>,
}

/// The best roster so far, explained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Explained {
    pub hard_problems: u32,
    pub gaps: GapCounts,
}

impl Watch {
    pub(crate) fn new(input: &RotaInput) -> Watch {
        Watch {
            input: input.clone(),
            model: build(input),
            best: Mutex::new(Best::default()),
        }
    }

    /// Called by the optimiser with each better roster.
    pub(crate) fn record(&self, p: &rota::Progress) {
        let mut best = self.best.lock().expect("progress");
        best.scores = Some((p.best_hard_units, p.best_objective));
        if !p.cells.is_empty() {
            best.cells.clear();
            best.cells.extend_from_slice(p.cells);
            best.fresh = true;
        }
    }

    /// The optimiser's hard units and penalty of the best roster so far.
    pub(crate) fn scores(&self) -> Option<(u64, u64)> {
        self.best.lock().expect("progress").scores
    }

    /// Explains the newest roster when one came since the last explanation and a second
    /// has passed since it.
    pub(crate) fn explain(&self) -> Option<Explained> {
        let cells = {
            let mut best = self.best.lock().expect("progress");
            if !best.fresh
                || best
                    .explained_at
                    .is_some_and(|at| at.elapsed() < EXPLAIN_EVERY)
            {
                return None;
            }
            best.fresh = false;
            best.explained_at = Some(Instant::now());
            best.cells.clone()
        };
        let roster = rota::model::Roster {
            days: self.model.problem.days,
            cells,
        };
        if roster.cells.len() != self.model.problem.staff.len() * roster.days {
            return None;
        }
        let assignments = self.model.decode(&self.input, &roster);
        let hard_problems = check(&self.input, &assignments)
            .iter()
            .filter(|p| p.hard)
            .count() as u32;
        Some(Explained {
            hard_problems,
            gaps: gap_counts(&cover_lines(&self.input, &assignments)),
        })
    }
}

/// A solve's state in words: a heading and a sentence.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SolveProgress {
    pub heading: String,
    pub text: String,
    /// The best rota so far, once the worker has explained one: hard rules it breaks.
    pub hard_problems: Option<i64>,
}

/// The words for a rota waiting or being solved, from its row (status, the share of the
/// time used, the time limit) and the newest explanation stored by its worker.
pub fn progress_words(row: &RotaRow, seen: Option<&ProgressRow>) -> SolveProgress {
    match row.status.as_str() {
        "queued" => SolveProgress {
            heading: "Waiting to start".into(),
            text: "Waiting for a free worker: solving starts in a moment.".into(),
            hard_problems: None,
        },
        "running" => {
            let limit = row.time_limit_seconds.max(1);
            let elapsed = ((row.progress.clamp(0.0, 1.0) * limit as f64).round() as i64).min(limit);
            let best = match seen {
                None => "Looking for a first rota.".to_string(),
                Some(s) => {
                    let hard = match s.hard_problems {
                        0 => "no hard rule broken".to_string(),
                        n => format!(
                            "{} broken",
                            words::count(n.unsigned_abs(), "hard rule", "hard rules")
                        ),
                    };
                    format!(
                        "Best rota so far: {} below the minimum, {} below the ideal, {hard}.",
                        words::count(s.below_minimum.unsigned_abs(), "gap", "gaps"),
                        s.below_ideal
                    )
                }
            };
            SolveProgress {
                heading: "Being solved".into(),
                text: format!("Solving: {elapsed} s of {limit}. {best}"),
                hard_problems: seen.map(|s| s.hard_problems),
            }
        }
        "failed" => SolveProgress {
            heading: "Failed".into(),
            text: "The rota could not be made.".into(),
            hard_problems: None,
        },
        _ => SolveProgress {
            heading: "Finished".into(),
            text: "Solving has ended.".into(),
            hard_problems: None,
        },
    }
}

impl super::Rota<'_> {
    /// A rota's row and its progress in words, for whoever may read the rota.
    pub async fn rota_progress_to_read(
        &self,
        actor: &Actor,
        id: &str,
    ) -> AppResult<(RotaRow, SolveProgress)> {
        let mut conn = self.store().conn().await?;
        let (row, _) = self.rota_reach(&mut conn, actor, id).await?;
        let seen = store::rota::progress::get(&mut conn, id).await?;
        let words = progress_words(&row, seen.as_ref());
        Ok((row, words))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: &str, progress: f64) -> RotaRow {
        RotaRow {
            id: "r".into(),
            scope_kind: "pcn".into(),
            scope_code: "U99901".into(),
            starts_on: "2027-01-11".into(),
            weeks: 4,
            time_limit_seconds: 60,
            status: status.into(),
            progress,
            hard_violations: Some(1950),
            soft_penalty: Some(1950),
            problems_json: None,
            error: None,
            cancel_requested: false,
            worker: None,
            heartbeat_at: None,
            created_by: None,
            created_at: "2027-01-01T00:00:00Z".into(),
            started_at: None,
            finished_at: None,
            published_at: None,
            published_by: None,
            version: 0,
        }
    }

    #[test]
    fn a_running_solve_is_told_in_seconds_and_gaps_never_in_units() {
        let seen = ProgressRow {
            rota_id: "r".into(),
            hard_problems: 0,
            below_minimum: 3,
            below_ideal: 12,
            updated_at: String::new(),
        };
        let words = progress_words(&row("running", 0.666), Some(&seen));
        assert_eq!(words.heading, "Being solved");
        assert_eq!(
            words.text,
            "Solving: 40 s of 60. Best rota so far: 3 gaps below the minimum, 12 below the ideal, no hard rule broken."
        );
        let one = ProgressRow {
            hard_problems: 1,
            below_minimum: 1,
            ..seen
        };
        let words = progress_words(&row("running", 0.1), Some(&one));
        assert!(
            words
                .text
                .ends_with("1 gap below the minimum, 12 below the ideal, 1 hard rule broken."),
            "{}",
            words.text
        );
        assert!(!words.text.contains("1950") && !words.text.contains("unit"));
        let first = progress_words(&row("running", 0.0), None);
        assert_eq!(first.text, "Solving: 0 s of 60. Looking for a first rota.");
        assert_eq!(
            progress_words(&row("queued", 0.0), None).heading,
            "Waiting to start"
        );
    }
}
